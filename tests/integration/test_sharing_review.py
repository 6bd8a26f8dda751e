"""Regression tests for the security review of the sharing suite, one test (or a few) per finding.

The suite is deployed once per session and the cast below is onboarded once per module; each
test gets that world on a clean chain (evm_snapshot before, evm_revert after) and walks only as
far into a listing's life as the finding needs.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from web3 import Web3

from conftest import SuiteNode
from deploy.compile import load_artifact
from sharing import SharingClient
from sharing.client import advance_time
from sharing.model import DAY, ListingTerms
from sharing.rules import rebate
from sharing_helpers import ETH, FINNEY, clean_chain, gas_cost, h, impersonate, onboard, reverts, watch

PRICE = FINNEY


@dataclass
class Cast:
    """A deployed suite with an onboarded merchant (account 7) and KYC'd buyers (accounts 8..13)."""

    w3: Web3
    c: SharingClient
    merchant: str
    buyers: list[str]


@pytest.fixture(scope="module")
def onboarded(sharing_suite: SuiteNode) -> Iterator[Cast]:
    """The cast, onboarded once per module on the session's suite (and reverted at module end)."""
    w3 = sharing_suite.web3()
    a = sharing_suite.accounts
    with clean_chain(w3):
        c = SharingClient(w3, sharing_suite.deployment)
        merchant, buyers = a[7], a[8:14]
        onboard(c, merchant, buyers)
        yield Cast(w3, c, merchant, buyers)


@pytest.fixture()
def cast(onboarded: Cast) -> Iterator[Cast]:
    """The onboarded cast on a clean chain: whatever the test does is reverted after it."""
    with clean_chain(onboarded.w3):
        yield onboarded


def live_listing(k: Cast, *, cap: int = 10, goal: int = 5, budget: int = 5 * PRICE) -> int:
    """A new house of the merchant and an Active listing of it (sale 1 day, redemption 2 days)."""
    house = k.c.register_house(k.merchant, h(f"house {k.c.now()}"))
    terms = ListingTerms.schedule(k.c.now(), asset_id=house, price=PRICE, cap=cap, soft_goal=goal,
                                  cost_budget=budget, tranche_bps=(5000, 5000), sale_days=1, redeem_days=2,
                                  buyback_days=1)
    listing = k.c.create_listing(k.merchant, terms)
    k.c.activate(listing)
    return listing


def programme_for(k: Cast, listing: int, per_unit_cap: int, budget: int = 50 * FINNEY) -> int:
    """A 50% subsidy programme of ``listing`` created by three custodians, funded by a donation."""
    c, cust = k.c, k.c.accounts.custodians
    c.donate_to_fund(cust[0], budget, "seed")
    proposal = c.propose_programme(cust[0], budget, 5000, per_unit_cap, listing, c.now() + 30 * DAY)
    c.approve(cust[1], proposal)
    c.approve(cust[2], proposal)
    return c.execute_programme(cust[0], proposal)


# --- 1. subsidies and rebates ------------------------------------------------------------------
def test_subsidy_follows_redeemed_units_from_the_catalogue(cast: Cast) -> None:
    k, c = cast, cast.c
    b1, b2, b3 = k.buyers[:3]
    listing = live_listing(k)
    c.buy(b1, listing, 5)
    c.buy(b2, listing, 5)
    c.finalise(listing)
    advance_time(k.w3, c.listing(listing).terms.redeem_start - c.now() + 1)
    c.redeem(b1, listing, 1)
    programme = programme_for(k, listing, per_unit_cap=2 * FINNEY)
    service = c.register_service(listing, 10 * FINNEY, h("cleaning"))
    # Holding units is not enough, and moving them to a fresh address creates no allowance.
    with reverts(c, "GatewayNotEligible", b2, listing):
        c.buy_service(b2, programme, service)
    c.transfer(b2, b3, listing, 1)
    with reverts(c, "GatewayNotEligible", b3, listing):
        c.buy_service(b3, programme, service)
    # The merchant cannot buy its own service.
    with reverts(c, "GatewaySelfDealing", k.merchant):
        c.buy_service(k.merchant, programme, service)
    # One redeemed unit: at most the per-unit cap, whatever the price; the rebate is on what b1 paid.
    rate = int(c.gateway.functions.rebateBps().call())
    assert c.quote_subsidy(programme, b1, 10 * FINNEY) == 2 * FINNEY
    wbt = c.wbt_balance(b1)
    c.buy_service(b1, programme, service)
    assert c.wbt_balance(b1) - wbt == rebate(8 * FINNEY, rate, 10**30)
    # The allowance is used up: no subsidy, and the rebate is on the full price b1 paid.
    assert c.quote_subsidy(programme, b1, 10 * FINNEY) == 0
    wbt = c.wbt_balance(b1)
    c.buy_service(b1, programme, service)
    assert c.wbt_balance(b1) - wbt == rebate(10 * FINNEY, rate, 10**30)
    assert c.welfare_totals().subsidised == 2 * FINNEY


# --- 2. no role holder can bypass the cap, the escrow or the contracts' own callers -------------
def test_payout_only_from_the_settlement_and_within_cap_and_escrow(cast: Cast) -> None:
    k, c = cast, cast.c
    listing = live_listing(k, cap=5, goal=5, budget=2 * PRICE)
    c.buy(k.buyers[0], listing, 5)
    c.finalise(listing)
    c.confirm_installment(listing, 1)
    advance_time(k.w3, c.listing(listing).terms.redeem_end - c.now() + 1)
    c.require_buyback(listing)
    c.top_up_buyback(k.merchant, listing, 5 * PRICE)
    c.close(listing)
    escrow = c.ledger(listing).escrow
    assert c.presale.functions.settlement().call() == c.settlement.address
    with reverts(c, "PresaleNotSettlement", c.accounts.operator):
        c._send(c.presale.functions.payOutSettlement(listing, 0, 0), c.accounts.operator, "payout")
    impersonate(k.w3, c.settlement.address)
    for fee, welfare in ((2, 1), (escrow, escrow)):  # more than 50%; more than the escrow
        with reverts(c, "PresaleInvalidSettlement", listing, fee, welfare, escrow):
            c._send(c.presale.functions.payOutSettlement(listing, fee, welfare), c.settlement.address, "payout")


def test_each_contract_has_only_its_own_powers(cast: Cast) -> None:
    k, c = cast, cast.c
    gateway, presale = c.gateway.address, c.presale.address
    impersonate(k.w3, gateway)
    impersonate(k.w3, c.settlement.address)
    # The gateway (formerly SYSTEM, like the presale and the settlement) cannot mint usage rights or seize.
    with reverts(c, "AccessManagedUnauthorized", gateway):
        c._send(c.rights.functions.mint(gateway, 1, 1), gateway, "mint")
    with reverts(c, "AccessManagedUnauthorized", gateway):
        c._send(c.vault.functions.seize(k.merchant), gateway, "seize")
    # The settlement holds no role and cannot pay subsidies or mint rebates.
    settlement = c.settlement.address
    with reverts(c, "WelfareUnauthorizedCaller", settlement):
        c._send(c.welfare.functions.paySubsidy(1, settlement, 1, settlement), settlement, "subsidy")
    with reverts(c, "AccessManagedUnauthorized", settlement):
        c._send(c.wbt.functions.mintRebate(settlement, 1), settlement, "mint WBT")
    manager = c.contract("SharingAccessManager")
    assert manager.functions.hasRole(4, presale).call()[0] and not manager.functions.hasRole(4, gateway).call()[0]


def test_grants_and_target_changes_wait_for_the_admin_delay(cast: Cast) -> None:
    k, c = cast, cast.c
    delay = c.deployment.config.admin_delay
    manager = c.contract("SharingAccessManager")
    advance_time(k.w3, 5 * DAY + 1)  # AccessManager's minimum setback for delay changes
    for role in range(6):
        assert manager.functions.getRoleGrantDelay(role).call() == delay
    assert manager.functions.getTargetAdminDelay(c.presale.address).call() == delay
    # The council (ADMIN) grants the PRESALE role to an outsider: it is not effective yet.
    outsider, cust = k.buyers[5], c.accounts.custodians
    data = Web3.to_bytes(hexstr=manager.encode_abi("grantRole", [4, outsider, 0]))
    proposal = c.propose(cust[0], manager.address, data, "grant PRESALE")
    c.approve(cust[1], proposal)
    c.approve(cust[2], proposal)
    c.execute(cust[0], proposal)
    assert manager.functions.hasRole(4, outsider).call()[0] is False
    advance_time(k.w3, delay + 1)
    assert manager.functions.hasRole(4, outsider).call()[0] is True


# --- 3. a second default of the same merchant -------------------------------------------------
def test_two_defaults_by_one_merchant_both_close(cast: Cast) -> None:
    k, c = cast, cast.c
    first, second = live_listing(k, cap=5), live_listing(k, cap=5)
    for listing in (first, second):
        c.buy(k.buyers[0], listing, 5)
        c.finalise(listing)
    advance_time(k.w3, c.listing(second).terms.redeem_end - c.now() + 1)
    for listing in (first, second):
        c.require_buyback(listing)
    advance_time(k.w3, 2 * DAY)
    c.declare_default(first)
    changed = watch(c, k.buyers[0])
    c.declare_default(second)  # the stake is already seized: nothing more to take, but it closes
    for listing, bond in ((first, ETH), (second, 0)):
        assert c.listing(listing).defaulted and c.ledger(listing).escrow_to_buyback > 0
        assert c.ledger(listing).buyback_funded == bond + c.ledger(listing).escrow_to_buyback
        c.claim_buyback(k.buyers[0], listing)
    assert changed()[0] > 0
    assert c.merchants.functions.openListingsOf(k.merchant).call() == 0


# --- 4. a merchant that refuses ETH ----------------------------------------------------------------
REVERT_ALWAYS = "0x60006000fd"  # PUSH1 0 PUSH1 0 REVERT: this account refuses every payment


def test_a_merchant_refusing_eth_blocks_nothing(cast: Cast) -> None:
    k, c = cast, cast.c
    listing = live_listing(k, cap=5, goal=5, budget=2 * PRICE)
    c.buy(k.buyers[0], listing, 5)
    k.w3.provider.make_request("anvil_setCode", [k.merchant, REVERT_ALWAYS])  # type: ignore[arg-type]
    c.finalise(listing)  # credits tranche 0 instead of pushing it
    c.confirm_installment(listing, 1)
    assert c.owed(k.merchant) == 2 * PRICE
    assert c.eth(c.presale.address) == c.ledger(listing).escrow + c.presale.functions.owedTotal().call()
    k.w3.provider.make_request("anvil_setCode", [k.merchant, "0x"])  # type: ignore[arg-type]
    changed = watch(c, k.merchant)
    receipt = c.withdraw(k.merchant)
    assert changed() == [2 * PRICE - gas_cost(receipt)] and c.owed(k.merchant) == 0
    with reverts(c, "PresaleNothingOwed", k.merchant):
        c.withdraw(k.merchant)


# --- 5. forced transfers call no receiver hook --------------------------------------------------
def test_forced_transfer_runs_no_receiver_code(cast: Cast) -> None:
    k, c = cast, cast.c
    listing = live_listing(k, cap=5, goal=5)
    c.buy(k.buyers[0], listing, 5)  # still locked: only a forced transfer can move them
    target = c.council.address  # a contract without onERC1155Received: a safe transfer would revert
    c.forced_transfer(k.buyers[0], target, listing, 2)
    assert c.units(target, listing) == 2 and c.units(k.buyers[0], listing) == 3


# --- 6. the council's threshold floor and re-added custodians ------------------------------------
def _council_call(k: Cast, fn: str, args: list[object]) -> int:
    """A council proposal calling the council itself, approved by custodians 0, 2 and 3; returns its id."""
    c, cust = k.c, k.c.accounts.custodians
    data = Web3.to_bytes(hexstr=c.council.encode_abi(fn, args))
    proposal = c.propose(cust[0], c.council.address, data, fn)
    c.approve(cust[2], proposal)
    c.approve(cust[3], proposal)
    return proposal


def test_threshold_floor_and_replaced_custodians_lose_old_approvals(cast: Cast) -> None:
    k, c, cust = cast, cast.c, cast.c.accounts.custodians
    assert c.council.functions.MIN_THRESHOLD().call() == 3
    with reverts(c, "CouncilCallFailed"):
        c.execute(cust[0], _council_call(k, "changeThreshold", [2]))
    art = load_artifact("CustodianCouncil")
    factory = k.w3.eth.contract(abi=art.abi, bytecode=art.bytecode)
    with reverts(c, "CouncilInvalidThreshold", 2, 5):
        c._send(factory.constructor(list(cust), 2), cust[0], "deploy")
    # cust[1] approves a proposal, is replaced, then re-added: its old approval no longer counts.
    pending = c.propose(cust[0], c.council.address, Web3.to_bytes(hexstr=c.council.encode_abi("nonce", [])), "x")
    c.approve(cust[1], pending)
    assert c.council.functions.approvalCount(pending).call() == 2
    outsider = k.buyers[5]
    c.execute(cust[0], _council_call(k, "replaceCustodian", [cust[1], outsider]))
    c.execute(cust[0], _council_call(k, "replaceCustodian", [outsider, cust[1]]))
    assert c.council.functions.isCustodian(cust[1]).call()
    assert not c.council.functions.hasApproved(pending, cust[1]).call()
    assert c.council.functions.approvalCount(pending).call() == 1


# --- 7. frozen units do not block refunds -------------------------------------------------------
def test_refund_pays_the_unfrozen_units_and_keeps_the_frozen(cast: Cast) -> None:
    k, c = cast, cast.c
    buyer = k.buyers[0]
    listing = live_listing(k)
    c.buy(buyer, listing, 4)  # the goal is 5: the sale fails
    advance_time(k.w3, c.listing(listing).terms.sale_end - c.now() + 1)
    c.finalise(listing)
    c.freeze(buyer, listing, 1)
    changed = watch(c, buyer)
    receipt = c.refund(buyer, listing)
    assert changed() == [3 * PRICE - gas_cost(receipt)] and c.units(buyer, listing) == 1
    with reverts(c, "PresaleNothingToClaim", listing, buyer):
        c.refund(buyer, listing)
    c.freeze(buyer, listing, 0)
    c.refund(buyer, listing)
    assert c.units(buyer, listing) == 0 and c.ledger(listing).escrow == 0


# --- 8. forced ETH is not fund money -----------------------------------------------------------
def test_programmes_budget_from_the_books_not_the_balance(cast: Cast) -> None:
    k, c, cust = cast, cast.c, cast.c.accounts.custodians
    fund = c.welfare.address
    c.donate_to_fund(cust[0], 10 * FINNEY, "seed")
    # ETH that arrives without a call (selfdestruct, coinbase); the node's setBalance stands in for it.
    k.w3.provider.make_request("anvil_setBalance", [fund, hex(c.eth(fund) + ETH)])  # type: ignore[arg-type]
    proposal = c.propose_programme(cust[0], 10 * FINNEY + 1, 5000, FINNEY, 1, c.now() + DAY)
    c.approve(cust[1], proposal)
    c.approve(cust[2], proposal)
    with reverts(c, "CouncilCallFailed"):
        c.execute(cust[0], proposal)
    assert c.welfare_totals().reserved == 0


# --- SaleFinalised is emitted after the state change -------------------------------------------
def test_sale_finalised_is_logged_after_the_state_change(cast: Cast) -> None:
    k, c = cast, cast.c
    listing = live_listing(k, cap=5, goal=5)
    c.buy(k.buyers[0], listing, 5)
    receipt = c.finalise(listing)
    order = {c.w3.keccak(text=sig).hex().removeprefix("0x"): name for sig, name in (
        ("SaleFinalised(uint256,bool,uint256)", "SaleFinalised"),
        ("TrancheReleased(uint256,uint256,uint256)", "TrancheReleased"),
        ("TransfersUnlocked(uint256)", "TransfersUnlocked"))}
    names = [order[t] for log in receipt["logs"] if (t := log["topics"][0].hex().removeprefix("0x")) in order]
    assert names == ["TransfersUnlocked", "TrancheReleased", "SaleFinalised"]


# --- a blocked operator or spender moves nothing, not even other people's tokens ------------------
def test_blocked_operators_and_spenders_cannot_move_others_tokens(cast: Cast) -> None:
    from sharing.model import Restriction

    k, c = cast, cast.c
    owner, agent, receiver = k.buyers[:3]
    listing = live_listing(k)
    c.buy(owner, listing, 10)  # sold out: the sale can be finalised at once
    c.finalise(listing)
    advance_time(k.w3, c.listing(listing).terms.redeem_start - c.now() + 1)
    c.redeem(owner, listing, 1)  # earns WBT
    earned = c.wbt_balance(owner)
    assert earned > 0
    c._send(c.rights.functions.setApprovalForAll(agent, True), owner, "approve operator")
    c._send(c.wbt.functions.approve(agent, earned), owner, "approve spender")

    c.set_restriction(agent, Restriction.BLOCKED)
    with reverts(c, "ComplianceBlocked", agent):
        c._send(c.rights.functions.safeTransferFrom(owner, receiver, listing, 1, b""), agent, "move units")
    with reverts(c, "ComplianceBlocked", agent):
        c._send(c.wbt.functions.transferFrom(owner, receiver, 1), agent, "move WBT")

    c.set_restriction(agent, Restriction.UNSET)  # the same moves go through once unblocked
    c._send(c.rights.functions.safeTransferFrom(owner, receiver, listing, 1, b""), agent, "move units")
    c._send(c.wbt.functions.transferFrom(owner, receiver, 1), agent, "move WBT")
    assert c.units(receiver, listing) == 1 and c.wbt_balance(receiver) == 1
