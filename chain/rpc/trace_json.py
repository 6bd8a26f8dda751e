"""Tracer results → the JSON geth's debug_trace* answers with.

The struct logger follows the opcode-tracer format of execution-apis#762, which geth adopted
(0x-prefixed memory words and storage, `error` only when there is one); the call tracer follows
geth's eth/tracers/native/call.go field by field.
"""
from __future__ import annotations

from functools import singledispatch
from typing import Any

from chain.backend.tracers.calls import CallFrame
from chain.backend.tracers.prestate import PostAccount, PreAccount, Prestate, PrestateDiff
from chain.backend.tracers.structlog import StructLog, StructLogResult


def _word(value: int) -> str:
    return "0x" + value.to_bytes(32, "big").hex()


@singledispatch
def trace_json(result: Any) -> Any:
    """A tracer's result as JSON; results that are already JSON-shaped (4byte, noop) pass."""
    return result


@trace_json.register
def _struct_logs(result: StructLogResult) -> dict[str, Any]:
    return {
        "gas": result.gas,
        "failed": result.failed,
        "returnValue": "0x" + result.return_value.hex(),
        "structLogs": [struct_log_json(log) for log in result.struct_logs],
    }


def struct_log_json(log: StructLog) -> dict[str, Any]:
    out: dict[str, Any] = {"pc": log.pc, "op": log.op, "gas": log.gas, "gasCost": log.gas_cost,
                           "depth": log.depth}
    if log.error is not None:
        out["error"] = log.error
    if log.stack is not None:
        out["stack"] = [hex(v) for v in log.stack]
    if log.return_data:  # geth leaves out empty return data and empty memory
        out["returnData"] = "0x" + log.return_data.hex()
    if log.memory:
        mem = log.memory
        out["memory"] = ["0x" + mem[i:i + 32].ljust(32, b"\0").hex() for i in range(0, len(mem), 32)]
    if log.storage is not None:
        out["storage"] = {_word(k): _word(v) for k, v in log.storage.items()}
    if log.refund:
        out["refund"] = log.refund
    return out


@trace_json.register
def call_frame_json(frame: CallFrame) -> dict[str, Any]:
    out: dict[str, Any] = {"type": frame.type, "from": "0x" + frame.sender.hex(),
                           "gas": hex(frame.gas), "gasUsed": hex(frame.gas_used)}
    if frame.to is not None:
        out["to"] = "0x" + frame.to.hex()
    out["input"] = "0x" + frame.input.hex()
    if frame.output:
        out["output"] = "0x" + frame.output.hex()
    if frame.error is not None:
        out["error"] = frame.error
    if frame.revert_reason is not None:
        out["revertReason"] = frame.revert_reason
    if frame.calls:
        out["calls"] = [call_frame_json(c) for c in frame.calls]
    if frame.logs:
        out["logs"] = [{"address": "0x" + log.address.hex(),
                        "topics": [_word(t) for t in log.topics],
                        "data": "0x" + log.data.hex(),
                        "index": hex(log.index),
                        "position": hex(log.position)} for log in frame.logs]
    if frame.value is not None:
        out["value"] = hex(frame.value)
    return out


@trace_json.register
def _prestate(result: Prestate) -> dict[str, Any]:
    return {"0x" + address.hex(): _account(a) for address, a in result.accounts.items()}


@trace_json.register
def _prestate_diff(result: PrestateDiff) -> dict[str, Any]:
    return {"post": {"0x" + address.hex(): _account(a) for address, a in result.post.items()},
            "pre": {"0x" + address.hex(): _account(a) for address, a in result.pre.items()}}


def _account(a: PreAccount | PostAccount) -> dict[str, Any]:
    """geth's prestate `account`: every field but a pre-state balance is left out when empty."""
    entry: dict[str, Any] = {}
    if a.balance is not None:
        entry["balance"] = hex(a.balance)
    if a.code:
        entry["code"] = "0x" + a.code.hex()
    if a.code_hash is not None:
        entry["codeHash"] = "0x" + a.code_hash.hex()
    if a.nonce:
        entry["nonce"] = a.nonce
    if a.storage:
        entry["storage"] = {_word(k): _word(v) for k, v in a.storage.items()}
    return entry
