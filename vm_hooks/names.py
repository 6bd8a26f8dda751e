"""The chain's name rules: how a CNS name and version become ENS labels, and how ENS hashes them.

These rules are part of the state transition (the CNS precompile accepts or reverts by them, and
the revert reason is data a calling contract can read), so every node must apply exactly the
same ones. Hence:

* ENSIP-15 normalisation comes from `ens-normalize` at exactly `ENS_NORMALIZE_VERSION`, whose
  Unicode NFC/NFD comes from `pyunormalize` at exactly `PYUNORMALIZE_VERSION`. Importing this
  module raises `PinnedVersionMismatch` when either differs, so a node that could disagree with
  its peers does not start. Changing a pin changes which names the chain accepts: bump both pins
  here and in setup.cfg together, with the new version's ENSIP-15 vectors in the unit tests.
* Nothing here imports web3 or its `ens` package: upgrading web3 cannot change a block.

The rules (cns/names.py gives the Python client the same ones):

* A CNS name is one ENS label: 1–128 characters, no dots, no whitespace, normalised by ENSIP-15.
  `DepositContract` and `depositcontract` are the same name.
* A version is 1–128 characters of `[A-Za-z0-9.-]`. Its pinned label is `v` + the version with a
  leading `v` dropped and dots turned into hyphens, lower-cased: `1.2.0` → `v1-2-0`.
* `NAME.wabei` is the latest version; `v1-2-0.NAME.wabei` is version 1.2.0 for ever.
"""
from __future__ import annotations

import re
from importlib.metadata import PackageNotFoundError, version as installed_version
from typing import Any

from vm_hooks.abi_hash import abi_keccak
from vm_hooks.errors import NameRuleError, PinnedVersionMismatch

TLD = "wabei"
MAX_NAME_LENGTH = 128
MAX_VERSION_LENGTH = 128
_VERSION_RE = re.compile(r"^[A-Za-z0-9.-]+$")

# ens-normalize 3.0.10 carries the ENSIP-15 tables of the reference implementation
# (ens-normalize.js) 1.11.1, Unicode 17.0.0: the same tables web3 8.0.0 used before, so the
# switch accepted and refused the same names. It needs pyunormalize's Unicode to be 17.0.0 too.
ENS_NORMALIZE_VERSION = "3.0.10"
PYUNORMALIZE_VERSION = "17.0.0"
PINNED_VERSIONS: tuple[tuple[str, str], ...] = (
    ("ens-normalize", ENS_NORMALIZE_VERSION),
    ("pyunormalize", PYUNORMALIZE_VERSION),
)


def check_pinned_versions() -> None:
    """Raise PinnedVersionMismatch unless every library in PINNED_VERSIONS is installed at its pin.

    Reads package metadata only (about a millisecond); the libraries themselves load later.
    """
    for distribution, pinned in PINNED_VERSIONS:
        try:
            found = installed_version(distribution)
        except PackageNotFoundError:
            raise PinnedVersionMismatch(
                f"the chain's name rules need {distribution}=={pinned}, which is not installed"
            ) from None
        if found != pinned:
            raise PinnedVersionMismatch(
                f"the chain's name rules need {distribution}=={pinned} but {found} is installed;"
                " nodes with different versions could disagree on which names are valid"
            )


# At import, not at first use: a mismatch found inside a block would stop the node mid-block.
check_pinned_versions()


class _EmptyLabel(NameRuleError):
    """ENSIP-15 left a label with no characters (it held only ignorable ones)."""


def ensip15_normalize(name: str) -> str:
    """The ENSIP-15 normalised form of a dotted ENS `name` ('' stays ''); raises NameRuleError.

    The message is the library's reason, plus the offending characters and their index when it
    reports them. The library is imported on first use: it unpickles a 5.5 MB table (about
    0.3 s), which a node that never handles a name should not pay for at startup.
    """
    from ens_normalize import DisallowedSequence, ens_normalize

    try:
        normal: str = ens_normalize(name)
    except DisallowedSequence as exc:
        if exc.code == "EMPTY_LABEL":
            raise _EmptyLabel(_reason(exc)) from None
        raise NameRuleError(_reason(exc)) from None
    return normal


def _reason(exc: Any) -> str:
    """`Contains a disallowed character: '\\u200b' at index 1`, or the bare reason."""
    reason = str(exc.general_info)
    sequence = getattr(exc, "sequence", None)
    index = getattr(exc, "index", None)
    if sequence and index is not None:
        return f"{reason}: {sequence!r} at index {index}"
    return reason


def normalize_label(name: str) -> str:
    """The ENS label of a CNS name (its canonical, case-folded form).

    Raises NameRuleError for an empty or over-long name, a dot, whitespace, or anything
    ENSIP-15 normalisation refuses.
    """
    if not name:
        raise NameRuleError("CNS name is empty")
    if len(name) > MAX_NAME_LENGTH:
        raise NameRuleError(
            f"CNS name is {len(name)} characters long; the limit is {MAX_NAME_LENGTH}"
        )
    if "." in name:
        raise NameRuleError(f"CNS name {name!r} contains a dot; a name is a single label")
    if any(ch.isspace() for ch in name):
        raise NameRuleError(f"CNS name {name!r} contains whitespace")
    try:
        label = ensip15_normalize(name)
    except _EmptyLabel:
        label = ""  # only ignorable characters: refused below, with the message it always had
    except NameRuleError as exc:
        raise NameRuleError(f"CNS name {name!r} is not a valid ENS label: {exc}") from None
    if not label or "." in label:
        raise NameRuleError(f"CNS name {name!r} does not normalise to a single ENS label")
    return label


def pinned_label(version: str) -> str:
    """The ENS label that pins `version` (`1.2.0` → `v1-2-0`); raises NameRuleError if invalid."""
    if not version:
        raise NameRuleError("CNS version is empty")
    if len(version) > MAX_VERSION_LENGTH:
        raise NameRuleError(
            f"CNS version is {len(version)} characters long; the limit is {MAX_VERSION_LENGTH}"
        )
    if not _VERSION_RE.match(version):
        raise NameRuleError(
            f"CNS version {version!r} may contain only letters, digits, '.' and '-'"
        )
    core = version[1:] if version[0] in "vV" else version
    try:
        label = ensip15_normalize("v" + core.replace(".", "-"))
    except NameRuleError as exc:
        raise NameRuleError(
            f"CNS version {version!r} cannot be pinned as an ENS label: {exc}"
        ) from None
    if "." in label:
        raise NameRuleError(f"CNS version {version!r} cannot be pinned as one ENS label")
    return label


def namehash(normal_name: str) -> bytes:
    """ENS namehash (EIP-137) of an already normalised dotted name ('' is the root).

    Keccak-256 (`abi_keccak`) on purpose, not the chain's hash (chain/crypto.py): keccak is the
    ABI and ENS hash in every crypto mode of this chain, an SM3 chain too, and ENS clients such as
    web3.py and ethers compute namehash with keccak to find these names.
    """
    node = b"\x00" * 32
    if normal_name:
        for label in reversed(normal_name.split(".")):
            node = abi_keccak(node + abi_keccak(label.encode("utf-8")))
    return node


def dns_decode(encoded: bytes) -> list[str]:
    """Labels of a DNS wire-format name (ENSIP-10); raises NameRuleError if malformed."""
    labels: list[str] = []
    i = 0
    while True:
        if i >= len(encoded):
            raise NameRuleError("DNS-encoded name is not terminated by a zero byte")
        size = encoded[i]
        if size == 0:
            if i != len(encoded) - 1:
                raise NameRuleError("DNS-encoded name has bytes after its terminator")
            return labels
        label = encoded[i + 1:i + 1 + size]
        if len(label) != size:
            raise NameRuleError("DNS-encoded name is truncated")
        try:
            labels.append(label.decode("utf-8"))
        except UnicodeDecodeError:
            raise NameRuleError("DNS-encoded name is not UTF-8") from None
        i += 1 + size
