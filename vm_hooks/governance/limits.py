"""What the node outside the VM needs from governance state: the system config's limits (for
pool admission, the block builder and the importer) and whether a sender is frozen (admission).

All reads are unmetered reads of the state after the last block, so a value set in block N
binds from block N + 1, and every node reading the same state decides the same. Each read is
skipped while the Permission account's `flags` say no such rule exists, so an open chain pays
one storage read per admitted transaction and per block.
"""
from __future__ import annotations

from dataclasses import dataclass

from eth.abc import StateAPI

from vm_hooks.addresses import ACCOUNT_MANAGER, PERMISSION, SYSTEM_CONFIG
from vm_hooks.consensus.store import StateWords
from vm_hooks.governance.rules import FLAGS_SLOT, account_denial
from vm_hooks.governance.store import FLAG_ACCOUNT, FLAG_CONFIG, AccountStore, ConfigStore


@dataclass(frozen=True)
class ChainLimits:
    """The system config's limits; None where the key was never set."""

    tx_count_limit: int | None = None
    tx_gas_limit: int | None = None
    block_gas_limit: int | None = None

    def block_gas(self, header_gas_limit: int) -> int:
        """Gas the builder may pack into a block whose header allows `header_gas_limit`."""
        return header_gas_limit if self.block_gas_limit is None else min(header_gas_limit, self.block_gas_limit)

    def tx_gas(self, header_gas_limit: int) -> int:
        """The most gas one transaction may ask for in such a block."""
        cap = self.block_gas(header_gas_limit)
        return cap if self.tx_gas_limit is None else min(cap, self.tx_gas_limit)


NO_LIMITS = ChainLimits()


def _flags(state: StateAPI) -> int:
    return int(state.get_storage(PERMISSION, FLAGS_SLOT))


def chain_limits(state: StateAPI) -> ChainLimits:
    """The limits in force for the block built on `state`."""
    if not _flags(state) & FLAG_CONFIG:
        return NO_LIMITS
    store = ConfigStore(StateWords(state, SYSTEM_CONFIG))
    return ChainLimits(store.get("tx_count_limit")[0], store.get("tx_gas_limit")[0],
                       store.get("block_gas_limit")[0])


def sender_denial(state: StateAPI, sender: bytes) -> str | None:
    """Why a transaction from `sender` is refused (frozen or abolished), or None."""
    if not _flags(state) & FLAG_ACCOUNT:
        return None
    return account_denial(AccountStore(StateWords(state, ACCOUNT_MANAGER)).status(sender), sender)
