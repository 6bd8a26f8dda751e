"""`wabei perm`, `wabei freeze` and `wabei sysconfig`: the governance precompiles from the shell,
as FISCO's console has them (grantDeployAuth/freezeAccount/setSystemConfigByKey...).

Each handler prints its result and returns the exit code; a refusal by the chain (who may do
it, what is out of range) is one stderr line and exit 1, a malformed argument exit 2
(cli/common.py's table).
"""
from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from web3.types import TxReceipt

from cli.common import OneLineParser, connect, connection_options, resolve_sender, run
from governance.client import (
    CONFIG_KEYS, AccountClient, PermissionClient, Status, SystemConfigClient,
)

Handler = Callable[[argparse.Namespace], int]


def _subparsers(prog: str, description: str) -> tuple[OneLineParser, Any]:
    p = OneLineParser(prog=prog, description=description)
    return p, p.add_subparsers(dest="sub", required=True, metavar="COMMAND", parser_class=OneLineParser)


def _add(sub: Any, name: str, help_text: str, handler: Handler, *positionals: str) -> None:
    cmd = sub.add_parser(name, parents=[connection_options()], help=help_text)
    for positional in positionals:
        cmd.add_argument(positional)
    cmd.set_defaults(handler=handler)


def _main(parser: OneLineParser, prog: str, argv: list[str]) -> int:
    args = parser.parse_args(argv)
    return run(f"{prog} {args.sub}", lambda: int(args.handler(args)))


def _sent(receipt: TxReceipt, what: str) -> int:
    print(f"{what} (transaction {receipt['transactionHash'].to_0x_hex()}, block {receipt['blockNumber']})")
    return 0


def _perm(args: argparse.Namespace, writes: bool = False) -> PermissionClient:
    w3 = connect(args.rpc_url)
    return PermissionClient(w3, resolve_sender(w3, args) if writes else None)


def _accounts(args: argparse.Namespace, writes: bool = False) -> AccountClient:
    w3 = connect(args.rpc_url)
    return AccountClient(w3, resolve_sender(w3, args) if writes else None)


# -- wabei perm --
def perm_parser() -> OneLineParser:
    p, sub = _subparsers("wabei perm", "Deploy and method permissions (Permission precompile 0x...1005).")
    _add(sub, "governors", "the chain's governors (committee, chain admin)",
         lambda a: _lines(_perm(a).governors()))
    _add(sub, "deploy-type", "print the deploy auth type (open, white_list, black_list)",
         lambda a: _lines([_perm(a).deploy_type().name.lower()]))
    _add(sub, "set-deploy-type", "set the deploy auth type: open, white_list or black_list (governors)",
         lambda a: _sent(_perm(a, True).set_deploy_type(a.type), f"deploy auth type is now {a.type}"), "type")
    _add(sub, "open-deploy", "let ACCOUNT deploy (governors)",
         lambda a: _sent(_perm(a, True).open_deploy(a.account), f"{a.account} may deploy"), "account")
    _add(sub, "close-deploy", "stop ACCOUNT deploying (governors)",
         lambda a: _sent(_perm(a, True).close_deploy(a.account), f"{a.account} may not deploy"), "account")
    _add(sub, "can-deploy", "whether ACCOUNT may deploy",
         lambda a: _lines([str(_perm(a).may_deploy(a.account)).lower()]), "account")
    _add(sub, "set-method-type", "FUNC (0x selector or signature) of CONTRACT: open, white_list, black_list",
         lambda a: _sent(_perm(a, True).set_method_type(a.contract, a.func, a.type), "method auth type set"),
         "contract", "func", "type")
    _add(sub, "open-method", "let ACCOUNT call FUNC of CONTRACT",
         lambda a: _sent(_perm(a, True).open_method(a.contract, a.func, a.account), "opened"),
         "contract", "func", "account")
    _add(sub, "close-method", "stop ACCOUNT calling FUNC of CONTRACT",
         lambda a: _sent(_perm(a, True).close_method(a.contract, a.func, a.account), "closed"),
         "contract", "func", "account")
    _add(sub, "show-method", "FUNC's auth type and the accounts it admits and refuses", _show_method,
         "contract", "func")
    _add(sub, "can-call", "whether ACCOUNT may call FUNC of CONTRACT",
         lambda a: _lines([str(_perm(a).may_call(a.contract, a.func, a.account)).lower()]),
         "contract", "func", "account")
    _add(sub, "admin", "CONTRACT's admin", lambda a: _lines([_perm(a).admin(a.contract)]), "contract")
    _add(sub, "reset-admin", "give CONTRACT a new admin (governors)",
         lambda a: _sent(_perm(a, True).reset_admin(a.contract, a.admin), f"admin is now {a.admin}"),
         "contract", "admin")
    return p


def _show_method(args: argparse.Namespace) -> int:
    rule = _perm(args).method_rule(args.contract, args.func)
    print(f"type: {rule.auth_type.name.lower()}")
    print("admitted: " + (", ".join(rule.admitted) or "-"))
    print("refused: " + (", ".join(rule.refused) or "-"))
    return 0


def _lines(values: Any) -> int:
    for value in values:
        print(value)
    return 0


def perm_main(argv: list[str]) -> int:
    """Entry point of `wabei perm ...`."""
    return _main(perm_parser(), "wabei perm", argv)


# -- wabei freeze --
def freeze_parser() -> OneLineParser:
    p, sub = _subparsers("wabei freeze", "Freeze accounts (AccountManager 0x...10003) and contracts "
                                         "(Permission 0x...1005).")
    _add(sub, "account", "freeze ACCOUNT: its transactions are refused; its funds stay (governors)",
         lambda a: _sent(_accounts(a, True).freeze(a.account), f"{a.account} is frozen"), "account")
    _add(sub, "unfreeze", "unfreeze ACCOUNT (governors)",
         lambda a: _sent(_accounts(a, True).unfreeze(a.account), f"{a.account} is normal"), "account")
    _add(sub, "abolish", "abolish ACCOUNT for good (governors)",
         lambda a: _sent(_accounts(a, True).set_status(a.account, Status.ABOLISHED), f"{a.account} is abolished"),
         "account")
    _add(sub, "status", "ACCOUNT's status: normal, frozen or abolished",
         lambda a: _lines([_accounts(a).status(a.account).name.lower()]), "account")
    _add(sub, "contract", "freeze CONTRACT: every call to it reverts (its admin or a governor)",
         lambda a: _sent(_perm(a, True).set_contract_status(a.contract, Status.FROZEN), f"{a.contract} is frozen"),
         "contract")
    _add(sub, "unfreeze-contract", "unfreeze CONTRACT (its admin or a governor)",
         lambda a: _sent(_perm(a, True).set_contract_status(a.contract, Status.NORMAL), f"{a.contract} is normal"),
         "contract")
    _add(sub, "contract-status", "CONTRACT's status: normal, frozen or abolished",
         lambda a: _lines([_perm(a).contract_status(a.contract).name.lower()]), "contract")
    return p


def freeze_main(argv: list[str]) -> int:
    """Entry point of `wabei freeze ...`."""
    return _main(freeze_parser(), "wabei freeze", argv)


# -- wabei sysconfig --
def sysconfig_parser() -> OneLineParser:
    p, sub = _subparsers("wabei sysconfig", "Chain limits (SystemConfig precompile 0x...1000).")
    get = sub.add_parser("get", parents=[connection_options()], help="print KEY's value, or every key's")
    get.add_argument("key", nargs="?", choices=CONFIG_KEYS)
    get.set_defaults(handler=_get)
    _add(sub, "set", "set KEY to VALUE from the next block (governors)",
         lambda a: _sent(_config(a, True).set(a.key, a.value), f"{a.key} = {a.value} from the next block"),
         "key", "value")
    return p


def _config(args: argparse.Namespace, writes: bool = False) -> SystemConfigClient:
    w3 = connect(args.rpc_url)
    return SystemConfigClient(w3, resolve_sender(w3, args) if writes else None)


def _get(args: argparse.Namespace) -> int:
    client = _config(args)
    for key in [args.key] if args.key else CONFIG_KEYS:
        entry = client.get(key)
        shown = "unset" if entry.value is None else f"{entry.value} (from block {entry.enable_number})"
        print(f"{key}: {shown}")
    return 0


def sysconfig_main(argv: list[str]) -> int:
    """Entry point of `wabei sysconfig ...`."""
    return _main(sysconfig_parser(), "wabei sysconfig", argv)
