"""Send a transaction over web3, wait for its receipt, and fail clearly when it reverted.

    receipt = send_and_wait(w3, token.functions.transfer(to, 5), sender)   # sender: see `Sender`

A revert is reported at one of two moments, and the two are kept apart on purpose:

* Before anything is sent: the gas estimate runs the call in the block it will be mined in
  (`pending`: the next block's time and number), so a call that would revert
  raises web3's `ContractLogicError` (or its subclass `ContractCustomError`) and no transaction
  exists. It is left as web3 raised it because callers match on it (the sharing client's
  callers decode custom errors from `ContractCustomError`).
* After mining, with status 0 (the state changed between estimate and inclusion, or a fixed
  `gas` skipped the estimate): `TransactionReverted`, with the receipt and the revert reason.
"""
from __future__ import annotations

from typing import Any, cast

from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils.address import to_checksum_address
from hexbytes import HexBytes
from web3 import Web3
from web3.exceptions import ContractCustomError, ContractLogicError, Web3Exception
from web3.types import BlockIdentifier, TxParams, TxReceipt, Wei

# Who sends: a local account (signed here, sent raw) or the address of an account the node
# manages (sent with eth_sendTransaction, which the node signs).
Sender = LocalAccount | str

RECEIPT_TIMEOUT = 120.0  # seconds: web3's own default; an automine node answers in milliseconds


class TransactionError(Exception):
    """Base of this package's errors."""


class TransactionReverted(TransactionError):
    """A transaction was mined with status 0.

    `reason` is the node's revert message for the replayed call ("execution reverted: ..."
    with that prefix removed), or None if the replay did not revert; `data` is the revert data
    (0x-hex) for decoding a custom error against an ABI, or None.
    """

    def __init__(self, tx_hash: str, receipt: TxReceipt, reason: str | None, data: str | None) -> None:
        self.tx_hash = tx_hash
        self.receipt = receipt
        self.reason = reason
        self.data = data
        why = f": {reason}" if reason else ""
        super().__init__(f"transaction {tx_hash} reverted{why}")


def sender_address(sender: Sender) -> ChecksumAddress:
    """The checksummed address that `sender` sends from."""
    return sender.address if isinstance(sender, LocalAccount) else to_checksum_address(sender)


def send_and_wait(
    w3: Web3, call: Any, sender: Sender | None = None, *, value: int = 0, gas: int | None = None,
    timeout: float = RECEIPT_TIMEOUT,
) -> TxReceipt:
    """Send `call` (a web3 contract function or constructor with its arguments bound) and wait.

    `sender` None sends from `w3.eth.default_account`, else the node's first account. `value`
    is in wei. `gas` fixes the gas limit and skips the estimate (so a revert shows only in the
    receipt). `timeout` is in seconds.

    Returns the receipt of a successful transaction. Raises web3's `ContractLogicError` if the
    gas estimate reverts (nothing was sent), `TransactionReverted` if the transaction was mined
    with status 0, and web3's `TimeExhausted` if no receipt came within `timeout`.
    """
    params: TxParams = {"from": _from(w3, sender)}
    if value:
        params["value"] = Wei(value)
    # web3.py estimates at its default block, `latest`, i.e. in the head block's context (its
    # time and number); the transaction runs in the next block. Estimating at `pending` runs the
    # call in that next block's context, so a deadline or sale window that ends at the head's
    # time fails here, before sending, instead of passing the estimate and reverting when mined.
    params["gas"] = gas if gas is not None else call.estimate_gas(params, block_identifier="pending")
    if isinstance(sender, LocalAccount):
        tx = call.build_transaction(params)
        tx["nonce"] = w3.eth.get_transaction_count(sender.address, "pending")
        tx_hash = w3.eth.send_raw_transaction(sender.sign_transaction(cast(dict[str, Any], tx)).raw_transaction)
    else:
        tx_hash = call.transact(params)
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=timeout)
    if receipt["status"] != 1:
        reason, data = replay_revert(w3, HexBytes(tx_hash), receipt["blockNumber"] - 1)
        raise TransactionReverted(HexBytes(tx_hash).to_0x_hex(), receipt, reason, data)
    return receipt


def _from(w3: Web3, sender: Sender | None) -> ChecksumAddress:
    if sender is not None:
        return sender_address(sender)
    return to_checksum_address(str(w3.eth.default_account or w3.eth.accounts[0]))


def replay_revert(w3: Web3, tx_hash: HexBytes, block: BlockIdentifier) -> tuple[str | None, str | None]:
    """Why a mined transaction reverted: run it again with eth_call on the state at `block`.

    Receipts carry no revert reason, so this is the only way to get one. Best effort: `block`
    is the parent of the transaction's block, so a transaction that depended on others mined
    before it in the same block may replay differently. Returns (reason, revert data hex).
    """
    tx = w3.eth.get_transaction(tx_hash)
    replay: TxParams = {"from": tx["from"], "data": tx["input"], "value": tx["value"], "gas": tx["gas"]}
    if tx.get("to"):
        replay["to"] = tx["to"]
    try:
        w3.eth.call(replay, block)
    except ContractLogicError as exc:
        data = exc.data if isinstance(exc.data, str) else None
        # web3 puts a custom error's raw data in the message; say what it is, the ABI can decode it.
        reason = f"custom error {data}" if isinstance(exc, ContractCustomError) else revert_message(exc)
        return reason, data
    except Web3Exception as exc:  # out of gas and other failures that are not a revert
        return str(exc).replace("\n", " "), None
    return None, None


def revert_message(exc: ContractLogicError) -> str:
    """The node's revert message without web3's "execution reverted: " prefix."""
    message = str(exc.args[0]) if exc.args else str(exc)
    return message.removeprefix("execution reverted: ")
