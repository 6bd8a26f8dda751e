"""State dumps (anvil_dumpState, --dump-state) and loads (anvil_loadState, --load-state).

A dump is JSON: the readable state at the head (`accounts`, Anvil's shape) plus `database`, every
key and value of the chain database, so loading it into a fresh node restores blocks, receipts
and history exactly. A dump from another chain id loads only its accounts.
"""
from __future__ import annotations

import gzip
import json
import os
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

import orjson
import rlp
from eth.abc import BlockHeaderAPI
from eth.rlp.accounts import Account
from trie.hexary import HexaryTrie
from trie.iter import NodeIterator

from chain.backend.backend import Backend
from chain.backend.preimages import PREIMAGE_PREFIX
from chain.exceptions import InvalidParams, LimitExceeded, StorageError
from vm_hooks.deadline import Deadline

DUMP_VERSION = 1


@dataclass(frozen=True)
class DumpSource:
    """What a dump reads, fixed on the loop thread; the dump itself may then run on a call
    worker while blocks are mined (state is addressed by hash, and SQLite serves the worker a
    consistent snapshot of the table)."""

    db: Any
    chain_id: int
    head: BlockHeaderAPI
    root: bytes                         # the head's state root, with dev edits


def dump_source(backend: Backend) -> DumpSource:
    return DumpSource(backend.db, backend.chain_id, backend.head, backend.head_state_root)


def dump_json(src: DumpSource, max_bytes: int = 0, deadline: Deadline | None = None) -> Iterator[bytes]:
    """The dump as JSON text, in pieces, so no copy of the database is held as a dict.
    Raises LimitExceeded once the text passes `max_bytes` (0: no bound); checks `deadline`
    (shutdown, the client gone) as it goes."""
    head = src.head
    top = orjson.dumps({
        "version": DUMP_VERSION,
        "chainId": src.chain_id,
        "block": {"number": head.block_number, "hash": "0x" + bytes(head.hash).hex(),
                  "timestamp": head.timestamp},
        "accounts": _accounts(src.db, src.root, deadline),
    })
    size = 0

    def sized(piece: bytes) -> bytes:
        nonlocal size
        size += len(piece)
        if max_bytes and size > max_bytes:
            raise LimitExceeded(f"state dump too large: its JSON passes {max_bytes:,} bytes, the node's dump "
                                "limit (dump_max_bytes); copy the --data-dir, or use --dump-state at shutdown")
        return piece

    yield sized(top[:-1] + b',"database":{')
    first = True
    for n, (k, v) in enumerate(src.db.all_items()):
        yield sized(b'%s"%s":"%s"' % (b"" if first else b",", k.hex().encode(), v.hex().encode()))
        first = False
        if deadline is not None and n & 1023 == 0:
            deadline.check()
    yield b"}}"


def write_gzip_dump(src: DumpSource, sink: Any, max_bytes: int = 0, deadline: Deadline | None = None) -> None:
    """The gzip-compressed dump written into `sink` (a binary file object) as it is made, so
    neither the JSON nor the compressed dump is ever held whole (chain/rpc/streamed.py)."""
    with gzip.GzipFile(fileobj=sink, mode="wb", mtime=0) as gz:
        for piece in dump_json(src, max_bytes, deadline):
            gz.write(piece)


def dump_state(backend: Backend) -> dict[str, Any]:
    """The whole dump as one object (tests, small chains)."""
    parsed: dict[str, Any] = orjson.loads(b"".join(dump_json(dump_source(backend))))
    return parsed


def _accounts(db: Any, root: bytes, deadline: Deadline | None) -> dict[str, Any]:
    """The readable state at `root`, Anvil's shape: accounts whose address is known."""
    accounts: dict[str, Any] = {}
    for key, raw in NodeIterator(HexaryTrie(db, root)).items():
        if deadline is not None:
            deadline.check()
        address = db.get(PREIMAGE_PREFIX + bytes(key))
        if address is None:
            continue  # written before preimages were recorded: cannot be named
        account = rlp.decode(raw, sedes=Account)
        storage = {}
        for slot_key, value in NodeIterator(HexaryTrie(db, account.storage_root)).items():
            slot = db.get(PREIMAGE_PREFIX + bytes(slot_key))
            if slot is not None:
                storage["0x" + bytes(slot).hex()] = hex(rlp.decode(value, sedes=rlp.sedes.big_endian_int))
        accounts["0x" + bytes(address).hex()] = {
            "nonce": account.nonce,
            "balance": hex(account.balance),
            "code": "0x" + bytes(db.get(account.code_hash, b"")).hex(),
            "storage": storage,
        }
    return accounts


def read_gzip_dump(raw: bytes, max_bytes: int) -> bytes:
    """Decompress what anvil_dumpState returned, refusing more than `max_bytes` of JSON (0: no
    bound), so a small request cannot expand into gigabytes."""
    inflate = zlib.decompressobj(wbits=31)  # gzip framing
    try:
        text = inflate.decompress(raw, max_bytes + 1) if max_bytes else inflate.decompress(raw)
    except zlib.error as exc:
        raise InvalidParams(f"invalid state: corrupt or truncated dump ({exc}); nothing was loaded") from exc
    if max_bytes and len(text) > max_bytes:
        raise LimitExceeded(f"state dump too large: it expands past {max_bytes:,} bytes, the node's dump "
                            "limit (dump_max_bytes); nothing was loaded")
    if not inflate.eof:
        raise InvalidParams("invalid state: truncated gzip data; nothing was loaded")
    return text


def load_state(backend: Backend, dump: Any) -> None:
    """Restore a dump: the whole chain when it is of this chain id, else only its accounts."""
    if not isinstance(dump, dict) or dump.get("version") != DUMP_VERSION or not isinstance(
        dump.get("accounts"), dict
    ):
        raise InvalidParams("not a Wabei state dump (missing version/accounts); nothing was loaded")
    try:
        if dump.get("chainId") == backend.chain_id and isinstance(dump.get("database"), dict):
            changes = {bytes.fromhex(k): bytes.fromhex(v) for k, v in dump["database"].items()}
            block_hash = bytes.fromhex(dump["block"]["hash"][2:])
            if block_hash not in changes:
                raise InvalidParams("state dump is truncated: its head block is missing")
            backend.db.write(changes)  # type: ignore[attr-defined]  # one atomic batch
            backend.reload()
            return
        edits = [_account_edit(addr, acct) for addr, acct in dump["accounts"].items()]
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        raise InvalidParams(f"corrupt state dump, nothing was loaded: {exc}") from exc

    def apply(state: Any) -> None:
        for edit in edits:
            edit(state)
    backend.edit_head_state(apply)


def _account_edit(address_hex: str, acct: dict[str, Any]) -> Any:
    address = bytes.fromhex(address_hex[2:])
    if len(address) != 20:
        raise ValueError(f"bad address {address_hex}")
    nonce, balance = int(acct["nonce"]), int(acct["balance"], 16)
    code = bytes.fromhex(acct.get("code", "0x")[2:])
    storage = {int(k, 16): int(v, 16) for k, v in acct.get("storage", {}).items()}

    def edit(state: Any) -> None:
        state.set_nonce(address, nonce)
        state.set_balance(address, balance)
        state.set_code(address, code)
        for slot, value in storage.items():
            state.set_storage(address, slot, value)
    return edit


def write_dump_file(path: Path, dump: Iterable[bytes]) -> None:
    """Write the pieces of `dump_json` atomically: a crash mid-write leaves the previous file,
    never half of a new one."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        with open(tmp, "wb") as f:
            for piece in dump:
                f.write(piece)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise StorageError(f"cannot write state dump {path}: {exc.strerror}") from exc


def read_dump_file(path: Path) -> Any:
    try:
        with open(path) as f:
            return json.load(f)
    except OSError as exc:
        raise StorageError(f"cannot read state dump {path}: {exc.strerror}") from exc
    except ValueError as exc:
        raise StorageError(f"state dump {path} is corrupt or truncated (not JSON): {exc}") from exc


__all__ = ["DumpSource", "dump_source", "dump_json", "write_gzip_dump", "dump_state", "load_state",
           "read_gzip_dump", "write_dump_file", "read_dump_file"]
