"""Decoding revert data into the messages geth and Anvil print, so client libraries match on them."""
from __future__ import annotations

from eth_abi.abi import decode

ERROR_SELECTOR = bytes.fromhex("08c379a0")   # Error(string)
PANIC_SELECTOR = bytes.fromhex("4e487b71")   # Panic(uint256)

# Solidity's panic codes, worded as Anvil words them.
PANIC_REASONS = {
    0x00: "generic/unspecified error",
    0x01: "assertion failed",
    0x11: "arithmetic underflow or overflow",
    0x12: "division or modulo by zero",
    0x21: "enum overflow",
    0x22: "invalid encoded storage byte array accessed",
    0x31: "out-of-bounds access of an array or bytesN",
    0x32: "array is empty",
    0x41: "out of memory",
    0x51: "uninitialized function",
}


def decode_revert_reason(data: bytes) -> str | None:
    """The human reason for `data`, or None for empty data and custom errors (geth prints none)."""
    try:
        if data[:4] == ERROR_SELECTOR:
            return str(decode(["string"], data[4:])[0])
        if data[:4] == PANIC_SELECTOR:
            code = int(decode(["uint256"], data[4:])[0])
            return f"panic: {PANIC_REASONS.get(code, 'unknown panic')} (0x{code:02x})"
    except Exception:  # malformed ABI in revert data: show none rather than fail the request
        return None
    return None
