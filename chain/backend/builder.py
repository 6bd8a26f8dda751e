"""The producer: propose a block from candidate transactions (the pool's ready ones, in order).

It skips candidates that turn out invalid (their reason is kept for the pool), and before handing
the block on it checks the fork's header rules against the parent, so Wabei never stores a block
another node would refuse.
"""
from __future__ import annotations

from typing import Sequence

from eth.abc import BlockHeaderAPI, SignedTransactionAPI
from eth.constants import GAS_LIMIT_MAXIMUM, GAS_LIMIT_MINIMUM
from eth.vm.forks.london.headers import calculate_expected_base_fee_per_gas
from eth_utils.exceptions import ValidationError

from chain.backend.execution import BlockRun, BuiltBlock, HeaderFields
from chain.exceptions import InvalidBlock
from chain.spec import ChainSpec
from chain.storage.buffer import WriteBuffer
from vm_hooks.governance.limits import chain_limits

GAS_LIMIT_REACHED = "block gas limit reached"


def propose_block(
    spec: ChainSpec,
    writes: WriteBuffer,
    chain_id: int,
    parent: BlockHeaderAPI,
    parent_state_root: bytes,
    fields: HeaderFields,
    candidates: Sequence[SignedTransactionAPI],
    dev_overrides: bool = False,
) -> BuiltBlock:
    """Execute `candidates` in order on top of `parent`; skip any that turn out invalid, and
    stop at the system config's tx_count_limit and block_gas_limit (the rest wait in the pool).

    State, trie nodes and the header go into `writes`; the commit step adds the block's indexes
    to the same buffer and writes it once, so a block becomes visible atomically. Raises
    InvalidBlock if the result breaks a header rule (a bug, never a user error).
    """
    run = BlockRun(spec.vm_class, writes, chain_id, parent, parent_state_root, fields)
    # The system config in force for this block: read from the parent's state (vm_hooks/governance).
    limits = chain_limits(run.state)
    gas_cap = limits.block_gas(int(run.header.gas_limit))
    for tx in candidates:
        if limits.tx_count_limit is not None and len(run.built.transactions) >= limits.tx_count_limit:
            break  # the rest stay in the pool for the next block
        if limits.tx_gas_limit is not None and tx.gas > limits.tx_gas_limit:
            run.built.rejected.append((tx, f"exceeds the chain's tx_gas_limit: transaction gas "
                                           f"{tx.gas} > {limits.tx_gas_limit}"))
            continue
        if tx.gas > run.gas_left() or run.header.gas_used + tx.gas > gas_cap:
            run.built.rejected.append((tx, GAS_LIMIT_REACHED))
            continue
        try:
            run.apply(tx)  # leaves the state untouched when it raises
        except ValidationError as exc:
            run.built.rejected.append((tx, str(exc)))
    built = run.finish()
    check_header(spec, built.block.header, parent, dev_overrides=dev_overrides)
    return built


def check_header(spec: ChainSpec, header: BlockHeaderAPI, parent: BlockHeaderAPI,
                 dev_overrides: bool = False) -> None:
    """The fork's rules for a header on `parent` (number, parent hash, time, gas, base fee,
    post-merge fields); raises InvalidBlock with py-evm's reason.

    `dev_overrides` (a devnet producer only, never the importer) exempts the two fields a dev
    method may set outside the rules, anvil_setBlockGasLimit (any step from the parent's gas
    limit, not 1/1024) and anvil_setNextBlockBaseFeePerGas, as Anvil does; every other rule
    still holds. Another node refuses such a block, as geth would (docs/rpc.md).
    """
    if dev_overrides:
        header = _within_rules(header, parent)
    if header.parent_hash != parent.hash:
        raise InvalidBlock(
            f"block {header.block_number} names parent 0x{bytes(header.parent_hash).hex()}, "
            f"not 0x{bytes(parent.hash).hex()}"
        )
    try:
        spec.vm_class.validate_header(header, parent)
    except ValidationError as exc:
        raise InvalidBlock(f"block {header.block_number} header is invalid: {exc}") from exc


def _within_rules(header: BlockHeaderAPI, parent: BlockHeaderAPI) -> BlockHeaderAPI:
    """`header` with a dev-set gas limit and base fee replaced by what the rules allow, so the
    fork's validation checks everything else; the dev-set gas limit must still bound gas used."""
    if not GAS_LIMIT_MINIMUM <= header.gas_limit <= GAS_LIMIT_MAXIMUM:
        raise InvalidBlock(f"block {header.block_number} gas limit {header.gas_limit} is outside "
                           f"[{GAS_LIMIT_MINIMUM}, {GAS_LIMIT_MAXIMUM}]")
    if header.gas_used > header.gas_limit:
        raise InvalidBlock(f"block {header.block_number} uses {header.gas_used} gas, "
                           f"more than its limit {header.gas_limit}")
    return header.copy(gas_limit=parent.gas_limit,
                       base_fee_per_gas=calculate_expected_base_fee_per_gas(parent))
