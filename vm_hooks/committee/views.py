"""The committee precompile's read methods: FISCO's names (Committee.getCommitteeInfo,
isGovernor, getWeight; ProposalManager.getProposalInfo, getProposalInfoList,
getProposalStatus; CommitteeManager.getProposalType) plus Wabei's `proposalCount()` (FISCO's
public `_proposalCount`) and `getProposalAction(id)` (what the proposal executes, and when).

A proposal id that does not exist reads as zeros (status 0), as FISCO's mappings do. Statuses
are aged: an open proposal past its deadline reads as 5 (outdated).
"""
from __future__ import annotations

from typing import Any

from eth_utils.address import to_canonical_address

from vm_hooks.committee.committee import current
from vm_hooks.committee.rules import NOT_EXIST, effective_status
from vm_hooks.committee.store import CommitteeStore, Proposal
from vm_hooks.precompile import Call, Method, revert

INFO_TYPES = "(address,address,uint8,uint256,uint8,address[],address[])"


def is_governor(call: Call, account: str) -> tuple[Any, ...]:
    return (to_canonical_address(account) in current(call).members,)


def get_weight(call: Call, account: str) -> tuple[Any, ...]:
    return (current(call).members.get(to_canonical_address(account), 0),)


def committee_info(call: Call) -> tuple[Any, ...]:
    committee = current(call)
    return (committee.participates_rate, committee.win_rate, list(committee.members),
            list(committee.members.values()))


def proposal_count(call: Call) -> tuple[Any, ...]:
    return (CommitteeStore(call.storage).proposal_count(),)


def _proposal(call: Call, pid: int) -> Proposal | None:
    store = CommitteeStore(call.storage)
    return store.proposal(pid) if 0 < pid <= store.proposal_count() else None


def _status(call: Call, proposal: Proposal | None) -> int:
    if proposal is None:
        return NOT_EXIST
    return effective_status(proposal.status, proposal.deadline, int(call.computation.state.block_number))


def _info(call: Call, proposal: Proposal | None) -> tuple[Any, ...]:
    if proposal is None:
        return (b"\x00" * 20, b"\x00" * 20, 0, 0, 0, [], [])
    return (proposal.resource, proposal.proposer, proposal.type, proposal.deadline, _status(call, proposal),
            list(proposal.agree), list(proposal.against))


def proposal_type(call: Call, pid: int) -> tuple[Any, ...]:
    proposal = _proposal(call, pid)
    return (proposal.type if proposal else 0,)


def proposal_status(call: Call, pid: int) -> tuple[Any, ...]:
    return (_status(call, _proposal(call, pid)),)


def proposal_info(call: Call, pid: int) -> tuple[Any, ...]:
    return _info(call, _proposal(call, pid))


def proposal_info_list(call: Call, first: int, last: int) -> tuple[Any, ...]:
    """Proposals `first`..`last` (inclusive; `last` past the count is clamped, `first` 0 is 1),
    FISCO's getProposalInfoList."""
    count = CommitteeStore(call.storage).proposal_count()
    if first > count:
        raise revert(f"Committee: 'from' ({first}) is greater than the proposal count ({count})")
    if first > last:
        raise revert(f"Committee: 'from' ({first}) is greater than 'to' ({last})")
    return ([_info(call, _proposal(call, pid)) for pid in range(max(first, 1), min(last, count) + 1)],)


def proposal_action(call: Call, pid: int) -> tuple[Any, ...]:
    proposal = _proposal(call, pid)
    if proposal is None:
        return (b"\x00" * 20, b"", 0, 0)
    return (proposal.target, proposal.data, proposal.created, proposal.executed)


METHODS = (
    Method("isGovernor(address)", ("bool",), is_governor),
    Method("getWeight(address)", ("uint32",), get_weight),
    Method("getCommitteeInfo()", ("uint8", "uint8", "address[]", "uint32[]"), committee_info),
    Method("proposalCount()", ("uint256",), proposal_count),
    Method("getProposalType(uint256)", ("uint8",), proposal_type),
    Method("getProposalStatus(uint256)", ("uint8",), proposal_status),
    Method("getProposalInfo(uint256)", ("address", "address", "uint8", "uint256", "uint8", "address[]",
                                        "address[]"), proposal_info),
    Method("getProposalInfoList(uint256,uint256)", (f"{INFO_TYPES}[]",), proposal_info_list),
    Method("getProposalAction(uint256)", ("address", "bytes", "uint256", "uint256"), proposal_action),
)
