"""FinalizeBlock's validator updates: how the set recorded by the Consensus precompile (0x1003,
vm_hooks/consensus) reaches CometBFT.

After a block executes, the sealers recorded in the precompile's storage after the block are
compared with those before it; every key whose power differs becomes one update (power 0
removes it). Diffing the two states, rather than logging each call, keeps the updates right
when several calls in one block undo each other, and never asks CometBFT to remove a key it
does not have (an observer that was never a validator), which CometBFT would treat as a fatal
error. The updates follow from the two state roots alone, so a replayed height gives the same.
CometBFT applies updates returned at height H from height H + 2.
"""
from __future__ import annotations

from eth.abc import AtomicDatabaseAPI, BlockHeaderAPI

from chain.backend.backend import Backend
from vm_hooks.addresses import CONSENSUS
from vm_hooks.consensus.store import ConsensusStore, StateWords


def sealers_at(backend: Backend, root: bytes, context: BlockHeaderAPI,
               db: AtomicDatabaseAPI | None = None) -> dict[bytes, int]:
    """Validator key → power recorded at state `root` (read through `db`, e.g. a block's
    uncommitted writes)."""
    state = backend.call_state(root, context, db=db)
    return ConsensusStore(StateWords(state, CONSENSUS)).sealers()


def power_changes(before: dict[bytes, int], after: dict[bytes, int]) -> list[tuple[bytes, int]]:
    """(key, new power) for every key whose power differs, in key order (deterministic)."""
    return [(key, after.get(key, 0)) for key in sorted(before.keys() | after.keys())
            if before.get(key, 0) != after.get(key, 0)]


def block_changes(backend: Backend, pre_root: bytes, post_root: bytes, header: BlockHeaderAPI,
                  db: AtomicDatabaseAPI | None = None) -> list[tuple[bytes, int]]:
    """The validator updates of the block `header`, executed from `pre_root` to `post_root`."""
    if pre_root == post_root:
        return []
    return power_changes(sealers_at(backend, pre_root, header, db), sealers_at(backend, post_root, header, db))
