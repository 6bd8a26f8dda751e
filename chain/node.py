"""The composition root: builds a node (a server and its chains) from one NodeConfig."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Sequence

from aiohttp import web

from chain.abc import NodePluginAPI
from chain.api.chain import Chain, build_chain
from chain.backend.dump import dump_json, read_dump_file, write_dump_file
from chain.config import NodeConfig, ServerConfig
from chain.console import Console
from chain.metrics import serve as metrics_serve
from chain.metrics.node_metrics import NodeMetrics
from chain.rpc.cors import OriginPolicy, parse_origins
from chain.api.address_index import AddressIndex
from chain.rpc.dispatch import Dispatcher
from chain.rpc.namespaces.anvil import AnvilNamespace
from chain.rpc.namespaces.debug import DebugNamespace
from chain.rpc.namespaces.dev_only import AnvilOnlyNamespace, EthDevNamespace, HardhatOnlyNamespace
from chain.rpc.namespaces.eth import EthNamespace
from chain.rpc.namespaces.evm import EvmNamespace
from chain.rpc.namespaces.explorer import ExplorerNamespace
from chain.rpc.namespaces.net import NetNamespace
from chain.rpc.namespaces.network import NetworkNamespace
from chain.rpc.namespaces.ots import OtsNamespace
from chain.rpc.namespaces.personal import PersonalNamespace
from chain.rpc.namespaces.trace import TraceNamespace
from chain.rpc.namespaces.txpool import TxpoolNamespace
from chain.rpc.namespaces.wabei import WabeiNamespace
from chain.rpc.namespaces.web3 import Web3Namespace
from chain.rpc.server import RpcServer
from explorer.routes import add_explorer_routes


@dataclass
class NodeHandle:
    """A running node: where it listens, its chains (the default one first), and how to stop it."""

    config: NodeConfig
    chains: tuple[Chain, ...]
    dispatchers: tuple[Dispatcher, ...]
    host: str
    port: int
    _runner: web.AppRunner
    metrics: NodeMetrics | None = None
    # Where /metrics is served: the JSON-RPC port's /metrics, or the separate listener's URL.
    metrics_url: str | None = None
    _metrics_runner: web.AppRunner | None = None

    @property
    def chain(self) -> Chain:
        """The default chain, served at `/`."""
        return self.chains[0]

    @property
    def dispatcher(self) -> Dispatcher:
        return self.dispatchers[0]

    @property
    def http_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.host}:{self.port}"

    def url_of(self, chain_id: int) -> str:
        """The HTTP URL that serves the chain with `chain_id` (also over WebSocket)."""
        for chain in self.chains:
            if chain.config.chain_id == chain_id:  # paths keep the start id
                return self.http_url + chain.config.path
        raise KeyError(f"this node hosts no chain with id {chain_id}")

    async def stop(self) -> None:
        for chain in self.chains:
            # First: a running call is answered at once and its worker stops at its next check,
            # so the server's graceful shutdown below does not wait for it (SIGTERM is prompt).
            chain.reads.workers.close()
        for chain in self.chains:
            await chain.engine.stop()
        await self._runner.cleanup()
        if self._metrics_runner is not None:
            await self._metrics_runner.cleanup()
        for chain in self.chains:
            chain.close()


NO_DEV_METHODS = "this node was started with --no-dev-methods"


def namespaces(chain: Chain, dev_methods: bool = True) -> list[Any]:
    """The JSON-RPC namespaces a chain serves; dev namespaces only on a devnet chain, and
    only when the node serves them (`ServerConfig.dev_methods`)."""
    index = AddressIndex(chain.backend.store)  # lazy: costs nothing until ots_*/chainStats ask
    served: list[Any] = [
        EthNamespace(chain), NetNamespace(lambda: chain.chain_id, lambda: chain.engine.network_status()),
        Web3Namespace(),
        TxpoolNamespace(chain.pool), PersonalNamespace(chain.transactions), DebugNamespace(chain),
        WabeiNamespace(chain),
        TraceNamespace(chain),
        OtsNamespace(chain, index), ExplorerNamespace(chain, index), NetworkNamespace(chain),
    ]
    if chain.dev is not None and dev_methods:
        served += [EvmNamespace(chain.dev), AnvilNamespace(chain, chain.dev),
                   AnvilOnlyNamespace(chain.dev), HardhatOnlyNamespace(chain.dev),
                   EthDevNamespace(chain.transactions)]
    return served


def dispatcher(chain: Chain, server: ServerConfig) -> Dispatcher:
    """A chain's dispatcher. A devnet whose dev methods are switched off names the flag when one
    is called; a network chain has none to switch off and answers a plain -32601."""
    off = chain.dev is not None and not server.dev_methods
    reasons = {prefix: NO_DEV_METHODS for prefix in ("evm", "anvil", "hardhat")} if off else {}
    return Dispatcher(namespaces(chain, server.dev_methods), reasons)


def build_chains(config: NodeConfig) -> tuple[Chain, ...]:
    """Open every chain of `config`; closes those already open if a later one fails."""
    chains: list[Chain] = []
    try:
        for chain_config in config.chains:
            chains.append(build_chain(chain_config))
    except Exception:
        for chain in chains:
            chain.close()
        raise
    return tuple(chains)


async def start_node(config: NodeConfig, plugins: Sequence[NodePluginAPI] = (),
                     chains: Sequence[Chain] | None = None) -> NodeHandle:
    """Build (or take) the chains, serve them, and start their engines.

    `chains`, when given, are already built (a test's follower with its own engine); they must
    match `config.chains`.
    """
    built = tuple(chains) if chains is not None else build_chains(config)
    server = RpcServer(max_request_bytes=config.server.max_request_bytes,
                       max_batch_length=config.server.max_batch_length,
                       max_outbox_bytes=config.server.ws_outbox_bytes,
                       ws_write_timeout_s=config.server.ws_write_timeout_s,
                       max_outbox_total=config.server.ws_outbox_total_bytes,
                       origins=OriginPolicy(parse_origins(",".join(config.server.cors_origins))))
    console = None if config.server.quiet else Console()
    dispatchers = []
    for index, chain in enumerate(built):
        chain_dispatcher = dispatcher(chain, config.server)
        dispatchers.append(chain_dispatcher)
        if index == 0:
            server.add_chain("/", chain_dispatcher, chain.events)
            if console is not None:
                dev = chain.dev
                if dev is not None:
                    console.enabled = lambda: dev.logging_enabled
                chain_dispatcher.calls.subscribe(console.request)
                chain.events.new_blocks.subscribe(console.block)
                chain.events.rejected.subscribe(lambda r: console.rejected(*r))
                chain.events.call_console.subscribe(console.call_logs)
        server.add_chain(chain.config.path, chain_dispatcher, chain.events)
    metrics = metrics_serve.attach(server, built, dispatchers, config.server)
    if config.server.explorer:
        add_explorer_routes(server.app)
    for plugin in plugins:
        plugin.add_routes(server.app, built)
    runner = web.AppRunner(server.app, access_log=None, handle_signals=False)
    await runner.setup()
    metrics_runner, metrics_url = None, None
    try:
        site = web.TCPSite(runner, config.server.host, config.server.port)
        await site.start()
        metrics_runner, metrics_url = await metrics_serve.serve_apart(metrics, config.server)
    except BaseException:
        await runner.cleanup()
        for chain in built:
            chain.close()
        raise
    port = runner.addresses[0][1]
    for chain in built:
        chain.engine.start()
    handle = NodeHandle(config, built, tuple(dispatchers), config.server.host, port, runner, metrics)
    if metrics is not None:
        handle.metrics_url = metrics_url or f"{handle.http_url}/metrics"
        handle._metrics_runner = metrics_runner
    if console is not None:
        console.banner(config.chain, handle.chain.accounts, f"{config.server.host}:{port}", config.server)
    return handle


async def serve_forever(config: NodeConfig) -> None:
    """Run until cancelled (Ctrl-C / SIGTERM), then stop cleanly."""
    handle = await start_node(config)
    for chain in handle.chains:
        if chain.config.load_state is not None and chain.dev is not None:  # dev: build_chain checks
            chain.dev.load_state(read_dump_file(chain.config.load_state))
    if config.server.quiet:
        # Machines (tests, scripts) read this one line to learn the port when started on port 0.
        print(f"Listening on {handle.host}:{handle.port}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        for chain in handle.chains:
            if chain.config.dump_state is not None and chain.dev is not None:
                # Ctrl-C and SIGTERM land here; the file is replaced atomically.
                write_dump_file(chain.config.dump_state, dump_json(chain.dev.dump_source()))
        await handle.stop()
