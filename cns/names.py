"""How a FISCO-style CNS name and version become ENS names under `.wabei`, as pure functions.

The precompile (vm_hooks/cns) and the Python client both use these rules, so a name the client
accepts is exactly a name the chain accepts. The rules:

* A CNS name is one ENS label: 1–128 characters, no dots, normalised by ENSIP-15 (web3's
  `ens.utils.normalize_name`). `DepositContract` and `depositcontract` are the same name.
* A version is 1–128 characters of `[A-Za-z0-9.-]`. Its pinned label is `v` + the version with a
  leading `v` dropped and dots turned into hyphens, lower-cased: `1.2.0` → `v1-2-0`.
* `NAME.wabei` is the latest version; `v1-2-0.NAME.wabei` is version 1.2.0 for ever.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from eth_hash.auto import keccak

from cns.errors import CnsNameError

TLD = "wabei"
MAX_NAME_LENGTH = 128
MAX_VERSION_LENGTH = 128
_VERSION_RE = re.compile(r"^[A-Za-z0-9.-]+$")


@dataclass(frozen=True)
class Reference:
    """`NAME` or `NAME@VERSION` as typed on the command line; `version` None means latest."""

    name: str
    version: str | None


def normalize_label(name: str) -> str:
    """The ENS label of a CNS name (its canonical, case-folded form).

    Raises CnsNameError for an empty or over-long name, a dot, whitespace, or anything
    ENSIP-15 normalisation rejects.
    """
    if not name:
        raise CnsNameError("CNS name is empty")
    if len(name) > MAX_NAME_LENGTH:
        raise CnsNameError(f"CNS name is {len(name)} characters long; the limit is {MAX_NAME_LENGTH}")
    if "." in name:
        raise CnsNameError(f"CNS name {name!r} contains a dot; a name is a single label")
    if any(ch.isspace() for ch in name):
        raise CnsNameError(f"CNS name {name!r} contains whitespace")
    try:
        label = _normalize(name)
    except ValueError as exc:
        raise CnsNameError(f"CNS name {name!r} is not a valid ENS label: {exc}") from None
    if not label or "." in label:
        raise CnsNameError(f"CNS name {name!r} does not normalise to a single ENS label")
    return label


def pinned_label(version: str) -> str:
    """The ENS label that pins `version` (`1.2.0` → `v1-2-0`); raises CnsNameError if invalid."""
    if not version:
        raise CnsNameError("CNS version is empty")
    if len(version) > MAX_VERSION_LENGTH:
        raise CnsNameError(
            f"CNS version is {len(version)} characters long; the limit is {MAX_VERSION_LENGTH}"
        )
    if not _VERSION_RE.match(version):
        raise CnsNameError(
            f"CNS version {version!r} may contain only letters, digits, '.' and '-'"
        )
    core = version[1:] if version[0] in "vV" else version
    candidate = "v" + core.replace(".", "-")
    try:
        label = _normalize(candidate)
    except ValueError as exc:
        raise CnsNameError(f"CNS version {version!r} cannot be pinned as an ENS label: {exc}") from None
    if "." in label:
        raise CnsNameError(f"CNS version {version!r} cannot be pinned as one ENS label")
    return label


def ens_name(name: str, version: str | None = None) -> str:
    """`name.wabei`, or `vX-Y-Z.name.wabei` for a pinned version."""
    label = normalize_label(name)
    if version is None:
        return f"{label}.{TLD}"
    return f"{pinned_label(version)}.{label}.{TLD}"


def namehash(normal_name: str) -> bytes:
    """ENS namehash (EIP-137) of an already normalised dotted name ('' is the root)."""
    node = b"\x00" * 32
    if normal_name:
        for label in reversed(normal_name.split(".")):
            node = keccak(node + keccak(label.encode("utf-8")))
    return node


def _normalize(name: str) -> str:
    """ENSIP-15 normalisation, through web3's `ens` package; raises ValueError if invalid.

    Imported on first use: importing `ens` pulls in all of web3, which a node that never
    touches a CNS name should not pay for at startup.
    """
    from ens.utils import normalize_name

    normal: str = normalize_name(name)
    return normal


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
    labels: list[str] = []
    i = 0
    while True:
        if i >= len(encoded):
            raise CnsNameError("DNS-encoded name is not terminated by a zero byte")
        size = encoded[i]
        if size == 0:
            if i != len(encoded) - 1:
                raise CnsNameError("DNS-encoded name has bytes after its terminator")
            return labels
        label = encoded[i + 1:i + 1 + size]
        if len(label) != size:
            raise CnsNameError("DNS-encoded name is truncated")
        try:
            labels.append(label.decode("utf-8"))
        except UnicodeDecodeError:
            raise CnsNameError("DNS-encoded name is not UTF-8") from None
        i += 1 + size
