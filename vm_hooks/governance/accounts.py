"""The account manager at 0x…10003: FISCO BCOS v3's AccountManagerPrecompiled interface.

    setAccountStatus(address account, uint8 status) returns (int32)   governors only
    getAccountStatus(address account) returns (uint8)                 0 normal, 1 frozen, 2 abolished

A frozen or abolished account's transactions are refused at pool admission (chain/api/admission
via limits.py) and, if one arrives another way (already pooled, another node's block, eth_call),
fail in the VM at their first frame (rules.py), with FISCO's status 31 (AccountFrozen) in the
reason. Its balance and storage are untouched; unfreezing restores it as it was. An abolished
account stays abolished (FISCO 3.x). A governor cannot be frozen: the chain would lose the
ability to unfreeze it. Nor can a committee member (vm_hooks/committee: a frozen member could
not vote, and the committee refuses to add a frozen account, so the two rules hold each other).
"""
from __future__ import annotations

from typing import Any

from eth_abi.abi import encode
from eth_utils.abi import event_signature_to_log_topic
from eth_utils.address import to_canonical_address, to_checksum_address

from vm_hooks.addresses import ACCOUNT_MANAGER, PERMISSION
from vm_hooks.committee.committee import members_of
from vm_hooks.governance.authority import is_governor, require_governor
from vm_hooks.governance.store import ABOLISHED, FLAG_ACCOUNT, NORMAL, ZERO, AccountStore, PermissionStore
from vm_hooks.governance.writes import writable
from vm_hooks.precompile import AbiPrecompile, Call, Method, revert

PREFIX = "AccountManager"
ACCOUNT_STATUS_CHANGED = event_signature_to_log_topic("AccountStatusChanged(address,uint8)")


def set_account_status(call: Call, account: bytes, status: int) -> tuple[Any, ...]:
    account = to_canonical_address(account)  # eth-abi decodes addresses as checksummed strings
    require_governor(call.computation, call.sender, PREFIX, "change an account's status")
    shown = to_checksum_address(account)
    if status > ABOLISHED:
        raise revert(f"{PREFIX}: status must be 0 (normal), 1 (frozen) or 2 (abolished), not {status}")
    if account == ZERO:
        raise revert(f"{PREFIX}: the zero address has no status to set")
    if status != NORMAL and is_governor(call.computation, account):
        raise revert(f"{PREFIX}: {shown} is a governor of this chain and cannot be frozen or abolished")
    if status != NORMAL and account in members_of(call.computation):
        raise revert(f"{PREFIX}: {shown} is a committee member and cannot be frozen or abolished "
                     "(a frozen member could not vote; remove it from the committee first)")
    store = AccountStore(writable(call.computation, ACCOUNT_MANAGER))
    if store.status(account) == ABOLISHED:
        raise revert(f"{PREFIX}: {shown} is abolished; its status can no longer change")
    store.set_status(account, status)
    if status != NORMAL:
        PermissionStore(writable(call.computation, PERMISSION)).add_flag(FLAG_ACCOUNT)
    call.emit([ACCOUNT_STATUS_CHANGED, account.rjust(32, b"\x00")], encode(["uint8"], [status]))
    return (0,)


def get_account_status(call: Call, account: bytes) -> tuple[Any, ...]:
    account = to_canonical_address(account)
    return (AccountStore(call.storage).status(account),)


ACCOUNT_MANAGER_PRECOMPILE = AbiPrecompile(PREFIX, ACCOUNT_MANAGER, [
    Method("setAccountStatus(address,uint8)", ("int32",), set_account_status, mutates=True),
    Method("getAccountStatus(address)", ("uint8",), get_account_status),
])
