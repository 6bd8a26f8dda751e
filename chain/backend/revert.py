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
    0x31: "array is empty",  # .pop() on an empty array (Solidity's panic 0x31)
    0x32: "out-of-bounds access of an array or bytesN",
    0x41: "out of memory",
    0x51: "uninitialized function",
}


def _parse(data: bytes) -> str | int | None:
    """An Error(string)'s message, a Panic(uint256)'s code, or None (empty, custom or malformed)."""
    try:
        if data[:4] == ERROR_SELECTOR:
            return str(decode(["string"], data[4:])[0])
        if data[:4] == PANIC_SELECTOR:
            return int(decode(["uint256"], data[4:])[0])
    except Exception:  # malformed ABI in revert data: show none rather than fail the request
        return None
    return None


def decode_revert_reason(data: bytes) -> str | None:
    """The human reason for `data`, or None for empty data and custom errors (geth prints none)."""
    parsed = _parse(data)
    if isinstance(parsed, int):
        return f"panic: {PANIC_REASONS.get(parsed, 'unknown panic')} (0x{parsed:02x})"
    return parsed


# Solidity's panic codes, worded as geth's abi.UnpackRevert words them (callTracer's revertReason).
GETH_PANIC_REASONS = {
    0x00: "generic panic",
    0x01: "assert(false)",
    0x11: "arithmetic underflow or overflow",
    0x12: "division or modulo by zero",
    0x21: "enum overflow",
    0x22: "invalid encoded storage byte array accessed",
    0x31: "out-of-bounds array access; popping on an empty array",
    0x32: "out-of-bounds access of an array or bytesN",
    0x41: "out of memory",
    0x51: "uninitialized function",
}


def geth_revert_reason(data: bytes) -> str | None:
    """`data`'s reason as geth's callTracer gives it in `revertReason`, or None (custom errors)."""
    parsed = _parse(data)
    if isinstance(parsed, int):
        return GETH_PANIC_REASONS.get(parsed, f"unknown panic code: {parsed:#x}")
    return parsed


def vm_error_text(error: Exception) -> str:
    """A py-evm VM error in geth's words ("out of gas", "invalid opcode", ...)."""
    name = type(error).__name__
    return {
        "Revert": "execution reverted",
        "OutOfGas": "out of gas",
        "InsufficientFunds": "insufficient funds for transfer",
        "StackDepthLimit": "max call depth exceeded",
        "InvalidInstruction": "invalid opcode",
        "InvalidJumpDestination": "invalid jump destination",
        "WriteProtection": "write protection",
        "ContractCreationCollision": "contract address collision",
        # vm_hooks/unstarted_frames.py: the frames py-evm fails before starting them
        "CallDepthExceeded": "max call depth exceeded",
        "InsufficientBalance": "insufficient balance for transfer",
        "NonceOverflow": "nonce uint64 overflow",
        "OutOfBoundsRead": "return data out of bounds",
        "StackUnderflow": "stack underflow",
        "FullStack": "stack limit reached 1024",
        "ReservedBytesInCode": "invalid code: must not begin with 0xef",
    }.get(name, f"execution failed: {error or name}")
