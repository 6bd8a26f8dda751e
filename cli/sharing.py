"""`wabei sharing deploy`: put the whole sharing-economy suite on a running chain in one command.

Deploys and wires every contract (`sharing.deploy.deploy_suite`), publishes each in the CNS as
`<label>.wabei`, and writes the deployment (accounts, config, addresses) as JSON so scripts and
later sessions can load it with `SuiteDeployment.from_json`.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from web3.exceptions import ContractLogicError

from cli.common import DEFAULT_RPC_URL, CliError, add_rpc_url, connect, run
from cns.client import CnsClient
from cns.errors import CnsNotFound
from sharing.deploy import CNS_LABELS, deploy_suite, register_in_cns


def main(argv: list[str]) -> int:
    """Entry point of `wabei sharing ...` (the arguments after `sharing`); returns the exit code."""
    parser = argparse.ArgumentParser(prog="wabei sharing", description="the sharing-economy suite")
    actions = parser.add_subparsers(dest="action", required=True)
    p = actions.add_parser("deploy", help="deploy, wire and publish the suite in CNS")
    add_rpc_url(p, f"the node (default {DEFAULT_RPC_URL})")
    p.add_argument("--version", default="1.0.0", help="CNS version to publish (default 1.0.0)")
    p.add_argument("--out", type=Path, default=None,
                   help="where to write the deployment JSON (default deployments/sharing-<chain id>.json)")
    args = parser.parse_args(argv)
    return run("wabei sharing", lambda: deploy(args.rpc_url, args.version, args.out))


def deploy(rpc_url: str, version: str, out: Path | None) -> int:
    """Deploy, wire and publish the suite on the node at `rpc_url`, and write the deployment JSON
    to `out`; prints each contract's address and name. Raises `CliError` if `version` is taken."""
    w3 = connect(rpc_url, suggest_node=True)
    cns = CnsClient(w3)
    for label in CNS_LABELS.values():
        try:
            taken = cns.resolve(label, version)
        except CnsNotFound:
            continue
        raise CliError(f"{label}@{version} already exists (at {taken}); try another --version")
    deployment = deploy_suite(w3, w3.eth.accounts)
    try:
        names = register_in_cns(w3, deployment, version=version)
    except ContractLogicError as exc:
        raise CliError(f"CNS refused the names: {exc}; try another --version") from None
    target = out or Path("deployments") / f"sharing-{w3.eth.chain_id}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(deployment.to_json() + "\n", encoding="utf-8")
    for contract, name in sorted(names.items()):
        print(f"{contract:<22} {deployment.address(contract)}  {name}")
    print(f"deployment written to {target}")
    return 0
