"""DevControls: the devnet's powers, in one object that only a devnet chain has.

Time travel, snapshots and revert, state edits at `latest` without a block, impersonation, the
coinbase, the mining switches, state dumps and loads. A chain built with `dev=False` (a network
node) has no DevControls and does not serve `evm_*`/`anvil_*`, so every block it stores can be
verified by another node from the block's body alone.
"""
from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass
from typing import Any

from eth.constants import GAS_LIMIT_MAXIMUM, GAS_LIMIT_MINIMUM
from eth_typing import Address

from chain.abc import DevMiningAPI
from chain.api.blocks import BlockPipeline, MinedBlock
from chain.api.events import ChainEvents, Rewound
from chain.api.filters import FilterManager
from chain.backend.backend import Backend
from chain.backend.dump import DumpSource, dump_source, dump_state, load_state
from chain.backend.txfields import tx_chain_id
from chain.clock import BlockClock
from chain.exceptions import InvalidParams
from chain.pool import PooledTx, TxPool


MAX_MINE_BLOCKS = 10**6   # anvil_mine's bound
MINE_SLICE_S = 0.1        # mining time between two turns of the event loop (~16k empty blocks/s on disk)
MINE_PAUSE_S = 0.003      # the turn: other clients' requests are read, run and answered


@dataclass(frozen=True)
class _Snapshot:
    head_number: int
    head_state_root: bytes
    time_offset: int
    next_timestamp: int | None
    interval: int | None


@dataclass(frozen=True)
class DevPolicy:
    """What the node's start flags allow the dev methods to do to a chain."""

    stored: bool              # the chain lives in a --data-dir (survives restarts)
    allow_reset: bool         # --allow-reset: anvil_reset may replace a stored chain
    coinbase: bytes           # the start coinbase, which a reset restores


class DevControls:
    def __init__(self, backend: Backend, pool: TxPool, blocks: BlockPipeline, clock: BlockClock,
                 events: ChainEvents, mining: DevMiningAPI, filters: FilterManager,
                 policy: DevPolicy) -> None:
        self._backend = backend
        self._pool = pool
        self._blocks = blocks
        self._clock = clock
        self._events = events
        self.mining = mining
        self.impersonated: set[bytes] = set()
        self.auto_impersonate = False
        self._filters = filters
        self._policy = policy
        self._snapshots: dict[int, _Snapshot] = {}
        self._next_snapshot_id = 1
        self.logging_enabled = True  # anvil_setLoggingEnabled: the terminal's request log
        self.instance_id = os.urandom(32)  # anvil_metadata; a reset makes a new instance

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
                                         self._clock.offset, self._clock.next_timestamp,
                                         self._clock.interval)
        return sid

    def snapshots(self) -> dict[int, tuple[int, bytes]]:
        """Live snapshot ids → (block number, block hash) they return to (anvil_metadata)."""
        out = {}
        for sid, snap in self._snapshots.items():
            h = self._backend.store.canonical_hash(snap.head_number)
            out[sid] = (snap.head_number, h or b"")
        return out

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
        self._clock.interval = snap.interval
        self._blocks.clear_overrides()
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

    def set_time(self, timestamp: int) -> int:
        """evm_setTime: the clock reads `timestamp` now; returns the seconds it moved forward."""
        return self._clock.set_time(timestamp)

    def set_block_timestamp_interval(self, seconds: int) -> None:
        """Every next block `seconds` after its parent (a pending exact timestamp still wins)."""
        if seconds < 1:
            raise InvalidParams("interval must be at least 1 second: block timestamps strictly increase")
        self._clock.interval = seconds

    def remove_block_timestamp_interval(self) -> bool:
        had, self._clock.interval = self._clock.interval is not None, None
        return had

    # -- the next block's header ----------------------------------------------------------------
    def set_block_gas_limit(self, gas_limit: int) -> None:
        """The gas limit of the next block and, through the head, of every later one."""
        if not GAS_LIMIT_MINIMUM <= gas_limit <= GAS_LIMIT_MAXIMUM:
            raise InvalidParams(f"gas limit must be between {GAS_LIMIT_MINIMUM} and {GAS_LIMIT_MAXIMUM}")
        self._blocks.gas_limit_override = gas_limit

    def set_next_block_base_fee(self, base_fee: int) -> None:
        self._blocks.next_base_fee_override = base_fee

    def set_prev_randao(self, value: bytes) -> None:
        self._blocks.next_prev_randao = value

    # -- chain identity -------------------------------------------------------------------------
    def set_chain_id(self, chain_id: int) -> None:
        """anvil_setChainId: eth_chainId, CHAINID, signing and admission use `chain_id` from now
        on; pool transactions signed for the old id can never be mined, so they are dropped.

        Refused on a stored chain: its database records the id it was created with, and a node
        restarted with its flags would no longer match what it had become.
        """
        if self._policy.stored:
            raise InvalidParams("anvil_setChainId is refused on a --data-dir chain, whose stored "
                                "chain id must match --chain-id; start with --in-memory to change it")
        self._backend.set_chain_id(chain_id)
        for sender_txs in (self._pool.pending(), self._pool.queued()):
            for txs in sender_txs.values():
                for p in txs:
                    signed_for = tx_chain_id(p.tx)
                    if signed_for is not None and signed_for != chain_id:
                        self._pool.remove(p.hash)
        self._pool.prune()

    def reset(self) -> None:
        """anvil_reset without forking: a fresh genesis from the start flags (accounts,
        balances, chain id, gas limit, coinbase); the pool, filters, snapshots,
        impersonations, time travel and header overrides are dropped. The mining mode stays,
        as in Anvil. A stored chain is replaced only when started with --allow-reset, in one
        database transaction."""
        if self._policy.stored and not self._policy.allow_reset:
            raise InvalidParams("anvil_reset would delete this --data-dir chain; restart the node "
                                "with --allow-reset to permit it")
        old = self._backend.head
        self._backend.reset()
        self._pool.clear()
        self._filters.clear()
        self._snapshots.clear()
        self.impersonated.clear()
        self.auto_impersonate = False
        self._clock.reset()
        self._blocks.clear_overrides()
        self._blocks.coinbase = self._policy.coinbase
        self.instance_id = os.urandom(32)
        head = self._backend.head
        self._events.rewound.publish(Rewound(-1, bytes(head.hash), int(old.block_number)))

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
            if done == 0:
                first = first_timestamp
            else:  # a later chunk goes on `interval` after the last block, not at the clock's time
                first = None if interval is None else int(self._backend.head.timestamp) + interval
            self._blocks.mine_blocks(n, first, interval)
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

    def dump_source(self) -> DumpSource:
        """What a dump of the chain as it is now reads (fix it here, dump it on a worker)."""
        return dump_source(self._backend)

    def load_state(self, dump: Any) -> None:
        """Load a dump (anvil_loadState, --load-state); snapshots and the pool are dropped."""
        old = self._backend.head
        load_state(self._backend, dump)
        self._snapshots.clear()
        self._pool.clear()
        head = self._backend.head
        if head.hash != old.hash:  # the dump replaced the chain: nothing below is known to match
            self._events.rewound.publish(Rewound(-1, bytes(head.hash), int(old.block_number)))
