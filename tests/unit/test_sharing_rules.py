"""Pure parts of the sharing package: the arithmetic rules, the role table and error decoding."""
from __future__ import annotations

import pytest
from eth_abi.abi import encode
from hypothesis import given
from hypothesis import strategies as st

from deploy.compile import load_artifact
from sharing.deploy import CONTRACTS, SuiteAccounts, SuiteConfig, SuiteDeployment, role_grants, target_roles
from sharing.errors import DeploymentError, decode_revert, error_table
from sharing.roles import CONTRACT_ROLES, PERMISSIONS, Role, selectors
from sharing.rules import (
    default_payout, rebate, settlement_payouts, settlement_profit, split_profit, subsidy, tranche_amounts,
)


@pytest.mark.parametrize(("budget", "bps", "expected"), [
    (400, (4000, 3000, 3000), [160, 120, 120]),
    (10, (3333, 3333, 3334), [3, 3, 4]),
    (7, (10_000,), [7]),
    (0, (5000, 5000), [0, 0]),
    (5, (), []),
])
def test_tranche_amounts(budget: int, bps: tuple[int, ...], expected: list[int]) -> None:
    assert tranche_amounts(budget, bps) == expected


@pytest.mark.parametrize(("profit", "fee_bps", "expected"), [
    (500, 5000, (250, 250)), (500, 0, (0, 500)), (3, 5000, (1, 2)), (0, 5000, (0, 0)),
])
def test_split_profit(profit: int, fee_bps: int, expected: tuple[int, int]) -> None:
    assert split_profit(profit, fee_bps) == expected


def test_split_profit_refuses_more_than_half() -> None:
    with pytest.raises(ValueError, match="cap"):
        split_profit(100, 5001)


@given(st.integers(0, 10**30), st.integers(0, 5000))
def test_split_is_capped_and_complete(profit: int, fee_bps: int) -> None:
    fee, welfare = split_profit(profit, fee_bps)
    assert fee + welfare == profit
    assert 2 * fee <= profit


@pytest.mark.parametrize(("revenue", "cost", "escrow", "expected"), [
    (1000, 500, 600, 500), (1000, 1200, 600, 0), (1000, 100, 600, 600),
])
def test_settlement_profit(revenue: int, cost: int, escrow: int, expected: int) -> None:
    assert settlement_profit(revenue, cost, escrow) == expected


def test_settlement_payouts_pay_out_the_whole_escrow() -> None:
    to_merchant, fee, welfare = settlement_payouts(1000, 500, 600, 5000)
    assert (to_merchant, fee, welfare) == (350, 250, 250)
    assert to_merchant + welfare == 600


@pytest.mark.parametrize(("price", "rate", "holder_left", "budget_left", "expected"), [
    (30, 5000, 20, 100, 15), (30, 5000, 10, 100, 10), (30, 5000, 20, 4, 4), (30, 5000, -1, 100, 0),
])
def test_subsidy(price: int, rate: int, holder_left: int, budget_left: int, expected: int) -> None:
    assert subsidy(price, rate, holder_left, budget_left) == expected


def test_rebate_and_default_payout() -> None:
    assert rebate(30, 1000, 100) == 3
    assert rebate(30, 1000, 2) == 2
    assert default_payout(3, 100, 9) == 33


def test_every_restricted_function_has_a_role() -> None:
    for name, by_role in PERMISSIONS.items():
        abi = load_artifact(name).abi
        for functions in by_role.values():
            assert len(selectors(abi, functions)) == len(functions)
    with pytest.raises(DeploymentError, match="noSuchFunction"):
        selectors(load_artifact("PresaleManager").abi, ["noSuchFunction"])


def test_wiring_plan() -> None:
    fake = {name: f"0x{i + 1:040x}" for i, name in enumerate(CONTRACTS)}
    cast = SuiteAccounts.from_node([f"0x{0xa0 + i:040x}" for i in range(10)])
    grants = role_grants(fake, cast)  # type: ignore[arg-type]
    assert [g.role for g in grants] == [Role.OPERATOR, Role.REGULATOR, Role.AUDITOR, Role.PRESALE, Role.GATEWAY]
    assert [g.account for g in grants[3:]] == [fake["PresaleManager"], fake["ConsumptionGateway"]]
    assert len(set(CONTRACT_ROLES.values())) == len(CONTRACT_ROLES)  # one contract per role
    targets = target_roles(fake, {n: load_artifact(n).abi for n in PERMISSIONS})  # type: ignore[arg-type]
    assert sum(len(t.selectors) for t in targets) == sum(len(f) for r in PERMISSIONS.values() for f in r.values())
    assert len(cast.custodians) == len(set(cast.custodians)) == 5
    with pytest.raises(DeploymentError):
        SuiteAccounts.from_node(["0x" + "00" * 20])


def test_decode_revert_names_the_error() -> None:
    table = error_table(load_artifact(n).abi for n in CONTRACTS)
    data = bytes.fromhex("8cd7aad6") + encode(["uint256", "uint256"], [6000, 5000])
    decoded = decode_revert(data, table)
    assert decoded is not None
    assert decoded.name == "SettlementFeeTooHigh" and decoded.args == (6000, 5000)
    assert decode_revert(b"\x00\x00\x00\x00", table) is None


def test_deployment_round_trips_through_json() -> None:
    cast = SuiteAccounts.from_node([f"0x{0xa0 + i:040x}" for i in range(10)])
    deployment = SuiteDeployment(cast, SuiteConfig(min_bond=5), {"PresaleManager": cast.operator})
    assert SuiteDeployment.from_json(deployment.to_json()) == deployment
    with pytest.raises(DeploymentError):
        SuiteDeployment.from_json("{}")
