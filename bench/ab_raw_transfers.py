"""A/B of the automine request path across checkouts: pre-signed raw transfers, checkouts alternating.

    python bench/ab_raw_transfers.py [--rounds 5] [--txs 400] CHECKOUT[::FLAGS] [CHECKOUT[::FLAGS] ...]

Each CHECKOUT is a directory holding a Wabei tree (`git worktree add ../base <commit>`); its node
runs with `python -m chain.cli` from there, so it imports that checkout's code. `::FLAGS` adds
node flags, so one checkout can run against itself: `. .::--no-metrics` is the cost of /metrics
with nobody scraping (docs/metrics.md); `--scrape-every 1` GETs /metrics every second meanwhile
(a Prometheus at a 1 s interval; a variant without /metrics answers 404 and pays nothing). Every round starts
each checkout's in-memory node in turn and sends the same `--txs` signed ETH transfers one after
another over HTTP (eth_sendRawTransaction, automine: a block per transaction before the reply).
Alternating rounds spread a busy machine's noise over all checkouts; compare medians, and the
spread of one checkout's own rounds, before calling a difference real.
"""
from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests
from eth_account import Account

KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"  # dev account 0
TO = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def signed(count: int) -> list[str]:
    acct = Account.from_key(KEY)
    return ["0x" + acct.sign_transaction({
        "chainId": 31337, "nonce": i, "to": TO, "value": 1, "gas": 21000,
        "maxFeePerGas": 10**10, "maxPriorityFeePerGas": 10**9}).raw_transaction.hex()
        for i in range(count)]


def start(variant: str) -> tuple[subprocess.Popen[str], str]:
    checkout, _, flags = variant.partition("::")
    proc = subprocess.Popen([sys.executable, "-m", "chain.cli", "node", "--port", "0", "--quiet",
                             "--in-memory", *flags.split()], cwd=checkout, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    match = re.search(r":(\d+)", proc.stdout.readline())
    if match is None:
        proc.kill()
        raise RuntimeError(f"the node in {checkout} did not print its address")
    return proc, f"http://127.0.0.1:{match.group(1)}"


def rate(url: str, raws: list[str], scrape_every: float = 0.0) -> float:
    session = requests.Session()
    done = threading.Event()
    scraper = threading.Thread(target=_scrape, args=(url + "/metrics", scrape_every, done), daemon=True)
    if scrape_every:
        scraper.start()
    t0 = time.perf_counter()
    try:
        for raw in raws:
            out = session.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_sendRawTransaction",
                                          "params": [raw]}, timeout=60).json()
            if "result" not in out:
                raise RuntimeError(f"transfer refused: {out}")
        return len(raws) / (time.perf_counter() - t0)
    finally:
        done.set()
        if scrape_every:
            scraper.join()


def _scrape(url: str, every: float, done: threading.Event) -> None:
    while not done.wait(every):
        requests.get(url, timeout=10)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkouts", nargs="+", metavar="CHECKOUT[::FLAGS]")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--txs", type=int, default=400)
    ap.add_argument("--scrape-every", type=float, default=0.0, metavar="S",
                    help="GET /metrics every S seconds during each timed run (default: never)")
    args = ap.parse_args()
    raws = signed(args.txs)
    results: dict[str, list[float]] = {c: [] for c in args.checkouts}
    for round_ in range(args.rounds):
        # Alternate the order too, so neither variant always runs first after a quiet spell.
        for checkout in args.checkouts if round_ % 2 == 0 else args.checkouts[::-1]:
            proc, url = start(checkout)
            try:
                time.sleep(0.5)
                results[checkout].append(rate(url, raws, args.scrape_every))
            finally:
                proc.terminate()
                proc.wait()
    for checkout, rates in results.items():
        print(f"{checkout:<40} {' '.join(f'{r:5.0f}' for r in rates)}  median {statistics.median(rates):6.1f} tx/s")


if __name__ == "__main__":
    main()
