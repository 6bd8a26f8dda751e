"""The data warehouse's export speed: a chain of >= 10,000 blocks and >= 50,000 transactions
(the sharing suite's story, then ERC-20 transfers) exported into SQLite and into PostgreSQL.

    python bench/warehouse_export.py [--tx-blocks 500] [--txs-per-block 100] [--empty-between 19]
                                     [--chain-dir DIR] [--engines sqlite,postgresql] [--pg-url URL]

The chain is built once in --chain-dir (a Wabei node's --data-dir; reused when it already
holds the blocks): `wabei demo sharing-economy`'s story (deploy, CNS, ~120 transactions), a
TestToken published in CNS as `bench-token`, then --tx-blocks blocks of --txs-per-block pre-signed
ERC-20 transfers from 10 accounts (sent as one JSON-RPC batch, mined with one evm_mine), each
followed by --empty-between empty blocks (anvil_mine). Then, per engine, a fresh database, one
timed `wabei export` (a real process, no progress bar), and one timed `wabei export verify`.
PostgreSQL is a throwaway cluster (tests/warehouse/pg_cluster.py) unless --pg-url names one
(the database must be empty). The load average is printed before and after: the machine is
shared, so read the figures with it.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import workloads

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "warehouse"))

from conftest import start_node  # noqa: E402
from pg_cluster import PgCluster  # noqa: E402
from warehouse.rpc import RpcClient  # noqa: E402


def build_chain(url: str, tx_blocks: int, per_block: int, empty_between: int) -> None:
    """Play the sharing story, then the ERC-20 blocks, on the node at `url`."""
    from web3 import Web3

    from cns.client import CnsClient
    from sharing.demo import run_demo

    w3 = Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": 600}))
    rpc = RpcClient(url)
    t0 = time.perf_counter()
    run_demo(w3, out=lambda _line: None)
    print(f"sharing story: {w3.eth.block_number} blocks in {time.perf_counter() - t0:.0f} s", flush=True)
    senders = [workloads.Signer(a, w3.eth.chain_id) for a in workloads.dev_accounts(10)]
    art = workloads.load_artifact("TestToken")
    deployer = senders[0].account.address
    token = workloads.deploy(w3, senders[0].token_deploy(w3.eth.get_transaction_count(deployer), art))
    CnsClient(w3).register("bench-token", "1.0", token, art.abi)
    # Hand every sender tokens, so the transfers below all succeed.
    nonce = w3.eth.get_transaction_count(deployer)
    for raw in senders[0].token_transfers(token, nonce, [s.account.address for s in senders[1:]], 10**24):
        workloads.wait_receipt(w3, w3.eth.send_raw_transaction(raw))
    rpc.call("evm_setAutomine", [False])
    nonces = {s.account.address: w3.eth.get_transaction_count(s.account.address) for s in senders}
    per_sender = per_block // len(senders)
    t0 = time.perf_counter()
    for block in range(tx_blocks):
        raws = []
        for s in senders:
            first = nonces[s.account.address]
            raws += s.token_transfers(token, first, workloads.fresh_addresses(per_sender))
            nonces[s.account.address] = first + per_sender
        rpc.batch([("eth_sendRawTransaction", ["0x" + r.hex()]) for r in raws])
        rpc.call("evm_mine", [])
        if empty_between:
            rpc.call("anvil_mine", [hex(empty_between)])
        if block % 50 == 49:
            print(f"  {block + 1}/{tx_blocks} transaction blocks, {time.perf_counter() - t0:.0f} s", flush=True)
    rpc.call("evm_setAutomine", [True])
    rpc.close()


def chain_size(url: str) -> tuple[int, int]:
    """(blocks, transactions) of the chain at `url`."""
    rpc = RpcClient(url)
    head = int(rpc.call("eth_blockNumber", []), 16)
    txs = 0
    for first in range(0, head + 1, 400):
        counts = rpc.batch([("eth_getBlockTransactionCountByNumber", [hex(n)])
                            for n in range(first, min(head, first + 399) + 1)])
        txs += sum(int(c, 16) for c in counts)
    rpc.close()
    return head + 1, txs


def timed(*args: str) -> float:
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "cli", *args], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"wabei {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return time.perf_counter() - t0


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--tx-blocks", type=int, default=500)
    p.add_argument("--txs-per-block", type=int, default=100)
    p.add_argument("--empty-between", type=int, default=19)
    p.add_argument("--chain-dir", type=Path, default=Path(tempfile.gettempdir()) / "wabei-warehouse-bench")
    p.add_argument("--engines", default="sqlite,postgresql")
    p.add_argument("--pg-url", default=None)
    p.add_argument("--batch", default="100")
    args = p.parse_args()

    fresh = not args.chain_dir.exists() or not any(args.chain_dir.iterdir())
    node = start_node("--data-dir", str(args.chain_dir), "--accounts", "20", timeout=120)
    try:
        if fresh:
            build_chain(node.http_url, args.tx_blocks, args.txs_per_block, args.empty_between)
        blocks, txs = chain_size(node.http_url)
        print(f"chain: {blocks} blocks, {txs} transactions ({args.chain_dir})", flush=True)
        print(f"load average before: {os.getloadavg()}", flush=True)
        print("| engine | blocks | transactions | export s | blocks/s | tx/s | verify s |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for engine in args.engines.split(","):
            cluster = None
            with tempfile.TemporaryDirectory() as tmp:
                if engine == "sqlite":
                    db = str(Path(tmp) / "bench.sqlite")
                elif args.pg_url:
                    db = args.pg_url
                else:
                    cluster = PgCluster().start()
                    db = cluster.create_database()
                try:
                    took = timed("export", "--rpc-url", node.http_url, "--db", db, "--batch", args.batch,
                                 "--progress", "never")
                    checked = timed("export", "verify", "--rpc-url", node.http_url, "--db", db)
                finally:
                    if cluster is not None:
                        cluster.stop()
            print(f"| {engine} | {blocks} | {txs} | {took:.1f} | {blocks / took:.0f} | {txs / took:.0f} | "
                  f"{checked:.1f} |", flush=True)
        print(f"load average after: {os.getloadavg()}", flush=True)
    finally:
        node.stop()


if __name__ == "__main__":
    main()
