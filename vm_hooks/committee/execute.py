"""How a passed proposal runs: one internal message from the committee's address to the target
precompile, built and applied by py-evm exactly as the CALL opcode builds and applies a child
message (`prepare_child_message`, `apply_child_computation`).

So the target sees `msg.sender == 0x…10001` and authorises the write as it would any caller, the
child gets its own snapshot (a failure rolls back only its changes, and then this whole call
reverts too), its gas is charged to the transaction, its logs land in the receipt after the
committee's own, and tracers see it as a CALL from the committee.
"""
from __future__ import annotations

from eth.abc import ComputationAPI
from eth_abi.abi import decode
from eth_typing import Address
from eth_utils.abi import function_signature_to_4byte_selector

from vm_hooks.precompile import revert

_ERROR = function_signature_to_4byte_selector("Error(string)")
TARGET_NAMES = {0x1000: "SystemConfig", 0x1003: "Consensus", 0x1005: "ContractAuth",
                0x10001: "CommitteeManager", 0x10003: "AccountManager"}


def target_name(target: bytes) -> str:
    """`SystemConfig (0x…1000)` and the like, for reasons a person can act on."""
    value = int.from_bytes(target, "big")
    return f"{TARGET_NAMES.get(value, 'contract')} (0x{value:x})"


def call_target(computation: ComputationAPI, target: Address, data: bytes) -> bytes:
    """Send `data` from the running precompile's address to the precompile `target`, with all
    but 1/64 of the remaining gas (EIP-150, as a CALL passing `gas()`); the child's output.

    Raises PrecompileRevert, naming the child's own reason, when `target` is no precompile of
    this chain, the child fails, or it answers a negative FISCO return code.
    """
    if target not in computation.precompiles:
        raise revert(f"{target_name(target)} is not available on this chain, so the proposal cannot be executed")
    gas = computation.get_gas_remaining()
    gas -= gas // 64
    computation.consume_gas(gas, reason="committee proposal execution")
    message = computation.prepare_child_message(
        gas=gas, to=target, value=0, data=data, code=computation.state.get_code(target),
        sender=computation.msg.storage_address, should_transfer_value=False, is_static=False)
    child = computation.apply_child_computation(message)
    if child.should_return_gas:
        computation.return_gas(child.get_gas_remaining())
    if child.is_error:
        raise revert(f"{target_name(target)} refused: {child_reason(child)}")
    output = bytes(child.output)
    if len(output) == 32 and decode(["int256"], output)[0] < 0:
        raise revert(f"{target_name(target)} returned FISCO code {decode(['int256'], output)[0]}")
    return output


def child_reason(child: ComputationAPI) -> str:
    """The revert reason of a failed child: its Error(string), else py-evm's error."""
    output = bytes(child.output)
    if output[:4] == _ERROR:
        try:
            return str(decode(["string"], output[4:])[0])
        except Exception:  # a malformed Error payload: show the bytes instead
            return f"revert data 0x{output.hex()}"
    if output:
        return f"revert data 0x{output.hex()}"
    return f"{type(child.error).__name__}: {child.error}"  # only asked of a failed child

