"""console.log decoding: the selector table against console.sol, and the lines against what
Hardhat's own decoder (run in Node) and Node's util.format print for the same payloads."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from eth_abi import encode
from eth_utils import keccak

from chain.console_log.decode import decode_arguments, format_payload, format_payloads
from chain.console_log.generate import parse_console_sol, render_table
from chain.console_log.node_format import inspect_string, js_number, node_format, parse_float
from chain.console_log.signatures import SIGNATURES

ROOT = Path(__file__).resolve().parents[2]
CONSOLE_SOL = ROOT / "node_modules" / "hardhat" / "console.sol"
HARDHAT_LOGGER = "hardhat/internal/hardhat-network/stack-traces/consoleLogger"
ALICE = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def payload(signature: str, *args: object) -> bytes:
    types = signature[signature.index("(") + 1:-1]
    return keccak(text=signature)[:4] + encode([t for t in types.split(",") if t], list(args))


def node(script: str, data: object) -> object:
    """Run `script` in Node with `data` as JSON on stdin; it prints JSON back."""
    out = subprocess.run(["node", "-e", script], input=json.dumps(data), capture_output=True,
                         text=True, cwd=ROOT, check=True, timeout=60)
    return json.loads(out.stdout)


def test_the_table_is_what_console_sol_generates() -> None:
    source = CONSOLE_SOL.read_text()
    functions = parse_console_sol(source)
    assert len(functions) == source.count("function log")  # no declaration slipped the parser
    checked_in = (ROOT / "chain" / "console_log" / "signatures.py").read_text()
    assert checked_in == render_table(functions)
    assert len(SIGNATURES) == len({f.signature for f in functions}) == 375


def test_a_declaration_that_disagrees_with_its_signature_is_refused() -> None:
    bad = ('function logUint(uint256 p0) internal pure {\n'
           '    _sendLogPayload(abi.encodeWithSignature("log(int256)", p0));\n}')
    with pytest.raises(ValueError, match="does not match"):
        parse_console_sol(bad)


CASES = [
    ("log()",),
    ("log(string)", "hello world"),
    ("log(uint256)", 2**256 - 1),
    ("log(int256)", -42),
    ("log(bool)", True),
    ("log(bytes)", b"\x01\x02\xff"),
    ("log(bytes)", b""),
    ("log(bytes32)", b"\xab" * 32),
    ("log(bytes3)", b"\x01\x02\x03"),
    ("log(string,uint256)", "balance %d wei", 10**30),
    ("log(string,int256,bool)", "%i then %s", -7, False),
    ("log(string,uint256)", "escaped %%d stays, %d goes", 5),
    ("log(string,string)", "quoted %o", "it's"),
    ("log(string,string)", "json %j", 'a "b"'),
    ("log(string,string)", "float %f", "1.50"),
    ("log(string,string)", "%c styled", "color: red"),
    ("log(string,string,string)", "one %s", "two", "three"),
    ("log(string,string)", "no placeholder", "extra"),
    ("log(string,string)", "100%% and %s", "x"),
    ("log(string)", "100%% alone"),
    ("log(uint256,string)", 3, "after a number"),
    ("log(string,bytes32)", "%s!", b"\x00" * 31 + b"\x01"),
]


def test_lines_match_hardhats_own_decoder() -> None:
    payloads = [payload(*case) for case in CASES]
    hardhat = node(
        f"const {{ConsoleLogger}} = require('{HARDHAT_LOGGER}');"
        "const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "const bufs = input.map(h => Buffer.from(h, 'hex'));"
        "process.stdout.write(JSON.stringify(bufs.map(b => ConsoleLogger.getDecodedLogs([b])[0])));",
        [p.hex() for p in payloads])
    assert [format_payload(p) for p in payloads] == hardhat


def test_addresses_are_checksummed_as_anvil_prints_them() -> None:
    assert format_payload(payload("log(address)", ALICE)) == ALICE
    assert format_payload(payload("log(string,address)", "to %s", ALICE)) == f"to {ALICE}"


def test_unknown_selectors_and_broken_encodings_print_nothing() -> None:
    good = payload("log(string)", "kept")
    truncated = payload("log(string)", "x" * 40)[:-40]
    assert decode_arguments(b"\xde\xad\xbe\xef" + b"\x00" * 32) is None
    assert decode_arguments(b"\x41\x30") is None
    assert decode_arguments(truncated) is None
    assert format_payloads([b"\xde\xad\xbe\xef", good, truncated]) == ["kept"]


FORMAT_CASES = [
    ["100%%"], ["100%%", "x"], ["a %s b"], ["a %s %s", "x"], ["%s%", "a"], ["%", "a"],
    ["a%%s", "b"], ["%x %s", "a"], ["%o", "it's"], ["%o", "a\"b'c"], ["%O", "x\ny"],
    ["%o", "a\"b'c`d"], ["%o", "tab\there\x7f\x01"], ["%O", "back\\slash"], ["%j", "q\"x\n"],
    ["%f", "1.50"], ["%f", "abc"], ["%f", " -.5e3x"], ["%f", "1e21"], ["%f", "0.0000001"],
    ["%f", "123456789012345678901234"], ["%f", "-0"], ["%f", "Infinityx"], ["%c%s", "css", "v"],
    ["%s %s %s", "a"], ["%%%s%%", "x", "y"], ["%o", "line one is long enough\n" * 8],
    [], ["only"],
]


def test_node_format_matches_nodes_util_format() -> None:
    expected = node("const u = require('util');"
                    "const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
                    "process.stdout.write(JSON.stringify(cases.map(c => u.format(...c))));",
                    FORMAT_CASES)
    assert [node_format(c) for c in FORMAT_CASES] == expected


@pytest.mark.parametrize("text, number", [
    ("1.5", "1.5"), ("12", "12"), ("1e21", "1e+21"), ("1e20", "100000000000000000000"),
    ("0.000001", "0.000001"), ("1e-7", "1e-7"), ("-2.5e-10", "-2.5e-10"), ("0x10", "0"),
    ("", "NaN"), ("-Infinity", "-Infinity"), ("123.456e5", "12345600"),
])
def test_parse_float_then_js_number(text: str, number: str) -> None:
    assert js_number(parse_float(text)) == number


def test_inspect_string_picks_the_quote_that_needs_no_escape() -> None:
    assert inspect_string("plain") == "'plain'"
    assert inspect_string("it's") == '"it\'s"'
    assert inspect_string("x" * 10_001) == "'" + "x" * 10_000 + "'... 1 more character"
