"""Every custom error of the sharing suite, reached over the wire against a real node.

One world is built per module (per xdist worker) on the session's deployed suite: listings in
every state, council proposals in every stage, an expired and a live subsidy programme, an
occupied house. Each scenario runs against that same world on a clean chain (evm_snapshot
before, evm_revert after), so none depends on what another did. The last test checks the
table covers every error declared in contracts/sharing/interfaces.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from web3 import Web3
from web3.exceptions import ContractCustomError

from conftest import ROOT, SuiteNode
from deploy.compile import load_artifact
from sharing import SharingClient, SuiteDeployment
from sharing.client import advance_time
from sharing.model import DAY, ListingTerms, Restriction
from sharing_helpers import ETH, FINNEY, clean_chain, h, impersonate, reverts

PRICE = FINNEY


@dataclass
class World:
    w3: Web3
    c: SharingClient
    a: list[str]  # node accounts; see the cast in `world`
    ids: dict[str, int] = field(default_factory=dict)

    @property
    def m(self) -> str:
        return self.a[7]

    @property
    def b1(self) -> str:
        return self.a[8]

    @property
    def b2(self) -> str:
        return self.a[9]


def _terms(c: SharingClient, asset: int, *, sale_days: int = 1, redeem_days: int = 1,
           buyback_days: int = 1) -> ListingTerms:
    return ListingTerms.schedule(c.now(), asset_id=asset, price=PRICE, cap=10, soft_goal=5,
                                 cost_budget=5 * PRICE, tranche_bps=(5000, 5000), sale_days=sale_days,
                                 redeem_days=redeem_days, buyback_days=buyback_days)


def _approved(c: SharingClient, data: bytes, target: str, custodians: tuple[str, ...], n: int) -> int:
    proposal = c.propose(custodians[0], target, data, "scenario")
    for custodian in custodians[1:n]:
        c.approve(custodian, proposal)
    return proposal


def _programme_call(c: SharingClient, budget: int, rate: int, listing: int, expiry: int) -> bytes:
    return Web3.to_bytes(hexstr=c.welfare.encode_abi("createProgramme", [budget, rate, 10 * FINNEY, listing, expiry]))


@pytest.fixture(scope="module")
def built_world(sharing_suite: SuiteNode) -> Iterator[World]:
    """The world, built once per module and reverted at module end."""
    w3 = sharing_suite.web3()
    with clean_chain(w3):
        yield _build_world(w3, sharing_suite.accounts, sharing_suite.deployment)


@pytest.fixture()
def world(built_world: World) -> Iterator[World]:
    with clean_chain(built_world.w3):
        yield built_world


def _build_world(w3: Web3, a: list[str], d: SuiteDeployment) -> World:
    """Cast: 0 initiator, 1 operator, 2 regulator, 3 auditor, 4-6 custodians, 7 merchant M,
    8 and 9 buyers, 10 merchant M2 (defaults), 11 outsider (no KYC), 12 merchant M3 (no stake), 13 blocked."""
    c = SharingClient(w3, d)
    wd = World(w3, c, a)
    cust = d.accounts.custodians
    m, b1, b2, m2, m3, blocked = a[7], a[8], a[9], a[10], a[12], a[13]
    for acct, level in ((m, 2), (m2, 2), (m3, 2), (b1, 1), (b2, 1), (blocked, 1)):
        c.set_kyc(acct, level)
    c.set_restriction(blocked, Restriction.BLOCKED)
    for merchant in (m, m2, m3):
        c.register_merchant(merchant, h(merchant))
    for merchant in (m, m2):
        c.record_pledge(merchant, 100)
        c.post_bond(merchant, ETH)
    house, house2, house3 = (c.register_house(x, h(x)) for x in (m, m2, m3))
    ids = wd.ids
    ids["house"] = house
    for name, merchant, asset, kw in (
        ("settled", m, house, {}), ("closed", m, house, {}), ("buyback", m, house, {"buyback_days": 100}),
        ("defaulted", m2, house2, {}), ("failed", m, house, {}), ("delivering", m, house, {"redeem_days": 100}),
        ("active", m, house, {"sale_days": 100}), ("draft", m, house, {"sale_days": 100}),
        ("m3draft", m3, house3, {"sale_days": 100}),
    ):
        ids[name] = c.create_listing(merchant, _terms(c, asset, **kw))
        if "draft" not in name:
            c.activate(ids[name])
    for name in ("settled", "closed", "buyback", "defaulted", "delivering"):
        c.buy(b1, ids[name], 10)
        c.finalise(ids[name])
    c.buy(b1, ids["failed"], 2)
    c.buy(b1, ids["active"], 2)
    advance_time(w3, DAY + 1)
    c.finalise(ids["failed"])
    advance_time(w3, DAY + 1)
    for name in ("settled", "closed", "defaulted"):
        c.confirm_installment(ids[name], 1)
    for name in ("settled", "closed", "buyback", "defaulted"):
        c.require_buyback(ids[name])
    for name in ("settled", "closed"):
        c.top_up_buyback(m, ids[name], 10 * PRICE)
        c.close(ids[name])
        c.report_cost(m, ids[name], 5 * PRICE, h(name))
    c.attest(ids["settled"], h("settled"))
    c.settle(ids["settled"], 5000)
    # Council and welfare fund.
    c.donate_to_fund(b2, ETH, "seed money")
    now = c.now()
    fund = c.welfare.address
    live = _approved(c, _programme_call(c, ETH // 10, 5000, ids["delivering"], now + 50 * DAY), fund, cust, 3)
    ids["executed"] = live
    ids["programme"] = c.execute_programme(cust[0], live)
    short = _approved(c, _programme_call(c, ETH // 10, 5000, ids["delivering"], now + DAY), fund, cust, 3)
    ids["expired_programme"] = c.execute_programme(cust[0], short)
    ids["pending"] = _approved(c, b"", fund, cust, 1)
    bad_threshold = Web3.to_bytes(hexstr=c.council.encode_abi("changeThreshold", [9]))
    ids["bad_threshold"] = _approved(c, bad_threshold, c.council.address, cust, 3)
    ids["too_big"] = _approved(c, _programme_call(c, 100 * ETH, 5000, 1, now + 50 * DAY), fund, cust, 3)
    ids["invalid"] = _approved(c, _programme_call(c, ETH // 100, 0, 1, now + DAY), fund, cust, 3)
    ids["service"] = c.register_service(ids["delivering"], 10 * FINNEY, h("cleaning"))
    ids["other_service"] = c.register_service(ids["active"], 10 * FINNEY, h("other"))
    ids["retired_service"] = c.register_service(ids["delivering"], 10 * FINNEY, h("retired"))
    c.retire_service(ids["retired_service"])
    c.publish_statement(5, h("root"), h("report"))
    advance_time(w3, DAY + 1)
    c.declare_default(ids["defaulted"])
    c.redeem(b1, ids["delivering"], 1)
    c.transfer(b1, b2, ids["delivering"], 1)  # b2 holds a night but the house is b1's
    impersonate(w3, c.settlement.address)  # to show the presale's own checks on payOutSettlement
    return wd


def _send(wd: World, call: Any, sender: str, value: int = 0) -> None:
    wd.c._send(call, sender, "scenario", value)


def _deploy_council(wd: World, custodians: list[str], threshold: int) -> None:
    art = load_artifact("CustodianCouncil")
    factory = wd.w3.eth.contract(abi=art.abi, bytecode=art.bytecode)
    _send(wd, factory.constructor(custodians, threshold), wd.a[0])


P, S, W, G = "presale", "settlement", "welfare", "gateway"
CUST = (0, 4, 5, 3, 6)

# error name -> (scenario, expected arguments or None to skip the argument check)
Scenario = Callable[[World], Any]
SCENARIOS: dict[str, tuple[Scenario, Callable[[World], tuple[Any, ...]] | None]] = {
    "ComplianceBlocked": (lambda w: w.c.transfer(w.b1, w.a[13], w.ids["delivering"], 1), lambda w: (w.a[13],)),
    "ComplianceKycTooLow": (lambda w: w.c.buy(w.a[11], w.ids["active"], 1), lambda w: (w.a[11], 0, 1)),
    "UsageRightNotTransferable": (lambda w: w.c.transfer(w.b1, w.b2, w.ids["active"], 1),
                                  lambda w: (w.ids["active"],)),
    "UsageRightInsufficientUnfrozen": (lambda w: w.c.transfer(w.b1, w.b2, w.ids["delivering"], 100),
                                       lambda w: (w.b1, w.ids["delivering"], 100, 8)),
    "MerchantAlreadyRegistered": (lambda w: w.c.register_merchant(w.m, h("again")), lambda w: (w.m,)),
    "MerchantNotActive": (lambda w: w.c.create_listing(w.a[11], _terms(w.c, w.ids["house"])), lambda w: (w.a[11],)),
    "RiskStakeBelowMinimum": (lambda w: w.c.activate(w.ids["m3draft"]), lambda w: (w.a[12], 0, 0)),
    "RiskStakeLocked": (lambda w: w.c.release_stake(w.m), lambda w: (w.m, 4)),  # closed, buyback, delivering, active
    "RiskStakeSeized": (lambda w: w.c.release_stake(w.a[10]), lambda w: (w.a[10],)),
    "PresaleUnknownListing": (lambda w: w.c.presale.functions.getListing(999).call(), lambda w: (999,)),
    "PresaleWrongState": (lambda w: w.c.buy(w.b1, w.ids["draft"], 1), lambda w: (w.ids["draft"], 1)),
    "PresaleInvalidTerms": (lambda w: w.c.create_listing(w.m, ListingTerms.schedule(
        w.c.now(), asset_id=w.ids["house"], price=PRICE, cap=10, soft_goal=5, cost_budget=0,
        tranche_bps=(5000, 4000))), lambda w: ()),
    "PresaleOutsideWindow": (lambda w: w.c.finalise(w.ids["active"]), None),
    "PresaleWrongPayment": (lambda w: _send(w, w.c.presale.functions.buy(w.ids["active"], 1), w.b1, 1),
                            lambda w: (PRICE, 1)),
    "PresaleInvalidUnits": (lambda w: w.c.buy(w.b1, w.ids["active"], 9), lambda w: (w.ids["active"], 9, 8)),
    "PresaleNothingToClaim": (lambda w: w.c.refund(w.b2, w.ids["failed"]), lambda w: (w.ids["failed"], w.b2)),
    "PresaleTrancheOutOfOrder": (lambda w: w.c.confirm_installment(w.ids["delivering"], 0),
                                 lambda w: (w.ids["delivering"], 0, 1, 2)),
    "PresaleBuybackRequired": (lambda w: w.c.require_buyback(w.ids["buyback"]), lambda w: (w.ids["buyback"], True)),
    "PresaleBuybackUnfunded": (lambda w: w.c.claim_buyback(w.b1, w.ids["buyback"]),
                               lambda w: (w.ids["buyback"], 10 * PRICE, 0)),
    "PresaleBuybackOverfunded": (lambda w: w.c.top_up_buyback(w.m, w.ids["buyback"], 11 * PRICE),
                                 lambda w: (w.ids["buyback"], 10 * PRICE, 11 * PRICE)),
    "PresaleUnexpectedPayment": (lambda w: w.w3.eth.send_transaction(
        {"from": w.b1, "to": w.c.presale.address, "value": 1}), lambda w: (w.b1,)),
    "PresaleNothingOwed": (lambda w: w.c.withdraw(w.b1), lambda w: (w.b1,)),
    "PresaleNotSettlement": (lambda w: _send(w, w.c.presale.functions.payOutSettlement(w.ids["closed"], 0, 0), w.a[0]),
                             lambda w: (w.a[0],)),
    "PresaleInvalidSettlement": (lambda w: _send(w, w.c.presale.functions.payOutSettlement(w.ids["closed"], 2, 1),
                                                 w.c.settlement.address),
                                 lambda w: (w.ids["closed"], 2, 1, 5 * PRICE)),
    "SettlementFeeTooHigh": (lambda w: w.c.settle(w.ids["closed"], 5001), lambda w: (5001, 5000)),
    "SettlementNotMerchant": (lambda w: w.c.report_cost(w.b1, w.ids["closed"], 0, h("x")),
                              lambda w: (w.ids["closed"], w.b1)),
    "SettlementNotClosed": (lambda w: w.c.report_cost(w.m, w.ids["buyback"], 0, h("x")),
                            lambda w: (w.ids["buyback"],)),
    "SettlementNotReported": (lambda w: w.c.attest(w.ids["buyback"], h("x")), lambda w: (w.ids["buyback"],)),
    "SettlementNotAttested": (lambda w: w.c.settle(w.ids["closed"], 5000), lambda w: (w.ids["closed"],)),
    "SettlementReportMismatch": (lambda w: w.c.attest(w.ids["closed"], h("forged")),
                                 lambda w: (w.ids["closed"], h("closed"), h("forged"))),
    "SettlementAlreadySettled": (lambda w: w.c.settle(w.ids["settled"], 5000), lambda w: (w.ids["settled"],)),
    "CouncilNotCustodian": (lambda w: w.c.propose(w.b1, w.c.welfare.address, b"", "x"), lambda w: (w.b1,)),
    "CouncilUnknownProposal": (lambda w: w.c.approve(w.a[0], 999), lambda w: (999,)),
    "CouncilAlreadyApproved": (lambda w: w.c.approve(w.a[0], w.ids["pending"]), lambda w: (w.ids["pending"], w.a[0])),
    "CouncilNotApproved": (lambda w: w.c.revoke(w.a[4], w.ids["pending"]), lambda w: (w.ids["pending"], w.a[4])),
    "CouncilAlreadyExecuted": (lambda w: w.c.approve(w.a[4], w.ids["executed"]), lambda w: (w.ids["executed"],)),
    "CouncilInsufficientApprovals": (lambda w: w.c.execute(w.a[0], w.ids["pending"]),
                                     lambda w: (w.ids["pending"], 1, 3)),
    "CouncilOnlySelf": (lambda w: _send(w, w.c.council.functions.changeThreshold(1), w.a[0]), lambda w: (w.a[0],)),
    "CouncilInvalidThreshold": (lambda w: _deploy_council(w, [w.a[i] for i in CUST], 6), lambda w: (6, 5)),
    "CouncilInvalidCustodian": (lambda w: _deploy_council(w, [w.a[0], w.a[0]], 1), lambda w: (w.a[0],)),
    "CouncilCallFailed": (lambda w: w.c.execute(w.a[0], w.ids["bad_threshold"]), None),
    "WelfareNotCouncil": (lambda w: _send(w, w.c.welfare.functions.createProgramme(1, 1, 1, 1, 2**40), w.a[0]),
                          lambda w: (w.a[0],)),
    "WelfareUnauthorizedCaller": (lambda w: _send(w, w.c.welfare.functions.receiveProfit(1), w.a[0], 1),
                                  lambda w: (w.a[0],)),
    "WelfareInsufficientFunds": (lambda w: w.c.execute(w.a[0], w.ids["too_big"]), None),
    "WelfareInvalidProgramme": (lambda w: w.c.execute(w.a[0], w.ids["invalid"]), None),
    "WelfareUnknownProgramme": (lambda w: w.c.quote_subsidy(99, w.b1, 1), lambda w: (99,)),
    "WelfareProgrammeExpired": (lambda w: w.c.quote_subsidy(w.ids["expired_programme"], w.b1, 1), None),
    "WelfareProgrammeActive": (lambda w: _send(w, w.c.welfare.functions.closeProgramme(w.ids["programme"]), w.b1),
                               None),
    "WelfareStatementOutOfOrder": (lambda w: w.c.publish_statement(5, h("r"), h("r")), lambda w: (5, 5)),
    "GatewayAssetOccupied": (lambda w: w.c.redeem(w.b2, w.ids["delivering"], 1), None),
    "GatewayNotEligible": (lambda w: w.c.buy_service(w.b2, w.ids["programme"], w.ids["service"]),
                           lambda w: (w.b2, w.ids["delivering"])),
    "GatewayWrongPayment": (lambda w: w.c.buy_service(w.b1, w.ids["programme"], w.ids["service"], paid=0),
                            lambda w: (5 * FINNEY, 0)),
    "GatewayUnknownService": (lambda w: w.c.buy_service(w.b1, w.ids["programme"], w.ids["retired_service"]),
                              lambda w: (w.ids["retired_service"],)),
    "GatewayServiceMismatch": (lambda w: w.c.buy_service(w.b1, w.ids["programme"], w.ids["other_service"]),
                               lambda w: (w.ids["other_service"], w.ids["programme"])),
    "GatewaySelfDealing": (lambda w: w.c.buy_service(w.m, w.ids["programme"], w.ids["service"]), lambda w: (w.m,)),
    "GatewayInvalidService": (lambda w: w.c.register_service(w.ids["delivering"], 0, h("free")), lambda w: ()),
}
# Errors a council call wraps: CouncilCallFailed's reason decodes to these.
WRAPPED = {"CouncilCallFailed": "CouncilInvalidThreshold", "WelfareInsufficientFunds": "WelfareInsufficientFunds",
           "WelfareInvalidProgramme": "WelfareInvalidProgramme"}


@pytest.mark.parametrize("error", sorted(SCENARIOS))
def test_custom_error_is_reachable(world: World, error: str) -> None:
    scenario, expected = SCENARIOS[error]
    if error in WRAPPED:
        with reverts(world.c, "CouncilCallFailed"):
            scenario(world)
        with pytest.raises(ContractCustomError) as info:
            scenario(world)
        outer = world.c.decode_error(info.value)
        assert outer is not None
        inner = world.c.decode_error(ContractCustomError("", data="0x" + outer.args[1].hex()))
        assert inner is not None and inner.name == WRAPPED[error]
        return
    with reverts(world.c, error, *(expected(world) if expected else ())):
        scenario(world)


def test_roles_are_enforced(world: World) -> None:
    c = world.c
    with reverts(c, "AccessManagedUnauthorized", world.b1):
        _send(world, c.presale.functions.activate(world.ids["draft"]), world.b1)
    with reverts(c, "AccessManagedUnauthorized", world.a[0]):  # the deployer gave up ADMIN
        _send(world, c.vault.functions.setMinimumStake(0, 0), world.a[0])


def test_every_declared_error_has_a_scenario() -> None:
    declared: set[str] = set()
    for source in (ROOT / "contracts" / "sharing" / "interfaces").glob("*.sol"):
        declared |= set(re.findall(r"\berror\s+(\w+)\s*\(", source.read_text(encoding="utf-8")))
    assert declared == set(SCENARIOS)
