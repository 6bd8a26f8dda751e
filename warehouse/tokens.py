"""Token transfers from the standard events, whatever contract emits them (pure).

ERC-20 `Transfer(from, to, value)` and ERC-721 `Transfer(from, to, tokenId)` share topic0 and
differ in how many inputs are indexed (2 vs 3); ERC-1155 `TransferSingle` gives one row and
`TransferBatch` one row per id (`batch_index`). A log that only looks like one (wrong topic count,
short data) gives no row; it is still in `logs`.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eth_abi.abi import decode
from eth_utils.crypto import keccak

TRANSFER = keccak(text="Transfer(address,address,uint256)")
TRANSFER_SINGLE = keccak(text="TransferSingle(address,address,address,uint256,uint256)")
TRANSFER_BATCH = keccak(text="TransferBatch(address,address,address,uint256[],uint256[])")


def _address(topic: bytes) -> str:
    return "0x" + topic[12:].hex()


def transfers(topics: Sequence[bytes], data: bytes) -> list[dict[str, Any]]:
    """The transfers one log records: dicts of the token_transfers columns after `token`."""
    if not topics:
        return []
    if topics[0] == TRANSFER and len(topics) == 3 and len(data) == 32:
        return [_row(0, "erc20", None, topics[1], topics[2], None, int.from_bytes(data, "big"))]
    if topics[0] == TRANSFER and len(topics) == 4 and not data:
        return [_row(0, "erc721", None, topics[1], topics[2], int.from_bytes(topics[3], "big"), 1)]
    if topics[0] == TRANSFER_SINGLE and len(topics) == 4 and len(data) == 64:
        token_id, amount = decode(["uint256", "uint256"], data)
        return [_row(0, "erc1155", topics[1], topics[2], topics[3], token_id, amount)]
    if topics[0] == TRANSFER_BATCH and len(topics) == 4:
        try:
            ids, amounts = decode(["uint256[]", "uint256[]"], data)
        except Exception:  # a look-alike event with other data: no transfer rows
            return []
        return [_row(i, "erc1155", topics[1], topics[2], topics[3], t, a)
                for i, (t, a) in enumerate(zip(ids, amounts))]
    return []


def _row(index: int, standard: str, operator: bytes | None, source: bytes, target: bytes,
         token_id: int | None, amount: int) -> dict[str, Any]:
    return {"batch_index": index, "standard": standard, "operator": _address(operator) if operator else None,
            "from_address": _address(source), "to_address": _address(target), "token_id": token_id,
            "amount": amount}
