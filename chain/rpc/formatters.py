"""JSON shapes of blocks, transactions, receipts and logs, as geth returns them."""
from __future__ import annotations

from typing import Any, TypeVar, cast

import rlp

from eth.abc import BlockHeaderAPI, LegacyTransactionFieldsAPI, SignedTransactionAPI
from eth._utils.address import generate_contract_address
from eth_typing import Address

from chain.backend.txfields import fee_fields
from chain.api.logs import block_logs
from chain.backend.vm import base_fee as header_base_fee
from chain.storage.chain_store import StoredBlock
from chain.types import LogEntry

H = hex
_EMPTY_UNCLES = "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347"
_T = TypeVar("_T")


def _hx(b: bytes) -> str:
    return "0x" + bytes(b).hex()


def _present(value: _T | None, name: str) -> _T:
    """A field py-evm types Optional because older forks or legacy transactions lack it; where it is
    read here, Wabei's Prague blocks and typed transactions have it. Raises TypeError when it is
    missing, as formatting None did before this check."""
    if value is None:
        raise TypeError(f"missing {name}")
    return value


def header_json(h: BlockHeaderAPI) -> dict[str, Any]:
    out = {
        "number": H(h.block_number),
        "hash": _hx(h.hash),
        "parentHash": _hx(h.parent_hash),
        "nonce": _hx(h.nonce),
        "sha3Uncles": _hx(h.uncles_hash),
        "logsBloom": "0x" + h.bloom.to_bytes(256, "big").hex(),
        "transactionsRoot": _hx(h.transaction_root),
        "stateRoot": _hx(h.state_root),
        "receiptsRoot": _hx(h.receipt_root),
        "miner": _hx(h.coinbase),
        "difficulty": H(h.difficulty),
        "totalDifficulty": "0x0",
        "extraData": _hx(h.extra_data),
        "gasLimit": H(h.gas_limit),
        "gasUsed": H(h.gas_used),
        "timestamp": H(h.timestamp),
        "mixHash": _hx(h.mix_hash),
        "baseFeePerGas": H(header_base_fee(h)),
        "withdrawalsRoot": _hx(_present(h.withdrawals_root, "withdrawals_root")),
        "blobGasUsed": H(h.blob_gas_used),
        "excessBlobGas": H(h.excess_blob_gas),
        "parentBeaconBlockRoot": _hx(_present(h.parent_beacon_block_root, "parent_beacon_block_root")),
        # Prague's field: BlockHeaderAPI does not declare it, PragueBlockHeader has it as an rlp field.
        "requestsHash": _hx(getattr(h, "requests_hash")),
    }
    return out


def block_json(block: StoredBlock, full: bool) -> dict[str, Any]:
    out = header_json(block.header)
    out["size"] = H(len(rlp.encode(block.header)) + sum(len(tx.encode()) for tx in block.transactions))
    out["uncles"] = []
    out["withdrawals"] = []
    if full:
        out["transactions"] = [tx_json(block, i) for i in range(len(block.transactions))]
    else:
        out["transactions"] = [_hx(tx.hash) for tx in block.transactions]
    return out


def tx_json(block: StoredBlock | None, index: int | None, tx: SignedTransactionAPI | None = None,
            sender: bytes | None = None) -> dict[str, Any]:
    """A transaction; `block` None means still pending (block fields null, as geth)."""
    if block is not None and index is not None:
        tx, sender = block.transactions[index], block.senders[index]
        base_fee: int | None = header_base_fee(block.header)
    else:
        base_fee = None
    assert tx is not None and sender is not None
    type_id = tx.type_id or 0
    out: dict[str, Any] = {
        "hash": _hx(tx.hash),
        "type": H(type_id),
        "nonce": H(tx.nonce),
        "blockHash": _hx(block.hash) if block is not None else None,
        "blockNumber": H(block.number) if block is not None else None,
        "transactionIndex": H(index) if index is not None else None,
        "from": _hx(sender),
        "to": _hx(tx.to) if tx.to else None,
        "value": H(tx.value),
        "gas": H(tx.gas),
        "input": _hx(tx.data),
        "v": H(_legacy(tx).v if type_id == 0 else tx.y_parity),
        "r": H(tx.r),
        "s": H(tx.s),
    }
    max_fee, tip = fee_fields(tx)
    if type_id == 0:
        out["gasPrice"] = H(tx.gas_price)
        v = _legacy(tx).v
        chain_id = None if v in (27, 28) else (v - 35) // 2
        if chain_id is not None:
            out["chainId"] = H(chain_id)
    else:
        out["chainId"] = H(_present(tx.chain_id, "chain_id"))
        out["yParity"] = H(tx.y_parity)
        out["accessList"] = [
            {"address": _hx(a), "storageKeys": ["0x" + s.to_bytes(32, "big").hex() for s in slots]}
            for a, slots in tx.access_list
        ]
        if type_id == 4:  # EIP-7702: the signed authorizations, in geth's shape
            out["authorizationList"] = [
                {"chainId": H(a.chain_id), "address": _hx(a.address), "nonce": H(a.nonce),
                 "yParity": H(a.y_parity), "r": H(a.r), "s": H(a.s)}
                for a in getattr(tx, "authorization_list", ())
            ]
        if type_id >= 2:
            out["maxFeePerGas"] = H(max_fee)
            out["maxPriorityFeePerGas"] = H(tip)
            out["gasPrice"] = H(min(max_fee, base_fee + tip) if base_fee is not None else max_fee)
        else:
            out["gasPrice"] = H(tx.gas_price)
    return out


def _legacy(tx: SignedTransactionAPI) -> LegacyTransactionFieldsAPI:
    """`tx` as a legacy (type 0) transaction: py-evm exposes `v` only there, and says to cast."""
    return cast(LegacyTransactionFieldsAPI, tx)


def log_json(e: LogEntry) -> dict[str, Any]:
    return {
        "address": _hx(e.address),
        "topics": [_hx(t) for t in e.topics],
        "data": _hx(e.data),
        "blockNumber": H(e.block_number),
        "blockHash": _hx(e.block_hash),
        "transactionHash": _hx(e.tx_hash),
        "transactionIndex": H(e.tx_index),
        "logIndex": H(e.log_index),
        "removed": e.removed,
    }


def effective_gas_price(tx: SignedTransactionAPI, base_fee: int) -> int:
    max_fee, tip = fee_fields(tx)
    if (tx.type_id or 0) < 2:
        return max_fee
    return min(max_fee, base_fee + tip)


def receipts_json(block: StoredBlock) -> list[dict[str, Any]]:
    logs = list(block_logs(block))
    return [_receipt(block, i, [e for e in logs if e.tx_index == i]) for i in range(len(block.receipts))]


def receipt_json(block: StoredBlock, index: int) -> dict[str, Any]:
    """One transaction's receipt, without formatting the rest of its block's receipts."""
    logs = [e for e in block_logs(block, upto=index + 1) if e.tx_index == index]
    return _receipt(block, index, logs)


def _receipt(block: StoredBlock, i: int, logs: list[LogEntry]) -> dict[str, Any]:
    tx, receipt, sender = block.transactions[i], block.receipts[i], block.senders[i]
    prev_cumulative = block.receipts[i - 1].gas_used if i > 0 else 0
    created = generate_contract_address(Address(sender), tx.nonce) if not tx.to else None
    return {
        "transactionHash": _hx(tx.hash),
        "transactionIndex": H(i),
        "blockHash": _hx(block.hash),
        "blockNumber": H(block.number),
        "from": _hx(sender),
        "to": _hx(tx.to) if tx.to else None,
        "cumulativeGasUsed": H(receipt.gas_used),
        "gasUsed": H(receipt.gas_used - prev_cumulative),
        "effectiveGasPrice": H(effective_gas_price(tx, header_base_fee(block.header))),
        "contractAddress": _hx(created) if created else None,
        "logs": [log_json(e) for e in logs],
        "logsBloom": "0x" + receipt.bloom.to_bytes(256, "big").hex(),
        "type": H(tx.type_id or 0),
        "status": "0x1" if receipt.state_root == b"\x01" else "0x0",
    }
