"""Regulatory interception (0x…1010) over the wire: blocked senders and targets, blocked
selectors hit directly and from inside a contract, eth_call / eth_estimateGas agreeing with the
mined result, reports in receipts, over an eth_subscribe("logs") WebSocket subscription and
through wabei_getInterceptions paging, and the refusals of unauthorised callers."""
from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from web3 import AsyncWeb3, Web3, WebSocketProvider
from web3.logs import DISCARD

from governance.errors import GovernanceRejected
from governance.regulation import REPORT_FILTER, RegulationClient, decode_log
from tests.inprocess import in_process
from tests.integration.helpers import A0, A1, deploy, dev_account, rpc
from tests.integration.test_metrics import scrape, value
from tests.integration.regulation_helpers import (
    REGULATOR, appoint, call_error, interceptions, reports, send,
)

MALLORY, BOB = dev_account(3).address, dev_account(4).address
SET = "0x60fe47b1"  # set(uint256)


@pytest.fixture(scope="module")
def node() -> Iterator[Any]:
    thread, handle = in_process()
    yield handle
    thread.close()


@pytest.fixture(scope="module")
def w3(node: Any) -> Web3:
    return Web3(Web3.HTTPProvider(node.http_url))


@pytest.fixture(scope="module")
def reg(w3: Web3) -> RegulationClient:
    return appoint(w3)[0]


def test_only_governors_appoint_and_only_regulators_rule(w3: Web3, reg: RegulationClient) -> None:
    with pytest.raises(GovernanceRejected, match=f"only the chain's governors .* may appoint or remove "
                                                 f"regulators, not {A1}"):
        RegulationClient(w3, sender=A1).set_regulator(A1)
    with pytest.raises(GovernanceRejected, match=f"only a regulator \\({REGULATOR}\\) may block or unblock "
                                                 f"addresses, not {A0}"):
        RegulationClient(w3, sender=A0).block(MALLORY)  # a governor appoints, but does not regulate
    with pytest.raises(GovernanceRejected, match="is a governor of this chain and cannot be blocked"):
        reg.block(A0)
    with pytest.raises(GovernanceRejected, match="is a regulator and cannot be blocked"):
        reg.block(REGULATOR)
    with pytest.raises(GovernanceRejected, match="is a platform contract"):
        reg.block("0x0000000000000000000000000000000000001005")
    with pytest.raises(GovernanceRejected, match="only a regulator"):
        RegulationClient(w3, sender=A1).set_threshold(1, 1)
    assert reg.blocked() == () and reg.thresholds() == () and reg.regulators() == (REGULATOR,)
    assert rpc(w3.provider.endpoint_uri, "wabei_getInterceptions", [])["total"] == "0x0"  # type: ignore[attr-defined]


def test_a_blocked_address_is_reported_over_a_log_subscription_and_paged(node: Any, w3: Web3,
                                                                          reg: RegulationClient) -> None:
    reg.block(MALLORY)
    before = int(interceptions(node.http_url)["total"], 16)
    sent = [{"from": MALLORY, "to": A1, "value": 5}, {"from": BOB, "to": MALLORY, "value": 7}]

    async def body() -> list[dict[str, Any]]:
        async with AsyncWeb3(WebSocketProvider(node.ws_url)) as aw3:
            await aw3.eth.subscribe("logs", REPORT_FILTER)
            loop = asyncio.get_running_loop()
            for tx in sent:
                await loop.run_in_executor(None, send, w3, tx)
            got: list[dict[str, Any]] = []

            async def collect() -> None:
                async for msg in aw3.socket.process_subscriptions():
                    got.append(msg["result"])
                    if len(got) == 2:
                        return
            await asyncio.wait_for(collect(), 10)
            return got
    logs = asyncio.run(body())
    seen = [decode_log(log) for log in logs]
    assert [(r.rule_name, r.origin, r.target, r.amount) for r in seen] == [
        ("blocked sender", MALLORY, A1, 0), ("blocked target", BOB, MALLORY, 0)]
    assert seen[0].reason.startswith(f"Regulation: {MALLORY} is blocked by the regulator")
    for log in logs:  # the same log is in the (failed) receipt of its transaction
        receipt = w3.eth.get_transaction_receipt(log["transactionHash"])
        assert receipt["status"] == 0 and receipt["gasUsed"] == 21_000
        assert [r.reason for r in reports(receipt)] == [decode_log(log).reason]
    # eth_call and eth_estimateGas give the reason the mined transaction failed with.
    for method in ("eth_call", "eth_estimateGas"):
        err = call_error(node.http_url, method, sent[0])
        assert err["code"] == 3 and seen[0].reason in err["message"], err
    # Paging: one at a time, in chain order, ending with next = null.
    first = interceptions(node.http_url, before, 1)
    second = interceptions(node.http_url, int(first["next"], 16), 1)
    assert int(first["total"], 16) == before + 2 and second["next"] is None
    assert [p["interceptions"][0]["transactionHash"] for p in (first, second)] == [
        log["transactionHash"].to_0x_hex() for log in logs]
    assert second["interceptions"][0]["ruleName"] == "blocked target"
    # eth_getLogs finds the reports too: they are ordinary logs of the receipts.
    found = w3.eth.get_logs({"fromBlock": 0, **REPORT_FILTER})  # type: ignore[arg-type]
    assert [log["transactionHash"] for log in found][-2:] == [log["transactionHash"] for log in logs]
    reg.unblock(MALLORY)
    assert send(w3, sent[0])["status"] == 1


def test_a_blocked_selector_direct_and_from_inside_a_contract(node: Any, w3: Web3, reg: RegulationClient) -> None:
    target = deploy(w3, "GovTarget")
    probe = deploy(w3, "RegProbe")
    reg.block_method(target.address, "set(uint256)")
    assert reg.blocked_methods() == ((target.address, SET),)
    direct = send(w3, {"from": A1, "to": target.address, "data": target.encode_abi("set", [1])})
    assert direct["status"] == 0
    assert [(r.rule_name, r.target, r.selector) for r in reports(direct)] == [("blocked method", target.address, SET)]
    # From a contract that lets the failure bubble up: the transaction fails, the report stays.
    bubbled = send(w3, {"from": A1, "to": probe.address, "data": probe.encode_abi("callSet", [target.address, 2])})
    assert bubbled["status"] == 0
    (report,) = reports(bubbled)
    assert (report.origin, report.sender, report.target) == (A1, probe.address, target.address)
    # From a contract that catches it: the transaction succeeds and its logs hold the report
    # beside the contract's own event.
    caught = send(w3, {"from": A1, "to": probe.address, "data": probe.encode_abi("trySet", [target.address, 3])})
    assert caught["status"] == 1 and len(reports(caught)) == 1
    assert probe.events.Tried().process_receipt(caught, errors=DISCARD)[0]["args"]["ok"] is False
    err = call_error(node.http_url, "eth_estimateGas", {"from": A1, "to": probe.address,
                                                        "data": probe.encode_abi("callSet", [target.address, 2])})
    assert err["code"] == 3 and report.reason in err["message"]
    assert target.functions.value().call() == 0
    reg.unblock_method(target.address, "set(uint256)")
    assert send(w3, {"from": A1, "to": probe.address,
                     "data": probe.encode_abi("callSet", [target.address, 4])})["status"] == 1
    assert target.functions.value().call() == 4


def _metric(node: Any) -> float:
    """wabei_interceptions from the node's /metrics (docs/metrics.md)."""
    samples = scrape(node.http_url.rstrip("/") + "/metrics")
    return value(samples, "wabei_interceptions", chain="31337")


def test_a_revert_of_the_chain_drops_its_reports(node: Any, w3: Web3, reg: RegulationClient) -> None:
    total = int(interceptions(node.http_url)["total"], 16)
    assert _metric(node) == total
    snapshot = rpc(node.http_url, "evm_snapshot")
    reg.block(MALLORY)
    send(w3, {"from": MALLORY, "to": A1, "value": 1})
    assert int(interceptions(node.http_url)["total"], 16) == total + 1
    assert _metric(node) == total + 1  # the metrics issue's counter follows the index
    assert rpc(node.http_url, "evm_revert", [snapshot]) is True
    assert int(interceptions(node.http_url)["total"], 16) == total
    assert _metric(node) == total
    assert not reg.is_blocked(MALLORY)


def test_bad_paging_parameters_are_refused(node: Any) -> None:
    from tests.integration.helpers import rpc_error
    err = rpc_error(node.http_url, "wabei_getInterceptions", ["0x0", "0x3e9"])
    assert err["code"] == -32602 and "limit" in err["message"]
    err = rpc_error(node.http_url, "wabei_getInterceptions", ["zero"])
    assert err["code"] == -32602 and "start" in err["message"]


def test_a_state_dump_carries_rules_and_reports(node: Any, w3: Web3, reg: RegulationClient) -> None:
    reg.block(MALLORY)
    send(w3, {"from": MALLORY, "to": A1, "value": 1})
    page = interceptions(node.http_url)
    dump = rpc(node.http_url, "anvil_dumpState")
    thread, other = in_process()
    try:
        assert rpc(other.http_url, "anvil_loadState", [dump]) is True
        assert interceptions(other.http_url) == page
        loaded = Web3(Web3.HTTPProvider(other.http_url))
        assert RegulationClient(loaded).blocked() == (MALLORY,)
        assert send(loaded, {"from": MALLORY, "to": A1, "value": 1})["status"] == 0
        assert int(interceptions(other.http_url)["total"], 16) == int(page["total"], 16) + 1
    finally:
        thread.close()
    reg.unblock(MALLORY)
