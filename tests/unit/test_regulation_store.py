"""The pure parts of regulation: the identity record's packing and validity, rosters, the
ERC-20 call decoding the token rule weighs, and the interception index's append/rewind."""
from __future__ import annotations

from eth_abi.abi import encode
from hypothesis import given
from hypothesis import strategies as st

from chain.storage import interceptions
from chain.storage.memory_db import MemoryStore
from vm_hooks.addresses import REGULATION
from vm_hooks.consensus.store import DictWords
from vm_hooks.regulation.report import INTERCEPTED, decode_report, report_log
from vm_hooks.regulation.rules import TRANSFER, TRANSFER_FROM, Interception, _token_transfer
from vm_hooks.regulation.store import Identity, IdentityStore, RegulationStore, Roster

ALICE, BOB, ISSUER = b"\xaa" * 20, b"\xbb" * 20, b"\x11" * 20


@given(st.binary(min_size=32, max_size=32), st.integers(1, 255), st.integers(0, 2**64 - 1),
       st.binary(min_size=20, max_size=20))
def test_an_identity_reads_back_as_written(record: bytes, level: int, expiry: int, issuer: bytes) -> None:
    store = IdentityStore(DictWords())
    store.set_identity(ALICE, Identity(record, level, expiry, issuer))  # type: ignore[arg-type]
    assert store.identity(ALICE) == Identity(record, level, expiry, issuer)  # type: ignore[arg-type]
    assert store.identity(BOB) is None


def test_an_identity_counts_before_its_expiry_while_its_issuer_is_one() -> None:
    store = IdentityStore(DictWords())
    store.set_issuer(ISSUER, True)
    store.set_identity(ALICE, Identity(b"\x01" * 32, 3, 1000, ISSUER))  # type: ignore[arg-type]
    assert [store.level(ALICE, now) for now in (0, 999, 1000, 5000)] == [3, 3, 0, 0]
    store.set_issuer(ISSUER, False)
    assert store.level(ALICE, 0) == 0 and store.issuers() == []
    store.clear(ALICE)
    assert store.identity(ALICE) is None


def test_rosters_name_each_key_once_and_lists_show_what_is_set() -> None:
    words = DictWords()
    roster = Roster(words, "x")
    for key in (5, 7, 5, 9, 7):
        roster.add(key)
    assert roster.keys() == [5, 7, 9]
    rules = RegulationStore(words)
    rules.set_blocked(ALICE, True)
    rules.set_blocked(BOB, True)
    rules.set_blocked(ALICE, False)
    assert rules.blocked() == [BOB] and rules.kinds() == 1
    rules.set_threshold(b"\x00" * 20, 10, 2)
    rules.set_threshold(BOB, 0, 1)
    assert rules.thresholds() == [(b"\x00" * 20, 10, 2), (BOB, 0, 1)] and rules.kinds() == 1 | 4 | 8
    rules.set_threshold(BOB, 0, 0)
    assert rules.threshold(BOB) is None


def test_token_calls_are_decoded_to_holder_and_amount() -> None:
    to = "0x" + "22" * 20
    assert _token_transfer(TRANSFER, TRANSFER + encode(["address", "uint256"], [to, 7]), ALICE) == (ALICE, 7)
    data = TRANSFER_FROM + encode(["address", "address", "uint256"], ["0x" + BOB.hex(), to, 9])
    assert _token_transfer(TRANSFER_FROM, data, ALICE) == (BOB, 9)
    assert _token_transfer(TRANSFER, TRANSFER + b"\x01", ALICE) is None  # malformed: the token refuses it


def _block(number: int, reports: int) -> list[tuple[bytes, list[tuple[bytes, tuple[int, ...], bytes]]]]:
    hit = Interception(1, ALICE, BOB, b"\x00" * 4, 0, f"block {number}")
    topics, data = report_log(ALICE, hit)
    other = (BOB, (int.from_bytes(INTERCEPTED, "big"),), b"")  # same topic, another address: not a report
    return [(bytes([number]) * 32, [other] + [(REGULATION, topics, data)] * reports)]


def test_the_index_appends_in_order_and_drops_rewound_blocks() -> None:
    db = MemoryStore()
    canonical = {1: b"\x01" * 32, 2: b"\x02" * 32, 3: b"\x03" * 32}
    for n in (1, 2, 3):
        interceptions.index_block(db, n, canonical[n], _block(n, n))
    is_canonical = lambda n, h: canonical.get(n) == h  # noqa: E731
    assert interceptions.total(db, is_canonical) == 6
    rows = interceptions.page(db, 0, 10, 6)
    assert [(r.block_number, r.log_index) for r in rows] == [(1, 1), (2, 1), (2, 2), (3, 1), (3, 2), (3, 3)]
    assert decode_report(rows[3].topics, rows[3].data).reason == "block 3"
    interceptions.drop_above(db, 1)
    assert interceptions.stored_count(db) == 1
    # A block re-made at height 2 replaces whatever was indexed there.
    canonical[2] = b"\x22" * 32
    interceptions.index_block(db, 2, canonical[2], _block(2, 1))
    assert [r.block_hash for r in interceptions.page(db, 0, 10, interceptions.stored_count(db))] == [canonical[1], canonical[2]]
    # Rows of blocks the chain no longer has (a state load merged another database) end the index.
    del canonical[2]
    assert interceptions.total(db, is_canonical) == 1


def test_the_bloom_pre_check() -> None:
    assert not interceptions.may_hold_reports(0)
    assert interceptions.may_hold_reports((1 << 2048) - 1)


def test_a_governance_file_seeds_regulators_and_issuers_and_names_bad_entries() -> None:
    import pytest

    from vm_hooks.addresses import IDENTITY
    from vm_hooks.governance.genesis import GovernanceFileError, parse_governance
    seeded = parse_governance({"regulators": ["0x" + ALICE.hex()], "kycIssuers": ["0x" + ISSUER.hex()]}).storage()
    regulation, identity = DictWords(), DictWords()
    regulation.slots, identity.slots = seeded[REGULATION], seeded[IDENTITY]
    assert RegulationStore(regulation).regulators() == [ALICE]
    assert IdentityStore(identity).issuers() == [ISSUER]
    with pytest.raises(GovernanceFileError, match=r"kycIssuers\[0\]: '0x12' is not an address"):
        parse_governance({"kycIssuers": ["0x12"]})
    with pytest.raises(GovernanceFileError, match="a regulator cannot be in frozenAccounts"):
        parse_governance({"regulators": ["0x" + BOB.hex()], "frozenAccounts": ["0x" + BOB.hex()]})
    assert REGULATION not in parse_governance({}).storage()  # nothing seeded: no account created
