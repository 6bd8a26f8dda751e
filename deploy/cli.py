"""`wabei deploy` and `wabei cns ...`: the FISCO console's deployByCNS / queryCNS / callByCNS.

chain/cli.py only registers these subcommands and hands their arguments to `deploy_main` and
`cns_main`. Every failure ends as one line on stderr: exit 2 for a mistake in what was typed
(argparse errors, malformed names, arguments that do not fit the ABI), exit 1 for what the
world refused or lacked (no node, no file, compile errors, unknown names, reverts).
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import requests
from eth_account import Account
from eth_utils.address import is_address, to_checksum_address
from web3 import Web3
from web3.exceptions import Web3Exception

from cns.errors import CnsError, CnsNameError
from cns.names import ens_name, normalize_label, pinned_label
from deploy import manifest
from deploy.abiargs import parse_args
from deploy.compile import Artifact, CompilationError, CompileError, SolcWarning, compile_file
from deploy.errors import DeployError, NodeUnreachable, UsageError
from deploy.runner import Publication, ensure_deployed
from transact.send import Sender

DEFAULT_RPC_URL = "http://127.0.0.1:8545"
_IDENT_RE = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line on stderr and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def connection_options() -> OneLineParser:
    """The flags every networked command shares (a parent parser)."""
    p = OneLineParser(add_help=False)
    p.add_argument("--rpc-url", default=DEFAULT_RPC_URL, help=f"node JSON-RPC URL (default {DEFAULT_RPC_URL})")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--from", dest="sender", metavar="ADDRESS",
                     help="send from this node-managed account (default: the node's first account)")
    who.add_argument("--private-key-env", metavar="VAR",
                     help="sign locally with the private key in environment variable VAR")
    return p


def connect(url: str) -> Web3:
    """A web3 connection that has answered once; raises NodeUnreachable."""
    w3 = Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": 60}))
    try:
        w3.eth.chain_id
    except (requests.RequestException, Web3Exception, ValueError) as exc:
        raise NodeUnreachable(f"no JSON-RPC node answers at {url} ({type(exc).__name__})") from None
    return w3


def resolve_sender(w3: Web3, args: argparse.Namespace) -> Sender:
    """The account transactions are sent from, per --from / --private-key-env / the node's first."""
    if args.private_key_env:
        key = os.environ.get(args.private_key_env)
        if not key:
            raise UsageError(f"environment variable {args.private_key_env} is not set")
        try:
            return Account.from_key(key)  # type: ignore[no-any-return]
        except (ValueError, TypeError):
            raise UsageError(f"environment variable {args.private_key_env} does not hold a private key") from None
    if args.sender:
        if not is_address(args.sender):
            raise UsageError(f"--from {args.sender!r} is not an address")
        return to_checksum_address(args.sender)
    accounts = w3.eth.accounts
    if not accounts:
        raise UsageError("the node manages no accounts; pass --from or --private-key-env")
    return accounts[0]


def run(prog: str, command: Callable[[], int]) -> int:
    """Run `command`, turning every expected failure into one stderr line and an exit code."""
    try:
        return command()
    except (UsageError, CnsNameError) as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return 2
    except CompilationError as exc:
        print(f"{prog}: compile error: {_first_diagnostic(exc)}", file=sys.stderr)
        return 1
    except (DeployError, CnsError, CompileError) as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return 1
    except requests.RequestException as exc:
        print(f"{prog}: lost the connection to the node ({type(exc).__name__})", file=sys.stderr)
        return 1
    except Web3Exception as exc:
        print(f"{prog}: the node refused: {_rpc_message(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _rpc_message(exc: Web3Exception) -> str:
    """The JSON-RPC error's message when there is one, not the whole response dict."""
    response = getattr(exc, "rpc_response", None)
    error = response.get("error") if isinstance(response, dict) else None
    if isinstance(error, dict) and error.get("message"):
        return str(error["message"])
    return str(exc).replace("\n", " ")


def _first_diagnostic(exc: CompilationError) -> str:
    """solc's first error as one line: 'ParserError: ... (at File.sol:3:1)', plus a count."""
    lines = [ln.strip() for ln in exc.messages[0].splitlines() if ln.strip()] if exc.messages else []
    text = lines[0] if lines else "solc failed"
    if len(lines) > 1 and lines[1].startswith("-->"):
        text += f" (at {lines[1].removeprefix('-->').strip().rstrip(':')})"
    more = len(exc.messages) - 1
    return text + (f" (and {more} more)" if more > 0 else "")


# --- wabei deploy ---------------------------------------------------------------------------

def deploy_parser() -> OneLineParser:
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


def deploy_main(argv: list[str]) -> int:
    """Entry point of `wabei deploy`; returns the exit code."""
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


# --- wabei cns ------------------------------------------------------------------------------

def cns_main(argv: list[str]) -> int:
    """Entry point of `wabei cns ...`; returns the exit code."""
    from deploy.cns_commands import cns_parser

    args = cns_parser().parse_args(argv)
    prog = f"wabei cns {args.cns_command}"
    return run(prog, lambda: int(args.handler(args)))
