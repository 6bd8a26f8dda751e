"""Whether this Python environment's web3 can normalise ENS names at all.

`w3.ens` (and every web3 call given a name instead of an address) normalises the name with
web3's own ENSIP-15 code, which calls pyunormalize's NFC/NFD with a list of characters.
pyunormalize 18.0.0 added an ASCII fast path (`string.isascii()`) that takes only `str`, so
web3 8.0.0 with pyunormalize 18 fails on every name with `AttributeError: 'list' object has no
attribute 'isascii'`. web3 8.0.0 asks for `pyunormalize>=15`; 15.0.0, 15.1.0, 16.0.0 and
17.0.0 work (checked against web3 8.0.0's ens/_normalization.py). The chain's own CNS rules do
not depend on this: they use the exactly pinned ens-normalize (vm_hooks/names.py).
"""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Callable

from cns.errors import CnsEnvironmentError

WORKING_PYUNORMALIZE = ">=15,<18"


def _installed(distribution: str) -> str:
    try:
        return version(distribution)
    except PackageNotFoundError:
        return "(not installed)"


def broken_normalisation_message(web3_version: str, pyunormalize_version: str) -> str:
    """The one line a user needs: what is broken and the pin that fixes it."""
    return (f"web3 {web3_version} cannot normalise ENS names with pyunormalize "
            f"{pyunormalize_version}; install pyunormalize{WORKING_PYUNORMALIZE} "
            f"(pip install 'pyunormalize{WORKING_PYUNORMALIZE}')")


def check_name_normalisation(normalize: Callable[[str], str] | None = None) -> None:
    """Raise CnsEnvironmentError if web3's ENS name normalisation fails on a plain name.

    `normalize` defaults to web3's `ens.utils.normalize_name`; it is run on `wabei`, which every
    working combination returns unchanged. Only the AttributeError that the pyunormalize 18
    incompatibility raises is translated; anything else is a different problem and propagates.
    """
    if normalize is None:
        from ens.utils import normalize_name

        normalize = normalize_name
    try:
        normalize("wabei")
    except AttributeError as exc:
        raise CnsEnvironmentError(broken_normalisation_message(
            _installed("web3"), _installed("pyunormalize"))) from exc
