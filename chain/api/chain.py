"""A chain (a group, in FISCO BCOS's words): everything one ledger needs, built from a ChainConfig.

A node hosts one or more chains; each has its own spec, storage, pool, engine, events and API
objects, split by purpose: `reads` (blocks, state, logs, calls), `transactions` (admission and
submission), `blocks` (propose / import / commit) and `dev` (devnet powers; None on a network node).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from eth_typing import Address

from chain.abc import ConsensusEngineAPI
from chain.accounts import DevAccount, derive_accounts
from chain.api.blocks import BlockPipeline
from chain.api.dev import DevControls, DevPolicy
from chain.api.events import ChainEvents
from chain.api.filters import FilterManager
from chain.api.flow import FlowRecorder
from chain.api.reads import ChainReads
from chain.api.transactions import Transactions
from chain.backend.backend import Backend, ChainParams
from chain.clock import BlockClock
from chain.config import ChainConfig
from chain.engines.solo import SoloEngine
from chain.genesis import governance_alloc, system_alloc, with_storage
from chain.pool import TxPool
from chain.spec import ChainSpec, build_spec
from chain.storage import open_database
from chain.types import GenesisAccount

# Builds the engine of a chain that does not mine for itself (a follower, a BFT node).
EngineFactory = Callable[["Chain"], ConsensusEngineAPI]


@dataclass
class Chain:
    config: ChainConfig
    spec: ChainSpec
    accounts: tuple[DevAccount, ...]
    backend: Backend
    pool: TxPool
    events: ChainEvents
    clock: BlockClock
    reads: ChainReads
    blocks: BlockPipeline
    filters: FilterManager
    engine: ConsensusEngineAPI
    transactions: Transactions
    dev: DevControls | None
    flow: FlowRecorder

    @property
    def chain_id(self) -> int:
        """The current chain id: the config's, unless a devnet's anvil_setChainId changed it."""
        return self.backend.chain_id

    def close(self) -> None:
        self.reads.workers.close()  # idempotent: NodeHandle.stop closed it first
        self.backend.db.close()  # type: ignore[attr-defined]  # SqliteDB / MemoryStore


def chain_params(config: ChainConfig, accounts: tuple[DevAccount, ...]) -> ChainParams:
    """The genesis a chain is built from: the platform's system accounts, then the config's
    `alloc` when it has one (a network: exactly its genesis allocation, which may also give a
    system account its genesis storage), else the dev accounts with their balance."""
    funded = dict(config.alloc) if config.alloc is not None else {
        a.address: GenesisAccount(balance=config.account_balance_wei) for a in accounts}
    governed = governance_alloc(config.governance) if config.governance is not None else {}
    return ChainParams(
        chain_id=config.chain_id,
        gas_limit=config.gas_limit,
        genesis_base_fee=config.genesis_base_fee_wei,
        genesis_timestamp=config.genesis_timestamp,
        coinbase=config.coinbase,
        alloc=with_storage({**system_alloc(network=_network_accounts(config)), **governed, **funded},
                           config.genesis_storage),
    )



def default_admin(config: ChainConfig, accounts: tuple[DevAccount, ...]) -> bytes | None:
    """The chain admin when the genesis seeds none: a devnet's first dev account (so governance
    can be tried at once), nobody on a network chain. Decided by the genesis's shape, as the
    network-only accounts are, so a node following a devnet (network_accounts=False, the same
    mnemonic) executes its governance transactions exactly as the devnet did."""
    return accounts[0].address if not _network_accounts(config) and accounts else None


def _network_accounts(config: ChainConfig) -> bool:
    return (not config.dev) if config.network_accounts is None else config.network_accounts


def build_chain(config: ChainConfig, engine: EngineFactory | None = None) -> Chain:
    """Open (or create) a chain's storage and wire its parts; the solo engine unless `engine`
    builds another. Raises StorageError for a data dir that belongs to another chain, and
    ValueError for state dumps or loads asked of a chain without dev powers."""
    if not config.dev and (config.load_state is not None or config.dump_state is not None):
        raise ValueError("state dumps and loads are devnet powers; this chain has dev=False")
    accounts = derive_accounts(config.mnemonic, config.account_count)
    spec = build_spec(config.crypto, governance_admin=default_admin(config, accounts))
    db = open_database(config.data_dir)
    try:
        backend = Backend(db, chain_params(config, accounts), spec)
    except Exception:
        db.close()
        raise
    events = ChainEvents()
    pool = TxPool(lambda address: int(backend.head_state().get_nonce(Address(address))))
    clock = BlockClock()
    blocks = BlockPipeline(backend, pool, events, clock, config.coinbase)
    reads = ChainReads(config, backend, pool, blocks.next_fields, call_console=events.call_console)
    filters = FilterManager(config.max_filters, config.filter_timeout_s)
    events.rewound.subscribe(lambda r: filters.on_rewind(
        r.number if r.number >= 0 else int(backend.head.block_number), replaced=r.number < 0), inline=True)
    events.new_pending.subscribe(lambda p: filters.on_pending(p.hash), inline=True)
    flow = _follow_flow(events, config.flow_records)
    solo = SoloEngine(blocks, pool, events, config.mining, config.block_time, config.allow_empty_blocks)
    policy = DevPolicy(stored=config.data_dir is not None, allow_reset=config.allow_reset,
                       coinbase=config.coinbase)
    dev = DevControls(backend, pool, blocks, clock, events, solo, filters, policy) if config.dev else None
    chain = Chain(config, spec, accounts, backend, pool, events, clock, reads, blocks, filters,
                  solo, Transactions(spec, reads, pool, solo, accounts, dev,
                                     unlocked=config.unlocked_accounts, flow=flow), dev, flow)
    if engine is not None:
        chain.engine = engine(chain)
        chain.transactions.engine = chain.engine
    return chain


def _follow_flow(events: ChainEvents, capacity: int) -> FlowRecorder:
    """A flow recorder stamped by the chain's own topics, inline: admission as the pool takes a
    transaction, and each committed block, whose flow is then announced on `block_flows` (a
    request in the same batch may ask wabei_getTransactionFlow)."""
    flow = FlowRecorder(capacity)
    events.new_pending.subscribe(lambda p: flow.admitted(p.hash, time.time()), inline=True)
    events.new_blocks.subscribe(lambda m: events.block_flows.publish(flow.block_committed(m)), inline=True)
    return flow
