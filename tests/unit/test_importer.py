"""The importer refuses a block that does not re-execute to what it claims, and names why."""
from __future__ import annotations

import asyncio

import pytest
from eth.abc import BlockAPI

from chain.api.chain import Chain, build_chain
from chain.config import ChainConfig, MiningMode
from chain.exceptions import InvalidBlock
from chain.types import CallRequest


def _leader_with_blocks() -> Chain:
    leader = build_chain(ChainConfig(genesis_timestamp=1_700_000_000))
    a0, a1 = leader.accounts[0].address, leader.accounts[1].address
    for value in (1, 2):
        asyncio.run(leader.transactions.send_transaction(CallRequest(sender=a0, to=a1, value=value)))
    return leader


def _follower(leader: Chain) -> Chain:
    # The leader is a devnet: the follower builds the same genesis (no network-only accounts).
    return build_chain(ChainConfig(genesis_timestamp=1_700_000_000, dev=False, network_accounts=False))


def _block(leader: Chain, number: int) -> BlockAPI:
    stored = leader.backend.store.block_by_number(number)
    assert stored is not None
    return leader.spec.block_from_parts(stored.header, stored.transactions)


def _with_header(leader: Chain, block: BlockAPI, **fields: object) -> BlockAPI:
    return leader.spec.block_from_parts(block.header.copy(**fields), tuple(block.transactions))


def test_an_honest_block_imports_to_the_same_hash_and_state() -> None:
    leader = _leader_with_blocks()
    follower = _follower(leader)
    for n in (1, 2):
        raw = leader.spec.encode_block(_block(leader, n))
        follower.blocks.commit(follower.blocks.import_block(follower.spec.decode_block(raw)))
    assert follower.reads.head.hash == leader.reads.head.hash
    assert follower.backend.head_state_root == leader.backend.head_state_root


def test_one_flipped_byte_of_the_receipt_root_is_refused() -> None:
    leader = _leader_with_blocks()
    honest = _block(leader, 1)
    root = bytes(honest.header.receipt_root)
    tampered = _with_header(leader, honest, receipt_root=bytes([root[0] ^ 1]) + root[1:])
    with pytest.raises(InvalidBlock, match="receipt_root: block says 0x"):
        _follower(leader).blocks.import_block(tampered)


def test_a_wrong_gas_used_is_refused() -> None:
    leader = _leader_with_blocks()
    honest = _block(leader, 1)
    tampered = _with_header(leader, honest, gas_used=honest.header.gas_used + 1)
    with pytest.raises(InvalidBlock, match="gas_used: block says 21001, execution gives 21000"):
        _follower(leader).blocks.import_block(tampered)


def test_an_extra_transaction_is_refused() -> None:
    leader = _leader_with_blocks()
    first, second = _block(leader, 1), _block(leader, 2)
    tampered = leader.spec.block_from_parts(first.header, tuple(first.transactions) + tuple(second.transactions))
    with pytest.raises(InvalidBlock, match="transaction_root"):
        _follower(leader).blocks.import_block(tampered)


def test_a_block_that_does_not_extend_the_head_is_refused() -> None:
    leader = _leader_with_blocks()
    with pytest.raises(InvalidBlock, match="does not extend this node's head"):
        _follower(leader).blocks.import_block(_block(leader, 2))


def test_a_header_breaking_the_fork_rules_is_refused() -> None:
    leader = _leader_with_blocks()
    honest = _block(leader, 1)
    genesis_ts = leader.backend.genesis.timestamp
    with pytest.raises(InvalidBlock, match="timestamp must be strictly later"):
        _follower(leader).blocks.import_block(_with_header(leader, honest, timestamp=genesis_ts))


def test_a_refused_block_leaves_the_follower_unchanged() -> None:
    leader = _leader_with_blocks()
    follower = _follower(leader)
    head, root = follower.reads.head.hash, follower.backend.head_state_root
    honest = _block(leader, 1)
    with pytest.raises(InvalidBlock):
        follower.blocks.import_block(_with_header(leader, honest, gas_used=1))
    assert follower.reads.head.hash == head and follower.backend.head_state_root == root
    follower.blocks.commit(follower.blocks.import_block(honest))  # the honest one still imports
    assert follower.reads.head.hash == honest.header.hash


def test_an_impersonated_transaction_cannot_be_verified_by_another_node() -> None:
    """Impersonation is a devnet power: its block carries a placeholder signature, so a node
    that recovers senders from signatures refuses it (and a network node has no such power)."""
    leader = build_chain(ChainConfig(genesis_timestamp=1_700_000_000, mining=MiningMode.AUTO))
    assert leader.dev is not None
    impostor = b"\x42" * 20
    leader.dev.impersonated.add(impostor)
    leader.dev.set_balance(impostor, 10**20)
    with pytest.raises(InvalidBlock):
        # the dev edit alone already makes the parent state differ from any honest node's
        follower = _follower(leader)
        asyncio.run(leader.transactions.send_transaction(
            CallRequest(sender=impostor, to=leader.accounts[0].address, value=1)))
        follower.blocks.import_block(_block(leader, 1))
