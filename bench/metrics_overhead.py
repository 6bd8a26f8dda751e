"""What the metrics and flow records cost per block and per request, timed in process.

    python bench/metrics_overhead.py [--blocks 300]

Mines `--blocks` one-transfer blocks on an in-memory chain (no event loop, so every topic
listener runs inline and is timed with the block), then times, one by one, the pieces that run
per block and per request: the flow record of a block, the metrics' block observations, and
the request observer. Complements the over-the-wire A/B (bench/ab_raw_transfers.py `. .::--no-metrics`),
whose figures a busy machine blurs: these are CPU microseconds, the same under load to within
the machine's slowdown.
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from eth_account import Account  # noqa: E402

from prometheus_client import generate_latest  # noqa: E402

from chain.api.blocks import MinedBlock  # noqa: E402
from chain.api.chain import build_chain  # noqa: E402
from chain.api.flow import BlockFlow, FlowRecorder  # noqa: E402
from chain.config import ChainConfig, ServerConfig  # noqa: E402
from chain.metrics.node_metrics import NodeMetrics  # noqa: E402
from chain.node import dispatcher  # noqa: E402

KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
TO = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def mine(blocks: int, with_metrics: bool) -> tuple[float, list[BlockFlow], list[MinedBlock]]:
    """CPU seconds per block of automining `blocks` transfers; the flows and blocks seen."""
    chain = build_chain(ChainConfig())
    metrics = None
    if with_metrics:
        metrics = NodeMetrics()
        metrics.follow_chain(chain, dispatcher(chain, ServerConfig()))
    flows: list[BlockFlow] = []
    mined: list[MinedBlock] = []
    chain.events.block_flows.subscribe(flows.append)
    chain.events.new_blocks.subscribe(mined.append)
    acct = Account.from_key(KEY)
    raws = [bytes(acct.sign_transaction({"chainId": 31337, "nonce": i, "to": TO, "value": 1, "gas": 21000,
                                         "maxFeePerGas": 10**10, "maxPriorityFeePerGas": 10**9}).raw_transaction)
            for i in range(blocks)]

    async def run() -> float:
        t0 = time.process_time()
        for raw in raws:
            await chain.transactions.send_raw_transaction(raw)
        return (time.process_time() - t0) / blocks

    # asyncio.run gives the topics a running loop; their listeners then run with call_soon,
    # inside the timed loop all the same (each `await` that completes lets them run).
    per_block = asyncio.run(run())
    chain.close()
    return per_block, flows, mined


def micro(fn: Callable[[], object], repeat: int = 2000) -> float:
    """Median microseconds of one call."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--blocks", type=int, default=300)
    args = ap.parse_args()
    mine(20, True)  # warm-up: imports, caches, the first blocks' allocations
    off, _, _ = mine(args.blocks, False)
    on, flows, mined = mine(args.blocks, True)
    off2, _, _ = mine(args.blocks, False)
    print(f"CPU per automined transfer block: metrics off {off * 1e3:.3f} ms, on {on * 1e3:.3f} ms, "
          f"off again {off2 * 1e3:.3f} ms")

    chain = build_chain(ChainConfig())
    metrics = NodeMetrics()
    rpc = dispatcher(chain, ServerConfig())
    metrics.follow_chain(chain, rpc)
    observe = rpc.observer
    assert observe is not None
    on_block = chain.events.block_flows._listeners[0][0]  # the metrics' block listener
    recorder = FlowRecorder()
    print(f"flow record of a block (1 tx, always on):  {micro(lambda: recorder.block_committed(mined[-1])):.1f} us")
    print(f"metrics: one block's observations (1 tx):  {micro(lambda: on_block(flows[-1])):.1f} us")
    print(f"metrics: one request's observation:        {micro(lambda: observe('eth_getBalance', 0, 0.001)):.1f} us")
    print(f"a scrape (generate_latest, 1 chain):       {micro(lambda: generate_latest(metrics.registry), 200):.0f} us")
    chain.close()


if __name__ == "__main__":
    main()
