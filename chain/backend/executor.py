"""Read-only execution: eth_call, eth_estimateGas, eth_createAccessList, with state overrides.

Nothing here writes to the database: each run builds a fresh state on the block's state root,
applies the overrides in its journal, executes, and drops the journal.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any, Callable, Iterable, Mapping, cast

import rlp
from eth.abc import (
    BlockHeaderAPI,
    ComputationAPI,
    SignedTransactionAPI,
    StateAPI,
    UnsignedTransactionAPI,
)
from eth.exceptions import Revert
from eth.vm.forks.prague.constants import MAGIC
from eth.vm.spoof import SpoofTransaction
from eth_keys.datatypes import Signature
from eth_typing import Address
from eth_utils.exceptions import ValidationError

from chain.backend.revert import decode_revert_reason, vm_error_text
from chain.backend.tracers.base import TraceAborted, start_tracer
from chain.backend.txfields import py_evm_authorization
from chain.backend.vm import data_floor_gas
from chain.exceptions import ExecutionFailed, ExecutionReverted, InvalidParams
from chain.spec import ChainSpec
from chain.types import AccountOverride, Authorization, CallRequest, CallResult
from vm_hooks.console_log import console_payloads
from vm_hooks.deadline import DEADLINE_TRACER, Deadline, DeadlineExceeded, Overtime, bind_deadline
from vm_hooks.tracing import TracerAPI, attach_tracer

log = logging.getLogger("wabei.calls")
StateFactory = Callable[[BlockHeaderAPI], StateAPI]
# Told the console.log payloads of a call's run (vm_hooks/console_log.py), even when it reverts.
ConsoleSink = Callable[[tuple[bytes, ...]], None]
# Gas estimation stops when the bracket is this tight, as geth does (1.5%).
_ESTIMATE_PRECISION = 0.015


@dataclass(frozen=True)
class CallContext:
    """What a call runs in. With a `deadline`, `make_state` must build states from the traced
    VM class (Backend.call_state(traced=True)): the deadline is checked through its hooks."""

    header: BlockHeaderAPI     # the block whose post-state and context the call sees
    gas_cap: int               # geth's --rpc.gascap: the most gas a call runs with; 0 = no cap
    chain_id: int
    spec: ChainSpec
    deadline: Deadline | None = None

    def gas_for(self, requested: int | None) -> int:
        """The gas a call runs with: `requested`, or the block gas limit when it names none
        (as Anvil); never above the cap, which applies to explicit gas too, as geth's
        CallDefaults caps it (silently for the caller, with a log line)."""
        gas = requested or int(self.header.gas_limit)
        if self.gas_cap and gas > self.gas_cap:
            if requested:
                log.info("caller gas above allowance, capping: requested %d, cap %d", gas, self.gas_cap)
            return self.gas_cap
        return gas

    def estimate_ceiling(self, requested: int | None) -> int:
        """The highest gas eth_estimateGas tries, as geth's gasestimator: the request's gas if it
        is at least 21,000, else the block gas limit; then capped at the gas cap."""
        hi = requested if requested is not None and requested >= 21_000 else int(self.header.gas_limit)
        return min(hi, self.gas_cap) if self.gas_cap else hi

    def check_deadline(self) -> None:
        """Raise ExecutionFailed if the deadline passed (between the runs of an estimate)."""
        if self.deadline is not None:
            try:
                self.deadline.check()
            except Overtime:
                raise  # not an error: the run starts again on a call worker (chain/workers.py)
            except DeadlineExceeded as exc:
                raise ExecutionFailed(str(exc)) from exc


def apply_overrides(state: StateAPI, overrides: Mapping[bytes, AccountOverride]) -> None:
    for raw_address, o in overrides.items():
        address = Address(raw_address)
        if o.balance is not None:
            state.set_balance(address, o.balance)
        if o.nonce is not None:
            state.set_nonce(address, o.nonce)
        if o.code is not None:
            state.set_code(address, o.code)
        if o.state is not None:
            state.delete_storage(address)
            for slot, value in o.state.items():
                state.set_storage(address, slot, value)
        if o.state_diff is not None:
            for slot, value in o.state_diff.items():
                state.set_storage(address, slot, value)


def _call_header(ctx: CallContext, req: CallRequest) -> BlockHeaderAPI:
    # geth's NoBaseFee: a call that names no fee runs with base fee 0, so it needs no funds for gas.
    if req.has_fee_fields:
        return ctx.header
    return ctx.header.copy(base_fee_per_gas=0)


def _transaction(state: StateAPI, ctx: CallContext, req: CallRequest, gas: int) -> SignedTransactionAPI:
    sender = Address(req.sender or b"\x00" * 20)
    max_fee = req.max_fee_per_gas if req.max_fee_per_gas is not None else (req.gas_price or 0)
    tip = req.max_priority_fee_per_gas if req.max_priority_fee_per_gas is not None else max_fee
    fields: dict[str, Any] = dict(
        chain_id=ctx.chain_id,
        nonce=state.get_nonce(sender),
        max_priority_fee_per_gas=min(tip, max_fee),
        max_fee_per_gas=max_fee,
        gas=gas,
        to=Address(req.to or b""),
        value=req.value,
        data=req.data,
        access_list=[(Address(a), list(slots)) for a, slots in req.access_list],
    )
    builder = ctx.spec.transaction_builder
    unsigned: UnsignedTransactionAPI
    if req.authorization_list:
        # A type-4 transaction, so intrinsic gas (25,000 per authorization) and the delegations
        # themselves are applied by py-evm exactly as when such a transaction is mined.
        unsigned = builder.new_unsigned_set_code_transaction(
            **fields, authorization_list=[py_evm_authorization(a) for a in req.authorization_list])
    else:
        unsigned = builder.new_unsigned_dynamic_fee_transaction(**fields)
    # A spoofed sender and a dummy in-range signature: calls are never signed. The spoof proxies
    # every other attribute to `unsigned`, so it stands in for a signed transaction (py-evm's own
    # gas estimator casts it the same way).
    return cast(
        SignedTransactionAPI,
        SpoofTransaction(unsigned, from_=sender, sender=sender, s=1, r=1, y_parity=0),
    )


def _authority(a: Authorization) -> bytes | None:
    """The account that signed `a` (py-evm's recovery, EIP-7702's message), None if unreadable."""
    message = MAGIC + rlp.encode([a.chain_id, a.address, a.nonce])
    try:
        signature = Signature(vrs=(a.y_parity, a.r, a.s))
        return bytes(signature.recover_public_key_from_msg(message).to_canonical_address())
    except Exception:  # any malformed signature: py-evm skips that authorization the same way
        return None


def least_gas(tx: SignedTransactionAPI) -> int:
    """The smallest gas limit `tx` may carry: its intrinsic gas or its EIP-7623 floor."""
    return max(int(tx.intrinsic_gas), data_floor_gas(bytes(tx.data)))


def execute(
    make_state: StateFactory,
    ctx: CallContext,
    req: CallRequest,
    overrides: Mapping[bytes, AccountOverride] | None = None,
    gas: int | None = None,
) -> tuple[ComputationAPI, StateAPI]:
    """Run `req` once on a throwaway state; returns the finished computation and that state."""
    ctx.check_deadline()
    state = make_state(_call_header(ctx, req))
    if overrides:
        apply_overrides(state, overrides)
    tx = _transaction(state, ctx, req, gas if gas is not None else ctx.gas_for(req.gas))
    if ctx.deadline is not None:
        bind_deadline(ctx.deadline)  # this thread runs it, now
        attach_tracer(state, DEADLINE_TRACER)
    try:
        computation = state.apply_transaction(tx)
    except Overtime:
        raise  # not an error: the run starts again on a call worker (chain/workers.py)
    except DeadlineExceeded as exc:
        raise ExecutionFailed(str(exc)) from exc
    except ValidationError as exc:
        raise InvalidParams(_friendly_validation(str(exc))) from exc
    return computation, state


def trace(
    make_state: StateFactory,
    ctx: CallContext,
    req: CallRequest,
    tracer: TracerAPI,
    overrides: Mapping[bytes, AccountOverride] | None = None,
) -> tuple[ComputationAPI, int, int]:
    """debug_traceCall: run `req` with `tracer` attached, on a state from a traced VM class
    (`make_state` must build one). Returns the computation, the gas limit the call ran with and
    the gas a transaction would be charged (intrinsic + execution - refund, at least the
    EIP-7623 floor)."""
    state = make_state(_call_header(ctx, req))
    if overrides:
        apply_overrides(state, overrides)
    gas = ctx.gas_for(req.gas)
    tx = _transaction(state, ctx, req, gas)
    start_tracer(tracer, state, tx)
    attach_tracer(state, tracer)
    try:
        computation = state.apply_transaction(tx)
    except TraceAborted as exc:
        raise ExecutionFailed(str(exc)) from exc
    except ValidationError as exc:
        raise InvalidParams(_friendly_validation(str(exc))) from exc
    # As a receipt counts it: never below the EIP-7623 floor.
    used = max(_tx_gas_used(computation, int(tx.intrinsic_gas)), data_floor_gas(req.data))
    return computation, gas, used


def call(
    make_state: StateFactory,
    ctx: CallContext,
    req: CallRequest,
    overrides: Mapping[bytes, AccountOverride] | None = None,
    on_console: ConsoleSink | None = None,
) -> CallResult:
    computation, _ = execute(make_state, ctx, req, overrides)
    if on_console is not None:
        on_console(console_payloads(computation))
    return _result(computation)


def call_or_raise(
    make_state: StateFactory,
    ctx: CallContext,
    req: CallRequest,
    overrides: Mapping[bytes, AccountOverride] | None = None,
    on_console: ConsoleSink | None = None,
) -> bytes:
    """eth_call: output bytes, or ExecutionReverted / ExecutionFailed. `on_console` is told the
    call's console.log payloads before a revert is raised."""
    result = call(make_state, ctx, req, overrides, on_console)
    raise_for_result(result)
    return result.output


def raise_for_result(result: CallResult) -> None:
    if result.success:
        return
    if result.revert_data is not None:
        raise ExecutionReverted(decode_revert_reason(result.revert_data), result.revert_data)
    raise ExecutionFailed(result.error or "execution failed")


def _result(computation: ComputationAPI) -> CallResult:
    gas_used = computation.get_gas_used()
    if not computation.is_error:
        return CallResult(bytes(computation.output), gas_used, True)
    if isinstance(computation.error, Revert):
        return CallResult(b"", gas_used, False, revert_data=bytes(computation.output))
    return CallResult(b"", gas_used, False, error=vm_error_text(computation.error))


def _friendly_validation(message: str) -> str:
    if "cannot afford" in message or "enough balance" in message:
        return "insufficient funds for gas * price + value"
    if "Insufficient gas" in message:
        return "intrinsic gas too low"
    return message


def estimate_gas(
    make_state: StateFactory,
    ctx: CallContext,
    req: CallRequest,
    overrides: Mapping[bytes, AccountOverride] | None = None,
    on_console: ConsoleSink | None = None,
) -> int:
    """The smallest gas limit (within 1.5%) with which `req` succeeds, as geth searches it.

    Never below the transaction's intrinsic gas (authorizations included) or its EIP-7623
    floor, so the answer is a limit admission accepts. Raises ExecutionReverted when the call
    reverts even with the cap, so clients see the reason before they send. `on_console` is
    told the console.log payloads of the first run only (the search re-runs the same call).
    """
    hi = ctx.estimate_ceiling(req.gas)
    computation, state = execute(make_state, ctx, req, overrides, gas=hi)
    if on_console is not None:
        on_console(console_payloads(computation))
    raise_for_result(_result(computation))
    tx = _transaction(state, ctx, req, hi)
    least = least_gas(tx)
    used = max(_tx_gas_used(computation, int(tx.intrinsic_gas)), least)

    def succeeds(gas: int) -> bool:
        try:
            comp, _ = execute(make_state, ctx, req, overrides, gas=gas)
        except InvalidParams:  # below intrinsic gas or the floor
            return False
        return not comp.is_error

    # What it was charged is a lower bound, and usually the answer (a transfer, a plain call,
    # a call whose cost the floor sets): one run settles it, and the answer is exact.
    if used >= hi or succeeds(used):
        return min(used, hi)
    lo = used
    # Most others need only what they used plus the 1/64 held back by CALL: try that next.
    optimistic = min(hi, (used + computation.get_gas_refund() + 2300) * 64 // 63)
    if succeeds(optimistic):
        hi = optimistic
    else:
        lo = optimistic
    while hi - lo > 1 and (hi - lo) / hi > _ESTIMATE_PRECISION:
        mid = (hi + lo) // 2
        if succeeds(mid):
            hi = mid
        else:
            lo = mid
    return hi


def access_list(
    make_state: StateFactory,
    ctx: CallContext,
    req: CallRequest,
) -> tuple[list[tuple[bytes, list[int]]], int, CallResult]:
    """eth_createAccessList: accounts and slots the call touches (without sender, target,
    coinbase, precompiles and EIP-7702 authorities, unless a slot of theirs was touched), the gas the transaction
    uses with that list (as its receipt will record it), and the call's result."""
    _, state = execute(make_state, ctx, req)
    # As geth: the authorities of an EIP-7702 list are warm already, like sender and target.
    authorities = {_authority(a) for a in req.authorization_list} - {None}
    exclude = {req.sender or b"\x00" * 20, req.to or b"", bytes(ctx.header.coinbase)} | {
        i.to_bytes(20, "big") for i in range(1, 0x12)
    } | authorities
    entries = [(a, sorted(s)) for a, s in _warm_set(state).items() if a not in exclude or s]
    with_list = replace(req, access_list=tuple((a, tuple(s)) for a, s in entries))
    computation, state2 = execute(make_state, ctx, with_list)
    tx = _transaction(state2, ctx, with_list, ctx.gas_for(req.gas))
    # What the receipt will say: intrinsic gas (the list's own cost included) plus execution,
    # less the capped refund, and never below the EIP-7623 floor.
    used = max(_tx_gas_used(computation, int(tx.intrinsic_gas)), data_floor_gas(req.data))
    return entries, used, _result(computation)


def _tx_gas_used(computation: ComputationAPI, intrinsic: int) -> int:
    """Gas a transaction is charged: intrinsic plus execution gas, minus the capped refund."""
    total = intrinsic + int(computation.get_gas_used())
    return total - min(int(computation.get_gas_refund()), total // 5)


def _warm_set(state: StateAPI) -> dict[bytes, set[int]]:
    """The EIP-2929 warm accounts and slots after a call.

    py-evm exposes warmth only as a per-key query, so this reads the journal it keeps for it;
    it is the single place Wabei looks inside py-evm's account database.
    """
    journal = state._account_db._journal_accessed_state  # type: ignore[attr-defined]
    out: dict[bytes, set[int]] = {}
    for key, _ in journal.diff().pending_items():
        key = bytes(key)
        if len(key) == 20:
            out.setdefault(key, set())
        elif len(key) > 20:
            out.setdefault(key[:20], set()).add(int.from_bytes(key[20:], "big"))
    return out
