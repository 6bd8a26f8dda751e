"""The producer's refusals: EIP-7623's calldata floor, and transactions the state refuses.

Admission refuses such a transaction (tests/integration/test_call_fidelity.py); here it reaches
the builder directly, as it would from another node's pool or a future code path, and is skipped
with geth's reason instead of being mined with more gas used than its limit.
"""
from __future__ import annotations

import pytest
from eth.abc import SignedTransactionAPI

from chain.api.chain import Chain, build_chain
from chain.backend.vm import data_floor_gas
from chain.config import ChainConfig


@pytest.mark.parametrize(("data", "floor"), [
    (b"", 21_000),
    (b"\x00", 21_010),                 # a zero byte is one token
    (b"\x01", 21_040),                 # any other byte four
    (b"\x01" * 1_000, 61_000),         # intrinsic 37,000: the floor is what such a transfer pays
    (b"\x00\xff" * 10, 21_000 + 10 * (10 + 40)),
])
def test_the_floor_is_21000_plus_10_per_token(data: bytes, floor: int) -> None:
    assert data_floor_gas(data) == floor


def _signed(chain: Chain, *, gas: int, nonce: int = 0, to: bytes = b"", value: int = 0,
            data: bytes = b"") -> SignedTransactionAPI:
    """A type-2 transaction from dev account 0, past admission (straight to the builder)."""
    unsigned = chain.spec.transaction_builder.new_unsigned_dynamic_fee_transaction(
        chain_id=chain.chain_id, nonce=nonce, max_priority_fee_per_gas=10**9,
        max_fee_per_gas=10**10, gas=gas, to=to, value=value, data=data, access_list=[])
    signed: SignedTransactionAPI = unsigned.as_signed_transaction(chain.accounts[0].private_key)
    return signed


def _creation(chain: Chain, data: bytes, gas: int) -> SignedTransactionAPI:
    return _signed(chain, gas=gas, data=data)


def test_the_builder_skips_a_limit_below_the_floor_and_mines_one_that_covers_it() -> None:
    chain = build_chain(ChainConfig(genesis_timestamp=1_700_000_000))
    initcode = b"\xfe" * 2_825  # INVALID: a creation that fails, so py-evm burns all it is given
    floor = data_floor_gas(initcode)
    assert int(_creation(chain, initcode, 100_000).intrinsic_gas) < 100_000 < floor

    short = chain.backend.propose([_creation(chain, initcode, 100_000)], chain.blocks.next_fields())
    assert short.receipts == []
    assert [reason for _, reason in short.rejected] == [
        f"insufficient gas for floor data gas cost: have 100000, want {floor}"]

    enough = chain.backend.propose([_creation(chain, initcode, floor)], chain.blocks.next_fields())
    (receipt,) = enough.receipts
    assert receipt.gas_used == floor  # all of it: the creation failed, and never more


def test_a_transaction_refused_inside_the_state_leaves_the_block_intact() -> None:
    """py-evm's apply_transaction drops the journal's checkpoints before it executes, so the
    producer once crashed ("No checkpoint N was found") reverting a transaction the state refused;
    here the second one cannot pay for gas once the first has spent the balance."""
    chain = build_chain(ChainConfig(genesis_timestamp=1_700_000_000))
    to = chain.accounts[1].address
    balance = chain.reads.balance(chain.accounts[0].address, chain.reads.head)
    spend_all = _signed(chain, gas=21_000, to=to, value=balance - 21_000 * 10**10)
    unaffordable = _signed(chain, gas=21_000, nonce=1, to=to)
    built = chain.backend.propose([spend_all, unaffordable], chain.blocks.next_fields())
    assert [tx.hash for tx in built.transactions] == [spend_all.hash]
    assert [tx.hash for tx, _ in built.rejected] == [unaffordable.hash]
    chain.blocks.commit(built)
    assert chain.reads.head.block_number == 1
