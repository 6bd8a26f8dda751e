"""The RPC wire codec: which hex strings decode to what, which are refused and with what message.

Every refusal is InvalidParams (JSON-RPC -32602) naming the parameter, so a user sees which
argument was wrong; the messages are matched whole where a client or a person reads them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chain.exceptions import InvalidParams
from chain.rpc import codec
from chain.rpc.namespaces.common import block_number, call_header, header_at
from chain.types import Authorization

U256 = 2**256 - 1
HEX_QUANTITY = re.compile(r"0[xX][0-9a-fA-F]+")
BAD = object()  # a table's "refused" marker


def refusal(fn: Any, *args: Any) -> str:
    with pytest.raises(InvalidParams) as info:
        fn(*args)
    return str(info.value)


# --- quantity -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "expected"), [
    ("0x0", 0), ("0x1", 1), ("0xff", 255), ("0xFF", 255), ("0X1f", 31),
    ("0x" + "f" * 64, U256),
    ("0x0001", 1),           # leading zeros are tolerated (some clients pad), as are ints
    (0, 0), (7, 7), (U256, U256),
])
def test_quantity_accepts(value: Any, expected: int) -> None:
    assert codec.quantity(value, "value") == expected


@pytest.mark.parametrize(("value", "message"), [
    (True, "invalid gas: expected a hex quantity, got a boolean"),
    (False, "invalid gas: expected a hex quantity, got a boolean"),
    ("0x", "invalid gas: expected a 0x-prefixed hex quantity, got '0x'"),
    ("12", "invalid gas: expected a 0x-prefixed hex quantity, got '12'"),
    ("", "invalid gas: expected a 0x-prefixed hex quantity, got ''"),
    (None, "invalid gas: expected a 0x-prefixed hex quantity, got None"),
    (1.5, "invalid gas: expected a 0x-prefixed hex quantity, got 1.5"),
    ([1], "invalid gas: expected a 0x-prefixed hex quantity, got [1]"),
    ("0xg", "invalid gas: '0xg' is not hex"),
    ("0x-1", "invalid gas: '0x-1' is not hex"),
    ("0x 1", "invalid gas: '0x 1' is not hex"),
    (-1, "invalid gas: -1 is out of range"),
    ("0x1" + "0" * 64, "invalid gas: '0x1" + "0" * 64 + "' is out of range"),
    (U256 + 1, f"invalid gas: {U256 + 1} is out of range"),
])
def test_quantity_refuses_with_a_message_naming_the_parameter(value: Any, message: str) -> None:
    assert refusal(codec.quantity, value, "gas") == message


def test_quantity_max_value_bounds_the_range() -> None:
    assert codec.quantity("0xff", "n", max_value=255) == 255
    assert refusal(codec.quantity, "0x100", "n", 255) == "invalid n: '0x100' is out of range"


# Python's int(s, 16) also takes "_" separators, surrounding whitespace and non-ASCII digits.
# A JSON-RPC quantity is [0-9a-fA-F] only (geth refuses all of these), so a typo like
# "0x1_000" must not silently become 4096.
@pytest.mark.parametrize("value", ["0x1_0", "0x_1", "0x1 ", "0x1\n", "0x\u0663"])
def test_quantity_refuses_what_is_not_hex_digits(value: str) -> None:
    try:
        decoded = codec.quantity(value, "gas")
    except InvalidParams:
        return
    raise AssertionError(f"{value!r} decoded to {decoded}")


@given(st.integers(0, U256))
def test_quantity_round_trips_through_hex_int(n: int) -> None:
    encoded = codec.hex_int(n)
    assert HEX_QUANTITY.fullmatch(encoded) and (encoded == "0x0" or encoded[2] != "0")  # no leading zero
    assert codec.quantity(encoded, "n") == n


@given(st.from_regex(HEX_QUANTITY, fullmatch=True))
def test_every_hex_quantity_in_range_decodes_to_its_value(text: str) -> None:
    value = int(text[2:], 16)
    if value <= U256:
        assert codec.quantity(text, "n") == value
    else:
        assert refusal(codec.quantity, text, "n").endswith("is out of range")


# --- data, fixed, address -----------------------------------------------------------------------
@pytest.mark.parametrize(("value", "expected"), [
    ("0x", b""), ("0x00", b"\x00"), ("0xdeadBEEF", b"\xde\xad\xbe\xef"), ("0XAB", b"\xab"),
])
def test_data_accepts(value: str, expected: bytes) -> None:
    assert codec.data(value, "input") == expected


@pytest.mark.parametrize(("value", "message"), [
    ("deadbeef", "invalid input: expected 0x-prefixed hex data, got 'deadbeef'"),
    (None, "invalid input: expected 0x-prefixed hex data, got None"),
    (b"\x00", "invalid input: expected 0x-prefixed hex data, got b'\\x00'"),
    (12, "invalid input: expected 0x-prefixed hex data, got 12"),
    ("0xabc", "invalid input: hex data has an odd number of digits"),
    ("0xzz", "invalid input: '0xzz' is not hex"),
    ("z" * 80, "invalid input: expected 0x-prefixed hex data, got '" + "z" * 56 + "..."),  # cut at 60
])
def test_data_refuses_with_a_short_message(value: Any, message: str) -> None:
    assert refusal(codec.data, value, "input") == message


@pytest.mark.parametrize("value", ["0xaa  bb", "0xaabb  ", "0x" + "11" * 19 + "\n\n" + "11"])
def test_data_refuses_whitespace(value: str) -> None:
    try:
        decoded = codec.data(value, "input")
    except InvalidParams:
        return
    raise AssertionError(f"{value!r} decoded to {decoded!r}")


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


def test_address_and_fixed_check_the_length() -> None:
    assert refusal(codec.address, "0x" + "11" * 19, "to") == "invalid to: expected 20 bytes, got 19"
    assert refusal(codec.address, "0x" + "11" * 21, "to") == "invalid to: expected 20 bytes, got 21"
    assert refusal(codec.fixed, "0x" + "00" * 31, "blockHash", 32) == "invalid blockHash: expected 32 bytes, got 31"
    assert codec.fixed("0x" + "ab" * 32, "blockHash", 32) == b"\xab" * 32


def test_hex_addr_gives_null_for_no_address() -> None:
    assert codec.hex_addr(None) is None
    assert codec.hex_addr(b"") is None  # a contract creation's `to`


# --- slot, boolean ------------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "expected"), [
    ("0x0", 0), ("0x1", 1), ("0x" + "00" * 31 + "05", 5), ("0x" + "ff" * 32, U256), (3, 3),
    ("0x" + "0" * 63, 0),  # 63 digits: not 32 bytes of data, so read as a quantity
])
def test_slot_takes_a_quantity_or_32_bytes(value: Any, expected: int) -> None:
    assert codec.slot(value, "slot") == expected


def test_slot_refusals() -> None:
    assert refusal(codec.slot, "0x" + "zz" * 32, "slot") == "invalid slot: '0x" + "z" * 54 + "... is not hex"
    assert refusal(codec.slot, "slot0", "slot") == "invalid slot: expected a 0x-prefixed hex quantity, got 'slot0'"


@given(st.integers(0, U256))
def test_slot_round_trips_as_32_bytes_and_as_a_quantity(n: int) -> None:
    assert codec.slot(codec.hex_bytes(n.to_bytes(32, "big")), "slot") == n
    assert codec.slot(codec.hex_int(n), "slot") == n


@pytest.mark.parametrize("value", [True, False])
def test_boolean_accepts_json_booleans(value: bool) -> None:
    assert codec.boolean(value, "fullTx") is value


@pytest.mark.parametrize(("value", "shown"), [("true", "'true'"), (1, "1"), (0, "0"), (None, "None")])
def test_boolean_refuses_look_alikes(value: Any, shown: str) -> None:
    assert refusal(codec.boolean, value, "fullTx") == f"invalid fullTx: expected true or false, got {shown}"


# --- block tags ---------------------------------------------------------------------------------
@dataclass
class Header:
    block_number: int


class FakeApi:
    """The three things block-tag resolution asks of the node: its head and headers by key."""

    head = Header(41)

    def header_by_number(self, number: int) -> Any:
        return ("by number", number)

    def header_by_hash(self, block_hash: bytes, require_canonical: bool = False) -> Any:
        return ("by hash", block_hash, require_canonical)


API = cast(Any, FakeApi())


@pytest.mark.parametrize(("value", "expected"), [
    ("latest", 41), ("pending", 41), ("safe", 41), ("finalized", 41), (None, 41),  # a devnet: no lag
    ("earliest", 0), ("0x0", 0), ("0x10", 16), (16, 16), ("0x" + "f" * 16, 2**64 - 1),
])
def test_block_number_from_tags_and_numbers(value: Any, expected: int) -> None:
    assert block_number(API, value) == expected


NOT_A_TAG = "; expected a number, a hash or one of latest, pending, safe, finalized, earliest"


@pytest.mark.parametrize(("value", "message"), [
    ("Latest", "invalid block: 'Latest'" + NOT_A_TAG),   # tags are case-sensitive, as in geth
    ("12", "invalid block: '12'" + NOT_A_TAG),
    ("0x1" + "0" * 16, "invalid block: '0x1" + "0" * 16 + "' is out of range"),  # above uint64
    (-1, "invalid block: -1 is out of range"),
    (True, "invalid block: expected a hex quantity, got a boolean"),
    ("0xq", "invalid block: '0xq' is not hex"),
])
def test_block_number_refusals(value: Any, message: str) -> None:
    assert refusal(block_number, API, value) == message


def test_header_at_takes_a_hash_a_number_or_an_eip1898_object() -> None:
    h = "0x" + "ab" * 32
    assert header_at(API, h) == ("by hash", b"\xab" * 32, False)
    assert header_at(API, {"blockHash": h}) == ("by hash", b"\xab" * 32, False)
    assert header_at(API, {"blockHash": h, "requireCanonical": True}) == ("by hash", b"\xab" * 32, True)
    assert header_at(API, {"blockNumber": "0x5"}) == ("by number", 5)
    assert header_at(API, "latest") == ("by number", 41)
    assert header_at(API, "0x7") == ("by number", 7)
    assert refusal(header_at, API, {}) == "invalid block: expected blockHash or blockNumber"
    assert refusal(header_at, API, {"blockHash": "0x12"}) == "invalid block.blockHash: expected 32 bytes, got 1"


def test_calls_run_in_the_next_block_for_no_block_or_pending_and_in_latest_for_latest() -> None:
    assert call_header(API, None) is None
    assert call_header(API, "pending") is None
    assert call_header(API, "latest") == ("by number", 41)
    assert call_header(API, "0x7") == ("by number", 7)


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
     "invalid transaction.authorizationList[0].address: expected 20 bytes, got 1"),
    ([{**AUTH, "nonce": "0x1" + "0" * 16}],
     "invalid transaction.authorizationList[0].nonce: '0x1" + "0" * 16 + "' is out of range"),
    ([{k: v for k, v in AUTH.items() if k != "r"}],
     "invalid transaction.authorizationList[0].r: expected a 0x-prefixed hex quantity, got None"),
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
    ([None, "0x01"], "invalid topics[1]: expected 32 bytes, got 1"),
    ([[T1, "0x"]], "invalid topics[0]: expected 32 bytes, got 0"),
])
def test_topics_filter_refusals(value: Any, message: str) -> None:
    assert refusal(codec.topics_filter, value, "topics") == message


def test_addresses_filter_takes_one_or_a_list() -> None:
    a, b = "0x" + "11" * 20, "0x" + "22" * 20
    assert codec.addresses_filter(None, "address") == frozenset()
    assert codec.addresses_filter(a, "address") == frozenset([b"\x11" * 20])
    assert codec.addresses_filter([a, b, a], "address") == frozenset([b"\x11" * 20, b"\x22" * 20])
    assert refusal(codec.addresses_filter, ["0x11"], "address") == "invalid address: expected 20 bytes, got 1"
