"""eth_simulateV1's execution: blocks built on throwaway state with the one block execution
(execution.BlockRun), never stored.

Each simulated block is a real BlockRun on its predecessor: the fork's pre- and post-block
system calls run, roots and the bloom are computed by py-evm as for a mined block, and its
header is written (by hash) into the request's own write buffer so BLOCKHASH in a later
simulated block finds it, as geth's simBackend does. The buffer is dropped at the end.

Calls become dynamic-fee (or, with an authorizationList, set-code) transactions with a spoofed
sender and the placeholder signature impersonated transactions carry (r = 1, s = sender + 1):
geth leaves them unsigned (0, 0, 0), which py-evm refuses to execute. Checks that geth makes before a call executes are made here first, so the refusal
carries geth's wording and code (chain/api/simulate.py lists them).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, cast

import rlp
from eth.abc import BlockHeaderAPI, ComputationAPI, SignedTransactionAPI, StateAPI
from eth.exceptions import Revert
from eth.vm.forks.prague import PragueVM
from eth.vm.forks.shanghai.withdrawals import Withdrawal as PyEvmWithdrawal
from eth.vm.spoof import SpoofTransaction
from eth_typing import Address
from eth_utils.exceptions import ValidationError

from chain.backend.executor import apply_overrides
from chain.backend.execution import BlockRun, HeaderFields
from chain.backend.revert import decode_revert_reason, vm_error_text
from chain.backend.simlog import RawLog, SimLogTracer
from chain.backend.tracers.base import TraceTimeout
from chain.backend.txfields import py_evm_authorization
from chain.backend.vm import build_traced_vm_class, data_floor_gas
from chain.exceptions import InvalidParams, SimulationError
from chain.spec import ChainSpec
from chain.storage.buffer import WriteBuffer
from chain.storage.chain_store import StoredBlock
from chain.types import CallRequest, LogEntry, SimBlock, SimCallResult

ZERO32 = b"\0" * 32
MAX_INITCODE_SIZE = 49_152  # EIP-3860
# Codes of the execution-apis spec (src/eth/execute.yaml) and geth's internal/ethapi/errors.go.
NONCE_TOO_LOW, NONCE_TOO_HIGH, BASE_FEE_TOO_LOW = -38010, -38011, -38012
INTRINSIC_GAS, INSUFFICIENT_FUNDS, BLOCK_GAS_LIMIT = -38013, -38014, -38015
PRECOMPILE_SELF, PRECOMPILE_DUPLICATE, INITCODE_TOO_LARGE = -38022, -38023, -38025
REVERTED, VM_ERROR, TIMEOUT, INTERNAL = 3, -32015, -32016, -32603


@dataclass
class SimulatedBlock:
    block: StoredBlock
    calls: list[SimCallResult]
    withdrawals: tuple[Any, ...]  # chain.types.Withdrawal


@dataclass
class SimOptions:
    validation: bool
    trace_transfers: bool
    gas_pool: int        # gas all calls of the request may still use (geth's RPCGasCap pool)
    deadline: float      # time.monotonic() past which the request stops (geth's RPCEVMTimeout)


class Simulator:
    """One request's simulation on top of `base` (whose post-state root is `base_root`)."""

    def __init__(self, spec: ChainSpec, db: Any, chain_id: int, base: BlockHeaderAPI,
                 base_root: bytes, options: SimOptions) -> None:
        self.spec, self.chain_id, self.options = spec, chain_id, options
        self.writes = WriteBuffer(db)  # never committed
        self.parent, self.parent_root = base, base_root

    def run_block(self, block: SimBlock) -> SimulatedBlock:
        """Execute one sanitized block (number and time set) on the previous one."""
        o, parent = block.overrides, self.parent
        fields = HeaderFields(
            timestamp=cast(int, o.time),
            coinbase=o.fee_recipient if o.fee_recipient is not None else bytes(parent.coinbase),
            gas_limit=o.gas_limit if o.gas_limit is not None else int(parent.gas_limit),
            mix_hash=o.prev_randao if o.prev_randao is not None else ZERO32,
        )
        header_edits: dict[str, Any] = {"parent_beacon_block_root": o.beacon_root or ZERO32}
        if o.base_fee is not None:
            header_edits["base_fee_per_gas"] = o.base_fee
        elif not self.options.validation:
            header_edits["base_fee_per_gas"] = 0  # geth: no base fee unless validating
        run = BlockRun(self._vm_class(block), self.writes, self.chain_id, parent,
                       self.parent_root, fields, header_edits)
        apply_overrides(run.state, block.state)
        tracer = SimLogTracer(self.options.trace_transfers, self.options.deadline)
        run.state.attach(tracer)  # type: ignore[attr-defined]
        raw_logs: list[list[RawLog]] = []
        calls: list[SimCallResult] = []
        for req in block.calls:
            tracer.reset()
            calls.append(self._call(run, req))
            raw_logs.append(tracer.logs())
        withdrawals = o.withdrawals or ()
        built = run.finish(tuple(PyEvmWithdrawal(w.index, w.validator_index, Address(w.address),
                                                 w.amount) for w in withdrawals))
        header = built.block.header
        self.writes[bytes(header.hash)] = rlp.encode(header)  # for BLOCKHASH in later blocks
        self.parent, self.parent_root = header, bytes(header.state_root)
        stored = StoredBlock(header, tuple(built.transactions), tuple(built.senders),
                             tuple(built.receipts))
        for i, (call, logs) in enumerate(zip(calls, raw_logs)):
            call.logs = [LogEntry(a, t, d, int(header.block_number), bytes(header.hash),
                                  bytes(built.transactions[i].hash), i, n) for a, t, d, n in logs]
        return SimulatedBlock(stored, calls, withdrawals)

    # -- one call ----------------------------------------------------------------------------
    def _call(self, run: BlockRun, req: CallRequest) -> SimCallResult:
        state, header = run.state, run.header
        gas_left = run.gas_left()
        gas = req.gas if req.gas is not None else gas_left
        if gas > gas_left:
            raise SimulationError(BLOCK_GAS_LIMIT, f"block gas limit reached: {header.gas_used} + "
                                  f"{gas} > {header.gas_limit}")
        gas = min(gas, self.options.gas_pool)  # geth caps each call at what the pool has left
        tx = self._transaction(state, header, req, gas)
        self._check(state, header, req, tx)
        before = header.gas_used
        try:
            run.apply(tx)
        except TraceTimeout:
            raise SimulationError(TIMEOUT, "execution aborted (timeout)") from None
        except ValidationError as exc:  # anything _check did not foresee: geth's default code
            raise SimulationError(INTERNAL, str(exc)) from exc
        used = run.header.gas_used - before
        self.options.gas_pool -= used
        return _result(run.built.computations[-1], used, tx)

    def _transaction(self, state: StateAPI, header: BlockHeaderAPI, req: CallRequest,
                     gas: int) -> SignedTransactionAPI:
        if req.gas_price is not None and (req.max_fee_per_gas is not None
                                          or req.max_priority_fee_per_gas is not None):
            raise InvalidParams("both gasPrice and (maxFeePerGas or maxPriorityFeePerGas) specified")
        if req.chain_id is not None and req.chain_id != self.chain_id:
            raise InvalidParams(f"chainId does not match node's (have={req.chain_id}, want={self.chain_id})")
        if req.gas_price is not None:
            max_fee = tip = req.gas_price
        else:
            max_fee, tip = req.max_fee_per_gas or 0, req.max_priority_fee_per_gas or 0
        base_fee = int(header.base_fee_per_gas or 0)
        if not self.options.validation and not req.has_fee_fields and base_fee:
            max_fee = base_fee  # an overridden base fee: py-evm has no NoBaseFee (docs/simulate.md)
        sender = Address(req.sender or b"\0" * 20)
        state_nonce = int(state.get_nonce(sender))
        fields: dict[str, Any] = dict(
            chain_id=self.chain_id,
            # geth skips nonce checks unless validating; the state's nonce is what executes then.
            nonce=req.nonce if self.options.validation and req.nonce is not None else state_nonce,
            max_priority_fee_per_gas=tip, max_fee_per_gas=max_fee, gas=gas,
            to=Address(req.to or b""), value=req.value, data=req.data,
            access_list=[(Address(a), list(s)) for a, s in req.access_list],
            # py-evm refuses geth's empty signature; the impersonation placeholder instead.
            y_parity=0, r=1, s=int.from_bytes(sender, "big") + 1,
        )
        builder = self.spec.transaction_builder
        signed: SignedTransactionAPI
        if req.authorization_list:
            signed = builder.new_set_code_transaction(
                **fields, authorization_list=[py_evm_authorization(a) for a in req.authorization_list])
        else:
            signed = builder.new_dynamic_fee_transaction(**fields)
        return cast(SignedTransactionAPI, SpoofTransaction(signed, sender=sender))

    def _check(self, state: StateAPI, header: BlockHeaderAPI, req: CallRequest,
               tx: SignedTransactionAPI) -> None:
        """geth's preCheck and buyGas, in its order and words, before py-evm sees the call."""
        sender = Address(tx.sender)
        who = "0x" + bytes(sender).hex()
        if self.options.validation:
            have = int(state.get_nonce(sender))
            if tx.nonce < have:
                raise SimulationError(NONCE_TOO_LOW, f"nonce too low: address {who}, tx: {tx.nonce} state: {have}")
            if tx.nonce > have:
                raise SimulationError(NONCE_TOO_HIGH, f"nonce too high: address {who}, tx: {tx.nonce} state: {have}")
            if tx.max_priority_fee_per_gas > tx.max_fee_per_gas:
                raise InvalidParams(f"max priority fee per gas higher than max fee per gas: address {who}, "
                                    f"maxPriorityFeePerGas: {tx.max_priority_fee_per_gas}, "
                                    f"maxFeePerGas: {tx.max_fee_per_gas}")
            base_fee = int(header.base_fee_per_gas or 0)
            if tx.max_fee_per_gas < base_fee:
                raise SimulationError(BASE_FEE_TOO_LOW, f"max fee per gas less than block base fee: "
                                      f"address {who}, maxFeePerGas: {tx.max_fee_per_gas}, baseFee: {base_fee}")
        balance, want = int(state.get_balance(sender)), tx.gas * tx.max_fee_per_gas + tx.value
        if balance < want:
            raise SimulationError(INSUFFICIENT_FUNDS, "insufficient funds for gas * price + value: "
                                  f"address {who} have {balance} want {want}")
        intrinsic = int(tx.intrinsic_gas)
        if tx.gas < intrinsic:
            raise SimulationError(INTRINSIC_GAS, f"intrinsic gas too low: have {tx.gas}, want {intrinsic}")
        floor = data_floor_gas(bytes(tx.data))
        if tx.gas < floor:
            raise SimulationError(INTRINSIC_GAS, f"insufficient gas for floor data gas cost: have {tx.gas}, want {floor}")
        if not tx.to and len(tx.data) > MAX_INITCODE_SIZE:
            raise SimulationError(INITCODE_TOO_LARGE, f"max initcode size exceeded: code size "
                                  f"{len(tx.data)} limit {MAX_INITCODE_SIZE}")

    def _vm_class(self, block: SimBlock) -> type[PragueVM]:
        """The traced VM class, with this block's precompile moves (geth rebuilds the precompile
        set from the base block for every simulated block, so a move lasts one block)."""
        traced = build_traced_vm_class(self.spec.vm_class)
        state_class = traced.get_state_class()
        plain = state_class.plain_computation_class  # type: ignore[attr-defined]
        precompiles = dict(plain._precompiles)
        moved = precompile_map(precompiles, block)
        if moved is None:
            return traced
        computation = plain.configure(__name__="SimulatedComputation", _precompiles=moved)
        state = state_class.configure(__name__="SimulatedState", plain_computation_class=computation)
        vm: type[PragueVM] = traced.configure(__name__="SimulatedVM", _state_class=state)
        return vm


def precompile_map(precompiles: dict[Any, Callable[..., Any]], block: SimBlock) -> dict[Any, Any] | None:
    """The precompile set after `block`'s overrides, or None if they leave it alone.

    As geth's StateOverride.Apply: an overridden precompile address stops being one (so code
    given there runs); movePrecompileToAddress puts it at the destination, which must not be
    overridden itself, named twice, or be the precompile's own address.
    """
    touched = [a for a in block.state if Address(a) in precompiles] + list(block.moves)
    if not touched:
        return None
    out = dict(precompiles)
    seen: set[bytes] = set()
    for source, dest in block.moves.items():
        if Address(source) not in precompiles:
            raise InvalidParams(f"account 0x{source.hex()} is not a precompile")
        if dest == source:
            raise SimulationError(PRECOMPILE_SELF, f"account 0x{source.hex()} cannot be moved to itself")
        if dest in seen or dest in block.state:
            raise SimulationError(PRECOMPILE_DUPLICATE, f"account 0x{dest.hex()} is already overridden")
        seen.add(dest)
    for address in touched:
        out.pop(Address(address), None)
    for source, dest in block.moves.items():
        out[Address(dest)] = precompiles[Address(source)]
    return out


def _result(computation: ComputationAPI, used: int, tx: SignedTransactionAPI) -> SimCallResult:
    peak = max(int(tx.intrinsic_gas) + int(computation.get_gas_used()), data_floor_gas(bytes(tx.data)))
    if not computation.is_error:
        return SimCallResult(bytes(computation.output), [], used, peak, True)
    if isinstance(computation.error, Revert):
        data = bytes(computation.output)
        reason = decode_revert_reason(data)
        message = f"execution reverted: {reason}" if reason else "execution reverted"
        return SimCallResult(b"", [], used, peak, False, (REVERTED, message, data))
    return SimCallResult(b"", [], used, peak, False, (VM_ERROR, vm_error_text(computation.error), None))
