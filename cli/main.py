"""The `wabei` command: one table of subcommands, each imported only when it runs.

A subcommand's module is imported only when it is chosen, so `wabei node` never loads web3 or
solc, and each subcommand parses its own arguments, so `wabei deploy --help` is deploy's own.
To add a subcommand, add a row to `COMMANDS`; its entry takes the arguments after its name
and returns an exit code from `cli.common.ExitCode`.
"""
from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

Entry = Callable[[list[str]], int]


@dataclass(frozen=True)
class Command:
    """One `wabei` subcommand: its name, its entry as "module:function", and its help line."""

    name: str
    entry: str
    help: str

    def load(self) -> Entry:
        """Import the module and return the entry function."""
        module, _, function = self.entry.partition(":")
        return cast(Entry, getattr(importlib.import_module(module), function))


COMMANDS: tuple[Command, ...] = (
    Command("node", "network.cli:node_main",
            "start the devnet (HTTP and WebSocket JSON-RPC on one port), or with "
            "--network DIR --node NAME one node of a CometBFT network"),
    Command("compile", "cli.compile:main",
            "compile contracts/ (pinned solc) into contracts/build/"),
    Command("deploy", "cli.deploy:main",
            "compile FILE.sol:CONTRACT, deploy it once per chain, publish it in the CNS"),
    Command("cns", "cli.cns:main",
            "list, show, resolve, call, set-latest and register CNS names"),
    Command("sharing", "cli.sharing:main",
            "sharing deploy [--rpc-url URL]: deploy the sharing-economy suite, publish it in CNS"),
    Command("network", "cli.network:main",
            "network init|up|down|status: a consortium network of Wabei nodes on CometBFT"),
    Command("perm", "cli.governance:perm_main",
            "deploy and method permissions: governors, set-deploy-type, open-deploy, set-method-type, ..."),
    Command("freeze", "cli.governance:freeze_main",
            "freeze or unfreeze an account or a contract, or show its status"),
    Command("sysconfig", "cli.governance:sysconfig_main",
            "sysconfig get [KEY] | set KEY VALUE: tx_count_limit, tx_gas_limit, block_gas_limit"),
    Command("intercept", "cli.regulation:intercept_main",
            "the regulator's interception rules and reports: block, block-method, set-threshold, list, ..."),
    Command("kyc", "cli.regulation:kyc_main",
            "the identity (KYC) registry: set-issuer, bind, revoke, show, issuers"),
    Command("gov", "cli.gov:main",
            "propose|vote|show|list: committee governance (FISCO CommitteeManager at 0x10001)"),
    Command("export", "cli.export:main",
            "export the chain into SQL (SQLite or PostgreSQL), decoded and incremental; "
            "export verify checks it against the chain"),
    Command("demo", "cli.demo:main",
            "play a story on a running node: demo sharing-economy [--rpc-url URL]"),
)


def parser() -> argparse.ArgumentParser:
    """The top-level parser: it only picks the subcommand; the rest goes to the subcommand."""
    top = argparse.ArgumentParser(prog="wabei", description="Wabei smart-contract platform")
    sub = top.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        sub.add_parser(command.name, add_help=False, help=command.help)
    return top


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `wabei` console script and of `python -m cli`; returns the exit code."""
    args, rest = parser().parse_known_args(argv)
    command = next(c for c in COMMANDS if c.name == args.command)
    return command.load()(rest)
