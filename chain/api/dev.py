"""DevControls: the devnet's powers, in one object that only a devnet chain has.

Time travel, snapshots and revert, state edits at `latest` without a block, impersonation, the
coinbase, the mining switches, state dumps and loads. A chain built with `dev=False` (a network
node) has no DevControls and does not serve `evm_*`/`anvil_*`, so every block it stores can be
verified by another node from the block's body alone.
"""
from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from eth_typing import Address

from chain.abc import DevMiningAPI
from chain.api.blocks import BlockPipeline, MinedBlock
from chain.api.events import ChainEvents, Rewound
from chain.backend.backend import Backend
from chain.backend.dump import dump_state, load_state
from chain.clock import BlockClock
from chain.exceptions import InvalidParams
from chain.pool import PooledTx, TxPool


MAX_MINE_BLOCKS = 10**6   # anvil_mine's bound
MINE_SLICE_S = 0.05       # mining time between two turns of the event loop
MINE_PAUSE_S = 0.003      # the turn: other clients' requests are read, run and answered


@dataclass(frozen=True)
class _Snapshot:
    head_number: int
    head_state_root: bytes
    time_offset: int
    next_timestamp: int | None


class DevControls:
    def __init__(self, backend: Backend, pool: TxPool, blocks: BlockPipeline, clock: BlockClock,
                 events: ChainEvents, mining: DevMiningAPI) -> None:
        self._backend = backend
        self._pool = pool
        self._blocks = blocks
        self._clock = clock
        self._events = events
        self.mining = mining
        self.impersonated: set[bytes] = set()
        self.auto_impersonate = False
        self._snapshots: dict[int, _Snapshot] = {}
        self._next_snapshot_id = 1

    # -- state edits at `latest` --------------------------------------------------------------
    def set_balance(self, address: bytes, value: int) -> None:
        self._backend.edit_head_state(lambda s: s.set_balance(Address(address), value))

    def set_code(self, address: bytes, code: bytes) -> None:
        self._backend.edit_head_state(lambda s: s.set_code(Address(address), code))

    def set_nonce(self, address: bytes, nonce: int) -> None:
        self._backend.edit_head_state(lambda s: s.set_nonce(Address(address), nonce))
        self._pool.prune()

    def set_storage(self, address: bytes, slot: int, value: int) -> None:
        self._backend.edit_head_state(lambda s: s.set_storage(Address(address), slot, value))

    # -- snapshots ----------------------------------------------------------------------------
    def snapshot(self) -> int:
        sid = self._next_snapshot_id
        self._next_snapshot_id += 1
        self._snapshots[sid] = _Snapshot(self._backend.head.block_number, self._backend.head_state_root,
                                         self._clock.offset, self._clock.next_timestamp)
        return sid

    def revert(self, snapshot_id: int) -> bool:
        """Restore the chain to a snapshot; the snapshot and all later ones are consumed."""
        snap = self._snapshots.get(snapshot_id)
        if snap is None:
            return False
        for sid in [s for s in self._snapshots if s >= snapshot_id]:
            del self._snapshots[sid]
        old = int(self._backend.head.block_number)
        self._backend.rewind(snap.head_number, snap.head_state_root)
        self._clock.offset = snap.time_offset
        self._clock.next_timestamp = snap.next_timestamp
        self._pool.prune()
        self._announce_rewind(old)
        return True

    def _announce_rewind(self, old_number: int) -> None:
        head = self._backend.head
        self._events.rewound.publish(Rewound(int(head.block_number), bytes(head.hash), old_number))

    # -- time ---------------------------------------------------------------------------------
    def increase_time(self, seconds: int) -> int:
        """evm_increaseTime; returns the total offset in seconds."""
        return self._clock.increase(seconds, int(self._backend.head.timestamp))

    def set_next_block_timestamp(self, timestamp: int) -> None:
        head_ts = int(self._backend.head.timestamp)
        if timestamp <= head_ts:
            raise InvalidParams(f"timestamp {timestamp} is not after the latest block's {head_ts}")
        self._clock.next_timestamp = timestamp

    # -- blocks -------------------------------------------------------------------------------
    async def mine(self, count: int, first_timestamp: int | None = None,
                   interval: int | None = None) -> None:
        """Mine `count` blocks (at most MAX_MINE_BLOCKS, as Anvil); the first at
        `first_timestamp` (if given), then `interval` seconds apart (if given) or as the clock
        says. Mined in chunks, with the event loop free between them, so other clients are
        served while a long run is mined."""
        if count > MAX_MINE_BLOCKS:
            raise InvalidParams(f"cannot mine more than {MAX_MINE_BLOCKS} blocks at once (asked for {count})")
        done, chunk = 0, 64
        while done < count:
            n = min(count - done, chunk)
            started = time.perf_counter()
            self._blocks.mine_blocks(n, first_timestamp if done == 0 else None, interval)
            done += n
            # Size the next chunk to take about MINE_SLICE_S, then give the loop a few ms: long
            # enough for a waiting request's several I/O steps, short enough to cost ~5%.
            chunk = max(1, int(n * MINE_SLICE_S / max(time.perf_counter() - started, 1e-6)))
            if done < count:
                await asyncio.sleep(MINE_PAUSE_S)

    def mine_one(self, timestamp: int | None = None) -> MinedBlock:
        return self._blocks.mine_block(timestamp)

    def set_coinbase(self, address: bytes) -> None:
        self._blocks.coinbase = address

    # -- impersonation ------------------------------------------------------------------------
    def may_impersonate(self, sender: bytes) -> bool:
        return self.auto_impersonate or sender in self.impersonated

    # -- the pool -----------------------------------------------------------------------------
    def drop_transaction(self, tx_hash: bytes) -> PooledTx | None:
        return self._pool.remove(tx_hash)

    def drop_all_transactions(self) -> None:
        self._pool.clear()

    # -- dumps --------------------------------------------------------------------------------
    def dump_state(self) -> dict[str, Any]:
        return dump_state(self._backend)

    def load_state(self, dump: Any) -> None:
        """Load a dump (anvil_loadState, --load-state); snapshots and the pool are dropped."""
        old = self._backend.head
        load_state(self._backend, dump)
        self._snapshots.clear()
        self._pool.clear()
        head = self._backend.head
        if head.hash != old.hash:  # the dump replaced the chain: nothing below is known to match
            self._events.rewound.publish(Rewound(-1, bytes(head.hash), int(old.block_number)))
