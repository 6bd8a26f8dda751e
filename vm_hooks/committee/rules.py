"""The committee's pure rules: how votes become a proposal's status, and what a status means.

Kept apart from storage and the EVM so that they can be tested with tables and hypothesis, and
so that the node, the client and the tests all read one definition.

Statuses are FISCO BCOS v3's (ProposalManager.sol): 0 not exist, 1 created (open for votes),
2 passed (and, here as in FISCO, executed in the same transaction), 3 denied, 4 revoked,
5 outdated. FISCO stores 5 only when somebody touches an expired proposal; Wabei never stores
it and answers 5 for any open proposal whose deadline block is behind the current block.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

NOT_EXIST, CREATED, PASSED, DENIED, REVOKED, OUTDATED = range(6)
STATUS_NAMES = {NOT_EXIST: "not exist", CREATED: "created", PASSED: "passed", DENIED: "denied",
                REVOKED: "revoked", OUTDATED: "outdated"}

MAX_RATE = 100  # participation and win thresholds are percentages
MAX_WEIGHT = 2**32 - 1  # FISCO keeps a governor's weight in a uint32
MAX_INTERVAL = 2**64  # blocks; far beyond any chain's life, and keeps deadline + 1 far from 2**256


def weight_of(voters: Iterable[bytes], weights: Mapping[Any, int]) -> int:
    """The voters' total weight, each at its *current* weight (a removed member counts 0), as
    FISCO's Committee.getWeights does."""
    return sum(weights.get(v, 0) for v in voters)


def vote_result(agree: Iterable[bytes], against: Iterable[bytes], weights: Mapping[Any, int],
                participates_rate: int, win_rate: int) -> int:
    """CREATED, PASSED or DENIED for these votes under this committee: FISCO's
    VoteComputer.determineVoteResult, integer for integer.

    1. Enough participation: voted weight × 100 ≥ all weight × participatesRate, else CREATED
       (the proposal waits for more votes).
    2. Then PASSED when agreeing weight × 100 ≥ winRate × voted weight, else DENIED.
    A tie at the win threshold passes; participatesRate 0 means any vote decides at once.
    """
    agreed = weight_of(agree, weights)
    voted = agreed + weight_of(against, weights)
    total = sum(weights.values())
    if voted * 100 < total * participates_rate:
        return CREATED
    return PASSED if agreed * 100 >= win_rate * voted else DENIED


def effective_status(stored: int, deadline: int, block_number: int) -> int:
    """What a proposal's status is at `block_number`: an open one past its deadline is OUTDATED
    (voting is allowed up to and including the deadline block, as FISCO's
    `block.number > blockNumberInterval` test)."""
    if stored == CREATED and block_number > deadline:
        return OUTDATED
    return stored


def check_rates(participates_rate: int, win_rate: int) -> None:
    """Raises ValueError unless both thresholds are percentages (0..100)."""
    for name, value in (("participatesRate", participates_rate), ("winRate", win_rate)):
        if not 0 <= value <= MAX_RATE:
            raise ValueError(f"{name} must be a percentage from 0 to 100, not {value}")
