"""The compiled state trie: py-trie's HexaryTrie surface over `wabei_trie` (native/wabei_trie).

py-trie and pyrlp were ~40% of the node's CPU per automined transfer (issue 16): thousands of
nibble-generator steps, RLP decodes and node validations per block. `wabei_trie` is the
ethereum/eth-trie.rs trie compiled with pyo3; this class gives it the few HexaryTrie methods
py-evm's account and storage databases call, so the state databases in compiled_state.py can
use it through subclassing. The nodes, roots and database layout are py-trie's (the
differential test in tests/unit/test_compiled_trie.py holds them to it), so eth_getProof, dumps
and a data dir written by either read the same.

New nodes wait inside the trie until `flush`, which writes the ones the current root reaches:
what py-trie's pruning leaves in the database. The state databases flush just before their
batch is committed.

The extension is optional: where it is not installed (no Rust at set-up) or WABEI_PURE_TRIE=1,
`compiled_trie_enabled()` is False and the node runs on py-trie, slower.
"""
from __future__ import annotations

import contextlib
import os
from typing import Any, Iterator

from eth_typing import Hash32
from trie.constants import BLANK_NODE_HASH
from trie.exceptions import MissingTrieNode

try:
    import wabei_trie as _native
except ImportError:  # no Rust toolchain at set-up: py-trie serves
    _native = None

PURE_TRIE_ENV = "WABEI_PURE_TRIE"


def compiled_trie_installed() -> bool:
    """True when the `wabei_trie` extension imported."""
    return _native is not None


def compiled_trie_enabled() -> bool:
    """True when the node should use the compiled trie: installed and not turned off with
    WABEI_PURE_TRIE=1 (tests and A/B measurements)."""
    return _native is not None and os.environ.get(PURE_TRIE_ENV, "") != "1"


class CompiledHexaryTrie:
    """A state or storage trie whose nodes live in `db` (a mapping keyed by keccak(node)).

    Same answers as py-trie's `HexaryTrie(db, root_hash, prune=True)`: `get` returns b"" for an
    absent key, setting b"" deletes, a node that is not in `db` raises trie's MissingTrieNode.
    Keys are the trie's own keys (already hashed by the caller, as py-evm does). Raises
    RuntimeError if the extension is not installed.
    """

    __slots__ = ("_trie", "__weakref__")

    def __init__(self, db: Any, root_hash: bytes = BLANK_NODE_HASH) -> None:
        if _native is None:
            raise RuntimeError("the wabei_trie extension is not installed; run ./scripts/setup with Rust on PATH")
        self._trie = _native.Trie(db, root_hash)

    @property
    def db(self) -> Any:
        """The mapping nodes are read from and flushed to."""
        return self._trie.db

    @property
    def root_hash(self) -> bytes:
        """The root after every change so far."""
        root: bytes = self._trie.root_hash
        return root

    @root_hash.setter
    def root_hash(self, value: bytes) -> None:
        self._trie.root_hash = value

    def get(self, key: bytes) -> bytes:
        try:
            value: bytes = self._trie.get(key)
        except _native.MissingNode as exc:
            raise self._missing(exc, key) from None
        return value

    def set(self, key: bytes, value: bytes) -> None:
        try:
            self._trie.set(key, value)
        except _native.MissingNode as exc:
            raise self._missing(exc, key) from None

    def delete(self, key: bytes) -> None:
        try:
            self._trie.delete(key)
        except _native.MissingNode as exc:
            raise self._missing(exc, key) from None

    def exists(self, key: bytes) -> bool:
        return self.get(key) != b""

    __getitem__ = get
    __setitem__ = set
    __delitem__ = delete
    __contains__ = exists

    def has_node(self, node_hash: bytes) -> bool:
        """True when the node is in `db` or waiting to be flushed there."""
        found: bool = self._trie.has_node(node_hash)
        return found

    def flush(self) -> int:
        """Write to `db` the new nodes the current root reaches, forget the others; how many."""
        written: int = self._trie.flush()
        return written

    @contextlib.contextmanager
    def squash_changes(self) -> Iterator[CompiledHexaryTrie]:
        """py-trie's atomic batch: on an exception the root goes back to where it was.

        Unlike py-trie, nothing is written here: new nodes already wait in the trie until
        `flush`, which writes only what the final root reaches.
        """
        root = self.root_hash
        try:
            yield self
        except BaseException:
            self.root_hash = root
            raise

    def _missing(self, exc: Exception, key: bytes) -> MissingTrieNode:
        node_hash = bytes(exc.args[0])
        try:
            root: bytes = self._trie.root_hash
        except Exception:  # the root itself cannot be re-encoded: name the missing node
            root = node_hash
        return MissingTrieNode(Hash32(node_hash), Hash32(root), key)
