"""Wabei's struct logger against Hardhat 2's node (EDR) for the same signed transactions, step by
step. Hardhat has no callTracer or prestateTracer, only the struct logger, in geth's older
format; the few format differences normalised here are listed in docs/tracing.md ("The Hardhat
comparison"). Everything else (pc, op, gas, gasCost, depth, stack, memory, storage, error,
gas, failed, returnValue) must be equal.
"""
from __future__ import annotations

from typing import Any, Iterator

import pytest
from conftest import RunningNode, start_node
from helpers import rpc
from reference_nodes import ReferenceNode, start_hardhat
from trace_parity import SentTx, differences, run_scenario

# The ops on which geth's format (and Wabei's) shows `storage`; Hardhat shows it on every step.
STORAGE_OPS = ("SLOAD", "SSTORE")
CREATES = ("CREATE", "CREATE2")


@pytest.fixture(scope="module")
def wabei() -> Iterator[RunningNode]:
    node = start_node("--chain-id", "1337")
    yield node
    node.stop()


@pytest.fixture(scope="module")
def hardhat() -> Iterator[ReferenceNode]:
    node = start_hardhat()
    yield node
    node.stop()


@pytest.fixture(scope="module")
def sent(wabei: RunningNode, hardhat: ReferenceNode) -> list[SentTx]:
    ours, theirs = run_scenario(wabei.http_url), run_scenario(hardhat.url)
    assert ours == theirs  # same hashes, statuses and gas used
    return ours


def _word(hex_word: str) -> str:
    return "0x" + hex_word.removeprefix("0x")


def _hardhat_steps(steps: list[dict[str, Any]], memory: bool) -> list[dict[str, Any]]:
    """Hardhat's steps in geth's current format (docs/tracing.md lists each normalisation)."""
    out = []
    for i, step in enumerate(steps):
        after = steps[i + 1] if i + 1 < len(steps) else None
        norm = {k: step[k] for k in ("pc", "op", "gas", "gasCost", "depth", "error") if k in step}
        norm["stack"] = [hex(int(w, 16)) for w in step["stack"]]  # 0x-less words → quantities
        if memory and step["memory"]:  # Hardhat shows empty memory as [], geth leaves it out
            norm["memory"] = [_word(w) for w in step["memory"]]
        if step["op"] in CREATES and after is not None and after["depth"] == step["depth"] + 1:
            norm["gasCost"] -= after["gas"]  # Hardhat counts the gas handed to the child
        elif step["op"] in CREATES and after is not None and after["depth"] == step["depth"]:
            # No step ran in the child (a pre-check failed, or an address collision): Hardhat
            # still counts the child's gas. If it came back, the next step shows the CREATE's
            # own cost; if a collision burnt it, nothing in Hardhat's answer separates the two.
            own = step["gas"] - after["gas"]
            norm["gasCost"] = own if own < step["gasCost"] else None
        if step["op"] in STORAGE_OPS:
            norm["storage"] = {_word(k): _word(v) for k, v in step["storage"].items()}
            if step["op"] == "SLOAD" and after is not None and after["depth"] == step["depth"]:
                # What the SLOAD loaded is on top of the next step's stack; Hardhat's map can
                # hold a stale value there (see docs/tracing.md), so take the loaded one.
                norm["storage"][_word(step["stack"][-1])] = _word(after["stack"][-1])
        out.append(norm)
    return out


def _wabei_step(step: dict[str, Any]) -> dict[str, Any]:
    """Wabei's step without `refund` (geth's field; Hardhat's format has none)."""
    return {k: v for k, v in step.items() if k != "refund"}


@pytest.mark.js
@pytest.mark.parametrize("memory", [False, True], ids=["default", "memory"])
def test_struct_logger_matches_hardhat(wabei: RunningNode, hardhat: ReferenceNode, sent: list[SentTx],
                                       memory: bool) -> None:
    problems = []
    for tx in sent:
        ours = rpc(wabei.http_url, "debug_traceTransaction", [tx.hash, {"enableMemory": memory}])
        theirs = rpc(hardhat.url, "debug_traceTransaction", [tx.hash, {}])
        ours["structLogs"] = [_wabei_step(s) for s in ours["structLogs"]]
        theirs["structLogs"] = _hardhat_steps(theirs["structLogs"], memory)
        for mine, other in zip(ours["structLogs"], theirs["structLogs"]):
            if other["gasCost"] is None:  # a collision's CREATE: the geth comparison checks it
                del mine["gasCost"], other["gasCost"]
        theirs["returnValue"] = _word(theirs["returnValue"])
        problems += [f"{tx.label}: {line}" for line in differences(ours, theirs)]
    assert not problems, f"{len(problems)} differences from Hardhat:\n" + "\n".join(problems[:40])
