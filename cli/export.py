"""`wabei export`: copy the chain into SQL (docs/warehouse.md), and `wabei export verify`.

    wabei export --rpc-url URL --db URL [--abi-dir DIR] [--manifests DIR] [--follow]
    wabei export verify --rpc-url URL --db URL
"""
from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from cli.exits import ExitCode, OneLineParser

DEFAULT_RPC_URL = "http://127.0.0.1:8545"
DEFAULT_DB = "warehouse.sqlite"


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rpc-url", default=DEFAULT_RPC_URL, help=f"node JSON-RPC URL (default {DEFAULT_RPC_URL})")
    parser.add_argument("--db", default=DEFAULT_DB,
                        help="database: a SQLite file path or sqlite:///PATH, or postgresql://user@host:port/db "
                             f"(default {DEFAULT_DB})")


def _batch(text: str) -> int:
    from warehouse.config import MAX_BATCH

    value = int(text)
    if not 1 <= value <= MAX_BATCH:
        raise argparse.ArgumentTypeError(f"must be 1..{MAX_BATCH}")
    return value


def export_parser() -> argparse.ArgumentParser:
    p = OneLineParser(prog="wabei export", description="export the chain into SQL, decoded and incrementally; "
                      "`wabei export verify` checks a database against the chain")
    _common(p)
    p.add_argument("--abi-dir", type=Path, default=None,
                   help="directory of ABI files: {\"address\": \"0x…\", \"abi\": [...], \"name\"?: \"…\"} per file")
    p.add_argument("--manifests", type=Path, default=None,
                   help="deployment manifests directory (deployments/<chainId>.json of `wabei deploy`)")
    p.add_argument("--artifacts", type=Path, default=None,
                   help="project root whose contracts/build/ holds the manifests' ABIs (default: this repository)")
    p.add_argument("--batch", type=_batch, default=100, help="blocks per round trip and per transaction (default 100)")
    p.add_argument("--to-block", type=int, default=None, help="stop after this block (default: the head)")
    p.add_argument("--follow", action="store_true", help="keep exporting new blocks (newHeads over WebSocket, "
                   "polling when there is none) until interrupted")
    p.add_argument("--ws-url", default=None, help="WebSocket URL for --follow (default: --rpc-url as ws://)")
    p.add_argument("--poll", type=float, default=1.0, help="seconds between polls in --follow (default 1)")
    p.add_argument("--progress", choices=("auto", "always", "never"), default="auto",
                   help="progress bar with blocks/s and ETA (auto: only on a terminal)")
    return p


def verify_parser() -> argparse.ArgumentParser:
    p = OneLineParser(prog="wabei export verify",
                      description="compare each exported block's transactions and logs with the chain; exit 1 on a mismatch")
    _common(p)
    return p


def main(argv: list[str]) -> int:
    """Entry point of `wabei export ...`; returns the exit code."""
    if argv[:1] == ["verify"]:
        args = verify_parser().parse_args(argv[1:])
        return _run("wabei export verify", lambda: _verify(args))
    args = export_parser().parse_args(argv)
    return _run("wabei export", lambda: _export(args))


def _export(args: argparse.Namespace) -> int:
    from warehouse.config import ExportConfig
    from warehouse.exporter import Exporter
    from warehouse.follow import follow

    config = ExportConfig(
        rpc_url=args.rpc_url, db=args.db, abi_dir=args.abi_dir, manifests=args.manifests,
        artifacts=args.artifacts, batch=args.batch, to_block=args.to_block, follow=args.follow,
        ws_url=args.ws_url, poll_seconds=args.poll,
        progress={"auto": None, "always": True, "never": False}[args.progress])
    exporter = Exporter(config)
    try:
        if config.follow:
            follow(exporter, config.ws_url)
        written = exporter.run()
        mark = exporter.store.progress()
        print(f"exported {written} block(s); the database holds blocks 0..{mark[0] if mark else -1}")
    finally:
        exporter.close()
    return ExitCode.OK


def _verify(args: argparse.Namespace) -> int:
    from warehouse.verify import verify

    checked, problems = verify(args.db, args.rpc_url)
    for line in problems:
        print(line)
    if problems:
        print(f"{len(problems)} mismatch(es) in {checked} block(s)", file=sys.stderr)
        return ExitCode.FAILED
    print(f"{checked} block(s) match the chain")
    return ExitCode.OK


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _run(prog: str, command: Callable[[], int]) -> int:
    from warehouse.errors import WarehouseError

    # SIGINT and SIGTERM stop the exporter between database transactions (each block batch commits
    # with its progress mark, so nothing is half written). Set explicitly: a process started in
    # the background by a shell or a test runner inherits SIGINT *ignored*, and Python then never
    # raises KeyboardInterrupt — `kill -INT` and a supervisor's SIGTERM would do nothing.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        return command()
    except WarehouseError as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return ExitCode.FAILED
    except KeyboardInterrupt:
        return ExitCode.INTERRUPTED
