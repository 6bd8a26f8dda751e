"""The one place that chooses the py-evm VM class and the objects it needs to run."""
from __future__ import annotations

import functools
from typing import Iterable

from eth.abc import AtomicDatabaseAPI, BlockHeaderAPI, StateAPI
from eth.consensus.context import ConsensusContext
from eth.db.chain import ChainDB
from eth.vm.chain_context import ChainContext
from eth.vm.forks.prague import PragueVM
from eth.vm.forks.prague.state import PragueState

from chain.backend.preimages import PreimageRecordingAccountDB
from chain.crypto import CryptoSuite
from vm_hooks.computation import WabeiComputation
from vm_hooks.tracing import TracingStateMixin


@functools.cache
def build_vm_class(crypto: CryptoSuite) -> type[PragueVM]:
    """The py-evm VM class of a Wabei chain with the crypto suite `crypto`.

    Prague is the newest fork py-evm 0.12 implements; Solidity targets `cancun`, which it runs.
    The state records address and slot preimages so the state can be listed (dumps), and runs
    Wabei's computation class, which adds the platform precompiles (vm_hooks). One class per
    suite, so every chain of a suite shares it.
    """
    account_db = type(f"PreimageAccountDB_{crypto.name}", (PreimageRecordingAccountDB,),
                      {"key_hash": staticmethod(crypto.hash)})
    state = PragueState.configure(
        __name__=f"WabeiPragueState_{crypto.name}",
        account_db_class=account_db,
        computation_class=WabeiComputation,
    )
    vm: type[PragueVM] = PragueVM.configure(__name__=f"WabeiPragueVM_{crypto.name}", _state_class=state)
    return vm


@functools.cache
def build_traced_vm_class(vm_class: type[PragueVM]) -> type[PragueVM]:
    """`vm_class` with a state that can run a tracer (vm_hooks/tracing.py), for debug_trace*.

    Only traced runs use it; the chain's own `vm_class` is untouched, so mining, imports and calls
    never pass through a tracing hook.
    """
    state = vm_class.get_state_class()
    traced_state = type(f"Tracing{state.__name__}", (TracingStateMixin, state),
                        {"plain_computation_class": state.computation_class})
    vm: type[PragueVM] = vm_class.configure(__name__=f"Tracing{vm_class.__name__}",
                                            _state_class=traced_state)
    return vm


def base_fee(header: BlockHeaderAPI) -> int:
    """`header`'s base fee per gas, in wei.

    py-evm types it Optional because pre-London headers have none; every header this node makes
    is Prague. Raises TypeError for a header without one, as `int(None)` did before this check.
    """
    fee = header.base_fee_per_gas
    if fee is None:
        raise TypeError(f"block {header.block_number} has no base fee (pre-London header)")
    return int(fee)


def make_vm(
    vm_class: type[PragueVM], header: BlockHeaderAPI, db: AtomicDatabaseAPI, chain_id: int
) -> PragueVM:
    """A VM positioned on `header` (the block being built, or the block to read/call at)."""
    chaindb = ChainDB(db)
    return vm_class(
        header=header,
        chaindb=chaindb,
        chain_context=ChainContext(chain_id),
        consensus_context=ConsensusContext(db),
    )


def build_state(
    vm_class: type[PragueVM],
    header: BlockHeaderAPI,
    db: AtomicDatabaseAPI,
    chain_id: int,
    previous_hashes: Iterable[bytes] = (),
) -> StateAPI:
    """State after `header` with `header`'s block context, for reads and calls."""
    return vm_class.build_state(db, header, ChainContext(chain_id), previous_hashes)  # type: ignore[arg-type]
