"""TxPool: pending vs queued per sender, replacement rules, next_nonce, prune and mining order.

The pool is pure bookkeeping over an injected `nonce_of`; here that is a plain dict the test
moves forward, standing for the head state.
"""
from __future__ import annotations

from fractions import Fraction
from itertools import count

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from chain.exceptions import AlreadyKnown, NonceTooLow, PoolFull, ReplacementUnderpriced, TransactionRejected
from chain.pool import PooledTx, TxPool

ALICE, BOB, CAROL = b"\xaa" * 20, b"\xbb" * 20, b"\xcc" * 20
GWEI = 10**9
_hashes = count(1)


def tx(sender: bytes, nonce: int, fee: int = 10 * GWEI, tip: int = GWEI, gas: int = 21_000) -> PooledTx:
    """A pooled transaction with a hash no other call returns."""
    return PooledTx(hash=next(_hashes).to_bytes(32, "big"), sender=sender, nonce=nonce, gas=gas,
                    max_fee=fee, max_priority_fee=tip, tx=None)


class Chain:
    """The head state's nonces, as `nonce_of` sees them."""

    def __init__(self) -> None:
        self.nonces: dict[bytes, int] = {}

    def __call__(self, sender: bytes) -> int:
        return self.nonces.get(sender, 0)


def pool_of(*txs: PooledTx, chain: Chain | None = None, max_size: int = 20_000) -> TxPool:
    pool = TxPool(chain or Chain(), max_size=max_size)
    for t in txs:
        pool.add(t)
    return pool


def nonces(txs: list[PooledTx]) -> list[int]:
    return [t.nonce for t in txs]


# --- admission ----------------------------------------------------------------------------------
def test_a_new_transaction_is_admitted_and_found_by_hash() -> None:
    pool, t = TxPool(Chain()), tx(ALICE, 0)
    assert pool.add(t) is None
    assert len(pool) == 1 and t.hash in pool
    stored = pool.get(t.hash)
    assert stored is not None and (stored.sender, stored.nonce, stored.max_fee) == (ALICE, 0, t.max_fee)
    assert pool.get(b"\x00" * 32) is None and b"\x00" * 32 not in pool


def test_the_same_transaction_twice_is_already_known() -> None:
    t = tx(ALICE, 0)
    pool = pool_of(t)
    with pytest.raises(AlreadyKnown, match="already known"):
        pool.add(t)
    assert len(pool) == 1


def test_a_nonce_the_chain_has_passed_is_too_low_and_says_both_nonces() -> None:
    chain = Chain()
    chain.nonces[ALICE] = 5
    pool = TxPool(chain)
    with pytest.raises(NonceTooLow, match=r"^nonce too low: next nonce 5, tx nonce 4$"):
        pool.add(tx(ALICE, 4))
    assert len(pool) == 0
    assert pool.add(tx(ALICE, 5)) is None


def test_rejections_are_transaction_rejected_errors() -> None:
    """The RPC layer maps TransactionRejected to -32000; every pool refusal must be one."""
    for cls in (AlreadyKnown, NonceTooLow, PoolFull, ReplacementUnderpriced):
        assert issubclass(cls, TransactionRejected)


def test_arrival_order_is_recorded_on_admission() -> None:
    pool = pool_of(tx(ALICE, 0), tx(BOB, 0), tx(ALICE, 1))
    seqs = [t.seq for txs in pool.pending().values() for t in txs]
    assert sorted(seqs) == [1, 2, 3]
    assert nonces(pool.pending()[ALICE]) == [0, 1] and [t.seq for t in pool.pending()[ALICE]] == [1, 3]


# --- replacement --------------------------------------------------------------------------------
@pytest.mark.parametrize(("new_fee", "new_tip", "accepted"), [
    (110, 11, True),    # exactly +10% on both: enough (geth and Anvil)
    (200, 20, True),
    (109, 11, False),   # fee cap one short
    (110, 10, False),   # tip not raised
    (100, 100, False),  # only the tip raised
    (500, 10, False),   # only the fee cap raised
    (99, 9, False),     # cheaper
])
def test_replacement_needs_both_fees_raised_by_ten_percent(new_fee: int, new_tip: int, accepted: bool) -> None:
    old = tx(ALICE, 0, fee=100, tip=10)
    pool = pool_of(old)
    new = tx(ALICE, 0, fee=new_fee, tip=new_tip)
    if accepted:
        replaced = pool.add(new)
        assert replaced is not None and replaced.hash == old.hash
        assert new.hash in pool and old.hash not in pool and pool.get(old.hash) is None
    else:
        with pytest.raises(ReplacementUnderpriced,
                           match=r"raise both maxFeePerGas and maxPriorityFeePerGas by at least 10%"):
            pool.add(new)
        assert old.hash in pool and new.hash not in pool
    assert len(pool) == 1


@given(old_fee=st.integers(0, 10**12), old_tip=st.integers(0, 10**12),
       new_fee=st.integers(0, 2 * 10**12), new_tip=st.integers(0, 2 * 10**12))
def test_replacement_rule_is_a_ten_percent_bump_of_each_field(old_fee: int, old_tip: int, new_fee: int,
                                                              new_tip: int) -> None:
    def bumped(new: int, old: int) -> bool:
        return Fraction(new) >= Fraction(old) * Fraction(11, 10)
    pool = pool_of(tx(ALICE, 3, fee=old_fee, tip=old_tip))
    new = tx(ALICE, 3, fee=new_fee, tip=new_tip)
    try:
        pool.add(new)
        admitted = True
    except ReplacementUnderpriced:
        admitted = False
    assert admitted == (bumped(new_fee, old_fee) and bumped(new_tip, old_tip))
    assert len(pool) == 1 and (new.hash in pool) == admitted


def test_a_replacement_keeps_its_place_in_the_nonce_sequence() -> None:
    pool = pool_of(tx(ALICE, 0), tx(ALICE, 1, fee=100, tip=10), tx(ALICE, 2))
    pool.add(tx(ALICE, 1, fee=200, tip=20))
    pending = pool.pending()[ALICE]
    assert nonces(pending) == [0, 1, 2] and pending[1].max_fee == 200


# --- capacity -----------------------------------------------------------------------------------
def test_a_full_pool_refuses_new_transactions_but_takes_replacements() -> None:
    pool = pool_of(tx(ALICE, 0, fee=100, tip=10), tx(BOB, 0), max_size=2)
    with pytest.raises(PoolFull, match=r"^txpool is full \(2 transactions\)$"):
        pool.add(tx(CAROL, 0))
    with pytest.raises(PoolFull):
        pool.add(tx(ALICE, 1))
    assert pool.add(tx(ALICE, 0, fee=110, tip=11)) is not None  # same slot: the size does not grow
    assert len(pool) == 2
    assert pool.next_nonce(CAROL) == 0 and CAROL not in pool.pending() and CAROL not in pool.queued()


# --- pending, queued and next_nonce -------------------------------------------------------------
def test_pending_continues_the_state_nonce_and_a_gap_queues_the_rest() -> None:
    chain = Chain()
    chain.nonces[ALICE] = 3
    pool = pool_of(tx(ALICE, 6), tx(ALICE, 3), tx(ALICE, 4), tx(BOB, 1), chain=chain)
    assert {s: nonces(v) for s, v in pool.pending().items()} == {ALICE: [3, 4]}
    assert {s: nonces(v) for s, v in pool.queued().items()} == {ALICE: [6], BOB: [1]}
    assert pool.next_nonce(ALICE) == 5
    assert pool.next_nonce(BOB) == 0           # the queued nonce 1 does not count: 0 is missing
    assert pool.next_nonce(CAROL) == 0         # unknown sender: the state nonce

    pool.add(tx(ALICE, 5))                     # filling the gap promotes the queued transaction
    assert nonces(pool.pending()[ALICE]) == [3, 4, 5, 6] and ALICE not in pool.queued()
    assert pool.next_nonce(ALICE) == 7
    pool.add(tx(BOB, 0))
    assert nonces(pool.pending()[BOB]) == [0, 1] and pool.queued() == {}


def test_prune_drops_what_the_chain_has_passed_and_promotes_the_rest() -> None:
    chain = Chain()
    pool = pool_of(tx(ALICE, 0), tx(ALICE, 1), tx(ALICE, 3), tx(BOB, 0), chain=chain)
    chain.nonces[ALICE] = 2  # nonces 0 and 1 were mined
    dropped = pool.prune()
    assert sorted(nonces(dropped)) == [0, 1] and {t.sender for t in dropped} == {ALICE}
    assert all(t.hash not in pool for t in dropped) and len(pool) == 2
    assert ALICE not in pool.pending() and nonces(pool.queued()[ALICE]) == [3]
    chain.nonces[ALICE] = 3  # nonce 2 mined elsewhere (another node, a replaced tx)
    assert pool.prune() == [] and nonces(pool.pending()[ALICE]) == [3]
    assert nonces(pool.pending()[BOB]) == [0]


def test_remove_and_clear() -> None:
    a0, a1 = tx(ALICE, 0), tx(ALICE, 1)
    pool = pool_of(a0, a1, tx(BOB, 0))
    removed = pool.remove(a0.hash)
    assert removed is not None and removed.hash == a0.hash
    assert a0.hash not in pool and len(pool) == 2
    assert pool.remove(a0.hash) is None                 # removing twice is harmless
    assert nonces(pool.queued()[ALICE]) == [1]          # nonce 0 is missing again
    assert pool.remove(a1.hash) is not None and ALICE not in pool.queued() and ALICE not in pool.pending()
    assert pool.add(a1) is None                         # a removed transaction may come back
    pool.clear()
    assert len(pool) == 0 and pool.pending() == {} and pool.queued() == {} and a1.hash not in pool
    assert pool.next_nonce(ALICE) == 0


# --- mining order -------------------------------------------------------------------------------
def test_effective_tip_is_capped_by_the_fee_headroom() -> None:
    assert tx(ALICE, 0, fee=100, tip=5).effective_tip(90) == 5
    assert tx(ALICE, 0, fee=100, tip=50).effective_tip(90) == 10
    assert tx(ALICE, 0, fee=100, tip=100).effective_tip(100) == 0  # a legacy tx at the base fee


def test_ready_orders_by_tip_then_arrival_and_keeps_each_senders_nonces() -> None:
    pool = pool_of(tx(ALICE, 0, tip=1), tx(ALICE, 1, tip=9), tx(BOB, 0, tip=5), tx(CAROL, 0, tip=5),
                   tx(CAROL, 1, tip=1))
    order = [(t.sender, t.nonce) for t in pool.ready(base_fee=GWEI)]
    # Bob and Carol tie at 5: Bob arrived first. Alice's tip-9 nonce 1 must wait for her nonce 0.
    assert order == [(BOB, 0), (CAROL, 0), (ALICE, 0), (ALICE, 1), (CAROL, 1)]


def test_ready_holds_back_a_fee_cap_below_the_base_fee_and_its_successors() -> None:
    pool = pool_of(tx(ALICE, 0, fee=50), tx(ALICE, 1, fee=10), tx(ALICE, 2, fee=50), tx(BOB, 0, fee=9),
                   tx(CAROL, 1, fee=50))
    ready = pool.ready(base_fee=20)
    assert [(t.sender, t.nonce) for t in ready] == [(ALICE, 0)]  # Carol's nonce 1 is queued
    assert len(pool.ready(base_fee=5)) == 4
    assert pool.ready(base_fee=51) == []


fee_st = st.integers(0, 100)
pooled_st = st.lists(st.tuples(st.sampled_from((ALICE, BOB, CAROL)), st.integers(0, 6), fee_st, fee_st),
                     max_size=25)


@given(entries=pooled_st, state=st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 3)),
       base_fee=st.integers(0, 100))
def test_ready_is_a_fee_paying_nonce_prefix_per_sender_in_best_tip_first_order(
        entries: list[tuple[bytes, int, int, int]], state: tuple[int, int, int], base_fee: int) -> None:
    chain = Chain()
    chain.nonces.update(zip((ALICE, BOB, CAROL), state))
    pool = TxPool(chain)
    for sender, nonce, fee, tip in entries:
        try:
            pool.add(tx(sender, nonce, fee=fee, tip=tip))
        except TransactionRejected:
            pass
    ready = pool.ready(base_fee)
    pending = pool.pending()
    by_sender: dict[bytes, list[PooledTx]] = {}
    for t in ready:
        by_sender.setdefault(t.sender, []).append(t)
    for sender, txs in pending.items():
        # Each sender's ready transactions: its pending ones up to the first it cannot afford.
        affordable = []
        for t in txs:
            if t.max_fee < base_fee:
                break
            affordable.append(t)
        assert by_sender.get(sender, []) == affordable
    assert set(by_sender) <= set(pending)
    # Mining order: each pick has the best (highest tip, then earliest arrival) of the senders'
    # next ready transactions at that point.
    done = {sender: 0 for sender in by_sender}
    for t in ready:
        heads = [txs[done[s]] for s, txs in by_sender.items() if done[s] < len(txs)]
        best = min(heads, key=lambda h: (-h.effective_tip(base_fee), h.seq))
        assert t == best
        done[t.sender] += 1


class PoolMachine(RuleBasedStateMachine):
    """Random admissions, removals and mined nonces, checked against the rules of the module doc."""

    def __init__(self) -> None:
        super().__init__()
        self.chain = Chain()
        self.pool = TxPool(self.chain, max_size=12)
        self.known: dict[bytes, PooledTx] = {}

    @rule(sender=st.sampled_from((ALICE, BOB)), nonce=st.integers(0, 8), fee=fee_st, tip=fee_st)
    def add(self, sender: bytes, nonce: int, fee: int, tip: int) -> None:
        t = tx(sender, nonce, fee=fee, tip=tip)
        size = len(self.pool)
        try:
            old = self.pool.add(t)
        except TransactionRejected:
            assert t.hash not in self.pool and len(self.pool) == size
            return
        assert len(self.pool) == size + (old is None)
        if old is not None:
            assert old.nonce == nonce and old.sender == sender and old.hash not in self.pool
            del self.known[old.hash]
        self.known[t.hash] = t

    @rule(data=st.data())
    def remove(self, data: st.DataObject) -> None:
        if self.known:
            h = data.draw(st.sampled_from(sorted(self.known)))
            assert self.pool.remove(h) is not None
            del self.known[h]

    @rule(sender=st.sampled_from((ALICE, BOB)), mined=st.integers(1, 3))
    def mine(self, sender: bytes, mined: int) -> None:
        self.chain.nonces[sender] = self.chain(sender) + mined
        for t in self.pool.prune():
            assert t.nonce < self.chain(t.sender)
            del self.known[t.hash]

    @invariant()
    def books_balance(self) -> None:
        assert len(self.pool) == len(self.known) and all(h in self.pool for h in self.known)
        pending, queued = self.pool.pending(), self.pool.queued()
        listed = [t.hash for part in (pending, queued) for txs in part.values() for t in txs]
        assert sorted(listed) == sorted(self.known)  # every transaction is in exactly one part
        for sender in (ALICE, BOB):
            start = self.chain(sender)
            run = nonces(pending.get(sender, []))
            assert run == list(range(start, start + len(run)))
            assert self.pool.next_nonce(sender) == start + len(run)
            assert all(n > start + len(run) for n in nonces(queued.get(sender, [])))


def test_pool_state_machine() -> None:
    run_state_machine_as_test(PoolMachine)
