"""One table from the node's exceptions to JSON-RPC errors, shaped as geth and Anvil shape them."""
from __future__ import annotations

from typing import Any

from chain import exceptions as ex

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
SERVER_ERROR = -32000            # geth's catch-all for rejected transactions and failed calls
RESOURCE_NOT_FOUND = -32001
TRANSACTION_REJECTED = -32003    # EIP-1474
LIMIT_EXCEEDED = -32005          # EIP-1474: workers all busy, or a read past a documented limit
EXECUTION_REVERTED = 3           # geth, Anvil, Hardhat: revert data in `data`

_CODES: list[tuple[type[Exception], int]] = [
    (ex.ExecutionReverted, EXECUTION_REVERTED),
    (ex.InvalidParams, INVALID_PARAMS),
    (ex.MethodNotFound, METHOD_NOT_FOUND),
    (ex.ServerBusy, LIMIT_EXCEEDED),
    (ex.LimitExceeded, LIMIT_EXCEEDED),
    (ex.ResourceNotFound, RESOURCE_NOT_FOUND),
    # Clients match "nonce too low", "insufficient funds" ... in the message of a -32000 error
    # (ethers' NONCE_EXPIRED, INSUFFICIENT_FUNDS), which is what geth and Anvil send.
    (ex.TransactionRejected, SERVER_ERROR),
    (ex.UnknownAccount, SERVER_ERROR),
    (ex.ExecutionFailed, SERVER_ERROR),
    (ex.StorageError, SERVER_ERROR),
    (ex.WabeiError, SERVER_ERROR),
]


def error_object(code: int, message: str, data: Any = None) -> dict[str, Any]:
    err: dict[str, Any] = {"code": code, "message": message}
    if data is not None:
        err["data"] = data
    return err


def to_error(exc: Exception) -> dict[str, Any]:
    """The JSON-RPC error object for a raised exception."""
    if isinstance(exc, ex.ExecutionReverted):
        return error_object(EXECUTION_REVERTED, str(exc), "0x" + exc.data.hex())
    if isinstance(exc, ex.SimulationError):  # eth_simulateV1 names its own code per reason
        return error_object(exc.code, str(exc))
    for cls, code in _CODES:
        if isinstance(exc, cls):
            return error_object(code, str(exc))
    return error_object(INTERNAL_ERROR, f"internal error: {type(exc).__name__}: {exc}")
