"""The exit codes and the one-line usage errors of every `wabei` subcommand (the table is in
cli/common.py's docstring). Apart from cli/common.py so that commands that need no web3, such
as `wabei network`, start without importing it (1.5 s here).
"""
from __future__ import annotations

import argparse
from enum import IntEnum
from typing import NoReturn


class ExitCode(IntEnum):
    """The process exit codes of every subcommand; the table in this module's docstring."""

    OK = 0
    FAILED = 1
    USAGE = 2
    INTERRUPTED = 130


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line on stderr and `ExitCode.USAGE`."""

    def error(self, message: str) -> NoReturn:
        self.exit(ExitCode.USAGE, f"{self.prog}: {message} (see {self.prog} --help)\n")
