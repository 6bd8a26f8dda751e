"""The node's exception tree. `rpc/errors.py` maps each class to one JSON-RPC error code."""
from __future__ import annotations


class WabeiError(Exception):
    """Base of every error the node raises on purpose."""


class InvalidParams(WabeiError):
    """A request parameter is missing, malformed or out of range (-32602)."""


class ResourceNotFound(WabeiError):
    """A block, transaction or filter that the caller named does not exist (-32001)."""


class TransactionRejected(WabeiError):
    """A transaction cannot enter the pool: nonce, funds, fees, gas, signature, chain id (-32003)."""


class NonceTooLow(TransactionRejected):
    pass


class InsufficientFunds(TransactionRejected):
    pass


class IntrinsicGasTooLow(TransactionRejected):
    pass


class FloorDataGasTooLow(TransactionRejected):
    """The gas limit is below the transaction's EIP-7623 calldata floor (geth: ErrFloorDataGas)."""


class FeeCapTooLow(TransactionRejected):
    pass


class GasLimitExceeded(TransactionRejected):
    pass


class AccountFrozen(TransactionRejected):
    """The sender is frozen or abolished by the chain's AccountManager (FISCO status 31)."""


class InvalidSignature(TransactionRejected):
    pass


class WrongChainId(TransactionRejected):
    pass


class AlreadyKnown(TransactionRejected):
    pass


class ReplacementUnderpriced(TransactionRejected):
    pass


class PoolFull(TransactionRejected):
    pass


class UnknownAccount(WabeiError):
    """eth_sendTransaction/eth_sign from an account the node cannot sign for (-32000)."""


class ExecutionReverted(WabeiError):
    """A call or gas estimate reverted (JSON-RPC code 3, revert bytes in `data`)."""

    def __init__(self, reason: str | None, data: bytes) -> None:
        self.reason = reason
        self.data = data
        super().__init__(f"execution reverted: {reason}" if reason else "execution reverted")


class ExecutionFailed(WabeiError):
    """A call failed without revert data: out of gas, invalid opcode, ... (-32000)."""


class ServerBusy(WabeiError):
    """Every call worker is busy and the queue is full (-32005, EIP-1474's "limit exceeded")."""


class LimitExceeded(WabeiError):
    """A read would go past one of the node's documented limits (its time, its result count,
    its size); the message names the limit and what to narrow (-32005, EIP-1474)."""


class MethodNotFound(WabeiError):
    """The JSON-RPC method does not exist or is not enabled (-32601)."""


class StorageError(WabeiError):
    """The data directory cannot be read or written, or belongs to another chain."""


class InvalidBlock(WabeiError):
    """A block received from elsewhere (or, as a bug, one built here) breaks the fork's rules or
    does not re-execute to the roots, gas figures and receipts it claims. The message says which."""


class SimulationError(WabeiError):
    """eth_simulateV1 refused its input or one of its calls before executing it; `code` is the
    execution-apis / geth code for the reason (-38010 nonce too low ... -38026 client limit)."""

    def __init__(self, code: int, message: str) -> None:
        self.code = code
        super().__init__(message)
