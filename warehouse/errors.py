"""The warehouse's one exception tree; the CLI turns each into one line on stderr and exit 1."""
from __future__ import annotations


class WarehouseError(Exception):
    """Base of every failure the exporter reports to a person."""


class RpcError(WarehouseError):
    """The node answered a JSON-RPC request with an error, or did not answer."""


class AbiSourceError(WarehouseError):
    """One ABI source (a user ABI file, a manifest) could not be read; names the file.

    The exporter reports it and goes on with the other sources, so one bad file never stops an
    export.
    """


class ChainMismatch(WarehouseError):
    """The database holds blocks of another chain (its genesis hash differs from the node's)."""
