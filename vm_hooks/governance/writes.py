"""Metered storage of a governance account, created on its first write.

No genesis creates the governance accounts (0x…1000, 0x…1005, 0x…10003) unless a
`--governance` file seeds them: adding them to every genesis would change the devnet's genesis
hash and make every existing `--data-dir` devnet refuse to open. py-evm runs a precompile
whether its account exists or not, so reads need nothing; the first write gives the account
the platform's stub code and nonce 1, so EIP-161 never sweeps it (and its storage) away as an
empty touched account. That write is part of the transaction, so a revert undoes it too.
"""
from __future__ import annotations

from eth.abc import ComputationAPI
from eth_typing import Address

from vm_hooks.addresses import SYSTEM_STUB_CODE
from vm_hooks.storage import MeteredStorage


def writable(computation: ComputationAPI, address: Address) -> MeteredStorage:
    """Metered storage of `address`, whose account is made to exist first."""
    state = computation.state
    if not state.get_code(address):
        state.set_code(address, SYSTEM_STUB_CODE)
        if state.get_nonce(address) == 0:
            state.set_nonce(address, 1)
    return MeteredStorage(computation, address)
