"""Wabei's throughput on a large chain (100,000 funded accounts, 10,000 blocks) vs an empty one.

    python bench/run.py --large-state [--runs 3] [--txs 300]

How the large chain is made (once, untimed), through the node's own interfaces:
- the accounts: a state file in `--load-state` format that names 100,000 random addresses with
  1 ETH each and no chain id of ours, so the node loads just its accounts into the head state
  (one atomic batch; the state trie really holds 100,000 more leaves);
- the history: `anvil_mine` 10,000 blocks (empty blocks: each still adds a header, a canonical
  index entry and a head update, and BLOCKHASH's 256 ancestors are real).
Both chains use `--data-dir` (the default mode, SQLite), and every measurement starts the node
afresh on its data dir, so caches are cold in both cases. Each run measures startup, sequential
ETH transfers and sequential ERC-20 transfers (as the main table), empty and large interleaved.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import peers
import workloads as wl

ACCOUNTS = 100_000
BLOCKS = 10_000
MINE_PER_CALL = 1_000


def write_accounts_file(path: Path, count: int) -> None:
    rng = random.Random(3)
    accounts = {"0x" + rng.randbytes(20).hex(): {"nonce": 0, "balance": hex(10**18), "code": "0x",
                                                 "storage": {}} for _ in range(count)}
    # chainId 0 is no chain of ours: the node loads only the accounts, not a database.
    path.write_text(json.dumps({"version": 1, "chainId": 0, "accounts": accounts}))


def build_large_chain(data_dir: Path, work: Path) -> dict[str, float]:
    state_file = work / "accounts.json"
    write_accounts_file(state_file, ACCOUNTS)
    wabei = peers.PEERS["Wabei (disk)"]
    t = time.perf_counter()
    node = peers.start(wabei, data_dir=data_dir, extra_args=("--load-state", str(state_file)))
    load_s = time.perf_counter() - t
    try:
        t = time.perf_counter()
        for _ in range(BLOCKS // MINE_PER_CALL):
            peers.rpc(node.url, "anvil_mine", [hex(MINE_PER_CALL)], timeout=1200)
        mine_s = time.perf_counter() - t
        head = int(str(peers.rpc(node.url, "eth_blockNumber")), 16)
        if head < BLOCKS:
            raise RuntimeError(f"large chain has {head} blocks, wanted {BLOCKS}")
        probe = next(iter(json.loads(state_file.read_text())["accounts"]))
        if int(str(peers.rpc(node.url, "eth_getBalance", [probe, "latest"])), 16) != 10**18:
            raise RuntimeError("the loaded accounts are not in the state")
    finally:
        node.stop()
    size = sum(f.stat().st_size for f in data_dir.rglob("*") if f.is_file())
    return {"load_s": load_s, "mine_s": mine_s, "size_mib": size / 2**20}


def measure(data_dir: Path, n: int, art: wl.Artifact) -> dict[str, float]:
    node = peers.start(peers.PEERS["Wabei (disk)"], data_dir=data_dir)
    try:
        w3 = wl.connect(node.url)
        me = wl.Signer(wl.dev_accounts(1)[0], peers.PEERS["Wabei (disk)"].chain_id)
        nonce = w3.eth.get_transaction_count(me.account.address)
        recipients = wl.fresh_addresses(n)
        eth_txs = me.eth_transfers(nonce, recipients)
        token = wl.token_address(me.account.address, nonce + n)
        deploy_tx = me.token_deploy(nonce + n, art)
        erc_txs = me.token_transfers(token, nonce + n + 1, recipients)
        eth = wl.sequential(w3, eth_txs)
        wl.deploy(w3, deploy_tx)
        erc = wl.sequential(w3, erc_txs)
        call = wl.call_latency_ms(w3, token, recipients[0])
        rss = node.peak_rss_mib()
    finally:
        node.stop()
    return {"startup": node.startup_s, "eth": eth, "erc": erc, "call": call, "peak_rss": rss}


ROWS = [("startup", "Startup to eth_chainId (s)", "{:.2f}"),
        ("eth", "ETH transfers, sequential, automine (tx/s)", "{:.1f}"),
        ("erc", "ERC-20 transfers, sequential, automine (tx/s)", "{:.1f}"),
        ("call", "eth_call balanceOf, median (ms)", "{:.2f}"),
        ("peak_rss", "Peak RSS (MiB)", "{:.0f}")]


def run_large_state(runs: int, n: int) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    """Medians of `runs` interleaved runs, {"empty": {...}, "large": {...}}, and the build figures."""
    art = wl.token_artifact()
    with tempfile.TemporaryDirectory(prefix="wabei-large-", dir=peers.ROOT) as tmp:
        work = Path(tmp)
        large = work / "large"
        print(f"building {ACCOUNTS} accounts + {BLOCKS} blocks ...", file=sys.stderr, flush=True)
        built = build_large_chain(large, work)
        print(f"    {built}", file=sys.stderr, flush=True)
        runs_by: dict[str, list[dict[str, float]]] = {"empty": [], "large": []}
        for i in range(runs):
            for label in runs_by:
                empty = work / f"empty-{i}"
                result = measure(large if label == "large" else empty, n, art)
                shutil.rmtree(empty, ignore_errors=True)
                runs_by[label].append(result)
                print(f"[run {i + 1}/{runs}] {label}: {result}", file=sys.stderr, flush=True)
    med = {label: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for label, rs in runs_by.items()}
    return med, built


def report(med: dict[str, dict[str, float]], built: dict[str, float], runs: int, n: int) -> None:
    print(f"| Wabei --data-dir, median of {runs} runs, {n} txs | empty chain | "
          f"{ACCOUNTS:,} accounts + {BLOCKS:,} blocks | large / empty |")
    print("|---|---:|---:|---:|")
    for key, label, fmt in ROWS:
        e, g = med["empty"][key], med["large"][key]
        print(f"| {label} | {fmt.format(e)} | {fmt.format(g)} | {g / e:.2f}x |")
    print(f"\nBuilding the large chain: --load-state of {ACCOUNTS:,} accounts {built['load_s']:.1f} s "
          f"(start-up included), anvil_mine {BLOCKS:,} blocks {built['mine_s']:.1f} s, "
          f"data dir {built['size_mib']:.1f} MiB. Load average: "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()))


def main(args: argparse.Namespace) -> int:
    med, built = run_large_state(args.runs, args.txs)
    report(med, built, args.runs, args.txs)
    erc_ratio = med["large"]["erc"] / med["empty"]["erc"]
    print(f"Target (issue 16) large-state ERC-20 throughput within 10% of empty: "
          f"{'holds' if erc_ratio >= 0.9 else 'MISSES'} ({erc_ratio:.2f}x)")
    return 0


if __name__ == "__main__":
    # Build only, for bench/profile_node.py --from-dir: python bench/large_state.py DATA_DIR
    target = Path(sys.argv[1])
    target.parent.mkdir(parents=True, exist_ok=True)
    print(build_large_chain(target, target.parent))
