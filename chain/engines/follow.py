"""A follower engine: a chain that makes no blocks itself but imports those of a leader chain.

It stands in for a network peer inside one process: every block the leader commits travels as
its network encoding (header and body only, no receipts, no senders), is re-executed strictly by
the follower's importer and committed through the same step as a produced block. Transactions
sent to the follower are admitted by it and forwarded to the leader, as a non-proposing
validator forwards them to its mempool. Tests use it to prove that every block a chain makes can
be verified by another node from its body alone.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Callable

from eth.abc import BlockHeaderAPI, SignedTransactionAPI

from chain.exceptions import InvalidBlock
from chain.pool import PooledTx
from chain.types import NetworkNodes, NetworkStatus

if TYPE_CHECKING:
    from chain.api.blocks import MinedBlock
    from chain.api.chain import Chain

log = logging.getLogger("wabei.follow")


class FollowEngine:
    def __init__(self, follower: "Chain", leader: "Chain") -> None:
        if follower.chain_id != leader.chain_id:
            raise ValueError(f"a follower of chain {leader.chain_id} must have that chain id, "
                             f"not {follower.chain_id}")
        self._follower = follower
        self._leader = leader
        self.refused: list[tuple[int, str]] = []  # (block number, reason) of blocks not imported
        self._unfollow: Callable[[], None] | None = None

    @property
    def automine(self) -> bool:
        return self._leader.engine.automine

    async def network_status(self) -> NetworkStatus:
        """The leader stands in for the network but is not a P2P peer; the follower imports
        inline, so it is never behind."""
        return NetworkStatus(peer_count=0, producing=self.automine)

    async def network_nodes(self) -> NetworkNodes | None:
        """The leader is not a P2P peer: no node table."""
        return None

    async def submit(self, tx: PooledTx) -> None:
        """Forward an admitted transaction to the leader (which may mine it at once)."""
        await self._leader.engine.submit(tx)

    def start(self) -> None:
        """Import what the leader has that this chain lacks, then follow its new blocks."""
        if self._unfollow is not None:
            return
        leader_head = int(self._leader.reads.head.block_number)
        for number in range(int(self._follower.reads.head.block_number) + 1, leader_head + 1):
            stored = self._leader.backend.store.block_by_number(number)
            if stored is not None:
                self._import(stored.header, stored.transactions)
        # Inline: the block is imported before the leader's submit returns to our caller.
        self._unfollow = self._leader.events.new_blocks.subscribe(self._on_block, inline=True)

    async def stop(self) -> None:
        if self._unfollow is not None:
            self._unfollow()
            self._unfollow = None

    def _on_block(self, mined: "MinedBlock") -> None:
        self._import(mined.block.header, mined.block.transactions)

    def _import(self, header: BlockHeaderAPI, transactions: tuple[SignedTransactionAPI, ...]) -> None:
        leader_spec, spec = self._leader.spec, self._follower.spec
        raw = leader_spec.encode_block(leader_spec.block_from_parts(header, transactions))
        block = spec.decode_block(raw)
        try:
            self._follower.blocks.commit(self._follower.blocks.import_block(block))
        except InvalidBlock as exc:
            number = int(block.header.block_number)
            self.refused.append((number, str(exc)))
            log.error("refused block %d from the leader: %s", number, exc)
