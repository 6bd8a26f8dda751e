"""What every `wabei` subcommand shares: exit codes, parser helpers, the connection to a node,
the choice of sender, and turning a failure into one line on stderr.

Exit codes, the one table for every subcommand (README's "exit 2 for a usage mistake, 1 for
what the chain or the compiler refused" is this table):

    code  ExitCode     when
    0     OK           the command did what was asked
    1     FAILED       the world refused or lacked something: no node answers at --rpc-url, no
                       such file, a compile error, an unknown CNS name, a revert, a transaction
                       mined with status 0
    2     USAGE        what was typed is wrong: argparse's errors, a malformed name, version,
                       address or reference, an argument that does not fit its ABI type
    130   INTERRUPTED  Ctrl-C (128 + SIGINT)

`wabei node` keeps to it as well, with one exception that lives in chain/cli.py's
`node_config`: its two checks of flag combinations (`--block-time` with `--no-mining`, a
`--block-time` that is not positive) exit 1.
"""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

import requests
from eth_account import Account
from eth_utils.address import is_address, to_checksum_address
from web3 import Web3
from web3.exceptions import Web3Exception

# Defined in cli/exits.py (importable without web3), re-exported for every other subcommand.
from cli.exits import ExitCode as ExitCode, OneLineParser as OneLineParser
from cns.errors import CnsError, CnsNameError
from deploy.compile import CompilationError, CompileError
from deploy.errors import DeployError, UsageError
from governance.errors import GovernanceError, GovernanceInputError
from sharing.errors import SharingError
from transact.send import Sender, TransactionError

DEFAULT_RPC_URL = "http://127.0.0.1:8545"
RPC_TIMEOUT = 60  # seconds per request; compiling is local, so only a hung node gets near it


class CliError(Exception):
    """A failure a command reports as one line on stderr and `ExitCode.FAILED`."""


class NodeUnreachable(CliError):
    """No JSON-RPC node answers at the URL the command was given."""


def add_rpc_url(parser: argparse.ArgumentParser, help_text: str | None = None) -> None:
    """Add `--rpc-url` (default `DEFAULT_RPC_URL`); `help_text` replaces the standard help."""
    parser.add_argument("--rpc-url", default=DEFAULT_RPC_URL,
                        help=help_text or f"node JSON-RPC URL (default {DEFAULT_RPC_URL})")


def connection_options() -> OneLineParser:
    """The flags of every command that sends transactions (a parent parser): `--rpc-url`, and
    who sends, `--from ADDRESS` or `--private-key-env VAR` (read with `resolve_sender`)."""
    p = OneLineParser(add_help=False)
    add_rpc_url(p)
    who = p.add_mutually_exclusive_group()
    who.add_argument("--from", dest="sender", metavar="ADDRESS",
                     help="send from this node-managed account (default: the node's first account)")
    who.add_argument("--private-key-env", metavar="VAR",
                     help="sign locally with the private key in environment variable VAR")
    return p


def connect(url: str, *, suggest_node: bool = False) -> Web3:
    """A web3 connection to `url` that has answered once; raises `NodeUnreachable`.

    The error names the URL and the cause ("no JSON-RPC node answers at URL (ConnectionError)").
    `suggest_node` words it instead as `wabei sharing` and `wabei demo` always have, "no node
    answers at URL (start one with `wabei node`)": scripts and tests match on both wordings.
    """
    w3 = Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": RPC_TIMEOUT}))
    try:
        w3.eth.chain_id
    except (requests.RequestException, Web3Exception, ValueError) as exc:
        if suggest_node:
            raise NodeUnreachable(f"no node answers at {url} (start one with `wabei node`)") from None
        raise NodeUnreachable(f"no JSON-RPC node answers at {url} ({type(exc).__name__})") from None
    return w3


def resolve_sender(w3: Web3, args: argparse.Namespace) -> Sender:
    """Who sends, from the flags of `connection_options`: the key in `--private-key-env`, the
    account `--from`, or else the node's first account. Raises `UsageError`."""
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
    """Run `command`, turning every expected failure into one stderr line and its `ExitCode`.

    `prog` starts the line ("wabei deploy: ..."). Exceptions not listed here are bugs and keep
    their traceback.
    """
    try:
        return command()
    except (UsageError, CnsNameError, GovernanceInputError) as exc:
        return _fail(prog, str(exc), ExitCode.USAGE)
    except CompilationError as exc:
        return _fail(prog, f"compile error: {_first_diagnostic(exc)}", ExitCode.FAILED)
    except (CliError, DeployError, CnsError, CompileError, SharingError, TransactionError,
            GovernanceError) as exc:
        return _fail(prog, str(exc), ExitCode.FAILED)
    except requests.RequestException as exc:
        return _fail(prog, f"lost the connection to the node ({type(exc).__name__})", ExitCode.FAILED)
    except Web3Exception as exc:
        return _fail(prog, f"the node refused: {_rpc_message(exc)}", ExitCode.FAILED)
    except KeyboardInterrupt:
        return ExitCode.INTERRUPTED


def _fail(prog: str, message: str, code: ExitCode) -> int:
    print(f"{prog}: {message}", file=sys.stderr)
    return code


def _rpc_message(exc: Web3Exception) -> str:
    """The JSON-RPC error's message when there is one, not the whole response dict."""
    response = getattr(exc, "rpc_response", None)
    error = response.get("error") if isinstance(response, dict) else None
    if isinstance(error, dict) and error.get("message"):
        return str(error["message"])
    message = getattr(exc, "message", None)  # a ContractLogicError's reason, without its revert data
    if isinstance(message, str) and message:
        return message
    return str(exc).replace("\n", " ")


def _first_diagnostic(exc: CompilationError) -> str:
    """solc's first error as one line: 'ParserError: ... (at File.sol:3:1)', plus a count."""
    lines = [ln.strip() for ln in exc.messages[0].splitlines() if ln.strip()] if exc.messages else []
    text = lines[0] if lines else "solc failed"
    if len(lines) > 1 and lines[1].startswith("-->"):
        text += f" (at {lines[1].removeprefix('-->').strip().rstrip(':')})"
    more = len(exc.messages) - 1
    return text + (f" (and {more} more)" if more > 0 else "")
