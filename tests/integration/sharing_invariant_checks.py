"""The sharing suite's invariants (issue 5) as checks over chain state plus a Python model.

Used by test_sharing_invariants.py after every step of its hypothesis state machine: the chain is
read in one JSON-RPC batch, and `Model` holds what the chain keeps no total of. `build_base`
makes the world every example starts from, which `Model`'s starting values describe.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from web3 import Web3

from sharing import SharingClient, SuiteDeployment
from sharing.model import Ledger, Listing, ListingState, ListingTerms, WelfareTotals
from sharing.rules import settlement_profit, tranche_amounts
from sharing_helpers import ETH, FINNEY, h, onboard

THRESHOLD = 3  # distinct custodians a council action needs
PRICE = FINNEY
# (cap, soft goal, cost budget, tranche bps): budgets leave rounding for the last tranche.
LISTINGS = ((12, 4, 3 * PRICE + 7, (4000, 3000, 3000)), (10, 6, 5 * PRICE + 3, (3333, 3333, 3334)))
SALE_DAYS, REDEEM_DAYS, BUYBACK_DAYS = 3, 5, 2
SERVICES = {1: (1, 2), 2: (3, 4)}  # listing -> catalogue service ids registered in the base world


@dataclass
class Base:
    """The world every example starts from, and the snapshot that restores it."""

    w3: Web3
    c: SharingClient
    merchant: str
    buyers: tuple[str, ...]
    snapshot: str = ""

    def rpc(self, method: str, *params: Any) -> Any:
        return self.w3.provider.make_request(method, list(params))["result"]  # type: ignore[arg-type]

    def reset(self) -> None:
        """Back to the base world; evm_revert consumes the snapshot, so take the next one."""
        assert self.rpc("evm_revert", self.snapshot) is True
        self.snapshot = self.rpc("evm_snapshot")


def build_base(w3: Web3, a: list[str], deployment: SuiteDeployment) -> Base:
    """Onboard the merchant (account 7) and buyers (8..11), open both LISTINGS, register the
    catalogue (SERVICES) and seed the welfare fund with the 20 finney `Model` starts from."""
    c = SharingClient(w3, deployment)
    merchant, buyers = a[7], tuple(a[8:12])
    onboard(c, merchant, buyers)
    for i, (cap, goal, budget, bps) in enumerate(LISTINGS):
        house = c.register_house(merchant, h(f"house {i}"))
        terms = ListingTerms.schedule(c.now(), asset_id=house, price=PRICE, cap=cap, soft_goal=goal,
                                      cost_budget=budget, tranche_bps=bps, sale_days=SALE_DAYS,
                                      redeem_days=REDEEM_DAYS, buyback_days=BUYBACK_DAYS)
        c.activate(c.create_listing(merchant, terms))
    for n in (1, 2):  # the catalogue: ids 1, 2 for listing 1 and 3, 4 for listing 2 (see SERVICES)
        c.register_service(n, PRICE + 1, h(f"small service {n}"))
        c.register_service(n, 7 * PRICE, h(f"big service {n}"))
    c.donate_to_fund(a[0], 20 * FINNEY, "seed")
    world = Base(w3, c, merchant, buyers)
    world.snapshot = world.rpc("evm_snapshot")
    return world


@dataclass
class Model:
    """What the chain keeps no total of."""

    donated: int = 20 * FINNEY
    subsidised: int = 0
    finalised_ok: dict[int, bool] = field(default_factory=dict)
    confirmed: dict[int, list[int]] = field(default_factory=lambda: {1: [], 2: []})
    settle_release: dict[int, int] = field(default_factory=lambda: {1: 0, 2: 0})
    escrow_at_settle: dict[int, int] = field(default_factory=dict)
    blocked: dict[str, dict[int, int]] = field(default_factory=dict)  # account -> listing -> units when blocked
    approvals: dict[int, set[str]] = field(default_factory=dict)  # proposal -> custodians approving
    executed: dict[int, int] = field(default_factory=dict)  # proposal -> distinct approvers at execution
    programmes: list[int] = field(default_factory=list)
    withdrawn: int = 0  # wei the merchant pulled from the presale


def read_chain(c: SharingClient, m: Model) -> dict[str, Any]:
    """Everything the invariants need, in one JSON-RPC batch."""
    w3, listings = c.w3, (1, 2)
    blocked = sorted(m.blocked)
    executed = sorted(m.executed)
    with w3.batch_requests() as batch:
        for n in listings:
            batch.add(c.presale.functions.getListing(n))
            batch.add(c.presale.functions.getLedger(n))
            batch.add(c.rights.functions.totalSupply(n))
            batch.add(c.settlement.functions.reportOf(n))
        batch.add(c.welfare.functions.totals())
        batch.add(w3.eth.get_balance(c.presale.address))
        batch.add(c.presale.functions.owedTotal())
        batch.add(w3.eth.get_balance(c.welfare.address))
        for account in blocked:
            batch.add(c.rights.functions.balanceOfBatch([account, account], list(listings)))
        for proposal in executed:
            batch.add(c.council.functions.getProposal(proposal))
            batch.add(c.council.functions.approvalCount(proposal))
        batch.add(c.wbt.functions.totalSupply())
        batch.add(c.wbt.functions.cap())
        out = list(batch.execute())
    per = {n: out[4 * i:4 * i + 4] for i, n in enumerate(listings)}
    rest = out[4 * len(listings):]
    return {
        "listings": {n: (Listing.from_abi(v[0]), Ledger.from_abi(v[1]), int(v[2]), v[3]) for n, v in per.items()},
        "totals": WelfareTotals(*(int(x) for x in rest[0])),
        "presale_balance": int(rest[1]),
        "owed": int(rest[2]),
        "welfare_balance": int(rest[3]),
        "blocked": {a: [int(x) for x in rest[4 + i]] for i, a in enumerate(blocked)},
        "executed": {p: (rest[4 + len(blocked) + 2 * i], int(rest[5 + len(blocked) + 2 * i]))
                     for i, p in enumerate(executed)},
        "wbt": (int(rest[-2]), int(rest[-1])),
    }


def check_all(c: SharingClient, m: Model) -> dict[int, ListingState]:
    """Assert every invariant; returns each listing's state (for hypothesis' statistics)."""
    s = read_chain(c, m)
    in_escrow, welfare_received = 0, 0
    for n, (listing, g, supply, report) in s["listings"].items():
        t, state = listing.terms, listing.state
        # voucher conservation
        assert g.sold == supply + g.redeemed + g.refunded_units + g.bought_back_units, (n, g, supply)
        assert g.sold <= t.cap
        # cash conservation (buybacks are paid from the merchant's top-ups and, after a default,
        # from the bond and the escrow moved into the pool)
        assert g.raised == g.refunded + g.released + g.fee + g.welfare + g.escrow + g.escrow_to_buyback, (n, g)
        assert g.buyback_funded == g.buyback_paid + g.buyback_pool, (n, g)
        if not listing.defaulted:
            assert g.buyback_funded <= g.buyback_due, (n, g)
        in_escrow += g.escrow + g.buyback_pool
        # refunds only after failure
        if state is not ListingState.FAILED:
            assert g.refunded == 0 and g.refunded_units == 0, (n, state, g)
        # tranches: at most once each, tranche 0 at a successful finalise, the rest only when confirmed
        confirmed = m.confirmed[n]
        assert len(confirmed) == len(set(confirmed)) and 0 not in confirmed, confirmed
        assert listing.tranches_paid == int(m.finalised_ok.get(n, False)) + len(confirmed), (n, listing, confirmed)
        assert listing.tranches_paid <= len(t.tranche_bps)
        paid = sum(tranche_amounts(t.cost_budget, t.tranche_bps)[:listing.tranches_paid])
        assert g.released == paid + m.settle_release[n], (n, g.released, paid)
        # profit split
        _revenue, cost, _hash, _attested, settled, profit, fee, welfare = report
        if settled:
            assert state is ListingState.SETTLED
            assert fee + welfare == profit and 2 * fee <= profit, report
            assert (g.fee, g.welfare) == (fee, welfare)
            assert profit == settlement_profit(g.raised - g.refunded, cost, m.escrow_at_settle[n])
        else:
            assert g.fee == 0 and g.welfare == 0
        welfare_received += g.welfare
    # cash conservation across listings: the presale holds the escrows, the buyback pools and what
    # it credited to merchants but they have not withdrawn; withdrawals match the model
    assert s["presale_balance"] == in_escrow + s["owed"], (s["presale_balance"], in_escrow, s["owed"])
    credited = sum(g.released + g.fee for _l, g, _s, _r in s["listings"].values())
    assert credited == s["owed"] + m.withdrawn, (credited, s["owed"], m.withdrawn)
    # the welfare fund: in only as profit shares and donations, out only as subsidies
    totals: WelfareTotals = s["totals"]
    assert totals.received == welfare_received
    assert (totals.donated, totals.subsidised) == (m.donated, m.subsidised)
    assert s["welfare_balance"] == totals.received + totals.donated - totals.subsidised
    assert totals.reserved <= s["welfare_balance"]
    # blocked accounts never move tokens
    for account, units in s["blocked"].items():
        assert units == [m.blocked[account][1], m.blocked[account][2]], (account, units, m.blocked[account])
    # council actions never execute with fewer than three distinct custodians
    for proposal, (raw, approvals) in s["executed"].items():
        assert raw[3] is True and approvals >= THRESHOLD and m.executed[proposal] >= THRESHOLD
    supply, cap = s["wbt"]
    assert supply <= cap
    return {n: v[0].state for n, v in s["listings"].items()}
