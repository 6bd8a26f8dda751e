"""Transactions: admission and submission (eth_sendRawTransaction, eth_sendTransaction), and the
node's own signing with its dev accounts (eth_sign, eth_signTypedData, personal_sign)."""
from __future__ import annotations

import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from eth.abc import SignedTransactionAPI
from eth.vm.spoof import SpoofTransaction
from eth_keys.datatypes import PrivateKey
from eth_typing import Address

from chain.abc import ConsensusEngineAPI
from chain.accounts import DevAccount
from chain.api import admission, signing
from chain.api.flow import FlowRecorder
from chain.api.reads import DEFAULT_PRIORITY_FEE, ChainReads
from chain.backend.txfields import py_evm_authorization
from chain.exceptions import InvalidParams, StorageError, TransactionRejected, UnknownAccount
from chain.pool import TxPool
from chain.spec import ChainSpec
from chain.types import CallRequest

if TYPE_CHECKING:
    from chain.api.dev import DevControls


class Transactions:
    def __init__(self, spec: ChainSpec, reads: ChainReads, pool: TxPool, engine: ConsensusEngineAPI,
                 accounts: tuple[DevAccount, ...], dev: "DevControls | None", *, unlocked: bool = True,
                 flow: FlowRecorder | None = None) -> None:
        """`unlocked=False` (`--no-unlocked-accounts`): the node signs for no one; the dev accounts
        keep their genesis balances, and their owners sign for themselves."""
        self.spec = spec
        self.reads = reads
        self.pool = pool
        self.engine = engine
        self.accounts = accounts
        self.unlocked = unlocked
        self._keys: dict[bytes, PrivateKey] = {a.address: a.private_key for a in accounts} if unlocked else {}
        self._dev = dev
        self._flow = flow if flow is not None else FlowRecorder(0)

    @property
    def signers(self) -> tuple[bytes, ...]:
        """The addresses the node signs for (eth_accounts): the dev accounts, unless locked."""
        return tuple(self._keys)

    def _unknown(self, sender: bytes, why: str) -> UnknownAccount:
        if not self.unlocked and any(a.address == sender for a in self.accounts):
            return UnknownAccount(
                f"account 0x{sender.hex()} is locked: this node was started with --no-unlocked-accounts, "
                "so it signs for no dev account; sign the transaction yourself and send it with "
                "eth_sendRawTransaction")
        return UnknownAccount(f"unknown account 0x{sender.hex()}: {why}")

    @property
    def chain_id(self) -> int:
        return self.reads.chain_id

    async def send_raw_transaction(self, raw: bytes) -> bytes:
        received = time.time()
        tx = admission.decode_raw(self.spec, raw)
        sender = admission.recover_sender(self.spec.crypto, tx)
        return await self._submit(tx, sender, received)

    async def send_transaction(self, req: CallRequest, unsigned: bool = False) -> bytes:
        """eth_sendTransaction; `unsigned` (eth_sendUnsignedTransaction, devnet only) sends it
        from any address without a signature, as an impersonated transaction."""
        if req.sender is None:
            raise InvalidParams("missing value for required argument 'from'")
        if unsigned and self._dev is None:
            raise InvalidParams("unsigned transactions exist only on a devnet")
        received = time.time()
        tx = await self._build_transaction(req, unsigned)
        return await self._submit(tx, req.sender, received)

    async def sign_transaction(self, req: CallRequest) -> bytes:
        if req.sender is None:
            raise InvalidParams("missing value for required argument 'from'")
        if req.sender not in self._keys:
            raise self._unknown(req.sender, "no key to sign with")
        return bytes((await self._build_transaction(req)).encode())

    def _may_impersonate(self, sender: bytes) -> bool:
        return self._dev is not None and self._dev.may_impersonate(sender)

    async def _build_transaction(self, req: CallRequest, force_unsigned: bool = False) -> SignedTransactionAPI:
        sender = req.sender
        assert sender is not None
        can_sign = sender in self._keys and not force_unsigned
        if not can_sign and not force_unsigned and not self._may_impersonate(sender):
            raise self._unknown(sender, "not a dev account and not impersonated")
        if req.chain_id is not None and req.chain_id != self.chain_id:
            raise InvalidParams(f"chainId {req.chain_id} does not match the node's {self.chain_id}")
        nonce = req.nonce if req.nonce is not None else self.pool.next_nonce(sender)
        gas = req.gas
        if gas is None:
            # In the next block, on a call worker: an estimate may run for the call timeout.
            gas = await self.reads.estimate_gas(replace(req, nonce=None), None)
        builder = self.spec.transaction_builder
        to = Address(req.to or b"")
        legacy = req.gas_price is not None or req.tx_type == 0
        if legacy and req.authorization_list:
            raise InvalidParams("authorizationList needs a type-4 transaction: send fee caps, not gasPrice")
        if legacy:
            gas_price = req.gas_price if req.gas_price is not None else self.reads.gas_price()
            unsigned: Any = builder.create_unsigned_transaction(
                nonce=nonce, gas_price=gas_price, gas=gas, to=to, value=req.value, data=req.data)
        else:
            tip = req.max_priority_fee_per_gas
            if tip is None:
                tip = min(DEFAULT_PRIORITY_FEE, req.max_fee_per_gas) if req.max_fee_per_gas is not None else DEFAULT_PRIORITY_FEE
            max_fee = req.max_fee_per_gas if req.max_fee_per_gas is not None else 2 * self.reads.next_base_fee() + tip
            fields: dict[str, Any] = dict(
                chain_id=self.chain_id, nonce=nonce, max_priority_fee_per_gas=tip, max_fee_per_gas=max_fee,
                gas=gas, to=to, value=req.value, data=req.data,
                access_list=[(Address(a), list(s)) for a, s in req.access_list])
            if req.authorization_list:  # EIP-7702: a type-4 transaction, as geth builds one
                unsigned = builder.new_unsigned_set_code_transaction(
                    **fields, authorization_list=[py_evm_authorization(a) for a in req.authorization_list])
            else:
                unsigned = builder.new_unsigned_dynamic_fee_transaction(**fields)
        if can_sign:
            if legacy:
                return unsigned.as_signed_transaction(self._keys[sender], chain_id=self.chain_id)  # type: ignore[no-any-return]
            return unsigned.as_signed_transaction(self._keys[sender])  # type: ignore[no-any-return]
        return _impersonated(self.spec, unsigned, sender, legacy, self.chain_id)

    async def _submit(self, tx: SignedTransactionAPI, sender: bytes, received: float) -> bytes:
        ptx = admission.check_transaction(
            tx, sender, self.reads.backend.head_state(),
            chain_id=self.chain_id, block_gas_limit=self.reads.next_gas_limit(),
            next_base_fee=self.reads.next_base_fee(),
        )
        if self.reads.backend.store.tx_location(ptx.hash) is not None:
            raise TransactionRejected("already known")
        self._flow.received(ptx.hash, received)
        try:
            await self.engine.submit(ptx)
        except StorageError:
            # The client is told this transaction failed (automine could not save its
            # block), so it must not be mined later behind the client's back.
            self.pool.remove(ptx.hash)
            raise
        return ptx.hash

    # -- signing with dev accounts ------------------------------------------------------------
    def key_for(self, address: bytes) -> PrivateKey:
        key = self._keys.get(address)
        if key is None:
            raise self._unknown(address, "no key to sign with")
        return key

    def sign(self, address: bytes, message: bytes) -> bytes:
        return signing.sign_message(self.key_for(address), message)

    def sign_typed_data(self, address: bytes, typed: dict[str, Any]) -> bytes:
        return signing.sign_typed_data(self.key_for(address), typed)


def _impersonated(spec: ChainSpec, unsigned: Any, sender: bytes, legacy: bool,
                  chain_id: int) -> SignedTransactionAPI:
    """A transaction from an address we hold no key for (anvil_impersonateAccount; devnet only).

    It carries a placeholder signature whose `s` is derived from the sender, so two impersonated
    senders never produce the same hash; the real sender rides along as a spoofed attribute and
    is stored beside the block, so another node cannot verify such a block from its body.
    """
    s = int.from_bytes(sender, "big") + 1
    builder = spec.transaction_builder
    if legacy:
        signed = builder.new_transaction(
            nonce=unsigned.nonce, gas_price=unsigned.gas_price, gas=unsigned.gas, to=unsigned.to,
            value=unsigned.value, data=unsigned.data, v=chain_id * 2 + 35, r=1, s=s)
    else:
        fields = dict(
            chain_id=chain_id, nonce=unsigned.nonce,
            max_priority_fee_per_gas=unsigned.max_priority_fee_per_gas,
            max_fee_per_gas=unsigned.max_fee_per_gas, gas=unsigned.gas, to=unsigned.to,
            value=unsigned.value, data=unsigned.data, access_list=unsigned.access_list,
            y_parity=0, r=1, s=s)
        if getattr(unsigned, "authorization_list", None):
            signed = builder.new_set_code_transaction(
                **fields, authorization_list=unsigned.authorization_list)
        else:
            signed = builder.new_dynamic_fee_transaction(**fields)
    return SpoofTransaction(signed, sender=sender)  # type: ignore[return-value]
