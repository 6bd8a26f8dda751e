"""The CNS naming rules: tables of names and versions, and properties shared with ENS."""
from __future__ import annotations

import pytest
from ens.utils import dns_encode_name, raw_name_to_hash
from hypothesis import given
from hypothesis import strategies as st

from cns.errors import CnsNameError
from cns.names import (
    Reference, dns_decode, ens_name, namehash, normalize_label, parse_reference, pinned_label,
)


@pytest.mark.parametrize("name, label", [
    ("DepositContract", "depositcontract"),
    ("deposit", "deposit"),
    ("Ab-c", "ab-c"),
    ("_private", "_private"),
    ("Ünïcode", "ünïcode"),
])
def test_names_normalise_to_one_ens_label(name: str, label: str) -> None:
    assert normalize_label(name) == label


@pytest.mark.parametrize("name, message", [
    ("", "empty"),
    ("a b", "whitespace"),
    ("a.b", "dot"),
    ("ab--c", "not a valid ENS label"),
    ("a_b", "not a valid ENS label"),
    ("x" * 129, "limit is 128"),
])
def test_bad_names_say_why(name: str, message: str) -> None:
    with pytest.raises(CnsNameError, match=message):
        normalize_label(name)


@pytest.mark.parametrize("version, label", [
    ("1.2.0", "v1-2-0"), ("v1.2.0", "v1-2-0"), ("V2", "v2"), ("2024-rc1", "v2024-rc1"),
])
def test_versions_pin_as_labels(version: str, label: str) -> None:
    assert pinned_label(version) == label


@pytest.mark.parametrize("version", ["", "1 0", "1/0", "1_0", "1" * 129, "1..2"])
def test_bad_versions_are_refused(version: str) -> None:
    with pytest.raises(CnsNameError):
        pinned_label(version)


def test_ens_names_and_references() -> None:
    assert ens_name("Deposit") == "deposit.wabei"
    assert ens_name("Deposit", "1.2.0") == "v1-2-0.deposit.wabei"
    assert parse_reference("Deposit@1.2.0") == Reference("Deposit", "1.2.0")
    assert parse_reference("Deposit") == Reference("Deposit", None)
    with pytest.raises(CnsNameError):
        parse_reference("Deposit@")


labels = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=20)


@given(st.lists(labels, min_size=0, max_size=4))
def test_namehash_matches_web3s_ens(parts: list[str]) -> None:
    name = ".".join(parts)
    assert namehash(name) == bytes(raw_name_to_hash(name))


@given(st.lists(labels, min_size=1, max_size=4))
def test_dns_decode_inverts_web3s_encoding(parts: list[str]) -> None:
    assert dns_decode(bytes(dns_encode_name(".".join(parts)))) == parts


@pytest.mark.parametrize("raw", [b"", b"\x03ab", b"\x01a", b"\x01a\x00\x00"])
def test_malformed_dns_names_are_refused(raw: bytes) -> None:
    with pytest.raises(CnsNameError):
        dns_decode(raw)


@given(st.from_regex(r"\A[0-9][0-9.]{0,20}[0-9]\Z"))
def test_numeric_versions_pin_to_valid_single_labels(version: str) -> None:
    try:
        label = pinned_label(version)
    except CnsNameError:
        return  # e.g. "1..2" gives an empty-looking label part ("--" in position 3-4)
    assert "." not in label and label.startswith("v") and normalize_label(label) == label
