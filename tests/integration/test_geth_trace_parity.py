"""Wabei's debug_traceTransaction answers, field by field, against geth's for the same signed
transactions on the same fork (Prague): the struct logger (with memory and return data on and
off), callTracer (with and without logs) and prestateTracer (default and diffMode).

geth is the pinned build ./scripts/setup makes (scripts/versions), started once for the module in
dev mode on a Prague genesis (reference_nodes.py). What may differ, and why, is in docs/tracing.md
("The geth comparison"); everything else must be equal.
"""
from __future__ import annotations

from typing import Any, Iterator

import pytest
from conftest import RunningNode, start_node
from helpers import dev_account, rpc
from reference_nodes import ReferenceNode, geth_missing_reason, start_geth
from trace_parity import (
    FUNDS, SENDER, SentTx, differences, rename_account, run_scenario, scenario,
)


@pytest.fixture(scope="module")
def wabei() -> Iterator[RunningNode]:
    node = start_node("--chain-id", "1337")
    yield node
    node.stop()


@pytest.fixture(scope="module")
def geth() -> Iterator[ReferenceNode]:
    reason = geth_missing_reason()
    if reason is not None:
        pytest.fail(reason)
    # The same genesis accounts as Wabei's: the standard mnemonic's first ten, 10,000 ether each.
    node = start_geth({dev_account(i).address: FUNDS for i in range(10)})
    yield node
    node.stop()


@pytest.fixture(scope="module")
def sent(wabei: RunningNode, geth: ReferenceNode) -> list[SentTx]:
    """The scenario, mined on both nodes; its receipts must agree before any trace is compared."""
    ours, theirs = run_scenario(wabei.http_url), run_scenario(geth.url)
    assert [(t.label, t.hash, t.status, t.gas_used) for t in ours] == \
           [(t.label, t.hash, t.status, t.gas_used) for t in theirs]
    assert [t.status for t in ours] == [1, 1, 0, 0, 1, 1]
    return ours


def _coinbase(url: str, tx_hash: str) -> str:
    block = rpc(url, "eth_getTransactionReceipt", [tx_hash])["blockNumber"]
    miner: str = rpc(url, "eth_getBlockByNumber", [block, False])["miner"]
    return miner


def _compare(wabei: RunningNode, geth: ReferenceNode, sent: list[SentTx], options: dict[str, Any],
             normalise: Any = None) -> None:
    problems = []
    for tx in sent:
        ours = rpc(wabei.http_url, "debug_traceTransaction", [tx.hash, options])
        theirs = rpc(geth.url, "debug_traceTransaction", [tx.hash, options])
        if normalise is not None:
            ours = normalise(ours, _coinbase(wabei.http_url, tx.hash))
            theirs = normalise(theirs, _coinbase(geth.url, tx.hash))
        problems += [f"{tx.label}: {line}" for line in differences(ours, theirs)]
    assert not problems, f"{len(problems)} differences from geth:\n" + "\n".join(problems[:40])


@pytest.mark.parametrize("options", [
    {},
    {"enableMemory": True, "enableReturnData": True},
    {"disableStack": True, "disableStorage": True},
], ids=["default", "memory+returnData", "no-stack-no-storage"])
def test_struct_logger_matches_geth(wabei: RunningNode, geth: ReferenceNode, sent: list[SentTx],
                                    options: dict[str, Any]) -> None:
    _compare(wabei, geth, sent, options)


@pytest.mark.parametrize("config", [{}, {"withLog": True}, {"onlyTopCall": True}],
                         ids=["plain", "withLog", "onlyTopCall"])
def test_call_tracer_matches_geth(wabei: RunningNode, geth: ReferenceNode, sent: list[SentTx],
                                  config: dict[str, Any]) -> None:
    _compare(wabei, geth, sent, {"tracer": "callTracer", "tracerConfig": config})


def _coinbase_renamed(result: dict[str, Any], coinbase: str) -> dict[str, Any]:
    """The fee recipient differs (Wabei's zero address, geth's dev account): key it by role, and
    drop its balance, which depends on the chain's blocks (geth's dev mode mines empty blocks
    now and then, so base fees part ways). Whether it is listed is still compared."""
    def by_role(accounts: dict[str, Any]) -> dict[str, Any]:
        out = rename_account(accounts, coinbase, "coinbase")
        if "coinbase" in out:
            out["coinbase"] = {k: v for k, v in out["coinbase"].items() if k != "balance"}
        return out
    if "post" in result:
        return {half: by_role(result[half]) for half in ("pre", "post")}
    return by_role(result)


@pytest.mark.parametrize("config", [{}, {"diffMode": True}], ids=["prestate", "diffMode"])
def test_prestate_tracer_matches_geth(wabei: RunningNode, geth: ReferenceNode, sent: list[SentTx],
                                      config: dict[str, Any]) -> None:
    _compare(wabei, geth, sent, {"tracer": "prestateTracer", "tracerConfig": config}, _coinbase_renamed)


@pytest.mark.parametrize("options", [{}, {"tracer": "callTracer", "tracerConfig": {"withLog": True}}],
                         ids=["structLogger", "callTracer"])
@pytest.mark.parametrize("label", ["create", "panic"])
def test_trace_call_matches_geth(wabei: RunningNode, geth: ReferenceNode, sent: list[SentTx],
                                 options: dict[str, Any], label: str) -> None:
    """debug_traceCall of a scenario transaction again, as a call on the latest state."""
    tx = dict(scenario())[label]
    call = {"from": SENDER.address, "gas": hex(tx["gas"]), "value": hex(tx.get("value", 0)),
            "data": tx["data"] if isinstance(tx["data"], str) else "0x" + tx["data"].hex()}
    if "to" in tx:
        call["to"] = tx["to"]
    ours = rpc(wabei.http_url, "debug_traceCall", [call, "latest", options])
    theirs = rpc(geth.url, "debug_traceCall", [call, "latest", options])
    problems = differences(ours, theirs)
    assert not problems, f"{len(problems)} differences from geth:\n" + "\n".join(problems[:40])
