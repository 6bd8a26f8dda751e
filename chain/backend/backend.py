"""The only object that touches py-evm: chain head, block building, state reads, snapshots.

It speaks bytes and ints. Blocks are built by `builder.build_block` into a write buffer that is
committed once, so a block and everything indexed with it appear atomically.
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from typing import Callable, Iterator, Sequence

from eth.abc import AtomicDatabaseAPI, BlockHeaderAPI, SignedTransactionAPI, StateAPI

from chain.backend.builder import BlockSpec, BuiltBlock, build_block
from chain.backend.vm import BaseVM, build_state
from chain.exceptions import InvalidParams, StorageError
from chain.genesis import GenesisAccount, build_genesis
from chain.storage.buffer import WriteBuffer
from chain.storage.chain_store import ChainStore, StoredBlock

_PREV_HASHES = 256
_READER_USES = 10_000  # reads served by one shared head reader before it is rebuilt
StateEdit = Callable[[StateAPI], None]


@dataclass
class _Snapshot:
    head_number: int
    head_state_root: bytes
    time_offset: int
    next_timestamp: int | None


@dataclass(frozen=True)
class ChainParams:
    chain_id: int
    gas_limit: int
    genesis_base_fee: int
    genesis_timestamp: int | None
    coinbase: bytes
    alloc: dict[bytes, GenesisAccount] = field(default_factory=dict)


class Backend:
    """Holds the canonical chain and the state the next block builds on."""

    def __init__(self, db: AtomicDatabaseAPI, params: ChainParams, vm_class: type = BaseVM) -> None:
        self.db = db
        self.params = params
        self.vm_class = vm_class
        self.store = ChainStore(db)
        self.coinbase = params.coinbase
        self.time_offset = 0                     # seconds added to the wall clock (evm_increaseTime)
        self.next_timestamp: int | None = None   # evm_setNextBlockTimestamp
        self._snapshots: dict[int, _Snapshot] = {}
        self._next_snapshot_id = 1
        self._reader: StateAPI | None = None
        self._reader_key: tuple[bytes, bytes] | None = None
        self._reader_uses = 0
        if self.store.head_hash() is None:
            self._write_genesis()
        self._check_chain_id()
        self.reload()

    def reload(self) -> None:
        """Read the head from the database (start-up, and after a state load)."""
        self.head: BlockHeaderAPI = self.store.header(self.store.head_hash())  # type: ignore[arg-type,assignment]
        # Dev methods (setBalance, setCode...) change state without a block; reads at `latest`
        # and the next block start from this root rather than the head header's.
        saved_root = self.store.meta("head_state_root")
        self.head_state_root: bytes = bytes(saved_root) if saved_root else bytes(self.head.state_root)
        self._snapshots.clear()
        self.store.forget()

    # -- genesis ---------------------------------------------------------------------------
    def _write_genesis(self) -> None:
        p = self.params
        buffer = WriteBuffer(self.db)
        header = build_genesis(
            buffer,
            p.alloc,
            gas_limit=p.gas_limit,
            timestamp=p.genesis_timestamp if p.genesis_timestamp is not None else int(time.time()),
            base_fee=p.genesis_base_fee,
            coinbase=p.coinbase,
        )
        store = ChainStore(buffer)
        store.write_block(StoredBlock(header, (), (), ()))
        store.set_meta("chain_id", str(p.chain_id).encode())
        store.set_meta("genesis_fingerprint", genesis_fingerprint(p))
        buffer.commit()

    def _check_chain_id(self) -> None:
        """Refuse a database made for another chain instead of silently reusing it."""
        stored = self.store.meta("chain_id")
        if stored is not None and int(stored) != self.params.chain_id:
            raise StorageError(
                f"the data directory holds chain id {int(stored)}, not {self.params.chain_id}; "
                "use another --data-dir, or start with the original --chain-id"
            )
        fingerprint = self.store.meta("genesis_fingerprint")
        if fingerprint is not None and bytes(fingerprint) != genesis_fingerprint(self.params):
            raise StorageError(
                "the data directory was created with a different genesis (accounts, balances, "
                "mnemonic or gas limit); use another --data-dir, or the original flags"
            )

    @property
    def chain_id(self) -> int:
        return self.params.chain_id

    @property
    def genesis(self) -> BlockHeaderAPI:
        return self.store.header(self.store.canonical_hash(0))  # type: ignore[arg-type,return-value]

    # -- state -----------------------------------------------------------------------------
    def state_at(self, header: BlockHeaderAPI, context: BlockHeaderAPI | None = None) -> StateAPI:
        """A throwaway state after `header` (at the head, including dev-method edits).

        `context`, when given, supplies the block context (base fee, timestamp) instead of
        `header`: calls that name no fee run with base fee 0, as geth does.
        """
        root = self.head_state_root if header.hash == self.head.hash else bytes(header.state_root)
        ctx = context or header
        if ctx.state_root != root:  # an rlp copy costs more than the comparison; skip it if equal
            ctx = ctx.copy(state_root=root)
        return build_state(self.vm_class, ctx, self.db, self.chain_id, _LazyHashes(self, header))

    def head_state(self) -> StateAPI:
        """A read-only state at `latest` (dev edits included), shared until the head state changes.

        For reads only (admission, pool nonces, eth_getBalance at latest): building a py-evm
        state costs more than the reads themselves, and one shared reader keeps its account cache
        between them. Callers must not write to it; calls that execute use `state_at`.
        """
        key = (bytes(self.head.hash), self.head_state_root)
        if self._reader is None or self._reader_key != key or self._reader_uses >= _READER_USES:
            self._reader = self.state_at(self.head)
            self._reader_key = key
            self._reader_uses = 0
        self._reader_uses += 1  # bounds what its caches can hold when no block is mined
        return self._reader

    def edit_head_state(self, edit: "StateEdit") -> None:
        """Apply a dev-method edit (balance, code, nonce, storage) to the state at `latest`."""
        buffer = WriteBuffer(self.db)
        header = self.head.copy(state_root=self.head_state_root)
        state = build_state(self.vm_class, header, buffer, self.chain_id)
        edit(state)
        state.persist()
        ChainStore(buffer).set_meta("head_state_root", bytes(state.state_root))
        buffer.commit()
        self.head_state_root = bytes(state.state_root)

    # -- time ------------------------------------------------------------------------------
    def now(self) -> int:
        return int(time.time()) + self.time_offset

    def increase_time(self, seconds: int) -> int:
        """evm_increaseTime: the next block is at least `seconds` after the head; returns the offset.

        When blocks were mined faster than one a second the head runs ahead of the clock; that
        lead is folded in first, so time travel never moves less than asked.
        """
        lead = int(self.head.timestamp) - int(time.time())
        self.time_offset = max(self.time_offset, lead) + seconds
        return self.time_offset

    def timestamp_for_next_block(self, requested: int | None = None) -> int:
        """Strictly after the head; honours evm_setNextBlockTimestamp and time travel."""
        if requested is None:
            requested = self.next_timestamp
        if requested is not None:
            if requested <= self.head.timestamp:
                raise InvalidParams(
                    f"timestamp {requested} is not after the latest block's {self.head.timestamp}"
                )
            return requested
        return max(self.now(), self.head.timestamp + 1)

    # -- mining ----------------------------------------------------------------------------
    def mine(self, candidates: Sequence[SignedTransactionAPI], timestamp: int | None = None) -> BuiltBlock:
        """Build, store and adopt one block holding whichever candidates are valid."""
        ts = self.timestamp_for_next_block(timestamp)
        if timestamp is not None or self.next_timestamp is not None:
            # Time continues from the forced timestamp, as in Hardhat and Anvil.
            self.time_offset = ts - int(time.time())
        self.next_timestamp = None
        parent = self.head
        spec = BlockSpec(
            timestamp=ts,
            coinbase=self.coinbase,
            gas_limit=self.params.gas_limit,
            parent_state_root=self.head_state_root,
        )
        buffer = WriteBuffer(self.db)
        built = build_block(self.vm_class, buffer, self.chain_id, parent, spec, candidates)
        header = built.block.header
        stored = StoredBlock(header, tuple(built.transactions), tuple(built.senders), tuple(built.receipts))
        store = ChainStore(buffer)
        store.write_block(stored)
        store.set_meta("head_state_root", bytes(header.state_root))
        buffer.commit()
        self.store.remember(stored)
        self.head = header
        self.head_state_root = bytes(header.state_root)
        return built

    # -- snapshots -------------------------------------------------------------------------
    def snapshot(self) -> int:
        sid = self._next_snapshot_id
        self._next_snapshot_id += 1
        self._snapshots[sid] = _Snapshot(
            self.head.block_number, self.head_state_root, self.time_offset, self.next_timestamp
        )
        return sid

    def revert(self, snapshot_id: int) -> bool:
        """Restore the chain to a snapshot; the snapshot and all later ones are consumed."""
        snap = self._snapshots.get(snapshot_id)
        if snap is None:
            return False
        for sid in [s for s in self._snapshots if s >= snapshot_id]:
            del self._snapshots[sid]
        buffer = WriteBuffer(self.db)
        store = ChainStore(buffer)
        store.rewind_to(snap.head_number)
        store.set_meta("head_state_root", snap.head_state_root)
        buffer.commit()
        self.head = self.store.header(self.store.canonical_hash(snap.head_number))  # type: ignore[arg-type,assignment]
        self.head_state_root = snap.head_state_root
        self.time_offset = snap.time_offset
        self.next_timestamp = snap.next_timestamp
        return True

    def clear_snapshots(self) -> None:
        self._snapshots.clear()


def genesis_fingerprint(params: ChainParams) -> bytes:
    """What makes two genesis blocks the same chain, apart from the wall-clock timestamp."""
    parts = [str(params.chain_id), str(params.gas_limit), str(params.genesis_base_fee)]
    for address in sorted(params.alloc):
        a = params.alloc[address]
        parts.append(f"{address.hex()}:{a.balance}:{a.nonce}:{a.code.hex()}:{sorted(a.storage.items())}")
    return hashlib.sha256("|".join(parts).encode()).digest()


class _LazyHashes:
    """Ancestor hashes computed only if the code runs BLOCKHASH.

    py-evm's ExecutionContext calls `iter()` on this as soon as a state is built, so `__iter__`
    must be a generator: returning an iterator over a finished list read 256 index entries for
    every state, BLOCKHASH or not.
    """

    def __init__(self, backend: Backend, header: BlockHeaderAPI) -> None:
        self._backend = backend
        self._header = header

    def __iter__(self) -> Iterator[bytes]:
        store = self._backend.store
        n = self._header.block_number - 1
        for _ in range(_PREV_HASHES):
            h = store.canonical_hash(n) if n >= 0 else None
            if h is None:
                return
            yield h
            n -= 1

