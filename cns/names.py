"""How a FISCO-style CNS name and version become ENS names under `.wabei`, for the Python client.

The rules themselves are the chain's (vm_hooks/names.py, where they are spelled out); this module
re-exports them and raises `CnsNameError` with the chain's message, so a name the client accepts
is exactly a name the chain accepts, and callers of `cns` catch only `cns.errors`. What the chain
never needs lives here: `ens_name`, and `NAME@VERSION` references as typed on a command line.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from cns.errors import CnsNameError
from vm_hooks import names as rules
from vm_hooks.errors import NameRuleError
from vm_hooks.names import MAX_NAME_LENGTH, MAX_VERSION_LENGTH, TLD, namehash

__all__ = [
    "MAX_NAME_LENGTH", "MAX_VERSION_LENGTH", "TLD", "Reference", "dns_decode", "ens_name",
    "namehash", "normalize_label", "parse_reference", "pinned_label",
]


@dataclass(frozen=True)
class Reference:
    """`NAME` or `NAME@VERSION` as typed on the command line; `version` None means latest."""

    name: str
    version: str | None


@contextmanager
def _as_cns_error() -> Iterator[None]:
    """Re-raise the chain's NameRuleError as CnsNameError, message unchanged."""
    try:
        yield
    except CnsNameError:
        raise
    except NameRuleError as exc:
        raise CnsNameError(str(exc)) from None


def normalize_label(name: str) -> str:
    """The ENS label of a CNS name (its canonical, case-folded form).

    Raises CnsNameError for an empty or over-long name, a dot, whitespace, or anything
    ENSIP-15 normalisation rejects.
    """
    with _as_cns_error():
        return rules.normalize_label(name)


def pinned_label(version: str) -> str:
    """The ENS label that pins `version` (`1.2.0` → `v1-2-0`); raises CnsNameError if invalid."""
    with _as_cns_error():
        return rules.pinned_label(version)


def ens_name(name: str, version: str | None = None) -> str:
    """`name.wabei`, or `vX-Y-Z.name.wabei` for a pinned version."""
    label = normalize_label(name)
    if version is None:
        return f"{label}.{TLD}"
    return f"{pinned_label(version)}.{label}.{TLD}"


def parse_reference(text: str) -> Reference:
    """Split `NAME@VERSION` (or `NAME`) and validate both parts."""
    name, sep, version = text.partition("@")
    normalize_label(name)
    if sep:
        pinned_label(version)
        return Reference(name, version)
    return Reference(name, None)


def dns_decode(encoded: bytes) -> list[str]:
    """Labels of a DNS wire-format name (ENSIP-10); raises CnsNameError if malformed."""
    with _as_cns_error():
        return rules.dns_decode(encoded)
