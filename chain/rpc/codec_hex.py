"""The strict decoders every JSON-RPC param goes through: quantities, data, fixed-size bytes
(addresses, hashes), storage slots, booleans and ids.

The rules are geth's `common/hexutil` (hexutil.go, json.go), the reference clients are written
against:
- a hex value is a JSON string starting with `0x` (geth's `has0xPrefix` also takes `0X`, so this
  does); `""` is refused for a quantity, and means empty bytes for data, as geth's `checkText`;
- a QUANTITY has at least one digit (`0x` is refused), no leading zeros (`0x0` is zero, `0x00`
  and `0x01` are refused: geth's ErrLeadingZero) and at most 64 digits (256 bits);
- DATA has an even number of digits; fixed-size bytes have exactly twice their size in digits;
- digits are ASCII `0-9a-fA-F` only. Python's `int(s, 16)` and `bytes.fromhex` also take `_`,
  whitespace and any Unicode digit (`"0x1_0"` is 16 to them, `"0x١"` is 1), so nothing here
  calls them before the regular expression has checked every character;
- a JSON number is refused where geth wants a hex string, except where a caller asks for
  `lenient=True`: the dev methods (`evm_*`, `anvil_*`), which Hardhat and Anvil users call with
  plain integers (`evm_increaseTime [3600]`) and which take leading zeros as Anvil does.

Every error is InvalidParams (-32602) naming the parameter and saying what would be accepted.
"""
from __future__ import annotations

import re
from typing import Any

from chain.exceptions import InvalidParams

UINT256_MAX = 2**256 - 1
UINT64_MAX = 2**64 - 1
INT64_MAX = 2**63 - 1  # geth's limit for a block number ("block number larger than int64")
_HEX = re.compile(r"[0-9a-fA-F]+", re.ASCII)


def describe(value: Any) -> str:
    """A short, JSON-flavoured description of a bad value for an error message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    text = repr(value)
    return text if len(text) < 60 else text[:57] + "..."


def _digits(value: Any, name: str, kind: str) -> str:
    """The hex digits after the prefix, with every character checked; `kind` names what was
    expected ("0x-prefixed hex data") for the message."""
    if not isinstance(value, str) or value[:2] not in ("0x", "0X"):
        what = "an empty string" if value == "" else describe(value)
        raise InvalidParams(f"invalid {name}: expected {kind}, got {what}")
    digits = value[2:]
    if digits and not _HEX.fullmatch(digits):
        raise InvalidParams(f"invalid {name}: {describe(value)} is not hex: only the digits 0-9, a-f and A-F "
                            "may follow 0x (no spaces, underscores or other characters)")
    return digits


def _limit(max_value: int) -> str:
    bits = (max_value + 1).bit_length() - 1
    return f"2^{bits}-1" if max_value + 1 == 1 << bits else str(max_value)


def quantity(value: Any, name: str, max_value: int = UINT256_MAX, *, lenient: bool = False) -> int:
    """A QUANTITY (`0x0`, `0x1f`) → int in [0, max_value].

    `lenient` (dev methods only) also takes a non-negative JSON integer and leading zeros.
    """
    if lenient and isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise InvalidParams(f"invalid {name}: {value} is negative; quantities are unsigned")
        out = value
    else:
        want = "a 0x-prefixed hex quantity or a non-negative integer" if lenient else \
            "a 0x-prefixed hex quantity such as 0x1f"
        digits = _digits(value, name, want)
        if not digits:
            raise InvalidParams(f"invalid {name}: {value!r} has no digits; zero is 0x0")
        if not lenient and len(digits) > 1 and digits[0] == "0":
            raise InvalidParams(f"invalid {name}: {value!r} has leading zeros; "
                                f"write it as 0x{digits.lstrip('0') or '0'}")
        if len(digits.lstrip("0")) > 64:
            raise InvalidParams(f"invalid {name}: {describe(value)} is longer than 256 bits")
        out = int(digits, 16)
    if out > max_value:
        raise InvalidParams(f"invalid {name}: {describe(value)} is out of range; at most {_limit(max_value)}")
    return out


def data(value: Any, name: str) -> bytes:
    """DATA (`0x`, `0x00ff`) → bytes; `""` is empty, as geth takes it."""
    if value == "":
        return b""
    digits = _digits(value, name, "0x-prefixed hex data")
    if len(digits) % 2:
        raise InvalidParams(f"invalid {name}: hex data needs an even number of digits, got {len(digits)}")
    return bytes.fromhex(digits)


def fixed(value: Any, name: str, size: int) -> bytes:
    """Exactly `size` bytes of DATA (an address, a hash)."""
    digits = _digits(value, name, f"{size} bytes as 0x-prefixed hex")
    if len(digits) != 2 * size:
        raise InvalidParams(f"invalid {name}: expected {size} bytes (0x and {2 * size} hex digits), "
                            f"got {len(digits)} digits")
    return bytes.fromhex(digits)


def address(value: Any, name: str) -> bytes:
    """20 bytes; any case accepted (checksummed, lower, upper) without checking the checksum, as geth."""
    return fixed(value, name, 20)


def hash32(value: Any, name: str) -> bytes:
    """A 32-byte hash (block, transaction)."""
    return fixed(value, name, 32)


def slot(value: Any, name: str) -> int:
    """A storage slot: up to 32 bytes of hex, leading zeros and an odd digit count allowed
    (`0x0`, `0x01`, a 32-byte word), as geth's `decodeHash` takes `eth_getStorageAt`'s key."""
    digits = _digits(value, name, "a 0x-prefixed hex storage slot")
    if not digits:
        raise InvalidParams(f"invalid {name}: {value!r} has no digits; slot zero is 0x0")
    if len(digits) > 64:
        raise InvalidParams(f"invalid {name}: a slot is at most 32 bytes, got {(len(digits) + 1) // 2}")
    return int(digits, 16)


def boolean(value: Any, name: str) -> bool:
    """JSON true or false only: `"0x1"`, `1` and `"true"` are refused, as geth's `bool`."""
    if not isinstance(value, bool):
        raise InvalidParams(f"invalid {name}: expected true or false, got {describe(value)}")
    return value


def obj(value: Any, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidParams(f"invalid {name}: expected an object, got {describe(value)}")
    return value


def identifier(value: Any, name: str) -> str:
    """A filter or subscription id: the string the node handed out (geth's `rpc.ID`)."""
    if not isinstance(value, str) or not value:
        raise InvalidParams(f"invalid {name}: expected the id string the node returned, got {describe(value)}")
    return value
