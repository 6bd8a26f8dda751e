"""Wabei against eth-tester, Hardhat and Ganache: same web3.py client, same pre-signed transactions.

    ./scripts/bench                        # installs what it needs, then runs this
    python bench/run.py [--runs 3] [--txs 300] [--per-sender 100] [--peers Wabei,Hardhat,...]
    python bench/run.py --quick            # smoke run: 1 run, 30 txs, 8x10 concurrent (under a minute)
    python bench/run.py --large-state      # Wabei only: 100k accounts + 10k blocks vs empty
    python bench/run.py --all              # the peers, then the long chain, the large state and
                                           # the network: every issue-16 target judged in one run
    python bench/run.py --footprint        # Wabei only: disk bytes per transfer, RSS after 100k txs
    python bench/storage_engines.py        # commit latency of SQLite, LevelDB, LMDB, RocksDB

One run = every peer once in automine and once in interval mining, peers interleaved so that a
change in machine load hits all of them alike. The table shows the median over runs of each metric
and, in brackets, the peer's figure divided by Wabei's from the same runs; then issue 16's targets
(bench/targets.py), each with its ratio and "holds" or "misses". Peers not installed are named.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import peers  # noqa: E402
import targets  # noqa: E402
import workloads as wl  # noqa: E402
from deploy.compile import Artifact  # noqa: E402

SENDERS = 8
FUNDING = wl.TOKEN_SUPPLY // 16  # tokens each concurrent sender gets before the timed part


def automine_run(peer: peers.Peer, n: int, art: Artifact, scratch: Path) -> dict[str, float]:
    """Startup, idle RSS, sequential ETH and ERC-20 transfers (with the node's CPU per ERC-20
    transfer), pipelined ERC-20 transfers, eth_call latency, peak RSS."""
    me = wl.Signer(wl.dev_accounts(1)[0], peer.chain_id)
    recipients = wl.fresh_addresses(n)
    eth_txs = me.eth_transfers(0, recipients)
    deploy_tx = me.token_deploy(n, art)
    token = wl.token_address(me.account.address, n)
    erc_txs = me.token_transfers(token, n + 1, recipients)
    pipe_txs = me.token_transfers(token, 2 * n + 1, wl.fresh_addresses(n))

    node = peers.start(peer, "auto", data_dir=_scratch_dir(peer, scratch))
    try:
        time.sleep(1.0)  # let start-up work (JIT, lazy imports) settle before "idle"
        idle = node.rss_mib()
        w3 = wl.connect(node.url)
        eth = wl.sequential(w3, eth_txs)
        if wl.deploy(w3, deploy_tx) != token:
            raise RuntimeError(f"{peer.name}: token deployed at an unexpected address")
        cpu0 = node.cpu_s()
        erc = wl.sequential(w3, erc_txs)
        node_cpu_ms = (node.cpu_s() - cpu0) / n * 1000
        erc_pipe = wl.pipelined(w3, pipe_txs)
        call = wl.call_latency_ms(w3, token, recipients[0])
        peak = node.peak_rss_mib()
    finally:
        node.stop()
    return {"startup": node.startup_s, "idle_rss": idle, "eth": eth, "erc": erc,
            "node_cpu_ms": node_cpu_ms, "erc_pipe": erc_pipe, "call": call, "peak_rss": peak}


def interval_run(peer: peers.Peer, per_sender: int, art: Artifact, scratch: Path) -> dict[str, float]:
    """ERC-20 tx/s from SENDERS concurrent senders while the node mines every INTERVAL seconds."""
    accounts = wl.dev_accounts(SENDERS)
    signers = [wl.Signer(a, peer.chain_id) for a in accounts]
    me = signers[0]
    token = wl.token_address(me.account.address, 0)
    setup = [me.token_deploy(0, art)] + [
        me.token_transfers(token, i, [accounts[i].address], FUNDING)[0] for i in range(1, SENDERS)
    ]
    work = [s.token_transfers(token, SENDERS if i == 0 else 0, wl.fresh_addresses(per_sender))
            for i, s in enumerate(signers)]

    node = peers.start(peer, "interval", data_dir=_scratch_dir(peer, scratch))
    try:
        w3 = wl.connect(node.url)
        hashes = [w3.eth.send_raw_transaction(raw) for raw in setup]
        for h in hashes:
            if wl.wait_receipt(w3, h, poll_s=0.05)["status"] != 1:
                raise RuntimeError(f"{peer.name}: token set-up failed")
        tps = wl.concurrent(node.url, work)
        peak = node.peak_rss_mib()
    finally:
        node.stop()
    return {"concurrent": tps, "peak_rss_interval": peak}


def _scratch_dir(peer: peers.Peer, scratch: Path) -> Path | None:
    """A new empty data directory for peers that keep their chain on disk."""
    if "disk" not in peer.name:
        return None
    return scratch / f"{peer.name.split()[0].lower()}-{time.monotonic_ns()}"


METRICS: list[tuple[str, str, str]] = [
    ("startup", "Startup to eth_chainId (s)", "{:.2f}"),
    ("idle_rss", "Idle RSS after start-up (MiB)", "{:.0f}"),
    ("eth", "ETH transfers, sequential, automine (tx/s)", "{:.1f}"),
    ("erc", "ERC-20 transfers, sequential, automine (tx/s)", "{:.1f}"),
    ("node_cpu_ms", "Node CPU per sequential ERC-20 transfer (ms)", "{:.2f}"),
    ("erc_pipe", "ERC-20 transfers, pipelined, automine (tx/s)", "{:.1f}"),
    ("concurrent", f"ERC-20, {SENDERS} concurrent senders, {peers.INTERVAL} s blocks (tx/s)", "{:.1f}"),
    ("call", "eth_call balanceOf, median (ms)", "{:.2f}"),
    ("peak_rss", "Peak RSS, automine run (MiB)", "{:.0f}"),
]


def table(results: dict[str, dict[str, float]], title: str) -> str:
    names = list(results)
    base = results.get("Wabei")
    header = [title] + names
    rows = []
    for key, label, fmt in METRICS:
        row = [label]
        for name in names:
            value = results[name].get(key)
            cell = "n/a" if value is None else fmt.format(value)
            if value is not None and base is not None and name != "Wabei" and base.get(key):
                cell += f" ({value / base[key]:.2f}x)"
            row.append(cell)
        rows.append(row)
    widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]
    lines = ["| " + " | ".join(c.ljust(widths[i]) for i, c in enumerate(header)) + " |",
             "|" + "|".join("-" * (w + 2) if i == 0 else "-" * (w + 1) + ":" for i, w in enumerate(widths)) + "|"]
    for r in rows:
        lines.append("| " + " | ".join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i])
                                       for i, c in enumerate(r)) + " |")
    return "\n".join(lines)


def compare(args: argparse.Namespace) -> int:
    import tempfile

    names = [n.strip() for n in args.peers.split(",")]
    unknown = [n for n in names if n not in peers.PEERS]
    if unknown:
        raise SystemExit(f"unknown peers {unknown}; known: {', '.join(peers.PEERS)}")
    skipped = {n: why for n in names if (why := peers.unavailable(peers.PEERS[n])) is not None}
    names = [n for n in names if n not in skipped]
    if not names:
        raise SystemExit("no peer can run here: " + "; ".join(f"{n}: {w}" for n, w in skipped.items()))
    runs: dict[str, list[dict[str, float]]] = {n: [] for n in names}
    art = wl.token_artifact()
    with tempfile.TemporaryDirectory(prefix="wabei-bench-") as tmp:
        scratch = Path(tmp)
        for i in range(args.runs):
            for name in names:
                peer = peers.PEERS[name]
                print(f"[run {i + 1}/{args.runs}] {name} ...", file=sys.stderr, flush=True)
                result = automine_run(peer, args.txs, art, scratch)
                if args.per_sender and peer.no_interval is None:
                    result |= interval_run(peer, args.per_sender, art, scratch)
                runs[name].append(result)
                print("    " + ", ".join(f"{k}={v:.2f}" for k, v in result.items()), file=sys.stderr, flush=True)
    medians = {n: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for n, rs in runs.items()}
    title = f"Median of {args.runs} runs ({args.txs} txs, {SENDERS}x{args.per_sender} concurrent)"
    print(table(medians, title))
    print("\nIn brackets: the peer's figure / Wabei's (in-memory), from the same runs.")
    for name in names:
        if peers.PEERS[name].no_interval:
            print(f"{name}, concurrent: n/a, {peers.PEERS[name].no_interval}.")
    for name, why in skipped.items():
        print(f"{name}: not run, {why}.")
    if args.all:
        medians |= the_other_targets(args)
    print()
    print(targets.render(targets.judge(medians)))
    print("\nLoad average at the end: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    if args.json:
        Path(args.json).write_text(json.dumps({"runs": runs, "medians": medians}, indent=1))
    return 0


def the_other_targets(args: argparse.Namespace) -> dict[str, dict[str, float]]:
    """The targets the peers' table does not measure, after it in the same run: pipelined on a
    data dir of 10,000 blocks, the large state, the 4-validator network (each prints its own
    report too), keyed by bench/targets.py's pseudo-peers."""
    import tempfile

    import large_state
    import long_chain

    print("\n[--all] pipelined transfers on a data dir of 10,000 blocks ...", file=sys.stderr, flush=True)
    found = long_chain.measure(args.runs, args.txs)
    print("\n[--all] large state ...", file=sys.stderr, flush=True)
    large, built = large_state.run_large_state(args.runs, args.txs)
    print()
    large_state.report(large, built, args.runs, args.txs)
    found |= {targets.LARGE: large["large"], targets.LARGE_EMPTY: large["empty"]}
    print("\n[--all] the network (4 validators) ...", file=sys.stderr, flush=True)
    # By path, under another name: `network` is also the product's package.
    spec = importlib.util.spec_from_file_location("bench_network", ROOT / "bench" / "network.py")
    assert spec is not None and spec.loader is not None
    bench_network = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench_network)
    print()
    with tempfile.TemporaryDirectory(prefix="wabei-netbench-") as tmp:
        found[targets.NETWORK] = bench_network.bench_network(Path(tmp), args.net_per_sender)
    return found


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--txs", type=int, default=300, help="sequential transfers of each kind")
    ap.add_argument("--per-sender", type=int, default=100,
                    help=f"ERC-20 transfers per concurrent sender ({SENDERS} senders); 0 skips")
    ap.add_argument("--peers", default=",".join(peers.PEERS))
    ap.add_argument("--quick", action="store_true",
                    help="smoke run: --runs 1 --txs 30 --per-sender 10 (one run's figures prove nothing)")
    ap.add_argument("--json", help="also write every run's figures to this file")
    ap.add_argument("--large-state", action="store_true", help="Wabei: 100k accounts + 10k blocks vs empty")
    ap.add_argument("--all", action="store_true",
                    help="also the long chain, the large state and the network: every target in one run")
    ap.add_argument("--net-per-sender", type=int, default=40, help="--all: transfers per sender on the network")
    ap.add_argument("--footprint", action="store_true", help="Wabei: disk per transfer, RSS after 100k txs")
    ap.add_argument("--total", type=int, default=100_000, help="--footprint: transfers in full blocks")
    args = ap.parse_args()
    if args.quick:
        args.runs, args.txs, args.per_sender = 1, 30, 10
    if args.large_state:
        import large_state

        return large_state.main(args)
    if args.footprint:
        import footprint

        return footprint.main(args)
    return compare(args)


if __name__ == "__main__":
    sys.exit(main())
