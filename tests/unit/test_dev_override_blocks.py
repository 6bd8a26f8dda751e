"""A devnet's header overrides (anvil_setNextBlockBaseFeePerGas, anvil_setBlockGasLimit) make
blocks the producer accepts and every other node refuses, as geth would; the blocks after them
follow the rules again, and a producer without the override never makes such a block."""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

import pytest
from eth.abc import BlockAPI

from chain.api.chain import Chain, build_chain
from chain.api.dev import DevControls
from chain.backend.builder import check_header
from chain.config import ChainConfig
from chain.exceptions import InvalidBlock

GENESIS_TIME = 1_700_000_000


def _chain(dev: bool = True, network_accounts: bool | None = None) -> Chain:
    return build_chain(ChainConfig(genesis_timestamp=GENESIS_TIME, dev=dev, network_accounts=network_accounts))


def _block(chain: Chain, number: int) -> BlockAPI:
    stored = chain.backend.store.block_by_number(number)
    assert stored is not None
    return chain.spec.block_from_parts(stored.header, stored.transactions)


def _import(follower: Chain, block: BlockAPI) -> None:
    follower.blocks.commit(follower.blocks.import_block(block))


@pytest.mark.parametrize(("override", "refusal"), [
    (lambda dev: dev.set_next_block_base_fee(7 * 10**9), "invalid base fee per gas"),
    (lambda dev: dev.set_block_gas_limit(60_000_000), "gas limit"),
])
def test_the_overridden_block_is_refused_by_a_follower(override: Callable[[DevControls], None],
                                                      refusal: str) -> None:
    leader, follower = _chain(), _chain(dev=False, network_accounts=False)  # the devnet leader's genesis
    assert leader.dev is not None
    leader.dev.mine_one(GENESIS_TIME + 1)
    _import(follower, _block(leader, 1))
    override(leader.dev)
    leader.dev.mine_one(GENESIS_TIME + 2)
    leader.dev.mine_one(GENESIS_TIME + 3)
    with pytest.raises(InvalidBlock, match=refusal):
        follower.blocks.import_block(_block(leader, 2))
    # Block 3 follows the rules from its (overridden) parent: valid on its own.
    check_header(leader.spec, _block(leader, 3).header, _block(leader, 2).header)


def test_without_the_dev_flag_the_producer_keeps_the_rules() -> None:
    leader = _chain()
    leader.dev.mine_one(GENESIS_TIME + 1)  # type: ignore[union-attr]
    fields = leader.blocks.next_fields(GENESIS_TIME + 2)
    with pytest.raises(InvalidBlock, match="base fee"):
        leader.backend.propose([], replace(fields, base_fee=1))
    with pytest.raises(InvalidBlock, match="gas limit"):
        leader.backend.propose([], replace(fields, gas_limit=fields.gas_limit * 2))
    # With the exemption, a dev-set gas limit must still be at least the minimum.
    with pytest.raises(InvalidBlock, match="outside"):
        leader.backend.propose([], replace(fields, gas_limit=100), dev_overrides=True)
