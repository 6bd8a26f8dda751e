"""Profile the node under the sequential ERC-20 workload of bench/run.py.

    python bench/profile_node.py [--txs 300] [--data-dir] [--client web3|raw] [--no-profile]
                                 [--from-dir DIR] [--load-state FILE] [--eth]

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

`--from-dir DIR` starts each node on a fresh copy of an existing data dir (e.g. the large chain of
`python bench/large_state.py DIR`; cold caches, as after a restart); `--load-state FILE` passes
the file to the node (with the in-memory default: a --dump-state of that chain, all in memory).
`--eth` sends plain ETH transfers to new addresses instead. The profiled run also counts database
reads per transaction: trie nodes fetched (HexaryTrie.get_node), reads reaching the node's base
database, and of those the SQLite queries (read-cache misses), and the keys written to it.
"""
from __future__ import annotations

import argparse
import cProfile
import http.client
import json
import os
import pstats
import shutil
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
    "build": ("chain/backend/builder.py", "propose_block"),
    "apply": ("chain/backend/execution.py", "apply"),
    "finalize": ("chain/backend/execution.py", "finish"),
    "write_block": ("chain/storage/chain_store.py", "write_block"),
    "commit": ("chain/storage/buffer.py", "commit"),
    "receipt": ("chain/rpc/namespaces/eth.py", "getTransactionReceipt"),
    "pool_add": ("chain/pool.py", "add"),
    "pool_ready": ("chain/pool.py", "ready"),
    "pool_prune": ("chain/pool.py", "prune"),
    "pool_remove": ("chain/pool.py", "remove"),
}


def _presign(n: int, token_address: str | None, recipients: list[str], nonce: int,
             eth: bool = False) -> list[bytes]:
    from eth_account import Account
    from web3 import Web3

    from deploy.compile import load_artifact

    acct = Account.from_key(KEY)
    if eth:
        return [bytes(acct.sign_transaction({**BASE, "nonce": nonce + i, "to": recipients[i],
                                             "value": 1, "gas": 21_000}).raw_transaction)
                for i in range(n)]
    art = load_artifact("TestToken")
    token = Web3().eth.contract(address=token_address, abi=art.abi)
    return [
        bytes(acct.sign_transaction({
            **BASE, "nonce": nonce + i, "to": token_address, "value": 0, "gas": 100_000,
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


def _bytes_written(pid: int) -> int:
    """Bytes the process has passed to write() so far (WAL pages, checkpoints, logs)."""
    with open(f"/proc/{pid}/io") as f:
        return int(next(line for line in f if line.startswith("wchar:")).split()[1])


def run_once(args: argparse.Namespace, profile: bool) -> tuple[float, float, float, Path, int]:
    """One node, one transfer loop: (wall, client CPU, node CPU) seconds, the stats file and the
    bytes the node wrote."""
    from eth_account import Account
    from web3 import Web3

    from deploy.compile import load_artifact

    cmd = [sys.executable, __file__, "--serve"]
    data_dir = None
    if args.data_dir or args.from_dir:
        data_dir = tempfile.mkdtemp(prefix="wabei-prof-")
        if args.from_dir:
            shutil.copytree(args.from_dir, data_dir, dirs_exist_ok=True)
        cmd += ["--dir", data_dir]
    if args.load_state:
        cmd += ["--load-state", str(args.load_state)]
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
        nonce = w3.eth.get_transaction_count(acct.address)
        deploy = w3.eth.contract(abi=art.abi, bytecode=art.bytecode).constructor("B", "B", 10**27)
        raw = acct.sign_transaction({**BASE, "nonce": nonce, "data": deploy.data_in_transaction,
                                     "gas": 3_000_000, "value": 0}).raw_transaction
        token = w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(raw))["contractAddress"]
        recipients = [Web3.to_checksum_address(os.urandom(20)) for _ in range(args.txs)]
        txs = _presign(args.txs, token, recipients, nonce + 1, args.eth)
        raw_client = RawClient(port) if args.client == "raw" else None

        proc.send_signal(signal.SIGUSR1)
        time.sleep(0.2)
        cpu0 = time.process_time()
        node_cpu0 = _cpu_seconds(proc.pid)
        written0 = _bytes_written(proc.pid)
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
        written = _bytes_written(proc.pid) - written0
        proc.send_signal(signal.SIGUSR2)
        deadline = time.time() + 30
        while not stats_file.stat().st_size and time.time() < deadline:
            time.sleep(0.1)
    finally:
        proc.terminate()
        proc.wait(30)
        if data_dir:
            shutil.rmtree(data_dir, ignore_errors=True)
    return wall, client_cpu, node_cpu, stats_file, written


def drive(args: argparse.Namespace) -> None:
    n = args.txs
    wall, client_cpu, node_cpu, _, written = run_once(args, profile=False)
    where = f" (copy of {args.from_dir})" if args.from_dir else " (data dir)" if args.data_dir else ""
    where += f" (--load-state {args.load_state})" if args.load_state else ""
    print(f"{args.client} client, {n} {'ETH' if args.eth else 'ERC-20'} transfers{where}: "
          f"{n / wall:.1f} tx/s, {wall / n * 1000:.2f} ms/tx wall, "
          f"client CPU {client_cpu / n * 1000:.2f} ms/tx, node CPU {node_cpu / n * 1000:.2f} ms/tx, "
          f"node wrote {written / n / 1024:.1f} KiB/tx")
    if args.no_profile:
        return
    _, _, _, stats_file, _ = run_once(args, profile=True)
    stats = pstats.Stats(str(stats_file))
    print(f"function calls per tx: {stats.total_calls / n:.0f}")  # type: ignore[attr-defined]
    reads = json.loads(Path(str(stats_file) + ".reads").read_text())
    print("DB per tx: " + ", ".join(f"{k} {v / n:.1f}" for k, v in reads.items()))
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
        ("block opening (header, VM set-up, system calls, limits)", t["build"] - t["apply"] - t["finalize"]),
        ("tx/receipt tries, state root + persist (BlockRun.finish)", t["finalize"]),
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
    reads = {"trie nodes": 0, "base DB": 0, "SQLite queries": 0, "keys written": 0}
    counting = [False]
    if not args.no_profile:
        _count_reads(reads, counting)

    def start(_sig: int, _frame: Any) -> None:
        if not args.no_profile:
            for k in reads:
                reads[k] = 0
            counting[0] = True
            prof.enable()

    def stop(_sig: int, _frame: Any) -> None:
        prof.disable()
        counting[0] = False
        if args.no_profile:
            Path(args.stats).write_text("-")
        else:
            Path(args.stats + ".reads").write_text(json.dumps(reads))
            prof.dump_stats(args.stats)

    signal.signal(signal.SIGUSR1, start)
    signal.signal(signal.SIGUSR2, stop)
    from chain.cli import main as wabei

    storage = ["--data-dir", args.dir] if args.dir else ["--in-memory"]
    if args.load_state:
        storage += ["--load-state", args.load_state]
    sys.exit(wabei(["node", "--port", "0", "--quiet", *storage]))


def _count_reads(reads: dict[str, int], counting: list[bool]) -> None:
    """Count trie-node fetches, base-database reads and keys written (profiled run only)."""
    from trie.hexary import HexaryTrie

    from chain.storage.memory_db import MemoryStore
    from chain.storage.sqlite_db import SqliteDB

    get_node, lookup = HexaryTrie.get_node, SqliteDB._lookup
    mem_get, mem_exists = MemoryStore.__getitem__, MemoryStore._exists
    writes = {cls: cls.write for cls in (SqliteDB, MemoryStore)}

    def counted_write(cls: Any) -> Any:
        def write(self: Any, changes: dict[bytes, bytes | None]) -> None:
            if counting[0]:
                reads["keys written"] += len(changes)
            writes[cls](self, changes)
        return write

    def counted_get_node(self: Any, node_hash: Any) -> Any:
        if counting[0]:
            reads["trie nodes"] += 1
        return get_node(self, node_hash)

    def counted_lookup(self: Any, key: bytes) -> Any:
        if counting[0]:
            reads["base DB"] += 1
            reads["SQLite queries"] += key not in self._cache
        return lookup(self, key)

    def counted_mem_get(self: Any, key: bytes) -> Any:
        if counting[0]:
            reads["base DB"] += 1
        return mem_get(self, key)

    def counted_mem_exists(self: Any, key: bytes) -> Any:
        if counting[0]:
            reads["base DB"] += 1
        return mem_exists(self, key)

    HexaryTrie.get_node = counted_get_node  # type: ignore[method-assign]
    SqliteDB._lookup = counted_lookup  # type: ignore[method-assign]
    MemoryStore.__getitem__ = counted_mem_get  # type: ignore[method-assign]
    MemoryStore._exists = counted_mem_exists  # type: ignore[method-assign]
    for cls in writes:
        cls.write = counted_write(cls)  # type: ignore[method-assign]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--txs", type=int, default=300)
    ap.add_argument("--client", choices=["web3", "raw"], default="web3")
    ap.add_argument("--data-dir", action="store_true", help="SQLite data dir instead of --in-memory")
    ap.add_argument("--from-dir", type=Path, default=None,
                    help="start each node on a fresh copy of this existing data dir")
    ap.add_argument("--load-state", default=None, help="pass --load-state FILE to the node")
    ap.add_argument("--eth", action="store_true", help="ETH transfers instead of ERC-20")
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
