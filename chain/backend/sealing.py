"""Opening and sealing a block with less repeated work: the header built once, the body's tries
in one pass, the block's receipts read from memory rather than back from the trie that was just
written, block copies that share what they keep, no blob-gas header copy without blobs.

All are overrides of PragueVM's methods and block class (py-evm's extension point: a VM
subclass), so the producer, the importer and replays, which share BlockRun, seal the same way;
each is compared with py-evm's own in tests (test_sealing, test_opening, test_ordered_trie).
Measured in docs/benchmarks.md (Issue 16 levers).
"""
from __future__ import annotations

from typing import Any, Iterable, Sequence

from eth.abc import (
    BlockAPI, BlockHeaderAPI, ReceiptAPI, SignedTransactionAPI, TransactionFieldsAPI, WithdrawalAPI,
)
from eth.vm.forks.cancun.state import get_total_blob_gas
from eth.vm.forks.prague import PragueVM
from eth.vm.forks.prague.blocks import PragueBlock
from eth.vm.forks.prague.constants import (
    DEPOSIT_CONTRACT_ADDRESS,
    DEPOSIT_EVENT_SIGNATURE_HASH,
    DEPOSIT_REQUEST_TYPE,
)
from eth_utils.conversions import to_bytes

from chain.backend.opening import prague_header_from_parent
from chain.backend.ordered_trie import ordered_trie_root_and_nodes


def deposit_request_data(receipts: Iterable[ReceiptAPI]) -> bytes:
    """EIP-6110's deposit requests of a block: the fields of every DepositEvent the deposit
    contract logged, concatenated, exactly as py-evm's `process_deposit_request_data` cuts them
    (tests/unit/test_sealing.py compares the two)."""
    data = b""
    for receipt in receipts:
        for log in receipt.logs:
            if (log.address == DEPOSIT_CONTRACT_ADDRESS and log.topics
                    and to_bytes(log.topics[0]) == DEPOSIT_EVENT_SIGNATURE_HASH):
                d = log.data
                data += d[192:240] + d[288:320] + d[352:360] + d[416:512] + d[544:552]
    return data


class SharingPragueBlock(PragueBlock):
    """PragueBlock whose `copy` shares the fields it does not replace instead of deep-copying them.

    Sealing copies the block three times to set one header field each (the roots, the requests
    hash, the state root), and rlp's `Serializable.copy` deep-copies every other field: each
    transaction of the block, three times over. The fields are immutable (rlp turns lists into
    tuples and Serializables refuse attribute writes), so sharing them is safe; the encoding,
    and so the hash, is PragueBlock's.
    """

    def copy(self, *args: Any, **kwargs: Any) -> BlockAPI:
        if args:
            return super().copy(*args, **kwargs)
        fields = {name: getattr(self, name) for name in self._meta.field_names}
        fields.update(kwargs)
        return type(self)(**fields)


class SealingPragueVM(PragueVM):
    """PragueVM that builds the transaction, receipt and withdrawal tries directly
    (chain/backend/ordered_trie.py) and keeps the receipts it sealed for EIP-6110's deposit scan.

    py-evm's `process_deposit_request_data` reads the block's receipts back from the database,
    decoding the receipt trie it wrote a moment before; with the receipts kept here (keyed by
    the receipt root they hash to, so a block sealed elsewhere falls back to py-evm's read) the
    scan is a loop over objects already in memory.
    """

    _sealed_receipts: tuple[bytes, tuple[ReceiptAPI, ...]] | None = None
    block_class = SharingPragueBlock
    # Opening a block: one header instead of py-evm's eight (chain/backend/opening.py).
    create_header_from_parent = staticmethod(prague_header_from_parent)

    def set_block_transactions_and_withdrawals(
        self,
        base_block: BlockAPI,
        new_header: BlockHeaderAPI,
        transactions: Sequence[SignedTransactionAPI],
        receipts: Sequence[ReceiptAPI],
        withdrawals: Sequence[WithdrawalAPI] | None = None,
    ) -> BlockAPI:
        tx_root, tx_nodes = ordered_trie_root_and_nodes([tx.encode() for tx in transactions])
        self.chaindb.persist_trie_data_dict(tx_nodes)
        receipt_root, receipt_nodes = ordered_trie_root_and_nodes([r.encode() for r in receipts])
        self.chaindb.persist_trie_data_dict(receipt_nodes)
        self._sealed_receipts = (receipt_root, tuple(receipts))
        block_fields: dict[str, Any] = {"transactions": transactions}
        header_fields: dict[str, Any] = {"transaction_root": tx_root, "receipt_root": receipt_root}
        if withdrawals:  # as py-evm: no withdrawals leaves the header's root as it was
            root, nodes = ordered_trie_root_and_nodes([w.encode() for w in withdrawals])
            self.chaindb.persist_trie_data_dict(nodes)
            block_fields["withdrawals"] = withdrawals
            header_fields["withdrawals_root"] = root
        block_fields["header"] = new_header.copy(**header_fields)
        return base_block.copy(**block_fields)

    def increment_blob_gas_used(self, old_header: BlockHeaderAPI,
                                transaction: TransactionFieldsAPI) -> BlockHeaderAPI:
        """py-evm's, without its header copy when the transaction carries no blobs (every
        transaction a Wabei chain mines): the header is immutable, so the same one serves."""
        blob_gas = get_total_blob_gas(transaction)
        if not blob_gas:
            return old_header
        return old_header.copy(blob_gas_used=old_header.blob_gas_used + blob_gas)

    def process_deposit_request_data(self, block: BlockAPI) -> None:
        sealed = self._sealed_receipts
        if sealed is None or sealed[0] != block.header.receipt_root:
            super().process_deposit_request_data(block)
            return
        block.block_requests.append(DEPOSIT_REQUEST_TYPE + deposit_request_data(sealed[1]))
