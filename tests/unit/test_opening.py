"""chain/backend/opening.py builds the header py-evm's create_prague_header_from_parent builds:
the same fields and hash for random parents (base fee, gas, blob gas, roots) and random proposer
fields, and py-evm's answer (or error) for every call shape it does not handle itself."""
from __future__ import annotations

from typing import Any

import pytest
from eth.vm.forks.prague.blocks import PragueBlockHeader
from eth.vm.forks.prague.headers import create_prague_header_from_parent
from hypothesis import given, settings
from hypothesis import strategies as st

from chain.backend.opening import prague_header_from_parent
from chain.backend.vm import build_vm_class
from chain.crypto import SUITES

hash32 = st.binary(min_size=32, max_size=32)
uint64 = st.integers(0, 2**64 - 1)


@st.composite
def parents(draw: st.DrawFn) -> PragueBlockHeader:
    gas_limit = draw(st.integers(5000, 2**63))
    return PragueBlockHeader(
        difficulty=0, block_number=draw(st.integers(0, 2**40)), gas_limit=gas_limit,
        timestamp=draw(uint64), coinbase=draw(st.binary(min_size=20, max_size=20)),
        parent_hash=draw(hash32), state_root=draw(hash32), transaction_root=draw(hash32),
        receipt_root=draw(hash32), bloom=draw(st.integers(0, 2**2048 - 1)),
        gas_used=draw(st.integers(0, gas_limit)), extra_data=draw(st.binary(max_size=32)),
        mix_hash=draw(hash32), nonce=b"\x00" * 8, base_fee_per_gas=draw(st.integers(0, 2**64)),
        blob_gas_used=draw(st.sampled_from([0, 131072, 786432, 1179648])),
        excess_blob_gas=draw(st.sampled_from([0, 1, 393216, 10**7])),
        parent_beacon_block_root=draw(hash32), requests_hash=draw(hash32),
    )


proposer_fields = st.fixed_dictionaries(
    {"timestamp": uint64, "gas_limit": st.integers(5000, 2**63)},
    optional={"coinbase": st.binary(min_size=20, max_size=20), "mix_hash": hash32,
              "extra_data": st.binary(max_size=32), "state_root": hash32},
)


@settings(max_examples=300)
@given(parents(), proposer_fields)
def test_same_header_as_py_evm(parent: PragueBlockHeader, fields: dict[str, Any]) -> None:
    ours = prague_header_from_parent(parent, **fields)
    theirs = create_prague_header_from_parent(parent, **fields)
    assert ours.as_dict() == theirs.as_dict()
    assert ours.hash == theirs.hash
    assert type(ours) is type(theirs)


@pytest.mark.parametrize("extra", [{"difficulty": 0}, {"base_fee_per_gas": 7}, {"nonce": b"\x00" * 8},
                                   {"extra_data": None}, {"receipt_root": b"\x01" * 32}])
def test_other_call_shapes_get_py_evm_s_answer(extra: dict[str, Any]) -> None:
    parent = PragueBlockHeader(difficulty=0, block_number=1, gas_limit=30_000_000, timestamp=10,
                               base_fee_per_gas=7)
    fields = {"timestamp": 11, "gas_limit": 30_000_000, **extra}
    try:
        expected: Any = create_prague_header_from_parent(parent, **fields).as_dict()
    except Exception as exc:  # py-evm refuses it: so must we, with the same error
        with pytest.raises(type(exc)):
            prague_header_from_parent(parent, **fields)
        return
    assert prague_header_from_parent(parent, **fields).as_dict() == expected


def test_the_chain_s_vm_class_opens_blocks_with_it() -> None:
    vm_class = build_vm_class(SUITES["ethereum"])
    assert vm_class.create_header_from_parent is prague_header_from_parent
