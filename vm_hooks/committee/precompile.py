"""The committee precompile at 0x…10001: FISCO BCOS v3's CommitteeManager, natively.

Members (governors) with weights vote on proposals; a proposal carries one action (kinds.py),
the proposer's agreeing vote is cast as it is created (as FISCO's `_createProposal` does), and
the vote that makes it pass executes it in the same transaction (as FISCO's `voteProposal`):
one internal call from 0x…10001 to the target precompile (execute.py). If that call fails, the
vote's whole transaction reverts with the target's reason and the proposal stays open, so a
passed proposal is one that has executed, exactly once. Expired (outdated), denied and revoked
proposals take no votes and never execute. Only members may create, vote on or revoke
proposals; an account-status proposal that would freeze a member is refused, at creation and
again at execution, and so is a proposal that would make a frozen account a member (the account
manager, for its part, refuses to freeze a member). Every step emits an event (events below).

Committee changes (kinds 11, 12) go through the same path: the committee calls its own
`setWeight(address,uint32)` / `setRate(uint8,uint8)` (FISCO's Committee contract functions),
which only the committee's own address may call.
"""
from __future__ import annotations

from functools import partial
from typing import Any

from eth_abi.abi import decode, encode
from eth_utils.abi import event_signature_to_log_topic
from eth_utils.address import to_canonical_address, to_checksum_address

from vm_hooks.addresses import ACCOUNT_MANAGER, COMMITTEE
from vm_hooks.committee import views
from vm_hooks.committee.committee import Committee, current, materialise
from vm_hooks.committee.execute import call_target
from vm_hooks.committee.kinds import KINDS, SET_ACCOUNT_STATUS, UPDATE_GOVERNOR, Kind, KindError
from vm_hooks.committee.rules import (CREATED, MAX_INTERVAL, NOT_EXIST, PASSED, STATUS_NAMES,
                                      check_rates, effective_status, vote_result)
from vm_hooks.committee.store import AGAINST, AGREE, CommitteeStore
from vm_hooks.governance.store import ABOLISHED, NORMAL, AccountStore
from vm_hooks.precompile import AbiPrecompile, Call, Method, PrecompileRevert, revert
from vm_hooks.storage import MeteredStorage

PROPOSAL_CREATED = event_signature_to_log_topic("ProposalCreated(uint256,address,uint8,address,uint256)")
PROPOSAL_VOTED = event_signature_to_log_topic("ProposalVoted(uint256,address,bool,uint8)")
PROPOSAL_EXECUTED = event_signature_to_log_topic("ProposalExecuted(uint256,address,bytes)")
PROPOSAL_REVOKED = event_signature_to_log_topic("ProposalRevoked(uint256,address)")
EXEC_RESULT = event_signature_to_log_topic("execResult(int256)")  # FISCO's CommitteeManager event
GOVERNOR_UPDATED = event_signature_to_log_topic("GovernorUpdated(address,uint32)")
RATES_UPDATED = event_signature_to_log_topic("RatesUpdated(uint8,uint8)")


def _word(value: int | bytes) -> bytes:
    return value.to_bytes(32, "big") if isinstance(value, int) else bytes(value).rjust(32, b"\x00")


def _member_store(call: Call) -> tuple[CommitteeStore, Committee]:
    """The committee's store, ready for writes, once the caller is known to be a member."""
    committee = current(call)
    if call.sender not in committee.members:
        who = to_checksum_address(call.sender)
        if not committee.members:
            raise revert("Committee: this chain has no committee (its genesis seeded none), so no proposal "
                         "can be made or voted on")
        raise revert(f"Committee: you must be governor: {who} is not a committee member")
    return materialise(call, committee), committee


def _refuse_member_freeze(members: dict[Any, int], account: bytes, status: int) -> None:
    if status != 0 and account in members:
        raise revert(f"Committee: {to_checksum_address(account)} is a committee member; members cannot be "
                     "frozen or abolished (remove it from the committee first)")


def _refuse_empty_committee(members: dict[Any, int], account: bytes, weight: int) -> None:
    rest = sum(w for m, w in members.items() if m != account) + weight
    if rest == 0:
        raise revert("Committee: this change would leave the committee without members (or weight), and "
                     "nobody could govern the chain any more")


def _refuse_frozen_member(call: Call, account: bytes, weight: int) -> None:
    """A frozen or abolished account (AccountManager 0x…10003) cannot join the committee: its
    votes would be transactions refused at admission, and the account manager refuses to freeze
    members, so the two rules keep each other true."""
    if weight == 0:
        return
    status = AccountStore(MeteredStorage(call.computation, ACCOUNT_MANAGER)).status(account)
    if status != NORMAL:
        shown = "abolished" if status == ABOLISHED else "frozen"
        raise revert(f"Committee: {to_checksum_address(account)} is {shown} (AccountManager 0x10003) and cannot "
                     "be a committee member; unfreeze it first")


def _check_kind(kind: Kind, call: Call, committee: Committee, args: tuple[Any, ...]) -> None:
    """The checks that need the committee or the state (the rest are the builder's)."""
    if kind.code == SET_ACCOUNT_STATUS:
        _refuse_member_freeze(committee.members, args[0], args[1])
    elif kind.code == UPDATE_GOVERNOR:
        _refuse_empty_committee(committee.members, args[0], args[1])
        _refuse_frozen_member(call, args[0], args[1])


def create(kind: Kind, call: Call, *args: Any) -> tuple[Any, ...]:
    """Any `create...Proposal`: store it, emit ProposalCreated, cast the proposer's vote."""
    types = Method(kind.signature, (), lambda call: ()).input_types
    # eth-abi answers addresses as checksummed text; the store and the checks work in bytes
    action_args = [to_canonical_address(a) if t == "address" else a for t, a in zip(types, args[:-1])]
    interval = int(args[-1])
    store, committee = _member_store(call)
    try:
        action = kind.build(*action_args)
    except KindError as exc:
        raise revert(f"Committee: {kind.name}: {exc}") from None
    _check_kind(kind, call, committee, tuple(action_args))
    if interval > MAX_INTERVAL:
        raise revert(f"Committee: blockNumberInterval {interval} is too large (at most {MAX_INTERVAL} blocks)")
    block = int(call.computation.state.block_number)
    pid = store.add_proposal(kind.code, call.sender, action.resource, block + interval, action.target,
                             action.data, block, CREATED)
    call.emit([PROPOSAL_CREATED, _word(pid), _word(call.sender)],
              encode(["uint8", "address", "uint256"], [kind.code, action.target, block + interval]))
    _vote(call, store, pid, True)
    return (pid,)


def _refuse_closed(store: CommitteeStore, pid: int, status: int) -> None:
    if status == NOT_EXIST:
        raise revert(f"Committee: proposal {pid} does not exist (FISCO: Proposal not exist)")
    if status == PASSED:
        raise revert(f"Committee: proposal {pid} already passed and was executed at block "
                     f"{store.field(pid, 'executed')}; it cannot be voted on or executed again")
    if status != CREATED:
        deadline = store.field(pid, "deadline")
        detail = f" (its deadline was block {deadline})" if STATUS_NAMES[status] == "outdated" else ""
        raise revert(f"Committee: proposal {pid} is {STATUS_NAMES[status]}{detail} and takes no more votes "
                     "(FISCO: Proposal is not votable)")


def _vote(call: Call, store: CommitteeStore, pid: int, agree: bool) -> None:
    block = int(call.computation.state.block_number)
    stored = store.field(pid, "status") if 0 < pid <= store.proposal_count() else NOT_EXIST
    _refuse_closed(store, pid, effective_status(stored, store.field(pid, "deadline"), block))
    if store.vote_of(pid, call.sender):
        raise revert(f"Committee: {to_checksum_address(call.sender)} already voted on proposal {pid}")
    store.add_vote(pid, call.sender, agree)
    participates, win = store.rates()
    result = vote_result(store.voters(pid, AGREE), store.voters(pid, AGAINST), store.members(), participates, win)
    call.emit([PROPOSAL_VOTED, _word(pid), _word(call.sender)], encode(["bool", "uint8"], [agree, result]))
    if result != CREATED:
        store.set_field(pid, "status", result)
    if result == PASSED:
        _execute(call, store, pid, block)


def _execute(call: Call, store: CommitteeStore, pid: int, block: int) -> None:
    """Run a proposal that has just passed (its status is already PASSED, so a reentrant vote
    finds it closed)."""
    proposal = store.proposal(pid)
    if proposal.type == SET_ACCOUNT_STATUS:  # the committee may have changed since creation
        account, status = decode(["address", "uint8"], proposal.data[4:])
        _refuse_member_freeze(store.members(), to_canonical_address(account), status)
    store.set_field(pid, "executed", block)
    try:
        output = call_target(call.computation, proposal.target, proposal.data)
    except PrecompileRevert as exc:
        raise revert(f"Committee: proposal {pid} passed but could not be executed, so this vote is undone: "
                     f"{exc}") from None
    call.emit([PROPOSAL_EXECUTED, _word(pid), _word(proposal.target)], encode(["bytes"], [output]))
    call.emit([EXEC_RESULT], encode(["int256"], [0]))


def vote_proposal(call: Call, pid: int, agree: bool) -> tuple[Any, ...]:
    store, _ = _member_store(call)
    _vote(call, store, pid, agree)
    return ()


def revoke_proposal(call: Call, pid: int) -> tuple[Any, ...]:
    store, _ = _member_store(call)
    stored = store.field(pid, "status") if 0 < pid <= store.proposal_count() else NOT_EXIST
    _refuse_closed(store, pid, effective_status(stored, store.field(pid, "deadline"),
                                                int(call.computation.state.block_number)))
    proposer = store.field(pid, "proposer").to_bytes(20, "big")
    if proposer != call.sender:
        raise revert(f"Committee: only the proposer {to_checksum_address(proposer)} may revoke proposal {pid} "
                     "(FISCO: Only proposer can revoke)")
    store.set_field(pid, "status", 4)
    call.emit([PROPOSAL_REVOKED, _word(pid), _word(call.sender)], b"")
    return ()


def _only_committee(call: Call, what: str) -> CommitteeStore:
    if call.sender != COMMITTEE:
        raise revert(f"Committee: {what} is called by the committee itself when a proposal passes; propose "
                     "the change instead (createUpdateGovernorProposal / createSetRateProposal)")
    return CommitteeStore(call.storage)


def set_weight(call: Call, account: str, weight: int) -> tuple[Any, ...]:
    store = _only_committee(call, "setWeight")
    member = to_canonical_address(account)
    _refuse_empty_committee(store.members(), member, weight)
    _refuse_frozen_member(call, member, weight)  # it may have been frozen since the proposal was made
    store.set_weight(member, weight)
    call.emit([GOVERNOR_UPDATED, _word(member)], encode(["uint32"], [weight]))
    return ()


def set_rate(call: Call, participates_rate: int, win_rate: int) -> tuple[Any, ...]:
    store = _only_committee(call, "setRate")
    try:
        check_rates(participates_rate, win_rate)
    except ValueError as exc:
        raise revert(f"Committee: {exc}") from None
    store.set_rates(participates_rate, win_rate)
    call.emit([RATES_UPDATED], encode(["uint8", "uint8"], [participates_rate, win_rate]))
    return ()


# Every event: (name, [(field, type, indexed)]); the client's ABI is built from this and METHODS.
EVENTS: tuple[tuple[str, tuple[tuple[str, str, bool], ...]], ...] = (
    ("ProposalCreated", (("proposalId", "uint256", True), ("proposer", "address", True),
                         ("proposalType", "uint8", False), ("target", "address", False),
                         ("deadline", "uint256", False))),
    ("ProposalVoted", (("proposalId", "uint256", True), ("voter", "address", True), ("agree", "bool", False),
                       ("status", "uint8", False))),
    ("ProposalExecuted", (("proposalId", "uint256", True), ("target", "address", True), ("result", "bytes", False))),
    ("ProposalRevoked", (("proposalId", "uint256", True), ("proposer", "address", True))),
    ("execResult", (("code", "int256", False),)),
    ("GovernorUpdated", (("account", "address", True), ("weight", "uint32", False))),
    ("RatesUpdated", (("participatesRate", "uint8", False), ("winRate", "uint8", False))),
)

METHODS: tuple[Method, ...] = (
    *(Method(k.signature, ("uint256",), partial(create, k), mutates=True) for k in KINDS),
    Method("voteProposal(uint256,bool)", (), vote_proposal, mutates=True),
    Method("revokeProposal(uint256)", (), revoke_proposal, mutates=True),
    Method("setWeight(address,uint32)", (), set_weight, mutates=True),
    Method("setRate(uint8,uint8)", (), set_rate, mutates=True),
    *views.METHODS,
)
COMMITTEE_PRECOMPILE = AbiPrecompile("Committee", COMMITTEE, METHODS)
