"""Platform precompiles that speak the Solidity ABI, as plain functions of the computation.

py-evm runs a precompile as `f(computation)`. `AbiPrecompile` turns a table of typed Python
handlers into such a function: it charges the base gas first, picks the handler by selector,
decodes arguments with eth-abi, refuses writes under STATICCALL and value or DELEGATECALL it
cannot honour, and turns `PrecompileRevert` into a REVERT with Solidity-style revert data, so
callers see the same errors a Solidity contract would give them.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from eth.abc import ComputationAPI
from eth.exceptions import Revert, WriteProtection
from eth_abi.abi import decode, encode
from eth_abi.exceptions import DecodingError
from eth_typing import Address
from eth_utils.abi import function_signature_to_4byte_selector

from vm_hooks.storage import MeteredStorage

BASE_GAS = 700  # what a CALL to a warm contract's cheapest function costs, roughly

_ERROR_SELECTOR = function_signature_to_4byte_selector("Error(string)")


class PrecompileRevert(Exception):
    """Raised by a handler to revert with `data` (ABI-encoded `Error(string)` or a custom error)."""

    def __init__(self, data: bytes, message: str) -> None:
        super().__init__(message)
        self.data = data


def revert(message: str) -> PrecompileRevert:
    """A `PrecompileRevert` carrying `Error(message)`, what `require(false, message)` gives."""
    return PrecompileRevert(_ERROR_SELECTOR + encode(["string"], [message]), message)


def custom_error(signature: str, types: Sequence[str], values: Sequence[Any]) -> PrecompileRevert:
    """A `PrecompileRevert` carrying the custom error `signature` with `values`."""
    data = function_signature_to_4byte_selector(signature) + encode(list(types), list(values))
    return PrecompileRevert(data, signature)


@dataclass(frozen=True)
class Call:
    """What a handler may use: the caller, and the precompile's own metered storage."""

    computation: ComputationAPI
    sender: Address
    storage: MeteredStorage

    def emit(self, topics: Sequence[bytes], data: bytes) -> None:
        """Emit a log from the precompile's address."""
        self.computation.add_log_entry(
            self.storage.address, tuple(int.from_bytes(t, "big") for t in topics), data
        )


Handler = Callable[..., tuple[Any, ...]]


@dataclass(frozen=True)
class Method:
    """One ABI function: its signature, output types, handler, and whether it writes state."""

    signature: str
    outputs: tuple[str, ...]
    handler: Handler
    mutates: bool = False

    @property
    def input_types(self) -> list[str]:
        inner = self.signature[self.signature.index("(") + 1:-1]
        return split_types(inner)


class AbiPrecompile:
    """A precompile at `address` exposing `methods` through the Solidity ABI."""

    def __init__(self, name: str, address: Address, methods: Sequence[Method]) -> None:
        self.name = name
        self.address = address
        self.methods = tuple(methods)  # the ABI it speaks (vm_hooks/cns/wellknown.py publishes it)
        self._by_selector = {function_signature_to_4byte_selector(m.signature): m for m in methods}

    def __call__(self, computation: ComputationAPI) -> ComputationAPI:
        computation.consume_gas(BASE_GAS, reason=f"{self.name} precompile")
        try:
            result = self._run(computation)
        except PrecompileRevert as exc:
            computation.output = exc.data
            raise Revert(exc.data) from None
        computation.output = result
        return computation

    def _run(self, computation: ComputationAPI) -> bytes:
        msg = computation.msg
        if msg.storage_address != msg.code_address:
            raise revert(f"{self.name}: cannot be called with DELEGATECALL or CALLCODE")
        data = msg.data_as_bytes
        method = self._by_selector.get(data[:4])
        if method is None:
            raise revert(f"{self.name}: unknown function selector 0x{data[:4].hex()}")
        if msg.value:
            raise revert(f"{self.name}: {method.signature} does not accept ether")
        if method.mutates and msg.is_static:
            raise WriteProtection(f"{self.name}: {method.signature} writes state in a static call")
        try:
            args = decode(method.input_types, data[4:])
        except (DecodingError, OverflowError, ValueError) as exc:
            raise revert(f"{self.name}: malformed arguments for {method.signature}: {exc}") from None
        call = Call(computation, msg.sender, MeteredStorage(computation, self.address))
        return encode(list(method.outputs), list(method.handler(call, *args)))


def split_types(inner: str) -> list[str]:
    """Top-level comma split of an ABI type list (tuples keep their commas)."""
    types: list[str] = []
    depth = 0
    current = ""
    for ch in inner:
        if ch == "," and depth == 0:
            types.append(current)
            current = ""
            continue
        depth += (ch == "(") - (ch == ")")
        current += ch
    if current:
        types.append(current)
    return types
