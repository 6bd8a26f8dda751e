"""`wabei compile`: rebuild contracts/build/<Contract>.json from the Solidity sources with the
pinned solc (deploy/compile.py does the work)."""
from __future__ import annotations

import argparse
from pathlib import Path

from cli.common import CliError, run
from deploy.compile import CompileError, build_all, compile_sources, default_root, write_artifacts


def main(argv: list[str]) -> int:
    """Entry point of `wabei compile` (the arguments after `compile`); returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="wabei compile",
        description="Compile Solidity sources into contracts/build/<Contract>.json artefacts.",
    )
    parser.add_argument("files", nargs="*", type=Path, help="sources (default: all of contracts/)")
    parser.add_argument("--root", type=Path, help="project root (default: this repository)")
    args = parser.parse_args(argv)
    return run("wabei compile", lambda: _compile(args.files, args.root))


def _compile(files: list[Path], root: Path | None) -> int:
    base = (root if root is not None else default_root()).resolve()
    try:
        if files:
            written = write_artifacts(compile_sources([f.resolve() for f in files], base), base)
        else:
            written = build_all(base)
    except CompileError as exc:
        # Every diagnostic, not run()'s first one only: this is where a person fixes them all.
        raise CliError(str(exc)) from None
    for name, path in written.items():
        print(f"{name}: {path.relative_to(base).as_posix()}")
    return 0
