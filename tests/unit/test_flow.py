"""FlowRecorder's bookkeeping: first times win, memory stays bounded."""
from __future__ import annotations

import pytest

from chain.api.flow import CONSENSUS_HEIGHTS, FlowRecorder


def h(i: int) -> bytes:
    return i.to_bytes(32, "big")


def test_first_times_win_and_admission_implies_receipt() -> None:
    flow = FlowRecorder()
    flow.received(h(1), 10.0)
    flow.received(h(1), 11.0)  # sent again while pending: the first arrival counts
    flow.admitted(h(1), 12.0)
    flow.admitted(h(1), 13.0)
    record = flow.transaction(h(1))
    assert record is not None and (record.received, record.admitted) == (10.0, 12.0)
    flow.admitted(h(2), 20.0)  # gossiped from a peer: first seen at admission
    gossiped = flow.transaction(h(2))
    assert gossiped is not None and (gossiped.received, gossiped.admitted) == (20.0, 20.0)
    assert flow.transaction(h(3)) is None


@pytest.mark.parametrize("capacity, seen, kept", [(0, 5, 0), (1, 5, 1), (3, 2, 2), (3, 10, 3)])
def test_records_are_bounded_and_the_oldest_go_first(capacity: int, seen: int, kept: int) -> None:
    flow = FlowRecorder(capacity)
    for i in range(seen):
        flow.received(h(i), float(i))
    assert len(flow) == kept
    assert [flow.transaction(h(i)) is not None for i in range(seen)] == [i >= seen - kept for i in range(seen)]


def test_a_reused_slot_starts_empty() -> None:
    flow = FlowRecorder(2)
    flow.admitted(h(1), 1.0)
    flow.received(h(2), 2.0)
    flow.received(h(3), 3.0)  # takes h(1)'s slot
    assert flow.transaction(h(1)) is None
    record = flow.transaction(h(3))
    assert record is not None and (record.received, record.admitted, record.block_number) == (3.0, None, None)
    assert flow.transaction(h(2)) is not None and len(flow) == 2


def test_consensus_steps_are_bounded_by_height() -> None:
    flow = FlowRecorder()
    for height in range(1, CONSENSUS_HEIGHTS + 10):
        flow.consensus(height, "process_proposal", float(height))
    assert len(flow._consensus) == CONSENSUS_HEIGHTS
    assert min(flow._consensus) == 10


def test_negative_capacity_is_refused() -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        FlowRecorder(-1)
