"""The Permission precompile at 0x…1005: FISCO BCOS v3's ContractAuthPrecompiled interface.

Deploy authorisation (a white or black list of accounts), per-contract method ACLs by selector
(white or black list per selector), contract admins and contract status (normal, frozen,
abolished). Same function names, signatures and result types as FISCO v3; a refusal reverts
with a reason that names FISCO's code instead of returning a negative number, so a transaction
cannot silently fail to change a rule. Enforcement is not here but in rules.py, on every
message frame.

Who may write:
- deploy type and deploy lists, `resetAdmin`, abolishing a contract: the chain's governors
  (authority.py);
- a contract's method ACLs and freezing/unfreezing it: its admin (tx.origin of its deployment,
  recorded once the chain has any rule) or a governor.
The governance contracts themselves (0x…1000–0x…1fff, 0x…10001, 0x…10003) take no rules, so
governance cannot lock itself out.
"""
from __future__ import annotations

from typing import Any

from eth_abi.abi import encode
from eth_typing import Address
from eth_utils.abi import event_signature_to_log_topic
from eth_utils.address import to_canonical_address, to_checksum_address

from vm_hooks.addresses import ACCOUNT_MANAGER, COMMITTEE, PERMISSION, is_platform_address
from vm_hooks.governance.authority import (
    CODE_NO_AUTHORIZED, governors, is_governor, require_governor,
)
from vm_hooks.governance.store import (
    ABOLISHED, BLACK_LIST, CLOSED, FROZEN, NORMAL, OPEN, OPENED, WHITE_LIST, ZERO, PermissionStore,
    allowed,
)
from vm_hooks.governance.writes import writable
from vm_hooks.precompile import AbiPrecompile, Call, Method, revert

PREFIX = "Permission"
SUCCESS = (0,)
_MODES = {OPEN: "open", WHITE_LIST: "white list", BLACK_LIST: "black list"}
_STATUSES = {NORMAL: "normal", FROZEN: "frozen", ABOLISHED: "abolished"}

DEPLOY_TYPE_SET = event_signature_to_log_topic("DeployAuthTypeSet(uint8)")
DEPLOY_AUTH_CHANGED = event_signature_to_log_topic("DeployAuthChanged(address,bool)")
METHOD_TYPE_SET = event_signature_to_log_topic("MethodAuthTypeSet(address,bytes4,uint8)")
METHOD_AUTH_CHANGED = event_signature_to_log_topic("MethodAuthChanged(address,bytes4,address,bool)")
CONTRACT_STATUS_CHANGED = event_signature_to_log_topic("ContractStatusChanged(address,uint8)")
ADMIN_RESET = event_signature_to_log_topic("AdminReset(address,address)")


def _a(value: str | bytes) -> Address:
    """An ABI-decoded address (eth-abi gives a checksummed string) as 20 bytes."""
    return Address(to_canonical_address(value))


def _topic(address: bytes) -> bytes:
    return address.rjust(32, b"\x00")


def _reader(call: Call) -> PermissionStore:
    return PermissionStore(call.storage)


def _writer(call: Call) -> PermissionStore:
    return PermissionStore(writable(call.computation, PERMISSION))


def _check_contract(call: Call, contract: bytes) -> None:
    """`contract` must be a user contract: code, and not one of the platform's own."""
    shown = to_checksum_address(contract)
    if is_platform_address(contract) or contract in (COMMITTEE, ACCOUNT_MANAGER):
        raise revert(f"{PREFIX}: {shown} is a platform contract; its rules are fixed")
    if not call.computation.state.get_code(Address(contract)):
        raise revert(f"{PREFIX}: {shown} is not a contract (it has no code)")


def _require_manager(call: Call, contract: bytes, action: str) -> None:
    """The contract's admin or a governor."""
    admin = _reader(call).contract_admin(contract)
    if (admin != ZERO and call.sender == admin) or is_governor(call.computation, call.sender):
        return
    who = " or ".join(to_checksum_address(a) for a in
                      ((admin,) if admin != ZERO else ()) + governors(call.computation))
    raise revert(f"{PREFIX}: only {to_checksum_address(contract)}'s admin or the chain's governors "
                 f"({who}) may {action}, not {to_checksum_address(call.sender)} "
                 f"(FISCO {CODE_NO_AUTHORIZED} CODE_NO_AUTHORIZED)")


def _mode(value: int, what: str) -> int:
    if value not in _MODES:
        raise revert(f"{PREFIX}: {what} must be 0 (open), 1 (white list) or 2 (black list), not {value}")
    return value


# -- contract admins --
def get_admin(call: Call, contract: bytes) -> tuple[Any, ...]:
    contract = _a(contract)
    return (_reader(call).contract_admin(contract),)


def reset_admin(call: Call, contract: bytes, admin: bytes) -> tuple[Any, ...]:
    contract, admin = _a(contract), _a(admin)
    require_governor(call.computation, call.sender, PREFIX, "reset a contract's admin")
    _check_contract(call, contract)
    _writer(call).set_contract_admin(contract, admin)
    call.emit([ADMIN_RESET, _topic(contract)], encode(["address"], [admin]))
    return SUCCESS


# -- method ACLs --
def set_method_auth_type(call: Call, contract: bytes, func: bytes, auth_type: int) -> tuple[Any, ...]:
    contract = _a(contract)
    _check_contract(call, contract)
    _require_manager(call, contract, "set its method auth type")
    _writer(call).set_method_type(contract, func, _mode(auth_type, "authType"))
    call.emit([METHOD_TYPE_SET, _topic(contract)], encode(["bytes4", "uint8"], [func, auth_type]))
    return SUCCESS


def _set_method_auth(call: Call, contract: bytes, func: bytes, account: bytes, opened: bool) -> tuple[Any, ...]:
    contract, account = _a(contract), _a(account)
    _check_contract(call, contract)
    _require_manager(call, contract, "change its method ACLs")
    store = _writer(call)
    mode = store.method_type(contract, func)
    if mode == OPEN:
        raise revert(f"{PREFIX}: 0x{func.hex()} of {to_checksum_address(contract)} has no auth type; "
                     "call setMethodAuthType(contract, func, 1 or 2) first (FISCO -51901)")
    store.set_method_entry(contract, func, mode, account, OPENED if opened else CLOSED)
    call.emit([METHOD_AUTH_CHANGED, _topic(contract), _topic(account)],
              encode(["bytes4", "bool"], [func, opened]))
    return SUCCESS


def open_method_auth(call: Call, contract: bytes, func: bytes, account: bytes) -> tuple[Any, ...]:
    return _set_method_auth(call, contract, func, account, True)


def close_method_auth(call: Call, contract: bytes, func: bytes, account: bytes) -> tuple[Any, ...]:
    return _set_method_auth(call, contract, func, account, False)


def check_method_auth(call: Call, contract: bytes, func: bytes, account: bytes) -> tuple[Any, ...]:
    contract, account = _a(contract), _a(account)
    return (_reader(call).may_call(contract, func, account),)


def get_method_auth(call: Call, contract: bytes, func: bytes) -> tuple[Any, ...]:
    """(auth type, accounts admitted, accounts refused), as FISCO lists them (hex strings)."""
    contract = _a(contract)
    store = _reader(call)
    mode = store.method_type(contract, func)
    if mode == OPEN:
        return (0, [], [])
    named = store.method_accounts(contract, func, mode)
    admitted = [to_checksum_address(a) for a, e in named if allowed(mode, e)]
    refused = [to_checksum_address(a) for a, e in named if not allowed(mode, e)]
    return (mode, admitted, refused)


# -- contract status --
def _set_status(call: Call, contract: bytes, status: int) -> tuple[Any, ...]:
    contract = _a(contract)
    if status not in _STATUSES:
        raise revert(f"{PREFIX}: status must be 0 (normal), 1 (frozen) or 2 (abolished), not {status}")
    _check_contract(call, contract)
    if status == ABOLISHED:
        require_governor(call.computation, call.sender, PREFIX, "abolish a contract")
    else:
        _require_manager(call, contract, "freeze or unfreeze it")
    store = _writer(call)
    if store.contract_status(contract) == ABOLISHED:
        raise revert(f"{PREFIX}: {to_checksum_address(contract)} is abolished; its status can no "
                     "longer change")
    store.set_contract_status(contract, status)
    call.emit([CONTRACT_STATUS_CHANGED, _topic(contract)], encode(["uint8"], [status]))
    return SUCCESS


def set_contract_status_bool(call: Call, contract: bytes, freeze: bool) -> tuple[Any, ...]:
    return _set_status(call, contract, FROZEN if freeze else NORMAL)


def set_contract_status(call: Call, contract: bytes, status: int) -> tuple[Any, ...]:
    return _set_status(call, contract, status)


def contract_available(call: Call, contract: bytes) -> tuple[Any, ...]:
    contract = _a(contract)
    return (_reader(call).contract_status(contract) == NORMAL,)


def contract_status(call: Call, contract: bytes) -> tuple[Any, ...]:
    contract = _a(contract)
    return (_reader(call).contract_status(contract),)


# -- deploy --
def deploy_type(call: Call) -> tuple[Any, ...]:
    return (_reader(call).deploy_type(),)


def set_deploy_auth_type(call: Call, auth_type: int) -> tuple[Any, ...]:
    require_governor(call.computation, call.sender, PREFIX, "set the deploy auth type")
    _writer(call).set_deploy_type(_mode(auth_type, "the deploy auth type"))
    call.emit([DEPLOY_TYPE_SET], encode(["uint8"], [auth_type]))
    return SUCCESS


def _set_deploy_auth(call: Call, account: bytes, opened: bool) -> tuple[Any, ...]:
    account = _a(account)
    require_governor(call.computation, call.sender, PREFIX, "change who may deploy")
    store = _writer(call)
    mode = store.deploy_type()
    if mode == OPEN:
        raise revert(f"{PREFIX}: deploying is open to everyone; call setDeployAuthType(1 or 2) before "
                     "opening or closing it for an account")
    store.set_deploy_entry(mode, account, OPENED if opened else CLOSED)
    call.emit([DEPLOY_AUTH_CHANGED, _topic(account)], encode(["bool"], [opened]))
    return SUCCESS


def open_deploy_auth(call: Call, account: bytes) -> tuple[Any, ...]:
    return _set_deploy_auth(call, account, True)


def close_deploy_auth(call: Call, account: bytes) -> tuple[Any, ...]:
    return _set_deploy_auth(call, account, False)


def has_deploy_auth(call: Call, account: bytes) -> tuple[Any, ...]:
    account = _a(account)
    return (_reader(call).may_deploy(account),)


def governors_view(call: Call) -> tuple[Any, ...]:
    return (list(governors(call.computation)),)


PERMISSION_PRECOMPILE = AbiPrecompile(PREFIX, PERMISSION, [
    Method("getAdmin(address)", ("address",), get_admin),
    Method("resetAdmin(address,address)", ("int256",), reset_admin, mutates=True),
    Method("setMethodAuthType(address,bytes4,uint8)", ("int256",), set_method_auth_type, mutates=True),
    Method("openMethodAuth(address,bytes4,address)", ("int256",), open_method_auth, mutates=True),
    Method("closeMethodAuth(address,bytes4,address)", ("int256",), close_method_auth, mutates=True),
    Method("checkMethodAuth(address,bytes4,address)", ("bool",), check_method_auth),
    Method("getMethodAuth(address,bytes4)", ("uint8", "string[]", "string[]"), get_method_auth),
    Method("setContractStatus(address,bool)", ("int256",), set_contract_status_bool, mutates=True),
    Method("setContractStatus(address,uint8)", ("int256",), set_contract_status, mutates=True),
    Method("contractAvailable(address)", ("bool",), contract_available),
    Method("deployType()", ("uint256",), deploy_type),
    Method("setDeployAuthType(uint8)", ("int256",), set_deploy_auth_type, mutates=True),
    Method("openDeployAuth(address)", ("int256",), open_deploy_auth, mutates=True),
    Method("closeDeployAuth(address)", ("int256",), close_deploy_auth, mutates=True),
    Method("hasDeployAuth(address)", ("bool",), has_deploy_auth),
    # Wabei additions (views)
    Method("contractStatus(address)", ("uint8",), contract_status),
    Method("governors()", ("address[]",), governors_view),
])
