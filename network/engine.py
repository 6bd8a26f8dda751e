"""The consensus engine of a network chain: transactions go to the local CometBFT's mempool.

`submit` hands the signed bytes to the node's own CometBFT (`broadcast_tx_sync` over HTTP on
loopback), which runs CheckTx (network/abci/checktx.py) and gossips the transaction to the
other validators. A CheckTx rejection comes back as the exception the devnet's admission raises
(network/abci/codes.py), so the client sees the same JSON-RPC code and message. Blocks are
made by CometBFT, never here: a receipt exists only once a block is committed (finality).
"""
from __future__ import annotations

import asyncio
import base64
import itertools
import logging
import time
from typing import Any, Callable

import aiohttp

from chain.exceptions import AlreadyKnown, PoolFull, TransactionRejected, WabeiError
from chain.pool import PooledTx
from chain.types import NetworkNodes, NetworkStatus
from network import comet_status, node_table
from network.abci import codes

log = logging.getLogger("wabei.network")
# wabei_networkNodes costs four CometBFT queries (one a consensus dump) and a parse of the trust
# list's certificates; an explorer page polls it, any number may be open: one answer a second.
NODES_CACHE_S = 1.0


class CometUnavailable(TransactionRejected):
    """This node's CometBFT did not answer; the transaction was not sent to the network."""


class CometUnreachable(WabeiError):
    """This node's CometBFT did not answer a question about the network (-32000)."""


class CometEngine:
    """ConsensusEngineAPI for a chain whose blocks CometBFT decides."""

    def __init__(self, rpc_url: str, timeout_s: float = 10.0, head: Callable[[], int] = lambda: 0,
                 certificates: Callable[[], tuple[bytes, ...]] = tuple) -> None:
        """`rpc_url`: the local CometBFT's RPC (http://127.0.0.1:26657); `head`: the chain's
        head block number (eth_syncing's startingBlock is the head when the engine starts);
        `certificates`: the DER node certificates of the chain's trust list (organisations)."""
        self._certificates = certificates
        self._nodes: tuple[float, NetworkNodes] | None = None
        self._nodes_lock = asyncio.Lock()
        self.rpc_url = rpc_url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session: aiohttp.ClientSession | None = None
        self._ids = itertools.count(1)
        self._head = head
        self._starting_block = head()

    @property
    def automine(self) -> bool:
        return False

    def start(self) -> None:
        self._starting_block = self._head()

    async def network_status(self) -> NetworkStatus:
        """From CometBFT's `/status` and `/net_info` (and `/dump_consensus_state` while it
        catches up); network/comet_status.py says how each field is read."""
        status = await self._query("status")
        net_info = await self._query("net_info")
        sync = None
        if comet_status.catching_up(status):
            sync = comet_status.sync_progress(self._starting_block, self._head(),
                                              await self._query("dump_consensus_state"))
        return comet_status.network_status(status, net_info, sync)

    async def network_nodes(self) -> NetworkNodes:
        """This node, its peers and the validators (network/node_table.py), at most a second old;
        concurrent callers share one round of queries."""
        async with self._nodes_lock:
            if self._nodes is None or time.monotonic() - self._nodes[0] >= NODES_CACHE_S:
                status = await self._query("status")
                net_info = await self._query("net_info")
                # per_page is an int64 in CometBFT's JSON: a string; 100 is its most a page
                validators = await self._query("validators", {"per_page": "100"})
                dump = await self._query("dump_consensus_state")
                known = node_table.identities(self._certificates())
                self._nodes = (time.monotonic(),
                               node_table.node_table(status, net_info, validators, dump, known))
            return self._nodes[1]

    async def _query(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        try:
            answer = await self._post(method, params or {})
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise CometUnreachable(f"this node's CometBFT at {self.rpc_url} did not answer {method} ({exc})") from exc
        if "error" in answer:
            raise CometUnreachable(f"this node's CometBFT answered {method} with an error: {answer['error']}")
        return dict(answer["result"])

    async def _post(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        body = {"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": params}
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        async with self._session.post(self.rpc_url, json=body) as response:
            return dict(await response.json(content_type=None))

    async def stop(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def submit(self, tx: PooledTx) -> None:
        result = await self._broadcast(bytes(tx.tx.encode()))
        code = int(result.get("code", 0))
        if code != codes.OK:
            raise codes.error_of(code, str(result.get("log", "")))
        # CheckTx on this node put it in the chain's pool mirror (WabeiApp._mirror) already.

    async def _broadcast(self, raw: bytes) -> dict[str, Any]:
        try:
            answer = await self._post("broadcast_tx_sync", {"tx": base64.b64encode(raw).decode()})
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise CometUnavailable(
                f"this node's CometBFT at {self.rpc_url} did not take the transaction ({exc}); "
                "it was not sent, try again") from exc
        if "error" in answer:
            raise _mempool_error(answer["error"])
        return dict(answer["result"])


def _mempool_error(error: dict[str, Any]) -> WabeiError:
    """CometBFT's own refusals, before CheckTx runs (its RPC error's `data` says why)."""
    data = str(error.get("data") or error.get("message") or "")
    if "already exists in cache" in data:
        return AlreadyKnown("already known")
    if "mempool is full" in data:
        return PoolFull(f"txpool is full: {data}")
    return TransactionRejected(f"the network refused the transaction: {data}")
