"""`wabei node`: the node's flags, turned into a `NodeConfig` and a running node.

Only the node lives here; the `wabei` command and its other subcommands are the application in
cli/ (cli/main.py), which calls `node_main`. Nothing here imports web3 or an application package.
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import signal
import sys
from pathlib import Path

from chain.config import DEFAULT_MNEMONIC, DEFAULT_TRACE_MAX_BYTES, ETHER, ChainConfig, MiningMode, NodeConfig, ServerConfig
from chain.crypto import prefer_fast_keccak
from chain.exceptions import InvalidParams, StorageError
from chain.malloc import limit_malloc_arenas, start_malloc_trimmer
from chain.rpc.codec import duration
from chain.rpc.cors import parse_origins


def _node_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("node", help="start the devnet (HTTP and WebSocket JSON-RPC on one port)")
    p.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8545, help="port (default 8545; 0 picks a free one)")
    p.add_argument("--chain-id", type=int, default=31337)
    p.add_argument("--accounts", type=int, default=10, help="number of dev accounts")
    p.add_argument("--balance", type=int, default=10_000, help="ether per dev account")
    p.add_argument("--mnemonic", default=DEFAULT_MNEMONIC)
    p.add_argument("--gas-limit", type=int, default=30_000_000, help="block gas limit")
    p.add_argument("--block-time", type=float, default=None, help="interval mining every N seconds")
    p.add_argument("--no-mining", action="store_true", help="mine only on evm_mine / anvil_mine")
    p.add_argument("--allow-empty-blocks", action="store_true",
                   help="interval mode: mine blocks even when there is nothing to include")
    p.add_argument("--timestamp", type=int, default=None, help="genesis timestamp (seconds)")
    p.add_argument("--data-dir", type=Path, default=Path(".wabei"),
                   help="where the chain is stored (default ./.wabei); restarts resume from it")
    p.add_argument("--allow-reset", action="store_true",
                   help="let anvil_reset / hardhat_reset replace the --data-dir chain with a fresh genesis")
    p.add_argument("--in-memory", action="store_true", help="keep the chain in memory only")
    p.add_argument("--dump-state", type=Path, default=None, help="write the chain to FILE on shutdown")
    p.add_argument("--load-state", type=Path, default=None, help="load a chain dumped with --dump-state")
    p.add_argument("--trace-max-bytes", type=int, default=DEFAULT_TRACE_MAX_BYTES,
                   help="bound on one debug_trace* struct-log answer, in bytes of JSON "
                        f"(default {DEFAULT_TRACE_MAX_BYTES}; 0: none)")
    p.add_argument("--quiet", action="store_true", help="print nothing but the listening address")
    p.add_argument("--cors-origins", default="", metavar="LIST",
                   help="browser origins allowed to call the node, comma-separated "
                        "(http://localhost:3000,https://app.example); * allows any page. Default: none")
    p.add_argument("--no-dev-methods", action="store_true",
                   help="do not serve evm_*/anvil_*/hardhat_* (for a devnet reachable by others)")
    p.add_argument("--no-explorer", action="store_true",
                   help="do not serve the block explorer page at /explorer/ (docs/explorer.md)")
    p.add_argument("--no-unlocked-accounts", action="store_true",
                   help="the node signs for no dev account: eth_accounts is empty, eth_sendTransaction "
                        "and eth_sign* refuse them (for a devnet reachable by others)")
    p.add_argument("--no-metrics", action="store_true", help="do not serve Prometheus /metrics")
    p.add_argument("--metrics-addr", type=_metrics_addr, default=None, metavar="HOST:PORT",
                   help="serve /metrics on this address instead of the JSON-RPC port (a bare PORT "
                        "listens on 127.0.0.1), to keep it off a public interface")
    p.add_argument("--flow-log", action="store_true",
                   help="write one JSON line per committed block (its steps and its transactions' "
                        "flow) to stderr (docs/metrics.md)")
    p.add_argument("--governance", type=Path, default=None, metavar="FILE",
                   help="start a governed chain from this JSON file: its committee, admin, deploy "
                        "auth, frozen accounts, system config (docs/governance.md); a new chain only, "
                        "since it changes the genesis")
    p.add_argument("--rpc-gas-cap", type=_gas_cap, default=50_000_000,
                   help="most gas eth_call, eth_estimateGas, eth_createAccessList and debug_traceCall "
                        "run with, given or not (geth's --rpc.gascap; default 50000000, 0 = no cap)")
    p.add_argument("--rpc-evm-timeout", type=_timeout, default=5.0,
                   help="abort a call after this long: a Go duration (5s, 500ms) or seconds "
                        "(geth's --rpc.evmtimeout; default 5s, 0 = none)")


def _gas_cap(text: str) -> int:
    value = int(text, 0)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 (no cap) or a positive amount of gas")
    return value


def _metrics_addr(text: str) -> tuple[str, int]:
    from chain.metrics.routes import parse_metrics_addr

    try:
        return parse_metrics_addr(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _timeout(text: str) -> float:
    """A Go duration ("5s", "1m30s", "250ms") or a number of seconds, as the flag's help says."""
    try:
        seconds = float(text)
    except ValueError:
        try:
            seconds = duration(text, "--rpc-evm-timeout")
        except InvalidParams:
            raise argparse.ArgumentTypeError("expected a duration such as 5s or 500ms") from None
    if seconds < 0:
        raise argparse.ArgumentTypeError("must not be negative")
    return seconds


def node_config(args: argparse.Namespace) -> NodeConfig:
    if args.block_time is not None and args.no_mining:
        raise SystemExit("wabei node: --block-time and --no-mining exclude each other")
    if args.block_time is not None and args.block_time <= 0:
        raise SystemExit("wabei node: --block-time must be positive")
    mode = MiningMode.AUTO
    if args.no_mining:
        mode = MiningMode.MANUAL
    elif args.block_time is not None:
        mode = MiningMode.INTERVAL
    try:
        origins = parse_origins(args.cors_origins)
    except ValueError as exc:
        raise SystemExit(f"wabei node: --cors-origins: {exc}") from None
    if args.no_metrics and args.metrics_addr is not None:
        raise SystemExit("wabei node: --no-metrics and --metrics-addr exclude each other")
    governance = None
    genesis_storage: tuple[tuple[bytes, int, int], ...] = ()
    if args.governance is not None:
        # One file, two readers: the rules (vm_hooks/governance/genesis.py) and the committee's
        # section (chain/governance_file.py, vm_hooks/committee/genesis.py).
        from chain.governance_file import GovernanceFileError as CommitteeFileError
        from chain.governance_file import governance_storage
        from vm_hooks.governance.genesis import GovernanceFileError, load_governance

        try:
            governance = load_governance(args.governance)
            genesis_storage = governance_storage(args.governance)
        except (GovernanceFileError, CommitteeFileError) as exc:
            raise SystemExit(f"wabei node: --governance: {exc}") from None
    server = ServerConfig(host=args.host, port=args.port, quiet=args.quiet, cors_origins=origins,
                          dev_methods=not args.no_dev_methods, explorer=not args.no_explorer,
                          metrics=not args.no_metrics, metrics_addr=args.metrics_addr,
                          flow_log=args.flow_log)
    chain = ChainConfig(
        chain_id=args.chain_id, account_count=args.accounts,
        account_balance_wei=args.balance * ETHER, mnemonic=args.mnemonic, gas_limit=args.gas_limit,
        mining=mode, block_time=args.block_time or 0.0, allow_empty_blocks=args.allow_empty_blocks,
        genesis_timestamp=args.timestamp,
        data_dir=None if args.in_memory else args.data_dir, allow_reset=args.allow_reset,
        dump_state=args.dump_state, load_state=args.load_state,
        trace_max_bytes=args.trace_max_bytes,
        unlocked_accounts=not args.no_unlocked_accounts,
        call_gas_cap=args.rpc_gas_cap, call_timeout_s=args.rpc_evm_timeout,
        governance=governance, genesis_storage=genesis_storage,
    )
    return NodeConfig(server=server, chains=(chain,))


def _run_node(args: argparse.Namespace) -> int:
    prefer_fast_keccak()  # before anything hashes: eth-hash picks its backend on first use
    config = node_config(args)
    from chain.node import serve_forever

    if config.server.flow_log:
        from chain.metrics.flow_log import log_to_stderr

        log_to_stderr()
    # Everything imported so far (py-evm's classes and tables, aiohttp...) lives as long as the
    # process; frozen, the collector stops re-scanning it on every full collection, which cost
    # about 0.2-0.4 ms per automined transaction. Only this process's entry point may do this.
    gc.collect()
    gc.freeze()
    limit_malloc_arenas()  # before the first worker thread (chain/malloc.py says why)
    start_malloc_trimmer()
    loop = asyncio.new_event_loop()
    task = loop.create_task(serve_forever(config))
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, task.cancel)
    try:
        loop.run_until_complete(task)
    except asyncio.CancelledError:
        pass
    except OSError as exc:
        print(f"wabei node: cannot listen on {config.server.host}:{config.server.port}: {exc.strerror}", file=sys.stderr)
        return 1
    except StorageError as exc:
        print(f"wabei node: {exc}", file=sys.stderr)
        return 1
    finally:
        loop.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m chain.cli node [FLAGS]`: start a node. Returns the exit code.

    The node's own entry point, which tests, benchmarks and scripts start nodes with. It
    imports nothing of the applications (deploy, cns, sharing) nor web3, so a node starts
    without paying for them; the `wabei` command (cli/main.py) reaches it through `node_main`.
    """
    parser = argparse.ArgumentParser(prog="wabei", description="Wabei devnet node")
    sub = parser.add_subparsers(dest="command", required=True)
    _node_parser(sub)
    return _run_node(parser.parse_args(argv))


def node_main(argv: list[str]) -> int:
    """`wabei node FLAGS`: the flags after `node`, as cli/main.py's subcommand table passes them."""
    return main(["node", *argv])


if __name__ == "__main__":
    sys.exit(main())
