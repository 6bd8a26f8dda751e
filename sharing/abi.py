"""ABI helpers over plain JSON ABI entries: canonical signatures and 4-byte selectors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eth_utils.abi import function_signature_to_4byte_selector


def abi_type(param: Mapping[str, Any]) -> str:
    """The canonical type of an ABI parameter (tuples expanded, e.g. ``(uint256,uint16[])[]``)."""
    kind = str(param["type"])
    if kind.startswith("tuple"):
        inner = ",".join(abi_type(c) for c in param["components"])
        return f"({inner}){kind[5:]}"
    return kind


def signature(entry: Mapping[str, Any]) -> str:
    """``name(type,...)`` of a function, event or error entry."""
    return f"{entry['name']}({','.join(abi_type(p) for p in entry.get('inputs', []))})"


def selector(entry: Mapping[str, Any]) -> bytes:
    """The 4-byte selector of a function or error entry."""
    return bytes(function_signature_to_4byte_selector(signature(entry)))
