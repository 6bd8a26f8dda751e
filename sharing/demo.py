"""The story of issue 5, step by step, against a running node (``wabei demo sharing-economy``,
whose flags cli/demo.py parses).

The formatting is pure (``Change``, ``changes``, ``format_step``) and tested without a node;
``run_demo`` deploys the suite, publishes it in the CNS, drives it with ``SharingClient`` and
prints, after each step, every balance that step changed. ETH changes leave gas out (it is
counted per sender from the step's receipts), so the numbers are the story's own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from web3 import Web3
from web3.exceptions import ContractCustomError

from cns.client import CnsClient
from sharing.client import SharingClient, advance_time
from sharing.deploy import CNS_LABELS, SuiteDeployment, deploy_suite, register_in_cns
from sharing.model import DAY, ListingTerms, Restriction

ETH = 10**18
FINNEY = 10**15
PRICE = 10 * FINNEY  # a night
COST_BUDGET = 400 * FINNEY
TRANCHES = (4000, 3000, 3000)
CHARITY = Web3.to_checksum_address("0x" + "c4" * 20)
BLOCKED = Web3.to_checksum_address("0x" + "b1" * 20)


@dataclass(frozen=True)
class Change:
    """One balance a step changed: whose, of what (``ETH``, ``WBT`` or ``nights #<listing>``),
    by how much (for ETH, not counting gas), and what it is now."""

    holder: str
    asset: str
    delta: int
    now: int


Reading = Mapping[tuple[str, str], int]


def changes(before: Reading, after: Reading, gas: Reading | None = None) -> list[Change]:
    """The balances that moved between two readings keyed by (holder, asset), in reading order;
    ``gas`` (same keys) is added back so that paying for gas alone is no change."""
    moved = []
    for key, value in after.items():
        delta = value - before.get(key, 0) + (gas or {}).get(key, 0)
        if delta:
            moved.append(Change(key[0], key[1], delta, value))
    return moved


def format_amount(asset: str, value: int, places: int = 18) -> str:
    """Wei and WBT base units as decimals of 10**18, cut to ``places`` (trailing zeros dropped);
    nights as integers."""
    if asset not in ("ETH", "WBT"):
        return f"{value} {asset}"
    text = f"{(Decimal(value) / Decimal(ETH)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN):f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return f"{text} {asset}"


def format_signed(asset: str, value: int) -> str:
    return ("+" if value > 0 else "-") + format_amount(asset, abs(value))


def format_step(number: int, title: str, moved: Sequence[Change], notes: Sequence[str] = ()) -> str:
    """A step as a newcomer reads it: a heading, what happened, and a table of changed balances."""
    lines = ["", f"Step {number}. {title}"]
    lines += [f"   {note}" for note in notes]
    width = max((len(c.holder) for c in moved), default=0)
    for c in moved:
        lines.append(f"   {c.holder:<{width}}  {format_signed(c.asset, c.delta):>18}"
                     f"   (now {format_amount(c.asset, c.now, places=4)})")
    if not moved:
        lines.append("   (no balance changed)")
    return "\n".join(lines)


class Demo:
    """The story's cast and the balances it watches, over one deployed suite."""

    def __init__(self, w3: Web3, deployment: SuiteDeployment, out: Callable[[str], None]) -> None:
        self.w3 = w3
        self.c = SharingClient(w3, deployment)
        self.out = out
        accounts = list(w3.eth.accounts)
        self.merchant, self.alice, self.bob = accounts[7], accounts[8], accounts[9]
        d = deployment.address
        self.people: dict[str, str] = {
            "merchant": self.merchant, "Alice (buyer)": self.alice, "Bob (buyer)": self.bob,
            "charity": CHARITY, "escrow (PresaleManager)": d("PresaleManager"),
            "welfare fund": d("WelfareFund"), "risk vault": d("RiskControlVault"),
        }
        self.listings: list[int] = []
        self.number = 0

    def read(self) -> dict[tuple[str, str], int]:
        """Every watched balance: ETH of everyone, nights of every listing, WBT of the buyers."""
        got = {(name, "ETH"): self.c.eth(a) for name, a in self.people.items()}
        for listing in self.listings:
            for name in ("Alice (buyer)", "Bob (buyer)", "charity"):
                got[(name, f"nights #{listing}")] = self.c.units(self.people[name], listing)
        for name in ("Alice (buyer)", "Bob (buyer)"):
            got[(name, "WBT")] = self.c.wbt_balance(self.people[name])
        return got

    def gas_paid(self, since_block: int) -> dict[str, int]:
        """Wei each address paid for gas in the blocks after ``since_block``."""
        paid: dict[str, int] = {}
        for number in range(since_block + 1, self.w3.eth.block_number + 1):
            for tx_hash in self.w3.eth.get_block(number)["transactions"]:
                receipt = self.w3.eth.get_transaction_receipt(tx_hash)  # type: ignore[arg-type]
                sender = Web3.to_checksum_address(receipt["from"])
                paid[sender] = paid.get(sender, 0) + receipt["gasUsed"] * receipt["effectiveGasPrice"]
        return paid

    @contextmanager
    def step(self, title: str) -> Iterator[list[str]]:
        """Run a step's actions; yields a list to which the step adds notes; prints it afterwards."""
        before, block = self.read(), self.w3.eth.block_number
        notes: list[str] = []
        yield notes
        paid = self.gas_paid(block)
        gas = {(name, "ETH"): paid.get(address, 0) for name, address in self.people.items()}
        self.number += 1
        self.out(format_step(self.number, title, changes(before, self.read(), gas), notes))

    def refused(self, action: Callable[[], object]) -> str:
        """Run an action that must be refused; returns the suite's error as ``Name(args)``."""
        try:
            action()
        except ContractCustomError as exc:
            decoded = self.c.decode_error(exc)
            return f"{decoded.name}{decoded.args}" if decoded else str(exc)
        raise RuntimeError("the suite accepted an action it must refuse")


def _cns_version(w3: Web3) -> str:
    """``1.0.0`` on a fresh chain; ``1.0.<n>`` when the demo already ran ``n`` times on it."""
    return f"1.0.{len(CnsClient(w3).versions(CNS_LABELS['PresaleManager']))}"


def run_demo(w3: Web3, out: Callable[[str], None] = print) -> SuiteDeployment:
    """Deploy the suite on the node behind ``w3`` and play the whole story, printing each step.

    Needs ten unlocked dev accounts (0-6 the suite's cast, 7 the merchant, 8-9 the buyers) and a
    node with ``evm_increaseTime`` (the story moves the chain's clock forward about 40 days).
    Raises ``RuntimeError`` if the suite accepts something it must refuse.
    """
    if len(w3.eth.accounts) < 10:
        raise RuntimeError(f"the demo needs 10 unlocked accounts, the node has {len(w3.eth.accounts)}")
    out("The Wabei sharing economy: a merchant presells 100 nights of a house; buyers hold, resell,")
    out("donate and redeem them; the escrow pays the merchant in tranches; profit is split with a")
    out("welfare fund that five custodians manage. Amounts are ETH and WBT; gas is left out.")
    deployment = deploy_suite(w3, w3.eth.accounts)
    version = _cns_version(w3)
    names = register_in_cns(w3, deployment, version=version)
    out("\nStep 0. The suite is deployed and published in the CNS (version " + version + "):")
    for contract, name in names.items():
        out(f"   {name:<28} {contract:<22} {deployment.address(contract)}")
    demo = Demo(w3, deployment, out)
    _first_listing(demo)
    _second_listing(demo)
    out("\nThe story ran to the end: every invariant of the escrow held and every refusal was enforced.")
    return deployment


def _first_listing(d: Demo) -> None:
    c, a = d.c, d.c.accounts
    with d.step("The regulator gives KYC; the operator admits the merchant, who pledges shares and a 1 ETH bond"):
        c.set_kyc(d.merchant, 2)
        c.set_kyc(d.alice, 1)
        c.set_kyc(d.bob, 1)
        c.register_merchant(d.merchant, Web3.keccak(text="merchant profile"))
        c.record_pledge(d.merchant, 100)
        c.post_bond(d.merchant, ETH)
    with d.step("The operator takes the house into custody; the merchant lists 100 nights at 0.01 ETH") as notes:
        house = c.register_house(d.merchant, Web3.keccak(text="deed"))
        terms = ListingTerms.schedule(c.now(), asset_id=house, price=PRICE, cap=100, soft_goal=50,
                                      cost_budget=COST_BUDGET, tranche_bps=TRANCHES)
        listing = c.create_listing(d.merchant, terms)
        c.activate(listing)
        d.listings.append(listing)
        notes.append(f"house #{house}, listing #{listing}: goal 50 nights, cost budget 0.4 ETH in tranches 40/30/30%")
    with d.step("Alice buys 60 nights and Bob 40; the money waits in escrow"):
        c.buy(d.alice, listing, 60)
        c.buy(d.bob, listing, 40)
    with d.step("Sold out, the sale is finalised: the first tranche goes to the merchant, units may move") as notes:
        c.finalise(listing)
        c.withdraw(d.merchant)
        notes.append("the escrow credits the tranche; the merchant withdraws it (a payee cannot block the escrow)")
    with d.step("Alice resells 10 nights to Bob; Bob donates 5 to a charity") as notes:
        c.transfer(d.alice, d.bob, listing, 10)
        c.donate(d.bob, CHARITY, listing, 5, "nights for a family in need")
        notes.append('donation memo: "nights for a family in need"')
    with d.step("The regulator blocks an account: a transfer to it is refused") as notes:
        c.set_restriction(BLOCKED, Restriction.BLOCKED)
        notes.append("refused: " + d.refused(lambda: c.transfer(d.alice, BLOCKED, listing, 1)))
    with d.step("The regulator freezes 45 of Alice's nights, then unfreezes them") as notes:
        c.freeze(d.alice, listing, 45)
        notes.append("while frozen, sending 10: " + d.refused(lambda: c.transfer(d.alice, d.bob, listing, 10)))
        c.freeze(d.alice, listing, 0)
    with d.step("The operator accepts installments 2 and 3: the escrow pays the rest of the budget"):
        c.confirm_installment(listing, 1)
        c.confirm_installment(listing, 2)
        c.withdraw(d.merchant)
    with d.step("Alice redeems 3 nights: she becomes the house's user and earns WBT") as notes:
        advance_time(d.w3, terms.redeem_start - c.now() + 1)
        checkout = c.redeem(d.alice, listing, 3)
        notes.append(f"house user: Alice until {checkout} (unix time)")
        notes.append("Bob cannot check in meanwhile: " + d.refused(lambda: c.redeem(d.bob, listing, 2)))
    with d.step("Four days later the stay has expired; Bob redeems 2 nights") as notes:
        advance_time(d.w3, 4 * DAY)
        c.redeem(d.bob, listing, 2)
        notes.append(f"house user: Bob until {c.house_user(house)[1]}")
    with d.step("After the redemption window the merchant must buy back the 95 nights left") as notes:
        advance_time(d.w3, terms.redeem_end - c.now() + 1)
        c.require_buyback(listing)
        c.top_up_buyback(d.merchant, listing, 95 * PRICE)
        c.claim_buyback(d.alice, listing)
        c.claim_buyback(d.bob, listing)
        c.close(listing)
        notes.append("the charity's 5 nights stay claimable in the buyback pool")
    with d.step("Audited profit split: cost 0.5 ETH reported and attested; a 60% fee is refused, 50% is paid") as notes:
        c.report_cost(d.merchant, listing, 500 * FINNEY, Web3.keccak(text="cost report"))
        c.attest(listing, Web3.keccak(text="cost report"))
        notes.append("60%: " + d.refused(lambda: c.settle(listing, 6000)))
        c.settle(listing, 5000)
        c.withdraw(d.merchant)
        notes.append("profit 0.5 ETH: 0.25 ETH fee to the merchant, 0.25 ETH to the welfare fund")
    custodians = a.custodians
    with d.step("The council creates a subsidy programme: 2 approvals cannot, 3 of 5 can") as notes:
        proposal = c.propose_programme(custodians[0], 100 * FINNEY, 5000, 20 * FINNEY, listing, c.now() + 30 * DAY)
        c.approve(custodians[1], proposal)
        notes.append("with 2 approvals: " + d.refused(lambda: c.execute(custodians[4], proposal)))
        c.approve(custodians[2], proposal)
        programme = c.execute_programme(custodians[4], proposal)
        notes.append(f"programme #{programme}: 0.1 ETH budget, 50% subsidy, 0.02 ETH per redeemed night")
    with d.step("Alice buys a 0.03 ETH cleaning service: she pays half, the fund the other half") as notes:
        cleaning = c.register_service(listing, 30 * FINNEY, Web3.keccak(text="cleaning"))
        c.buy_service(d.alice, programme, cleaning)
        notes.append(f"service #{cleaning} is in the operator's catalogue at 0.03 ETH; Alice qualifies"
                     " because she redeemed nights")
        notes.append("the merchant receives the full price; Alice earns a WBT rebate on what she paid")
    with d.step("The auditor publishes the welfare fund's statement") as notes:
        c.publish_statement(1, Web3.keccak(text="ledger root"), Web3.keccak(text="audit report"))
        totals = c.welfare_totals()
        notes.append(f"received {format_amount('ETH', totals.received)}, donated {format_amount('ETH', totals.donated)},"
                     f" subsidised {format_amount('ETH', totals.subsidised)}")


def _second_listing(d: Demo) -> None:
    c = d.c
    house = c.listing(d.listings[0]).terms.asset_id
    with d.step("A second listing of the same house opens; Alice buys 10 nights and Bob 5") as notes:
        terms = ListingTerms.schedule(c.now(), asset_id=house, price=PRICE, cap=100, soft_goal=50,
                                      cost_budget=COST_BUDGET, tranche_bps=TRANCHES)
        listing = c.create_listing(d.merchant, terms)
        c.activate(listing)
        d.listings.append(listing)
        c.buy(d.alice, listing, 10)
        c.buy(d.bob, listing, 5)
        notes.append(f"listing #{listing}: goal 50 nights")
    with d.step("The sale ends 15 nights short of its goal: it fails and the holders are refunded"):
        advance_time(d.w3, terms.sale_end - c.now() + 1)
        c.finalise(listing)
        c.refund(d.alice, listing)
        c.refund(d.bob, listing)
    with d.step("Every listing is done: the operator releases the merchant's pledge and bond"):
        c.release_stake(d.merchant)
