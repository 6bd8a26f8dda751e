"""A bounded soak: valid clients keep their latency and the node its memory while hostile ones push.

    python bench/soak.py [--minutes 10] [--valid 8] [--hostile 2] [--in-memory]

One Wabei node on loopback (a fresh `--data-dir` unless `--in-memory`). Valid clients loop over
ordinary dapp traffic (reads, calls, transfers from their own unlocked dev account, receipts,
small log queries) with a short pause between requests; hostile clients cycle through what a
robustness run found costly: a long call on a contract that loops forever, oversized batches,
log queries with thousands of topics, filters and WebSocket subscriptions that are never removed
or read, and state dumps. Hostile answers are not judged — only that they do not hurt the others.

Reported: the valid clients' latency per method (p50, p99, max) and their errors, and the node's
RSS sampled every few seconds; the warm-up minute is the baseline for "flat". Targets (issue 11):
p99 < 250 ms, RSS flat within 10%, 0 errors for valid clients. Exit status 1 if one is missed.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import aiohttp

import peers

LOOP_INITCODE = "0x635b6000566000526004601cf3"  # deploys runtime `5b600056`: JUMPDEST PUSH1 0 JUMP
ACCOUNTS = [  # the `test test ... junk` dev accounts the node unlocks
    "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
    "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65", "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
    "0x976EA74026E726554dB657fA54763abd0C3a0aa9", "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955",
    "0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f", "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720",
]
P99_TARGET_S = 0.250
RSS_FLAT = 0.10
SAMPLE_EVERY_S = 5.0


class Rpc:
    """JSON-RPC over one aiohttp session; `call` returns (reply, seconds)."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self.session = session
        self.url = url
        self._id = 0

    async def call(self, method: str, params: list[object], timeout: float = 30) -> tuple[dict, float]:
        self._id += 1
        body = {"jsonrpc": "2.0", "id": self._id, "method": method, "params": params}
        t0 = time.perf_counter()
        async with self.session.post(self.url, json=body,
                                     timeout=aiohttp.ClientTimeout(total=timeout)) as r:
            reply = await r.json(content_type=None)
        return reply, time.perf_counter() - t0


class Stats:
    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []

    def record(self, method: str, seconds: float) -> None:
        self.latency[method].append(seconds)


async def valid_client(rpc: Rpc, me: str, stop_at: float, stats: Stats) -> None:
    """Ordinary traffic from one dev account, a request every ~20 ms."""
    rng = random.Random(me)
    last_tx: str | None = None
    while time.monotonic() < stop_at:
        kind = rng.choice(["blockNumber", "balance", "call", "block", "send", "receipt", "logs"])
        if kind == "blockNumber":
            method, params = "eth_blockNumber", []
        elif kind == "balance":
            method, params = "eth_getBalance", [rng.choice(ACCOUNTS), "latest"]
        elif kind == "call":
            method, params = "eth_call", [{"from": me, "to": rng.choice(ACCOUNTS), "data": "0x"}, "latest"]
        elif kind == "block":
            method, params = "eth_getBlockByNumber", ["latest", False]
        elif kind == "send":
            method, params = "eth_sendTransaction", [{"from": me, "to": rng.choice(ACCOUNTS), "value": "0x1"}]
        elif kind == "receipt" and last_tx is not None:
            method, params = "eth_getTransactionReceipt", [last_tx]
        else:
            method, params = "eth_getLogs", [{"fromBlock": "latest", "toBlock": "latest"}]
        try:
            reply, seconds = await rpc.call(method, params)
        except Exception as exc:  # a timeout or a dropped connection is an error of the node
            stats.errors.append(f"{method}: {type(exc).__name__}: {exc}")
            continue
        if "error" in reply:
            stats.errors.append(f"{method}: {reply['error']}")
        else:
            stats.record(method, seconds)
            if method == "eth_sendTransaction":
                last_tx = reply["result"]
        await asyncio.sleep(0.02)


HOSTILE_KINDS = ("loop", "loop_gas", "batch", "topics", "filters", "subscribe", "dump")


async def hostile_client(rpc: Rpc, ws_url: str, loop_address: str, stop_at: float, seed: int,
                         kinds: tuple[str, ...] = HOSTILE_KINDS) -> None:
    """Costly requests, one after another; their answers are ignored."""
    rng = random.Random(seed)
    sockets: list[aiohttp.ClientWebSocketResponse] = []
    topics = [[f"0x{rng.getrandbits(256):064x}" for _ in range(2000)] for _ in range(4)]
    while time.monotonic() < stop_at:
        kind = rng.choice(kinds)
        try:
            if kind == "loop":
                await rpc.call("eth_call", [{"to": loop_address}, "latest"], timeout=60)
            elif kind == "loop_gas":
                await rpc.call("eth_estimateGas", [{"to": loop_address, "gas": "0xffffffffffffffff"}],
                               timeout=60)
            elif kind == "batch":
                batch = [{"jsonrpc": "2.0", "id": i, "method": "eth_getBlockByNumber",
                          "params": ["latest", True]} for i in range(5000)]
                async with rpc.session.post(rpc.url, json=batch) as r:
                    await r.read()
            elif kind == "topics":
                await rpc.call("eth_getLogs", [{"fromBlock": "0x0", "toBlock": "latest", "topics": topics}])
            elif kind == "filters":
                for _ in range(50):
                    await rpc.call("eth_newFilter", [{"fromBlock": "latest"}])
                    await rpc.call("eth_newBlockFilter", [])
            elif kind == "subscribe":
                ws = await rpc.session.ws_connect(ws_url)
                for i in range(100):
                    await ws.send_str(json.dumps({"jsonrpc": "2.0", "id": i, "method": "eth_subscribe",
                                                  "params": ["newHeads"]}))
                sockets.append(ws)  # never read: the node must not buffer for it without bound
                if len(sockets) > 20:
                    await sockets.pop(0).close()
            else:
                await rpc.call("anvil_dumpState", [], timeout=60)
        except Exception:
            pass  # a refused or dropped hostile request is the node defending itself
    for ws in sockets:
        await ws.close()


async def sample_rss(running: peers.Running, stop_at: float, out: list[tuple[float, float]]) -> None:
    t0 = time.monotonic()
    while time.monotonic() < stop_at:
        out.append((time.monotonic() - t0, running.rss_mib()))
        await asyncio.sleep(SAMPLE_EVERY_S)


async def soak(url: str, running: peers.Running, args: argparse.Namespace) -> tuple[Stats, list]:
    ws_url = url.replace("http://", "ws://")
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        setup = Rpc(session, url)
        reply, _ = await setup.call("eth_sendTransaction", [{"from": ACCOUNTS[0], "data": LOOP_INITCODE}])
        receipt, _ = await setup.call("eth_getTransactionReceipt", [reply["result"]])
        loop_address = receipt["result"]["contractAddress"]
        stop_at = time.monotonic() + args.minutes * 60
        stats, rss = Stats(), []
        tasks = [sample_rss(running, stop_at, rss)]
        tasks += [valid_client(Rpc(session, url), ACCOUNTS[1 + i % 9], stop_at, stats)
                  for i in range(args.valid)]
        kinds = tuple(getattr(args, "hostile_kinds", None) or HOSTILE_KINDS)
        tasks += [hostile_client(Rpc(session, url), ws_url, loop_address, stop_at, i, kinds)
                  for i in range(args.hostile)]
        await asyncio.gather(*tasks)
    return stats, rss


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(stats: Stats, rss: list[tuple[float, float]], minutes: float) -> bool:
    everything = [s for v in stats.latency.values() for s in v]
    print(f"{'method':<28}{'count':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for method, values in sorted(stats.latency.items()):
        print(f"{method:<28}{len(values):>8}{statistics.median(values) * 1e3:>9.1f}"
              f"{percentile(values, 0.99) * 1e3:>9.1f}{max(values) * 1e3:>9.1f}")
    p99 = percentile(everything, 0.99) if everything else float("inf")
    print(f"{'all valid requests':<28}{len(everything):>8}{'':>9}{p99 * 1e3:>9.1f}")
    print(f"valid-client errors: {len(stats.errors)}")
    for e in stats.errors[:10]:
        print("   ", e)
    warm = [m for t, m in rss if 60 <= t < 120] or [m for _, m in rss[:3]]
    last = [m for t, m in rss if t >= minutes * 60 - 60] or [m for _, m in rss[-3:]]
    base, end = statistics.mean(warm), statistics.mean(last)
    growth = end / base - 1
    print(f"RSS MiB: start {rss[0][1]:.0f}, warm-up minute {base:.0f}, last minute {end:.0f}, "
          f"peak {max(m for _, m in rss):.0f} ({growth:+.1%})")
    by_minute = [statistics.mean(ms) for k in range(int(minutes) + 1)
                 if (ms := [m for t, m in rss if k * 60 <= t < (k + 1) * 60])]
    print("RSS MiB by minute:", " ".join(f"{m:.0f}" for m in by_minute))
    ok = p99 < P99_TARGET_S and growth <= RSS_FLAT and not stats.errors
    print("targets:", "met" if ok else "MISSED",
          f"(p99 < {P99_TARGET_S * 1e3:.0f} ms, RSS within {RSS_FLAT:.0%}, 0 valid errors)")
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--valid", type=int, default=8)
    ap.add_argument("--hostile", type=int, default=2)
    ap.add_argument("--in-memory", action="store_true")
    ap.add_argument("--hostile-kinds", type=lambda v: tuple(v.split(",")), default=HOSTILE_KINDS,
                    help=f"comma-separated subset of {','.join(HOSTILE_KINDS)} (to find what costs)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="wabei-soak-") as tmp:
        peer = peers.PEERS["Wabei" if args.in_memory else "Wabei (disk)"]
        running = peers.start(peer, data_dir=None if args.in_memory else Path(tmp) / "data")
        try:
            stats, rss = asyncio.run(soak(running.url, running, args))
        finally:
            running.stop()
    return 0 if report(stats, rss, args.minutes) else 1


if __name__ == "__main__":
    sys.exit(main())
