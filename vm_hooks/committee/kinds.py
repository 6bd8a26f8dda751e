"""What each proposal kind executes: the target precompile and the ABI call data it receives
from the committee (0x…10001) when the proposal passes.

Type codes and create-function names are FISCO BCOS v3 CommitteeManager's where FISCO has the
kind (11, 12, 21, 22, 31, 41, 51, 52); the others are Wabei's, named in FISCO's pattern:
23/24 method permissions, 32 contract status, 61 account status. The call data is the target's
FISCO interface (SystemConfig `setValueByKey`, ContractAuth `setDeployAuthType`,
`openDeployAuth`, ..., AccountManager `setAccountStatus`, Consensus `addSealer`, ...), so the
target authorises the write as it would any call from the committee's address.

A builder checks what can be checked from the arguments alone (thresholds are percentages, a
node id is a validator key, a sysconfig key is not empty) and raises KindError with a reason; the
target checks the rest when the proposal executes.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eth_abi.abi import encode
from eth_typing import Address
from eth_utils.abi import function_signature_to_4byte_selector

from vm_hooks.addresses import ACCOUNT_MANAGER, COMMITTEE, CONSENSUS, PERMISSION, SYSTEM_CONFIG
from vm_hooks.committee.rules import check_rates

UPDATE_GOVERNOR, SET_RATE = 11, 12
SET_DEPLOY_AUTH_TYPE, MODIFY_DEPLOY_AUTH, SET_METHOD_AUTH_TYPE, MODIFY_METHOD_AUTH = 21, 22, 23, 24
RESET_ADMIN, SET_CONTRACT_STATUS = 31, 32
SET_SYS_CONFIG = 41
SET_CONSENSUS_WEIGHT, REMOVE_NODE = 51, 52
SET_ACCOUNT_STATUS = 61


class KindError(ValueError):
    """A proposal's arguments that no execution could accept; the message says why."""


@dataclass(frozen=True)
class Action:
    """What a proposal does: `data` sent from the committee to `target`; `resource` is FISCO's
    resourceId (the account, contract or precompile the proposal is about)."""

    resource: Address
    target: Address
    data: bytes


def call_data(signature: str, *args: Any) -> bytes:
    """`signature`'s selector followed by `args`, ABI-encoded."""
    inner = signature[signature.index("(") + 1:-1]
    return function_signature_to_4byte_selector(signature) + encode(inner.split(",") if inner else [], list(args))


def _governor(account: bytes, weight: int) -> Action:
    if account == b"\x00" * 20:
        raise KindError("the zero address cannot be a committee member")
    return Action(Address(account), COMMITTEE, call_data("setWeight(address,uint32)", account, weight))


def _rates(participates_rate: int, win_rate: int) -> Action:
    try:
        check_rates(participates_rate, win_rate)
    except ValueError as exc:
        raise KindError(str(exc)) from None
    return Action(COMMITTEE, COMMITTEE, call_data("setRate(uint8,uint8)", participates_rate, win_rate))


def _deploy_type(auth_type: int) -> Action:
    return Action(PERMISSION, PERMISSION, call_data("setDeployAuthType(uint8)", auth_type))


def _deploy_auth(account: bytes, open_: bool) -> Action:
    signature = "openDeployAuth(address)" if open_ else "closeDeployAuth(address)"
    return Action(Address(account), PERMISSION, call_data(signature, account))


def _method_type(contract: bytes, selector: bytes, auth_type: int) -> Action:
    return Action(Address(contract), PERMISSION,
                  call_data("setMethodAuthType(address,bytes4,uint8)", contract, selector, auth_type))


def _method_auth(contract: bytes, selector: bytes, account: bytes, open_: bool) -> Action:
    name = "openMethodAuth" if open_ else "closeMethodAuth"
    return Action(Address(contract), PERMISSION,
                  call_data(f"{name}(address,bytes4,address)", contract, selector, account))


def _reset_admin(new_admin: bytes, contract: bytes) -> Action:
    if contract == b"\x00" * 20:
        raise KindError("contract address not exists (the zero address)")  # FISCO's words
    return Action(Address(contract), PERMISSION, call_data("resetAdmin(address,address)", contract, new_admin))


def _contract_status(contract: bytes, status: int) -> Action:
    return Action(Address(contract), PERMISSION, call_data("setContractStatus(address,uint8)", contract, status))


def _sys_config(key: str, value: str) -> Action:
    if len(key.encode()) <= 1:
        raise KindError(f"invalid key length: {key!r} (a system config key such as tx_count_limit)")
    return Action(SYSTEM_CONFIG, SYSTEM_CONFIG, call_data("setValueByKey(string,string)", key, value))


def _node_id(node: str) -> str:
    from vm_hooks.consensus.precompile import node_key  # the Consensus precompile's own rule
    from vm_hooks.precompile import PrecompileRevert
    try:
        return node_key(node).hex()
    except PrecompileRevert as exc:
        raise KindError(str(exc).removeprefix("Consensus: ")) from None


def _consensus_weight(node: str, weight: int, add: bool) -> Action:
    key = _node_id(node)
    if not add:
        data = call_data("setWeight(string,uint256)", key, weight)
    elif weight == 0:
        data = call_data("addObserver(string)", key)
    else:
        data = call_data("addSealer(string,uint256)", key, weight)
    return Action(CONSENSUS, CONSENSUS, data)


def _remove_node(node: str) -> Action:
    return Action(CONSENSUS, CONSENSUS, call_data("remove(string)", _node_id(node)))


def _account_status(account: bytes, status: int) -> Action:
    return Action(Address(account), ACCOUNT_MANAGER, call_data("setAccountStatus(address,uint8)", account, status))


@dataclass(frozen=True)
class Kind:
    """One proposal kind: its type code, its create function (the last argument is always the
    expiry interval in blocks) and the builder of its action from the other arguments."""

    code: int
    signature: str
    build: Callable[..., Action]

    @property
    def name(self) -> str:
        return self.signature[:self.signature.index("(")]


KINDS: tuple[Kind, ...] = (
    Kind(UPDATE_GOVERNOR, "createUpdateGovernorProposal(address,uint32,uint256)", _governor),
    Kind(SET_RATE, "createSetRateProposal(uint8,uint8,uint256)", _rates),
    Kind(SET_DEPLOY_AUTH_TYPE, "createSetDeployAuthTypeProposal(uint8,uint256)", _deploy_type),
    Kind(MODIFY_DEPLOY_AUTH, "createModifyDeployAuthProposal(address,bool,uint256)", _deploy_auth),
    Kind(SET_METHOD_AUTH_TYPE, "createSetMethodAuthTypeProposal(address,bytes4,uint8,uint256)", _method_type),
    Kind(MODIFY_METHOD_AUTH, "createModifyMethodAuthProposal(address,bytes4,address,bool,uint256)", _method_auth),
    Kind(RESET_ADMIN, "createResetAdminProposal(address,address,uint256)", _reset_admin),
    Kind(SET_CONTRACT_STATUS, "createSetContractStatusProposal(address,uint8,uint256)", _contract_status),
    Kind(SET_SYS_CONFIG, "createSetSysConfigProposal(string,string,uint256)", _sys_config),
    Kind(SET_CONSENSUS_WEIGHT, "createSetConsensusWeightProposal(string,uint32,bool,uint256)", _consensus_weight),
    Kind(REMOVE_NODE, "createRmNodeProposal(string,uint256)", _remove_node),
    Kind(SET_ACCOUNT_STATUS, "createSetAccountStatusProposal(address,uint8,uint256)", _account_status),
)
KIND_BY_CODE = {k.code: k for k in KINDS}
