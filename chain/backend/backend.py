"""The only object that touches py-evm: chain head, state reads, and the three block steps.

It speaks bytes and ints. A block is *proposed* from candidate transactions (builder.py) or
*imported* from elsewhere and re-executed strictly (importer.py); both give a `BuiltBlock` whose
writes are still pending, and `commit` stores it, its indexes and the new head in one atomic
batch. Pool clean-up and announcements are the chain's commit step (chain/api/blocks.py).
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field, replace
from typing import Callable, Iterator, Sequence

import rlp
from eth.abc import AtomicDatabaseAPI, BlockAPI, BlockHeaderAPI, SignedTransactionAPI, StateAPI
from eth.rlp.accounts import Account
from eth_typing import Address
from trie.hexary import HexaryTrie

from chain.backend.builder import check_header, propose_block
from chain.backend.empty_run import EmptyHeader
from chain.backend.execution import BuiltBlock, HeaderFields
from chain.backend.importer import import_block
from chain.backend.vm import build_state, build_traced_vm_class
from chain.exceptions import InvalidBlock, StorageError
from chain.genesis import build_genesis
from chain.spec import ChainSpec
from chain.storage.buffer import WriteBuffer
from chain.storage.chain_store import ChainStore, StoredBlock
from chain.storage.memory_db import MemoryStore
from chain.types import GenesisAccount

_PREV_HASHES = 256
_READER_USES = 10_000  # reads served by one shared head reader before it is rebuilt
StateEdit = Callable[[StateAPI], None]


@dataclass(frozen=True)
class ChainParams:
    chain_id: int
    gas_limit: int
    genesis_base_fee: int
    genesis_timestamp: int | None
    coinbase: bytes
    alloc: dict[bytes, GenesisAccount] = field(default_factory=dict)


@dataclass(frozen=True)
class AccountProof:
    """eth_getProof's answer in bytes and ints: trie nodes from the state root down."""

    account_proof: list[bytes]
    balance: int
    code_hash: bytes
    nonce: int
    storage_hash: bytes
    storage: list[tuple[int, int, list[bytes]]]  # (slot, value, proof nodes)


class Backend:
    """Holds the canonical chain and the state the next block builds on."""

    def __init__(self, db: AtomicDatabaseAPI, params: ChainParams, spec: ChainSpec) -> None:
        self.db = db
        self.params = params
        self.spec = spec
        self.store = ChainStore(db, spec)
        self._reader: StateAPI | None = None
        self._reader_key: tuple[bytes, bytes] | None = None
        self._reader_uses = 0
        self._start_params = params  # what anvil_reset goes back to
        if self.store.head_hash() is None:
            self._write_genesis(self.db)
        self._check_chain_id()
        self.reload()

    def reload(self) -> None:
        """Read the head from the database (start-up, and after a state load)."""
        self.head: BlockHeaderAPI = self.store.header(self.store.head_hash())  # type: ignore[arg-type,assignment]
        # Dev methods (setBalance, setCode...) change state without a block; reads at `latest`
        # and the next block start from this root rather than the head header's.
        saved_root = self.store.meta("head_state_root")
        self.head_state_root: bytes = bytes(saved_root) if saved_root else bytes(self.head.state_root)
        self.store.forget()

    # -- genesis ---------------------------------------------------------------------------
    def _write_genesis(self, db: AtomicDatabaseAPI) -> None:
        p = self.params
        buffer = WriteBuffer(db)
        header = build_genesis(
            self.spec,
            buffer,
            p.alloc,
            gas_limit=p.gas_limit,
            timestamp=p.genesis_timestamp if p.genesis_timestamp is not None else int(time.time()),
            base_fee=p.genesis_base_fee,
            coinbase=p.coinbase,
        )
        store = ChainStore(buffer, self.spec)
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
    def root_at(self, header: BlockHeaderAPI) -> bytes:
        """The state root a read at `header` sees: at the head, including dev-method edits."""
        return self.head_state_root if header.hash == self.head.hash else bytes(header.state_root)

    def state_at(self, header: BlockHeaderAPI, context: BlockHeaderAPI | None = None,
                 traced: bool = False) -> StateAPI:
        """A throwaway state after `header` (at the head, including dev-method edits).

        `context`, when given, supplies the block context (base fee, timestamp) instead of
        `header`: calls that name no fee run with base fee 0, as geth does. `traced` builds it
        from the tracing VM class, which a tracer can be attached to (debug_traceCall).
        """
        return self.call_state(self.root_at(header), context or header, traced)

    def call_state(self, root: bytes, context: BlockHeaderAPI, traced: bool = False,
                   db: AtomicDatabaseAPI | None = None) -> StateAPI:
        """A throwaway state on `root` with `context`'s block context, over `db` (default: the
        chain's database). It reads nodes by hash and the canonical index only, never the head,
        so a call worker may build and run it while the loop thread commits blocks."""
        ctx = context if context.state_root == root else context.copy(state_root=root)
        # BLOCKHASH sees the ancestors of the context's block: for the next block, that includes
        # the head itself.
        vm_class = build_traced_vm_class(self.spec.vm_class) if traced else self.spec.vm_class
        return build_state(vm_class, ctx, self.db if db is None else db, self.chain_id,
                           _LazyHashes(self, ctx))

    def state_after(self, built: BuiltBlock, context: BlockHeaderAPI, traced: bool = False) -> StateAPI:
        """A throwaway state after a proposed, uncommitted block (read through its write
        buffer), with `context`'s block context; for calls in the pending block."""
        return self.call_state(bytes(built.block.header.state_root), context, traced, built.writes)

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

    def proof(self, header: BlockHeaderAPI, address: bytes, slots: Sequence[int]) -> AccountProof:
        """Merkle proofs of an account and some of its storage slots at `header` (eth_getProof)."""
        hash_ = self.spec.crypto.hash
        state = self.state_at(header)
        addr = Address(address)
        account_trie = HexaryTrie(self.db, state.state_root)
        raw_account = account_trie.get(hash_(address))
        account = rlp.decode(raw_account, sedes=Account) if raw_account else Account()
        storage_root = bytes(account.storage_root)
        storage_trie = HexaryTrie(self.db, storage_root)
        return AccountProof(
            account_proof=[rlp.encode(n) for n in account_trie.get_proof(hash_(address))],
            balance=int(state.get_balance(addr)),
            code_hash=bytes(state.get_code_hash(addr)),
            nonce=int(state.get_nonce(addr)),
            storage_hash=storage_root,
            storage=[(s, int(state.get_storage(addr, s)),
                      [rlp.encode(n) for n in storage_trie.get_proof(hash_(s.to_bytes(32, "big")))])
                     for s in slots],
        )

    def pre_state_root(self, header: BlockHeaderAPI, parent: BlockHeaderAPI) -> bytes:
        """The state root block `header` was executed on: its parent's, unless a dev method had
        edited the head state before it was built."""
        edited = self.store.meta(_pre_state_key(bytes(header.hash)))
        return bytes(edited) if edited else bytes(parent.state_root)

    # -- produce / import / commit -----------------------------------------------------------
    def header_fields(self, timestamp: int, coinbase: bytes, gas_limit: int | None = None,
                      base_fee: int | None = None, mix_hash: bytes | None = None) -> HeaderFields:
        """The proposer's choices for the block after the head: the head's gas limit unless
        `gas_limit` changes it, EIP-1559's base fee unless `base_fee` overrides it (a devnet),
        and a prevrandao derived from the head unless `mix_hash` is given."""
        return HeaderFields(
            timestamp=timestamp,
            coinbase=coinbase,
            gas_limit=int(self.head.gas_limit) if gas_limit is None else gas_limit,
            mix_hash=mix_hash if mix_hash is not None else self.prevrandao(bytes(self.head.hash)),
            base_fee=base_fee,
        )

    def prevrandao(self, parent_hash: bytes) -> bytes:
        """The mix hash this node proposes after `parent_hash`: unpredictable enough for a
        devnet, and reproducible from the parent."""
        return self.spec.crypto.hash(parent_hash + b"prevrandao")

    def next_header(self, fields: HeaderFields) -> BlockHeaderAPI:
        """The header the block after the head would get with `fields` (number, base fee, time,
        coinbase), on the head's state including dev edits; for calls, never stored."""
        header: BlockHeaderAPI = self.spec.vm_class.create_header_from_parent(
            self.head,
            coinbase=fields.coinbase,
            timestamp=fields.timestamp,
            gas_limit=fields.gas_limit,
            mix_hash=fields.mix_hash,
            extra_data=fields.extra_data,
            state_root=self.head_state_root,
        )
        if fields.base_fee is not None:
            header = header.copy(base_fee_per_gas=fields.base_fee)
        return header

    def propose(self, candidates: Sequence[SignedTransactionAPI], fields: HeaderFields,
                dev_overrides: bool = False, parent: BlockHeaderAPI | None = None,
                root: bytes | None = None) -> BuiltBlock:
        """Build the next block from whichever candidates are valid; nothing is stored yet.

        `dev_overrides`: the fields carry a devnet's gas limit or base fee (builder.check_header).
        On the head by default; a call worker passes the `parent` and `root` the loop thread saw
        when the call was made, as the head may move while it runs."""
        return propose_block(self.spec, WriteBuffer(self.db), self.chain_id, parent or self.head,
                             self.head_state_root if root is None else root, fields, candidates,
                             dev_overrides)

    def import_block(self, block: BlockAPI) -> BuiltBlock:
        """Re-execute a block produced elsewhere on the head; raises InvalidBlock if it lies."""
        header = block.header
        if header.parent_hash != self.head.hash:
            raise InvalidBlock(
                f"block {header.block_number} does not extend this node's head "
                f"{self.head.block_number} (0x{bytes(self.head.hash).hex()})"
            )
        if self.head_state_root != bytes(self.head.state_root):
            raise InvalidBlock("this node's head state was edited by a dev method; it cannot import")
        return import_block(self.spec, WriteBuffer(self.db), self.chain_id, self.head,
                            self.head_state_root, block)

    def commit(self, built: BuiltBlock) -> StoredBlock:
        """Store a proposed or imported block with its indexes and make it the head, atomically.

        Raises InvalidBlock if the head moved since the block was built on it, and StorageError
        if the database refuses the write (the head does not move then).
        """
        if built.parent.hash != self.head.hash:
            raise InvalidBlock("the block was built on a parent that is no longer the head")
        started = time.perf_counter()
        header = built.block.header
        stored = StoredBlock(header, tuple(built.transactions), tuple(built.senders), tuple(built.receipts))
        store = ChainStore(built.writes, self.spec)
        store.write_block(stored)
        store.set_meta("head_state_root", bytes(header.state_root))
        if built.pre_state_root != bytes(built.parent.state_root):
            # Built on a dev-edited head state: keep that root, or the block cannot be replayed
            # (debug_trace*). Rare, so one small row only for such blocks.
            store.set_meta(_pre_state_key(bytes(header.hash)), built.pre_state_root)
        times = built.times
        times.commit_bytes = built.writes.commit()
        times.commit_s = time.perf_counter() - started
        times.committed = time.time()
        self.store.remember(stored)
        self.head = header
        self.head_state_root = bytes(header.state_root)
        return stored

    def commit_empty_run(self, run: Sequence[EmptyHeader]) -> BlockHeaderAPI:
        """Store empty blocks that follow the head (chain/backend/empty_run.py) in one batch and
        make the last one the head; returns it.

        The run's ends are checked against the fork's header rules, as every proposed block is:
        the first against the head, the last against its parent.
        """
        if not run:
            return self.head
        decode = self.spec.decode_header
        first, last = decode(run[0].encoded), decode(run[-1].encoded)
        check_header(self.spec, first, self.head)
        if len(run) > 1:
            check_header(self.spec, last, decode(run[-2].encoded))
        if bytes(last.state_root) != self.head_state_root:
            raise InvalidBlock("an empty run must keep the head's state root")
        buffer = WriteBuffer(self.db)
        store = ChainStore(buffer, self.spec)
        for h in run:
            store.write_empty_block(h.hash, h.number, h.encoded)
        buffer.commit()
        self.head = last
        return last

    # -- dev powers: reached only through chain.api.dev.DevControls ---------------------------
    def edit_head_state(self, edit: StateEdit) -> None:
        """Apply a dev-method edit (balance, code, nonce, storage) to the state at `latest`."""
        buffer = WriteBuffer(self.db)
        header = self.head.copy(state_root=self.head_state_root)
        state = build_state(self.spec.vm_class, header, buffer, self.chain_id)
        edit(state)
        state.persist()
        ChainStore(buffer, self.spec).set_meta("head_state_root", bytes(state.state_root))
        buffer.commit()
        self.head_state_root = bytes(state.state_root)

    def rewind(self, number: int, state_root: bytes) -> None:
        """Make block `number` the head again, with `state_root` as the state at `latest`."""
        buffer = WriteBuffer(self.db)
        store = ChainStore(buffer, self.spec)
        store.rewind_to(number)
        store.set_meta("head_state_root", state_root)
        buffer.commit()
        self.head = self.store.header(self.store.canonical_hash(number))  # type: ignore[arg-type,assignment]
        self.head_state_root = state_root

    def reset(self) -> None:
        """anvil_reset: a fresh genesis from the start parameters, replacing the whole database
        in one transaction, so a crash leaves either the old chain or the new one."""
        fresh = MemoryStore()
        self.params = self._start_params
        self._write_genesis(fresh)
        self.db.replace_all(fresh.all_items())  # type: ignore[attr-defined]  # SqliteDB / MemoryStore
        self._reader = None
        self.reload()

    def set_chain_id(self, chain_id: int) -> None:
        """anvil_setChainId: what CHAINID returns and transactions are signed and checked for.
        Held in memory only (DevControls refuses it on a stored chain); reset restores it."""
        self.params = replace(self.params, chain_id=chain_id)
        self._reader = None


def _pre_state_key(block_hash: bytes) -> str:
    return "pre_state_root:" + block_hash.hex()


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
