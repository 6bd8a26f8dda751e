"""deploy.abiargs: command-line strings to ABI values, and values and reverts back to text."""
from __future__ import annotations

from typing import Any

import pytest
from eth_abi import encode
from hypothesis import given
from hypothesis import strategies as st
from web3 import Web3

from deploy.abiargs import describe_revert, format_value, parse_args, parse_value, to_json
from deploy.errors import ArgumentError

A0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"


def p(kind: str, **extra: Any) -> dict[str, Any]:
    return {"type": kind, "name": "x", **extra}


POINT = p("tuple", components=[{"type": "uint8", "name": "a"}, {"type": "address", "name": "b"}])


@pytest.mark.parametrize(("param", "text", "value"), [
    (p("uint256"), "42", 42),
    (p("uint256"), "0x2a", 42),
    (p("int8"), "-128", -128),
    (p("address"), A0.lower(), A0),
    (p("bool"), "true", True),
    (p("bool"), "0", False),
    (p("string"), "hello world", "hello world"),
    (p("string"), "", ""),
    (p("bytes"), "0x0102", b"\x01\x02"),
    (p("bytes2"), "0x0102", b"\x01\x02"),
    (p("uint8[]"), '[1, "0x02", "3"]', [1, 2, 3]),
    (p("address[2]"), f'["{A0}", "{A0.lower()}"]', [A0, A0]),
    (p("string[][]"), '[["a"], []]', [["a"], []]),
    (POINT, f'[7, "{A0}"]', (7, A0)),
    (dict(POINT, type="tuple[]"), f'[[7, "{A0}"]]', [(7, A0)]),
])
def test_parses_by_abi_type(param: dict[str, Any], text: str, value: Any) -> None:
    assert parse_value(param, text) == value


@pytest.mark.parametrize(("param", "text", "message"), [
    (p("uint256"), "ten", "not an integer"),
    (p("uint8"), "256", "does not fit type uint8"),
    (p("uint256"), "-1", "does not fit type uint256"),
    (p("int8"), "128", "does not fit type int8"),
    (p("address"), "0x12", "not a 0x address"),
    (p("bool"), "yes", "not true or false"),
    (p("bytes"), "0102", "0x-prefixed"),
    (p("bytes"), "0xzz", "not valid hex"),
    (p("bytes2"), "0x010203", "does not fit type bytes2"),
    (p("uint8[]"), "1,2", "not a JSON array"),
    (p("uint8[2]"), "[1]", "expected 2 elements"),
    (p("uint8[]"), "[true]", "not a uint8"),
    (POINT, "[1]", "expected a JSON array of 2 fields"),
    (p("function"), "0x00", "not supported"),
])
def test_refuses_what_does_not_fit(param: dict[str, Any], text: str, message: str) -> None:
    with pytest.raises(ArgumentError, match=message):
        parse_value(param, text)


def test_argument_count_and_names_in_messages() -> None:
    inputs = [p("uint256", name="amount"), p("address", name="to")]
    with pytest.raises(ArgumentError, match=r"f takes 2 argument\(s\) \(amount \(uint256\), to \(address\)\), got 1"):
        parse_args(inputs, ["1"], what="f")
    with pytest.raises(ArgumentError, match=r"f argument to \(address\)"):
        parse_args(inputs, ["1", "nope"], what="f")
    assert parse_args([], []) == []


@given(st.integers(min_value=0, max_value=2**256 - 1))
def test_any_uint256_round_trips_in_decimal_and_hex(n: int) -> None:
    assert parse_value(p("uint256"), str(n)) == n
    assert parse_value(p("uint256"), hex(n)) == n


def test_values_to_json_and_text() -> None:
    assert to_json([b"\x01", (1, "a"), True]) == ["0x01", [1, "a"], True]
    assert format_value(b"\xff") == "0xff"
    assert format_value(True) == "true"
    assert format_value(12) == "12"
    assert format_value("text") == "text"
    assert format_value([1, (b"\x00",)]) == '[1, ["0x00"]]'


def test_describe_revert_decodes_custom_errors() -> None:
    abi = [{"type": "error", "name": "Short",
            "inputs": [{"type": "address", "name": "who"}, {"type": "uint256", "name": "needed"}]}]
    data = Web3.keccak(text="Short(address,uint256)")[:4] + encode(["address", "uint256"], [A0, 5])
    assert describe_revert("0x" + data.hex(), abi) == f"Short(who={A0}, needed=5)"
    assert describe_revert("0x12345678", abi) is None
    assert describe_revert("not hex", abi) is None
