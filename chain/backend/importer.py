"""The importer: re-execute a block someone else produced, strictly, and refuse it if it lies.

Modelled on py-evm's `Chain.import_block` / `VM.validate_block`: the header must follow the fork's
rules on its parent, every transaction must be valid (one invalid transaction refuses the whole
block, where the producer would have skipped it), and the block this node builds from the same
header fields and body must be identical, field by field: state, transaction and receipt roots,
bloom, gas used, base fee, and the rest. Senders come from the signatures, never from the sender.
"""
from __future__ import annotations

from eth.abc import BlockAPI, BlockHeaderAPI
from eth_utils.exceptions import ValidationError

from chain.backend.builder import check_header
from chain.backend.txfields import tx_chain_id
from chain.backend.execution import BlockRun, BuiltBlock, HeaderFields
from chain.exceptions import InvalidBlock
from chain.spec import ChainSpec
from chain.storage.buffer import WriteBuffer
from vm_hooks.governance.limits import ChainLimits, chain_limits



def import_block(
    spec: ChainSpec,
    writes: WriteBuffer,
    chain_id: int,
    parent: BlockHeaderAPI,
    parent_state_root: bytes,
    block: BlockAPI,
) -> BuiltBlock:
    """Re-execute `block` on `parent`; return it ready to commit, or raise InvalidBlock(reason)."""
    claimed = block.header
    check_header(spec, claimed, parent)
    if block.uncles:
        raise InvalidBlock(f"block {claimed.block_number} has uncles; a post-merge block has none")
    if block.withdrawals:
        raise InvalidBlock(f"block {claimed.block_number} has withdrawals; this chain has none")
    fields = HeaderFields(timestamp=claimed.timestamp, coinbase=claimed.coinbase,
                          gas_limit=claimed.gas_limit, mix_hash=claimed.mix_hash,
                          extra_data=claimed.extra_data)
    run = BlockRun(spec.vm_class, writes, chain_id, parent, parent_state_root, fields)
    check_limits(chain_limits(run.state), block)
    for index, tx in enumerate(block.transactions):
        signed_for = tx_chain_id(tx)
        if signed_for is not None and signed_for != chain_id:
            raise InvalidBlock(
                f"block {claimed.block_number} transaction {index} is signed for chain id "
                f"{signed_for}, not {chain_id}"
            )
        if not spec.crypto.valid_signature_scalars(tx.r, tx.s):
            raise InvalidBlock(f"block {claimed.block_number} transaction {index}: invalid signature")
        try:
            tx.validate()
            run.apply(tx)
        except (ValidationError, ValueError) as exc:
            raise InvalidBlock(
                f"block {claimed.block_number} transaction {index} "
                f"(0x{bytes(tx.hash).hex()}) is invalid: {exc}"
            ) from exc
    built = run.finish()
    ours = built.block.header
    differ = [name for name in spec.header_fields if getattr(ours, name, None) != getattr(claimed, name, None)]
    if differ:
        details = "; ".join(
            f"{name}: block says {_show(getattr(claimed, name, None))}, "
            f"execution gives {_show(getattr(ours, name, None))}"
            for name in differ
        )
        raise InvalidBlock(f"block {claimed.block_number} does not re-execute to its header: {details}")
    if ours.hash != claimed.hash:  # every field above matched, so this is a fork field we missed
        raise InvalidBlock(f"block {claimed.block_number} hash differs from its re-execution")
    return built


def check_limits(limits: ChainLimits, block: BlockAPI) -> None:
    """The system config in force (from the parent's state) that a block must keep."""
    number = block.header.block_number
    if limits.tx_count_limit is not None and len(block.transactions) > limits.tx_count_limit:
        raise InvalidBlock(f"block {number} has {len(block.transactions)} transactions; the chain's "
                           f"tx_count_limit is {limits.tx_count_limit}")
    if block.header.gas_used > limits.block_gas(int(block.header.gas_limit)):
        raise InvalidBlock(f"block {number} uses {block.header.gas_used} gas; the chain's "
                           f"block_gas_limit is {limits.block_gas_limit}")
    for index, tx in enumerate(block.transactions):
        if limits.tx_gas_limit is not None and tx.gas > limits.tx_gas_limit:
            raise InvalidBlock(f"block {number} transaction {index} asks for {tx.gas} gas; the "
                               f"chain's tx_gas_limit is {limits.tx_gas_limit}")


def _show(value: object) -> str:
    return "0x" + value.hex() if isinstance(value, bytes) else repr(value)
