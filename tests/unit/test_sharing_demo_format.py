"""The demo's pure formatting: which balances count as changed, and how amounts read."""
from __future__ import annotations

import pytest

from sharing.demo import Change, changes, format_amount, format_step

ETH = 10**18


@pytest.mark.parametrize(("asset", "value", "places", "text"), [
    ("ETH", ETH, 18, "1 ETH"),
    ("ETH", 16 * 10**16, 18, "0.16 ETH"),
    ("ETH", 123456789012345678901, 4, "123.4567 ETH"),
    ("WBT", 3 * 10**15, 18, "0.003 WBT"),
    ("ETH", 0, 4, "0 ETH"),
    ("nights #1", 60, 4, "60 nights #1"),
])
def test_format_amount(asset: str, value: int, places: int, text: str) -> None:
    assert format_amount(asset, value, places) == text


def test_changes_leave_out_gas_and_unchanged_balances() -> None:
    before = {("alice", "ETH"): 10 * ETH, ("bob", "ETH"): ETH, ("alice", "nights #1"): 0}
    after = {("alice", "ETH"): 9 * ETH - 21_000, ("bob", "ETH"): ETH - 5, ("alice", "nights #1"): 60}
    gas = {("alice", "ETH"): 21_000, ("bob", "ETH"): 5}
    assert changes(before, after, gas) == [Change("alice", "ETH", -ETH, 9 * ETH - 21_000),
                                           Change("alice", "nights #1", 60, 60)]


def test_format_step() -> None:
    text = format_step(3, "Alice buys", [Change("Alice", "ETH", -6 * 10**17, 9 * ETH)], ["a note"])
    assert text.splitlines() == ["", "Step 3. Alice buys", "   a note", "   Alice            -0.6 ETH   (now 9 ETH)"]
    assert format_step(1, "nothing", []).endswith("(no balance changed)")
