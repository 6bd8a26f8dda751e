"""`wabei deploy`: the FISCO console's deployByCNS. Compile FILE.sol:CONTRACT with the pinned
solc, deploy it once per chain (deploy/runner.py keeps the manifest), and optionally publish it
in the CNS. Every failure is one line on stderr with an exit code from cli/common.py's table.
"""
from __future__ import annotations

import argparse
import re
import sys
import warnings
from pathlib import Path
from typing import Any

from cli.common import OneLineParser, connect, connection_options, resolve_sender, run
from cns.names import ens_name, normalize_label, pinned_label
from deploy import manifest
from deploy.abiargs import parse_args
from deploy.compile import Artifact, SolcWarning, compile_file
from deploy.errors import DeployError, UsageError
from deploy.runner import Publication, ensure_deployed

_IDENT_RE = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")


def deploy_parser() -> OneLineParser:
    """The parser of `wabei deploy` (its own: `wabei deploy --help` is this one)."""
    p = OneLineParser(
        prog="wabei deploy", parents=[connection_options()],
        description="Compile a Solidity file with the pinned solc, deploy a contract once per chain "
                    "(recorded in DIR/<chain_id>.json), and optionally publish it in the CNS.")
    p.add_argument("target", metavar="FILE.sol:CONTRACT",
                   help="source file and contract (the contract may be omitted if the file has one)")
    p.add_argument("--args", nargs="*", default=[], metavar="ARG",
                   help="constructor arguments, parsed by ABI type (arrays and tuples as JSON)")
    p.add_argument("--name", help="publish in the CNS under this name (needs --version)")
    p.add_argument("--version", help="the CNS version to publish, e.g. 1.0.0")
    p.add_argument("--latest", action="store_true", help="also make this version NAME.wabei's latest")
    p.add_argument("--manifest-dir", type=Path, default=manifest.DEFAULT_DIR,
                   help="where deployment manifests live (default ./deployments)")
    return p


def main(argv: list[str]) -> int:
    """Entry point of `wabei deploy` (the arguments after `deploy`); returns the exit code."""
    args = deploy_parser().parse_args(argv)
    return run("wabei deploy", lambda: _deploy(args))


def _publication(args: argparse.Namespace) -> Publication | None:
    if args.name is None:
        if args.version is not None or args.latest:
            raise UsageError("--version and --latest need --name")
        return None
    if args.version is None:
        raise UsageError("--name needs --version")
    normalize_label(args.name)
    pinned_label(args.version)
    return Publication(args.name, args.version, args.latest)


def select_contract(target: str) -> tuple[Artifact, str]:
    """Compile FILE[:CONTRACT]; return the artefact and its manifest id 'FILE.sol:CONTRACT'."""
    file, sep, name = target.rpartition(":")
    if not sep:
        file, name = target, ""
    elif not _IDENT_RE.match(name):
        raise UsageError(f"{target!r}: expected FILE.sol:CONTRACT (CONTRACT a Solidity identifier)")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SolcWarning)
        artifacts = compile_file(Path(file))
    for warning in caught:
        first = str(warning.message).strip().splitlines()[0]
        print(f"wabei deploy: solc warning: {first}", file=sys.stderr)
    if not artifacts:
        raise DeployError(f"{file} defines no deployable contract")
    if not name:
        if len(artifacts) > 1:
            raise UsageError(f"{file} defines {', '.join(sorted(artifacts))}; say which as {file}:CONTRACT")
        name = next(iter(artifacts))
    if name not in artifacts:
        raise DeployError(f"{file} has no deployable contract {name!r} (it has {', '.join(sorted(artifacts))})")
    artifact = artifacts[name]
    return artifact, f"{artifact.source_name}:{name}"


def _deploy(args: argparse.Namespace) -> int:
    publish = _publication(args)
    artifact, contract = select_contract(args.target)
    constructor: dict[str, Any] = next((e for e in artifact.abi if e.get("type") == "constructor"), {"inputs": []})
    values = parse_args(constructor.get("inputs", []), args.args)
    w3 = connect(args.rpc_url)
    sender = resolve_sender(w3, args)
    outcome = ensure_deployed(w3, artifact, contract, values, sender, args.manifest_dir, publish)
    entry = outcome.entry
    print(f"{contract} {'deployed' if outcome.deployed else 'already deployed'}")
    print(f"address   {entry.address}")
    print(f"tx        {entry.tx_hash}")
    print(f"block     {entry.block_number}")
    if publish is not None:
        state = "published" if outcome.published else "already published"
        latest = ", now latest" if outcome.made_latest else ""
        print(f"cns       {publish.name}@{publish.version} {state}{latest} "
              f"({ens_name(publish.name, publish.version)})")
    print(f"manifest  {outcome.manifest_path}")
    return 0
