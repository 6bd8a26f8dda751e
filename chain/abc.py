"""Interfaces between the node's parts, in one place (py-evm's `eth/abc.py` habit).

Concrete parts depend on these, not on each other: the transaction path hands admitted
transactions to "a consensus engine", and the composition root (chain/node.py) decides which one:
the solo engine of a devnet (chain/engines/solo.py) today, a CometBFT ABCI application or a Raft
log later. Whatever the engine, blocks reach the chain through the same three steps of
`BlockPipelineAPI`: propose (from the pool), import (someone else's block, re-executed
strictly), commit (store, move the head, clean the pool, announce).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, Sequence

if TYPE_CHECKING:
    from aiohttp import web
    from eth.abc import BlockAPI

    from chain.api.blocks import MinedBlock
    from chain.api.chain import Chain
    from chain.backend.execution import BuiltBlock
    from chain.pool import PooledTx
    from chain.types import NetworkNodes, NetworkStatus


class BlockPipelineAPI(Protocol):
    """The chain's side of consensus: what an engine calls, in this order, for every block.

    A solo engine proposes and commits at once. The CometBFT engine (network/abci/app.py) maps
    ABCI onto it: PrepareProposal, ProcessProposal and FinalizeBlock → `BlockPipeline.build`
    (a CometBFT block carries transactions, not an Ethereum header: every node builds the
    same header from the decided height, time and proposer), Commit → `commit`. `import_block`
    re-executes a block whose Ethereum header came from elsewhere (a follower).
    """

    def propose(self, timestamp: int | None = None) -> "BuiltBlock":
        """Build the next block from the pool's ready transactions; nothing is stored yet."""
        ...

    def import_block(self, block: "BlockAPI") -> "BuiltBlock":
        """Re-execute a block produced elsewhere; raises InvalidBlock naming what differs."""
        ...

    def commit(self, built: "BuiltBlock") -> "MinedBlock":
        """Store atomically, move the head, clean the pool, and announce the block."""
        ...


class ConsensusEngineAPI(Protocol):
    """Decides when blocks are made and how the nodes agree on them."""

    @property
    def automine(self) -> bool:
        """True when an accepted transaction is on chain before its hash is returned."""
        ...

    async def submit(self, tx: "PooledTx") -> None:
        """An admitted transaction, to be included in a later block (solo: the local pool, and
        in automine the block is made before this returns; BFT: the engine's mempool)."""
        ...

    def start(self) -> None:
        """Begin producing or following blocks (called once the node serves)."""
        ...

    async def stop(self) -> None:
        ...

    async def network_status(self) -> "NetworkStatus":
        """Peers, whether this node makes blocks, and sync progress (eth_mining, eth_syncing,
        net_peerCount). A solo engine has no peers and is never syncing; a BFT engine asks its
        consensus process, and raises a WabeiError when that does not answer."""
        ...

    async def network_nodes(self) -> "NetworkNodes | None":
        """The node table (wabei_networkNodes): this node, its peers and the validators; None
        for an engine with no network (a devnet). Raises a WabeiError when consensus does not answer."""
        ...


class DevMiningAPI(Protocol):
    """The devnet's mining switches (evm_setAutomine, evm_setIntervalMining); solo engine only."""

    @property
    def automine(self) -> bool:
        ...

    def set_automine(self, enabled: bool) -> None:
        """evm_setAutomine: switch automine on, or off (to manual mining)."""
        ...

    def set_interval(self, seconds: float) -> None:
        """evm_setIntervalMining: mine every `seconds`; 0 turns interval mining off."""
        ...

    @property
    def interval(self) -> float | None:
        """Seconds between interval-mined blocks, or None when not interval mining."""
        ...


class NodePluginAPI(Protocol):
    """Something served beside JSON-RPC on the node's port (an explorer page, `/metrics`).

    Plugins are given to `chain.node.start_node`, which calls `add_routes` before the server
    starts (aiohttp freezes its router then); routes must not use `/` or `/chains/…`.
    """

    def add_routes(self, app: "web.Application", chains: "Sequence[Chain]") -> None:
        """Add routes to `app`; `chains` are the node's chains, the default one first."""
        ...
