"""py-evm's account and storage databases on the compiled trie (compiled_trie.py).

py-evm 0.12 builds its tries inline: `AccountDB.__init__` wraps `HexaryTrie(self._batchtrie, …)`,
`AccountDB._get_address_store` makes an `AccountStorageDB`, which makes a `StorageLookup`, whose
`_get_write_trie`/`_get_read_trie` make `HexaryTrie`s. These subclasses replace exactly those
objects and leave every other step (journals, caches, witnesses, persist order) to py-evm. The
account DB is plugged in by `chain/backend/vm.py` through `State.account_db_class`, py-evm's own
extension point; py-evm is pinned (setup.cfg), so the private names used here cannot move under
us unnoticed, and the differential tests would catch it if they did.

Where py-trie wrote each node into the batch as it went (and pruned the ones later replaced),
the compiled trie keeps new nodes until the batch is committed and then writes the ones the final
root reaches: the same nodes reach the database.
"""
from __future__ import annotations

import weakref

from typing import Any

from eth.abc import AccountStorageDatabaseAPI, DatabaseAPI
from eth.db.accesslog import KeyAccessLoggerDB
from eth.db.batch import BatchDB
from eth.db.cache import CacheDB
from eth.db.hash_trie import HashTrie
from eth.db.journal import JournalDB
from eth.db.storage import AccountStorageDB, StorageLookup
from eth_typing import Address, Hash32

from chain.backend.compiled_trie import CompiledHexaryTrie
from chain.backend.preimages import PreimageRecordingAccountDB


class FlushingBatchDB(BatchDB):
    """A BatchDB that asks a trie to write its waiting nodes into it before it is committed.

    It holds the trie weakly. The compiled trie holds this batch (its node database) from Rust,
    where Python's collector cannot see the reference: a strong reference back would make a
    cycle the collector never frees, and every account database (one per block and per call)
    with its caches stayed in memory for good (a soak's RSS grew by hundreds of MiB).
    """

    def __init__(self, wrapped_db: DatabaseAPI, read_through_deletes: bool = False) -> None:
        super().__init__(wrapped_db, read_through_deletes)
        self._trie: weakref.ReferenceType[CompiledHexaryTrie] | None = None

    def flush_first(self, trie: CompiledHexaryTrie) -> None:
        """Before each commit, have `trie` write its waiting nodes into this batch."""
        self._trie = weakref.ref(trie)

    def commit_to(self, target_db: DatabaseAPI, apply_deletes: bool = True) -> None:
        trie = self._trie() if self._trie is not None else None
        if trie is not None:
            trie.flush()
        super().commit_to(target_db, apply_deletes)


class CompiledStorageLookup(StorageLookup):
    """py-evm's StorageLookup with the compiled trie for reads and writes."""

    def _get_write_trie(self) -> Any:
        if self._trie_nodes_batch is None:
            self._trie_nodes_batch = BatchDB(self._db, read_through_deletes=True)
        if self._write_trie is None:
            self._write_trie = CompiledHexaryTrie(self._trie_nodes_batch, self._starting_root_hash)
        return self._write_trie

    def _get_read_trie(self) -> Any:
        if self._write_trie is not None:
            return self._write_trie
        return CompiledHexaryTrie(self._db, self._starting_root_hash)

    def commit_to(self, db: DatabaseAPI) -> None:
        if self._write_trie is not None:
            self._write_trie.flush()  # type: ignore[attr-defined]
        super().commit_to(db)


class CompiledAccountStorageDB(AccountStorageDB):
    """py-evm's AccountStorageDB over a CompiledStorageLookup (the layers above it rebuilt on it)."""

    def __init__(self, db: Any, storage_root: Hash32, address: Address) -> None:
        super().__init__(db, storage_root, address)
        self._storage_lookup = CompiledStorageLookup(db, storage_root, address)
        self._storage_cache = CacheDB(self._storage_lookup)
        self._locked_changes = JournalDB(self._storage_cache)
        self._journal_storage = JournalDB(self._locked_changes)


class CompiledTrieAccountDB(PreimageRecordingAccountDB):
    """Wabei's account DB (preimages recorded) with the account and storage tries compiled.

    Only for chains whose trie hash is keccak: `wabei_trie` hashes nodes with keccak, as py-trie
    does; vm.py chooses this class only then.
    """

    def __init__(self, db: Any, state_root: Any) -> None:
        super().__init__(db, state_root)
        batch = FlushingBatchDB(self._raw_store_db, read_through_deletes=True)
        trie = CompiledHexaryTrie(batch, state_root)
        batch.flush_first(trie)
        self._batchtrie = batch
        self._compiled_trie = trie
        self._trie = HashTrie(trie)  # type: ignore[arg-type]
        self._trie_logger = KeyAccessLoggerDB(self._trie, log_missing_keys=False)
        self._trie_cache = CacheDB(self._trie_logger)
        self._journaltrie = JournalDB(self._trie_cache)

    def has_root(self, state_root: bytes) -> bool:
        return self._compiled_trie.has_node(state_root)

    def _get_address_store(self, address: Address) -> AccountStorageDatabaseAPI:
        store = self._account_stores.get(address)
        if store is None:
            storage_root = self._get_storage_root(address)
            store = CompiledAccountStorageDB(self._raw_store_db, storage_root, address)
            self._account_stores[address] = store
        return store
