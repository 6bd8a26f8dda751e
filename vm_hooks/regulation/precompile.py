"""The interception precompile at 0x…1010: the regulator's rules (FISCO has no such precompile).

    setRegulator(address account, bool enabled) returns (int32)              governors
    setAddressBlocked(address account, bool blocked) returns (int32)         regulators
    setMethodBlocked(address contract, bytes4 selector, bool blocked) returns (int32)   regulators
    setValueThreshold(address token, uint256 threshold, uint8 minLevel) returns (int32) regulators
        token 0 = ether value; minLevel 0 removes the rule
    isRegulator, regulators, isAddressBlocked, blockedAddresses, isMethodBlocked,
    blockedMethods, getValueThreshold, valueThresholds                      anyone

The rules are enforced on every message frame by rules.py; each interception is reported by the
`Intercepted` event from this address (report.py). Every change emits an event too, so a
regulator's log subscription on this address sees rules and interceptions alike.

What cannot be blocked (so regulation cannot lock the chain or itself out): the platform's own
contracts (0x…1000–0x…1fff, 0x…10001, 0x…10003), Prague's system address, the zero address,
the chain's governors and the regulators.
"""
from __future__ import annotations

from typing import Any

from eth.constants import SYSTEM_ADDRESS
from eth_abi.abi import encode
from eth_typing import Address
from eth_utils.abi import event_signature_to_log_topic
from eth_utils.address import to_canonical_address, to_checksum_address

from vm_hooks.addresses import ACCOUNT_MANAGER, COMMITTEE, PERMISSION, REGULATION, is_platform_address
from vm_hooks.governance.authority import is_governor, require_governor
from vm_hooks.governance.store import FLAG_INTERCEPT, PermissionStore
from vm_hooks.governance.writes import writable
from vm_hooks.precompile import AbiPrecompile, Call, Method, revert
from vm_hooks.regulation.report import INTERCEPTED_FIELDS
from vm_hooks.regulation.store import ETHER, MAX_LEVEL, RegulationStore

PREFIX = "Regulation"

EVENTS: tuple[tuple[str, tuple[tuple[str, str, bool], ...]], ...] = (
    ("RegulatorUpdated", (("account", "address", True), ("enabled", "bool", False))),
    ("AddressBlocked", (("account", "address", True), ("blocked", "bool", False))),
    ("MethodBlocked", (("contractAddr", "address", True), ("selector", "bytes4", False),
                       ("blocked", "bool", False))),
    ("ValueThresholdSet", (("token", "address", True), ("threshold", "uint256", False),
                           ("minLevel", "uint8", False))),
    ("Intercepted", INTERCEPTED_FIELDS),
)


def _topic(name: str) -> bytes:
    fields = dict(EVENTS)[name]
    return event_signature_to_log_topic(f"{name}({','.join(t for _, t, _ in fields)})")


def _a(value: str | bytes) -> Address:
    """An ABI-decoded address (eth-abi gives checksummed text) as 20 bytes."""
    return Address(to_canonical_address(value))


def _word(address: bytes) -> bytes:
    return address.rjust(32, b"\x00")


def _writer(call: Call) -> RegulationStore:
    return RegulationStore(writable(call.computation, REGULATION))


def _require_regulator(call: Call, action: str) -> RegulationStore:
    store = RegulationStore(call.storage)
    if not store.is_regulator(call.sender):
        named = ", ".join(to_checksum_address(r) for r in store.regulators()) or "none yet; governors appoint them"
        raise revert(f"{PREFIX}: only a regulator ({named}) may {action}, not "
                     f"{to_checksum_address(call.sender)} (FISCO -50000 CODE_NO_AUTHORIZED)")
    return _writer(call)


def _switch_on(call: Call) -> None:
    """The VM checks interception rules only once this bit is set (one read per frame before)."""
    PermissionStore(writable(call.computation, PERMISSION)).add_flag(FLAG_INTERCEPT)


def _refuse_protected(account: bytes, what: str) -> None:
    shown = to_checksum_address(account)
    if account == ETHER or account == SYSTEM_ADDRESS:
        raise revert(f"{PREFIX}: {shown} cannot be {what} (the zero and system addresses keep the chain running)")
    if is_platform_address(account) or account in (COMMITTEE, ACCOUNT_MANAGER):
        raise revert(f"{PREFIX}: {shown} is a platform contract; regulation cannot be put on it")


def set_regulator(call: Call, account: str, enabled: bool) -> tuple[Any, ...]:
    who = _a(account)
    require_governor(call.computation, call.sender, PREFIX, "appoint or remove regulators")
    _refuse_protected(who, "a regulator")
    store = _writer(call)
    if enabled and store.is_blocked(who):
        raise revert(f"{PREFIX}: {to_checksum_address(who)} is blocked; unblock it before appointing it")
    store.set_regulator(who, enabled)
    call.emit([_topic("RegulatorUpdated"), _word(who)], encode(["bool"], [enabled]))
    return (0,)


def set_address_blocked(call: Call, account: str, blocked: bool) -> tuple[Any, ...]:
    who = _a(account)
    store = _require_regulator(call, "block or unblock addresses")
    if blocked:
        _refuse_protected(who, "blocked")
        shown = to_checksum_address(who)
        if store.is_regulator(who):
            raise revert(f"{PREFIX}: {shown} is a regulator and cannot be blocked (remove it as regulator first)")
        if is_governor(call.computation, who):
            raise revert(f"{PREFIX}: {shown} is a governor of this chain and cannot be blocked")
        _switch_on(call)
    store.set_blocked(who, blocked)
    call.emit([_topic("AddressBlocked"), _word(who)], encode(["bool"], [blocked]))
    return (0,)


def set_method_blocked(call: Call, contract: str, selector: bytes, blocked: bool) -> tuple[Any, ...]:
    target = _a(contract)
    store = _require_regulator(call, "block or unblock methods")
    if blocked:
        _refuse_protected(target, "given method rules")
        _switch_on(call)
    store.set_method_blocked(target, selector, blocked)
    call.emit([_topic("MethodBlocked"), _word(target)], encode(["bytes4", "bool"], [selector, blocked]))
    return (0,)


def set_value_threshold(call: Call, token: str, threshold: int, min_level: int) -> tuple[Any, ...]:
    asset = _a(token)
    store = _require_regulator(call, "set value thresholds")
    if asset != ETHER:
        _refuse_protected(asset, "a token with a threshold")
    if min_level > MAX_LEVEL:
        raise revert(f"{PREFIX}: minLevel must be 1..{MAX_LEVEL} (0 removes the rule), not {min_level}")
    if threshold == 2**256 - 1:
        raise revert(f"{PREFIX}: a threshold of 2**256-1 can never be exceeded; remove the rule with minLevel 0")
    if min_level:
        _switch_on(call)
    store.set_threshold(asset, threshold, min_level)
    call.emit([_topic("ValueThresholdSet"), _word(asset)], encode(["uint256", "uint8"], [threshold, min_level]))
    return (0,)


def _reader(call: Call) -> RegulationStore:
    return RegulationStore(call.storage)


def get_value_threshold(call: Call, token: str) -> tuple[Any, ...]:
    rule = _reader(call).threshold(_a(token))
    return (0, 0) if rule is None else rule


def blocked_methods(call: Call) -> tuple[Any, ...]:
    pairs = _reader(call).blocked_methods()
    return [to_checksum_address(c) for c, _ in pairs], [s for _, s in pairs]


def value_thresholds(call: Call) -> tuple[Any, ...]:
    rules = _reader(call).thresholds()
    return [to_checksum_address(t) for t, _, _ in rules], [v for _, v, _ in rules], [lv for _, _, lv in rules]


def _addresses(values: list[Address]) -> list[str]:
    return [to_checksum_address(v) for v in values]


METHODS: tuple[Method, ...] = (
    Method("setRegulator(address,bool)", ("int32",), set_regulator, mutates=True),
    Method("setAddressBlocked(address,bool)", ("int32",), set_address_blocked, mutates=True),
    Method("setMethodBlocked(address,bytes4,bool)", ("int32",), set_method_blocked, mutates=True),
    Method("setValueThreshold(address,uint256,uint8)", ("int32",), set_value_threshold, mutates=True),
    Method("isRegulator(address)", ("bool",), lambda call, a: (_reader(call).is_regulator(_a(a)),)),
    Method("regulators()", ("address[]",), lambda call: (_addresses(_reader(call).regulators()),)),
    Method("isAddressBlocked(address)", ("bool",), lambda call, a: (_reader(call).is_blocked(_a(a)),)),
    Method("blockedAddresses()", ("address[]",), lambda call: (_addresses(_reader(call).blocked()),)),
    Method("isMethodBlocked(address,bytes4)", ("bool",),
           lambda call, c, s: (_reader(call).is_method_blocked(_a(c), s),)),
    Method("blockedMethods()", ("address[]", "bytes4[]"), blocked_methods),
    Method("getValueThreshold(address)", ("uint256", "uint8"), get_value_threshold),
    Method("valueThresholds()", ("address[]", "uint256[]", "uint8[]"), value_thresholds),
)
REGULATION_PRECOMPILE = AbiPrecompile(PREFIX, REGULATION, METHODS)
