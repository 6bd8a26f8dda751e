"""Block-tag resolution shared by every namespace that reads state at a block."""
from __future__ import annotations

from typing import Any

from eth.abc import BlockHeaderAPI

from chain.api.reads import ChainReads
from chain.exceptions import InvalidParams
from chain.rpc import codec

TAGS = ("latest", "pending", "safe", "finalized", "earliest")


def block_number(api: ChainReads, value: Any, name: str = "block") -> int:
    """A tag or number → a block number (pending = latest for reads, as a devnet has no lag)."""
    if value is None or value in ("latest", "pending", "safe", "finalized"):
        return int(api.head.block_number)
    if value == "earliest":
        return 0
    if isinstance(value, str) and not value.startswith("0x"):
        raise InvalidParams(f"invalid {name}: {value!r}; expected a number, a hash or one of {', '.join(TAGS)}")
    return codec.quantity(value, name, max_value=2**64 - 1)


def header_at(api: ChainReads, value: Any, name: str = "block") -> BlockHeaderAPI:
    """A block tag, number, 32-byte hash, or EIP-1898 object → that block's header."""
    if isinstance(value, dict):
        if "blockHash" in value:
            return api.header_by_hash(codec.fixed(value["blockHash"], f"{name}.blockHash", 32),
                                      bool(value.get("requireCanonical", False)))
        if "blockNumber" in value:
            value = value["blockNumber"]
        else:
            raise InvalidParams(f"invalid {name}: expected blockHash or blockNumber")
    if isinstance(value, str) and len(value) == 66:
        return api.header_by_hash(codec.fixed(value, name, 32))
    return api.header_by_number(block_number(api, value, name))


def call_header(api: ChainReads, value: Any) -> BlockHeaderAPI | None:
    """Where eth_call / eth_estimateGas / eth_createAccessList run: None (the block that would
    be mined next, as Hardhat and Anvil run `pending`) for no block or `pending`; otherwise
    the named block, `latest` included, in its own context as Anvil runs it."""
    if value is None or is_pending(value):
        return None
    return header_at(api, value)


def is_pending(value: Any) -> bool:
    return bool(value == "pending")  # `value` is raw JSON (Any), so `==` is typed Any too
