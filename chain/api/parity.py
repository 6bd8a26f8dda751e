"""Parity-style traces as pure functions of geth's call-frame tree (docs/tracing.md).

`flatten` turns one transaction's frame tree into the flat list OpenEthereum, Erigon, Reth and
Anvil answer `trace_transaction` with: depth-first, each trace naming its place by
`traceAddress` (the child indexes from the top call) and its number of children by
`subtraces`. The choices follow Reth's builder (revm-inspectors, tracing/builder/parity.rs),
which Anvil uses too:

- calls to precompiles that move no value are left out (and not counted in `subtraces`);
- a DELEGATECALL reports the value of the frame it runs in, as the code sees `msg.value`;
- a SELFDESTRUCT is a `suicide` trace, the last child of the frame that ran it;
- a reverted frame keeps its `result` (gas used, revert data) next to `error: "Reverted"`;
  any other failure has `result` null;
- errors use Parity's words ("Out of gas", "Bad instruction", ...).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from chain.backend.tracers.calls import CallFrame

_CREATES = ("CREATE", "CREATE2")

# geth's error words (chain/backend/revert.vm_error_text) → Parity's, as Erigon and Reth map them.
# Anything else keeps geth's words, as Erigon does with err.Error().
PARITY_ERRORS = {
    "execution reverted": "Reverted",
    "out of gas": "Out of gas",
    "contract address collision": "Out of gas",
    "invalid jump destination": "Bad jump destination",
    "invalid opcode": "Bad instruction",
    "write protection": "Mutable Call In Static Context",
    "stack underflow": "Stack underflow",
    "stack limit reached 1024": "Out of stack",
}
REVERTED = "Reverted"


@dataclass(frozen=True)
class CallAction:
    call_type: str  # call, callcode, delegatecall, staticcall
    sender: bytes
    gas: int
    input: bytes
    to: bytes
    value: int


@dataclass(frozen=True)
class CreateAction:
    sender: bytes
    gas: int
    init: bytes
    value: int
    creation_method: str  # create, create2


@dataclass(frozen=True)
class SuicideAction:
    address: bytes
    refund_address: bytes
    balance: int


@dataclass(frozen=True)
class CallResult:
    gas_used: int
    output: bytes


@dataclass(frozen=True)
class CreateResult:
    gas_used: int
    address: bytes
    code: bytes


Action = Union[CallAction, CreateAction, SuicideAction]


@dataclass(frozen=True)
class FlatTrace:
    """One entry of a transaction's Parity trace, before the block and transaction fields."""

    action: Action
    result: CallResult | CreateResult | None
    error: str | None
    subtraces: int
    trace_address: tuple[int, ...]

    @property
    def type(self) -> str:
        if isinstance(self.action, CallAction):
            return "call"
        return "create" if isinstance(self.action, CreateAction) else "suicide"


def flatten(root: CallFrame, precompiles: frozenset[bytes]) -> list[FlatTrace]:
    """The transaction's traces, top call first, in execution (depth-first) order."""
    out: list[FlatTrace] = []
    _walk(root, (), root.value or 0, precompiles, out)
    return out


def _value(frame: CallFrame, context_value: int) -> int:
    """What the frame's action reports as value: a DELEGATECALL's is its context's."""
    return context_value if frame.type == "DELEGATECALL" else (frame.value or 0)


def _hidden(frame: CallFrame, context_value: int, precompiles: frozenset[bytes]) -> bool:
    return (frame.type not in _CREATES and frame.type != "SELFDESTRUCT"
            and frame.to in precompiles and _value(frame, context_value) == 0)


def _walk(frame: CallFrame, address: tuple[int, ...], context_value: int,
          precompiles: frozenset[bytes], out: list[FlatTrace]) -> None:
    value = _value(frame, context_value)
    children = [c for c in frame.calls if not _hidden(c, value, precompiles)]
    out.append(_trace(frame, address, len(children), value))
    for index, child in enumerate(children):
        _walk(child, address + (index,), value, precompiles, out)


def _trace(frame: CallFrame, address: tuple[int, ...], subtraces: int, value: int) -> FlatTrace:
    if frame.type == "SELFDESTRUCT":
        action: Action = SuicideAction(frame.sender, frame.to or bytes(20), frame.value or 0)
        return FlatTrace(action, None, None, 0, address)
    to = frame.to or bytes(20)
    error = None if frame.error is None else PARITY_ERRORS.get(frame.error, frame.error)
    output = frame.output or b""
    result: CallResult | CreateResult | None
    if frame.type in _CREATES:
        action = CreateAction(frame.sender, frame.gas, frame.input, value, frame.type.lower())
        result = CreateResult(frame.gas_used, to, output)
    else:
        action = CallAction(frame.type.lower(), frame.sender, frame.gas, frame.input, to, value)
        result = CallResult(frame.gas_used, output)
    if error is not None and error != REVERTED:
        result = None
    return FlatTrace(action, result, error, subtraces, address)


def endpoints(trace: FlatTrace) -> tuple[bytes, bytes | None]:
    """(from, to) as trace_filter matches them (Reth's TraceFilterMatcher): a call's from and
    to; a create's creator and created address (None if it failed); a suicide's contract and
    the address that received its balance."""
    action = trace.action
    if isinstance(action, CallAction):
        return action.sender, action.to
    if isinstance(action, CreateAction):
        created = trace.result.address if isinstance(trace.result, CreateResult) else None
        return action.sender, created
    return action.address, action.refund_address


def matches(trace: FlatTrace, senders: frozenset[bytes], receivers: frozenset[bytes],
            intersection: bool = False) -> bool:
    """trace_filter's address test: an empty set matches everything; with both sets given, a
    trace matches either (Reth's default `union` mode) or, with `intersection`, both."""
    sender, receiver = endpoints(trace)
    from_ok = sender in senders
    to_ok = receiver is not None and receiver in receivers
    if not senders and not receivers:
        return True
    if not receivers:
        return from_ok
    if not senders:
        return to_ok
    return (from_ok and to_ok) if intersection else (from_ok or to_ok)
