"""Issue 11, parts 1-2: no call hangs the node or stalls its other clients.

$LOOP is a contract whose runtime is `5b600056` (JUMPDEST PUSH1 0 JUMP, forever). Before the fix,
eth_call on it with gas 0xffffffffffffffff never returned (100% CPU, signals ignored), and a call
with the default gas stopped every other client for 6-18 s. Every request here has a client
timeout, so a regression fails a test instead of hanging the run.
"""
from __future__ import annotations

import json
import signal
import statistics
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests
from conftest import RunningNode, start_node
from web3 import Web3
from websockets.sync.client import connect

from helpers import A0

LOOP_INITCODE = "0x635b6000566000526004601cf3"          # deploys runtime 5b600056
GAS_INITCODE = "0x685a60005260206000f3600052600960" "17f3"  # runtime: return GAS as a word
# Loops calldata[0:32] times, then reverts unless 1 MiB of gas is left: its estimate needs a
# binary search (about a dozen runs), as a call that forwards gas would.
COUNTDOWN_INITCODE = "0x7a6000355b6001900380600357621000005a10601657005b600080fd600052601b6005f3"
HUGE = "0xffffffffffffffff"
CAP = 25_000_000  # below the 30M block gas limit, so a missing gas is capped too


def _deploy(url: str, initcode: str) -> str:
    tx_hash = _rpc(url, "eth_sendTransaction", [{"from": A0, "data": initcode}])["result"]
    return str(_rpc(url, "eth_getTransactionReceipt", [tx_hash])["result"]["contractAddress"])


def _rpc(url: str, method: str, params: list[Any], timeout: float = 20) -> dict[str, Any]:
    body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
    out: dict[str, Any] = requests.post(url, json=body, timeout=timeout).json()
    return out


def _timed(url: str, method: str, params: list[Any], timeout: float = 20) -> tuple[float, dict[str, Any]]:
    start = time.monotonic()
    out = _rpc(url, method, params, timeout)
    return time.monotonic() - start, out


@pytest.fixture(scope="module")
def limited() -> Iterator[RunningNode]:
    """A node with a 1 s call timeout (so the tests stay short) and a gas cap below the block's."""
    n = start_node("--rpc-evm-timeout", "1s", "--rpc-gas-cap", str(CAP))
    yield n
    n.stop()


@pytest.fixture(scope="module")
def loop(limited: RunningNode) -> str:
    return _deploy(limited.http_url, LOOP_INITCODE)


CALLS = [
    ("eth_call", lambda to, gas: [{"to": to, **gas}]),
    ("eth_estimateGas", lambda to, gas: [{"to": to, **gas}]),
    ("eth_createAccessList", lambda to, gas: [{"to": to, **gas}, "latest"]),
]


@pytest.mark.parametrize("method,params", CALLS, ids=["call", "estimateGas", "createAccessList"])
@pytest.mark.parametrize("gas", [{}, {"gas": "0x3938700"}, {"gas": HUGE}], ids=["no-gas", "60M", "max-u64"])
def test_a_looping_call_is_aborted_at_the_timeout(limited: RunningNode, loop: str, method: str,
                                                   params: Any, gas: dict[str, str]) -> None:
    took, out = _timed(limited.http_url, method, params(loop, gas))
    assert out.get("error") == {"code": -32000, "message": "execution aborted (timeout = 1s)"}, out
    assert 0.9 < took < 4, f"{method} answered after {took:.1f}s"


def test_web3_sees_geths_timeout_error(limited: RunningNode, loop: str) -> None:
    w3 = Web3(Web3.HTTPProvider(limited.http_url, request_kwargs={"timeout": 20}))
    with pytest.raises(Exception, match=r"execution aborted \(timeout = 1s\)"):
        w3.eth.call({"to": Web3.to_checksum_address(loop), "gas": 2**64 - 1})
    with pytest.raises(Exception, match=r"execution aborted \(timeout = 1s\)"):
        w3.eth.estimate_gas({"to": Web3.to_checksum_address(loop)})


def test_debug_trace_call_is_bounded_by_its_timeout(limited: RunningNode, loop: str) -> None:
    took, out = _timed(limited.http_url, "debug_traceCall",
                       [{"to": loop, "gas": HUGE}, "latest", {"tracer": "callTracer", "timeout": "500ms"}])
    assert out["error"]["message"] == "execution timeout", out
    assert took < 4


def test_the_gas_cap_applies_to_explicit_gas_as_geth(limited: RunningNode) -> None:
    """GAS at the first instruction is the call's gas less 21,000 and GAS's own 2."""
    url = limited.http_url
    meter = _deploy(url, GAS_INITCODE)

    def gas_seen(*gas: str) -> int:
        return int(_rpc(url, "eth_call", [{"to": meter, **({"gas": gas[0]} if gas else {})}])["result"], 16)

    assert gas_seen(HUGE) == CAP - 21_002        # capped silently, as geth's CallDefaults
    assert gas_seen(hex(CAP + 1)) == CAP - 21_002
    assert gas_seen() == CAP - 21_002            # no gas: the block gas limit, capped
    assert gas_seen(hex(100_000)) == 100_000 - 21_002
    traced = _rpc(url, "debug_traceCall", [{"to": meter, "gas": HUGE}, "latest", {"tracer": "callTracer"}])
    assert int(traced["result"]["gas"], 16) == CAP
    # eth_estimateGas searches below the cap: an explicit ceiling above it is no error.
    assert _rpc(url, "eth_estimateGas", [{"from": A0, "to": A0, "gas": HUGE}])["result"] == hex(21_000)


def test_the_timeout_bounds_a_whole_estimate(limited: RunningNode) -> None:
    """Each run of the search fits in the timeout easily; together they do not, so the estimate
    stops. The contract loops N times whatever its gas, so every run takes as long."""
    url = limited.http_url
    countdown = _deploy(url, COUNTDOWN_INITCODE)

    def loops(n: int) -> list[Any]:
        return [{"to": countdown, "data": "0x" + n.to_bytes(32, "big").hex(), "gas": hex(CAP)}]

    took, out = _timed(url, "eth_call", loops(20_000))
    assert "result" in out, out
    n = int(20_000 * 0.3 / took)  # about 0.3 s a run
    took, out = _timed(url, "eth_call", loops(n))
    assert "result" in out, f"one run of {n} loops took {took:.2f}s: {out}"
    took, out = _timed(url, "eth_estimateGas", loops(n))
    assert out.get("error", {}).get("message") == "execution aborted (timeout = 1s)", out
    assert took < 2


def _p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98]


def test_other_clients_are_served_while_a_call_runs() -> None:
    """A 5 s call on one WebSocket; eth_blockNumber every 20 ms over HTTP and over another
    WebSocket meanwhile: p99 under 100 ms on both (it was the whole 5 s)."""
    n = start_node()
    try:
        loop_address = _deploy(n.http_url, LOOP_INITCODE)
        answer: dict[str, Any] = {}
        started = threading.Event()

        def long_call() -> None:
            with connect(n.ws_url, open_timeout=10) as ws:
                ws.send(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_call",
                                    "params": [{"to": loop_address}]}))
                started.set()
                t0 = time.monotonic()
                answer.update(json.loads(ws.recv(timeout=20)), took=time.monotonic() - t0)

        caller = threading.Thread(target=long_call)
        caller.start()
        started.wait(10)
        time.sleep(0.2)  # the call is running on a worker by now
        http_lat: list[float] = []
        ws_lat: list[float] = []

        def sample_http() -> None:
            with requests.Session() as s:
                while caller.is_alive() and len(http_lat) < 200:
                    t0 = time.monotonic()
                    s.post(n.http_url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber"}, timeout=10)
                    http_lat.append(time.monotonic() - t0)
                    time.sleep(0.02)

        def sample_ws() -> None:
            with connect(n.ws_url, open_timeout=10) as ws:
                while caller.is_alive() and len(ws_lat) < 200:
                    t0 = time.monotonic()
                    ws.send('{"jsonrpc":"2.0","id":2,"method":"eth_blockNumber"}')
                    assert json.loads(ws.recv(timeout=10))["result"].startswith("0x")
                    ws_lat.append(time.monotonic() - t0)
                    time.sleep(0.02)

        samplers = [threading.Thread(target=sample_http), threading.Thread(target=sample_ws)]
        for t in samplers:
            t.start()
        for t in samplers:
            t.join(30)
        caller.join(30)
        print(f"during a {answer.get('took', 0):.1f}s call: HTTP p99 {_p99(http_lat) * 1000:.0f} ms "
              f"({len(http_lat)} requests), WS p99 {_p99(ws_lat) * 1000:.0f} ms ({len(ws_lat)})")
        assert answer.get("error", {}).get("message") == "execution aborted (timeout = 5s)", answer
        assert answer["took"] > 4.5
        assert len(http_lat) > 50 and len(ws_lat) > 50, (len(http_lat), len(ws_lat))
        # Before the call workers every one of these waited for the whole 5 s call. The issue's
        # target (p99 < 100 ms) is a performance figure, printed above and recorded in
        # docs/benchmarks.md; asserted here is that no request waits for the call, with room
        # for a test machine busy with other test nodes (-n 2).
        for name, lat in (("HTTP", http_lat), ("WS", ws_lat)):
            assert statistics.median(lat) < 0.1 and _p99(lat) < 1.0, \
                f"{name} median {statistics.median(lat) * 1000:.0f} ms, p99 {_p99(lat) * 1000:.0f} ms"
    finally:
        n.stop()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_stops_the_node_during_an_endless_call(tmp_path: Path, sig: signal.Signals) -> None:
    """No timeout and no gas cap: the call would run forever. The signal still stops the node
    within seconds, the caller gets an answer, and the chain restarts with every block."""
    data_dir = str(tmp_path / "chain")
    n = start_node("--data-dir", data_dir, "--rpc-evm-timeout", "0", "--rpc-gas-cap", "0")
    try:
        url = n.http_url
        loop_address = _deploy(url, LOOP_INITCODE)
        _deploy(url, LOOP_INITCODE)
        head = _rpc(url, "eth_blockNumber", [])["result"]
        # A call on a --data-dir node reads SQLite from a worker thread: a quick one answers.
        assert _rpc(url, "eth_call", [{"to": loop_address, "gas": "0x186a0"}])["error"]["message"] == "out of gas"
        answer: dict[str, Any] = {}

        def endless() -> None:
            try:
                answer.update(_rpc(url, "eth_call", [{"to": loop_address, "gas": HUGE}], timeout=30))
            except requests.RequestException as exc:  # the server closed the connection
                answer["closed"] = repr(exc)

        caller = threading.Thread(target=endless)
        caller.start()
        time.sleep(1.0)
        assert caller.is_alive() and _rpc(url, "eth_blockNumber", [], timeout=5)["result"] == head
        t0 = time.monotonic()
        n.process.send_signal(sig)
        n.process.wait(timeout=10)
        assert time.monotonic() - t0 < 5, "the node took too long to stop"
        caller.join(10)
        assert not caller.is_alive()
        assert "closed" in answer or answer.get("error", {}).get("code") == -32000, answer
    finally:
        n.stop()
    again = start_node("--data-dir", data_dir)
    try:
        assert _rpc(again.http_url, "eth_blockNumber", [])["result"] == head
        assert _rpc(again.http_url, "eth_getCode", [loop_address, "latest"])["result"] == "0x5b600056"
    finally:
        again.stop()
