"""Empty blocks in bulk (`anvil_mine`/`hardhat_mine`/`evm_mine` of many blocks) without the VM.

An empty post-merge block changes no state on a chain where none of the fork's system contracts
(EIP-2935 history, EIP-4788 beacon roots, EIP-7002 withdrawal and EIP-7251 consolidation
requests) has code: no transactions, no rewards, no withdrawals, no requests. Its header is then
its predecessor's with five fields moved on: parent hash, number, timestamp, prevrandao (Wabei
derives it from the parent hash) and the EIP-1559 base fee; every root, the bloom, the gas used
and the blob fields stay as they are (the excess blob gas stays 0 once it is 0).

So a run starts with one block built the ordinary way — the template, executed by the VM and
checked against the fork's header rules — and each further header is the template re-encoded
with those five fields: an RLP splice and two keccaks (~30 us) instead of a VM run (~1.2 ms).
Each header is a real block that any node re-executing it accepts (tests/unit/test_empty_run.py
compares a run field by field with blocks built by the VM, and a follower imports them).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, cast

import rlp
from eth.abc import BlockHeaderAPI, StateAPI
from eth.vm.forks.cancun.constants import BEACON_ROOTS_ADDRESS
from eth.vm.forks.london.headers import calculate_expected_base_fee_per_gas
from eth.vm.forks.prague.constants import (
    CONSOLIDATION_REQUEST_PREDEPLOY_ADDRESS, HISTORY_STORAGE_ADDRESS,
    WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS,
)
from eth_hash.auto import keccak
from eth_typing import Address

SYSTEM_CONTRACTS = (HISTORY_STORAGE_ADDRESS, BEACON_ROOTS_ADDRESS,
                    WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS, CONSOLIDATION_REQUEST_PREDEPLOY_ADDRESS)
# Positions in the Prague header's RLP list (the order of py-evm's PragueBlockHeader fields).
_PARENT, _NUMBER, _GAS_LIMIT, _GAS_USED, _TIMESTAMP, _MIX, _BASE_FEE = 0, 8, 9, 10, 11, 13, 15
_BLOB_GAS_USED, _EXCESS_BLOB_GAS, _FIELDS = 17, 18, 21
EMPTY_LIST = b"\xc0"  # rlp.encode([]): an empty body, and an empty receipt list


@dataclass(frozen=True)
class EmptyHeader:
    """One header of a run, as stored: its hash and consensus encoding."""

    number: int
    timestamp: int
    hash: bytes
    encoded: bytes


@dataclass(frozen=True)
class _FeeParent:
    """The three fields the EIP-1559 rule reads from a parent header."""

    base_fee_per_gas: int
    gas_limit: int
    gas_used: int


def needs_execution(state: StateAPI, template: BlockHeaderAPI) -> str | None:
    """Why an empty block after `template` must run through the VM, or None if it need not."""
    if template.gas_used or template.blob_gas_used or template.excess_blob_gas:
        return "the template block is not empty"
    for address in SYSTEM_CONTRACTS:
        if state.get_code(Address(address)):
            return f"system contract 0x{bytes(address).hex()} has code"
    return None


class EmptyRun:
    """The headers that follow `template`, one per `next(timestamp)`."""

    def __init__(self, template: BlockHeaderAPI, prevrandao: Callable[[bytes], bytes]) -> None:
        """`prevrandao(parent_hash)` is the producer's choice of mix hash (Backend.header_fields)."""
        items = rlp.decode(rlp.encode(template))
        if len(items) != _FIELDS:
            raise ValueError(f"not a Prague header: {len(items)} fields")
        self._items = [_item(i) for i in items]  # the fields, each already RLP-encoded
        self._prevrandao = prevrandao
        self._gas_limit = int(template.gas_limit)
        self.last = EmptyHeader(int(template.block_number), int(template.timestamp),
                                bytes(template.hash), rlp.encode(template))
        self._base_fee = int(template.base_fee_per_gas or 0)

    def next(self, timestamp: int) -> EmptyHeader:
        """The empty block after the last one, at `timestamp` (strictly later, as the fork demands)."""
        parent = self.last
        if timestamp <= parent.timestamp:
            raise ValueError(f"timestamp {timestamp} is not after block {parent.number}'s")
        base_fee = calculate_expected_base_fee_per_gas(
            cast(BlockHeaderAPI, _FeeParent(self._base_fee, self._gas_limit, 0)))
        items = self._items
        items[_PARENT] = _item(parent.hash)
        items[_NUMBER] = _item(_uint(parent.number + 1))
        items[_TIMESTAMP] = _item(_uint(timestamp))
        items[_MIX] = _item(self._prevrandao(parent.hash))
        items[_BASE_FEE] = _item(_uint(base_fee))
        encoded = _list(items)
        self._base_fee = base_fee
        self.last = EmptyHeader(parent.number + 1, timestamp, keccak(encoded), encoded)  # py-evm hashes so
        return self.last


def _uint(value: int) -> bytes:
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


def _item(data: bytes) -> bytes:
    """RLP of one byte string (the list is re-joined by `_list`; pyrlp encodes ~80 us a header)."""
    n = len(data)
    if n == 1 and data[0] < 0x80:
        return data
    if n < 56:
        return bytes((0x80 + n,)) + data
    length = _uint(n)
    return bytes((0xB7 + len(length),)) + length + data


def _list(encoded_items: list[bytes]) -> bytes:
    payload = b"".join(encoded_items)
    n = len(payload)
    if n < 56:
        return bytes((0xC0 + n,)) + payload
    length = _uint(n)
    return bytes((0xF7 + len(length),)) + length + payload
