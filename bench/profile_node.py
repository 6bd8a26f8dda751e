"""Profile the node under the sequential ERC-20 workload of bench/run.py.

    python bench/profile_node.py [--txs 300] [--data-dir] [--client web3|raw] [--no-profile]

Starts a Wabei node in a child process (`--serve`) under cProfile, deploys TestToken, then sends
`--txs` pre-signed ERC-20 transfers one at a time (send_raw_transaction, then the receipt), as
bench/run.py does. Only the transfer loop is profiled: the child starts its profiler on SIGUSR1 and
writes the stats on SIGUSR2. Prints throughput, the client-side time per transaction and the
node's CPU per transaction split into the phases of a transaction's life.

`--client raw` sends the same JSON-RPC bodies over one keep-alive http.client connection instead
of web3.py, which shows what the node alone can do. The loop runs twice: once without the
profiler, for tx/s and the node's real CPU per transaction, then under cProfile, whose phase
shares are scaled to that real CPU (cProfile inflates Python-heavy code 2-3x). `--no-profile`
stops after the first run. Function calls per transaction (deterministic) compare two versions
better than times on a busy machine.
"""
from __future__ import annotations

import argparse
import cProfile
import http.client
import json
import os
import pstats
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
CHAIN_ID = 31337
BASE = {"chainId": CHAIN_ID, "maxFeePerGas": 10 * 10**9, "maxPriorityFeePerGas": 10**9, "type": 2}

# Where a transaction's node CPU goes: each phase is the cumulative time of the functions named,
# keyed by (file suffix, function name); "other" rows are what encloses them minus what they hold.
_F = {
    "dispatch": ("chain/rpc/dispatch.py", "handle"),
    "decode": ("chain/api/admission.py", "decode_raw"),
    "recover": ("chain/api/admission.py", "recover_sender"),
    "check": ("chain/api/admission.py", "check_transaction"),
    "head_state": ("chain/backend/backend.py", "head_state"),
    "build": ("chain/backend/builder.py", "build_block"),
    "apply": ("eth/vm/base.py", "apply_transaction"),
    "finalize": ("eth/vm/base.py", "finalize_block"),
    "write_block": ("chain/storage/chain_store.py", "write_block"),
    "commit": ("chain/storage/buffer.py", "commit"),
    "receipt": ("chain/rpc/namespaces/eth.py", "getTransactionReceipt"),
    "pool_add": ("chain/pool.py", "add"),
    "pool_ready": ("chain/pool.py", "ready"),
    "pool_prune": ("chain/pool.py", "prune"),
    "pool_remove": ("chain/pool.py", "remove"),
}


def _presign(n: int, token_address: str | None, recipients: list[str]) -> list[bytes]:
    from eth_account import Account
    from web3 import Web3

    from deploy.compile import load_artifact

    acct = Account.from_key(KEY)
    art = load_artifact("TestToken")
    token = Web3().eth.contract(address=token_address, abi=art.abi)
    return [
        bytes(acct.sign_transaction({
            **BASE, "nonce": 1 + i, "to": token_address, "value": 0, "gas": 100_000,
            "data": token.encode_abi("transfer", args=[recipients[i], 10**18]),
        }).raw_transaction)
        for i in range(n)
    ]


class RawClient:
    """The two calls of the loop over one keep-alive connection, parsed with json (no web3)."""

    def __init__(self, port: int) -> None:
        self._conn = http.client.HTTPConnection("127.0.0.1", port)
        self._id = 0

    def call(self, method: str, params: list[Any]) -> Any:
        self._id += 1
        body = json.dumps({"jsonrpc": "2.0", "id": self._id, "method": method, "params": params})
        self._conn.request("POST", "/", body, {"Content-Type": "application/json"})
        reply = json.loads(self._conn.getresponse().read())
        if "error" in reply:
            raise RuntimeError(reply["error"])
        return reply["result"]


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far: steadier than wall time when the machine is busy."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_once(args: argparse.Namespace, profile: bool) -> tuple[float, float, float, Path]:
    """One node, one transfer loop: (wall, client CPU, node CPU) seconds and the stats file."""
    from eth_account import Account
    from web3 import Web3

    from deploy.compile import load_artifact

    cmd = [sys.executable, __file__, "--serve"]
    if args.data_dir:
        cmd += ["--dir", tempfile.mkdtemp(prefix="wabei-prof-")]
    if not profile:
        cmd += ["--no-profile"]
    stats_file = Path(tempfile.mkstemp(suffix=".prof")[1])
    cmd += ["--stats", str(stats_file)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    port = int(proc.stdout.readline().rsplit(":", 1)[1])
    w3 = Web3(Web3.HTTPProvider(f"http://127.0.0.1:{port}", request_kwargs={"timeout": 60}))
    try:
        acct = Account.from_key(KEY)
        art = load_artifact("TestToken")
        deploy = w3.eth.contract(abi=art.abi, bytecode=art.bytecode).constructor("B", "B", 10**27)
        raw = acct.sign_transaction({**BASE, "nonce": 0, "data": deploy.data_in_transaction,
                                     "gas": 3_000_000, "value": 0}).raw_transaction
        token = w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(raw))["contractAddress"]
        recipients = [Web3.to_checksum_address(os.urandom(20)) for _ in range(args.txs)]
        txs = _presign(args.txs, token, recipients)
        raw_client = RawClient(port) if args.client == "raw" else None

        proc.send_signal(signal.SIGUSR1)
        time.sleep(0.2)
        cpu0 = time.process_time()
        node_cpu0 = _cpu_seconds(proc.pid)
        t = time.perf_counter()
        for raw in txs:
            if raw_client is not None:
                h = raw_client.call("eth_sendRawTransaction", ["0x" + raw.hex()])
                r = raw_client.call("eth_getTransactionReceipt", [h])
                ok = r["status"] == "0x1"
            else:
                r = w3.eth.get_transaction_receipt(w3.eth.send_raw_transaction(raw))
                ok = r["status"] == 1
            if not ok:
                raise RuntimeError("transfer reverted")
        wall = time.perf_counter() - t
        client_cpu = time.process_time() - cpu0
        node_cpu = _cpu_seconds(proc.pid) - node_cpu0
        proc.send_signal(signal.SIGUSR2)
        deadline = time.time() + 30
        while not stats_file.stat().st_size and time.time() < deadline:
            time.sleep(0.1)
    finally:
        proc.terminate()
        proc.wait(10)
    return wall, client_cpu, node_cpu, stats_file


def drive(args: argparse.Namespace) -> None:
    n = args.txs
    wall, client_cpu, node_cpu, _ = run_once(args, profile=False)
    print(f"{args.client} client, {n} ERC-20 transfers{' (data dir)' if args.data_dir else ''}: "
          f"{n / wall:.1f} tx/s, {wall / n * 1000:.2f} ms/tx wall, "
          f"client CPU {client_cpu / n * 1000:.2f} ms/tx, node CPU {node_cpu / n * 1000:.2f} ms/tx")
    if args.no_profile:
        return
    _, _, _, stats_file = run_once(args, profile=True)
    stats = pstats.Stats(str(stats_file))
    print(f"function calls per tx: {stats.total_calls / n:.0f}")  # type: ignore[attr-defined]
    report(stats, n, args.top, node_cpu)


def _find(stats: pstats.Stats, suffix: str, name: str) -> float:
    total = 0.0
    for (filename, _line, func), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        if func == name and filename.endswith(suffix):
            total += ct
    return total


def busy_seconds(stats: pstats.Stats) -> float:
    """Profiled time less the event loop's epoll wait, which is idle time between requests."""
    idle = sum(tt for (_f, _l, name), (_cc, _nc, tt, _ct, _c) in stats.stats.items()  # type: ignore[attr-defined]
               if name == "<method 'poll' of 'select.epoll' objects>")
    return float(stats.total_tt) - idle  # type: ignore[attr-defined]


def phases(stats: pstats.Stats) -> list[tuple[str, float]]:
    """(phase, seconds) rows that add up to the profiled total."""
    t = {k: _find(stats, *v) for k, v in _F.items()}
    total = busy_seconds(stats)
    rows = [
        ("HTTP + JSON (aiohttp, orjson, event loop)", total - t["dispatch"]),
        ("admission: decode + signature recovery (coincurve)", t["decode"] + t["recover"]),
        ("admission: checks against the head state", t["check"] + t["head_state"]),
        ("pool bookkeeping", t["pool_add"] + t["pool_ready"] + t["pool_prune"] + t["pool_remove"]),
        ("execution (py-evm apply_transaction)", t["apply"]),
        ("block building (header, system calls, tx/receipt tries)", t["build"] - t["apply"] - t["finalize"]),
        ("state root + state persist (finalize_block)", t["finalize"]),
        ("storage: block index + commit (+fsync)", t["write_block"] + t["commit"]),
        ("receipt lookup + formatting", t["receipt"]),
    ]
    accounted = sum(v for _, v in rows[1:])
    rows.append(("dispatch, codecs, mining glue (rest)", t["dispatch"] - accounted))
    return rows


def report(stats: pstats.Stats, n: int, top: int, node_cpu: float | None) -> None:
    """Print the phase table; with `node_cpu` (unprofiled seconds), ms are scaled to it."""
    total = busy_seconds(stats)
    scale = (node_cpu / total) if node_cpu else 1.0
    print(f"\nnode CPU under cProfile: {total / n * 1000:.2f} ms/tx"
          + (f"; scaled to the unprofiled {node_cpu / n * 1000:.2f} ms/tx" if node_cpu else ""))
    print("| phase | ms/tx | share |\n|---|--:|--:|")
    for label, v in phases(stats):
        print(f"| {label} | {v * scale / n * 1000:.2f} | {v / total * 100:.0f}% |")
    print(f"| **node total** | **{total * scale / n * 1000:.2f}** | 100% |")
    if top:
        stats.sort_stats("cumulative").print_stats(top)
        stats.sort_stats("tottime").print_stats(top)


def serve(args: argparse.Namespace) -> None:
    """Run `wabei node` exactly as the CLI does (keccak backend, gc, event loop), profiled on cue."""
    prof = cProfile.Profile()

    def start(_sig: int, _frame: Any) -> None:
        if not args.no_profile:
            prof.enable()

    def stop(_sig: int, _frame: Any) -> None:
        prof.disable()
        if args.no_profile:
            Path(args.stats).write_text("-")
        else:
            prof.dump_stats(args.stats)

    signal.signal(signal.SIGUSR1, start)
    signal.signal(signal.SIGUSR2, stop)
    from chain.cli import main as wabei

    storage = ["--data-dir", args.dir] if args.dir else ["--in-memory"]
    sys.exit(wabei(["node", "--port", "0", "--quiet", *storage]))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--txs", type=int, default=300)
    ap.add_argument("--client", choices=["web3", "raw"], default="web3")
    ap.add_argument("--data-dir", action="store_true", help="SQLite data dir instead of --in-memory")
    ap.add_argument("--no-profile", action="store_true")
    ap.add_argument("--top", type=int, default=0, help="also print the top N functions")
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--dir", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--stats", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve(args)
    else:
        drive(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
