"""The sharing-economy story of issue 5, end to end through web3.py against a real node.

A merchant is onboarded and presells 100 nights of a house; two buyers buy; the sale succeeds;
units are resold, donated, refused to a blocked account, frozen and unfrozen; installments are
confirmed; nights are redeemed (the house gets an ERC-4907 user, buyers earn WBT); the stay
expires; the merchant buys back what remains; the audited profit is split 50/50 (60% refused);
the council (3 of 5) funds a subsidy programme that pays part of a holder's purchase; the auditor
publishes a statement; a second listing misses its goal and is refunded; the pledge is released.

Deploying the suite is the session's `sharing_suite` fixture (and `wabei sharing deploy`'s own
test); each test here starts from that fresh deployment on a clean chain.
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from ens import ENS
from web3 import Web3
from web3.logs import DISCARD

from conftest import SuiteNode
from sharing import SharingClient, SuiteDeployment, register_in_cns
from sharing.client import advance_time
from sharing.model import DAY, ListingState, ListingTerms, Restriction
from sharing.rules import rebate, settlement_payouts, tranche_amounts
from sharing_helpers import ETH, FINNEY, check_ledger_invariants, clean_chain, gas_cost, h, reverts, watch

PRICE = 10 * FINNEY  # 0.01 ETH a night
BOND = ETH
TRANCHES = (4000, 3000, 3000)
COST_BUDGET = 400 * FINNEY
CHARITY = Web3.to_checksum_address("0x" + "c4" * 20)
BLOCKED = Web3.to_checksum_address("0x" + "b1" * 20)


@pytest.fixture()
def w3(sharing_suite: SuiteNode) -> Iterator[Web3]:
    """A Web3 of the test's own on the session's freshly deployed suite, reverted after the test."""
    w3 = sharing_suite.web3()
    with clean_chain(w3):
        yield w3


@pytest.fixture()
def deployment(sharing_suite: SuiteNode) -> SuiteDeployment:
    return sharing_suite.deployment


def test_the_story(w3: Web3, deployment: SuiteDeployment) -> None:
    accounts = w3.eth.accounts
    c = SharingClient(w3, deployment)
    a = deployment.accounts
    merchant, buyer1, buyer2 = accounts[7], accounts[8], accounts[9]
    initiator, notary, law_firm, bank = a.custodians[0], a.custodians[1], a.custodians[2], a.custodians[4]

    # The council, not the deployer, is the AccessManager admin after deployment.
    manager = c.contract("SharingAccessManager")
    assert manager.functions.hasRole(0, deployment.address("CustodianCouncil")).call()[0]
    assert not manager.functions.hasRole(0, a.deployer).call()[0]

    # 1. Onboard the merchant: KYC, registration, pledge of share units, bond.
    c.set_kyc(merchant, 2)
    for buyer in (buyer1, buyer2):
        c.set_kyc(buyer, 1)
    c.register_merchant(merchant, h("merchant profile"))
    c.record_pledge(merchant, 100)
    c.post_bond(merchant, BOND)
    assert c.stake(merchant).bond == BOND and c.stake(merchant).share_units == 100
    assert c.eth(deployment.address("RiskControlVault")) == BOND

    # 2. Register the house, in the operator's custody.
    house = c.register_house(merchant, h("deed of the house"))
    assert c.assets.functions.ownerOf(house).call() == a.operator
    assert c.assets.functions.documentsOf(house).call() == [h("deed of the house")]
    assert c.assets.functions.supportsInterface(bytes.fromhex("ad092b5c")).call()  # ERC-4907

    # 3. List a presale of 100 nights and put it live.
    terms = ListingTerms.schedule(c.now(), asset_id=house, price=PRICE, cap=100, soft_goal=50,
                                  cost_budget=COST_BUDGET, tranche_bps=TRANCHES)
    listing = c.create_listing(merchant, terms)
    assert c.listing(listing).state is ListingState.DRAFT
    c.activate(listing)
    assert c.listing(listing).state is ListingState.ACTIVE
    assert c.merchants.functions.openListingsOf(merchant).call() == 1

    # 4. Two buyers buy; the money sits in escrow and the units cannot move yet.
    r1 = c.buy(buyer1, listing, 60)
    c.buy(buyer2, listing, 40)
    assert (c.units(buyer1, listing), c.units(buyer2, listing)) == (60, 40)
    assert c.ledger(listing).escrow == 100 * PRICE == c.eth(deployment.address("PresaleManager"))
    assert r1["status"] == 1
    with reverts(c, "UsageRightNotTransferable", listing):
        c.transfer(buyer1, buyer2, listing, 1)

    # 5. Sold out, so anyone may finalise: tranche 0 goes to the merchant, transfers unlock.
    tranches = tranche_amounts(COST_BUDGET, TRANCHES)
    c.finalise(listing)
    assert c.listing(listing).state is ListingState.SUCCEEDED
    assert c.owed(merchant) == tranches[0]  # credited; the merchant pulls it
    changed = watch(c, merchant)
    receipt = c.withdraw(merchant)
    assert changed() == [tranches[0] - gas_cost(receipt)] and c.owed(merchant) == 0
    assert c.rights.functions.isTransferable(listing).call()

    # 6. A resale, a donation, a transfer to a blocked account refused, a freeze and an unfreeze.
    c.transfer(buyer1, buyer2, listing, 10)
    receipt = c.donate(buyer2, CHARITY, listing, 5, "nights for a family in need")
    (donated,) = c.rights.events.Donated().process_receipt(receipt, errors=DISCARD)
    assert donated["args"]["memo"] == "nights for a family in need"
    assert [c.units(x, listing) for x in (buyer1, buyer2, CHARITY)] == [50, 45, 5]
    c.set_restriction(BLOCKED, Restriction.BLOCKED)
    with reverts(c, "ComplianceBlocked", BLOCKED):
        c.transfer(buyer1, BLOCKED, listing, 1)
    c.freeze(buyer1, listing, 45)
    with reverts(c, "UsageRightInsufficientUnfrozen", buyer1, listing, 10, 5):
        c.transfer(buyer1, buyer2, listing, 10)
    c.freeze(buyer1, listing, 0)
    assert c.rights.functions.canTransfer(buyer1, buyer2, listing, 10).call()
    assert c.units(buyer1, listing) == 50

    # 7. The operator accepts the two remaining installments.
    c.confirm_installment(listing, 1)
    c.confirm_installment(listing, 2)
    assert c.owed(merchant) == tranches[1] + tranches[2]
    changed = watch(c, merchant)
    receipt = c.withdraw(merchant)
    assert changed() == [tranches[1] + tranches[2] - gas_cost(receipt)]
    assert c.listing(listing).state is ListingState.DELIVERING
    assert c.ledger(listing).escrow == 100 * PRICE - COST_BUDGET

    # 8. Redemptions: the house's user is set until checkout and WBT rebates are minted.
    advance_time(w3, terms.redeem_start - c.now() + 1)
    checkout = c.redeem(buyer1, listing, 3)
    assert c.house_user(house) == (buyer1, checkout)
    assert checkout == c.now() + 3 * DAY
    rebate_bps = c.gateway.functions.rebateBps().call()
    assert c.wbt_balance(buyer1) == rebate(3 * PRICE, rebate_bps, 10**30)
    with reverts(c, "GatewayAssetOccupied", house, buyer1, checkout):
        c.redeem(buyer2, listing, 2)

    # 9. A time jump past checkout ends the stay; the house is free for the next guest.
    advance_time(w3, 3 * DAY + 1)
    assert c.house_user(house)[0] == "0x" + "00" * 20
    checkout2 = c.redeem(buyer2, listing, 2)
    assert c.house_user(house) == (buyer2, checkout2)
    assert c.wbt_balance(buyer2) == rebate(2 * PRICE, rebate_bps, 10**30)
    assert (c.units(buyer1, listing), c.units(buyer2, listing)) == (47, 43)
    assert c.ledger(listing).redeemed == 5

    # 10. After the redemption window, the merchant must buy back what remains (95 units).
    advance_time(w3, terms.redeem_end - c.now() + 1)
    c.require_buyback(listing)
    assert c.ledger(listing).buyback_due == 95 * PRICE
    with reverts(c, "PresaleBuybackUnfunded", listing, 95 * PRICE, 0):
        c.claim_buyback(buyer1, listing)
    c.top_up_buyback(merchant, listing, 95 * PRICE)
    for buyer, units in ((buyer1, 47), (buyer2, 43)):
        changed = watch(c, buyer)
        receipt = c.claim_buyback(buyer, listing)
        assert changed() == [units * PRICE - gas_cost(receipt)]
        assert c.units(buyer, listing) == 0
    c.close(listing)
    ledger = c.ledger(listing)
    assert c.listing(listing).state is ListingState.CLOSED
    assert ledger.buyback_pool == 5 * PRICE  # the charity's units are still claimable
    check_ledger_invariants(ledger, c.supply(listing))

    # 11. Audited profit split: the merchant reports its cost, the auditor attests, 60% is refused.
    revenue, cost = 100 * PRICE, 500 * FINNEY
    c.report_cost(merchant, listing, cost, h("cost report 2026"))
    c.attest(listing, h("cost report 2026"))
    with reverts(c, "SettlementFeeTooHigh", 6000, 5000):
        c.settle(listing, 6000)
    to_merchant, fee, welfare = settlement_payouts(revenue, cost, ledger.escrow, 5000)
    assert (fee, welfare) == (250 * FINNEY, 250 * FINNEY)
    changed = watch(c, merchant, deployment.address("WelfareFund"))
    c.settle(listing, 5000)
    assert changed() == [0, welfare] and c.owed(merchant) == to_merchant
    c.withdraw(merchant)
    assert to_merchant == cost - COST_BUDGET + fee
    assert c.listing(listing).state is ListingState.SETTLED
    with reverts(c, "SettlementAlreadySettled", listing):
        c.settle(listing, 5000)
    check_ledger_invariants(c.ledger(listing), c.supply(listing))
    assert c.welfare_totals().received == welfare

    # 12. The council creates a subsidy programme: two approvals cannot, three can.
    expiry = c.now() + 30 * DAY
    proposal = c.propose_programme(initiator, 100 * FINNEY, 5000, 20 * FINNEY, listing, expiry)
    c.approve(notary, proposal)
    with reverts(c, "CouncilInsufficientApprovals", proposal, 2, 3):
        c.execute(bank, proposal)
    with reverts(c, "WelfareNotCouncil", initiator):
        c._send(c.welfare.functions.createProgramme(100 * FINNEY, 5000, 20 * FINNEY, listing, expiry),
                initiator, "direct")
    c.approve(law_firm, proposal)
    programme = c.execute_programme(bank, proposal)
    assert c.welfare_totals().reserved == 100 * FINNEY

    # 13. A subsidised purchase from the operator's catalogue: the holder (who redeemed 3 nights) pays
    # half, the fund the other half, the merchant gets all; the rebate is on what the holder paid.
    price = 30 * FINNEY
    cleaning = c.register_service(listing, price, h("cleaning service"))
    subsidy = c.quote_subsidy(programme, buyer1, price)
    assert subsidy == 15 * FINNEY
    changed = watch(c, merchant, deployment.address("WelfareFund"), buyer1)
    wbt_before = c.wbt_balance(buyer1)
    receipt = c.buy_service(buyer1, programme, cleaning)
    assert changed() == [price, -subsidy, -(price - subsidy) - gas_cost(receipt)]
    assert c.wbt_balance(buyer1) - wbt_before == rebate(price - subsidy, rebate_bps, 10**30)
    totals = c.welfare_totals()
    assert totals.subsidised == subsidy
    assert c.eth(deployment.address("WelfareFund")) == totals.received + totals.donated - totals.subsidised

    # 14. The auditor publishes a statement of the fund.
    c.publish_statement(202611, h("ledger root"), h("audit report"))
    statement = c.welfare.functions.getStatement(202611).call()
    assert statement[:3] == (h("ledger root"), h("audit report"), a.auditor)

    # 15. A second listing misses its goal; holders get refunds; the stake is locked until then.
    terms2 = ListingTerms.schedule(c.now(), asset_id=house, price=PRICE, cap=100, soft_goal=50,
                                   cost_budget=COST_BUDGET, tranche_bps=TRANCHES)
    second = c.create_listing(merchant, terms2)
    c.activate(second)
    c.buy(buyer1, second, 10)
    c.buy(buyer2, second, 5)
    with reverts(c, "RiskStakeLocked", merchant, 1):
        c.release_stake(merchant)
    advance_time(w3, terms2.sale_end - c.now() + 1)
    c.finalise(second)
    assert c.listing(second).state is ListingState.FAILED
    for buyer, units in ((buyer1, 10), (buyer2, 5)):
        changed = watch(c, buyer)
        receipt = c.refund(buyer, second)
        assert changed() == [units * PRICE - gas_cost(receipt)]
    assert c.ledger(second).escrow == 0 and c.supply(second) == 0
    check_ledger_invariants(c.ledger(second), 0)

    # 16. Every listing is done: the pledge and bond are released.
    changed = watch(c, merchant)
    c.release_stake(merchant)
    assert changed() == [BOND]
    assert c.stake(merchant).share_units == 0 and c.stake(merchant).bond == 0
    assert c.eth(deployment.address("PresaleManager")) == c.ledger(listing).buyback_pool


def test_suite_is_found_by_name_in_cns(w3: Web3, deployment: SuiteDeployment) -> None:
    names = register_in_cns(w3, deployment, version="2.0.0", labels={"PresaleManager": "story-presale",
                                                                      "WelfareFund": "story-welfare"})
    assert names == {"PresaleManager": "story-presale.wabei", "WelfareFund": "story-welfare.wabei"}
    w3.ens = ENS.from_web3(w3)  # web3 resolves names in w3.eth.contract only once ens is set
    presale = w3.eth.contract(address="story-presale.wabei", abi=deployment.contract(w3, "PresaleManager").abi)
    assert presale.functions.listingCount().call() == 0  # the call resolves the name
    assert w3.ens.address("story-presale.wabei") == deployment.address("PresaleManager")
    assert w3.ens.address("story-welfare.wabei") == deployment.address("WelfareFund")
