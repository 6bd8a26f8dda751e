"""Remembering which addresses exist, so the state can be listed (anvil_dumpState).

The state trie is keyed by keccak(address), which cannot be reversed. This account database
records every address whose account it writes and, when it persists, stores keccak(address) →
address (and keccak(slot) → slot for storage) beside the trie nodes. It plugs in through py-evm's own extension point,
`State.account_db_class`.
"""
from __future__ import annotations

from typing import Any, Callable

from eth.db.account import AccountDB
from eth_typing import Address

PREIMAGE_PREFIX = b"wabei:preimage:"


class PreimageRecordingAccountDB(AccountDB):
    """Set `key_hash` to the chain's hash (the spec does, per crypto suite): the trie's keys."""

    key_hash: Callable[[bytes], bytes]

    def __init__(self, db: Any, state_root: Any) -> None:
        super().__init__(db, state_root)
        self._raw_db = db
        self._written: set[bytes] = set()
        self._slots: set[int] = set()

    def set_balance(self, address: Address, balance: int) -> None:
        self._written.add(address)
        super().set_balance(address, balance)

    def set_nonce(self, address: Address, nonce: int) -> None:
        self._written.add(address)
        super().set_nonce(address, nonce)

    def set_code(self, address: Address, code: bytes) -> None:
        self._written.add(address)
        super().set_code(address, code)

    def set_storage(self, address: Address, slot: int, value: int) -> None:
        self._written.add(address)
        self._slots.add(slot)
        super().set_storage(address, slot, value)

    def touch_account(self, address: Address) -> None:
        self._written.add(address)
        super().touch_account(address)

    def persist(self) -> Any:
        witness = super().persist()
        for address in self._written:
            key = PREIMAGE_PREFIX + self.key_hash(address)
            if key not in self._raw_db:
                self._raw_db[key] = bytes(address)
        for slot in self._slots:
            raw = slot.to_bytes(32, "big")
            key = PREIMAGE_PREFIX + self.key_hash(raw)
            if key not in self._raw_db:
                self._raw_db[key] = raw
        self._written.clear()
        self._slots.clear()
        return witness
