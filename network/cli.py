"""`wabei node`: a devnet (chain/cli.py), or with `--network DIR --node NAME` one node of a
network, configured by `DIR/NAME/wabei.toml` (network/config.py)."""
from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from chain.crypto import prefer_fast_keccak
from chain.exceptions import StorageError

from network.layout import LayoutError

if TYPE_CHECKING:
    from network.abci.peer_filter import PeerFilter
    from network.config import NetworkNodeConfig


def node_main(argv: list[str]) -> int:
    """`wabei node FLAGS`: the flags after `node`. Without `--network` it is the devnet's."""
    if not any(a == "--network" or a.startswith("--network=") for a in argv):
        from chain.cli import node_main as devnet_main

        return devnet_main(argv)
    parser = argparse.ArgumentParser(prog="wabei node", description="run one node of a Wabei network")
    parser.add_argument("--network", type=Path, required=True, help="the network's folder (wabei network init)")
    parser.add_argument("--node", required=True, help="the node's name: its folder under --network")
    parser.add_argument("--log-level", default="INFO", help="Python logging level (default INFO)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return run(args.network, args.node)


def run(network_dir: Path, name: str) -> int:
    """Start the node and serve until SIGINT/SIGTERM or until its CometBFT exits."""
    from network.config import NetworkConfigError, load
    from chain.malloc import limit_malloc_arenas, start_malloc_trimmer
    from network.node import CometExited, NoTrustList, serve_forever

    prefer_fast_keccak()
    try:
        config = load(network_dir, name)
    except NetworkConfigError as exc:
        print(f"wabei node: {exc}", file=sys.stderr)
        return 2
    try:
        peer_filter = _peer_filter(network_dir, config)
    except LayoutError as exc:
        print(f"wabei node: {exc}", file=sys.stderr)
        return 2
    gc.collect()
    gc.freeze()  # as chain/cli.py: long-lived objects are not re-scanned on every collection
    limit_malloc_arenas()  # as chain/cli.py (chain/malloc.py says why)
    start_malloc_trimmer()
    loop = asyncio.new_event_loop()
    task = loop.create_task(serve_forever(config, peer_filter))
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, task.cancel)
    try:
        loop.run_until_complete(task)
    except asyncio.CancelledError:
        pass
    except (CometExited, NoTrustList) as exc:
        print(f"wabei node: {exc}", file=sys.stderr)
        return 1
    except (OSError, StorageError) as exc:
        print(f"wabei node: {exc}", file=sys.stderr)
        return 1
    finally:
        loop.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m network.cli --network DIR --node NAME`."""
    return node_main(sys.argv[1:] if argv is None else argv)


def _peer_filter(network_dir: Path, config: "NetworkNodeConfig") -> "PeerFilter | None":
    """Certificate-based admission for a network `wabei network init` made (its wabei.json has a
    trust section); None (every peer) for a bare CometBFT testnet without certificates, which
    the tests build with `cometbft testnet`.

    When the genesis seeds the trust list on chain (every network init makes now), the chain is
    admission's only source: the filter starts empty and the node fills it from its head state
    before CometBFT can ask (network/node.py), so no file outside the node's own folder and
    genesis is read. A host given only its own folder (docs/network.md, "Running across several
    hosts"), or a new organisation's node whose certificate no `certs/` copy holds, starts the
    same. Only an older network directory, whose genesis has no trust list, reads `trust/` and
    `certs/`."""
    from network.admission import CertificatePeerFilter, TrustStore
    from network.layout import NODE_CONFIG, read_json
    from network.trust import peer_filter_for

    path = network_dir / config.name / NODE_CONFIG
    if not path.is_file() or "trust" not in read_json(path):
        return None
    if config.chain.genesis_storage:
        return CertificatePeerFilter(TrustStore(authorities=()))
    return peer_filter_for(network_dir, config.name)

if __name__ == "__main__":
    sys.exit(main())

