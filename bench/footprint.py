"""Wabei's disk and memory footprint: bytes on disk per ERC-20 transfer, RSS after 100,000 txs.

    python bench/run.py --footprint [--txs 1000] [--total 100000]

1. Automine (a block per transfer, the devnet default): a fresh `--data-dir`, the token deployed,
   the node stopped cleanly (SQLite checkpoints its WAL into the main file) and the directory
   measured; then `--txs` sequential transfers, a clean stop, and the directory measured again.
2. Full blocks: a fresh `--data-dir` with `--no-mining`; `--total` pre-signed ERC-20 transfers to
   new addresses go in as JSON-RPC batches of BLOCK (250) eth_sendRawTransaction calls, then one
   `evm_mine` per batch puts the whole batch in one block. RSS (VmRSS) is read every 10,000
   transfers, and the directory is measured after a clean stop.
Every transfer moves tokens to a never-used address, so each one adds a storage slot (the
costly case for state growth).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import peers
import workloads as wl

# Transfers per block in the full-blocks part: ~12.9M gas, under the 15M EIP-1559 target, so the
# base fee falls instead of growing 12.5% a block past the transactions' 10 gwei fee cap.
BLOCK = 250
WABEI = peers.PEERS["Wabei (disk)"]


def dir_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _post(url: str, body: object, timeout: float = 600) -> object:
    req = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read())


def automine_bytes(data_dir: Path, n: int, art: wl.Artifact) -> dict[str, float]:
    me = wl.Signer(wl.dev_accounts(1)[0], WABEI.chain_id)
    token = wl.token_address(me.account.address, 0)
    node = peers.start(WABEI, data_dir=data_dir)
    try:
        wl.deploy(wl.connect(node.url), me.token_deploy(0, art))
    finally:
        node.stop()
    before = dir_bytes(data_dir)
    txs = me.token_transfers(token, 1, wl.fresh_addresses(n))
    node = peers.start(WABEI, data_dir=data_dir)
    try:
        tps = wl.sequential(wl.connect(node.url), txs)
        running = dir_bytes(data_dir)
    finally:
        node.stop()
    after = dir_bytes(data_dir)
    return {"per_tx": (after - before) / n, "per_tx_running": (running - before) / n, "tps": tps,
            "before_mib": before / 2**20, "after_mib": after / 2**20}


def full_blocks(data_dir: Path, total: int, art: wl.Artifact) -> dict[str, object]:
    me = wl.Signer(wl.dev_accounts(1)[0], WABEI.chain_id)
    token = wl.token_address(me.account.address, 0)
    print(f"    signing {total} transfers ...", file=sys.stderr, flush=True)
    raws = ["0x" + r.hex() for r in me.token_transfers(token, 1, wl.fresh_addresses(total))]
    node = peers.start(WABEI, data_dir=data_dir, extra_args=("--no-mining",))
    rss: list[tuple[int, float]] = []
    try:
        w3 = wl.connect(node.url)
        deploy_hash = w3.eth.send_raw_transaction(me.token_deploy(0, art))
        peers.rpc(node.url, "evm_mine")
        if w3.eth.get_transaction_receipt(deploy_hash)["status"] != 1:
            raise RuntimeError("token deploy failed")
        start_bytes = dir_bytes(data_dir)
        rss.append((0, node.rss_mib()))
        t = time.perf_counter()
        for done in range(0, total, BLOCK):
            chunk = raws[done:done + BLOCK]
            body = [{"jsonrpc": "2.0", "id": i, "method": "eth_sendRawTransaction", "params": [raw]}
                    for i, raw in enumerate(chunk)]
            replies = _post(node.url, body)
            errors = [r for r in replies if "error" in r]  # type: ignore[union-attr]
            if errors:
                raise RuntimeError(f"rejected: {errors[0]}")
            peers.rpc(node.url, "evm_mine", timeout=600)
            block = peers.rpc(node.url, "eth_getBlockByNumber", ["latest", False])
            if len(block["transactions"]) != len(chunk):  # type: ignore[index]
                raise RuntimeError(f"block holds {len(block['transactions'])} of {len(chunk)} txs")  # type: ignore[index]
            if (done + len(chunk)) % 10_000 == 0:
                rss.append((done + len(chunk), node.rss_mib()))
                print(f"    {done + len(chunk)} txs, RSS {rss[-1][1]:.0f} MiB", file=sys.stderr, flush=True)
        elapsed = time.perf_counter() - t
        last = wl.connect(node.url).eth.get_transaction_receipt(
            wl.connect(node.url).eth.get_block("latest")["transactions"][-1])
        if last["status"] != 1:
            raise RuntimeError("the last transfer failed")
        peak = node.peak_rss_mib()
    finally:
        node.stop()
    end_bytes = dir_bytes(data_dir)
    return {"rss": rss, "peak": peak, "tps": total / elapsed,
            "per_tx": (end_bytes - start_bytes) / total, "size_mib": end_bytes / 2**20}


def main(args: argparse.Namespace) -> int:
    art = wl.token_artifact()
    n = args.txs if args.txs != 300 else 1000  # 300 is run.py's default for the other table
    with tempfile.TemporaryDirectory(prefix="wabei-footprint-", dir=peers.ROOT) as tmp:
        print(f"automine: {n} sequential ERC-20 transfers ...", file=sys.stderr, flush=True)
        auto = automine_bytes(Path(tmp) / "auto", n, art)
        shutil.rmtree(Path(tmp) / "auto")
        print(f"full blocks: {args.total} ERC-20 transfers in blocks of {BLOCK} ...", file=sys.stderr, flush=True)
        full = full_blocks(Path(tmp) / "full", args.total, art)
    print("| Wabei --data-dir (SQLite) | automine, 1 tx per block | %d txs per block |" % BLOCK)
    print("|---|---:|---:|")
    print(f"| ERC-20 transfers | {n:,} | {args.total:,} |")
    print(f"| Disk per transfer after a clean stop (bytes) | {auto['per_tx']:,.0f} | {full['per_tx']:,.0f} |")
    print(f"| Disk per transfer while running, WAL included (bytes) | {auto['per_tx_running']:,.0f} | n/a |")
    print(f"| Throughput while measuring (tx/s) | {auto['tps']:.1f} | {full['tps']:.1f} |")
    print(f"| Data dir at the end (MiB) | {auto['after_mib']:.1f} | {full['size_mib']:.1f} |")
    print("\nRSS (VmRSS, MiB) by transfers sent, full blocks: "
          + ", ".join(f"{k:,}: {v:.0f}" for k, v in full["rss"])  # type: ignore[attr-defined]
          + f"; peak (VmHWM) {full['peak']:.0f}")
    print("Load average: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    return 0
