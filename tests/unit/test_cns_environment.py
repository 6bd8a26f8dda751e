"""cns/environment.py: spotting web3 8.0.0 + pyunormalize 18, which cannot normalise any name.

Run once by hand against the real pyunormalize 18.0.0 wheel (PYTHONPATH=<unpacked wheel>):
check_name_normalisation() raised CnsEnvironmentError("web3 8.0.0 cannot normalise ENS names
with pyunormalize 18.0.0; install pyunormalize>=15,<18 ..."); 15.0.0, 15.1.0 and 16.0.0 passed.
"""
from __future__ import annotations

from importlib.metadata import version

import pytest
from ens.utils import normalize_name
from pyunormalize import NFC

from cns.environment import WORKING_PYUNORMALIZE, broken_normalisation_message, check_name_normalisation
from cns.errors import CnsEnvironmentError, CnsError


def test_the_pinned_pyunormalize_is_in_the_working_range_and_passes() -> None:
    major = int(version("pyunormalize").split(".")[0])
    assert 15 <= major < 18 and WORKING_PYUNORMALIZE == ">=15,<18"
    check_name_normalisation()  # web3's own normalize_name, on this environment's pyunormalize
    # What 18 refuses and web3 8.0.0 does: NFC over a list of characters.
    assert NFC(list("e\u0301")) == "\u00e9"
    assert normalize_name("Wabei.eth") == "wabei.eth"


def test_the_attribute_error_becomes_one_clear_line() -> None:
    def like_pyunormalize_18(name: str) -> str:
        return str(list(name).isascii())  # type: ignore[attr-defined]  # 18's NFC on web3's list

    with pytest.raises(CnsEnvironmentError) as info:
        check_name_normalisation(like_pyunormalize_18)
    message = str(info.value)
    assert "\n" not in message and "pyunormalize>=15,<18" in message
    assert isinstance(info.value, CnsError) and isinstance(info.value.__cause__, AttributeError)


def test_other_failures_are_not_blamed_on_pyunormalize() -> None:
    def broken(name: str) -> str:
        raise ValueError("something else")

    with pytest.raises(ValueError):
        check_name_normalisation(broken)


def test_the_message_names_both_versions() -> None:
    assert broken_normalisation_message("8.0.0", "18.0.0") == (
        "web3 8.0.0 cannot normalise ENS names with pyunormalize 18.0.0; install "
        "pyunormalize>=15,<18 (pip install 'pyunormalize>=15,<18')")
