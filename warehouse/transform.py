"""A block as the node returns it (JSON-RPC `eth_getBlockByNumber` with transactions and
`eth_getBlockReceipts`) → the rows of every table it touches. No I/O but the creation of a
contract table the first time one is needed (ContractTables.table_for)."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from eth_utils.crypto import keccak
from sqlalchemy import Connection, Table

from warehouse import schema
from warehouse.abi_book import AbiBook
from warehouse.contract_tables import ContractTables
from warehouse.decode import Undecodable, decode_call, decode_log
from warehouse.tokens import transfers

Json = Mapping[str, Any]


def q(value: str | None) -> int | None:
    """A JSON-RPC quantity as an int (None stays None)."""
    return None if value is None else int(value, 16)


def unhex(value: str) -> bytes:
    return bytes.fromhex(value[2:])


@dataclass
class Rows:
    """Rows to insert, per table, for one or more blocks."""

    by_table: dict[Table, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))

    def add(self, table: Table, row: dict[str, Any]) -> None:
        self.by_table[table].append(row)


def block_rows(conn: Connection, block: Json, receipts: Sequence[Json], codes: Mapping[str, str],
               book: AbiBook, tables: ContractTables, rows: Rows) -> None:
    """Add `block`'s rows to `rows`; `codes` maps each contract it created to its runtime code."""
    number = int(block["number"], 16)
    txs = block["transactions"]
    log_count = sum(len(r["logs"]) for r in receipts)
    rows.add(schema.blocks, {
        "number": number, "hash": block["hash"], "parent_hash": block["parentHash"],
        "timestamp": q(block["timestamp"]), "miner": block["miner"].lower(), "gas_used": q(block["gasUsed"]),
        "gas_limit": q(block["gasLimit"]), "base_fee_per_gas": q(block.get("baseFeePerGas")),
        "tx_count": len(txs), "log_count": log_count})
    by_hash = {r["transactionHash"]: r for r in receipts}
    for tx in txs:
        receipt = by_hash[tx["hash"]]
        _transaction(conn, number, tx, receipt, book, tables, rows)
        for log in receipt["logs"]:
            _log(conn, number, log, book, tables, rows)
        created = receipt.get("contractAddress")
        if created:
            names = book.cns_names(created)
            known = book.at(created, number)
            rows.add(schema.contracts, {
                "address": created.lower(), "block_number": number, "creator": tx["from"].lower(),
                "creation_tx": tx["hash"], "code_hash": "0x" + keccak(unhex(codes.get(created.lower(), "0x"))).hex(),
                "contract_name": known.name if known else None, "cns_names": names or None})


def _transaction(conn: Connection, number: int, tx: Json, receipt: Json, book: AbiBook,
                 tables: ContractTables, rows: Rows) -> None:
    data = unhex(tx["input"])
    to = tx["to"].lower() if tx.get("to") else None
    contract = book.at(to, number)
    method = error = None
    if to and data:
        if contract is None:
            error = f"no ABI known for {to}"
        else:
            try:
                decoded = decode_call(contract, data)
            except Undecodable as exc:
                error = str(exc)
            else:
                method = str(decoded.item["name"])
                table = tables.table_for(conn, contract.name, "method", decoded.item)
                rows.add(table, tables.row(table, {
                    "block_number": number, "tx_index": q(tx["transactionIndex"]), "tx_hash": tx["hash"],
                    "from_address": tx["from"].lower(), "to_address": to, "status": q(receipt.get("status")),
                    "abi_version": contract.version or None}, decoded))
    rows.add(schema.transactions, {
        "hash": tx["hash"], "block_number": number, "tx_index": q(tx["transactionIndex"]),
        "from_address": tx["from"].lower(), "to_address": to, "value": q(tx["value"]), "nonce": q(tx["nonce"]),
        "gas": q(tx["gas"]), "gas_price": q(tx.get("gasPrice")), "max_fee_per_gas": q(tx.get("maxFeePerGas")),
        "max_priority_fee_per_gas": q(tx.get("maxPriorityFeePerGas")), "type": q(tx.get("type", "0x0")),
        "input": tx["input"], "method_id": tx["input"][:10] if len(data) >= 4 else None,
        "method_name": method, "contract_name": contract.name if contract else None, "decode_error": error})
    rows.add(schema.receipts, {
        "tx_hash": tx["hash"], "block_number": number, "status": q(receipt.get("status")),
        "gas_used": q(receipt["gasUsed"]), "cumulative_gas_used": q(receipt["cumulativeGasUsed"]),
        "effective_gas_price": q(receipt.get("effectiveGasPrice")),
        "contract_address": receipt["contractAddress"].lower() if receipt.get("contractAddress") else None})


def _log(conn: Connection, number: int, log: Json, book: AbiBook, tables: ContractTables, rows: Rows) -> None:
    address = log["address"].lower()
    topics = [unhex(t) for t in log["topics"]]
    data = unhex(log["data"])
    log_index = q(log["logIndex"])
    contract = book.at(address, number)
    event = error = None
    if contract is not None:
        try:
            decoded = decode_log(contract, topics, data)
        except Undecodable as exc:
            error = str(exc)
        else:
            event = str(decoded.item["name"])
            table = tables.table_for(conn, contract.name, "event", decoded.item)
            rows.add(table, tables.row(table, {
                "block_number": number, "log_index": log_index, "tx_hash": log["transactionHash"],
                "address": address, "abi_version": contract.version or None}, decoded))
    padded = list(log["topics"]) + [None] * (4 - len(log["topics"]))
    rows.add(schema.logs, {
        "block_number": number, "log_index": log_index, "tx_hash": log["transactionHash"],
        "tx_index": q(log["transactionIndex"]), "address": address, "topic0": padded[0], "topic1": padded[1],
        "topic2": padded[2], "topic3": padded[3], "data": log["data"], "event_name": event,
        "contract_name": contract.name if contract else None, "decode_error": error})
    for transfer in transfers(topics, data):
        rows.add(schema.token_transfers, {
            "block_number": number, "log_index": log_index, "tx_hash": log["transactionHash"],
            "token": address, **transfer})
