"""eth_simulateV1's log collector: each call's logs as geth's simulate tracer gathers them, and,
with traceTransfers, ERC-7528 transfer logs for every movement of ether.

A transfer is logged as an ERC-20 `Transfer(from, to, value)` emitted by 0xEeee…EEeE when a frame
that is not DELEGATECALL or CALLCODE starts with a value (the transaction's own frame included),
and when SELFDESTRUCT sends a balance. A failed frame's logs are dropped with it, and log indexes
run across the whole block, as geth's internal/ethapi/logtracer.go counts them. It is a tracer
(vm_hooks/tracing.py), so it also ticks the request's deadline on jumps.
"""
from __future__ import annotations

from typing import Any

from eth.abc import ComputationAPI, MessageAPI
from eth.exceptions import VMError
from eth_typing import Address

from chain.backend.tracers.base import JUMPS, Tracer, TxOutcome
from vm_hooks.tracing import stack_values

TRANSFER_TOPIC = bytes.fromhex("ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef")
TRANSFER_ADDRESS = bytes.fromhex("eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee")  # ERC-7528
_SELFDESTRUCT = 0xFF
_NO_VALUE = ("DELEGATECALL", "CALLCODE")

RawLog = tuple[bytes, tuple[bytes, ...], bytes, int]  # address, topics, data, block-wide index


class SimLogTracer(Tracer):
    """Collects one block's logs, call by call: `reset()` before a call, `logs()` after it."""

    def __init__(self, trace_transfers: bool, deadline: float) -> None:
        self.trace_transfers = trace_transfers
        self.opcodes = JUMPS | {_SELFDESTRUCT} if trace_transfers else JUMPS
        self._deadline = deadline
        self._frames: list[list[RawLog]] = []
        self._done: list[RawLog] = []
        self._count = 0  # block-wide log index
        self._pending_destruct: tuple[bytes, bytes, int] | None = None

    def reset(self) -> None:
        self._frames, self._done = [], []

    def logs(self) -> list[RawLog]:
        return self._done

    def result(self, outcome: TxOutcome) -> Any:
        return self._done

    # -- hooks -------------------------------------------------------------------------------
    def enter(self, message: MessageAPI, call_type: str, parent: ComputationAPI | None) -> None:
        self._frames.append([])
        if call_type not in _NO_VALUE and message.value > 0:
            self._transfer(bytes(message.sender), bytes(message.storage_address), message.value)

    def exit(self, computation: ComputationAPI) -> None:
        frame = self._frames.pop()
        if computation.is_error:  # the latest logs, so their indexes are free again
            self._count -= len(frame)
            frame = []
        if self._frames:
            self._frames[-1].extend(frame)
        else:
            self._done = frame

    def log(self, computation: ComputationAPI, address: bytes, topics: tuple[int, ...],
            data: bytes) -> None:
        self._capture(address, tuple(t.to_bytes(32, "big") for t in topics), data)

    def step(self, computation: ComputationAPI, opcode: int) -> None:
        if opcode != _SELFDESTRUCT:
            self.tick()
            return
        me = computation.msg.storage_address
        beneficiary = stack_values(computation)[-1].to_bytes(32, "big")[12:]
        balance = computation.state.get_balance(Address(me))
        self._pending_destruct = (bytes(me), beneficiary, int(balance))

    def step_done(self, computation: ComputationAPI, opcode: int, error: VMError | None) -> None:
        pending, self._pending_destruct = self._pending_destruct, None
        if opcode == _SELFDESTRUCT and error is None and pending is not None and pending[2] > 0:
            self._transfer(*pending)

    # -- helpers -----------------------------------------------------------------------------
    def _transfer(self, sender: bytes, to: bytes, value: int) -> None:
        if self.trace_transfers:
            topics = (TRANSFER_TOPIC, sender.rjust(32, b"\0"), to.rjust(32, b"\0"))
            self._capture(TRANSFER_ADDRESS, topics, value.to_bytes(32, "big"))

    def _capture(self, address: bytes, topics: tuple[bytes, ...], data: bytes) -> None:
        self._frames[-1].append((address, topics, data, self._count))
        self._count += 1
