"""The exporter's settings: one frozen dataclass built from the CLI's flags (cli/export.py)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# Blocks per JSON-RPC round trip and per database transaction. Each block costs two requests
# (block with transactions, receipts), and the node's batch limit is 1,000 requests.
DEFAULT_BATCH = 100
MAX_BATCH = 500


@dataclass(frozen=True)
class ExportConfig:
    """What to export from where.

    rpc_url: the node's HTTP JSON-RPC URL. db: a database URL or a SQLite file path.
    abi_dir: user ABI files (warehouse/abi_sources.py's format). manifests: a deployments/
    directory (deploy/manifest.py). artifacts: the project root holding contracts/build
    (None: this repository). batch: blocks per round trip and transaction. to_block: stop
    there (None: the head). follow: keep up with new blocks. ws_url: newHeads source (None:
    the rpc_url with ws://). poll_seconds: how often follow mode polls without notifications.
    progress: a progress bar (None: only when stderr is a terminal).
    """

    rpc_url: str
    db: str
    abi_dir: Path | None = None
    manifests: Path | None = None
    artifacts: Path | None = None
    batch: int = DEFAULT_BATCH
    to_block: int | None = None
    follow: bool = False
    ws_url: str | None = None
    poll_seconds: float = 1.0
    progress: bool | None = None
