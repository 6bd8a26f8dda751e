"""Plain dataclasses mirroring the contracts' structs, converted from web3's tuples in one place."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import astuple, dataclass
from enum import IntEnum
from typing import Any

DAY = 86_400


class ListingState(IntEnum):
    """IPresaleManager.State."""

    NONE = 0
    DRAFT = 1
    ACTIVE = 2
    FAILED = 3
    SUCCEEDED = 4
    DELIVERING = 5
    CLOSED = 6
    SETTLED = 7


class Restriction(IntEnum):
    """IComplianceRegistry.Restriction."""

    UNSET = 0
    ALLOWED = 1
    BLOCKED = 2


@dataclass(frozen=True)
class ListingTerms:
    """IPresaleManager.Terms. Amounts in wei, times in unix seconds, periods in seconds."""

    asset_id: int
    price: int
    cap: int
    soft_goal: int
    cost_budget: int
    tranche_bps: tuple[int, ...]
    sale_start: int
    sale_end: int
    redeem_start: int
    redeem_end: int
    buyback_price: int
    buyback_period: int

    @classmethod
    def schedule(cls, now: int, *, asset_id: int, price: int, cap: int, soft_goal: int, cost_budget: int,
                 tranche_bps: Sequence[int], sale_days: int = 7, redeem_days: int = 30,
                 buyback_price: int | None = None, buyback_days: int = 7) -> ListingTerms:
        """Terms whose sale opens at ``now``, closes after ``sale_days``, and whose redemption window
        follows at once for ``redeem_days``. The buyback price defaults to the sale price."""
        sale_end = now + sale_days * DAY
        return cls(asset_id, price, cap, soft_goal, cost_budget, tuple(tranche_bps), now, sale_end, sale_end,
                   sale_end + redeem_days * DAY, price if buyback_price is None else buyback_price,
                   buyback_days * DAY)

    def as_abi(self) -> tuple[Any, ...]:
        """The struct as web3 expects it for ``createListing``."""
        return (*astuple(self)[:5], list(self.tranche_bps), *astuple(self)[6:])

    @classmethod
    def from_abi(cls, raw: Sequence[Any]) -> ListingTerms:
        (asset_id, price, cap, soft_goal, cost_budget, bps, sale_start, sale_end, redeem_start, redeem_end,
         buyback_price, buyback_period) = raw
        return cls(int(asset_id), int(price), int(cap), int(soft_goal), int(cost_budget),
                   tuple(int(b) for b in bps), int(sale_start), int(sale_end), int(redeem_start),
                   int(redeem_end), int(buyback_price), int(buyback_period))


@dataclass(frozen=True)
class Listing:
    """IPresaleManager.Listing."""

    merchant: str
    state: ListingState
    defaulted: bool
    tranches_paid: int
    buyback_deadline: int
    terms: ListingTerms

    @classmethod
    def from_abi(cls, raw: Sequence[Any]) -> Listing:
        merchant, state, defaulted, paid, deadline, terms = raw
        return cls(str(merchant), ListingState(state), bool(defaulted), int(paid), int(deadline),
                   ListingTerms.from_abi(terms))


@dataclass(frozen=True)
class Ledger:
    """IPresaleManager.Ledger: units and wei a listing moved (see the struct for the invariants)."""

    sold: int
    redeemed: int
    refunded_units: int
    bought_back_units: int
    raised: int
    refunded: int
    released: int
    fee: int
    welfare: int
    escrow: int
    escrow_to_buyback: int
    buyback_units: int
    buyback_due: int
    buyback_funded: int
    buyback_paid: int
    buyback_pool: int

    @classmethod
    def from_abi(cls, raw: Sequence[Any]) -> Ledger:
        return cls(*(int(v) for v in raw))


@dataclass(frozen=True)
class WelfareTotals:
    """IWelfareFund.totals(), in wei."""

    received: int
    donated: int
    subsidised: int
    reserved: int


@dataclass(frozen=True)
class Stake:
    """IRiskControlVault.stakeOf(): share units, bond in wei, seized flag."""

    share_units: int
    bond: int
    seized: bool


@dataclass(frozen=True)
class Service:
    """IConsumptionGateway.Service: a catalogue entry, price in wei."""

    listing: int
    merchant: str
    price: int
    description_hash: bytes
    active: bool

    @classmethod
    def from_abi(cls, raw: Sequence[Any]) -> Service:
        listing, merchant, price, description, active = raw
        return cls(int(listing), str(merchant), int(price), bytes(description), bool(active))
