"""The identity (KYC) registry at 0x…1011 (FISCO has no such precompile).

    setIssuer(address issuer, bool enabled) returns (int32)                         governors
    setIdentity(address account, bytes32 recordHash, uint8 level, uint64 expiry) returns (int32)
                                                                                     issuers
    revokeIdentity(address account) returns (int32)              its issuer, or a governor
    getIdentity(address) returns (bytes32 recordHash, uint8 level, uint64 expiry, address issuer, bool valid)
    kycLevel(address) returns (uint8)          the level that counts now (0: none, expired, or
                                               its issuer is no longer authorised)
    isVerified(address, uint8 minLevel) returns (bool)
    isIssuer(address) returns (bool), issuers() returns (address[])

Only a hash of the off-chain KYC record is stored, with its level (1..255) and expiry (unix
seconds, compared with the block's timestamp) — never personal data. Issuers are accounts the
governors (the chain admin, or the committee by a proposal of kind 72) authorise, typically an
organisation's CA account. An issuer may not overwrite an identity another issuer bound while it
is still valid; that issuer or a governor revokes it first. Removing an issuer makes every
identity it bound invalid at once (its records stay, and count again if it is re-appointed).
"""
from __future__ import annotations

from typing import Any

from eth_abi.abi import encode
from eth_typing import Address
from eth_utils.abi import event_signature_to_log_topic
from eth_utils.address import to_canonical_address, to_checksum_address

from vm_hooks.addresses import IDENTITY
from vm_hooks.governance.authority import is_governor, require_governor
from vm_hooks.governance.writes import writable
from vm_hooks.precompile import AbiPrecompile, Call, Method, revert
from vm_hooks.regulation.store import MAX_LEVEL, Identity, IdentityStore

PREFIX = "IdentityRegistry"
_ZERO = b"\x00" * 20

EVENTS: tuple[tuple[str, tuple[tuple[str, str, bool], ...]], ...] = (
    ("IssuerUpdated", (("issuer", "address", True), ("enabled", "bool", False))),
    ("IdentitySet", (("account", "address", True), ("issuer", "address", True), ("recordHash", "bytes32", False),
                     ("level", "uint8", False), ("expiry", "uint64", False))),
    ("IdentityRevoked", (("account", "address", True), ("by", "address", True))),
)


def _topic(name: str) -> bytes:
    fields = dict(EVENTS)[name]
    return event_signature_to_log_topic(f"{name}({','.join(t for _, t, _ in fields)})")


def _a(value: str | bytes) -> Address:
    return Address(to_canonical_address(value))


def _word(address: bytes) -> bytes:
    return address.rjust(32, b"\x00")


def _now(call: Call) -> int:
    return int(call.computation.state.timestamp)


def set_issuer(call: Call, issuer: str, enabled: bool) -> tuple[Any, ...]:
    who = _a(issuer)
    require_governor(call.computation, call.sender, PREFIX, "authorise or remove KYC issuers")
    if who == _ZERO:
        raise revert(f"{PREFIX}: the zero address cannot be an issuer")
    IdentityStore(writable(call.computation, IDENTITY)).set_issuer(who, enabled)
    call.emit([_topic("IssuerUpdated"), _word(who)], encode(["bool"], [enabled]))
    return (0,)


def set_identity(call: Call, account: str, record_hash: bytes, level: int, expiry: int) -> tuple[Any, ...]:
    who = _a(account)
    reader = IdentityStore(call.storage)
    if not reader.is_issuer(call.sender):
        raise revert(f"{PREFIX}: only an authorised KYC issuer may bind identities, not "
                     f"{to_checksum_address(call.sender)} (governors authorise issuers with setIssuer)")
    if who == _ZERO:
        raise revert(f"{PREFIX}: the zero address cannot have an identity")
    if record_hash == b"\x00" * 32:
        raise revert(f"{PREFIX}: recordHash is zero; give the hash of the off-chain KYC record")
    if not 1 <= level <= MAX_LEVEL:
        raise revert(f"{PREFIX}: level must be 1..{MAX_LEVEL}, not {level}")
    if expiry <= _now(call):
        raise revert(f"{PREFIX}: expiry {expiry} is not after this block's timestamp {_now(call)} (unix seconds)")
    current = reader.identity(who)
    if current is not None and current.issuer != call.sender and reader.valid(current, _now(call)):
        raise revert(f"{PREFIX}: {to_checksum_address(who)} is bound by issuer {to_checksum_address(current.issuer)} "
                     "until its expiry; that issuer or a governor must revoke it first")
    IdentityStore(writable(call.computation, IDENTITY)).set_identity(who, Identity(record_hash, level, expiry,
                                                                                   call.sender))
    call.emit([_topic("IdentitySet"), _word(who), _word(call.sender)],
              encode(["bytes32", "uint8", "uint64"], [record_hash, level, expiry]))
    return (0,)


def revoke_identity(call: Call, account: str) -> tuple[Any, ...]:
    who = _a(account)
    current = IdentityStore(call.storage).identity(who)
    if current is None:
        raise revert(f"{PREFIX}: {to_checksum_address(who)} has no identity to revoke")
    if call.sender != current.issuer and not is_governor(call.computation, call.sender):
        raise revert(f"{PREFIX}: only its issuer {to_checksum_address(current.issuer)} or a governor may revoke "
                     f"{to_checksum_address(who)}'s identity, not {to_checksum_address(call.sender)}")
    IdentityStore(writable(call.computation, IDENTITY)).clear(who)
    call.emit([_topic("IdentityRevoked"), _word(who), _word(call.sender)], b"")
    return (0,)


def get_identity(call: Call, account: str) -> tuple[Any, ...]:
    store = IdentityStore(call.storage)
    found = store.identity(_a(account))
    if found is None:
        return b"\x00" * 32, 0, 0, to_checksum_address(_ZERO), False
    return (found.record_hash, found.level, found.expiry, to_checksum_address(found.issuer),
            store.valid(found, _now(call)))


def is_verified(call: Call, account: str, min_level: int) -> tuple[Any, ...]:
    level = IdentityStore(call.storage).level(_a(account), _now(call))
    return (level > 0 and level >= min_level,)


METHODS: tuple[Method, ...] = (
    Method("setIssuer(address,bool)", ("int32",), set_issuer, mutates=True),
    Method("setIdentity(address,bytes32,uint8,uint64)", ("int32",), set_identity, mutates=True),
    Method("revokeIdentity(address)", ("int32",), revoke_identity, mutates=True),
    Method("getIdentity(address)", ("bytes32", "uint8", "uint64", "address", "bool"), get_identity),
    Method("kycLevel(address)", ("uint8",),
           lambda call, a: (IdentityStore(call.storage).level(_a(a), _now(call)),)),
    Method("isVerified(address,uint8)", ("bool",), is_verified),
    Method("isIssuer(address)", ("bool",), lambda call, a: (IdentityStore(call.storage).is_issuer(_a(a)),)),
    Method("issuers()", ("address[]",),
           lambda call: ([to_checksum_address(i) for i in IdentityStore(call.storage).issuers()],)),
)
IDENTITY_PRECOMPILE = AbiPrecompile(PREFIX, IDENTITY, METHODS)
