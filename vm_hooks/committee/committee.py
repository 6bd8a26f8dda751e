"""Who the committee is right now, including the implicit committee of a devnet.

A devnet's genesis writes nothing for the committee (so every existing `--data-dir` devnet keeps
its genesis hash and opens): while the committee's storage is not initialised, a chain without
the network-only Consensus account (0x…1003, created by every network genesis and never by a
devnet's) has the implicit committee {first dev account 0xf39F…2266: weight 1} with FISCO's
default thresholds (0 %, 0 %), so that account's proposals pass as they are created. The first
write stores that committee for real (and gives the account nonce 1 and stub code, so EIP-161
never sweeps it away). A network chain whose genesis seeded no committee has none: every
proposal is refused. The rule reads only the state, so every node (a follower of a devnet too)
decides it the same way.
"""
from __future__ import annotations

from dataclasses import dataclass

from eth.abc import ComputationAPI
from eth_typing import Address
from eth_utils.address import to_canonical_address

from vm_hooks.addresses import COMMITTEE, CONSENSUS, SYSTEM_STUB_CODE
from vm_hooks.committee.store import CommitteeStore
from vm_hooks.precompile import Call
from vm_hooks.storage import READ_WORD_GAS, WRITE_WORD_GAS, MeteredStorage

DEV_GOVERNOR = Address(to_canonical_address("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"))
DEV_RATES = (0, 0)  # FISCO's default participatesRate and winRate


@dataclass(frozen=True)
class Committee:
    """The members (address → weight) and thresholds in force."""

    members: dict[Address, int]
    participates_rate: int
    win_rate: int


def is_devnet_state(computation: ComputationAPI) -> bool:
    """True on a chain whose genesis had no network accounts (a devnet, or its follower)."""
    computation.consume_gas(READ_WORD_GAS, reason="committee: chain kind")
    return computation.state.get_code(CONSENSUS) == b""


def current(call: Call) -> Committee:
    """The committee in force for this call (implicit on an uninitialised devnet)."""
    store = CommitteeStore(call.storage)
    if store.initialised():
        return Committee(store.members(), *store.rates())
    if is_devnet_state(call.computation):
        return Committee({DEV_GOVERNOR: 1}, *DEV_RATES)
    return Committee({}, 0, 0)


def members_of(computation: ComputationAPI) -> dict[Address, int]:
    """The committee's members in force, read (metered) by another precompile: the account
    manager asks it before it freezes anyone, since a frozen member could not vote."""
    return current(Call(computation, COMMITTEE, MeteredStorage(computation, COMMITTEE))).members


def materialise(call: Call, committee: Committee) -> CommitteeStore:
    """The store, ready for writes: the account made permanent and an implicit committee stored."""
    store = CommitteeStore(call.storage)
    state = call.computation.state
    if state.get_nonce(call.storage.address) == 0:
        call.computation.consume_gas(2 * WRITE_WORD_GAS, reason="committee: create its account")
        state.set_nonce(call.storage.address, 1)
        state.set_code(call.storage.address, SYSTEM_STUB_CODE)
    if not store.initialised():
        store.mark_initialised()
        store.set_rates(committee.participates_rate, committee.win_rate)
        for member, weight in committee.members.items():
            store.set_weight(member, weight)
    return store
