"""The producer: propose a block from candidate transactions (the pool's ready ones, in order).

It skips candidates that turn out invalid (their reason is kept for the pool), and before handing
the block on it checks the fork's header rules against the parent, so Wabei never stores a block
another node would refuse.
"""
from __future__ import annotations

from typing import Sequence

from eth.abc import BlockHeaderAPI, SignedTransactionAPI
from eth_utils.exceptions import ValidationError

from chain.backend.execution import BlockRun, BuiltBlock, HeaderFields
from chain.exceptions import InvalidBlock
from chain.spec import ChainSpec
from chain.storage.buffer import WriteBuffer

GAS_LIMIT_REACHED = "block gas limit reached"


def propose_block(
    spec: ChainSpec,
    writes: WriteBuffer,
    chain_id: int,
    parent: BlockHeaderAPI,
    parent_state_root: bytes,
    fields: HeaderFields,
    candidates: Sequence[SignedTransactionAPI],
) -> BuiltBlock:
    """Execute `candidates` in order on top of `parent`; skip any that turn out invalid.

    State, trie nodes and the header go into `writes`; the commit step adds the block's indexes
    to the same buffer and writes it once, so a block becomes visible atomically. Raises
    InvalidBlock if the result breaks a header rule (a bug, never a user error).
    """
    run = BlockRun(spec.vm_class, writes, chain_id, parent, parent_state_root, fields)
    for tx in candidates:
        if tx.gas > run.gas_left():
            run.built.rejected.append((tx, GAS_LIMIT_REACHED))
            continue
        try:
            run.apply(tx)  # leaves the state untouched when it raises
        except ValidationError as exc:
            run.built.rejected.append((tx, str(exc)))
    built = run.finish()
    check_header(spec, built.block.header, parent)
    return built


def check_header(spec: ChainSpec, header: BlockHeaderAPI, parent: BlockHeaderAPI) -> None:
    """The fork's rules for a header on `parent` (number, parent hash, time, gas, base fee,
    post-merge fields); raises InvalidBlock with py-evm's reason."""
    if header.parent_hash != parent.hash:
        raise InvalidBlock(
            f"block {header.block_number} names parent 0x{bytes(header.parent_hash).hex()}, "
            f"not 0x{bytes(parent.hash).hex()}"
        )
    try:
        spec.vm_class.validate_header(header, parent)
    except ValidationError as exc:
        raise InvalidBlock(f"block {header.block_number} header is invalid: {exc}") from exc
