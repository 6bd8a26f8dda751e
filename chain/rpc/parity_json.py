"""Parity-style traces → the JSON OpenEthereum, Erigon, Reth and Anvil answer with.

Field order follows Reth's serializer (alloy's LocalizedTransactionTrace): action, blockHash,
blockNumber, error?, result, subtraces, traceAddress, transactionHash, transactionPosition, type.
`blockNumber`, `transactionPosition`, `subtraces` and `traceAddress` are JSON numbers; gas,
values, balances and nonces are hex quantities.
"""
from __future__ import annotations

from typing import Any

from chain.api.parity import (
    CallAction, CallResult, CreateAction, CreateResult, FlatTrace, SuicideAction,
)
from chain.api.parity_tracing import LocalizedTrace, TraceResults
from chain.api.state_diff import AccountDiff, Delta


def _hex(data: bytes) -> str:
    return "0x" + data.hex()


def _word(value: int) -> str:
    return "0x" + value.to_bytes(32, "big").hex()


def action_json(action: CallAction | CreateAction | SuicideAction) -> dict[str, Any]:
    if isinstance(action, CallAction):
        return {"from": _hex(action.sender), "callType": action.call_type, "gas": hex(action.gas),
                "input": _hex(action.input), "to": _hex(action.to), "value": hex(action.value)}
    if isinstance(action, CreateAction):
        return {"from": _hex(action.sender), "gas": hex(action.gas), "init": _hex(action.init),
                "value": hex(action.value), "creationMethod": action.creation_method}
    return {"address": _hex(action.address), "balance": hex(action.balance),
            "refundAddress": _hex(action.refund_address)}


def result_json(result: CallResult | CreateResult | None) -> dict[str, Any] | None:
    if result is None:
        return None
    if isinstance(result, CreateResult):
        return {"address": _hex(result.address), "code": _hex(result.code),
                "gasUsed": hex(result.gas_used)}
    return {"gasUsed": hex(result.gas_used), "output": _hex(result.output)}


def trace_json(trace: FlatTrace) -> dict[str, Any]:
    """A trace without block fields: trace_call's and trace_replay*'s `trace` entries."""
    out: dict[str, Any] = {"action": action_json(trace.action)}
    if trace.error is not None:
        out["error"] = trace.error
    out["result"] = result_json(trace.result)
    out["subtraces"] = trace.subtraces
    out["traceAddress"] = list(trace.trace_address)
    out["type"] = trace.type
    return out


def localized_json(lt: LocalizedTrace) -> dict[str, Any]:
    """trace_transaction / trace_block / trace_filter's entries."""
    t = lt.trace
    out: dict[str, Any] = {"action": action_json(t.action), "blockHash": _hex(lt.block_hash),
                           "blockNumber": lt.block_number}
    if t.error is not None:
        out["error"] = t.error
    out["result"] = result_json(t.result)
    out["subtraces"] = t.subtraces
    out["traceAddress"] = list(t.trace_address)
    out["transactionHash"] = _hex(lt.tx_hash)
    out["transactionPosition"] = lt.tx_position
    out["type"] = t.type
    return out


def _delta(delta: Delta[Any], encode: Any) -> Any:
    if delta.kind == "=":
        return "="
    if delta.kind == "+":
        return {"+": encode(delta.after)}
    if delta.kind == "-":
        return {"-": encode(delta.before)}
    return {"*": {"from": encode(delta.before), "to": encode(delta.after)}}


def account_diff_json(diff: AccountDiff) -> dict[str, Any]:
    return {"balance": _delta(diff.balance, hex), "code": _delta(diff.code, _hex),
            "nonce": _delta(diff.nonce, hex),
            "storage": {_word(slot): _delta(d, _word) for slot, d in diff.storage.items()}}


def results_json(results: TraceResults) -> dict[str, Any]:
    """{output, stateDiff, trace, vmTrace}: vmTrace is always null (Wabei does not produce it)."""
    diff = results.state_diff
    return {"output": _hex(results.output),
            "stateDiff": None if diff is None else {_hex(a): account_diff_json(d) for a, d in diff.items()},
            "trace": [trace_json(t) for t in results.trace or []],
            "vmTrace": None}
