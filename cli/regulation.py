"""`wabei intercept` and `wabei kyc`: the regulator's interception rules (0x…1010) and the
identity (KYC) registry (0x…1011) from the shell.

Each handler prints its result and returns the exit code; a refusal by the chain (who may do it,
what cannot be blocked) is one stderr line and exit 1, a malformed argument exit 2
(cli/common.py's table).
"""
from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from web3.types import TxReceipt

from cli.common import OneLineParser, connect, connection_options, resolve_sender, run
from deploy.errors import UsageError
from governance.kyc import IdentityClient, record_hash
from governance.regulation import RegulationClient

Handler = Callable[[argparse.Namespace], int]


def _command(sub: Any, name: str, help_text: str, handler: Handler, *positionals: str) -> OneLineParser:
    cmd: OneLineParser = sub.add_parser(name, parents=[connection_options()], help=help_text)
    for positional in positionals:
        cmd.add_argument(positional)
    cmd.set_defaults(handler=handler)
    return cmd


def _sent(receipt: TxReceipt, what: str) -> int:
    print(f"{what} (transaction {receipt['transactionHash'].to_0x_hex()}, block {receipt['blockNumber']})")
    return 0


def _lines(values: Any) -> int:
    for value in values:
        print(value)
    return 0


def _reg(args: argparse.Namespace, writes: bool = False) -> RegulationClient:
    w3 = connect(args.rpc_url)
    return RegulationClient(w3, resolve_sender(w3, args) if writes else None)


def _kyc(args: argparse.Namespace, writes: bool = False) -> IdentityClient:
    w3 = connect(args.rpc_url)
    return IdentityClient(w3, resolve_sender(w3, args) if writes else None)


def _whole(value: str, what: str) -> int:
    try:
        return int(value, 0)
    except ValueError:
        raise UsageError(f"{what} must be a whole number, not {value!r}") from None


# -- wabei intercept --
def intercept_parser() -> OneLineParser:
    p = OneLineParser(prog="wabei intercept",
                      description="The regulator's interception rules and reports (precompile 0x...1010).")
    sub = p.add_subparsers(dest="sub", required=True, metavar="COMMAND", parser_class=OneLineParser)
    _command(sub, "regulators", "the regulators", lambda a: _lines(_reg(a).regulators()))
    appoint = _command(sub, "set-regulator", "appoint ACCOUNT as a regulator (governors); --remove to remove",
                       lambda a: _sent(_reg(a, True).set_regulator(a.account, not a.remove),
                                       f"{a.account} is {'no longer ' if a.remove else ''}a regulator"), "account")
    appoint.add_argument("--remove", action="store_true")
    _command(sub, "block", "refuse ACCOUNT as any frame's sender or target (regulators)",
             lambda a: _sent(_reg(a, True).block(a.account), f"{a.account} is blocked"), "account")
    _command(sub, "unblock", "lift the block on ACCOUNT (regulators)",
             lambda a: _sent(_reg(a, True).unblock(a.account), f"{a.account} is not blocked"), "account")
    _command(sub, "block-method", "refuse calls of FUNC (0x selector or signature) on CONTRACT (regulators)",
             lambda a: _sent(_reg(a, True).block_method(a.contract, a.func), f"{a.func} on {a.contract} is blocked"),
             "contract", "func")
    _command(sub, "unblock-method", "lift the block on FUNC of CONTRACT (regulators)",
             lambda a: _sent(_reg(a, True).unblock_method(a.contract, a.func), f"{a.func} on {a.contract} is not blocked"),
             "contract", "func")
    threshold = _command(sub, "set-threshold", "value above AMOUNT (wei, or token units with --token) needs KYC "
                         "LEVEL (regulators)", _set_threshold, "amount", "level")
    threshold.add_argument("--token", help="an ERC-20 contract: its transfer/transferFrom amounts (default: ether)")
    remove = _command(sub, "remove-threshold", "remove the ether (or --token) threshold (regulators)",
                      lambda a: _sent(_reg(a, True).remove_threshold(a.token), "threshold removed"))
    remove.add_argument("--token")
    _command(sub, "rules", "every rule in force", _rules)
    listing = _command(sub, "list", "interception reports, oldest first (wabei_getInterceptions)", _list)
    listing.add_argument("--start", type=int, default=0)
    listing.add_argument("--limit", type=int, default=100)
    return p


def _set_threshold(args: argparse.Namespace) -> int:
    amount, level = _whole(args.amount, "AMOUNT"), _whole(args.level, "LEVEL")
    receipt = _reg(args, True).set_threshold(amount, level, args.token)
    return _sent(receipt, f"{args.token or 'ether'} above {amount} needs KYC level {level}")


def _rules(args: argparse.Namespace) -> int:
    reg = _reg(args)
    print("regulators: " + (", ".join(reg.regulators()) or "-"))
    print("blocked: " + (", ".join(reg.blocked()) or "-"))
    print("blocked methods: " + (", ".join(f"{s} on {c}" for c, s in reg.blocked_methods()) or "-"))
    for t in reg.thresholds():
        print(f"threshold: {'ether' if int(t.token, 16) == 0 else t.token} above {t.threshold} needs KYC level {t.min_level}")
    return 0


def _list(args: argparse.Namespace) -> int:
    page = _reg(args).interceptions(args.start, args.limit)
    for r in page.items:
        print(f"#{r.position} block {r.block_number} {r.transaction_hash} {r.rule_name}: {r.reason}")
    shown = f"{page.next} more from --start {page.next}" if page.next is not None else "end"
    print(f"{page.total} interception(s) in all; {shown}")
    return 0


def intercept_main(argv: list[str]) -> int:
    """Entry point of `wabei intercept ...`."""
    args = intercept_parser().parse_args(argv)
    return run(f"wabei intercept {args.sub}", lambda: int(args.handler(args)))


# -- wabei kyc --
def kyc_parser() -> OneLineParser:
    p = OneLineParser(prog="wabei kyc", description="The identity (KYC) registry (precompile 0x...1011).")
    sub = p.add_subparsers(dest="sub", required=True, metavar="COMMAND", parser_class=OneLineParser)
    _command(sub, "issuers", "the authorised KYC issuers", lambda a: _lines(_kyc(a).issuers()))
    issuer = _command(sub, "set-issuer", "authorise ACCOUNT to bind identities (governors); --remove to remove",
                      lambda a: _sent(_kyc(a, True).set_issuer(a.account, not a.remove),
                                      f"{a.account} is {'no longer ' if a.remove else ''}an issuer"), "account")
    issuer.add_argument("--remove", action="store_true")
    bind = _command(sub, "bind", "bind ACCOUNT at LEVEL until EXPIRY (unix seconds, or +SECONDS from the "
                    "latest block) to a KYC record's hash (issuers)", _bind, "account", "level", "expiry")
    record = bind.add_mutually_exclusive_group(required=True)
    record.add_argument("--record-file", help="hash this file locally; only the hash goes on chain")
    record.add_argument("--record-hash", help="the record's 32-byte hash, 0x-hex")
    _command(sub, "revoke", "revoke ACCOUNT's identity (its issuer or a governor)",
             lambda a: _sent(_kyc(a, True).revoke(a.account), f"{a.account}'s identity is revoked"), "account")
    _command(sub, "show", "ACCOUNT's identity record", _show, "account")
    return p


def _bind(args: argparse.Namespace) -> int:
    client = _kyc(args, True)
    level = _whole(args.level, "LEVEL")
    if args.expiry.startswith("+"):
        expiry = int(client.w3.eth.get_block("latest")["timestamp"]) + _whole(args.expiry[1:], "EXPIRY")
    else:
        expiry = _whole(args.expiry, "EXPIRY")
    if args.record_file:
        try:
            digest: bytes | str = record_hash(Path(args.record_file).read_bytes())
        except OSError as exc:
            raise UsageError(f"cannot read --record-file {args.record_file}: {exc.strerror}") from None
    else:
        digest = args.record_hash
    return _sent(client.bind(args.account, digest, level, expiry), f"{args.account} bound at level {level} until {expiry}")


def _show(args: argparse.Namespace) -> int:
    found = _kyc(args).identity(args.account)
    if found is None:
        print("no identity")
        return 0
    print(f"level: {found.level}\nexpiry: {found.expiry}\nissuer: {found.issuer}\n"
          f"record hash: {found.record_hash}\nvalid: {str(found.valid).lower()}")
    return 0


def kyc_main(argv: list[str]) -> int:
    """Entry point of `wabei kyc ...`."""
    args = kyc_parser().parse_args(argv)
    return run(f"wabei kyc {args.sub}", lambda: int(args.handler(args)))
