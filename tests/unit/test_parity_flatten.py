"""The pure Parity-trace functions: flattening geth's frame tree (traceAddress, subtraces,
failures, creates, selfdestructs, delegatecall values, hidden precompile calls), trace_filter's
address matching, and stateDiff's deltas."""
from __future__ import annotations

import pytest

from chain.api.parity import (
    CallAction, CallResult, CreateAction, CreateResult, FlatTrace, SuicideAction, flatten, matches,
)
from chain.api.state_diff import Delta, state_diff
from chain.backend.tracers.calls import CallFrame
from chain.backend.tracers.prestate import PostAccount, PreAccount, PrestateDiff

EOA, TOP, LEAF, NEW = (bytes([n]) * 20 for n in (0xE0, 0xA0, 0xB0, 0xC0))
SHA = bytes(19) + b"\x02"
PRECOMPILES = frozenset({SHA})


def frame(type_: str, sender: bytes, to: bytes | None, value: int | None = 0, *calls: CallFrame,
          error: str | None = None, output: bytes | None = None) -> CallFrame:
    return CallFrame(type_, sender, to, value, 1000, b"\x12", gas_used=100, output=output,
                     error=error, calls=list(calls))


def shape(traces: list[FlatTrace]) -> list[tuple[str, tuple[int, ...], int]]:
    return [(t.type, t.trace_address, t.subtraces) for t in traces]


def test_nested_calls_number_their_children_depth_first() -> None:
    root = frame("CALL", EOA, TOP, 7,
                 frame("CALL", TOP, LEAF, 0, frame("STATICCALL", LEAF, NEW, 0)),
                 frame("CALL", TOP, NEW, 1))
    traces = flatten(root, PRECOMPILES)
    assert shape(traces) == [("call", (), 2), ("call", (0,), 1), ("call", (0, 0), 0), ("call", (1,), 0)]
    assert traces[0].action == CallAction("call", EOA, 1000, b"\x12", TOP, 7)
    assert traces[2].action == CallAction("staticcall", LEAF, 1000, b"\x12", NEW, 0)
    assert traces[0].result == CallResult(100, b"") and traces[0].error is None


def test_a_reverted_subcall_keeps_its_result_and_another_failure_has_none() -> None:
    root = frame("CALL", EOA, TOP, 0,
                 frame("CALL", TOP, LEAF, 0, error="execution reverted", output=b"\x08\xc3"),
                 frame("CALL", TOP, LEAF, 0, error="out of gas"),
                 frame("CALL", TOP, LEAF, 0, error="invalid opcode"),
                 frame("CALL", TOP, LEAF, 0, error="write protection"),
                 frame("CALL", TOP, LEAF, 0, error="return data out of bounds"))
    _, reverted, oog, bad, static, other = flatten(root, PRECOMPILES)
    assert reverted.error == "Reverted" and reverted.result == CallResult(100, b"\x08\xc3")
    assert (oog.error, oog.result) == ("Out of gas", None)
    assert (bad.error, bad.result) == ("Bad instruction", None)
    assert static.error == "Mutable Call In Static Context"
    assert other.error == "return data out of bounds"  # no Parity word: geth's, as Erigon


@pytest.mark.parametrize("kind", ["CREATE", "CREATE2"])
def test_creates(kind: str) -> None:
    root = frame("CALL", EOA, TOP, 0, frame(kind, TOP, NEW, 5, output=b"\x60\x00"),
                 frame(kind, TOP, LEAF, 0, error="execution reverted", output=b"\x01"),
                 frame(kind, TOP, LEAF, 0, error="out of gas"))
    _, made, reverted, failed = flatten(root, PRECOMPILES)
    assert made.type == "create" and made.action == CreateAction(TOP, 1000, b"\x12", 5, kind.lower())
    assert made.result == CreateResult(100, NEW, b"\x60\x00")
    assert reverted.result == CreateResult(100, LEAF, b"\x01") and reverted.error == "Reverted"
    assert failed.result is None and failed.error == "Out of gas"


def test_frames_that_never_started_are_failed_traces() -> None:
    # What the callTracer records for a CALL and a CREATE with more value than the caller holds
    # and a CREATE2 onto a taken address (geth opens and closes such frames; so does Wabei).
    root = frame("CALL", EOA, TOP, 0,
                 frame("CALL", TOP, LEAF, 9, error="insufficient balance for transfer"),
                 frame("CREATE", TOP, None, 9, error="insufficient balance for transfer"),
                 frame("CREATE2", TOP, None, 0, error="contract address collision"),
                 frame("CALL", TOP, LEAF, 0, error="max call depth exceeded"))
    traces = flatten(root, PRECOMPILES)
    assert shape(traces) == [("call", (), 4), ("call", (0,), 0), ("create", (1,), 0),
                             ("create", (2,), 0), ("call", (3,), 0)]
    _, call, create, collided, deep = traces
    assert call.action == CallAction("call", TOP, 1000, b"\x12", LEAF, 9)
    assert create.action == CreateAction(TOP, 1000, b"\x12", 9, "create")
    assert all(t.result is None for t in (call, create, collided, deep))
    # geth's words where Parity has none (geth's flatCallTracer and Erigon keep them too);
    # OpenEthereum reported a collision as out of gas.
    assert [t.error for t in (call, create, collided, deep)] == [
        "insufficient balance for transfer", "insufficient balance for transfer", "Out of gas",
        "max call depth exceeded"]
    assert matches(create, frozenset(), frozenset({LEAF})) is False  # no created address


def test_selfdestruct_is_the_last_child_of_its_frame() -> None:
    destroy = CallFrame("SELFDESTRUCT", LEAF, EOA, 3, 0, b"")
    root = frame("CALL", EOA, TOP, 0, frame("CALL", TOP, LEAF, 0, frame("CALL", LEAF, NEW), destroy),
                 frame("CALL", TOP, NEW))
    traces = flatten(root, PRECOMPILES)
    assert shape(traces) == [("call", (), 2), ("call", (0,), 2), ("call", (0, 0), 0),
                             ("suicide", (0, 1), 0), ("call", (1,), 0)]
    suicide = traces[3]
    assert suicide.action == SuicideAction(LEAF, EOA, 3)
    assert suicide.result is None and suicide.error is None


def test_delegatecall_reports_the_value_of_the_frame_it_runs_in() -> None:
    inner = frame("DELEGATECALL", TOP, NEW, None)
    root = frame("CALL", EOA, TOP, 9, frame("DELEGATECALL", TOP, LEAF, None, inner),
                 frame("CALLCODE", TOP, LEAF, 2))
    _, delegate, nested, callcode = flatten(root, PRECOMPILES)
    assert delegate.action == CallAction("delegatecall", TOP, 1000, b"\x12", LEAF, 9)
    assert isinstance(nested.action, CallAction) and nested.action.value == 9
    assert isinstance(callcode.action, CallAction) and callcode.action.value == 2


def test_precompile_calls_without_value_are_left_out() -> None:
    root = frame("CALL", EOA, TOP, 0, frame("STATICCALL", TOP, SHA), frame("CALL", TOP, LEAF),
                 frame("CALL", TOP, SHA, 4))
    traces = flatten(root, PRECOMPILES)
    assert shape(traces) == [("call", (), 2), ("call", (0,), 0), ("call", (1,), 0)]
    assert isinstance(traces[2].action, CallAction) and traces[2].action.to == SHA
    # A transaction straight to a precompile is still traced: it is the top call.
    assert shape(flatten(frame("CALL", EOA, SHA), PRECOMPILES)) == [("call", (), 0)]


def test_filter_matching() -> None:
    call, create, suicide = flatten(frame("CALL", EOA, TOP, 0, frame("CREATE", TOP, NEW),
                                          CallFrame("SELFDESTRUCT", TOP, LEAF, 0, 0, b"")), PRECOMPILES)
    none: frozenset[bytes] = frozenset()
    assert matches(call, none, none)
    assert matches(call, frozenset({EOA}), none) and not matches(create, frozenset({EOA}), none)
    assert matches(create, none, frozenset({NEW}))  # a create's `to` is the created address
    assert matches(suicide, frozenset({TOP}), frozenset({LEAF}), intersection=True)
    assert matches(call, frozenset({EOA}), frozenset({LEAF}))  # union: either side
    assert not matches(call, frozenset({EOA}), frozenset({LEAF}), intersection=True)


def test_state_diff_deltas() -> None:
    pre = {EOA: PreAccount(100, 1, b""), TOP: PreAccount(5, 1, b"\x60", storage={1: 7, 2: 9}),
           LEAF: PreAccount(0, 0, b"", empty=True)}
    post = {EOA: PostAccount(balance=90, nonce=2), TOP: PostAccount(storage={1: 8, 3: 4}),
            LEAF: PostAccount(balance=10), NEW: PostAccount(nonce=1, code=b"\x60\x01", storage={0: 5})}
    diff = state_diff(PrestateDiff(pre, post))
    assert list(diff) == sorted([EOA, TOP, LEAF, NEW])
    assert diff[EOA].balance == Delta("*", 100, 90) and diff[EOA].nonce == Delta("*", 1, 2)
    assert diff[EOA].code == Delta("=") and diff[EOA].storage == {}
    # slot 1 changed, 2 went to zero (in pre only), 3 came from zero (in post only)
    assert diff[TOP].storage == {1: Delta("*", 7, 8), 2: Delta("*", 9, 0), 3: Delta("*", 0, 4)}
    assert diff[TOP].balance == Delta("=")
    # an account that did not exist before is born: "+" everywhere
    assert diff[LEAF].balance == Delta("+", after=10) and diff[LEAF].nonce == Delta("+", after=0)
    assert diff[NEW].code == Delta("+", after=b"\x60\x01") and diff[NEW].storage == {0: Delta("+", after=5)}


def test_state_diff_death_and_no_change() -> None:
    pre = {TOP: PreAccount(5, 1, b"\x60", storage={4: 2}), LEAF: PreAccount(0, 0, b"", empty=True)}
    post = {TOP: PostAccount(balance=0, nonce=0, code=b"", storage={}), LEAF: PostAccount()}
    diff = state_diff(PrestateDiff(pre, post))
    assert list(diff) == [TOP]  # LEAF was touched but never existed
    assert diff[TOP].balance == Delta("-", before=5) and diff[TOP].code == Delta("-", before=b"\x60")
    assert diff[TOP].storage == {4: Delta("-", before=2)}
