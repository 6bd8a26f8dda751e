"""First Wabei benchmark: Wabei vs Hardhat node, same web3.py client, same pre-signed txs.

    python bench/run.py [--runs 3] [--txs 300]

Each peer is started as a separate process on a free port, one after another, and
stopped after its run. Metrics per run: startup until eth_chainId answers, sequential
ETH transfers/s and ERC-20 transfers/s (send_raw_transaction then receipt, automine),
median eth_call latency of 200 balanceOf calls, and peak RSS (VmHWM from /proc, summed
over the node process and its descendants). The table reports the median over runs.
eth-tester and Ganache are not installed and are skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from eth_account import Account  # noqa: E402
from web3 import Web3  # noqa: E402
from web3.exceptions import TransactionNotFound  # noqa: E402

from deploy.compile import load_artifact  # noqa: E402

KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
CHAIN_ID = 31337
MAX_FEE = 10 * 10**9
TIP = 1 * 10**9
CALLS = 200
STARTUP_TIMEOUT = 120.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def chain_id_answers(url: str) -> bool:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}).encode()
    req = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=1) as r:
            return "result" in json.loads(r.read())
    except Exception:
        return False


def descendants(pid: int) -> list[int]:
    out = [pid]
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                for c in f.read().split():
                    out.extend(descendants(int(c)))
    except OSError:
        pass
    return out


def peak_rss_mib(pid: int) -> float:
    total = 0
    for p in descendants(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def start_wabei(port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "chain.cli", "node", "--port", str(port), "--quiet", "--in-memory"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )


def start_hardhat(port: int) -> subprocess.Popen:
    return subprocess.Popen(
        ["node", str(ROOT / "node_modules/.bin/hardhat"), "node", "--port", str(port)],
        cwd=ROOT / "tests/hardhat_project", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


PEERS = {"Wabei": start_wabei, "Hardhat": start_hardhat}


def presign(w3: Web3, acct, token_abi, token_bytecode: str, n: int):
    rng_addrs = [Web3.to_checksum_address((i + 1).to_bytes(20, "big")[:-4] + os.urandom(4)) for i in range(n)]
    base = {"chainId": CHAIN_ID, "maxFeePerGas": MAX_FEE, "maxPriorityFeePerGas": TIP, "type": 2}
    eth_txs = [
        acct.sign_transaction({**base, "nonce": i, "to": rng_addrs[i], "value": 10**12, "gas": 21_000}).raw_transaction
        for i in range(n)
    ]
    token = w3.eth.contract(abi=token_abi, bytecode=token_bytecode)
    deploy_data = token.constructor("Bench", "BNC", 10**27).data_in_transaction
    deploy_tx = acct.sign_transaction({**base, "nonce": n, "data": deploy_data, "gas": 3_000_000, "value": 0}).raw_transaction
    return eth_txs, deploy_tx, rng_addrs


def wait_receipt(w3: Web3, h):
    while True:
        try:
            r = w3.eth.get_transaction_receipt(h)
            if r is not None:
                return r
        except TransactionNotFound:
            pass
        time.sleep(0.001)


def one_run(name: str, n: int, art) -> dict[str, float]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    acct = Account.from_key(KEY)
    w3 = Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": 60}))
    # Sign everything before the node starts: nothing below this line measures signing.
    eth_txs, deploy_tx, recipients = presign(w3, acct, art.abi, art.bytecode, n)
    base = {"chainId": CHAIN_ID, "maxFeePerGas": MAX_FEE, "maxPriorityFeePerGas": TIP, "type": 2}

    t0 = time.perf_counter()
    proc = PEERS[name](port)
    try:
        while not chain_id_answers(url):
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode} before answering")
            if time.perf_counter() - t0 > STARTUP_TIMEOUT:
                raise RuntimeError(f"{name} did not answer eth_chainId within {STARTUP_TIMEOUT}s")
            time.sleep(0.01)
        startup = time.perf_counter() - t0
        assert w3.eth.chain_id == CHAIN_ID

        t = time.perf_counter()
        for raw in eth_txs:
            r = wait_receipt(w3, w3.eth.send_raw_transaction(raw))
            assert r["status"] == 1
        eth_tps = n / (time.perf_counter() - t)

        r = wait_receipt(w3, w3.eth.send_raw_transaction(deploy_tx))
        assert r["status"] == 1, "TestToken deploy failed"
        token = w3.eth.contract(address=r["contractAddress"], abi=art.abi)
        # ERC-20 transfers are signed now (they need the token address) but before timing.
        erc_txs = [
            acct.sign_transaction({
                **base, "nonce": n + 1 + i, "to": token.address, "value": 0, "gas": 100_000,
                "data": token.encode_abi("transfer", args=[recipients[i], 10**18]),
            }).raw_transaction
            for i in range(n)
        ]
        t = time.perf_counter()
        for raw in erc_txs:
            r = wait_receipt(w3, w3.eth.send_raw_transaction(raw))
            assert r["status"] == 1, "ERC-20 transfer reverted"
        erc_tps = n / (time.perf_counter() - t)

        lat = []
        fn = token.functions.balanceOf(recipients[0])
        assert fn.call() == 10**18
        for _ in range(CALLS):
            t = time.perf_counter()
            fn.call()
            lat.append((time.perf_counter() - t) * 1000)
        call_ms = statistics.median(lat)

        rss = peak_rss_mib(proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return {"startup": startup, "eth": eth_tps, "erc": erc_tps, "call": call_ms, "rss": rss}


METRICS = [
    ("startup", "Startup to eth_chainId (s)", "{:.2f}"),
    ("eth", "ETH transfers, sequential (tx/s)", "{:.1f}"),
    ("erc", "ERC-20 transfers, sequential (tx/s)", "{:.1f}"),
    ("call", "eth_call balanceOf, median (ms)", "{:.2f}"),
    ("rss", "Peak RSS (MiB)", "{:.0f}"),
]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--txs", type=int, default=300)
    args = ap.parse_args()
    art = load_artifact("TestToken")
    results: dict[str, dict[str, float]] = {}
    for name in PEERS:
        runs = []
        for i in range(args.runs):
            print(f"[{name}] run {i + 1}/{args.runs} ...", file=sys.stderr, flush=True)
            runs.append(one_run(name, args.txs, art))
            print(f"[{name}]   {runs[-1]}", file=sys.stderr, flush=True)
        results[name] = {k: statistics.median(r[k] for r in runs) for k, _, _ in METRICS}
    print("eth-tester: skipped (not installed); Ganache: skipped (not installed)", file=sys.stderr)

    header = ["Metric (median of %d runs, %d txs)" % (args.runs, args.txs), "Wabei", "Hardhat", "Hardhat / Wabei"]
    rows = []
    for key, label, fmt in METRICS:
        w, h = results["Wabei"][key], results["Hardhat"][key]
        rows.append([label, fmt.format(w), fmt.format(h), f"{h / w:.2f}x" if w else "n/a"])
    widths = [max(len(r[i]) for r in [header] + rows) for i in range(4)]
    print("| " + " | ".join(c.ljust(widths[i]) for i, c in enumerate(header)) + " |")
    print("|" + "|".join(("-" * (widths[i] + 2)) if i == 0 else ("-" * (widths[i] + 1) + ":") for i in range(4)) + "|")
    for r in rows:
        print("| " + " | ".join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(r)) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
