"""Run one node of a network: Wabei's ABCI server and JSON-RPC, and (unless the config says an
outside supervisor does it) the node's CometBFT as a supervised child process.

Start order: the chain is opened from its own storage; the ABCI server listens (CometBFT
connects to proxy_app when it starts and gives up if nothing answers); JSON-RPC serves; then
`cometbft start --home HOME`. CometBFT asks Info, replays whatever blocks it has that Wabei lacks
(a node killed between the two commits), and block-syncs from its peers what it lacks itself.
If the child exits, the node stops with an error: the two are one node, and a supervisor (or
`wabei network up`) restarts both. On SIGTERM the child gets SIGTERM first, then Wabei stops.
"""
from __future__ import annotations

import asyncio
import logging
import os
import signal
from dataclasses import dataclass
from pathlib import Path

from chain.api.chain import Chain, build_chain
from chain.config import NodeConfig
from chain.node import NodeHandle, start_node
from network.abci.app import WabeiApp
from network.abci.peer_filter import PeerFilter
from network.abci.server import AbciServer
from network.admission import CertificatePeerFilter
from network.chain_trust import ChainTrustFollower, follow_chain_trust, read_material
from network.trust import WatchedPeerFilter
from network.config import NetworkNodeConfig
from network.engine import CometEngine

log = logging.getLogger("wabei.network")
STOP_GRACE_S = 10.0


class CometExited(RuntimeError):
    """The node's CometBFT child exited; its log says why."""


class NoTrustList(RuntimeError):
    """Admission was told to follow the chain's trust list, but the chain has none."""


@dataclass
class NetworkNode:
    """A running network node; `stop` ends CometBFT (if started here) and then Wabei."""

    config: NetworkNodeConfig
    chain: Chain
    app: WabeiApp
    abci: AbciServer
    handle: NodeHandle
    comet: asyncio.subprocess.Process | None

    async def wait(self) -> None:
        """Until the CometBFT child exits (raises CometExited), or forever without one."""
        if self.comet is None:
            await asyncio.Event().wait()
            return
        code = await self.comet.wait()
        raise CometExited(f"cometbft exited with code {code}; see {comet_log(self.config)}")

    async def stop(self) -> None:
        if self.comet is not None and self.comet.returncode is None:
            self.comet.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.comet.wait(), STOP_GRACE_S)
            except asyncio.TimeoutError:
                self.comet.kill()
                await self.comet.wait()
        await self.handle.stop()
        await self.abci.stop()


def comet_log(config: NetworkNodeConfig) -> Path:
    """Where the CometBFT child's output goes: beside the node's wabei.toml."""
    return config.folder / "cometbft.log"


async def start_network_node(config: NetworkNodeConfig, peer_filter: PeerFilter | None = None) -> NetworkNode:
    """Open the chain, serve ABCI and JSON-RPC, and start CometBFT if the config says so."""
    chain = build_chain(config.chain, engine=lambda c: CometEngine(
        config.comet_rpc, head=lambda: int(c.reads.head.block_number),
        certificates=lambda: read_material(c.backend.head_state()).certificates))
    try:
        if isinstance(peer_filter, WatchedPeerFilter):
            follow_chain_trust(chain, peer_filter)  # the chain wins over the files, if seeded
        elif (isinstance(peer_filter, CertificatePeerFilter) and not ChainTrustFollower(chain, peer_filter).start()
              and not peer_filter.trust.authorities):
            raise NoTrustList(f"{config.name}: admission follows the trust list on chain, but this chain's "
                               "genesis seeded none (network/chain_trust.py); every peer would be refused")
        app = WabeiApp(chain, peer_filter, test_fault=config.test_fault)
        abci = AbciServer(app, config.abci)
        await abci.start()
    except BaseException:
        chain.close()
        raise
    try:
        handle = await start_node(NodeConfig(server=config.server, chains=(config.chain,)), chains=[chain])
    except BaseException:
        await abci.stop()
        raise
    if handle.metrics is not None:
        abci.observer = handle.metrics.observe_abci
    comet = None
    if config.start_comet:
        out = open(comet_log(config), "ab")
        try:
            comet = await asyncio.create_subprocess_exec(
                config.comet_binary, "start", "--home", str(config.comet_home),
                stdin=asyncio.subprocess.DEVNULL, stdout=out, stderr=out, env=dict(os.environ))
        except BaseException:
            await handle.stop()
            await abci.stop()
            raise
        finally:
            out.close()
    return NetworkNode(config, chain, app, abci, handle, comet)


async def serve_forever(config: NetworkNodeConfig, peer_filter: PeerFilter | None = None) -> None:
    """Run until cancelled (SIGINT/SIGTERM) or until CometBFT exits, then stop cleanly.
    `peer_filter` answers CometBFT's `filter_peers` queries (default: every peer)."""
    node = await start_network_node(config, peer_filter)
    # Machines (tests, `wabei network up`) read this line; the ABCI address follows it.
    print(f"Listening on {node.handle.host}:{node.handle.port}", flush=True)
    print(f"ABCI on {node.abci.address}", flush=True)
    try:
        await node.wait()
    finally:
        await node.stop()
