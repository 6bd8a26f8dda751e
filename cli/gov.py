"""`wabei gov`: the committee (0x…10001) from the command line — propose, vote, show, list.

    wabei gov propose governor 0x7099…79C8 1      # FISCO createUpdateGovernorProposal
    wabei gov propose sysconfig tx_count_limit 500 --interval 100
    wabei gov vote 3 yes
    wabei gov show 3
    wabei gov list

`propose` takes a short kind (below) or FISCO's function name, then the function's arguments
without the interval (parsed by ABI type), and prints the new proposal's id and status.
"""
from __future__ import annotations

import argparse

from cli.common import CliError, OneLineParser, connect, connection_options, resolve_sender, run
from deploy.abiargs import parse_args
from governance.committee import (COMMITTEE_ABI, DEFAULT_INTERVAL, CommitteeClient, CommitteeError,
                                  ProposalInfo)

ALIASES = {
    "governor": "createUpdateGovernorProposal", "rate": "createSetRateProposal",
    "sysconfig": "createSetSysConfigProposal", "deploy-auth-type": "createSetDeployAuthTypeProposal",
    "deploy-auth": "createModifyDeployAuthProposal", "method-auth-type": "createSetMethodAuthTypeProposal",
    "method-auth": "createModifyMethodAuthProposal", "reset-admin": "createResetAdminProposal",
    "contract-status": "createSetContractStatusProposal", "account-status": "createSetAccountStatusProposal",
    "sealer": "createSetConsensusWeightProposal", "rm-node": "createRmNodeProposal",
}


def main(argv: list[str]) -> int:
    """Entry point of `wabei gov ...` (the arguments after `gov`); returns the exit code."""
    args = gov_parser().parse_args(argv)
    return run(f"wabei gov {args.gov_command}", lambda: _guarded(args))


def _guarded(args: argparse.Namespace) -> int:
    try:
        return int(args.handler(args))
    except CommitteeError as exc:
        raise CliError(str(exc)) from None


def gov_parser() -> OneLineParser:
    p = OneLineParser(prog="wabei gov", description="Committee governance (FISCO CommitteeManager at 0x10001).")
    sub = p.add_subparsers(dest="gov_command", required=True, metavar="COMMAND", parser_class=OneLineParser)
    common = [connection_options()]
    kinds = ", ".join(f"{a} ({f})" for a, f in ALIASES.items())
    propose = sub.add_parser("propose", parents=common, help=f"make a proposal; KIND is one of: {kinds}")
    propose.add_argument("kind", metavar="KIND")
    propose.add_argument("args", nargs="*", metavar="ARG")
    propose.add_argument("--interval", type=int, default=DEFAULT_INTERVAL,
                         help=f"blocks until it expires (default {DEFAULT_INTERVAL})")
    propose.set_defaults(handler=cmd_propose)
    vote = sub.add_parser("vote", parents=common, help="vote yes or no on proposal ID")
    vote.add_argument("id", type=int)
    vote.add_argument("choice", choices=["yes", "no"])
    vote.set_defaults(handler=cmd_vote)
    show = sub.add_parser("show", parents=common, help="one proposal: kind, votes, status, what it executes")
    show.add_argument("id", type=int)
    show.set_defaults(handler=cmd_show)
    sub.add_parser("list", parents=common, help="the committee and every proposal").set_defaults(handler=cmd_list)
    return p


def _client(args: argparse.Namespace, writes: bool = False) -> CommitteeClient:
    w3 = connect(args.rpc_url)
    return CommitteeClient(w3, resolve_sender(w3, args) if writes else None)


def cmd_propose(args: argparse.Namespace) -> int:
    function = ALIASES.get(args.kind, args.kind)
    entry = next((e for e in COMMITTEE_ABI if e.get("name") == function and function.startswith("create")), None)
    if entry is None:
        raise CliError(f"unknown proposal kind {args.kind!r}; one of: {', '.join(ALIASES)}")
    values = parse_args(entry["inputs"][:-1], args.args, function)
    committee = _client(args, writes=True)
    pid = committee.propose(function, *values, args.interval)
    print(_line(committee.proposal(pid)))
    return 0


def cmd_vote(args: argparse.Namespace) -> int:
    print(_line(_client(args, writes=True).vote(args.id, args.choice == "yes")))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    p = _client(args).proposal(args.id)
    print(_line(p))
    print(f"proposer  {p.proposer}\nresource  {p.resource}\ncreated   block {p.created}\n"
          f"deadline  block {p.deadline}\nexecuted  {f'block {p.executed}' if p.executed else 'no'}")
    print(f"agree     {', '.join(p.agree) or '-'}\nagainst   {', '.join(p.against) or '-'}")
    print(f"executes  {p.target} 0x{p.data.hex()}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    committee = _client(args)
    info = committee.committee()
    print(f"committee participatesRate {info.participates_rate}% winRate {info.win_rate}%")
    for member, weight in info.members.items():
        print(f"  {member}  weight {weight}")
    for proposal in committee.proposals():
        print(_line(proposal))
    return 0


def _line(p: ProposalInfo) -> str:
    return (f"proposal {p.id}  {p.kind}  {p.status_name}  agree {len(p.agree)} against {len(p.against)}  "
            f"deadline {p.deadline}")
