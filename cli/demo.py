"""`wabei demo STORY`: watch a Wabei story happen on a running node. One story so far,
`sharing-economy` (sharing/demo.py tells it)."""
from __future__ import annotations

import argparse

from cli.common import DEFAULT_RPC_URL, add_rpc_url, connect, run
from sharing.demo import run_demo


def main(argv: list[str]) -> int:
    """Entry point of `wabei demo ...` (the arguments after `demo`); returns the exit code."""
    parser = argparse.ArgumentParser(prog="wabei demo", description="watch a Wabei story happen on a running node")
    stories = parser.add_subparsers(dest="story", required=True)
    p = stories.add_parser("sharing-economy", help="issue 5's story: presale, escrow, buyback, profit split, welfare")
    add_rpc_url(p, f"the node (default {DEFAULT_RPC_URL})")
    args = parser.parse_args(argv)
    return run("wabei demo", lambda: _sharing_economy(args.rpc_url))


def _sharing_economy(rpc_url: str) -> int:
    run_demo(connect(rpc_url, suggest_node=True))
    return 0
