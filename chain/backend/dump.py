"""State dumps (anvil_dumpState, --dump-state) and loads (anvil_loadState, --load-state).

A dump is JSON: the readable state at the head (`accounts`, Anvil's shape) plus `database`, every
key and value of the chain database, so loading it into a fresh node restores blocks, receipts
and history exactly. A dump from another chain id loads only its accounts.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import rlp
from eth.rlp.accounts import Account
from trie.hexary import HexaryTrie
from trie.iter import NodeIterator

from chain.backend.backend import Backend
from chain.backend.preimages import PREIMAGE_PREFIX
from chain.exceptions import InvalidParams, StorageError

DUMP_VERSION = 1


def dump_state(backend: Backend) -> dict[str, Any]:
    db = backend.db
    accounts: dict[str, Any] = {}
    trie = HexaryTrie(db, backend.head_state_root)
    for key, raw in NodeIterator(trie).items():
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
    head = backend.head
    return {
        "version": DUMP_VERSION,
        "chainId": backend.chain_id,
        "block": {"number": head.block_number, "hash": "0x" + bytes(head.hash).hex(),
                  "timestamp": head.timestamp},
        "accounts": accounts,
        "database": {k.hex(): v.hex() for k, v in db.all_items()},  # type: ignore[attr-defined]
    }


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


def write_dump_file(path: Path, dump: dict[str, Any]) -> None:
    """Atomically: a crash mid-write leaves the previous file, never half of a new one."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        with open(tmp, "w") as f:
            json.dump(dump, f)
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


__all__ = ["dump_state", "load_state", "write_dump_file", "read_dump_file"]
