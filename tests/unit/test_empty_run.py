"""Empty blocks mined in bulk are the very blocks the VM would have built, and others accept them."""
from __future__ import annotations

import asyncio

from eth.vm.forks.prague.constants import HISTORY_STORAGE_ADDRESS, HISTORY_STORAGE_CONTRACT_CODE
from eth_typing import Address

from chain.api.chain import Chain, build_chain
from chain.api.events import EmptyBlocks
from chain.backend.empty_run import EmptyRun
from chain.config import ChainConfig

GENESIS_TIME = 1_700_000_000


def fresh() -> Chain:
    return build_chain(ChainConfig(genesis_timestamp=GENESIS_TIME))


def headers(chain: Chain) -> list[tuple[bytes, object]]:
    return [(bytes(h.hash), h) for h in (chain.reads.header_by_number(n)
                                          for n in range(chain.backend.head.block_number + 1))]


def test_a_bulk_run_is_identical_to_blocks_built_one_by_one() -> None:
    # 300 blocks take the base fee from 1 gwei down to its floor of 7 wei: both EIP-1559 regimes.
    bulk, one_by_one = fresh(), fresh()
    seen: list[EmptyBlocks] = []
    bulk.events.empty_blocks.subscribe(seen.append)
    bulk.blocks.mine_blocks(300, GENESIS_TIME + 5, interval=3)
    for i in range(300):
        one_by_one.blocks.mine_block(GENESIS_TIME + 5 + 3 * i)
    assert [h for h, _ in headers(bulk)] == [h for h, _ in headers(one_by_one)]
    assert bulk.backend.head.base_fee_per_gas == 7
    assert len(seen) == 1 and len(seen[0].headers) == 299  # the first block is the VM's template
    assert seen[0].header(298) == bulk.backend.head


def test_a_follower_re_executes_and_accepts_every_bulk_block() -> None:
    leader, follower = fresh(), fresh()
    leader.blocks.mine_blocks(50, GENESIS_TIME + 1, interval=1)
    for n in range(1, 51):
        block = leader.backend.store.block_by_number(n)
        assert block is not None
        raw = leader.spec.encode_block(leader.spec.block_from_parts(block.header, block.transactions))
        follower.blocks.commit(follower.blocks.import_block(follower.spec.decode_block(raw)))
    assert follower.backend.head.hash == leader.backend.head.hash


def test_a_system_contract_makes_every_block_run_through_the_vm() -> None:
    # With EIP-2935's contract deployed, each block writes its parent's hash into it: no shortcut.
    bulk, one_by_one = fresh(), fresh()
    for chain in (bulk, one_by_one):
        chain.backend.edit_head_state(
            lambda s: s.set_code(Address(HISTORY_STORAGE_ADDRESS), HISTORY_STORAGE_CONTRACT_CODE))
    seen: list[EmptyBlocks] = []
    bulk.events.empty_blocks.subscribe(seen.append)
    bulk.blocks.mine_blocks(5, GENESIS_TIME + 1, interval=1)
    for i in range(5):
        one_by_one.blocks.mine_block(GENESIS_TIME + 1 + i)
    assert not seen
    assert bulk.backend.head.hash == one_by_one.backend.head.hash
    roots = {bytes(bulk.reads.header_by_number(n).state_root) for n in range(1, 6)}
    assert len(roots) == 5


def test_a_run_refuses_a_timestamp_that_does_not_move_forward() -> None:
    chain = fresh()
    chain.blocks.mine_block(GENESIS_TIME + 1)
    run = EmptyRun(chain.backend.head, chain.backend.prevrandao)
    try:
        run.next(GENESIS_TIME + 1)
    except ValueError as exc:
        assert "not after" in str(exc)
    else:
        raise AssertionError("a run accepted a timestamp equal to its parent's")


def test_a_long_run_keeps_its_interval_across_the_chunks_it_is_mined_in() -> None:
    # DevControls.mine hands the loop back between chunks; each chunk's first block (a VM-built
    # template) must still come `interval` after the last block of the chunk before.
    chain = fresh()
    assert chain.dev is not None
    asyncio.run(chain.dev.mine(3_000, GENESIS_TIME + 10, 3))
    stamps = [int(chain.reads.header_by_number(n).timestamp) for n in range(1, 3_001)]
    assert stamps[0] == GENESIS_TIME + 10
    assert all(b - a == 3 for a, b in zip(stamps, stamps[1:]))
