"""Blocks sealed by chain/backend/sealing.py are the blocks py-evm's own sealing makes: same hash,
same requests hash, same writes, including a block whose receipts carry EIP-6110 deposit logs
(the one case where the receipts kept in memory change the header)."""
from __future__ import annotations

import hashlib
from dataclasses import replace

from eth.vm.forks.prague import PragueVM
from eth.vm.forks.prague.blocks import PragueBlock
from eth.vm.forks.prague.constants import DEPOSIT_CONTRACT_ADDRESS, DEPOSIT_EVENT_SIGNATURE_HASH
from eth_account import Account
from eth_typing import Address
from eth_utils import to_checksum_address

from chain.api.chain import Chain, build_chain
from chain.backend.builder import propose_block
from chain.backend.execution import BuiltBlock
from chain.backend.sealing import SharingPragueBlock
from chain.config import ChainConfig
from chain.storage.buffer import WriteBuffer

KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
FEES = {"chainId": 31337, "maxFeePerGas": 10 * 10**9, "maxPriorityFeePerGas": 10**9, "type": 2}
# Copies its calldata to memory and logs it with the DepositEvent topic: what EIP-6110 scans for.
DEPOSIT_EMITTER = (bytes.fromhex("365f5f37") + b"\x7f" + DEPOSIT_EVENT_SIGNATURE_HASH
                   + bytes.fromhex("365fa100"))
# sha256 over no non-empty request: an empty block's requests hash.
EMPTY_REQUESTS_HASH = hashlib.sha256().digest()


def _plain_vm(vm_class: type[PragueVM]) -> type[PragueVM]:
    """`vm_class` with py-evm's own opening and sealing put back: the reference."""
    return type("PlainSealing", (vm_class,), {
        "set_block_transactions_and_withdrawals": PragueVM.set_block_transactions_and_withdrawals,
        "process_deposit_request_data": PragueVM.process_deposit_request_data,
        "create_header_from_parent": PragueVM.create_header_from_parent,
        "block_class": PragueBlock,
    })


def _signed(chain: Chain, n: int, deposit_calls: int) -> list[object]:
    acct = Account.from_key(KEY)
    txs = []
    for nonce in range(n):
        if nonce < deposit_calls:
            tx = {**FEES, "nonce": nonce, "to": to_checksum_address(DEPOSIT_CONTRACT_ADDRESS), "value": 0,
                  "gas": 200_000, "data": bytes(range(256)) * 2 + bytes([nonce]) * 64}
        else:
            tx = {**FEES, "nonce": nonce, "to": to_checksum_address(bytes([nonce + 1]) * 20), "value": nonce,
                  "gas": 21_000}
        txs.append(chain.spec.decode_transaction(bytes(acct.sign_transaction(tx).raw_transaction)))
    return txs


def _both(n: int, deposit_calls: int) -> tuple[BuiltBlock, BuiltBlock]:
    chain = build_chain(ChainConfig(genesis_timestamp=1_700_000_000))
    chain.backend.edit_head_state(lambda s: s.set_code(Address(DEPOSIT_CONTRACT_ADDRESS), DEPOSIT_EMITTER))
    backend = chain.backend
    fields = backend.header_fields(1_700_000_012, b"\x00" * 20)
    txs = _signed(chain, n, deposit_calls)
    built = [propose_block(spec, WriteBuffer(backend.db), backend.chain_id, backend.head,
                           backend.head_state_root, fields, txs)  # type: ignore[arg-type]
             for spec in (backend.spec, replace(backend.spec, vm_class=_plain_vm(backend.spec.vm_class)))]
    return built[0], built[1]


def _writes(built: BuiltBlock) -> dict[bytes, bytes]:
    return dict(built.writes._pending.diff().pending_items())


def test_sealed_like_py_evm_with_deposit_logs() -> None:
    ours, py_evm = _both(5, deposit_calls=2)
    assert len(ours.transactions) == 5 and not ours.rejected
    assert sum(len(r.logs) for r in ours.receipts) == 2
    assert ours.block.header.requests_hash != EMPTY_REQUESTS_HASH  # the deposits reached the header
    assert ours.block.header == py_evm.block.header
    assert ours.block.hash == py_evm.block.hash
    assert _writes(ours) == _writes(py_evm)


def test_sealed_like_py_evm_without_deposits() -> None:
    for n in (0, 1, 20):
        ours, py_evm = _both(n, deposit_calls=0)
        assert len(ours.transactions) == n
        assert ours.block.header.requests_hash == EMPTY_REQUESTS_HASH
        assert ours.block.hash == py_evm.block.hash
        assert _writes(ours) == _writes(py_evm)


def test_a_shared_copy_is_py_evm_s_copy() -> None:
    ours, _ = _both(3, deposit_calls=1)
    block = ours.block
    assert type(block) is SharingPragueBlock
    plain = PragueBlock(block.header, transactions=block.transactions, uncles=[], withdrawals=[])
    header = block.header.copy(gas_used=1)
    for copied, reference in ((block.copy(header=header), plain.copy(header=header)),
                              (block.copy(), plain.copy())):
        assert copied.as_dict() == reference.as_dict()
        assert copied.hash == reference.hash
        assert type(copied) is SharingPragueBlock
    assert block.header.gas_used != 1  # the original is untouched
    assert isinstance(block.transactions, tuple)  # immutable, hence safe to share


def test_blob_gas_is_counted_as_py_evm_counts_it() -> None:
    chain = build_chain(ChainConfig(genesis_timestamp=1_700_000_000))
    vm_class, header = chain.spec.vm_class, chain.backend.head
    vm = vm_class(header=header, chaindb=None, chain_context=None, consensus_context=None)  # type: ignore[arg-type]
    blob_tx = chain.spec.transaction_builder.new_blob_transaction(
        31337, 0, 1, 10**10, 100_000, Address(b"\x01" * 20), 0, b"", [], 10**9,
        [b"\x01" + b"\x00" * 31, b"\x01" + b"\x11" * 31], 0, 1, 1)
    plain_tx = _signed(chain, 1, deposit_calls=0)[0]
    for tx in (blob_tx, plain_tx):
        ours = vm.increment_blob_gas_used(header, tx)  # type: ignore[arg-type]
        assert ours == PragueVM.increment_blob_gas_used(vm, header, tx)  # type: ignore[arg-type]
    assert vm.increment_blob_gas_used(header, blob_tx).blob_gas_used == 2 * 131072  # type: ignore[arg-type]
