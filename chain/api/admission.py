"""Checks a transaction must pass before it enters the pool, with the errors geth gives.

Each failure raises a TransactionRejected subclass whose message a user can act on; the RPC layer
maps them to -32003 (or -32000) and nothing is mined.
"""
from __future__ import annotations

from typing import cast

from eth.abc import LegacyTransactionFieldsAPI, SignedTransactionAPI, StateAPI
from eth_typing import Address
from eth_keys.exceptions import BadSignature
from eth_utils.exceptions import ValidationError

from chain.exceptions import (
    FeeCapTooLow,
    GasLimitExceeded,
    InsufficientFunds,
    IntrinsicGasTooLow,
    InvalidParams,
    InvalidSignature,
    NonceTooLow,
    WrongChainId,
)
from chain.backend.vm import BaseVM
from chain.pool import PooledTx

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def decode_raw(raw: bytes) -> SignedTransactionAPI:
    try:
        return BaseVM.get_transaction_builder().decode(raw)
    except Exception as exc:
        raise InvalidParams(f"failed to decode signed transaction: {exc}") from exc


def tx_chain_id(tx: SignedTransactionAPI) -> int | None:
    """The chain id a transaction is signed for; None for a pre-EIP-155 legacy transaction."""
    chain_id = getattr(tx, "chain_id", None)
    if chain_id is not None:
        return int(chain_id)
    # No chain id means a legacy transaction, whose `v` py-evm exposes only on the legacy API.
    v = int(cast(LegacyTransactionFieldsAPI, tx).v)
    return None if v in (27, 28) else (v - 35) // 2


def recover_sender(tx: SignedTransactionAPI) -> bytes:
    if not 0 < tx.r < SECP256K1_N or not 0 < tx.s <= SECP256K1_N // 2:
        raise InvalidSignature("invalid transaction signature: r or s out of range")
    try:
        return bytes(tx.sender)
    except (ValidationError, BadSignature, ValueError) as exc:
        raise InvalidSignature(f"invalid transaction signature: {exc}") from exc


def fee_fields(tx: SignedTransactionAPI) -> tuple[int, int]:
    """(max fee per gas, max priority fee per gas) with legacy gas price in both."""
    max_fee = getattr(tx, "max_fee_per_gas", None)
    if max_fee is None:
        return int(tx.gas_price), int(tx.gas_price)
    return int(max_fee), int(tx.max_priority_fee_per_gas)


def check_transaction(
    tx: SignedTransactionAPI,
    sender: bytes,
    state: StateAPI,
    *,
    chain_id: int,
    block_gas_limit: int,
    next_base_fee: int,
) -> PooledTx:
    """Validate `tx` from `sender` against the head state; return it as a pool entry."""
    signed_for = tx_chain_id(tx)
    if signed_for is not None and signed_for != chain_id:
        raise WrongChainId(f"invalid chain id for signer: have {signed_for}, want {chain_id}")
    if tx.gas > block_gas_limit:
        raise GasLimitExceeded(
            f"exceeds block gas limit: transaction gas {tx.gas} > block gas limit {block_gas_limit}"
        )
    intrinsic = int(tx.intrinsic_gas)
    if tx.gas < intrinsic:
        raise IntrinsicGasTooLow(f"intrinsic gas too low: have {tx.gas}, want {intrinsic}")
    max_fee, tip = fee_fields(tx)
    if tip > max_fee:
        raise FeeCapTooLow(
            f"max priority fee per gas higher than max fee per gas: tip {tip}, max fee {max_fee}"
        )
    if max_fee < next_base_fee:
        raise FeeCapTooLow(
            f"max fee per gas less than block base fee: address 0x{sender.hex()}, "
            f"maxFeePerGas: {max_fee}, baseFee: {next_base_fee}"
        )
    nonce = state.get_nonce(Address(sender))
    if tx.nonce < nonce:
        raise NonceTooLow(
            f"nonce too low: address 0x{sender.hex()}, tx: {tx.nonce} state: {nonce}"
        )
    balance = state.get_balance(Address(sender))
    cost = tx.gas * max_fee + tx.value
    if balance < cost:
        raise InsufficientFunds(
            f"insufficient funds for gas * price + value: address 0x{sender.hex()} "
            f"have {balance} want {cost}"
        )
    return PooledTx(
        hash=bytes(tx.hash),
        sender=sender,
        nonce=int(tx.nonce),
        gas=int(tx.gas),
        max_fee=max_fee,
        max_priority_fee=tip,
        tx=tx,
    )
