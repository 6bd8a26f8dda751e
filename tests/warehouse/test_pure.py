"""The warehouse's pure parts, by tables of inputs and outputs: identifiers, the type mapping,
token transfers, calldata and log decoding, digests, and the migrations against the schema."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from eth_abi.abi import encode
from eth_utils.crypto import keccak
from sqlalchemy.dialects import postgresql, sqlite

from warehouse.abi_book import AbiBook, ContractAbi
from warehouse.contract_tables import ContractTables, sql_type
from warehouse.decode import Undecodable, decode_call, decode_log, decode_topic, to_column
from warehouse.migrate import upgrade
from warehouse.names import MAX_IDENTIFIER, column_names, fit, sanitise, table_name
from warehouse.schema import metadata
from warehouse.tokens import TRANSFER, TRANSFER_BATCH, TRANSFER_SINGLE, transfers
from warehouse.store import open_engine
from warehouse.verify import log_digest, tx_digest
from wh_fixtures import db, pg  # noqa: F401 (fixtures)


@pytest.mark.parametrize("raw, expected", [
    ("presale", "presale"), ("Sharing-Assets", "sharing_assets"), ("usage rights!", "usage_rights"),
    ("0day", "x0day"), ("__", "x"), ("ÜberToken", "ber_token"), ("RightsPurchased", "rights_purchased"),
    ("feeBps", "fee_bps"), ("ERC20Token", "erc20_token"), ("safeTransferFrom", "safe_transfer_from"),
    ("NFTMint", "nft_mint"), ("tokenURI", "token_uri"),
])
def test_sanitise(raw: str, expected: str) -> None:
    assert sanitise(raw) == expected


def test_long_names_fit_postgresqls_63_bytes_and_stay_distinct() -> None:
    a = table_name("a" * 40, "transferWithAuthorisationAndMemo", "method")
    b = table_name("a" * 40, "transferWithAuthorisationAndNote", "method")
    assert len(a) == len(b) == MAX_IDENTIFIER and a != b and a[:54] == b[:54]
    assert fit("short_name_method") == "short_name_method"
    assert table_name("vault", "deposit", "method", "d0e30db0") == "vault_deposit_d0e30db0_method"


def test_column_names_avoid_fixed_columns_and_each_other() -> None:
    assert column_names(["to", "", "blockNumber", "Value", "value"], frozenset({"block_number"})) == \
        ["to", "arg1", "p_block_number", "value", "p_value"]


@pytest.mark.parametrize("abi_type, on_postgresql, on_sqlite", [
    ("address", "VARCHAR(42)", "VARCHAR(42)"), ("bool", "BOOLEAN", "BOOLEAN"), ("string", "TEXT", "TEXT"),
    ("bytes", "TEXT", "TEXT"), ("bytes32", "TEXT", "TEXT"), ("uint8", "BIGINT", "BIGINT"),
    ("uint56", "BIGINT", "BIGINT"), ("int64", "BIGINT", "BIGINT"),
    ("uint64", "NUMERIC(78, 0)", "VARCHAR(79)"), ("uint256", "NUMERIC(78, 0)", "VARCHAR(79)"),
    ("int128", "NUMERIC(78, 0)", "VARCHAR(79)"),
    ("uint256[]", "JSON", "JSON"), ("(uint256,address)", "JSON", "JSON"),
])
def test_type_mapping(abi_type: str, on_postgresql: str, on_sqlite: str) -> None:
    # One SQLAlchemy type per ABI type; only Uint256 differs by engine (by capability: exact
    # decimals), as warehouse/sqltypes.py explains.
    assert str(sql_type(abi_type).compile(dialect=postgresql.dialect())) == on_postgresql
    assert str(sql_type(abi_type).compile(dialect=sqlite.dialect())) == on_sqlite


def _address_topic(byte: int) -> bytes:
    return bytes(12) + bytes([byte]) * 20


def test_token_transfers_of_each_standard() -> None:
    a, b, op = _address_topic(1), _address_topic(2), _address_topic(3)
    erc20 = transfers([TRANSFER, a, b], (5).to_bytes(32, "big"))
    erc721 = transfers([TRANSFER, a, b, (9).to_bytes(32, "big")], b"")
    single = transfers([TRANSFER_SINGLE, op, a, b], encode(["uint256", "uint256"], [4, 40]))
    batch = transfers([TRANSFER_BATCH, op, a, b], encode(["uint256[]", "uint256[]"], [[1, 2], [10, 20]]))
    assert [(t["standard"], t["token_id"], t["amount"]) for t in erc20 + erc721 + single + batch] == [
        ("erc20", None, 5), ("erc721", 9, 1), ("erc1155", 4, 40), ("erc1155", 1, 10), ("erc1155", 2, 20)]
    assert erc20[0]["from_address"] == "0x" + "01" * 20 and single[0]["operator"] == "0x" + "03" * 20
    assert [t["batch_index"] for t in batch] == [0, 1]
    assert transfers([TRANSFER, a], b"") == [] and transfers([TRANSFER_BATCH, op, a, b], b"\x01") == []


ABI = [
    {"type": "function", "name": "put", "inputs": [
        {"name": "who", "type": "address"}, {"name": "amounts", "type": "uint256[]"},
        {"name": "pair", "type": "tuple", "components": [{"name": "k", "type": "bytes32"}, {"name": "v", "type": "int8"}]}]},
    {"type": "event", "name": "Put", "anonymous": False, "inputs": [
        {"name": "who", "type": "address", "indexed": True}, {"name": "tag", "type": "string", "indexed": True},
        {"name": "amount", "type": "uint256", "indexed": False}]},
]


def test_calls_decode_into_column_values() -> None:
    contract = ContractAbi("thing", ABI)
    data = keccak(text="put(address,uint256[],(bytes32,int8))")[:4] + encode(
        ["address", "uint256[]", "(bytes32,int8)"], ["0x" + "Ab" * 20, [1, 2**255], (b"\x07" * 32, -3)])
    decoded = decode_call(contract, data)
    params = decoded.item["inputs"]
    assert [to_column(p, v) for p, v in zip(params, decoded.values)] == [
        "0x" + "ab" * 20, [1, 2**255], {"k": "0x" + "07" * 32, "v": -3}]
    with pytest.raises(Undecodable, match="no function with selector 0x00000000 in thing's ABI"):
        decode_call(contract, bytes(8))
    with pytest.raises(Undecodable, match=r"arguments do not decode as put\(address"):
        decode_call(contract, data[:40])


def test_logs_decode_and_indexed_strings_stay_hashes() -> None:
    contract = ContractAbi("thing", ABI, version="2")
    topic0 = keccak(text="Put(address,string,uint256)")
    tag = keccak(text="hello")
    decoded = decode_log(contract, [topic0, _address_topic(5), tag], (7).to_bytes(32, "big"))
    assert decoded.values == ["0x" + "05" * 20, tag, 7]
    with pytest.raises(Undecodable, match="and 1 indexed inputs in thing's ABI \\(version 2\\)"):
        decode_log(contract, [topic0, _address_topic(5)], b"")


def test_the_abi_of_a_block_is_the_newest_published_by_then() -> None:
    book = AbiBook()
    v1, v2 = ContractAbi("x", [], "1", from_block=10), ContractAbi("x", [], "2", from_block=20)
    book.add("0xAA", v2)
    book.add("0xaa", v1)
    assert [book.at("0xaa", n) for n in (0, 10, 19, 20, 99)] == [v1, v1, v1, v2, v2]
    assert book.at("0xbb", 5) is None


def test_digests_are_order_sensitive() -> None:
    h1, h2 = "0x" + "11" * 32, "0x" + "22" * 32
    assert tx_digest([h1, h2]) != tx_digest([h2, h1])
    log = ("0x" + "ab" * 20, [h1], "0x")
    assert log_digest([log]) != log_digest([(log[0], [h1, h2], "0x")])


def test_the_migrations_build_exactly_the_schema(db: str) -> None:
    engine = open_engine(db)
    try:
        upgrade(engine)
        upgrade(engine)  # idempotent
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
    finally:
        engine.dispose()
    assert diff == [], f"warehouse/schema.py changed without a migration: {diff}"


@pytest.mark.parametrize("abi_type, topic, value", [
    ("address", bytes(12) + b"\xab" * 20, "0x" + "ab" * 20),
    ("uint256", (2**256 - 1).to_bytes(32, "big"), 2**256 - 1),
    ("uint8", (255).to_bytes(32, "big"), 255),
    ("int8", (2**256 - 2).to_bytes(32, "big"), -2),
    ("bool", (1).to_bytes(32, "big"), True),
    ("bytes4", b"\x01\x02\x03\x04" + bytes(28), b"\x01\x02\x03\x04"),
])
def test_indexed_topics_decode_exactly(abi_type: str, topic: bytes, value: object) -> None:
    assert decode_topic(abi_type, topic) == value


@pytest.mark.parametrize("abi_type, topic", [
    ("address", b"\x01" + bytes(11) + b"\xab" * 20),  # dirty high bytes
    ("uint8", (256).to_bytes(32, "big")),
    ("bool", (2).to_bytes(32, "big")),
])
def test_indexed_topics_out_of_range_are_undecodable(abi_type: str, topic: bytes) -> None:
    with pytest.raises(Undecodable, match=f"topic does not decode as {abi_type}"):
        decode_topic(abi_type, topic)


def test_a_second_signature_of_a_name_gets_its_selector_and_names_survive_a_restart(db: str) -> None:
    mint = {"type": "function", "name": "mint", "inputs": [{"name": "to", "type": "address"},
                                                           {"name": "amount", "type": "uint256"}]}
    mint_memo = {**mint, "inputs": [*mint["inputs"], {"name": "memo", "type": "string"}]}
    engine = open_engine(db)
    try:
        upgrade(engine)
        tables = ContractTables()
        with engine.begin() as conn:
            first = tables.table_for(conn, "Vault-V2", "method", mint)
            second = tables.table_for(conn, "Vault-V2", "method", mint_memo)
        selector = keccak(text="mint(address,uint256,string)")[:4].hex()
        assert (first.name, second.name) == ("vault_v2_mint_method", f"vault_v2_mint_{selector}_method")
        assert [c.name for c in second.columns][-3:] == ["to", "amount", "memo"]
        reloaded = ContractTables()  # a restarted exporter: the registry gives the same names
        with engine.begin() as conn:
            reloaded.load(conn)
            assert reloaded.table_for(conn, "Vault-V2", "method", mint_memo).name == second.name
    finally:
        engine.dispose()
