"""The pure parts of governance: FISCO's list rule, system config values, the limits' arithmetic,
the client's argument parsing, and the store's ACLs against a model under random changes."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from governance.client import selector_arg
from governance.errors import GovernanceInputError
from vm_hooks.consensus.store import DictWords
from vm_hooks.governance.limits import ChainLimits
from vm_hooks.governance.store import (
    BLACK_LIST, CLOSED, FLAG_DEPLOY, OPEN, OPENED, WHITE_LIST, PermissionStore, allowed,
)
from vm_hooks.governance.sysconfig import check_entry


@pytest.mark.parametrize(("mode", "entry", "expected"), [
    (OPEN, 0, True), (OPEN, CLOSED, True),
    (WHITE_LIST, 0, False), (WHITE_LIST, OPENED, True), (WHITE_LIST, CLOSED, False),
    (BLACK_LIST, 0, True), (BLACK_LIST, OPENED, True), (BLACK_LIST, CLOSED, False),
])
def test_fisco_list_rule(mode: int, entry: int, expected: bool) -> None:
    assert allowed(mode, entry) is expected


@pytest.mark.parametrize(("key", "value", "result"), [
    ("tx_count_limit", "1", 1), ("tx_gas_limit", "100000", 100_000),
    ("block_gas_limit", "9223372036854775807", 2**63 - 1),
    ("tx_count_limit", "0", "at least 1"), ("tx_gas_limit", "99999", "at least 100000"),
    ("tx_gas_limit", "-5", "decimal integer"), ("tx_gas_limit", " 5", "decimal integer"),
    ("tx_gas_limit", "1e6", "decimal integer"), ("block_gas_limit", "9223372036854775808", "at most"),
    ("consensus_leader_period", "1", "unknown key"),
])
def test_system_config_values(key: str, value: str, result: int | str) -> None:
    if isinstance(result, int):
        assert check_entry(key, value) == result
    else:
        with pytest.raises(ValueError, match=result):
            check_entry(key, value)


@pytest.mark.parametrize(("limits", "header", "block", "tx"), [
    (ChainLimits(), 30_000_000, 30_000_000, 30_000_000),
    (ChainLimits(block_gas_limit=1_000_000), 30_000_000, 1_000_000, 1_000_000),
    (ChainLimits(tx_gas_limit=200_000), 30_000_000, 30_000_000, 200_000),
    (ChainLimits(tx_gas_limit=5_000_000, block_gas_limit=1_000_000), 30_000_000, 1_000_000, 1_000_000),
    (ChainLimits(block_gas_limit=50_000_000), 30_000_000, 30_000_000, 30_000_000),
])
def test_limits_never_exceed_the_header(limits: ChainLimits, header: int, block: int, tx: int) -> None:
    assert (limits.block_gas(header), limits.tx_gas(header)) == (block, tx)


@pytest.mark.parametrize(("text", "selector"), [
    ("0x60fe47b1", bytes.fromhex("60fe47b1")), ("set(uint256)", bytes.fromhex("60fe47b1")),
    ("set( uint256 )", bytes.fromhex("60fe47b1")), ("transfer(address,uint256)", bytes.fromhex("a9059cbb")),
])
def test_selectors(text: str, selector: bytes) -> None:
    assert selector_arg(text) == selector


@pytest.mark.parametrize("text", ["set", "0x60fe47", "0x60fe47b1ff", "", "set(uint256"])
def test_bad_selectors(text: str) -> None:
    with pytest.raises(GovernanceInputError, match="neither a 4-byte selector"):
        selector_arg(text)


ACCOUNTS = [bytes([i]) * 20 for i in range(1, 4)]
CHANGE = st.one_of(
    st.tuples(st.just("type"), st.sampled_from([OPEN, WHITE_LIST, BLACK_LIST])),
    st.tuples(st.sampled_from(["open", "close"]), st.sampled_from(ACCOUNTS)),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(CHANGE, max_size=20))
def test_method_acl_matches_a_model(changes: list[tuple[str, object]]) -> None:
    """Each mode keeps its own list (as FISCO's white and black maps); the store's answer for
    every account equals the model's after any sequence of changes, and the deploy flag follows
    the deploy type."""
    store = PermissionStore(DictWords())
    contract, func = b"\xcc" * 20, b"\x12\x34\x56\x78"
    mode = OPEN
    lists: dict[int, dict[bytes, int]] = {WHITE_LIST: {}, BLACK_LIST: {}}
    for kind, arg in changes:
        if kind == "type":
            mode = int(arg)  # type: ignore[call-overload]
            store.set_method_type(contract, func, mode)
            store.set_deploy_type(mode)
        elif mode != OPEN:
            entry = OPENED if kind == "open" else CLOSED
            store.set_method_entry(contract, func, mode, arg, entry)  # type: ignore[arg-type]
            lists[mode][arg] = entry  # type: ignore[index]
    for account in ACCOUNTS:
        expected = mode == OPEN or allowed(mode, lists[mode].get(account, 0))
        assert store.may_call(contract, func, account) is expected
    assert bool(store.flags() & FLAG_DEPLOY) is (mode != OPEN)
    named = {a for m in (WHITE_LIST, BLACK_LIST) for a in lists[m]}
    listed = {bytes(a) for m in (WHITE_LIST, BLACK_LIST) for a, _ in store.method_accounts(contract, func, m)}
    assert listed == named
