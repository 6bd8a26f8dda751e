"""Empty blocks in bulk: `hardhat_mine` of many blocks on each peer, and how the node answers meanwhile.

    python bench/bulk_mine.py [--blocks 100000] [--peers Wabei,"Wabei (disk)",Hardhat]

For each peer: one `hardhat_mine [blocks, 1]` call, timed (blocks per second), while a second
client asks `eth_blockNumber` in a loop on its own connection (its p50/p99/max latency). Then a
block from the middle of the run is read back, so a peer that defers work until a block is asked
for pays it in the "first read" column. Target (issue 11): >= 10,000 blocks/s.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path

import peers


def measure(peer: peers.Peer, blocks: int, tmp: Path) -> dict[str, float]:
    data_dir = tmp / peer.name.replace(" ", "_") if "disk" in peer.name else None
    running = peers.start(peer, data_dir=data_dir)
    try:
        waits: list[float] = []
        done = threading.Event()

        def poll() -> None:
            while not done.is_set():
                t0 = time.perf_counter()
                peers.rpc(running.url, "eth_blockNumber")
                waits.append(time.perf_counter() - t0)

        poller = threading.Thread(target=poll, daemon=True)
        start = int(str(peers.rpc(running.url, "eth_blockNumber")), 16)
        poller.start()
        t0 = time.perf_counter()
        peers.rpc(running.url, "hardhat_mine", [hex(blocks), "0x1"], timeout=3600)
        elapsed = time.perf_counter() - t0
        done.set()
        poller.join()
        t1 = time.perf_counter()
        middle = peers.rpc(running.url, "eth_getBlockByNumber", [hex(start + blocks // 2), False])
        first_read = time.perf_counter() - t1
        assert isinstance(middle, dict) and int(middle["number"], 16) == start + blocks // 2
        ordered = sorted(waits) or [0.0]
        return {"rate": blocks / elapsed, "seconds": elapsed, "first_read_ms": first_read * 1e3,
                "p50_ms": statistics.median(ordered) * 1e3,
                "p99_ms": ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1e3,
                "max_ms": ordered[-1] * 1e3}
    finally:
        running.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--blocks", type=int, default=100_000)
    ap.add_argument("--peers", default="Wabei,Wabei (disk),Hardhat")
    args = ap.parse_args()
    print(f"hardhat_mine of {args.blocks:,} empty blocks; eth_blockNumber polled meanwhile")
    print(f"{'peer':<18}{'blocks/s':>10}{'seconds':>9}{'1st read ms':>13}"
          f"{'p50 ms':>8}{'p99 ms':>8}{'max ms':>8}")
    with tempfile.TemporaryDirectory(prefix="wabei-bulk-") as tmp:
        for name in args.peers.split(","):
            r = measure(peers.PEERS[name], args.blocks, Path(tmp))
            print(f"{name:<18}{r['rate']:>10,.0f}{r['seconds']:>9.2f}{r['first_read_ms']:>13.1f}"
                  f"{r['p50_ms']:>8.1f}{r['p99_ms']:>8.1f}{r['max_ms']:>8.1f}", flush=True)


if __name__ == "__main__":
    main()
