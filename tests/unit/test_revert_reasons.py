"""Revert data → the reasons clients match on, for Solidity's panic codes as its docs define them."""
from __future__ import annotations

from eth_abi import encode

from chain.backend.revert import decode_revert_reason, geth_revert_reason

PANIC = bytes.fromhex("4e487b71")


def panic(code: int) -> bytes:
    return PANIC + encode(["uint256"], [code])


def test_pop_on_an_empty_array_and_an_out_of_bounds_index_are_told_apart() -> None:
    assert decode_revert_reason(panic(0x31)) == "panic: array is empty (0x31)"
    assert decode_revert_reason(panic(0x32)) == "panic: out-of-bounds access of an array or bytesN (0x32)"
    assert geth_revert_reason(panic(0x32)) == "out-of-bounds access of an array or bytesN"


def test_error_strings_custom_errors_and_garbage() -> None:
    message = bytes.fromhex("08c379a0") + encode(["string"], ["too late"])
    assert decode_revert_reason(message) == geth_revert_reason(message) == "too late"
    assert decode_revert_reason(bytes.fromhex("deadbeef")) is None      # a custom error
    assert decode_revert_reason(PANIC + b"\x01") is None                # malformed ABI
    assert geth_revert_reason(panic(0x99)) == "unknown panic code: 0x99"
