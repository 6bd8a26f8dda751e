"""The data warehouse: export a Wabei chain into SQL (SQLite or PostgreSQL), decoded, incremental,
rollback-safe and verifiable (docs/warehouse.md). An application: it reads the chain over
JSON-RPC like any client and is never imported by `chain/`."""
