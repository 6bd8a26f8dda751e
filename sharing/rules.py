"""The suite's arithmetic as pure functions, mirroring the contracts wei for wei.

Tests and the hypothesis model use these to predict balances without a node. Every amount is
in wei (or WBT base units); every rate in basis points (10_000 = 100%).
"""

from __future__ import annotations

from collections.abc import Sequence

BPS = 10_000
MAX_FEE_BPS = 5_000  # ProfitSettlement.MAX_FEE_BPS
NIGHT_SECONDS = 86_400  # ConsumptionGateway.NIGHT


def tranche_amounts(cost_budget: int, tranche_bps: Sequence[int]) -> list[int]:
    """Each tranche's payout: ``budget * bps // 10000``, the last taking the rounding remainder."""
    if not tranche_bps:
        return []
    head = [cost_budget * bps // BPS for bps in tranche_bps[:-1]]
    return [*head, cost_budget - sum(head)]


def split_profit(profit: int, fee_bps: int) -> tuple[int, int]:
    """(fee, welfare) for ``profit`` at ``fee_bps``; raises ``ValueError`` above the 50% cap."""
    if fee_bps > MAX_FEE_BPS:
        raise ValueError(f"fee {fee_bps} bps exceeds the cap of {MAX_FEE_BPS} bps")
    fee = profit * fee_bps // BPS
    return fee, profit - fee


def settlement_profit(revenue: int, cost: int, escrow: int) -> int:
    """Realised profit: revenue minus cost, never negative and never more than the escrow holds."""
    return min(max(revenue - cost, 0), escrow)


def settlement_payouts(revenue: int, cost: int, escrow: int, fee_bps: int) -> tuple[int, int, int]:
    """(to_merchant, fee, welfare) at settlement; the merchant gets the escrow less welfare."""
    fee, welfare = split_profit(settlement_profit(revenue, cost, escrow), fee_bps)
    return escrow - welfare, fee, welfare


def subsidy(price: int, rate_bps: int, holder_left: int, budget_left: int) -> int:
    """A programme's subsidy on ``price``: the rate, capped by the holder's and budget's remainder."""
    return min(price * rate_bps // BPS, max(holder_left, 0), max(budget_left, 0))


def rebate(value: int, rebate_bps: int, cap_room: int) -> int:
    """The WBT rebate on consumption worth ``value`` wei, limited by the room left under the cap."""
    return min(value * rebate_bps // BPS, max(cap_room, 0))


def default_payout(units: int, funded: int, units_at_requirement: int) -> int:
    """Pro-rata buyback payout after a default: the funded pool shared over the units outstanding."""
    return units * funded // units_at_requirement
