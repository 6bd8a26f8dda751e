"""The bound on one struct-log answer (ChainConfig.trace_max_bytes, docs/tracing.md): a trace
that would build gigabytes of JSON is refused with -32000 while the node's memory stays small,
and the node keeps answering. On a node of its own, so its memory is this test's alone."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest
from conftest import RunningNode, start_node
from helpers import A0
from web3 import Web3

from chain.config import DEFAULT_TRACE_MAX_BYTES

# Memory grown to 32 KiB, then a countdown loop of 7 steps an iteration, from 20,000: 140,000
# steps of which each carries 1,024 memory words (~70 KB of JSON) with enableMemory, ~10 GB in
# all. Within the default bound fit about 1,400 of them.
LOOPS = 20_000
RUNTIME = (
    bytes.fromhex("600161" "7fe0" "52")          # PUSH1 1 PUSH2 0x7fe0 MSTORE: 32 KiB of memory
    + bytes([0x61]) + LOOPS.to_bytes(2, "big")   # PUSH2 LOOPS
    + bytes.fromhex("5b" "6001" "90" "03"        # 9: JUMPDEST PUSH1 1 SWAP1 SUB
                    "80" "6009" "57" "00")       # DUP1 PUSH1 9 JUMPI STOP
)
KIB = 1024


def _deploy_code(runtime: bytes) -> bytes:
    """Init code that deploys `runtime` as is (CODECOPY it, RETURN it)."""
    n = len(runtime)
    return bytes([0x60, n, 0x80, 0x60, 12, 0x60, 0, 0x39, 0x60, 0, 0xF3]) + b"\0" + runtime


def _memory_kib(pid: int) -> tuple[int, int]:
    """(resident now, peak resident since start) of process `pid`, in KiB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


@pytest.fixture(scope="module")
def own_node() -> Iterator[RunningNode]:
    n = start_node()
    try:
        yield n
    finally:
        n.stop()


@pytest.fixture(scope="module")
def w3b(own_node: RunningNode) -> Web3:
    return Web3(Web3.HTTPProvider(own_node.http_url, request_kwargs={"timeout": 120}))


@pytest.fixture(scope="module")
def looper(w3b: Web3) -> tuple[str, str]:
    """(address of the memory-heavy loop contract, hash of a mined call to it)."""
    deployed = w3b.eth.wait_for_transaction_receipt(
        w3b.eth.send_transaction({"from": A0, "data": _deploy_code(RUNTIME)}), timeout=30)  # type: ignore[typeddict-item]
    address = deployed["contractAddress"]
    assert w3b.eth.get_code(address) == RUNTIME
    mined = w3b.eth.wait_for_transaction_receipt(
        w3b.eth.send_transaction({"from": A0, "to": address, "gas": 2_000_000}), timeout=30)
    assert mined["status"] == 1
    return str(address), mined["transactionHash"].to_0x_hex()


def _request(w3: Web3, method: str, *params: Any) -> dict[str, Any]:
    return dict(w3.provider.make_request(method, list(params)))  # type: ignore[arg-type]


def _assert_too_large(resp: dict[str, Any]) -> None:
    assert "result" not in resp
    err = resp["error"]
    assert err["code"] == -32000, err
    message = err["message"]
    assert message.startswith("trace too large") and str(DEFAULT_TRACE_MAX_BYTES) in message
    for remedy in ("limit", "enableMemory: false", "disableStack: true", "callTracer"):
        assert remedy in message, message


def test_memory_heavy_traces_are_refused_and_the_node_stays_small(
        w3b: Web3, own_node: RunningNode, looper: tuple[str, str]) -> None:
    address, tx_hash = looper
    pid = own_node.process.pid
    rss_before, _ = _memory_kib(pid)
    memory = {"enableMemory": True}
    _assert_too_large(_request(w3b, "debug_traceTransaction", tx_hash, memory))
    block = hex(w3b.eth.get_transaction(tx_hash)["blockNumber"])  # type: ignore[arg-type]
    _assert_too_large(_request(w3b, "debug_traceBlockByNumber", block, memory))
    _assert_too_large(_request(w3b, "debug_traceCall", {"from": A0, "to": address, "gas": hex(2_000_000)},
                               "latest", memory))
    rss_after, peak = _memory_kib(pid)
    # Unbounded, each of these answers is ~10 GB of JSON. Bounded, the node holds at most ~1,400
    # copies of 32 KiB of memory (~45 MB) before it stops; allow for the allocator's slack.
    assert peak - rss_before < 400 * KIB, (rss_before, peak)
    assert rss_after - rss_before < 200 * KIB, (rss_before, rss_after)
    assert w3b.eth.block_number >= 1  # still serving


def test_the_suggested_options_make_the_same_trace_fit(w3b: Web3, looper: tuple[str, str]) -> None:
    _, tx_hash = looper
    limited = _request(w3b, "debug_traceTransaction", tx_hash, {"enableMemory": True, "limit": 50})
    logs = limited["result"]["structLogs"]
    assert len(logs) == 50 and len(logs[-1]["memory"]) == 32 * KIB // 32
    calls = _request(w3b, "debug_traceTransaction", tx_hash, {"tracer": "callTracer"})
    assert calls["result"]["type"] == "CALL"


def test_the_bound_is_the_nodes_flag() -> None:
    """`--trace-max-bytes` sets the bound: 2,000 bytes refuse a short struct log without memory,
    and leave the other tracers alone."""
    small = start_node("--trace-max-bytes", "2000")
    try:
        w3 = Web3(Web3.HTTPProvider(small.http_url))
        target = "0x00000000000000000000000000000000000C0DE4"
        call = {"from": A0, "to": target, "gas": hex(2_000_000)}
        code = {target: {"code": "0x" + RUNTIME.hex()}}
        resp = _request(w3, "debug_traceCall", call, "latest", {"stateOverrides": code})
        assert resp["error"]["code"] == -32000 and "passed 2000 bytes" in resp["error"]["message"]
        fits = _request(w3, "debug_traceCall", call, "latest", {"stateOverrides": code, "limit": 5})
        assert len(fits["result"]["structLogs"]) == 5
        calls = _request(w3, "debug_traceCall", call, "latest", {"stateOverrides": code, "tracer": "callTracer"})
        assert calls["result"]["to"] == target.lower()
    finally:
        small.stop()
