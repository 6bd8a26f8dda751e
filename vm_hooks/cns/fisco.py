"""The CNS precompile at 0x…1004: FISCO BCOS's CNSPrecompiled interface plus gray upgrades.

FISCO functions (same signatures): `insert`, `selectByName`, `selectByNameAndVersion`,
`getContractAddress`. Wabei additions: `setLatest`, `authorize`, `transferNameOwnership`,
`ownerOf`, `latestVersion`, `isPublisher`, `nameCount`, `nameAt`.

Differences from FISCO, on purpose: a refused insert reverts with a reason instead of returning
a negative code (a failure that a transaction cannot silently ignore), names are
case-insensitive ENS labels (see vm_hooks/names.py), and `getContractAddress` reverts for an
unknown name or version instead of returning the zero address. An empty version means `latest`.
"""
from __future__ import annotations

import json
from typing import Any

from eth_abi.abi import encode
from eth_typing import Address
from eth_utils.abi import event_signature_to_log_topic
from eth_utils.address import is_hex_address, to_canonical_address, to_checksum_address

from vm_hooks.addresses import CNS
from vm_hooks.cns.store import CnsStore, Entry
from vm_hooks.errors import NameRuleError
from vm_hooks.names import TLD, namehash, normalize_label, pinned_label
from vm_hooks.precompile import AbiPrecompile, Call, Method, revert

CODE_READ_GAS = 2_600  # a cold EXTCODESIZE
VERSION_PUBLISHED = event_signature_to_log_topic(
    "VersionPublished(bytes32,string,string,address,address)"
)
LATEST_CHANGED = event_signature_to_log_topic("LatestChanged(bytes32,string,string,string,address)")
PUBLISHER_AUTHORISED = event_signature_to_log_topic("PublisherAuthorised(bytes32,address,bool)")
NAME_OWNERSHIP_TRANSFERRED = event_signature_to_log_topic(
    "NameOwnershipTransferred(bytes32,address,address)"
)


def _label(name: str) -> str:
    try:
        return normalize_label(name)
    except NameRuleError as exc:
        raise revert(f"CNS: {exc}") from None


def _pinned(version: str) -> str:
    try:
        return pinned_label(version)
    except NameRuleError as exc:
        raise revert(f"CNS: {exc}") from None


def _node(label: str) -> bytes:
    return namehash(f"{label}.{TLD}")


def _existing(store: CnsStore, name: str) -> str:
    label = _label(name)
    if not store.version_count(label):
        raise revert(f"CNS: no contract is registered under the name {name!r}")
    return label


def _find(store: CnsStore, name: str, version: str) -> Entry:
    """The entry for `name`@`version` ('' = latest); reverts when there is none."""
    label = _existing(store, name)
    if version == "":
        return store.entry(label, store.latest_index(label))
    index = store.index_of_pinned(label, _pinned(version))
    if not index:
        raise revert(f"CNS: {name!r} has no version {version!r}")
    return store.entry(label, index)


def _as_json(entries: list[Entry]) -> str:
    return json.dumps(
        [{"name": e.name, "version": e.version, "address": to_checksum_address(e.address), "abi": e.abi}
         for e in entries],
        separators=(",", ":"),
        ensure_ascii=False,
    )


def _contract_address(call: Call, text: str) -> Address:
    if not is_hex_address(text):
        raise revert(f"CNS: address {text!r} is not a 0x-prefixed 20-byte hex address")
    address = Address(to_canonical_address(text))
    call.computation.consume_gas(CODE_READ_GAS, reason="CNS contract check")
    if not call.computation.state.get_code(address):
        raise revert(f"CNS: {to_checksum_address(address)} is not a contract (it has no code)")
    return address


def _check_abi(abi: str) -> None:
    try:
        parsed = json.loads(abi)
    except ValueError as exc:
        raise revert(f"CNS: the ABI is not valid JSON ({exc})") from None
    if not isinstance(parsed, list):
        raise revert("CNS: the ABI must be a JSON array of ABI entries")


def _require_publisher(store: CnsStore, label: str, name: str, sender: Address) -> None:
    owner = store.owner(label)
    if sender != owner and not store.is_publisher(label, sender):
        raise revert(
            f"CNS: {to_checksum_address(sender)} may not publish {name!r}; "
            f"its owner is {to_checksum_address(owner)}"
        )


def _require_owner(store: CnsStore, label: str, name: str, sender: Address) -> None:
    owner = store.owner(label)
    if sender != owner:
        raise revert(
            f"CNS: only the owner of {name!r} ({to_checksum_address(owner)}) may do this, "
            f"not {to_checksum_address(sender)}"
        )


def _emit_latest(call: Call, label: str, previous: str, entry: Entry) -> None:
    data = encode(["string", "string", "string", "address"],
                  [entry.name, previous, entry.version, entry.address])
    call.emit([LATEST_CHANGED, _node(label)], data)


def insert(call: Call, name: str, version: str, addr: str, abi: str) -> tuple[Any, ...]:
    store = CnsStore(call.storage)
    label, pinned = _label(name), _pinned(version)
    builtin = store.builtin(label)
    if builtin is not None:
        raise revert(f"CNS: {name!r} is a well-known platform name (the ABI of "
                     f"{to_checksum_address(builtin.address)}); it cannot be published")
    address = _contract_address(call, addr)
    _check_abi(abi)
    if store.version_count(label):
        _require_publisher(store, label, name, call.sender)
        clash = store.index_of_pinned(label, pinned)
        if clash:
            existing = store.entry(label, clash).version
            raise revert(
                f"CNS: {name!r} version {version!r} already exists"
                + ("" if existing == version else f" (as {existing!r}; both pin as {pinned})")
            )
    else:
        store.create_name(label, name, call.sender)
    index = store.append_version(label, pinned, version, address, abi)
    entry = store.entry(label, index)
    data = encode(["string", "string", "address", "address"],
                  [entry.name, version, address, call.sender])
    call.emit([VERSION_PUBLISHED, _node(label)], data)
    if not store.latest_index(label):
        store.set_latest(label, index)
        _emit_latest(call, label, "", entry)
    return (1,)


def select_by_name(call: Call, name: str) -> tuple[Any, ...]:
    store = CnsStore(call.storage)
    return (_as_json(store.entries(_label(name))),)


def select_by_name_and_version(call: Call, name: str, version: str) -> tuple[Any, ...]:
    store = CnsStore(call.storage)
    label = _label(name)
    if not store.version_count(label):
        return ("[]",)
    index = store.latest_index(label) if version == "" else store.index_of_pinned(label, _pinned(version))
    return (_as_json([store.entry(label, index)] if index else []),)


def get_contract_address(call: Call, name: str, version: str) -> tuple[Any, ...]:
    return (_find(CnsStore(call.storage), name, version).address,)


def set_latest(call: Call, name: str, version: str) -> tuple[Any, ...]:
    store = CnsStore(call.storage)
    label = _existing(store, name)
    _require_owner(store, label, name, call.sender)
    index = store.index_of_pinned(label, _pinned(version))
    if not index:
        raise revert(f"CNS: {name!r} has no version {version!r}")
    previous = store.entry(label, store.latest_index(label)).version
    store.set_latest(label, index)
    _emit_latest(call, label, previous, store.entry(label, index))
    return ()


def authorize(call: Call, name: str, account: str, allowed: bool) -> tuple[Any, ...]:
    store = CnsStore(call.storage)
    label = _existing(store, name)
    _require_owner(store, label, name, call.sender)
    publisher = Address(to_canonical_address(account))
    store.set_publisher(label, publisher, allowed)
    call.emit([PUBLISHER_AUTHORISED, _node(label), publisher.rjust(32, b"\x00")],
              encode(["bool"], [allowed]))
    return ()


def transfer_name_ownership(call: Call, name: str, new_owner: str) -> tuple[Any, ...]:
    store = CnsStore(call.storage)
    label = _existing(store, name)
    _require_owner(store, label, name, call.sender)
    target = Address(to_canonical_address(new_owner))
    if target == b"\x00" * 20:
        raise revert("CNS: the new owner is the zero address")
    previous = store.owner(label)
    store.set_owner(label, target)
    call.emit([NAME_OWNERSHIP_TRANSFERRED, _node(label), previous.rjust(32, b"\x00"),
               target.rjust(32, b"\x00")], b"")
    return ()


def owner_of(call: Call, name: str) -> tuple[Any, ...]:
    store = CnsStore(call.storage)
    return (store.owner(_label(name)),)


def latest_version(call: Call, name: str) -> tuple[Any, ...]:
    store = CnsStore(call.storage)
    label = _existing(store, name)
    return (store.entry(label, store.latest_index(label)).version,)


def is_publisher(call: Call, name: str, account: str) -> tuple[Any, ...]:
    store = CnsStore(call.storage)
    label = _label(name)
    candidate = Address(to_canonical_address(account))
    if not store.version_count(label):
        return (False,)  # an unpublished name has no owner (its owner slot reads as zero)
    return (candidate == store.owner(label) or store.is_publisher(label, candidate),)


def name_count(call: Call) -> tuple[Any, ...]:
    """Published names, then the well-known ones (wellknown.py) this chain answers."""
    store = CnsStore(call.storage)
    return (store.name_count() + len(store.builtin_labels()),)


def name_at(call: Call, position: int) -> tuple[Any, ...]:
    store = CnsStore(call.storage)
    published, builtins = store.name_count(), store.builtin_labels()
    if position >= published + len(builtins):
        raise revert(f"CNS: there is no name at position {position}")
    label = store.name_at(position) if position < published else builtins[position - published]
    return (store.display_name(label),)


CNS_PRECOMPILE = AbiPrecompile("CNS", CNS, [
    Method("insert(string,string,string,string)", ("uint256",), insert, mutates=True),
    Method("selectByName(string)", ("string",), select_by_name),
    Method("selectByNameAndVersion(string,string)", ("string",), select_by_name_and_version),
    Method("getContractAddress(string,string)", ("address",), get_contract_address),
    Method("setLatest(string,string)", (), set_latest, mutates=True),
    Method("authorize(string,address,bool)", (), authorize, mutates=True),
    Method("transferNameOwnership(string,address)", (), transfer_name_ownership, mutates=True),
    Method("ownerOf(string)", ("address",), owner_of),
    Method("latestVersion(string)", ("string",), latest_version),
    Method("isPublisher(string,address)", ("bool",), is_publisher),
    Method("nameCount()", ("uint256",), name_count),
    Method("nameAt(uint256)", ("string",), name_at),
])
