"""deploy.manifest: per-chain deployment records, atomic writes, corrupt files refused untouched."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deploy import manifest
from deploy.errors import ManifestError
from deploy.manifest import CnsRecord, Entry, Manifest

CHAIN = 31337


def entry(address: str = "0x" + "11" * 20, args: list[Any] | None = None, **kw: Any) -> Entry:
    fields: dict[str, Any] = dict(
        contract="src/Token.sol:Token", address=address, tx_hash="0x" + "ab" * 32, block_number=7,
        bytecode_hash="0x" + "01" * 32, code_hash="0x" + "02" * 32,
        constructor_args=["Tok", 10**30] if args is None else args,
        deployer="0x" + "22" * 20, timestamp="2025-01-01T00:00:00+00:00",
    )
    fields.update(kw)
    return Entry(**fields)


def test_missing_file_is_an_empty_manifest(tmp_path: Path) -> None:
    assert manifest.load(tmp_path / "nowhere", CHAIN) == Manifest(CHAIN)


def test_round_trip_keeps_every_field(tmp_path: Path) -> None:
    book = Manifest(CHAIN).put(entry().with_cns("Token", "1.0.0"))
    path = manifest.save(tmp_path / "deployments", book)
    assert path == tmp_path / "deployments" / f"{CHAIN}.json"
    assert manifest.load(tmp_path / "deployments", CHAIN) == book
    data = json.loads(path.read_text())
    (record,) = data["deployments"]
    assert data["chainId"] == CHAIN and data["format"] == 1
    assert record["address"] == "0x" + "11" * 20
    assert record["txHash"] == "0x" + "ab" * 32
    assert record["blockNumber"] == 7
    assert record["constructorArgs"] == ["Tok", 10**30]
    assert record["cns"] == [{"name": "Token", "version": "1.0.0"}]
    assert set(record) == {"contract", "address", "txHash", "blockNumber", "bytecodeHash", "codeHash",
                           "constructorArgs", "cns", "deployer", "timestamp"}


def test_save_leaves_no_temp_files(tmp_path: Path) -> None:
    manifest.save(tmp_path, Manifest(CHAIN).put(entry()))
    manifest.save(tmp_path, Manifest(CHAIN).put(entry(block_number=8)))
    assert [p.name for p in tmp_path.iterdir()] == [f"{CHAIN}.json"]


@pytest.mark.parametrize(("text", "message"), [
    ("{not json", "not valid JSON"),
    ("[]", "not a format-1"),
    ('{"format": 2, "chainId": 31337, "deployments": []}', "not a format-1"),
    ('{"format": 1, "chainId": 5, "deployments": []}', "is for chain id 5"),
    ('{"format": 1, "chainId": 31337, "deployments": [{"contract": "x"}]}', "malformed deployment"),
    ('{"format": 1, "chainId": 31337}', "malformed deployment"),
])
def test_corrupt_manifest_is_refused_and_left_alone(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / f"{CHAIN}.json"
    path.write_text(text)
    with pytest.raises(ManifestError, match=message) as info:
        manifest.load(tmp_path, CHAIN)
    assert str(path) in str(info.value) and "left unchanged" in str(info.value)
    assert path.read_text() == text


def test_unwritable_directory_is_a_manifest_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ManifestError, match="cannot write manifest"):
        manifest.save(blocker / "deployments", Manifest(CHAIN))


def test_find_matches_contract_bytecode_and_args_newest_first() -> None:
    old = entry(address="0x" + "01" * 20)
    new = entry(address="0x" + "02" * 20)
    book = Manifest(CHAIN).put(old).put(new)
    assert book.find("src/Token.sol:Token", "0x" + "01" * 32, ["Tok", 10**30]) == new
    assert book.find("src/Token.sol:Token", "0x" + "01" * 32, ["Tok", 1]) is None
    assert book.find("src/Token.sol:Token", "0x" + "ff" * 32, ["Tok", 10**30]) is None
    assert book.find("src/Token.sol:Other", "0x" + "01" * 32, ["Tok", 10**30]) is None


def test_put_replaces_the_entry_at_the_same_address() -> None:
    first = entry()
    book = Manifest(CHAIN).put(first).put(first.with_cns("Token", "1"))
    assert book.entries == (first.with_cns("Token", "1"),)
    assert book.without(book.entries[0]).entries == ()


def test_with_cns_records_each_publication_once() -> None:
    e = entry().with_cns("Token", "1").with_cns("Token", "1").with_cns("Token", "2")
    assert e.cns == (CnsRecord("Token", "1"), CnsRecord("Token", "2"))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4), max_leaves=10)


@given(args=st.lists(json_values, max_size=5), block=st.integers(min_value=0, max_value=2**63))
def test_any_json_constructor_args_round_trip(args: list[Any], block: int) -> None:
    book = Manifest(CHAIN).put(entry(args=args, block_number=block))
    text = json.dumps(book.to_json())
    assert manifest.parse(text, CHAIN) == book
