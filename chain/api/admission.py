"""Checks a transaction must pass before it enters the pool, with the errors geth gives.

Each failure raises a TransactionRejected subclass whose message a user can act on; the RPC layer
maps them to -32003 (or -32000) and nothing is mined.
"""
from __future__ import annotations

from eth.abc import SignedTransactionAPI, StateAPI
from eth_typing import Address
from eth_keys.exceptions import BadSignature
from eth_utils.exceptions import ValidationError

from chain.backend.txfields import fee_fields, tx_chain_id
from chain.backend.vm import data_floor_gas
from chain.crypto import CryptoSuite
from chain.exceptions import (
    AccountFrozen,
    FeeCapTooLow,
    FloorDataGasTooLow,
    GasLimitExceeded,
    InsufficientFunds,
    IntrinsicGasTooLow,
    InvalidParams,
    InvalidSignature,
    NonceTooLow,
    WrongChainId,
)
from chain.pool import PooledTx
from chain.spec import ChainSpec
from vm_hooks.governance.limits import chain_limits, sender_denial


def decode_raw(spec: ChainSpec, raw: bytes) -> SignedTransactionAPI:
    try:
        return spec.decode_transaction(raw)
    except Exception as exc:
        raise InvalidParams(f"failed to decode signed transaction: {exc}") from exc


def recover_sender(crypto: CryptoSuite, tx: SignedTransactionAPI) -> bytes:
    if not crypto.valid_signature_scalars(tx.r, tx.s):
        raise InvalidSignature("invalid transaction signature: r or s out of range")
    try:
        return bytes(tx.sender)
    except (ValidationError, BadSignature, ValueError) as exc:
        raise InvalidSignature(f"invalid transaction signature: {exc}") from exc


def check_governance(tx: SignedTransactionAPI, sender: bytes, state: StateAPI) -> None:
    """The governance rules admission enforces (vm_hooks/governance/limits.py): the system
    config's tx_gas_limit and block_gas_limit, and the sender's account status."""
    limits = chain_limits(state)
    for key, limit in (("tx_gas_limit", limits.tx_gas_limit), ("block_gas_limit", limits.block_gas_limit)):
        if limit is not None and tx.gas > limit:
            raise GasLimitExceeded(
                f"exceeds the chain's {key}: transaction gas {tx.gas} > {limit} "
                f"(SystemConfig 0x0000000000000000000000000000000000001000)"
            )
    denial = sender_denial(state, sender)
    if denial is not None:
        raise AccountFrozen(denial)


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
    check_governance(tx, sender, state)
    intrinsic = int(tx.intrinsic_gas)
    if tx.gas < intrinsic:
        raise IntrinsicGasTooLow(f"intrinsic gas too low: have {tx.gas}, want {intrinsic}")
    floor = data_floor_gas(bytes(tx.data))
    if tx.gas < floor:
        raise FloorDataGasTooLow(
            f"insufficient gas for floor data gas cost: have {tx.gas}, want {floor}"
        )
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
