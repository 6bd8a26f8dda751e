"""The RPC wire codec: which hex strings decode to what, which are refused and with what message.

Every refusal is InvalidParams (JSON-RPC -32602) naming the parameter, so a user sees which
argument was wrong; the messages are matched whole where a client or a person reads them.
"""
from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chain.exceptions import InvalidParams
from chain.rpc import codec
from chain.types import Authorization

U256 = 2**256 - 1
HEX_QUANTITY = re.compile(r"0[xX][0-9a-fA-F]+")


def refusal(fn: Any, *args: Any) -> str:
    with pytest.raises(InvalidParams) as info:
        fn(*args)
    return str(info.value)


# --- round trips (the tables of accepted and refused forms are in test_codec_strict.py) --------
@given(st.integers(0, U256))
def test_quantity_round_trips_through_hex_int(n: int) -> None:
    encoded = codec.hex_int(n)
    assert HEX_QUANTITY.fullmatch(encoded) and (encoded == "0x0" or encoded[2] != "0")  # no leading zero
    assert codec.quantity(encoded, "n") == n


@given(st.from_regex(HEX_QUANTITY, fullmatch=True))
def test_every_hex_quantity_decodes_to_its_value_or_is_refused_with_the_reason(text: str) -> None:
    value, digits = int(text[2:], 16), text[2:]
    if len(digits) > 1 and digits[0] == "0":
        assert "has leading zeros" in refusal(codec.quantity, text, "n")
    elif len(digits) > 64:
        assert refusal(codec.quantity, text, "n").endswith("is longer than 256 bits")
    else:
        assert codec.quantity(text, "n") == value


@given(st.binary(max_size=200))
def test_data_round_trips_through_hex_bytes(raw: bytes) -> None:
    assert codec.data(codec.hex_bytes(raw), "input") == raw
    assert codec.data(codec.hex_bytes(raw).upper().replace("0X", "0x"), "input") == raw


@given(st.binary(min_size=20, max_size=20))
def test_address_round_trips_in_any_case(raw: bytes) -> None:
    text = codec.hex_addr(raw)
    assert text is not None and text == text.lower() and len(text) == 42
    for spelling in (text, "0x" + text[2:].upper()):
        assert codec.address(spelling, "to") == raw


def test_hex_addr_gives_null_for_no_address() -> None:
    assert codec.hex_addr(None) is None
    assert codec.hex_addr(b"") is None  # a contract creation's `to`


@given(st.integers(0, U256))
def test_slot_round_trips_as_32_bytes_and_as_a_quantity(n: int) -> None:
    assert codec.slot(codec.hex_bytes(n.to_bytes(32, "big")), "slot") == n
    assert codec.slot(codec.hex_int(n), "slot") == n


# --- EIP-7702 authorization lists ---------------------------------------------------------------
AUTH = {"chainId": "0x7a69", "address": "0x" + "11" * 20, "nonce": "0x1", "yParity": "0x1",
        "r": "0x2", "s": "0x3"}


@pytest.mark.parametrize(("value", "expected"), [
    (None, ()),
    ([], ()),
    ([AUTH], (Authorization(31337, b"\x11" * 20, 1, 1, 2, 3),)),
    # viem names the parity `v`
    ([{**{k: v for k, v in AUTH.items() if k != "yParity"}, "v": "0x0"}],
     (Authorization(31337, b"\x11" * 20, 1, 0, 2, 3),)),
])
def test_authorization_lists_in_geths_shape(value: Any, expected: tuple[Authorization, ...]) -> None:
    assert codec.call_request({"authorizationList": value}).authorization_list == expected


@pytest.mark.parametrize(("value", "message"), [
    ({}, "invalid transaction.authorizationList: expected a list"),
    (["0x"], "invalid transaction.authorizationList[0]: expected an object, got '0x'"),
    ([{**AUTH, "address": "0x12"}],
     "invalid transaction.authorizationList[0].address: expected 20 bytes (0x and 40 hex digits), got 2 digits"),
    ([{**AUTH, "nonce": "0x1" + "0" * 16}],
     "invalid transaction.authorizationList[0].nonce: '0x1" + "0" * 16 + "' is out of range; at most 2^64-1"),
    ([{k: v for k, v in AUTH.items() if k != "r"}],
     "invalid transaction.authorizationList[0].r: expected a 0x-prefixed hex quantity such as 0x1f, got null"),
])
def test_authorization_list_refusals_name_the_field(value: Any, message: str) -> None:
    assert refusal(codec.call_request, {"authorizationList": value}) == message


# --- log filters --------------------------------------------------------------------------------
T1, T2 = "0x" + "01" * 32, "0x" + "02" * 32


@pytest.mark.parametrize(("value", "expected"), [
    (None, ()), ([], ()),
    ([T1], (frozenset([b"\x01" * 32]),)),
    ([None, [], T2], (None, None, frozenset([b"\x02" * 32]))),    # null and [] both mean "any"
    ([[T1, T2, None]], (frozenset([b"\x01" * 32, b"\x02" * 32]),)),  # alternatives at one position
])
def test_topics_filter(value: Any, expected: tuple[Any, ...]) -> None:
    assert codec.topics_filter(value, "topics") == expected


@pytest.mark.parametrize(("value", "message"), [
    (T1, "invalid topics: expected a list"),
    ([T1] * 5, "invalid topics: at most 4 topic positions"),
    ([None, "0x01"], "invalid topics[1]: expected 32 bytes (0x and 64 hex digits), got 2 digits"),
    ([[T1, "0x"]], "invalid topics[0]: expected 32 bytes (0x and 64 hex digits), got 0 digits"),
])
def test_topics_filter_refusals(value: Any, message: str) -> None:
    assert refusal(codec.topics_filter, value, "topics") == message


def test_addresses_filter_takes_one_or_a_list() -> None:
    a, b = "0x" + "11" * 20, "0x" + "22" * 20
    assert codec.addresses_filter(None, "address") == frozenset()
    assert codec.addresses_filter(a, "address") == frozenset([b"\x11" * 20])
    assert codec.addresses_filter([a, b, a], "address") == frozenset([b"\x11" * 20, b"\x22" * 20])
    assert refusal(codec.addresses_filter, ["0x11"], "address") == "invalid address: expected 20 bytes (0x and 40 hex digits), got 2 digits"
