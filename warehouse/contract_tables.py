"""One table per method and per event of every contract with a known ABI (FISCO Data-Export's
`<Contract>_<method>_method` / `<Contract>_<event>_event` model), built at run time.

The mapping from (contract, kind, signature) to a table name is stored in `contract_tables`, so a
name never changes once given: the first signature of `deposit` in contract `vault` gets
`vault_deposit_method`; a different one seen later (an overload, or a new CNS version that
changed the parameters) gets `vault_deposit_<selector>_method`. Migrations (Alembic) manage the
fixed tables; these are created with `CREATE TABLE` when first needed, since their shape comes
from the chain, not from this code.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eth_utils.abi import collapse_if_tuple
from sqlalchemy import Column, Connection, MetaData, Table, select
from sqlalchemy.types import TypeEngine

from warehouse import schema
from warehouse.abi_book import AbiItem, selector, signature, topic
from warehouse.decode import Decoded, is_json_type, to_column
from warehouse.names import column_names, table_name
from warehouse.sqltypes import JSON, Address, BigInteger, Boolean, Hash, HexData, Integer, Text, Uint256

METHOD_COLUMNS = ("block_number", "tx_index", "tx_hash", "from_address", "to_address", "status", "abi_version")
EVENT_COLUMNS = ("block_number", "log_index", "tx_hash", "address", "abi_version")


def sql_type(abi_type: str, indexed_hash: bool = False) -> TypeEngine[Any]:
    """The column type of one ABI parameter (the table in docs/warehouse.md)."""
    if indexed_hash:
        return Hash()
    if is_json_type(abi_type):
        return JSON()
    if abi_type == "address":
        return Address()
    if abi_type == "bool":
        return Boolean()
    if abi_type == "string":
        return Text()
    if abi_type.startswith("bytes"):
        return HexData()
    for prefix, widest_exact in (("uint", 63), ("int", 64)):
        if abi_type.startswith(prefix):
            bits = int(abi_type[len(prefix):] or 256)
            return BigInteger() if bits <= widest_exact else Uint256()
    return Text()  # fixed/ufixed: decimal text


def is_indexed_hash(param: Mapping[str, Any]) -> bool:
    """An indexed string, bytes, array or tuple: the log holds only its keccak."""
    abi_type = collapse_if_tuple(dict(param))
    return bool(param.get("indexed")) and (abi_type in ("string", "bytes") or is_json_type(abi_type))


def _fixed_columns(kind: str) -> list[Column[Any]]:
    # Keyed by block first, so a rewind's DELETE ... WHERE block_number > N uses the key; no
    # other index, since an index name could pass PostgreSQL's 63 bytes where the table's fits.
    if kind == "method":
        return [Column("block_number", BigInteger, primary_key=True, autoincrement=False),
                Column("tx_index", Integer, primary_key=True, autoincrement=False),
                Column("tx_hash", Hash(), nullable=False), Column("from_address", Address()),
                Column("to_address", Address()), Column("status", Integer), Column("abi_version", Text)]
    return [Column("block_number", BigInteger, primary_key=True, autoincrement=False),
            Column("log_index", Integer, primary_key=True, autoincrement=False), Column("tx_hash", Hash()),
            Column("address", Address()), Column("abi_version", Text)]


class ContractTables:
    """The run-time tables of one database, loaded from `contract_tables` and grown on demand."""

    def __init__(self) -> None:
        self.metadata = MetaData()
        self._by_key: dict[tuple[str, str, str], Table] = {}
        self._columns: dict[str, list[str]] = {}

    def load(self, conn: Connection) -> None:
        """Read the registry, so names given earlier are used again."""
        for row in conn.execute(select(schema.contract_tables)):
            self._define(row.table_name, row.contract_name, row.kind, row.abi)

    def tables(self) -> list[Table]:
        return list(self._by_key.values())

    def table_for(self, conn: Connection, contract: str, kind: str, item: AbiItem) -> Table:
        """The table of `item` (a function or event of `contract`), created on first use."""
        key = (contract, kind, signature(item))
        table = self._by_key.get(key)
        if table is not None:
            return table
        name = table_name(contract, str(item["name"]), kind)
        if name in self.metadata.tables:
            tag = selector(item) if kind == "method" else topic(item)[:4]
            name = table_name(contract, str(item["name"]), kind, tag.hex())
        table = self._define(name, contract, kind, dict(item))
        table.create(conn, checkfirst=True)
        conn.execute(schema.contract_tables.insert().values(
            table_name=name, contract_name=contract, kind=kind, signature=key[2], abi=dict(item)))
        return table

    def row(self, table: Table, fixed: dict[str, Any], decoded: Decoded) -> dict[str, Any]:
        """A row of `table`: the fixed columns and one value per parameter."""
        row = dict(fixed)
        for column, param, value in zip(self._columns[table.name], decoded.item.get("inputs", []), decoded.values):
            row[column] = "0x" + bytes(value).hex() if is_indexed_hash(param) else to_column(param, value)
        return row

    def _define(self, name: str, contract: str, kind: str, item: AbiItem) -> Table:
        inputs = list(item.get("inputs", []))
        reserved = frozenset(METHOD_COLUMNS if kind == "method" else EVENT_COLUMNS)
        columns = column_names([str(i.get("name") or "") for i in inputs], reserved)
        params = [Column(c, sql_type(collapse_if_tuple(dict(i)), is_indexed_hash(i))) for c, i in zip(columns, inputs)]
        table = Table(name, self.metadata, *_fixed_columns(kind), *params)
        self._by_key[(contract, kind, signature(item))] = table
        self._columns[name] = columns
        return table


__all__ = ["ContractTables", "sql_type"]
