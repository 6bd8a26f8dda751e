"""`wabei sharing deploy`: put the whole sharing-economy suite on a running chain in one command.

Deploys and wires every contract (`sharing.deploy.deploy_suite`), publishes each in the CNS as
`<label>.wabei`, and writes the deployment (accounts, config, addresses) as JSON so scripts and
later sessions can load it with `SuiteDeployment.from_json`.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path


def main(argv: Sequence[str] | None = None) -> int:
    """Parse `wabei sharing ...`; returns the process exit code."""
    parser = argparse.ArgumentParser(prog="wabei sharing", description="the sharing-economy suite")
    actions = parser.add_subparsers(dest="action", required=True)
    p = actions.add_parser("deploy", help="deploy, wire and publish the suite in CNS")
    p.add_argument("--rpc-url", default="http://127.0.0.1:8545", help="the node (default http://127.0.0.1:8545)")
    p.add_argument("--version", default="1.0.0", help="CNS version to publish (default 1.0.0)")
    p.add_argument("--out", type=Path, default=None,
                   help="where to write the deployment JSON (default deployments/sharing-<chain id>.json)")
    args = parser.parse_args(argv)
    return deploy(args.rpc_url, args.version, args.out)


def deploy(rpc_url: str, version: str, out: Path | None) -> int:
    from web3 import Web3
    from web3.exceptions import ContractLogicError

    from cns.client import CnsClient
    from cns.errors import CnsNotFound
    from sharing.deploy import CNS_LABELS, deploy_suite, register_in_cns

    w3 = Web3(Web3.HTTPProvider(rpc_url))
    if not w3.is_connected():
        print(f"wabei sharing: no node answers at {rpc_url} (start one with `wabei node`)", file=sys.stderr)
        return 1
    cns = CnsClient(w3)
    for label in CNS_LABELS.values():
        try:
            taken = cns.resolve(label, version)
        except CnsNotFound:
            continue
        print(f"wabei sharing: {label}@{version} already exists (at {taken}); try another --version",
              file=sys.stderr)
        return 1
    deployment = deploy_suite(w3, w3.eth.accounts)
    try:
        names = register_in_cns(w3, deployment, version=version)
    except ContractLogicError as exc:
        print(f"wabei sharing: CNS refused the names: {exc}; try another --version", file=sys.stderr)
        return 1
    target = out or Path("deployments") / f"sharing-{w3.eth.chain_id}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(deployment.to_json() + "\n", encoding="utf-8")
    for contract, name in sorted(names.items()):
        print(f"{contract:<22} {deployment.address(contract)}  {name}")
    print(f"deployment written to {target}")
    return 0
