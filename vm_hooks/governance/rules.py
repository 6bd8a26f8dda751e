"""The governance rules a message frame must pass, read straight from the state.

Which address is checked (as FISCO BCOS 3.x's TransactionExecutive::checkAuth does): the
transaction's origin (`tx.origin`), for deploys and method ACLs alike, in every frame. So a
whitelisted factory contract cannot deploy for a sender who may not deploy: its CREATE/CREATE2
frame is checked against the account that signed the transaction, and so is every internal
call into a contract with a method ACL. Contract status is checked on the called account
(`to`) of every CALL/STATICCALL frame; DELEGATECALL and CALLCODE frames, whose code runs in
the caller's (already checked) account, are not checked, as FISCO skips them. Account status
is checked once, on the origin, at the transaction's first frame.

Unlike FISCO, STATICCALL frames are checked too (FISCO lets them through): a rule then holds
for every way of reaching a contract, and eth_call answers exactly what a transaction would.

`frame_denial` is a pure function of the state and the message; it is called only when the
Permission account's `flags` word is non-zero, and each kind of rule is read only when its flag
says such rules exist.
"""
from __future__ import annotations

from eth.abc import MessageAPI, StateAPI
from eth_utils.address import to_checksum_address

from vm_hooks.addresses import ACCOUNT_MANAGER, PERMISSION
from vm_hooks.consensus.store import StateWords
from vm_hooks.governance.store import (
    ABOLISHED, FLAG_ACCOUNT, FLAG_CONTRACT, FLAG_DEPLOY, FLAG_METHOD, NORMAL, WHITE_LIST,
    AccountStore, PermissionStore,
)
from vm_hooks.storage import slot_of

FLAGS_SLOT = slot_of("flags")  # in the Permission account; see store.py


def account_denial(status: int, account: bytes) -> str | None:
    """The reason a transaction from `account` with `status` is refused, if it is."""
    if status == NORMAL:
        return None
    state_name = "abolished" if status == ABOLISHED else "frozen"
    return (f"AccountManager: account {to_checksum_address(account)} is {state_name}; its "
            "transactions are refused (FISCO status 31 AccountFrozen)")


def frame_denial(state: StateAPI, message: MessageAPI, origin: bytes, flags: int) -> str | None:
    """Why this frame may not run under the rules in `state`, or None if it may."""
    if message.depth == 0 and flags & FLAG_ACCOUNT:
        reason = account_denial(AccountStore(StateWords(state, ACCOUNT_MANAGER)).status(origin), origin)
        if reason is not None:
            return reason
    permissions = PermissionStore(StateWords(state, PERMISSION))
    if message.is_create:
        if flags & FLAG_DEPLOY and not permissions.may_deploy(origin):
            mode = "white list" if permissions.deploy_type() == WHITE_LIST else "black list"
            return (f"Permission: {to_checksum_address(origin)} may not deploy contracts on this chain "
                    f"(deploy {mode}; checked on tx.origin) (FISCO status 18 PermissionDenied)")
        return None
    target = message.storage_address
    if target != message.code_address:
        return None  # DELEGATECALL / CALLCODE: the code runs in an account already checked
    if flags & FLAG_CONTRACT:
        status = permissions.contract_status(target)
        if status != NORMAL:
            state_name = "abolished" if status == ABOLISHED else "frozen"
            return (f"Permission: contract {to_checksum_address(target)} is {state_name} "
                    "(FISCO status 30 ContractFrozen)")
    data = message.data_as_bytes
    if flags & FLAG_METHOD and len(data) >= 4 and not permissions.may_call(target, data[:4], origin):
        mode = "white list" if permissions.method_type(target, data[:4]) == WHITE_LIST else "black list"
        return (f"Permission: {to_checksum_address(origin)} may not call 0x{data[:4].hex()} on "
                f"{to_checksum_address(target)} (method {mode}; checked on tx.origin) "
                "(FISCO status 18 PermissionDenied)")
    return None
