"""Block references: a tag, a number, a 32-byte hash, or an EIP-1898 object, decoded by geth's
`rpc.BlockNumberOrHash` rules (rpc/types.go). Pure: resolving one to a header is
`namespaces/common.py`'s job.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chain.exceptions import InvalidParams
from chain.rpc.codec_hex import INT64_MAX, boolean, describe, hash32, quantity

TAGS = ("latest", "pending", "safe", "finalized", "earliest")
_EXPECTED = f"a hex block number, a 32-byte block hash, {{blockHash}}/{{blockNumber}} or one of {', '.join(TAGS)}"


@dataclass(frozen=True)
class BlockRef:
    """Exactly one of `tag`, `number` and `hash` is set."""

    tag: str | None = None
    number: int | None = None
    hash: bytes | None = None
    require_canonical: bool = False  # EIP-1898: a hash must name a block of the canonical chain


def block_ref(value: Any, name: str = "block", default: str | None = "latest") -> BlockRef:
    """A block param → BlockRef. `null` means `default`; with no default it is refused.

    Tags are case-sensitive (`Latest` is refused, as geth). A 66-character string is a hash,
    anything else a QUANTITY of at most 2^63-1 (geth's block number limit).
    """
    if value is None:
        if default is None:
            raise InvalidParams(f"invalid {name}: expected {_EXPECTED}, got null")
        return BlockRef(tag=default)
    if isinstance(value, dict):
        return _eip1898(value, name)
    if isinstance(value, str):
        if value in TAGS:
            return BlockRef(tag=value)
        if len(value) == 66:
            return BlockRef(hash=hash32(value, name))
        if value[:2] not in ("0x", "0X"):
            raise InvalidParams(f"invalid {name}: expected {_EXPECTED}, got {describe(value)}")
        return BlockRef(number=quantity(value, name, max_value=INT64_MAX))
    raise InvalidParams(f"invalid {name}: expected {_EXPECTED}, got {describe(value)}")


def _eip1898(value: dict[str, Any], name: str) -> BlockRef:
    """{"blockHash": h, "requireCanonical": bool} or {"blockNumber": n-or-tag}; other keys are
    ignored, as Go's JSON decoding ignores them."""
    block_hash, number = value.get("blockHash"), value.get("blockNumber")
    if block_hash is not None and number is not None:
        raise InvalidParams(f"invalid {name}: give blockHash or blockNumber, not both")
    if block_hash is not None:
        canonical = value.get("requireCanonical")
        return BlockRef(hash=hash32(block_hash, f"{name}.blockHash"),
                        require_canonical=False if canonical is None else boolean(canonical, f"{name}.requireCanonical"))
    if number is not None:
        if isinstance(number, str) and number in TAGS:
            return BlockRef(tag=number)
        return BlockRef(number=quantity(number, f"{name}.blockNumber", max_value=INT64_MAX))
    raise InvalidParams(f"invalid {name}: an EIP-1898 block object needs blockHash or blockNumber")
