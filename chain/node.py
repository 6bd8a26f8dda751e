"""The composition root: builds every part of a node from one NodeConfig."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from chain.accounts import derive_accounts
from chain.api.filters import FilterManager
from chain.api.node_api import NodeAPI
from chain.backend.backend import Backend, ChainParams
from chain.backend.dump import dump_state, load_state, read_dump_file, write_dump_file
from chain.config import NodeConfig
from chain.console import Console
from chain.genesis import GenesisAccount, system_alloc
from chain.miner import Miner
from chain.rpc.dispatch import Dispatcher
from chain.rpc.namespaces.anvil import AnvilNamespace
from chain.rpc.namespaces.eth import EthNamespace
from chain.rpc.namespaces.evm import EvmNamespace
from chain.rpc.namespaces.net import NetNamespace
from chain.rpc.namespaces.personal import PersonalNamespace
from chain.rpc.namespaces.txpool import TxpoolNamespace
from chain.rpc.namespaces.web3 import Web3Namespace
from chain.rpc.server import RpcServer
from chain.storage import open_database


@dataclass
class NodeHandle:
    """A running node: where it listens, its API, and how to stop it."""

    config: NodeConfig
    api: NodeAPI
    dispatcher: Dispatcher
    host: str
    port: int
    _runner: web.AppRunner
    _miner: Miner

    @property
    def http_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.host}:{self.port}"

    async def stop(self) -> None:
        await self._miner.stop()
        await self._runner.cleanup()
        self.api.backend.db.close()  # type: ignore[attr-defined]  # SqliteDB / MemoryStore


def build_api(config: NodeConfig) -> NodeAPI:
    accounts = derive_accounts(config.mnemonic, config.account_count)
    params = ChainParams(
        chain_id=config.chain_id,
        gas_limit=config.gas_limit,
        genesis_base_fee=config.genesis_base_fee_wei,
        genesis_timestamp=config.genesis_timestamp,
        coinbase=config.coinbase,
        alloc={
            **system_alloc(),
            **{a.address: GenesisAccount(balance=config.account_balance_wei) for a in accounts},
        },
    )
    db = open_database(config.data_dir)
    try:
        backend = Backend(db, params)
    except Exception:
        db.close()
        raise
    return NodeAPI(config, backend, accounts)


async def start_node(config: NodeConfig) -> NodeHandle:
    api = build_api(config)
    filters = FilterManager(config.max_filters, config.filter_timeout_s)
    api.new_blocks.subscribe(lambda m: filters.on_block(m.block.hash))
    api.new_pending.subscribe(lambda p: filters.on_pending(p.hash))
    miner = Miner(config.mining, config.block_time, config.allow_empty_blocks,
                  api.mine_ready, api.has_ready)
    api.attach_miner(miner)
    namespaces: list[Any] = [
        EthNamespace(api, filters), NetNamespace(api), Web3Namespace(), TxpoolNamespace(api),
        EvmNamespace(api), AnvilNamespace(api), PersonalNamespace(api),
    ]
    dispatcher = Dispatcher(namespaces)
    console = None if config.quiet else Console()
    if console is not None:
        dispatcher.on_call = console.request
        api.new_blocks.subscribe(console.block)
        api.rejected.subscribe(lambda r: console.rejected(*r))
    server = RpcServer(api, dispatcher, max_request_bytes=config.max_request_bytes,
                       max_batch_length=config.max_batch_length)
    runner = web.AppRunner(server.app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, config.host, config.port)
    await site.start()
    port = runner.addresses[0][1]
    miner.start()
    handle = NodeHandle(config, api, dispatcher, config.host, port, runner, miner)
    if console is not None:
        console.banner(config, api.accounts, f"{config.host}:{port}")
    return handle


async def serve_forever(config: NodeConfig) -> None:
    """Run until cancelled (Ctrl-C / SIGTERM), then stop cleanly."""
    handle = await start_node(config)
    if config.load_state is not None:
        load_state(handle.api.backend, read_dump_file(config.load_state))
    if config.quiet:
        # Machines (tests, scripts) read this one line to learn the port when started on port 0.
        print(f"Listening on {handle.host}:{handle.port}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        if config.dump_state is not None:
            # Ctrl-C and SIGTERM land here; the file is replaced atomically.
            write_dump_file(config.dump_state, dump_state(handle.api.backend))
        await handle.stop()
