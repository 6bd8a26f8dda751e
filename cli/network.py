"""`wabei network init|up|down|status|revoke|ca|org|cert`: lay out a consortium network, run it on
this machine, stop it, see what every node thinks, and change its membership (docs/network.md,
"Operations")."""
from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

from cli import network_org, network_trust
from cli.exits import ExitCode, OneLineParser
from network import supervisor
from network.alloc import AllocError, default_alloc, load_alloc
from network.comet_files import CometBftMissing, cometbft_binary
from network.init import init_network
from network.layout import LayoutError, load_manifest
from network.membership import revoke_node
from network.plan import PlanError, plan_network
from network.status import format_table, network_status, status_table
from chain.governance_file import GovernanceFileError as CommitteeFileError
from chain.governance_file import governance_storage
from vm_hooks.governance.genesis import GovernanceFileError, load_governance

READY_TIMEOUT_S = 60.0


def parser() -> OneLineParser:
    top = OneLineParser(prog="wabei network", description="a consortium network of Wabei nodes on CometBFT")
    sub = top.add_subparsers(dest="action", required=True, parser_class=OneLineParser)
    init = sub.add_parser("init", help="create a network directory: CAs, keys, certificates, configs, genesis")
    init.add_argument("--out", required=True, type=Path, help="the network directory to create")
    init.add_argument("--orgs", type=int, default=2, help="number of organisations (default 2)")
    init.add_argument("--org-names", help="comma-separated organisation names (default org1,org2,...)")
    init.add_argument("--nodes-per-org", type=int, default=2, help="validators per organisation (default 2)")
    init.add_argument("--observers-per-org", type=int, default=0, help="observer nodes per organisation (default 0)")
    init.add_argument("--regulator", metavar="NAME", help="also create a regulator CA of this name (trusted, no nodes)")
    init.add_argument("--alloc", type=Path, help="genesis allocations (JSON; default: the ten devnet accounts)")
    init.add_argument("--admin", help="the genesis admin address (default: the first allocated account)")
    init.add_argument("--chain-id", type=int, default=31337, help="Ethereum chain id (default 31337)")
    init.add_argument("--governance", type=Path, metavar="FILE",
                      help="starting governance rules (JSON, as `wabei node --governance`), put in the genesis")
    init.add_argument("--hosts", help="comma-separated addresses: one for all nodes or one per node (default 127.0.0.1)")
    init.add_argument("--node-host", action="append", default=[], metavar="NODE=HOST", help="one node's address")
    init.add_argument("--p2p-port", type=int, default=26656, help="first CometBFT port; node i uses +10*i..+2")
    init.add_argument("--rpc-port", type=int, default=8545, help="first Wabei JSON-RPC port; node i uses +i")
    init.add_argument("--app", choices=("wabei", "kvstore"), default="wabei",
                      help="kvstore: CometBFT's built-in app instead of Wabei (tests consensus and peering alone)")
    up = sub.add_parser("up", help="start every node on this machine and supervise them")
    up.add_argument("dir", type=Path)
    up.add_argument("--detach", action="store_true", help="start, wait until every node answers, and return")
    up.add_argument("--restart", choices=("never", "on-failure"), default="never", help="restart policy (default never)")
    up.add_argument("--wait", type=float, default=READY_TIMEOUT_S, help="seconds to wait for every node to answer")
    down = sub.add_parser("down", help="stop every node started by `up`")
    down.add_argument("dir", type=Path)
    revoke = sub.add_parser("revoke", help="revoke a node's certificate (its CA re-signs its CRL)")
    revoke.add_argument("dir", type=Path)
    revoke.add_argument("node", help="the node's name")
    revoke.add_argument("--no-chain", action="store_true", help="only re-sign the CRL file, publish nothing")
    network_trust.chain_flags(revoke)
    network_trust.add_parsers(sub)
    network_org.add_parsers(sub)
    status = sub.add_parser("status", help="height, last block, proposer, peers and power of every node")
    status.add_argument("dir", type=Path)
    status.add_argument("--json", action="store_true", help="one JSON document for scripts")
    return top


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    action: Callable[[argparse.Namespace], int] = {"init": _init, "up": _up, "down": _down, "status": _status,
                                                   "revoke": _revoke, "ca": network_trust.ca_main,
                                                   "org": network_org.org_main, "cert": network_org.cert_main}[args.action]
    try:
        return action(args)
    except (PlanError, AllocError, GovernanceFileError) as exc:
        return _fail(str(exc), ExitCode.USAGE)
    except (LayoutError, CometBftMissing, supervisor.SupervisorError) as exc:
        return _fail(str(exc), ExitCode.FAILED)
    except KeyboardInterrupt:
        return ExitCode.INTERRUPTED


def _fail(message: str, code: ExitCode) -> int:
    print(f"wabei network: {message}", file=sys.stderr)
    return code


def _init(args: argparse.Namespace) -> int:
    names = args.org_names.split(",") if args.org_names else [f"org{i + 1}" for i in range(args.orgs)]
    overrides = dict(_pair(item) for item in args.node_host)
    plan = plan_network(org_names=names, nodes_per_org=args.nodes_per_org, observers_per_org=args.observers_per_org,
                        regulator=args.regulator, hosts=args.hosts.split(",") if args.hosts else None,
                        node_hosts=overrides, chain_id=args.chain_id, p2p_base=args.p2p_port,
                        rpc_base=args.rpc_port, app=args.app)
    alloc = load_alloc(args.alloc) if args.alloc else default_alloc()
    from chain.config import DEFAULT_MNEMONIC  # the nodes may sign for the devnet accounts they fund
    governance = _governance_doc(args.governance) if args.governance else None
    manifest = init_network(args.out.resolve(), plan, alloc, cometbft=cometbft_binary(), admin=args.admin,
                            unlocked_mnemonic=None if args.alloc else DEFAULT_MNEMONIC, governance=governance)
    print(f"created {args.out} ({len(manifest['orgs'])} CAs, {len(manifest['nodes'])} nodes, "
          f"chain id {plan.chain_id}, CometBFT chain {plan.comet_chain_id})")
    print(_nodes_table(manifest))
    print(f"start it with: wabei network up {args.out}")
    return ExitCode.OK


def _governance_doc(path: Path) -> dict[str, Any]:
    """The governance file's JSON, checked as the nodes will check it; raises GovernanceFileError."""
    try:
        load_governance(path)
        governance_storage(path)  # the committee's section, as every node will seed it
    except (GovernanceFileError, CommitteeFileError) as exc:
        raise GovernanceFileError(f"--governance: {exc}") from None
    doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return doc


def _pair(item: str) -> tuple[str, str]:
    name, sep, host = item.partition("=")
    if not sep or not name or not host:
        raise PlanError(f"--node-host {item!r}: expected NODE=HOST")
    return name, host


def _nodes_table(manifest: dict[str, Any]) -> str:
    rows = [[n["org"], n["name"], n["rpc_url"], str(n["ports"]["p2p"]), n["role"]] for n in manifest["nodes"]]
    return format_table(rows, ["org", "node", "RPC URL", "P2P port", "role"])


def _up(args: argparse.Namespace) -> int:
    network_dir = args.dir.resolve()
    manifest = load_manifest(network_dir)
    plan = supervisor.launches(network_dir, cometbft_binary())
    procs = supervisor.start(network_dir, plan)
    print(_nodes_table(manifest), flush=True)
    problem = _wait_ready(network_dir, procs, args.wait)
    if problem:
        print(f"wabei network: {problem}", file=sys.stderr)
        if args.detach or any(p.poll() is not None for p in procs.values()):
            supervisor.stop(network_dir)
            return ExitCode.FAILED
    if args.detach:
        print(f"running; stop with: wabei network down {args.dir}")
        return ExitCode.OK
    return _supervise(network_dir, procs, args.restart == "on-failure")


def _supervise(network_dir: Path, procs: dict[supervisor.Launch, subprocess.Popen[bytes]], restart: bool) -> int:
    def on_term(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    print("supervising (Ctrl-C stops the network)", flush=True)
    try:
        supervisor.supervise(network_dir, procs, restart=restart,
                             report=lambda line: print(line, flush=True))
    except KeyboardInterrupt:
        stopped = supervisor.stop(network_dir)
        print(f"stopped {len(stopped)} processes")
        return ExitCode.OK
    print("every process has exited")
    return ExitCode.FAILED


def _wait_ready(network_dir: Path, procs: dict[supervisor.Launch, subprocess.Popen[bytes]], timeout_s: float) -> str:
    """'' once every node answers; else what went wrong: a process that exited (with the end of
    its log), or the timeout."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for launch, proc in procs.items():
            if proc.poll() is not None:
                log = launch.log_file(network_dir)
                tail = log.read_text(errors="replace").strip().splitlines()[-3:] if log.exists() else []
                return (f"{launch.node}: {launch.proc} exited with code {proc.returncode} while starting; "
                        f"stopping the network. {log}:\n  " + "\n  ".join(tail))
        ours = {launch.node for launch in procs}
        rows = [row for row in network_status(network_dir) if row["node"] in ours]
        if all(row["up"] and (row.get("eth_error") is None) for row in rows):
            return ""
        time.sleep(0.5)
    return f"not every node answered within {timeout_s:g} s; see the logs in {network_dir / 'run'}"


def _down(args: argparse.Namespace) -> int:
    network_dir = args.dir.resolve()
    stopped = supervisor.stop(network_dir)
    print(f"stopped {len(stopped)} processes" + (f": {', '.join(stopped)}" if stopped else " (none was running)"))
    return ExitCode.OK


def _revoke(args: argparse.Namespace) -> int:
    serial = revoke_node(args.dir.resolve(), args.node)
    print(f"revoked {args.node}'s certificate {serial:x} in its organisation's CRL file")
    if args.no_chain:
        return ExitCode.OK
    org = next(n["org"] for n in load_manifest(args.dir.resolve())["nodes"] if n["name"] == args.node)
    try:
        network_trust.publish_crl(args, org)
    except LayoutError as exc:
        return _fail(f"{exc}\nthe CRL file is re-signed but not on chain: run `wabei network revoke` again "
                     "once a node answers", ExitCode.FAILED)
    print(f"published {org}'s CRL on chain: every node refuses {args.node} when it next connects")
    return ExitCode.OK


def _status(args: argparse.Namespace) -> int:
    rows = network_status(args.dir.resolve())
    if args.json:
        print(json.dumps({"nodes": rows}, indent=2))
    else:
        print(status_table(rows))
    return ExitCode.OK if all(r["up"] for r in rows) else ExitCode.FAILED
