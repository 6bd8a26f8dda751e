"""Opcode names as geth prints them in struct logs (`op`), from py-evm's opcode values."""
from __future__ import annotations

from eth.vm import opcode_values

# Where py-evm's constant names differ from geth's (or one byte has two names).
_GETH_NAMES = {0x20: "KECCAK256", 0x44: "PREVRANDAO", 0xFE: "INVALID"}


def _names() -> dict[int, str]:
    out: dict[int, str] = {}
    for name, value in vars(opcode_values).items():
        if name.isupper() and isinstance(value, int) and 0 <= value < 256:
            out.setdefault(value, name)
    out.update(_GETH_NAMES)
    return out


OPCODE_NAMES = _names()


def op_name(opcode: int) -> str:
    """geth's name for `opcode`; an undefined byte reads "opcode 0xef not defined", as in geth."""
    return OPCODE_NAMES.get(opcode) or f"opcode {opcode:#x} not defined"
