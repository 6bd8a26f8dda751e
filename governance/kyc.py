"""A typed client for the identity (KYC) registry precompile (0x…1011).

    kyc = IdentityClient(w3, sender=issuer)             # an issuer the governors authorised
    kyc.bind(alice, record_hash(b"<the off-chain KYC file>"), level=2, expiry=int(time.time()) + 86400 * 365)
    kyc.identity(alice).valid                           # bound, not expired, issuer still authorised
    kyc.revoke(alice)

Only the hash of the off-chain record goes on chain (`record_hash` computes it locally, keccak-256,
so the record itself never leaves the caller), with a level 1..255 and an expiry in unix seconds.
Governors authorise issuers (`set_issuer`, or a committee proposal: CommitteeClient.set_kyc_issuer).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_typing import ChecksumAddress
from eth_utils.address import to_checksum_address
from web3 import Web3
from web3.types import TxReceipt

from governance.client import _Precompile, address_arg
from governance.errors import GovernanceInputError
from governance.precompile_abi import precompile_abi
from vm_hooks.abi_hash import abi_keccak
from vm_hooks.addresses import IDENTITY
from vm_hooks.regulation.identity import EVENTS, METHODS
from vm_hooks.regulation.store import MAX_LEVEL

IDENTITY_ADDRESS = to_checksum_address(IDENTITY)
IDENTITY_ABI = precompile_abi(METHODS, EVENTS)


@dataclass(frozen=True)
class IdentityRecord:
    """What the registry holds for an account; `valid` is judged at the latest block."""

    record_hash: str
    level: int
    expiry: int
    issuer: ChecksumAddress
    valid: bool


def record_hash(record: bytes | str) -> bytes:
    """The keccak-256 of an off-chain KYC record (bytes, or text as UTF-8), computed locally."""
    return abi_keccak(record.encode("utf-8") if isinstance(record, str) else bytes(record))


def _hash_arg(value: bytes | str) -> bytes:
    raw = bytes.fromhex(value.removeprefix("0x")) if isinstance(value, str) else bytes(value)
    if len(raw) != 32 or raw == b"\x00" * 32:
        raise GovernanceInputError(f"a record hash is 32 non-zero bytes (use record_hash(record)), not {value!r}")
    return raw


class IdentityClient(_Precompile):
    """The identity registry 0x…1011 over one web3 connection."""

    def __init__(self, w3: Web3, sender: Any = None) -> None:
        super().__init__(w3, IDENTITY_ADDRESS, IDENTITY_ABI, sender)

    # -- issuers (governors) --
    def set_issuer(self, account: str, enabled: bool = True) -> TxReceipt:
        return self._send("setIssuer", address_arg(account, "issuer"), enabled)

    def issuers(self) -> tuple[ChecksumAddress, ...]:
        return tuple(to_checksum_address(a) for a in self._call("issuers"))

    def is_issuer(self, account: str) -> bool:
        return bool(self._call("isIssuer", address_arg(account, "issuer")))

    # -- identities (issuers) --
    def bind(self, account: str, record: bytes | str, level: int, expiry: int) -> TxReceipt:
        """Bind `account` to the record with hash `record` at `level` until `expiry` (unix seconds)."""
        if not isinstance(level, int) or not 1 <= level <= MAX_LEVEL:
            raise GovernanceInputError(f"a KYC level is 1..{MAX_LEVEL}, not {level!r}")
        if not isinstance(expiry, int) or not 0 < expiry < 2**64:
            raise GovernanceInputError(f"expiry is a unix time in seconds, not {expiry!r}")
        return self._send("setIdentity", address_arg(account), _hash_arg(record), level, expiry)

    def revoke(self, account: str) -> TxReceipt:
        return self._send("revokeIdentity", address_arg(account))

    # -- reads --
    def identity(self, account: str) -> IdentityRecord | None:
        digest, level, expiry, issuer, valid = self._call("getIdentity", address_arg(account))
        if level == 0:
            return None
        return IdentityRecord("0x" + bytes(digest).hex(), int(level), int(expiry), to_checksum_address(issuer),
                              bool(valid))

    def level(self, account: str) -> int:
        """The level that counts now (0: none, expired, or its issuer was removed)."""
        return int(self._call("kycLevel", address_arg(account)))

    def is_verified(self, account: str, min_level: int = 1) -> bool:
        return bool(self._call("isVerified", address_arg(account), min_level))
