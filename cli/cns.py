"""`wabei cns`: list, show, resolve, call, set-latest and register, the FISCO console's
queryCNS / callByCNS.

Each handler takes the parsed arguments, prints its result on stdout and returns the exit
code; errors are raised and turned into one stderr line by `cli.common.run`.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, cast

from eth_utils.address import is_address
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import ContractLogicError

from cli.common import OneLineParser, connect, connection_options, resolve_sender, run
from cns.client import CnsClient
from cns.errors import CnsNameError, CnsNotFound
from cns.names import ens_name, normalize_label, parse_reference, pinned_label
from deploy.abiargs import abi_type, describe_revert, format_value, parse_args
from deploy.errors import ArgumentError, DeployError, UsageError
from transact.send import TransactionReverted, send_and_wait


def main(argv: list[str]) -> int:
    """Entry point of `wabei cns ...` (the arguments after `cns`); returns the exit code."""
    args = cns_parser().parse_args(argv)
    prog = f"wabei cns {args.cns_command}"
    return run(prog, lambda: int(args.handler(args)))


def cns_parser() -> OneLineParser:
    """The parser of `wabei cns` and of each of its subcommands."""
    p = OneLineParser(prog="wabei cns", description="Query and use the Contract Name Service.")
    sub = p.add_subparsers(dest="cns_command", required=True, metavar="COMMAND",
                           parser_class=OneLineParser)
    common = [connection_options()]
    sub.add_parser("list", parents=common, help="every published name, its latest version and address") \
        .set_defaults(handler=cmd_list)
    show = sub.add_parser("show", parents=common, help="a name's versions (latest marked) and owner")
    show.add_argument("name")
    show.set_defaults(handler=cmd_show)
    resolve = sub.add_parser("resolve", parents=common, help="print the address of NAME[@VERSION]")
    resolve.add_argument("reference", metavar="NAME[@VERSION]")
    resolve.set_defaults(handler=cmd_resolve)
    call = sub.add_parser("call", parents=common,
                          help="call FUNC of NAME[@VERSION] (view: print result; else: send a transaction)")
    call.add_argument("reference", metavar="NAME[@VERSION]")
    call.add_argument("function", metavar="FUNC", help="a function name, or a signature like f(uint256)")
    call.add_argument("args", nargs="*", metavar="ARG", help="arguments, parsed by ABI type")
    call.set_defaults(handler=cmd_call)
    latest = sub.add_parser("set-latest", parents=common, help="point NAME.wabei at a published version")
    latest.add_argument("name")
    latest.add_argument("version")
    latest.set_defaults(handler=cmd_set_latest)
    reg = sub.add_parser("register", parents=common, help="publish an already deployed contract")
    reg.add_argument("name")
    reg.add_argument("version")
    reg.add_argument("address")
    reg.add_argument("--abi", required=True,
                     help="the ABI: a JSON file (an ABI array or an artefact with an 'abi' key) or JSON text")
    reg.add_argument("--latest", action="store_true", help="also make this version the latest")
    reg.set_defaults(handler=cmd_register)
    return p


def _client(args: argparse.Namespace, writes: bool = False) -> CnsClient:
    w3 = connect(args.rpc_url)
    return CnsClient(w3, resolve_sender(w3, args) if writes else None)


def _versions_or_fail(cns: CnsClient, name: str) -> list[Any]:
    versions = cns.versions(name)
    if not versions:
        raise CnsNotFound(f"no contract is registered as {name!r}")
    return versions


def cmd_list(args: argparse.Namespace) -> int:
    cns = _client(args)
    for name in cns.names():
        latest = cns.latest_version(name)
        print(f"{name}  {latest}  {cns.resolve(name)}  {ens_name(name)}")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    normalize_label(args.name)
    cns = _client(args)
    versions = _versions_or_fail(cns, args.name)
    latest = pinned_label(cns.latest_version(args.name))
    print(f"name     {versions[0].name} ({ens_name(args.name)})")
    print(f"owner    {cns.owner(args.name)}")
    print("versions")
    for v in versions:
        mark = "*" if pinned_label(v.version) == latest else " "
        tag = "  (latest)" if mark == "*" else ""
        print(f"{mark} {v.version}  {v.address}  {ens_name(args.name, v.version)}{tag}")
    return 0


def cmd_resolve(args: argparse.Namespace) -> int:
    ref = parse_reference(args.reference)
    print(_client(args).resolve(ref.name, ref.version))
    return 0


def cmd_set_latest(args: argparse.Namespace) -> int:
    normalize_label(args.name)
    pinned_label(args.version)
    cns = _client(args, writes=True)
    cns.set_latest(args.name, args.version)
    print(f"{ens_name(args.name)} -> {args.name}@{args.version} ({cns.resolve(args.name)})")
    return 0


def cmd_register(args: argparse.Namespace) -> int:
    normalize_label(args.name)
    pinned_label(args.version)
    if not is_address(args.address):
        raise UsageError(f"{args.address!r} is not an address")
    abi = _read_abi(args.abi)
    cns = _client(args, writes=True)
    cns.register(args.name, args.version, args.address, abi, make_latest=args.latest)
    print(f"{args.name}@{args.version} -> {cns.resolve(args.name, args.version)} "
          f"({ens_name(args.name, args.version)})")
    return 0


def _read_abi(source: str) -> str:
    """ABI JSON text from a file or from the argument itself; raises CnsNameError if not JSON."""
    text = source
    if not source.lstrip().startswith(("[", "{")):
        try:
            text = Path(source).read_text(encoding="utf-8")
        except OSError as exc:
            raise DeployError(f"cannot read ABI file {source}: {exc.strerror}") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise CnsNameError(f"the ABI is not valid JSON: {exc}") from None
    if isinstance(data, dict) and isinstance(data.get("abi"), list):
        return json.dumps(data["abi"])
    return text


def cmd_call(args: argparse.Namespace) -> int:
    ref = parse_reference(args.reference)
    w3 = connect(args.rpc_url)
    contract = CnsClient(w3).contract(ref.name, ref.version)
    entry = pick_function(cast(list[dict[str, Any]], list(contract.abi)), args.function, len(args.args), args.reference)
    values = parse_args(entry.get("inputs", []), args.args, what=str(entry["name"]))
    signature = f"{entry['name']}({','.join(abi_type(i) for i in entry.get('inputs', []))})"
    function = contract.get_function_by_signature(signature)(*values)
    if entry.get("stateMutability") in ("view", "pure"):
        try:
            result = function.call()
        except ContractLogicError as exc:
            raise DeployError(f"{signature} reverted: {_reason(exc, contract.abi)}") from None
        outputs = entry.get("outputs", [])
        for value in (result if len(outputs) > 1 else [result] if outputs else []):
            print(format_value(value))
        return 0
    return _transact(w3, contract, function, signature, args)


def _transact(w3: Web3, contract: Contract, function: Any, signature: str, args: argparse.Namespace) -> int:
    sender = resolve_sender(w3, args)
    try:
        receipt = send_and_wait(w3, function, sender)
    except ContractLogicError as exc:
        raise DeployError(f"{signature} reverted: {_reason(exc, contract.abi)}") from None
    except TransactionReverted as exc:
        receipt = exc.receipt  # printed like any receipt: its status line says it failed, exit 1
    ok = receipt["status"] == 1
    print(f"status    {receipt['status']} ({'success' if ok else 'failed'})")
    print(f"tx        {receipt['transactionHash'].to_0x_hex()}")
    print(f"block     {receipt['blockNumber']}")
    print(f"gas used  {receipt['gasUsed']}")
    for event in _decoded_events(contract, receipt):
        print(f"event     {event}")
    return 0 if ok else 1


def _decoded_events(contract: Contract, receipt: Any) -> list[str]:
    shown: list[str] = []
    for log in receipt["logs"]:
        for event in contract.all_events():
            try:
                decoded = event.process_log(log)
            except Exception:  # noqa: BLE001 - not this event; web3 raises several types here
                continue
            fields = ", ".join(f"{k}={format_value(v)}" for k, v in decoded["args"].items())
            shown.append(f"{decoded['event']}({fields})")
            break
    return shown


def pick_function(abi: list[dict[str, Any]], wanted: str, argc: int, where: str) -> dict[str, Any]:
    """The ABI entry `wanted` names: a function name (overloads told apart by arity) or a
    signature `f(uint256,address)`. Raises DeployError if absent, ArgumentError if ambiguous."""
    functions = [e for e in abi if e.get("type") == "function"]
    if "(" in wanted:
        sig = wanted.replace(" ", "")
        found = [e for e in functions
                 if f"{e['name']}({','.join(abi_type(i) for i in e.get('inputs', []))})" == sig]
    else:
        found = [e for e in functions if e.get("name") == wanted]
    if not found:
        names = ", ".join(sorted({str(e["name"]) for e in functions})) or "none"
        raise DeployError(f"{where} has no function {wanted!r} (functions: {names})")
    if len(found) > 1:
        found = [e for e in found if len(e.get("inputs", [])) == argc] or found
    if len(found) > 1:
        sigs = ", ".join(f"{e['name']}({','.join(abi_type(i) for i in e['inputs'])})" for e in found)
        raise ArgumentError(f"{wanted} is overloaded; give the signature: {sigs}")
    return found[0]


def _reason(exc: ContractLogicError, abi: Any) -> str:
    """A revert as one line: the reason string, or the custom error decoded by the ABI."""
    data = exc.data if isinstance(exc.data, str) else None
    decoded = describe_revert(data, abi) if data else None
    if decoded is not None:
        return decoded
    message = str(exc.args[0]) if exc.args else str(exc)
    return message.removeprefix("execution reverted: ").removeprefix("execution reverted") or "no reason"
