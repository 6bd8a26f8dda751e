"""Admission and the builder read the governance limits from the state they run on, so a dev
method's edit of the head state (no new block, same head hash) binds the next transaction.
Guards any future cache of the limits: one keyed by anything coarser than the state root (the
head's hash, the block number) would admit and mine these transactions. (A per-root cache was
tried for issue 16 and gave nothing: docs/benchmarks.md.)
"""
from __future__ import annotations

import asyncio

import pytest
from eth.abc import StateAPI
from eth_account import Account
from eth_utils import to_checksum_address

from chain.api.chain import Chain, build_chain
from chain.config import ChainConfig
from chain.exceptions import GasLimitExceeded
from chain.types import CallRequest
from vm_hooks.addresses import PERMISSION, SYSTEM_CONFIG
from vm_hooks.governance.store import FLAG_CONFIG, ConfigStore, PermissionStore

KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"  # the first dev account


class _Storage:
    """One account's storage in a state being edited (what a dev method writes through)."""

    def __init__(self, state: StateAPI, address: bytes) -> None:
        self._state, self._address = state, address

    def get_word(self, slot: int) -> int:
        return int(self._state.get_storage(self._address, slot))  # type: ignore[arg-type]

    def set_word(self, slot: int, value: int) -> None:
        self._state.set_storage(self._address, slot, value)  # type: ignore[arg-type]


def _set_tx_gas_limit(chain: Chain, limit: int) -> None:
    def edit(state: StateAPI) -> None:
        PermissionStore(_Storage(state, PERMISSION)).add_flag(FLAG_CONFIG)
        ConfigStore(_Storage(state, SYSTEM_CONFIG)).set("tx_gas_limit", limit, 0)
    chain.backend.edit_head_state(edit)


def _send(chain: Chain, gas: int) -> bytes:
    a0, a1 = chain.accounts[0].address, chain.accounts[1].address
    return asyncio.run(chain.transactions.send_transaction(CallRequest(sender=a0, to=a1, value=1, gas=gas)))


def test_admission_sees_a_dev_edit_of_the_limits_on_the_same_head() -> None:
    chain = build_chain(ChainConfig(genesis_timestamp=1_700_000_000))
    _send(chain, 100_000)  # admitted and mined under no limits
    head = chain.backend.head.hash
    _set_tx_gas_limit(chain, 60_000)
    assert chain.backend.head.hash == head  # same block, new state root
    with pytest.raises(GasLimitExceeded, match="tx_gas_limit"):
        _send(chain, 100_000)
    _set_tx_gas_limit(chain, 200_000)
    _send(chain, 100_000)
    assert chain.backend.head.block_number == 2


def test_the_builder_sees_a_dev_edit_of_the_limits() -> None:
    chain = build_chain(ChainConfig(genesis_timestamp=1_700_000_000))
    _send(chain, 100_000)
    _set_tx_gas_limit(chain, 60_000)
    signed = Account.from_key(KEY).sign_transaction({
        "chainId": 31337, "nonce": 1, "to": to_checksum_address(chain.accounts[1].address), "value": 1,
        "gas": 100_000, "maxFeePerGas": 10**10, "maxPriorityFeePerGas": 1})
    tx = chain.spec.decode_transaction(bytes(signed.raw_transaction))
    built = chain.backend.propose([tx], chain.backend.header_fields(int(chain.backend.head.timestamp) + 1, b"\x00" * 20))
    assert not built.transactions
    assert "tx_gas_limit" in built.rejected[0][1]
