"""Tracers that watch message frames only: callTracer, 4byteTracer and noopTracer.

They wrap only JUMP and JUMPI (for the timeout, base.Tracer), so a traced run costs one Python
call per frame, per log and per jump, not per instruction.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from eth.abc import ComputationAPI, MessageAPI
from eth.exceptions import Revert

from chain.backend.revert import geth_revert_reason, vm_error_text
from chain.backend.tracers.base import Tracer, TxOutcome, config_flag, endpoints
from chain.types import TraceOptions

_CALLS = ("CALL", "CALLCODE", "DELEGATECALL", "STATICCALL")


@dataclass
class CallLog:
    address: bytes
    topics: tuple[int, ...]
    data: bytes
    index: int     # the log's index in the block, as its receipt will number it if it survives
    position: int  # how many child calls of its frame came before it


@dataclass
class CallFrame:
    """One message frame (geth's callFrame); `value` None is left out, as geth leaves it
    (STATICCALL only: a DELEGATECALL shows the value of the frame it runs in, as geth 1.17's)."""

    type: str
    sender: bytes
    to: bytes | None
    value: int | None
    gas: int
    input: bytes
    gas_used: int = 0
    output: bytes | None = None
    error: str | None = None
    revert_reason: str | None = None
    calls: list[CallFrame] = field(default_factory=list)
    logs: list[CallLog] = field(default_factory=list)


class CallTracer(Tracer):
    """geth's callTracer, with its `onlyTopCall` and `withLog` options."""

    def __init__(self, options: TraceOptions) -> None:
        config = options.tracer_config
        self._only_top = config_flag(config, "onlyTopCall")
        self._with_log = config_flag(config, "withLog")
        self._stack: list[CallFrame] = []
        self._depth = 0
        self._root: CallFrame | None = None
        # geth numbers a log by the state's block-wide log count at the time, which a reverted
        # frame winds back: the count when each open frame began.
        self._next_log = 0
        self._log_marks: list[int] = []

    def enter(self, message: MessageAPI, call_type: str, parent: ComputationAPI | None) -> None:
        self._depth += 1
        self._log_marks.append(self._next_log)
        if self._only_top and self._depth > 1:
            return
        sender, to = endpoints(message, call_type, parent)
        # py-evm's DELEGATECALL message carries the calling frame's value, as geth reports it.
        value = None if call_type == "STATICCALL" else int(message.value)
        data = message.code if message.is_create else message.data
        self._stack.append(CallFrame(call_type, sender, to, value, int(message.gas), bytes(data)))

    def exit(self, computation: ComputationAPI) -> None:
        self._depth -= 1
        mark = self._log_marks.pop()
        if computation.is_error:
            self._next_log = mark
        if self._only_top and self._depth > 0:
            return
        frame = self._stack.pop()
        frame.gas_used = int(computation.get_gas_used())
        _set_outcome(frame, computation)
        if self._stack:
            self._stack[-1].calls.append(frame)
        else:
            self._root = frame

    def log(self, computation: ComputationAPI, address: bytes, topics: tuple[int, ...],
            data: bytes) -> None:
        index = self.first_log_index + self._next_log
        self._next_log += 1
        if not self._with_log or (self._only_top and self._depth > 1):
            return
        frame = self._stack[-1]
        frame.logs.append(CallLog(address, topics, data, index, len(frame.calls)))

    def result(self, outcome: TxOutcome) -> CallFrame:
        root = self._root
        if root is None:  # a failure before any frame ran (a create-address collision)
            c = outcome.computation
            root = CallFrame("CREATE" if c.msg.is_create else "CALL", bytes(c.msg.sender), None,
                             outcome.value, outcome.gas_limit, bytes(c.msg.data))
            _set_outcome(root, c)
        root.gas, root.gas_used = outcome.gas_limit, outcome.gas_used
        _clear_failed_logs(root, False)
        return root


def _set_outcome(frame: CallFrame, computation: ComputationAPI) -> None:
    """geth's processOutput: output on success, error and (for a revert) data and reason."""
    if not computation.is_error:
        if computation.output:
            frame.output = bytes(computation.output)
        return
    error = computation.error
    frame.error = vm_error_text(error)
    if frame.type in ("CREATE", "CREATE2"):
        frame.to = None
    if isinstance(error, Revert) and computation.output:
        frame.output = bytes(computation.output)
        frame.revert_reason = geth_revert_reason(frame.output)


def _clear_failed_logs(frame: CallFrame, parent_failed: bool) -> None:
    """A reverted frame's logs never happened; geth drops them from the trace too."""
    failed = parent_failed or frame.error is not None
    if failed:
        frame.logs = []
    for child in frame.calls:
        _clear_failed_logs(child, failed)


class FourByteTracer(Tracer):
    """geth's 4byteTracer: "0x<selector>-<argument bytes>" → how often it was called.

    Creates and calls to precompiles (Wabei's platform precompiles included) are not counted.
    """

    def __init__(self, options: TraceOptions, precompiles: frozenset[bytes]) -> None:
        self._precompiles = precompiles
        self._counts: Counter[str] = Counter()

    def enter(self, message: MessageAPI, call_type: str, parent: ComputationAPI | None) -> None:
        data = bytes(message.data)
        _, to = endpoints(message, call_type, parent)
        if call_type in _CALLS and len(data) >= 4 and to not in self._precompiles:
            self._counts[f"0x{data[:4].hex()}-{len(data) - 4}"] += 1

    def exit(self, computation: ComputationAPI) -> None:
        pass

    def result(self, outcome: TxOutcome) -> dict[str, int]:
        return dict(self._counts)


class NoopTracer(Tracer):
    """geth's noopTracer: runs the transaction and answers `{}`."""

    def __init__(self, options: TraceOptions) -> None:
        pass

    def enter(self, message: MessageAPI, call_type: str, parent: ComputationAPI | None) -> None:
        pass

    def exit(self, computation: ComputationAPI) -> None:
        pass

    def result(self, outcome: TxOutcome) -> dict[str, Any]:
        return {}
