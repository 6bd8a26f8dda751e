"""Heavy reads against a busy node: how long each takes, and what it costs everyone else.

    python bench/heavy_reads.py [--blocks 20000] [--log-txs 300] [--in-memory]

One Wabei node (a fresh `--data-dir` unless `--in-memory`) gets `--log-txs` transactions that each
emit a log, and `--blocks` empty blocks. Then, one at a time, each heavy request of issue 11 runs
on one connection while another connection sends eth_blockNumber every 20 ms. Printed per heavy
request: its time and answer (or error), and the p50/p99/max of eth_blockNumber meanwhile.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import peers

# Runtime 4360006000a100: LOG1 with the block number as its topic, no data.
LOG_INITCODE = "0x664360006000a1006000526007601" "9f3"
A0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"


def post(url: str, body: Any, timeout: float = 120) -> tuple[Any, float]:
    req = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    t0 = time.perf_counter()
    with urllib.request.urlopen(req, timeout=timeout) as r:
        raw = r.read()
    return json.loads(raw), time.perf_counter() - t0


def call(url: str, method: str, params: list[Any], timeout: float = 120) -> tuple[Any, float]:
    return post(url, {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}, timeout)


def prepare(url: str, log_txs: int, blocks: int) -> str:
    reply, _ = call(url, "eth_sendTransaction", [{"from": A0, "data": LOG_INITCODE}])
    receipt, _ = call(url, "eth_getTransactionReceipt", [reply["result"]])
    emitter = receipt["result"]["contractAddress"]
    for _ in range(log_txs):
        call(url, "eth_sendTransaction", [{"from": A0, "to": emitter}])
    call(url, "anvil_mine", [hex(blocks)])
    return str(emitter)


def heavy_requests(emitter: str) -> dict[str, tuple[str, list[Any]]]:
    rng = random.Random(11)

    def words(n: int) -> list[str]:
        return [f"0x{rng.getrandbits(256):064x}" for _ in range(n)]

    def addresses(n: int) -> list[str]:
        return [f"0x{rng.getrandbits(160):040x}" for _ in range(n - 1)] + [emitter]

    return {
        "getLogs 4 x 2,000 topics": ("eth_getLogs", [{"fromBlock": "0x0", "toBlock": "latest",
                                                       "topics": [words(2000) for _ in range(4)]}]),
        "getLogs 4 x 1,000 topics": ("eth_getLogs", [{"fromBlock": "0x0", "toBlock": "latest",
                                                       "topics": [words(1000) for _ in range(4)]}]),
        "getLogs 5,000 addresses": ("eth_getLogs", [{"fromBlock": "0x0", "toBlock": "latest",
                                                      "address": addresses(5000)}]),
        "getLogs 1,000 addresses": ("eth_getLogs", [{"fromBlock": "0x0", "toBlock": "latest",
                                                      "address": addresses(1000)}]),
        "getLogs whole chain": ("eth_getLogs", [{"fromBlock": "0x0", "toBlock": "latest"}]),
        "anvil_dumpState": ("anvil_dumpState", []),
    }


def measure(url: str, method: str, params: list[Any]) -> tuple[float, str, list[float]]:
    """Run one heavy request; sample eth_blockNumber on another connection meanwhile."""
    done = threading.Event()
    samples: list[float] = []

    def sampler() -> None:
        while not done.is_set():
            _, took = call(url, "eth_blockNumber", [], timeout=30)
            samples.append(took)
            time.sleep(0.02)

    t = threading.Thread(target=sampler)
    t.start()
    time.sleep(0.1)
    try:
        reply, took = call(url, method, params)
    finally:
        done.set()
        t.join()
    if "error" in reply:
        outcome = f"error {reply['error']['code']}: {reply['error']['message'][:70]}"
    elif isinstance(reply["result"], list):
        outcome = f"{len(reply['result'])} results"
    else:
        outcome = f"{len(str(reply['result']))} chars"
    return took, outcome, samples


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--blocks", type=int, default=20_000)
    ap.add_argument("--log-txs", type=int, default=300)
    ap.add_argument("--in-memory", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="wabei-heavy-") as tmp:
        peer = peers.PEERS["Wabei" if args.in_memory else "Wabei (disk)"]
        running = peers.start(peer, data_dir=None if args.in_memory else Path(tmp) / "data")
        try:
            emitter = prepare(running.url, args.log_txs, args.blocks)
            print(f"{'request':<28}{'took s':>8}  {'blockNumber p50/p99/max ms':<28}answer")
            for name, (method, params) in heavy_requests(emitter).items():
                took, outcome, samples = measure(running.url, method, params)
                lat = sorted(samples)
                p99 = lat[min(len(lat) - 1, int(0.99 * len(lat)))]
                stats = f"{statistics.median(lat) * 1e3:.0f}/{p99 * 1e3:.0f}/{lat[-1] * 1e3:.0f} ({len(lat)})"
                print(f"{name:<28}{took:>8.2f}  {stats:<28}{outcome}", flush=True)
            print(f"node RSS {running.rss_mib():.0f} MiB, peak {running.peak_rss_mib():.0f} MiB")
        finally:
            running.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
