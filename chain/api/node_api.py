"""NodeAPI: everything the RPC namespaces need, in bytes and ints.

It owns the pool, the filters and the event hub, and drives the backend. All calls happen on the
node's event loop, one at a time, so no locking is needed.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Iterator

from eth.abc import BlockHeaderAPI, SignedTransactionAPI, StateAPI
from eth.vm.forks.london.headers import calculate_expected_base_fee_per_gas
from eth.vm.spoof import SpoofTransaction
from eth_keys.datatypes import PrivateKey
from eth_typing import Address

from chain.accounts import DevAccount
from chain.api import admission, signing
from chain.api.events import Topic
from chain.api.logs import block_logs, bloom_may_match, matches
from chain.backend import executor
from chain.backend.backend import Backend
from chain.backend.builder import BuiltBlock
from chain.backend.vm import base_fee, transaction_builder
from chain.abc import MinerAPI
from chain.config import NodeConfig
from chain.exceptions import (
    InvalidParams, ResourceNotFound, StorageError, TransactionRejected, UnknownAccount,
)
from chain.pool import PooledTx, TxPool
from chain.storage.chain_store import StoredBlock
from chain.types import AccountOverride, CallRequest, CallResult, LogEntry, LogFilter

DEFAULT_PRIORITY_FEE = 1_000_000_000  # 1 gwei, what Anvil and Hardhat suggest
MAX_LOG_RESULTS = 10_000


@dataclass(frozen=True)
class MinedBlock:
    block: StoredBlock
    built: BuiltBlock


@dataclass(frozen=True)
class TxLookup:
    """A transaction by hash: mined (block and index) or still in the pool."""

    tx: SignedTransactionAPI
    sender: bytes
    block: StoredBlock | None = None
    index: int | None = None


class NodeAPI:
    def __init__(self, config: NodeConfig, backend: Backend, accounts: tuple[DevAccount, ...]) -> None:
        self.config = config
        self.backend = backend
        self.accounts = accounts
        self._keys: dict[bytes, PrivateKey] = {a.address: a.private_key for a in accounts}
        self.impersonated: set[bytes] = set()
        self.auto_impersonate = False
        self.pool = TxPool(self._head_nonce)
        self.new_blocks: Topic[MinedBlock] = Topic()
        self.new_pending: Topic[PooledTx] = Topic()
        self.rejected: Topic[tuple[bytes, str]] = Topic()
        self._miner: MinerAPI | None = None  # attached by the composition root (chain.node)

    @property
    def miner(self) -> MinerAPI:
        """The block producer; the composition root attaches it before the node serves."""
        if self._miner is None:
            raise RuntimeError("NodeAPI used before chain.node attached a miner")
        return self._miner

    def attach_miner(self, miner: MinerAPI) -> None:
        self._miner = miner

    # -- chain reads -------------------------------------------------------------------------
    @property
    def chain_id(self) -> int:
        return self.backend.chain_id

    @property
    def head(self) -> BlockHeaderAPI:
        return self.backend.head

    def _head_nonce(self, address: bytes) -> int:
        return int(self.backend.head_state().get_nonce(Address(address)))

    def _reader(self, header: BlockHeaderAPI) -> StateAPI:
        """State for reads at `header`: the shared head reader at `latest`, else a fresh one."""
        if header.hash == self.head.hash:
            return self.backend.head_state()
        return self.backend.state_at(header)

    def header_by_number(self, number: int) -> BlockHeaderAPI:
        h = self.backend.store.canonical_hash(number)
        if h is None:
            raise ResourceNotFound(f"block {number} not found (head is {self.head.block_number})")
        return self.backend.store.header(h)  # type: ignore[return-value]

    def header_by_hash(self, block_hash: bytes, require_canonical: bool = False) -> BlockHeaderAPI:
        header = self.backend.store.header(block_hash)
        if header is None or (require_canonical and not self.backend.store.is_canonical(block_hash)):
            raise ResourceNotFound(f"block 0x{block_hash.hex()} not found")
        return header

    def block(self, header: BlockHeaderAPI) -> StoredBlock:
        block = self.backend.store.block(bytes(header.hash))
        if block is None:
            raise ResourceNotFound(f"block 0x{bytes(header.hash).hex()} not found")
        return block

    def block_or_none(self, block_hash: bytes) -> StoredBlock | None:
        return self.backend.store.block(block_hash)

    def balance(self, address: bytes, header: BlockHeaderAPI) -> int:
        return int(self._reader(header).get_balance(Address(address)))

    def nonce(self, address: bytes, header: BlockHeaderAPI, pending: bool = False) -> int:
        if pending:
            return self.pool.next_nonce(address)
        return int(self._reader(header).get_nonce(Address(address)))

    def code(self, address: bytes, header: BlockHeaderAPI) -> bytes:
        return bytes(self._reader(header).get_code(Address(address)))

    def storage(self, address: bytes, slot: int, header: BlockHeaderAPI) -> int:
        return int(self._reader(header).get_storage(Address(address), slot))

    def transaction(self, tx_hash: bytes) -> TxLookup | None:
        loc = self.backend.store.tx_location(tx_hash)
        if loc is not None:
            block = self.backend.store.block(loc.block_hash)
            if block is not None:
                return TxLookup(block.transactions[loc.index], block.senders[loc.index], block, loc.index)
        pooled = self.pool.get(tx_hash)
        if pooled is not None:
            return TxLookup(pooled.tx, pooled.sender)
        return None

    def next_base_fee(self) -> int:
        return int(calculate_expected_base_fee_per_gas(self.head))

    def gas_price(self) -> int:
        """eth_gasPrice: next base fee plus the default tip, as Anvil answers."""
        return self.next_base_fee() + DEFAULT_PRIORITY_FEE

    def fee_history(self, count: int, newest: int, percentiles: list[float]) -> dict[str, Any]:
        count = max(0, min(count, 1024, newest + 1))
        oldest = newest - count + 1
        base_fees, ratios, rewards = [], [], []
        for n in range(oldest, newest + 1):
            block = self.block(self.header_by_number(n))
            h = block.header
            base_fees.append(base_fee(h))
            ratios.append(h.gas_used / h.gas_limit if h.gas_limit else 0.0)
            rewards.append(_block_rewards(block, percentiles))
        last = self.header_by_number(newest)
        base_fees.append(int(calculate_expected_base_fee_per_gas(last)))
        return {"oldest": oldest, "base_fees": base_fees, "ratios": ratios,
                "rewards": rewards if percentiles else None}

    def logs(self, flt: LogFilter) -> list[LogEntry]:
        if flt.block_hash is not None:
            blocks: Iterator[StoredBlock] = iter([self.block(self.header_by_hash(flt.block_hash))])
        else:
            to_block = self.head.block_number if flt.to_block is None else flt.to_block
            to_block = min(to_block, self.head.block_number)
            if flt.from_block > to_block:
                return []
            blocks = self._blocks_matching(flt, flt.from_block, to_block)
        out: list[LogEntry] = []
        for block in blocks:
            out.extend(e for e in block_logs(block) if matches(e, flt))
            if len(out) > MAX_LOG_RESULTS:
                raise InvalidParams(
                    f"query returned more than {MAX_LOG_RESULTS} results; narrow the block range"
                )
        return out

    def _blocks_matching(self, flt: LogFilter, start: int, end: int) -> Iterator[StoredBlock]:
        store = self.backend.store
        for n in range(start, end + 1):
            header = self.header_by_number(n)
            if header.bloom and bloom_may_match(header.bloom, flt):
                block = store.block(bytes(header.hash))
                if block is not None:
                    yield block

    # -- execution ---------------------------------------------------------------------------
    def _call_ctx(self, header: BlockHeaderAPI) -> executor.CallContext:
        return executor.CallContext(header, self.config.effective_call_gas_cap, self.chain_id)

    def _state_factory(self, base: BlockHeaderAPI) -> executor.StateFactory:
        return lambda context: self.backend.state_at(base, context)

    def call(self, req: CallRequest, header: BlockHeaderAPI,
             overrides: dict[bytes, AccountOverride] | None = None) -> bytes:
        return executor.call_or_raise(self._state_factory(header), self._call_ctx(header), req, overrides)

    def estimate_gas(self, req: CallRequest, header: BlockHeaderAPI,
                     overrides: dict[bytes, AccountOverride] | None = None) -> int:
        return executor.estimate_gas(self._state_factory(header), self._call_ctx(header), req, overrides)

    def create_access_list(self, req: CallRequest, header: BlockHeaderAPI) -> tuple[list[tuple[bytes, list[int]]], int, CallResult]:
        return executor.access_list(self._state_factory(header), self._call_ctx(header), req)

    # -- transactions ------------------------------------------------------------------------
    def send_raw_transaction(self, raw: bytes) -> bytes:
        tx = admission.decode_raw(raw)
        sender = admission.recover_sender(tx)
        return self._submit(tx, sender)

    def send_transaction(self, req: CallRequest) -> bytes:
        if req.sender is None:
            raise InvalidParams("missing value for required argument 'from'")
        tx = self._build_transaction(req)
        return self._submit(tx, req.sender)

    def sign_transaction(self, req: CallRequest) -> bytes:
        if req.sender is None or req.sender not in self._keys:
            raise UnknownAccount("unknown account: no key to sign with for 'from'")
        return bytes(self._build_transaction(req).encode())

    def _build_transaction(self, req: CallRequest) -> SignedTransactionAPI:
        sender = req.sender
        assert sender is not None
        can_sign = sender in self._keys
        if not can_sign and not (self.auto_impersonate or sender in self.impersonated):
            raise UnknownAccount(
                f"unknown account 0x{sender.hex()}: not a dev account and not impersonated"
            )
        if req.chain_id is not None and req.chain_id != self.chain_id:
            raise InvalidParams(f"chainId {req.chain_id} does not match the node's {self.chain_id}")
        nonce = req.nonce if req.nonce is not None else self.pool.next_nonce(sender)
        gas = req.gas
        if gas is None:
            gas = self.estimate_gas(replace(req, nonce=None), self.head)
        builder = transaction_builder()
        to = Address(req.to or b"")
        legacy = req.gas_price is not None or req.tx_type == 0
        if legacy:
            gas_price = req.gas_price if req.gas_price is not None else self.gas_price()
            unsigned: Any = builder.create_unsigned_transaction(
                nonce=nonce, gas_price=gas_price, gas=gas, to=to, value=req.value, data=req.data)
        else:
            tip = req.max_priority_fee_per_gas
            if tip is None:
                tip = min(DEFAULT_PRIORITY_FEE, req.max_fee_per_gas) if req.max_fee_per_gas is not None else DEFAULT_PRIORITY_FEE
            max_fee = req.max_fee_per_gas if req.max_fee_per_gas is not None else 2 * self.next_base_fee() + tip
            unsigned = builder.new_unsigned_dynamic_fee_transaction(
                chain_id=self.chain_id, nonce=nonce, max_priority_fee_per_gas=tip, max_fee_per_gas=max_fee,
                gas=gas, to=to, value=req.value, data=req.data,
                access_list=[(Address(a), list(s)) for a, s in req.access_list])
        if can_sign:
            if legacy:
                return unsigned.as_signed_transaction(self._keys[sender], chain_id=self.chain_id)  # type: ignore[no-any-return]
            return unsigned.as_signed_transaction(self._keys[sender])  # type: ignore[no-any-return]
        return _impersonated(unsigned, sender, legacy, self.chain_id)

    def _submit(self, tx: SignedTransactionAPI, sender: bytes) -> bytes:
        ptx = admission.check_transaction(
            tx, sender, self.backend.head_state(),
            chain_id=self.chain_id, block_gas_limit=self.config.gas_limit,
            next_base_fee=self.next_base_fee(),
        )
        if self.backend.store.tx_location(ptx.hash) is not None:
            raise TransactionRejected("already known")
        self.pool.add(ptx)
        self.new_pending.publish(ptx)
        if self._miner is not None:
            try:
                self._miner.on_new_transaction()
            except StorageError:
                # The client is told this transaction failed (automine could not save its
                # block), so it must not be mined later behind the client's back.
                self.pool.remove(ptx.hash)
                raise
        return ptx.hash

    # -- mining ------------------------------------------------------------------------------
    def has_ready(self) -> bool:
        return bool(self.pool.ready(self.next_base_fee()))

    def mine_block(self, timestamp: int | None = None) -> MinedBlock:
        """Mine one block with every ready pool transaction that fits."""
        return self._mine([p.tx for p in self.pool.ready(self.next_base_fee())], timestamp)

    def mine_ready(self) -> int:
        """Automine and interval mining: one block per transaction in automine, else one block."""
        if self._miner is None or not self._miner.automine:
            self.mine_block()
            return 1
        count = 0
        while True:
            ready = self.pool.ready(self.next_base_fee())
            if not ready:
                return count
            self._mine([ready[0].tx])
            count += 1
            if ready[0].hash in self.pool:
                return count  # kept back (it cannot fit any block): do not spin on it

    def _mine(self, candidates: list[SignedTransactionAPI], timestamp: int | None = None) -> MinedBlock:
        """Build a block from `candidates`, update the pool, and announce the block."""
        built = self.backend.mine(candidates, timestamp)
        for tx in built.transactions:
            self.pool.remove(bytes(tx.hash))
        for tx, reason in built.rejected:
            if reason != "block gas limit reached":
                self.pool.remove(bytes(tx.hash))
                self.rejected.publish((bytes(tx.hash), reason))
        self.pool.prune()
        stored = self.backend.store.block(bytes(built.block.hash))
        assert stored is not None
        mined = MinedBlock(stored, built)
        self.new_blocks.publish(mined)
        return mined

    # -- dev methods -------------------------------------------------------------------------
    def set_balance(self, address: bytes, value: int) -> None:
        self.backend.edit_head_state(lambda s: s.set_balance(Address(address), value))

    def set_code(self, address: bytes, code: bytes) -> None:
        self.backend.edit_head_state(lambda s: s.set_code(Address(address), code))

    def set_nonce(self, address: bytes, nonce: int) -> None:
        self.backend.edit_head_state(lambda s: s.set_nonce(Address(address), nonce))
        self.pool.prune()

    def set_storage(self, address: bytes, slot: int, value: int) -> None:
        self.backend.edit_head_state(lambda s: s.set_storage(Address(address), slot, value))

    def snapshot(self) -> int:
        return self.backend.snapshot()

    def revert(self, snapshot_id: int) -> bool:
        ok = self.backend.revert(snapshot_id)
        if ok:
            self.pool.prune()
        return ok

    def key_for(self, address: bytes) -> PrivateKey:
        key = self._keys.get(address)
        if key is None:
            raise UnknownAccount(f"unknown account 0x{address.hex()}: no key to sign with")
        return key

    def sign(self, address: bytes, message: bytes) -> bytes:
        return signing.sign_message(self.key_for(address), message)

    def sign_typed_data(self, address: bytes, typed: dict[str, Any]) -> bytes:
        return signing.sign_typed_data(self.key_for(address), typed)


def _impersonated(unsigned: Any, sender: bytes, legacy: bool, chain_id: int) -> SignedTransactionAPI:
    """A transaction from an address we hold no key for (anvil_impersonateAccount).

    It carries a placeholder signature whose `s` is derived from the sender, so two impersonated
    senders never produce the same hash; the real sender rides along as a spoofed attribute.
    """
    s = int.from_bytes(sender, "big") + 1
    builder = transaction_builder()
    if legacy:
        signed = builder.new_transaction(
            nonce=unsigned.nonce, gas_price=unsigned.gas_price, gas=unsigned.gas, to=unsigned.to,
            value=unsigned.value, data=unsigned.data, v=chain_id * 2 + 35, r=1, s=s)
    else:
        signed = builder.new_dynamic_fee_transaction(
            chain_id=chain_id, nonce=unsigned.nonce,
            max_priority_fee_per_gas=unsigned.max_priority_fee_per_gas,
            max_fee_per_gas=unsigned.max_fee_per_gas, gas=unsigned.gas, to=unsigned.to,
            value=unsigned.value, data=unsigned.data, access_list=unsigned.access_list,
            y_parity=0, r=1, s=s)
    return SpoofTransaction(signed, sender=sender)  # type: ignore[return-value]


def _block_rewards(block: StoredBlock, percentiles: list[float]) -> list[int]:
    """Effective tips at the given gas-weighted percentiles, as geth computes eth_feeHistory."""
    if not percentiles:
        return []
    block_base_fee = base_fee(block.header)
    if not block.transactions:
        return [0 for _ in percentiles]
    prev = 0
    items = []
    for tx, receipt in zip(block.transactions, block.receipts):
        max_fee, tip = admission.fee_fields(tx)
        items.append((min(tip, max_fee - block_base_fee), receipt.gas_used - prev))
        prev = receipt.gas_used
    items.sort()
    total = sum(g for _, g in items) or 1
    out, cumulative, i = [], 0, 0
    for p in percentiles:
        threshold = total * p / 100
        while i < len(items) - 1 and cumulative + items[i][1] < threshold:
            cumulative += items[i][1]
            i += 1
        out.append(items[i][0])
    return out
