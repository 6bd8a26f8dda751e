"""Pipelined ERC-20 transfers on a data dir holding 10,000 blocks of earlier traffic, vs in memory.

    python bench/run.py --all            # part of the whole targets run
    python bench/long_chain.py [--runs 3] [--txs 300]

Issue 16 asks the default mode (a `--data-dir` node) to stay within 15% of an in-memory node
"on a chain of 10,000 blocks": the bench's main table starts every data dir empty, where the
database is small and its indexes shallow. The long chain is made once, untimed, through the
node's own interface: 10,000 ERC-20 transfers to fresh addresses, automined one per block, so
the state, the block index and the receipts are those of real traffic (not empty blocks). Each
run then starts a node afresh on a copy of that data dir (caches cold, as after a restart) and
an in-memory node, interleaved, and sends each the same workload: deploy a token, then `--txs`
transfers back to back, only the last receipt awaited (workloads.pipelined).
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import peers
import targets
import workloads as wl

BLOCKS = 10_000
IN_MEMORY = targets.LONG_CHAIN_MEMORY
LONG = targets.LONG_CHAIN


def build_long_chain(data_dir: Path, art: wl.Artifact, blocks: int = BLOCKS) -> dict[str, float]:
    """`blocks` - 1 ERC-20 transfers after a token deploy, one per automined block."""
    disk = peers.PEERS["Wabei (disk)"]
    me = wl.Signer(wl.dev_accounts(1)[0], disk.chain_id)
    node = peers.start(disk, data_dir=data_dir)
    try:
        w3 = wl.connect(node.url)
        token = wl.deploy(w3, me.token_deploy(0, art))
        t = time.perf_counter()
        wl.pipelined(w3, me.token_transfers(token, 1, wl.fresh_addresses(blocks - 1)))
        seconds = time.perf_counter() - t
        head = w3.eth.block_number
        if head < blocks:
            raise RuntimeError(f"the long chain has {head} blocks, wanted {blocks}")
    finally:
        node.stop()
    size = sum(f.stat().st_size for f in data_dir.rglob("*") if f.is_file())
    return {"build_s": seconds, "size_mib": size / 2**20}


def pipelined_once(data_dir: Path | None, n: int, art: wl.Artifact) -> float:
    """tx/s of `n` pipelined transfers of a token deployed first, on a node started afresh."""
    peer = peers.PEERS["Wabei (disk)" if data_dir else "Wabei"]
    node = peers.start(peer, data_dir=data_dir)
    try:
        w3 = wl.connect(node.url)
        me = wl.Signer(wl.dev_accounts(1)[0], peer.chain_id)
        nonce = w3.eth.get_transaction_count(me.account.address)
        token = wl.deploy(w3, me.token_deploy(nonce, art))
        return wl.pipelined(w3, me.token_transfers(token, nonce + 1, wl.fresh_addresses(n)))
    finally:
        node.stop()


def measure(runs: int, n: int) -> dict[str, dict[str, float]]:
    """Medians of `runs` interleaved runs: {IN_MEMORY: {"erc_pipe": ...}, LONG: {"erc_pipe": ...,
    "build_s": ..., "size_mib": ...}} (the long chain also carries how it was built)."""
    art = wl.token_artifact()
    with tempfile.TemporaryDirectory(prefix="wabei-long-", dir=peers.ROOT) as tmp:
        work = Path(tmp)
        print(f"building a data dir of {BLOCKS:,} blocks of ERC-20 transfers ...", file=sys.stderr, flush=True)
        built = build_long_chain(work / "long", art)
        print(f"    {built}", file=sys.stderr, flush=True)
        rates: dict[str, list[float]] = {IN_MEMORY: [], LONG: []}
        for i in range(runs):
            rates[IN_MEMORY].append(pipelined_once(None, n, art))
            copy = work / f"copy-{i}"
            shutil.copytree(work / "long", copy)
            rates[LONG].append(pipelined_once(copy, n, art))
            shutil.rmtree(copy, ignore_errors=True)
            print(f"[run {i + 1}/{runs}] in memory {rates[IN_MEMORY][-1]:.1f}, "
                  f"long data dir {rates[LONG][-1]:.1f} tx/s", file=sys.stderr, flush=True)
    return {IN_MEMORY: {"erc_pipe": statistics.median(rates[IN_MEMORY])},
            LONG: {"erc_pipe": statistics.median(rates[LONG]), **built}}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--txs", type=int, default=300)
    args = ap.parse_args()
    med = measure(args.runs, args.txs)
    mem, long = med[IN_MEMORY]["erc_pipe"], med[LONG]["erc_pipe"]
    print(f"pipelined ERC-20, median of {args.runs}: in memory {mem:.1f} tx/s, data dir of {BLOCKS:,} "
          f"blocks ({med[LONG]['size_mib']:.1f} MiB) {long:.1f} tx/s ({long / mem:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
