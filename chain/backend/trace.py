"""Re-executing mined transactions and calls with a tracer attached (debug_trace*), and
re-deriving a mined transaction's console.log payloads (wabei_getConsoleLogs).

A mined transaction is traced by opening its block again on the parent's state, with the block's
own header fields (as BlockRun builds every block), replaying the transactions before it with
no tracer, and running it with one. Nothing is written: the run's buffer is dropped.
"""
from __future__ import annotations

from typing import Any, Callable, cast

from eth.abc import SignedTransactionAPI
from eth.vm.spoof import SpoofTransaction
from eth_typing import Address
from eth_utils.exceptions import ValidationError

from chain.backend.backend import Backend
from chain.backend.execution import BlockRun, HeaderFields
from chain.backend.tracers import TraceAborted, Tracer, TxOutcome, start_tracer
from chain.backend.vm import build_traced_vm_class
from chain.exceptions import ExecutionFailed, InvalidParams
from chain.storage.buffer import WriteBuffer
from chain.storage.chain_store import StoredBlock
from vm_hooks.tracing import attach_tracer

TracerMaker = Callable[[], Tracer]


def precompile_addresses(backend: Backend) -> frozenset[bytes]:
    """Every precompile of the chain's fork, Wabei's platform precompiles included."""
    computation = backend.spec.vm_class.get_state_class().computation_class
    return frozenset(bytes(a) for a in computation.get_precompiles())


def _replay(run: BlockRun, tx: SignedTransactionAPI, block: StoredBlock, index: int) -> None:
    """Apply `tx` again and check it ends as it did: a trace of a different execution would
    mislead, so a mismatch is an error rather than a quiet answer."""
    try:
        run.apply(tx)
    except TraceAborted as exc:
        raise ExecutionFailed(str(exc)) from exc
    except ValidationError as exc:
        raise ExecutionFailed(_replay_failed(block, index, str(exc))) from exc
    if run.built.receipts[-1].encode() != block.receipts[index].encode():
        raise ExecutionFailed(_replay_failed(block, index, "its receipt came out different"))


def _replay_failed(block: StoredBlock, index: int, why: str) -> str:
    return (f"cannot re-execute transaction {index} of block {block.header.block_number}: {why} "
            "(was the state edited in a way the node did not record, e.g. a state load?)")


def _reopen(backend: Backend, block: StoredBlock, traced: bool) -> BlockRun:
    """`block` opened again on the state it ran on, with its own header fields."""
    header = block.header
    parent = backend.store.header(bytes(header.parent_hash))
    if parent is None:
        raise InvalidParams("the genesis block has no transactions to trace")
    fields = HeaderFields(timestamp=header.timestamp, coinbase=bytes(header.coinbase),
                          gas_limit=header.gas_limit, mix_hash=bytes(header.mix_hash),
                          extra_data=bytes(header.extra_data),
                          base_fee=header.base_fee_per_gas)  # as stored: a dev override too
    vm_class = backend.spec.vm_class
    return BlockRun(build_traced_vm_class(vm_class) if traced else vm_class,
                    WriteBuffer(backend.db), backend.chain_id, parent,
                    backend.pre_state_root(header, parent), fields)


def _stored_tx(block: StoredBlock, index: int) -> SignedTransactionAPI:
    # The stored sender stands in for signature recovery: impersonated transactions carry a
    # placeholder signature, and recovering the others would only cost time.
    return cast(SignedTransactionAPI, SpoofTransaction(
        block.transactions[index], sender=Address(block.senders[index])))


def console_payloads_of(backend: Backend, block: StoredBlock, index: int) -> tuple[bytes, ...]:
    """The console.log payloads transaction `index` of `block` sent, by re-executing the block
    up to it with the chain's own VM class (which collects them; vm_hooks/console_log.py)."""
    run = _reopen(backend, block, traced=False)
    for i in range(index + 1):
        _replay(run, _stored_tx(block, i), block, i)
    return run.built.console_logs[index]


def trace_block(backend: Backend, block: StoredBlock, make_tracer: TracerMaker,
                only: int | None = None) -> list[Any]:
    """Each transaction's tracer result, in block order; with `only`, that index's alone
    (the transactions after it are not run)."""
    run = _reopen(backend, block, traced=True)
    results: list[Any] = []
    last = len(block.transactions) - 1 if only is None else only
    for index in range(last + 1):
        tx = _stored_tx(block, index)
        if only is not None and index < only:
            _replay(run, tx, block, index)
            continue
        tracer = make_tracer()
        tracer.first_log_index = sum(len(r.logs) for r in run.built.receipts)
        start_tracer(tracer, run.state, tx)
        attach_tracer(run.state, tracer)
        try:
            _replay(run, tx, block, index)
        finally:
            attach_tracer(run.state, None)
        receipts = run.built.receipts
        used = receipts[-1].gas_used - (receipts[-2].gas_used if len(receipts) > 1 else 0)
        results.append(tracer.result(TxOutcome(int(tx.gas), int(used), int(tx.value),
                                               run.built.computations[-1])))
    return results
