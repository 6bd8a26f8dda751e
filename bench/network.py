"""The consortium network under load, beside the devnet: ERC-20 transfers from 8 concurrent senders.

    python bench/network.py [--per-sender 40] [--skip-devnet]

Network: `wabei network init --orgs 2 --nodes-per-org 2` (4 validators, the product's defaults)
and `wabei network up --detach`; the 8 senders (dev accounts 1–8) are spread over the 4 nodes, two
per node. Each sender sends its pre-signed transfers one at a time and waits for each receipt on
the node it sent to, so a transfer's latency is submission to commit (finality: a receipt exists
only for a committed block). Devnet: one `--data-dir` node with 1 s interval mining and the same
senders, for the same figures without consensus. Then a second phase without waiting: each
sender sends its transfers back to back, and the clock stops when all are committed. Reported
per peer: throughput of both phases, commit latency p50/p99 of the first, and CPU seconds per second of wall time for every process (Wabei and CometBFT per node), so the
cost of consensus and of executing every block on every node is visible.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import peers
import workloads as wl

ROOT = Path(__file__).resolve().parents[1]
WABEI = [sys.executable, "-m", "cli"]
SENDERS = 8
CLK_TCK = os.sysconf("SC_CLK_TCK")


def _cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK
    except (OSError, IndexError, ValueError):
        return 0.0


def cpu_seconds(pid: int) -> tuple[float, float]:
    """(utime + stime of `pid`, of its live descendants), from /proc."""
    return _cpu(pid), sum(_cpu(p) for p in peers._descendants(pid)[1:])


def run_senders(urls: list[str], per_sender: int, chain_id: int) -> tuple[float, list[float], str]:
    """Deploy the token on urls[0], then 8 senders × `per_sender` transfers, receipts awaited one
    by one on the sender's own node; returns (tx/s, latencies in s)."""
    accounts = wl.dev_accounts(SENDERS + 1)
    deployer = wl.Signer(accounts[0], chain_id)
    w3 = wl.connect(urls[0])
    token = wl.deploy(w3, deployer.token_deploy(w3.eth.get_transaction_count(accounts[0].address), wl.token_artifact()), 0.05)
    # Fund each sender with tokens first (one transfer each from the deployer).
    first = w3.eth.get_transaction_count(accounts[0].address)
    funding = deployer.token_transfers(token, first, [a.address for a in accounts[1:]], amount=10**24)
    for raw in funding:
        wl.wait_receipt(w3, w3.eth.send_raw_transaction(raw), 0.05)
    latencies: list[float] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def sender(i: int) -> None:
        account = accounts[1 + i]
        node = wl.connect(urls[i % len(urls)])
        signer = wl.Signer(account, chain_id)
        raws = signer.token_transfers(token, node.eth.get_transaction_count(account.address),
                                      wl.fresh_addresses(per_sender))
        try:
            for raw in raws:
                t0 = time.perf_counter()
                receipt = wl.wait_receipt(node, node.eth.send_raw_transaction(raw), 0.01)
                if receipt["status"] != 1:
                    raise RuntimeError(f"transfer failed: {receipt}")
                with lock:
                    latencies.append(time.perf_counter() - t0)
        except BaseException as exc:  # reported after join
            errors.append(exc)

    threads = [threading.Thread(target=sender, args=(i,)) for i in range(SENDERS)]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - t0
    if errors:
        raise RuntimeError(f"a sender failed: {errors[0]!r}")
    return len(latencies) / elapsed, latencies, token


def run_burst(urls: list[str], per_sender: int, chain_id: int, token: str) -> float:
    """Throughput when the 8 senders do not wait: each sends its transfers back to back to its
    own node; the clock stops when every sender's last transfer is committed."""
    accounts = wl.dev_accounts(SENDERS + 1)[1:]
    per_node: list[list[list[bytes]]] = [[] for _ in urls]
    for i, account in enumerate(accounts):
        node = wl.connect(urls[i % len(urls)])
        signer = wl.Signer(account, chain_id)
        per_node[i % len(urls)].append(signer.token_transfers(
            token, node.eth.get_transaction_count(account.address), wl.fresh_addresses(per_sender)))
    errors: list[BaseException] = []
    done: list[float] = []
    t0 = time.perf_counter()

    def node_senders(i: int) -> None:
        try:
            wl.concurrent(urls[i], per_node[i], poll_s=0.05)
            done.append(time.perf_counter() - t0)
        except BaseException as exc:  # reported after join
            errors.append(exc)

    threads = [threading.Thread(target=node_senders, args=(i,)) for i in range(len(urls))]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    if errors:
        raise RuntimeError(f"a sender failed: {errors[0]!r}")
    return SENDERS * per_sender / max(done)


def network_pids(folder: Path) -> dict[str, int]:
    """Every process `wabei network up --detach` started (its pid files `run/<node>.<proc>.pid`)."""
    pids: dict[str, int] = {}
    for pid_file in sorted((folder / "run").glob("*.pid")):
        try:
            pids[pid_file.stem] = int(json.loads(pid_file.read_text())["pid"])
        except (OSError, ValueError, KeyError):
            pass
    return pids


def bench_network(tmp: Path, per_sender: int) -> dict[str, float]:
    """Run the 4-validator network, print its report, return its figures (tx/s waiting and back
    to back, commit latency p50/p99 in ms, the busiest node's Wabei and CometBFT CPU s/s)."""
    folder = tmp / "net"
    subprocess.run(WABEI + ["network", "init", "--orgs", "2", "--nodes-per-org", "2", "--out", str(folder)],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(WABEI + ["network", "up", str(folder), "--detach"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    try:
        manifest = json.loads((folder / "network.json").read_text())
        urls = [n["rpc_url"] for n in manifest["nodes"] if n.get("role", "validator") == "validator"]
        for url in urls:
            deadline = time.monotonic() + 120
            while not peers._answers(url):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{url} did not answer")
                time.sleep(0.2)
        pids = network_pids(folder)
        before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        t0 = time.perf_counter()
        rate, latencies, token = run_senders(urls, per_sender, int(manifest["chain_id"]))
        burst = run_burst(urls, per_sender, int(manifest["chain_id"]), token)
        wall = time.perf_counter() - t0
        cpu: dict[str, float] = {}
        for name, pid in pids.items():
            (own, children), (own0, children0) = cpu_seconds(pid), before[name]
            cpu[f"{name} (Wabei)"] = (own - own0) / wall
            if children or children0:
                cpu[f"{name} (its CometBFT)"] = (children - children0) / wall
        report("Wabei network (4 validators)", rate, latencies, cpu, burst)
        p50, p99 = percentiles_ms(latencies)
        return {"net_tps": rate, "net_burst_tps": burst, "net_p50_ms": p50, "net_p99_ms": p99,
                "net_wabei_cpu": max(v for k, v in cpu.items() if k.endswith("(Wabei)")),
                "net_comet_cpu": max((v for k, v in cpu.items() if k.endswith("(its CometBFT)")), default=0.0)}
    finally:
        subprocess.run(WABEI + ["network", "down", str(folder)], cwd=ROOT, stdout=subprocess.DEVNULL)


def bench_devnet(tmp: Path, per_sender: int) -> None:
    running = peers.start(peers.PEERS["Wabei (disk)"], mining="interval", data_dir=tmp / "devnet")
    try:
        before = cpu_seconds(running.proc.pid)[0]
        t0 = time.perf_counter()
        rate, latencies, token = run_senders([running.url], per_sender, 31337)
        burst = run_burst([running.url], per_sender, 31337, token)
        wall = time.perf_counter() - t0
        report("Wabei devnet (1 s blocks)", rate, latencies,
               {"node": (cpu_seconds(running.proc.pid)[0] - before) / wall}, burst)
    finally:
        running.stop()


def percentiles_ms(latencies: list[float]) -> tuple[float, float]:
    ordered = sorted(latencies)
    return statistics.median(ordered) * 1e3, ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1e3


def report(name: str, rate: float, latencies: list[float], cpu: dict[str, float], burst: float) -> None:
    p50, p99 = percentiles_ms(latencies)
    print(f"{name:<30} waiting: {rate:6.1f} tx/s, commit latency p50 {p50:5.0f} ms"
          f" p99 {p99:5.0f} ms ({len(latencies)} transfers); back to back: {burst:6.1f} tx/s", flush=True)
    print("    CPU seconds per second of wall time over both phases:")
    for process, share in sorted(cpu.items()):
        print(f"    {process:<40} {share:5.2f} CPU s/s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--per-sender", type=int, default=40)
    ap.add_argument("--skip-devnet", action="store_true")
    args = ap.parse_args()
    print(f"ERC-20 transfers, {SENDERS} concurrent senders x {args.per_sender}, receipt awaited per transfer")
    with tempfile.TemporaryDirectory(prefix="wabei-netbench-") as tmp:
        bench_network(Path(tmp), args.per_sender)
        if not args.skip_devnet:
            bench_devnet(Path(tmp), args.per_sender)


if __name__ == "__main__":
    main()
