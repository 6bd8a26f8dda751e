"""The header a block opens with, built in one step.

py-evm's `create_prague_header_from_parent` is seven nested fork functions (Prague over Cancun
over Shanghai ... over London), each building a header of its fork, turning it back into a dict
and building the next: eight header objects and their field validation per block, ~0.1 ms of
node CPU per automined transfer. For the call Wabei makes (a parent, and some of coinbase,
timestamp, gas limit, mix hash, extra data and state root) the result is fixed by EIP rules
alone, so this builds the one Prague header directly; any other call (the genesis, a difficulty
or base fee passed in, a missing timestamp or gas limit) goes to py-evm's function unchanged.
tests/unit/test_opening.py compares the two over random parents and fields.
"""
from __future__ import annotations

from typing import Any

from eth.abc import BlockHeaderAPI
from eth.constants import (
    BLANK_ROOT_HASH, EMPTY_SHA256, POST_MERGE_DIFFICULTY, POST_MERGE_MIX_HASH, POST_MERGE_NONCE,
)
from eth.vm.forks.london.headers import calculate_expected_base_fee_per_gas
from eth.vm.forks.prague.blocks import PragueBlockHeader
from eth.vm.forks.prague.headers import calc_excess_blob_gas_prague, create_prague_header_from_parent
from eth_typing import BlockNumber

# The parameters the direct path handles; gas_limit and timestamp must be among them, and none
# may be None (py-evm reads some Nones as "absent", which this does not imitate).
_DIRECT = frozenset({"coinbase", "timestamp", "gas_limit", "mix_hash", "extra_data", "state_root"})


def prague_header_from_parent(parent: BlockHeaderAPI | None, **params: Any) -> BlockHeaderAPI:
    """What py-evm's `create_prague_header_from_parent(parent, **params)` returns, without its
    intermediate headers when it can; raises what py-evm raises otherwise."""
    if (parent is None or not _DIRECT.issuperset(params)
            or "gas_limit" not in params or "timestamp" not in params
            or any(value is None for value in params.values())
            or not isinstance(parent, PragueBlockHeader)):
        return create_prague_header_from_parent(parent, **params)  # type: ignore[no-any-return]
    fields: dict[str, Any] = {"mix_hash": POST_MERGE_MIX_HASH, "state_root": parent.state_root, **params}
    return PragueBlockHeader(
        parent_hash=parent.hash,
        difficulty=POST_MERGE_DIFFICULTY,
        nonce=POST_MERGE_NONCE,
        block_number=BlockNumber(parent.block_number + 1),
        base_fee_per_gas=calculate_expected_base_fee_per_gas(parent),
        withdrawals_root=BLANK_ROOT_HASH,
        blob_gas_used=0,
        excess_blob_gas=calc_excess_blob_gas_prague(parent),
        parent_beacon_block_root=BLANK_ROOT_HASH,
        requests_hash=EMPTY_SHA256,
        **fields,
    )
