"""CheckTx and per-transaction result codes, and the way back from a code to the node's error.

A CheckTx rejection travels from the node that checked it, through CometBFT's
`broadcast_tx_sync`, to the engine that submitted it (network/engine.py), which raises the same
exception the devnet's admission would, so the client gets the same JSON-RPC code and wording.
Codes are part of the chain's results (CometBFT hashes `code` into the next block's
LastResultsHash), so they never change meaning: add new ones at the end.
"""
from __future__ import annotations

from chain import exceptions as ex

OK = 0
# Index + 1 is the code. A subclass comes before its base class.
_TABLE: tuple[type[ex.WabeiError], ...] = (
    ex.InvalidParams,           # 1: does not decode
    ex.InvalidSignature,        # 2
    ex.WrongChainId,            # 3
    ex.GasLimitExceeded,        # 4
    ex.IntrinsicGasTooLow,      # 5
    ex.FloorDataGasTooLow,      # 6
    ex.FeeCapTooLow,            # 7
    ex.NonceTooLow,             # 8
    ex.InsufficientFunds,       # 9
    ex.AlreadyKnown,            # 10
    ex.ReplacementUnderpriced,  # 11
    ex.PoolFull,                # 12
    ex.TransactionRejected,     # 13: any other admission refusal
)
# A transaction of a decided block that turned out invalid when executed (FinalizeBlock): a
# correct proposer never includes one (ProcessProposal refuses such a block), so seeing it
# means a block was decided by validators that disagree with this node's execution.
NOT_EXECUTED = 32
CODESPACE = "wabei"


def code_of(exc: ex.WabeiError) -> int:
    """The CheckTx code for an admission error."""
    for index, cls in enumerate(_TABLE):
        if isinstance(exc, cls):
            return index + 1
    return _TABLE.index(ex.TransactionRejected) + 1


def error_of(code: int, log: str) -> ex.WabeiError:
    """The exception a CheckTx rejection with `code` and `log` stands for."""
    if 1 <= code <= len(_TABLE):
        return _TABLE[code - 1](log)
    return ex.TransactionRejected(log or f"transaction refused by the network (code {code})")
