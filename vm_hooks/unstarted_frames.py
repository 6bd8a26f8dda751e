"""The child frames py-evm fails before starting them, shown to a tracer as geth shows its own.

geth's EVM tells its tracer a frame has begun as soon as a CALL*/CREATE* has paid for itself
(core/vm/evm.go in geth 1.17: `Call`, `CallCode`, `DelegateCall`, `StaticCall` and `create` call
`captureBegin` before any pre-check), and ends that frame with the pre-check's error:
`max call depth exceeded`, `insufficient balance for transfer` or `nonce uint64 overflow`, the
forwarded gas coming back unused; or, for a create whose address already has code or a nonce,
`contract address collision`, the forwarded gas burnt. py-evm fails those opcodes without a
child message (eth/vm/logic/call.py, system.py), so without this module a tracer sees no frame.

For a traced run only (vm_hooks/tracing.traced_computation_class), the CALL*/CREATE* opcodes are
subclasses of the fork's own opcode classes that remember what py-evm computed on the way (the
call's parameters and the child's gas; the create's stack data, child gas and address) and,
when the opcode returns without having applied a child message, tell the tracer about the frame
geth would have opened. They change nothing: every overridden method returns what the fork's
returns, and the failed frame is a fresh computation the run never sees.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from eth import constants
from eth._utils.address import generate_contract_address, generate_safe_contract_address
from eth.abc import ComputationAPI, MessageAPI, OpcodeAPI
from eth.exceptions import ContractCreationCollision, VMError
from eth.vm.computation import BaseComputation
from eth.vm.logic.call import BaseCall, CallParams
from eth.vm.logic.system import Create, CreateOpcodeStackData
from eth_typing import Address

if TYPE_CHECKING:  # tracing.py imports this module
    from vm_hooks.tracing import TracerAPI


class FrameNotStarted(VMError):
    """A child frame that failed its pre-check. Never raised: only set as the `error` of the
    failed frame a tracer is shown. The frame's gas comes back to the caller unused."""

    burns_gas = False


class CallDepthExceeded(FrameNotStarted):
    """The child would have been frame 1025 (geth's ErrDepth)."""


class InsufficientBalance(FrameNotStarted):
    """The caller holds less than the value it sends (geth's ErrInsufficientBalance)."""


class NonceOverflow(FrameNotStarted):
    """The creator's nonce is at 2**64 - 1 (geth's ErrNonceUintOverflow)."""


def _report(tracer: "TracerAPI", parent: ComputationAPI, message: MessageAPI, call_type: str,
            error: VMError) -> None:
    """Open and close `message`'s frame in `tracer`, failed with `error`."""
    tracer.enter(message, call_type, parent)
    failed = BaseComputation(parent.state, message, parent.transaction_context)
    failed.error = error  # burns the frame's gas if `error` does (a collision), else uses none
    tracer.exit(failed)


def _depth_exceeded(computation: ComputationAPI) -> bool:
    return bool(computation.msg.depth + 1 > constants.STACK_DEPTH_LIMIT)


class _CallProbe(BaseCall):
    """Put before a fork's CALL-family opcode class: reports a call that never started."""

    tracer: "TracerAPI"
    _params: CallParams
    _child_gas = 0
    _delegation: Optional[Address] = None

    def get_call_params(self, computation: ComputationAPI) -> CallParams:
        # Abstract in BaseCall; probed_opcode only ever puts the probe before a concrete class.
        self._params = super().get_call_params(computation)  # type: ignore[safe-super]
        return self._params

    def get_code_at_address(self, computation: ComputationAPI,
                            code_source: Address) -> tuple[bytes, Optional[Address]]:
        code, self._delegation = super().get_code_at_address(computation, code_source)
        return code, self._delegation

    def compute_msg_gas(self, computation: ComputationAPI, gas: int, to: Address,
                        value: int) -> tuple[int, int]:
        child_gas, fee = super().compute_msg_gas(computation, gas, to, value)
        self._child_gas = child_gas  # stipend included, as geth's frame gas
        return child_gas, fee

    def __call__(self, computation: ComputationAPI) -> None:
        children = len(computation.children)
        super().__call__(computation)
        # py-evm applies a child message unless a pre-check failed (then it returned the gas).
        if len(computation.children) == children:
            self._not_started(computation)

    def _not_started(self, computation: ComputationAPI) -> None:
        (_, value, to, sender, code_address, in_start, in_size, _, _, transfers,
         is_static) = self._params
        kwargs: dict[str, Any] = {
            "code_address": self._delegation or code_address, "should_transfer_value": transfers,
            "is_static": is_static, "is_delegation": self._delegation is not None,
        }
        if sender is not None:
            kwargs["sender"] = sender
        message = computation.prepare_child_message(
            gas=self._child_gas, to=to, value=value, data=computation.memory_read_bytes(in_start, in_size),
            code=b"", **kwargs)
        # geth checks the depth first, then the balance (py-evm fails on either).
        error: VMError = (CallDepthExceeded("max call depth exceeded") if _depth_exceeded(computation)
                          else InsufficientBalance("insufficient balance for transfer"))
        _report(self.tracer, computation, message, self.mnemonic, error)


class _CreateProbe(Create):
    """Put before a fork's CREATE/CREATE2 opcode class: reports a create that never started."""

    tracer: "TracerAPI"
    _data: CreateOpcodeStackData
    _child_gas = 0
    _address: Optional[Address] = None

    def get_stack_data(self, computation: ComputationAPI) -> CreateOpcodeStackData:
        self._data = super().get_stack_data(computation)
        return self._data

    def max_child_gas_modifier(self, gas: int) -> int:
        self._child_gas = super().max_child_gas_modifier(gas)
        return self._child_gas

    def generate_contract_address(self, stack_data: CreateOpcodeStackData, call_data: bytes,
                                  computation: ComputationAPI) -> Address:
        # Only past the pre-checks: py-evm takes the child's gas, then makes the address.
        self._address = super().generate_contract_address(stack_data, call_data, computation)
        return self._address

    def __call__(self, computation: ComputationAPI) -> None:
        self._address = None
        children = len(computation.children)
        super().__call__(computation)
        if len(computation.children) == children:
            self._not_started(computation)

    def _not_started(self, computation: ComputationAPI) -> None:
        data = self._data
        code = computation.memory_read_bytes(data.memory_start, data.memory_length)
        creator = computation.msg.storage_address
        error: VMError
        if self._address is not None:  # the address was taken; py-evm burnt the child's gas
            address, gas = self._address, self._child_gas
            error = ContractCreationCollision("contract address collision")
        else:  # a pre-check failed before any gas went to the child: what geth would give it
            gas = super().max_child_gas_modifier(computation.get_gas_remaining())
            if data.salt is None:
                address = generate_contract_address(creator, computation.state.get_nonce(creator))
            else:
                address = generate_safe_contract_address(creator, data.salt, code)
            error = self._failed_check(computation, creator, data.endowment)
        message = computation.prepare_child_message(
            gas=gas, to=constants.CREATE_CONTRACT_ADDRESS, value=data.endowment, data=b"",
            code=code, create_address=address)
        _report(self.tracer, computation, message, self.mnemonic, error)

    @staticmethod
    def _failed_check(computation: ComputationAPI, creator: Address, value: int) -> VMError:
        """Which of geth's pre-checks failed, in geth's order (py-evm's are the same three)."""
        if _depth_exceeded(computation):
            return CallDepthExceeded("max call depth exceeded")
        if computation.state.get_balance(creator) < value:
            return InsufficientBalance("insufficient balance for transfer")
        return NonceOverflow("nonce uint64 overflow")


def probed_opcode(opcode: OpcodeAPI, tracer: "TracerAPI") -> OpcodeAPI:
    """`opcode` as a probe that reports its unstarted frames to `tracer`, if it is one of
    py-evm's CALL-family or CREATE opcode classes; any other function is returned as it is."""
    if isinstance(opcode, BaseCall):
        probe: type[Any] = _CallProbe
    elif isinstance(opcode, Create):
        probe = _CreateProbe
    else:
        return opcode
    cls = type(f"Probed{type(opcode).__name__}", (probe, type(opcode)), {})
    instance: Any = cls()
    instance.tracer = tracer
    result: OpcodeAPI = instance
    return result
