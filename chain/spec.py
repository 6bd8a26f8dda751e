"""One chain spec, built once by the composition root and passed down.

Everything that depends on which fork and which crypto a chain runs is reached through a
`ChainSpec`: the py-evm VM class (with Wabei's state and computation classes configured in), the
header, block, transaction and receipt codecs, and the crypto suite. Nothing else in the node
names `PragueVM` or picks a hash.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import rlp
from eth.abc import BlockAPI, BlockHeaderAPI, ReceiptAPI, SignedTransactionAPI
from eth.vm.forks.prague import PragueVM
from eth.vm.forks.prague.blocks import PragueBlockHeader
from eth.vm.forks.prague.transactions import PragueTransactionBuilder

from chain.backend.vm import build_vm_class
from chain.crypto import CryptoSuite, prefer_fast_keccak, suite

FORK = "prague"


@dataclass(frozen=True)
class ChainSpec:
    """The fork, its py-evm classes and the crypto suite of one chain."""

    fork: str
    vm_class: type[PragueVM]
    crypto: CryptoSuite

    @property
    def header_fields(self) -> tuple[str, ...]:
        """The fork's header fields in RLP order (the importer compares them one by one)."""
        return tuple(PragueBlockHeader._meta.field_names)

    # -- codecs ------------------------------------------------------------------------------
    @property
    def transaction_builder(self) -> type[PragueTransactionBuilder]:
        """The fork's transaction builder, typed as the concrete class it is.

        py-evm types `get_transaction_builder()` as the abstract TransactionBuilderAPI, which lacks
        the London+ constructors (`new_dynamic_fee_transaction`, ...) that Wabei uses.
        """
        return cast(type[PragueTransactionBuilder], self.vm_class.get_transaction_builder())

    def decode_transaction(self, raw: bytes) -> SignedTransactionAPI:
        """A signed transaction from its network encoding; raises what py-evm raises if malformed."""
        return self.transaction_builder.decode(raw)

    def decode_header(self, raw: bytes) -> BlockHeaderAPI:
        return rlp.decode(raw, sedes=PragueBlockHeader)  # type: ignore[no-any-return]

    def decode_receipt(self, raw: bytes) -> ReceiptAPI:
        return self.vm_class.get_receipt_builder().decode(raw)

    def encode_block(self, block: BlockAPI) -> bytes:
        """A whole block (header, transactions, uncles, withdrawals) as it travels between nodes."""
        return bytes(rlp.encode(block))

    def decode_block(self, raw: bytes) -> BlockAPI:
        """A block received from another node; raises rlp's errors if it is not one."""
        return rlp.decode(raw, sedes=self.vm_class.get_block_class())  # type: ignore[no-any-return]

    def block_from_parts(self, header: BlockHeaderAPI,
                         transactions: tuple[SignedTransactionAPI, ...]) -> BlockAPI:
        """A block object from a stored header and body, ready to encode for another node.

        Each transaction goes through its network encoding: py-evm's builders hand out some
        transactions as an older fork's class (London's typed wrapper), which the newer fork's
        block codec refuses to serialise.
        """
        txs = [self.decode_transaction(bytes(tx.encode())) for tx in transactions]
        return self.vm_class.get_block_class()(header, transactions=txs, uncles=[], withdrawals=[])


def build_spec(crypto: str = "ethereum", governance_admin: bytes | None = None) -> ChainSpec:
    """The spec of a Wabei chain: the newest fork py-evm implements, with `crypto`'s suite, and
    `governance_admin` as the chain admin when its genesis seeds none (a devnet's first account).

    Raises ValueError for an unknown crypto suite.
    """
    chosen = suite(crypto)
    if chosen.name == "ethereum":
        prefer_fast_keccak()
    return ChainSpec(fork=FORK, vm_class=build_vm_class(chosen, governance_admin), crypto=chosen)
