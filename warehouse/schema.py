"""The fixed tables (docs/warehouse.md lists every column). Created by the Alembic migrations in
warehouse/migrations; this metadata is what the exporter writes through, and a test checks the
two agree. The per-contract method and event tables are built at run time (contract_tables.py).
"""
from __future__ import annotations

from sqlalchemy import Column, Index, MetaData, Table

from warehouse.sqltypes import JSON, Address, BigInteger, Hash, HexData, Integer, String, Text, Uint256

metadata = MetaData()

blocks = Table(
    "blocks", metadata,
    Column("number", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", Hash(), nullable=False, unique=True),
    Column("parent_hash", Hash(), nullable=False),
    Column("timestamp", BigInteger, nullable=False),
    Column("miner", Address(), nullable=False),
    Column("gas_used", BigInteger, nullable=False),
    Column("gas_limit", BigInteger, nullable=False),
    Column("base_fee_per_gas", Uint256()),
    Column("tx_count", Integer, nullable=False),
    Column("log_count", Integer, nullable=False),
)

transactions = Table(
    "transactions", metadata,
    Column("hash", Hash(), primary_key=True),
    Column("block_number", BigInteger, nullable=False, index=True),
    Column("tx_index", Integer, nullable=False),
    Column("from_address", Address(), nullable=False, index=True),
    Column("to_address", Address(), index=True),
    Column("value", Uint256(), nullable=False),
    Column("nonce", BigInteger, nullable=False),
    Column("gas", BigInteger, nullable=False),
    Column("gas_price", Uint256()),
    Column("max_fee_per_gas", Uint256()),
    Column("max_priority_fee_per_gas", Uint256()),
    Column("type", Integer, nullable=False),
    Column("input", HexData(), nullable=False),
    Column("method_id", String(10)),
    Column("method_name", Text),
    Column("contract_name", Text),
    Column("decode_error", Text),
)

receipts = Table(
    "receipts", metadata,
    Column("tx_hash", Hash(), primary_key=True),
    Column("block_number", BigInteger, nullable=False, index=True),
    Column("status", Integer),
    Column("gas_used", BigInteger, nullable=False),
    Column("cumulative_gas_used", BigInteger, nullable=False),
    Column("effective_gas_price", Uint256()),
    Column("contract_address", Address()),
)

logs = Table(
    "logs", metadata,
    Column("block_number", BigInteger, primary_key=True, autoincrement=False),
    Column("log_index", Integer, primary_key=True, autoincrement=False),
    Column("tx_hash", Hash(), nullable=False, index=True),
    Column("tx_index", Integer, nullable=False),
    Column("address", Address(), nullable=False, index=True),
    Column("topic0", Hash()),
    Column("topic1", Hash()),
    Column("topic2", Hash()),
    Column("topic3", Hash()),
    Column("data", HexData(), nullable=False),
    Column("event_name", Text),
    Column("contract_name", Text),
    Column("decode_error", Text),
)
Index("ix_logs_topic0", logs.c.topic0)

token_transfers = Table(
    "token_transfers", metadata,
    Column("block_number", BigInteger, primary_key=True, autoincrement=False),
    Column("log_index", Integer, primary_key=True, autoincrement=False),
    Column("batch_index", Integer, primary_key=True, autoincrement=False),
    Column("tx_hash", Hash(), nullable=False),
    Column("token", Address(), nullable=False, index=True),
    Column("standard", String(8), nullable=False),
    Column("operator", Address()),
    Column("from_address", Address(), nullable=False, index=True),
    Column("to_address", Address(), nullable=False, index=True),
    Column("token_id", Uint256()),
    Column("amount", Uint256(), nullable=False),
)

contracts = Table(
    "contracts", metadata,
    Column("address", Address(), primary_key=True),
    Column("block_number", BigInteger, nullable=False, index=True),
    Column("creator", Address(), nullable=False),
    Column("creation_tx", Hash(), nullable=False),
    Column("code_hash", Hash(), nullable=False),
    Column("contract_name", Text),
    Column("cns_names", JSON),
)

progress = Table(
    "progress", metadata,
    Column("name", String(32), primary_key=True),
    Column("block_number", BigInteger, nullable=False),
    Column("block_hash", Hash(), nullable=False),
    Column("genesis_hash", Hash(), nullable=False),
)

contract_tables = Table(
    "contract_tables", metadata,
    Column("table_name", String(63), primary_key=True),
    Column("contract_name", Text, nullable=False),
    Column("kind", String(6), nullable=False),
    Column("signature", Text, nullable=False),
    Column("abi", JSON, nullable=False),
)

# Tables whose rows belong to a block: a rewind deletes from these by block number.
BLOCK_TABLES = (blocks, transactions, receipts, logs, token_transfers, contracts)
