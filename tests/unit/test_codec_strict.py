"""Every accepted and refused form of each param kind, by geth's hexutil rules (chain/rpc/codec_hex.py).

One table per kind: what decodes to what, and what is refused with which message. The refusals
include what Python's own parsers would take (int(s, 16) reads "0x1_0" as 16 and "0x١" as 1;
bytes.fromhex skips spaces), so a slip in the codec shows up here as a value, not an error.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import pytest

from chain.exceptions import InvalidParams
from chain.rpc import codec
from chain.rpc.codec import BlockRef
from chain.rpc.namespaces.common import block_number, call_header, header_at

U256 = 2**256 - 1
H = "0x" + "ab" * 32


def refusal(fn: Any, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(InvalidParams) as info:
        fn(*args, **kwargs)
    return str(info.value)


# --- QUANTITY -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "expected"), [
    ("0x0", 0), ("0x1", 1), ("0xff", 255), ("0xFF", 255), ("0xAbC", 0xABC),
    ("0X1f", 31),                       # geth's has0xPrefix takes an upper-case X too
    ("0x" + "f" * 64, U256),
])
def test_quantity_accepts(value: str, expected: int) -> None:
    assert codec.quantity(value, "gas") == expected


Q = "a 0x-prefixed hex quantity such as 0x1f"
NOT_HEX = "is not hex: only the digits 0-9, a-f and A-F may follow 0x (no spaces, underscores or other characters)"


@pytest.mark.parametrize(("value", "message"), [
    ("", f"expected {Q}, got an empty string"),                 # geth: ErrEmptyString
    ("0x", "'0x' has no digits; zero is 0x0"),                    # ErrEmptyNumber
    ("12", f"expected {Q}, got '12'"),                            # ErrMissingPrefix
    ("x12", f"expected {Q}, got 'x12'"),
    ("0x00", "'0x00' has leading zeros; write it as 0x0"),      # ErrLeadingZero
    ("0x01", "'0x01' has leading zeros; write it as 0x1"),
    ("0x" + "0" * 62, f"'0x{'0' * 62}' has leading zeros; write it as 0x0"),
    ("0x1_0", f"'0x1_0' {NOT_HEX}"),                              # ErrSyntax ...
    ("0x_1", f"'0x_1' {NOT_HEX}"),
    ("0x1 ", f"'0x1 ' {NOT_HEX}"),
    (" 0x1", f"expected {Q}, got ' 0x1'"),
    ("0x1\n", f"'0x1\\n' {NOT_HEX}"),
    ("0x\u0661", f"'0x\u0661' {NOT_HEX}"),                         # an Arabic-Indic digit one
    ("0x\uff11", f"'0x\uff11' {NOT_HEX}"),                         # a full-width digit one
    ("0x-1", f"'0x-1' {NOT_HEX}"),
    ("0xg", f"'0xg' {NOT_HEX}"),
    ("0x1" + "0" * 64, f"'0x1{'0' * 53}... is longer than 256 bits"),   # ErrBig256Range
    (0, f"expected {Q}, got the number 0"),                        # geth: JSON numbers refused
    (16, f"expected {Q}, got the number 16"),
    (-1, f"expected {Q}, got the number -1"),
    (2**256 + 1, f"expected {Q}, got the number {2**256 + 1}"),
    (1.5, f"expected {Q}, got the number 1.5"),
    (True, f"expected {Q}, got true"),
    (None, f"expected {Q}, got null"),
    ([1], f"expected {Q}, got an array"),
    ({"a": 1}, f"expected {Q}, got an object"),
])
def test_quantity_refuses(value: Any, message: str) -> None:
    assert refusal(codec.quantity, value, "gas") == f"invalid gas: {message}"


def test_quantity_max_value_names_the_limit() -> None:
    assert codec.quantity("0xffffffffffffffff", "nonce", codec.UINT64_MAX) == 2**64 - 1
    assert refusal(codec.quantity, "0x10000000000000000", "nonce", codec.UINT64_MAX) == \
        "invalid nonce: '0x10000000000000000' is out of range; at most 2^64-1"
    assert refusal(codec.quantity, "0x3e9", "blocks", 1000) == "invalid blocks: '0x3e9' is out of range; at most 1000"


# The dev methods (evm_*, anvil_*): Hardhat and Anvil users send plain integers, Anvil takes
# leading zeros; everything else stays strict.
@pytest.mark.parametrize(("value", "expected"), [
    (0, 0), (3600, 3600), (U256, U256), ("0x0e10", 3600), ("0x00", 0), ("0xe10", 3600),
])
def test_lenient_quantity_accepts(value: Any, expected: int) -> None:
    assert codec.quantity(value, "seconds", lenient=True) == expected


LQ = "a 0x-prefixed hex quantity or a non-negative integer"


@pytest.mark.parametrize(("value", "message"), [
    (-1, "-1 is negative; quantities are unsigned"),
    (U256 + 1, f"the number {U256 + 1} is out of range; at most 2^256-1"),
    (1.5, f"expected {LQ}, got the number 1.5"),
    (True, f"expected {LQ}, got true"),
    ("3600", f"expected {LQ}, got '3600'"),
    ("0x1_0", f"'0x1_0' {NOT_HEX}"),
    ("0x", "'0x' has no digits; zero is 0x0"),
])
def test_lenient_quantity_refuses(value: Any, message: str) -> None:
    assert refusal(codec.quantity, value, "seconds", lenient=True) == f"invalid seconds: {message}"


# --- DATA ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "expected"), [
    ("0x", b""), ("", b""),              # geth's checkText: an empty string is empty bytes
    ("0x00", b"\x00"), ("0x0000", b"\x00\x00"), ("0xdeadBEEF", b"\xde\xad\xbe\xef"), ("0XAB", b"\xab"),
])
def test_data_accepts(value: str, expected: bytes) -> None:
    assert codec.data(value, "input") == expected


D = "0x-prefixed hex data"


@pytest.mark.parametrize(("value", "message"), [
    ("deadbeef", f"expected {D}, got 'deadbeef'"),
    ("0xabc", "hex data needs an even number of digits, got 3"),     # ErrOddLength
    ("0x12  34", f"'0x12  34' {NOT_HEX}"),                            # bytes.fromhex would skip the spaces
    ("0xaabb ", f"'0xaabb ' {NOT_HEX}"),
    ("0x12_34", f"'0x12_34' {NOT_HEX}"),
    ("0xzz", f"'0xzz' {NOT_HEX}"),
    (None, f"expected {D}, got null"),
    (12, f"expected {D}, got the number 12"),
    (b"\x00", f"expected {D}, got b'\\x00'"),
    ("z" * 80, f"expected {D}, got '{'z' * 56}..."),                # long values are cut at 60
])
def test_data_refuses(value: Any, message: str) -> None:
    assert refusal(codec.data, value, "input") == f"invalid input: {message}"


# --- fixed-size bytes: addresses and hashes -----------------------------------------------------
@pytest.mark.parametrize(("value", "expected"), [
    ("0x" + "11" * 20, b"\x11" * 20),
    ("0x" + "aB" * 20, b"\xab" * 20),   # any case; the checksum is not checked, as geth
    ("0X" + "AB" * 20, b"\xab" * 20),
])
def test_address_accepts(value: str, expected: bytes) -> None:
    assert codec.address(value, "to") == expected


A = "20 bytes as 0x-prefixed hex"


@pytest.mark.parametrize(("value", "message"), [
    ("0x" + "11" * 19, "expected 20 bytes (0x and 40 hex digits), got 38 digits"),
    ("0x" + "11" * 21, "expected 20 bytes (0x and 40 hex digits), got 42 digits"),
    ("0x" + "1" * 39, "expected 20 bytes (0x and 40 hex digits), got 39 digits"),
    ("0x" + "11" * 19 + "1 ", f"'0x{'11' * 19}1 ' {NOT_HEX}"),
    ("11" * 20, f"expected {A}, got '{'11' * 20}'"),
    ("", f"expected {A}, got an empty string"),
    ("0x", "expected 20 bytes (0x and 40 hex digits), got 0 digits"),
    (None, f"expected {A}, got null"),
])
def test_address_refuses(value: Any, message: str) -> None:
    assert refusal(codec.address, value, "to") == f"invalid to: {message}"


def test_hash_is_exactly_32_bytes() -> None:
    assert codec.hash32(H, "blockHash") == b"\xab" * 32
    assert refusal(codec.hash32, H[:-2], "blockHash") == \
        "invalid blockHash: expected 32 bytes (0x and 64 hex digits), got 62 digits"
    assert refusal(codec.hash32, "x", "blockHash") == "invalid blockHash: expected 32 bytes as 0x-prefixed hex, got 'x'"


# --- storage slots (geth's decodeHash: up to 32 bytes, leading zeros and odd lengths fine) ------
@pytest.mark.parametrize(("value", "expected"), [
    ("0x0", 0), ("0x1", 1), ("0x01", 1), ("0x" + "00" * 31 + "05", 5), ("0x" + "ff" * 32, U256),
    ("0x" + "0" * 63, 0),
])
def test_slot_accepts(value: str, expected: int) -> None:
    assert codec.slot(value, "slot") == expected


S = "a 0x-prefixed hex storage slot"


@pytest.mark.parametrize(("value", "message"), [
    ("0x", "'0x' has no digits; slot zero is 0x0"),
    ("0x" + "11" * 33, "a slot is at most 32 bytes, got 33"),
    ("0x1_0", f"'0x1_0' {NOT_HEX}"),
    ("slot0", f"expected {S}, got 'slot0'"),
    (3, f"expected {S}, got the number 3"),
])
def test_slot_refuses(value: Any, message: str) -> None:
    assert refusal(codec.slot, value, "slot") == f"invalid slot: {message}"


# --- booleans -----------------------------------------------------------------------------------
@pytest.mark.parametrize("value", [True, False])
def test_boolean_accepts_json_booleans(value: bool) -> None:
    assert codec.boolean(value, "fullTransactions") is value


@pytest.mark.parametrize(("value", "shown"), [
    ("0x1", "'0x1'"), ("0x0", "'0x0'"), ("true", "'true'"), (1, "the number 1"), (0, "the number 0"),
    (None, "null"), ([], "an array"),
])
def test_boolean_refuses_look_alikes(value: Any, shown: str) -> None:
    assert refusal(codec.boolean, value, "fullTransactions") == \
        f"invalid fullTransactions: expected true or false, got {shown}"


# --- ids ----------------------------------------------------------------------------------------
def test_identifier_is_a_non_empty_string() -> None:
    assert codec.identifier("0x1f", "filter id") == "0x1f"
    for bad, shown in ((1, "the number 1"), ("", "''"), (None, "null")):
        assert refusal(codec.identifier, bad, "filter id") == \
            f"invalid filter id: expected the id string the node returned, got {shown}"


# --- block references (geth's BlockNumberOrHash) -------------------------------------------------
@pytest.mark.parametrize(("value", "expected"), [
    ("latest", BlockRef(tag="latest")), ("earliest", BlockRef(tag="earliest")),
    ("pending", BlockRef(tag="pending")), ("safe", BlockRef(tag="safe")), ("finalized", BlockRef(tag="finalized")),
    (None, BlockRef(tag="latest")),
    ("0x0", BlockRef(number=0)), ("0x10", BlockRef(number=16)), ("0X10", BlockRef(number=16)),
    ("0x7fffffffffffffff", BlockRef(number=2**63 - 1)),
    (H, BlockRef(hash=b"\xab" * 32)),
    ({"blockHash": H}, BlockRef(hash=b"\xab" * 32)),
    ({"blockHash": H, "requireCanonical": True}, BlockRef(hash=b"\xab" * 32, require_canonical=True)),
    ({"blockHash": H, "requireCanonical": None}, BlockRef(hash=b"\xab" * 32)),
    ({"blockNumber": "0x5"}, BlockRef(number=5)),
    ({"blockNumber": "latest"}, BlockRef(tag="latest")),
    ({"blockNumber": "0x5", "other": 1}, BlockRef(number=5)),   # unknown keys ignored, as Go's JSON
])
def test_block_ref_accepts(value: Any, expected: BlockRef) -> None:
    assert codec.block_ref(value, "block") == expected


EXPECTED = ("expected a hex block number, a 32-byte block hash, {blockHash}/{blockNumber} or one of "
            "latest, pending, safe, finalized, earliest, got ")


@pytest.mark.parametrize(("value", "message"), [
    ("Latest", EXPECTED + "'Latest'"),                 # tags are case-sensitive, as in geth
    ("12", EXPECTED + "'12'"),
    ("", EXPECTED + "''"),
    (0, EXPECTED + "the number 0"),
    (-1, EXPECTED + "the number -1"),
    (True, EXPECTED + "true"),
    ([], EXPECTED + "an array"),
    ("0x8000000000000000", "'0x8000000000000000' is out of range; at most 2^63-1"),
    ("0x" + "0" * 62, f"'0x{'0' * 62}' has leading zeros; write it as 0x0"),
    ("0x" + "0" * 64, ""),   # 66 characters: a hash (the zero hash), not a number; see below
    ("0x1_0", f"'0x1_0' {NOT_HEX}"),
    ("0xq", f"'0xq' {NOT_HEX}"),
    ({}, "an EIP-1898 block object needs blockHash or blockNumber"),
    ({"blockHash": H, "blockNumber": "0x1"}, "give blockHash or blockNumber, not both"),
    ({"blockHash": "0x12"}, "expected 32 bytes (0x and 64 hex digits), got 2 digits"),
    ({"blockHash": H, "requireCanonical": "yes"}, "expected true or false, got 'yes'"),
    ({"blockNumber": 5}, "expected a 0x-prefixed hex quantity such as 0x1f, got the number 5"),
])
def test_block_ref_refuses(value: Any, message: str) -> None:
    if not message:
        assert codec.block_ref(value, "block") == BlockRef(hash=b"\x00" * 32)
        return
    text = refusal(codec.block_ref, value, "block")  # "invalid block: ..." or "invalid block.blockHash: ..."
    assert text.startswith("invalid block") and text.endswith(message), text


def test_block_ref_with_no_default_refuses_null() -> None:
    assert refusal(codec.block_ref, None, "block", default=None) == "invalid block: " + EXPECTED + "null"


@dataclass
class Header:
    block_number: int


class ChainStub:
    """What block resolution asks of the node: its head and headers by key (a plain stand-in;
    test_codec_wire.py resolves the same params on a real node)."""

    head = Header(41)

    def header_by_number(self, number: int) -> Any:
        return ("by number", number)

    def header_by_hash(self, block_hash: bytes, require_canonical: bool = False) -> Any:
        return ("by hash", block_hash, require_canonical)


API = cast(Any, ChainStub())


def test_header_resolution() -> None:
    assert block_number(API, "latest") == 41 and block_number(API, None) == 41 and block_number(API, "earliest") == 0
    assert header_at(API, {"blockHash": H, "requireCanonical": True}) == ("by hash", b"\xab" * 32, True)
    assert header_at(API, "0x7") == ("by number", 7)
    assert header_at(API, None) == ("by number", 41)
    assert refusal(header_at, API, None, required=True).endswith("got null")
    assert refusal(block_number, API, H) == \
        "invalid block: expected a block number or one of latest, pending, safe, finalized, earliest, not a hash"
    assert call_header(API, None) is None and call_header(API, "pending") is None
    assert call_header(API, "latest") == ("by number", 41)


# --- call requests ------------------------------------------------------------------------------
@pytest.mark.parametrize(("tx", "message"), [
    ({"blobVersionedHashes": "x"},
     "invalid transaction.blobVersionedHashes: expected a list of 32-byte hashes, got 'x'"),
    ({"blobVersionedHashes": ["0x01"]},
     "invalid transaction.blobVersionedHashes[0]: expected 32 bytes (0x and 64 hex digits), got 2 digits"),
    ({"blobVersionedHashes": [H]},
     "invalid transaction.blobVersionedHashes: blob transactions (EIP-4844) are not supported"),
    ({"maxFeePerBlobGas": "0x01"}, "invalid transaction.maxFeePerBlobGas: '0x01' has leading zeros; write it as 0x1"),
    ({"gas": "0x10000000000000000"}, "invalid transaction.gas: '0x10000000000000000' is out of range; at most 2^64-1"),
    ({"value": 1}, f"invalid transaction.value: expected {Q}, got the number 1"),
    ({"accessList": [{"address": "0x" + "11" * 20, "storageKeys": "0x1"}]},
     "invalid transaction.accessList[0].storageKeys: expected a list, got '0x1'"),
])
def test_call_request_refuses(tx: dict[str, Any], message: str) -> None:
    assert refusal(codec.call_request, tx) == message


def test_call_request_accepts_empty_blob_fields() -> None:
    req = codec.call_request({"blobVersionedHashes": [], "to": "0x" + "11" * 20, "input": "0x"})
    assert req.to == b"\x11" * 20 and req.data == b""


# --- durations (debug_trace*'s timeout, Go's syntax) ---------------------------------------------
def test_duration_takes_ascii_digits_only() -> None:
    assert codec.duration("1m30s", "timeout") == 90.0
    assert codec.duration("250ms", "timeout") == 0.25
    for bad in ("\u0665s", "5", "5 s", "-5s"):   # "٥s" would be five seconds to float()
        assert refusal(codec.duration, bad, "timeout").startswith('invalid timeout: expected a duration such as "5s"')
