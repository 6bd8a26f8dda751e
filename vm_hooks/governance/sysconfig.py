"""The SystemConfig precompile at 0x…1000: FISCO BCOS's SystemConfigPrecompiled interface.

    setValueByKey(string key, string value) returns (int32)    governors only
    getValueByKey(string key) returns (string value, int64 enableNumber)

Keys (values are decimal integers, as FISCO's are):

    tx_count_limit    most transactions in one block                       >= 1
    tx_gas_limit      most gas one transaction may ask for                 >= 100000
    block_gas_limit   most gas the builder packs into one block            >= 100000

A value set in block N applies from block N + 1 (its enableNumber): the pool, the block builder
and the importer read it from the state after the last block (limits.py). A key never set
answers ("", 0): the chain's own limits apply (the header's gas limit, no count limit). Any
other key, or a value out of range, reverts with the reason, and nothing changes.
"""
from __future__ import annotations

import re
from typing import Any

from eth_abi.abi import encode
from eth_utils.abi import event_signature_to_log_topic

from vm_hooks.addresses import PERMISSION, SYSTEM_CONFIG
from vm_hooks.governance.authority import require_governor
from vm_hooks.governance.store import FLAG_CONFIG, ConfigStore, PermissionStore
from vm_hooks.governance.writes import writable
from vm_hooks.precompile import AbiPrecompile, Call, Method, revert

PREFIX = "SystemConfig"
MAX_VALUE = 2**63 - 1  # FISCO stores them as int64
# key -> least value accepted
KEYS = {"tx_count_limit": 1, "tx_gas_limit": 100_000, "block_gas_limit": 100_000}
_DECIMAL = re.compile(r"[0-9]{1,19}")
CODE_INVALID_CONFIGURATION_VALUES = -51300

CONFIG_CHANGED = event_signature_to_log_topic("SystemConfigChanged(string,string,int64)")


def check_entry(key: str, value: str) -> int:
    """The integer `value` of `key`, or ValueError with the reason (shared with --governance)."""
    if key not in KEYS:
        raise ValueError(f"unknown key {key!r}; the keys are {', '.join(sorted(KEYS))}")
    if not _DECIMAL.fullmatch(value):
        raise ValueError(f"{key} must be a decimal integer, not {value!r}")
    number = int(value)
    if not KEYS[key] <= number <= MAX_VALUE:
        raise ValueError(f"{key} must be at least {KEYS[key]} (and at most {MAX_VALUE}), not {number}")
    return number


def set_value_by_key(call: Call, key: str, value: str) -> tuple[Any, ...]:
    require_governor(call.computation, call.sender, PREFIX, "change the system config")
    try:
        number = check_entry(key, value)
    except ValueError as exc:
        raise revert(f"{PREFIX}: {exc} (FISCO {CODE_INVALID_CONFIGURATION_VALUES} "
                     "CODE_INVALID_CONFIGURATION_VALUES)") from None
    enable = int(call.computation.state.block_number) + 1
    ConfigStore(writable(call.computation, SYSTEM_CONFIG)).set(key, number, enable)
    PermissionStore(writable(call.computation, PERMISSION)).add_flag(FLAG_CONFIG)
    call.emit([CONFIG_CHANGED], encode(["string", "string", "int64"], [key, str(number), enable]))
    return (0,)


def get_value_by_key(call: Call, key: str) -> tuple[Any, ...]:
    if key not in KEYS:
        raise revert(f"{PREFIX}: unknown key {key!r}; the keys are {', '.join(sorted(KEYS))}")
    value, enable = ConfigStore(call.storage).get(key)
    return ("" if value is None else str(value), enable)


SYSTEM_CONFIG_PRECOMPILE = AbiPrecompile(PREFIX, SYSTEM_CONFIG, [
    Method("setValueByKey(string,string)", ("int32",), set_value_by_key, mutates=True),
    Method("getValueByKey(string)", ("string", "int64"), get_value_by_key),
])
