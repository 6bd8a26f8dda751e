"""Block-tag resolution shared by every namespace that reads state at a block."""
from __future__ import annotations

from typing import Any

from eth.abc import BlockHeaderAPI

from chain.api.reads import ChainReads
from chain.exceptions import InvalidParams
from chain.rpc import codec

TAGS = codec.TAGS


def block_number(api: ChainReads, value: Any, name: str = "block") -> int:
    """A tag or number → a block number (pending = latest for reads, as a devnet has no lag).
    A hash is refused: the params that use this (fromBlock, newestBlock) take numbers only."""
    ref = codec.block_ref(value, name)
    if ref.hash is not None:
        raise InvalidParams(f"invalid {name}: expected a block number or one of {', '.join(TAGS)}, not a hash")
    return _number(api, ref)


def header_at(api: ChainReads, value: Any, name: str = "block", *, required: bool = False) -> BlockHeaderAPI:
    """A block tag, number, 32-byte hash, or EIP-1898 object → that block's header.

    `null` means `latest` unless `required` (a param that has no default, such as
    eth_getBlockByNumber's), where it is refused."""
    ref = codec.block_ref(value, name, default=None if required else "latest")
    if ref.hash is not None:
        return api.header_by_hash(ref.hash, ref.require_canonical)
    return api.header_by_number(_number(api, ref))


def _number(api: ChainReads, ref: codec.BlockRef) -> int:
    if ref.number is not None:
        return ref.number
    if ref.tag == "earliest":
        return 0
    return int(api.head.block_number)


def call_header(api: ChainReads, value: Any) -> BlockHeaderAPI | None:
    """Where eth_call / eth_estimateGas / eth_createAccessList run: None (the block that would
    be mined next, as Hardhat and Anvil run `pending`) for no block or `pending`; otherwise
    the named block, `latest` included, in its own context as Anvil runs it."""
    if value is None or is_pending(value):
        return None
    return header_at(api, value)


def is_pending(value: Any) -> bool:
    return bool(value == "pending")  # `value` is raw JSON (Any), so `==` is typed Any too
