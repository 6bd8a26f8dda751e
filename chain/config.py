"""Configuration: frozen values built in one place (the CLI or a test preset).

A node is a server (`ServerConfig`: where it listens, request limits, console) hosting one or more
chains, or groups (`ChainConfig`: genesis, mining, storage, dev powers, crypto). The first chain is
served at `/`; every chain is also served at `/chains/<chain id>`.
"""
from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from chain.types import GenesisAccount
from vm_hooks.governance.genesis import GovernanceGenesis

DEFAULT_MNEMONIC = "test test test test test test test test test test test junk"
ETHER = 10**18
# The struct logger's answer is built whole in memory (and then again as JSON), so one
# debug_trace* with enableMemory over a long loop could take the node's memory. geth and Hardhat
# have no bound but `limit`; this one is far above a Solidity test transaction (an ERC-20
# transfer with memory is ~0.2 MB) and keeps the node's peak a few hundred MB (docs/tracing.md).
DEFAULT_TRACE_MAX_BYTES = 100_000_000


class MiningMode(enum.Enum):
    """How blocks are produced; mirrors Anvil's and Hardhat's modes."""

    AUTO = "auto"          # one block per accepted transaction
    INTERVAL = "interval"  # every `block_time` seconds, all ready transactions in one block
    MANUAL = "manual"      # only on evm_mine / anvil_mine


@dataclass(frozen=True)
class ChainConfig:
    """One chain (group). Units are in the field names' comments."""

    chain_id: int = 31337
    mnemonic: str = DEFAULT_MNEMONIC
    account_count: int = 10
    account_balance_wei: int = 10_000 * ETHER
    # The genesis allocation (geth's `alloc`: address -> balance, nonce, code, storage). None:
    # the `account_count` accounts of `mnemonic` get `account_balance_wei` each (the devnet).
    # Given: exactly these accounts are funded (a network's genesis app_state); the mnemonic's
    # accounts are then only the ones the node may sign for (`unlocked_accounts`).
    alloc: Mapping[bytes, GenesisAccount] | None = None
    gas_limit: int = 30_000_000                  # per block, in gas
    genesis_base_fee_wei: int = 1_000_000_000    # 1 gwei, as Anvil and Hardhat
    genesis_timestamp: int | None = None         # seconds; None = wall clock at first start
    coinbase: bytes = b"\x00" * 20
    mining: MiningMode = MiningMode.AUTO
    block_time: float = 0.0                      # seconds, interval mode only
    allow_empty_blocks: bool = False             # interval mode: mine even with nothing to include
    data_dir: Path | None = None                 # None = in memory
    allow_reset: bool = False                    # anvil_reset may replace a data_dir chain
    dump_state: Path | None = None               # written on shutdown (SIGINT/SIGTERM)
    load_state: Path | None = None               # loaded at start
    max_filters: int = 10_000                    # installed polling filters, per chain
    # anvil_dumpState's JSON (before gzip), and what anvil_loadState accepts expanded; 0 = no bound.
    # A dump is built compressed, so its peak memory is about a fifth of this, twice (bytes, hex).
    dump_max_bytes: int = 256 * 1024 * 1024
    filter_timeout_s: float = 300.0              # unpolled filters expire, like geth's 5 minutes
    # geth's --rpc.gascap: the most gas eth_call, eth_estimateGas, eth_createAccessList and
    # debug_traceCall run with, whether the request names gas or not; 0 = no cap.
    call_gas_cap: int = 50_000_000
    call_timeout_s: float = 5.0                  # geth's --rpc.evmtimeout, seconds; 0 = none
    call_workers: int = 2                        # threads that run calls and traces off the loop
    call_queue: int = 8                          # calls waiting for a worker before -32005 "busy"
    # A run past call_long_after_s leaves the short lane for the long lane (chain/workers.py):
    # call_long_lanes at a time, call_long_queue waiting; 0 s: every run stays short.
    call_long_after_s: float = 0.05
    # An eth_call is first tried on the loop's thread for this much CPU (chain/workers.py, `run`);
    # most end within it, saving the ~0.2 ms hand-off to a worker and back. 0: never.
    call_inline_cpu_s: float = 0.002
    call_long_lanes: int = 1
    call_long_queue: int = 8
    trace_max_bytes: int = DEFAULT_TRACE_MAX_BYTES  # struct-log JSON per debug_trace* answer; 0 = no bound
    dev: bool = True                             # devnet powers (evm_*, anvil_*, time travel...)
    # The genesis creates the network-only system accounts (0x1003 Consensus, 0x1009 trust list;
    # vm_hooks/computation.py). None: exactly when dev=False, so an existing devnet's genesis is
    # unchanged. A follower must build its leader's genesis: one following a devnet sets False.
    network_accounts: bool | None = None
    unlocked_accounts: bool = True               # the node signs for its dev accounts (eth_sendTransaction...)
    crypto: str = "ethereum"                     # the crypto suite (chain/crypto.py)
    # Storage words seeded at genesis as (address, slot, value): the platform precompiles' initial
    # state, e.g. a network's trust list (vm_hooks/trust/genesis.py). Part of the genesis state root.
    genesis_storage: tuple[tuple[bytes, int, int], ...] = ()
    # Transactions whose flow (received → committed) is kept for wabei_getTransactionFlow, the
    # most recent ones; about 240 bytes each (chain/api/flow.py). 0 keeps none.
    flow_records: int = 10_000
    # A governed chain's starting rules (`--governance FILE`, vm_hooks/governance/genesis.py),
    # seeded into the genesis state. None: an open chain, whose genesis is unchanged; a devnet's
    # first account is then its admin (vm_hooks/governance/authority.py).
    governance: GovernanceGenesis | None = None

    @property
    def effective_call_gas_cap(self) -> int:
        """Gas a call runs with when it names none: the block gas limit (as Anvil), never above
        `call_gas_cap`."""
        return min(self.gas_limit, self.call_gas_cap) if self.call_gas_cap else self.gas_limit

    @property
    def path(self) -> str:
        """Where this chain is served besides `/` (for the first chain)."""
        return f"/chains/{self.chain_id}"


@dataclass(frozen=True)
class ServerConfig:
    """Where the node listens and what one request may cost."""

    host: str = "127.0.0.1"
    port: int = 8545                             # 0 = pick a free port
    quiet: bool = False
    max_request_bytes: int = 5 * 1024 * 1024
    max_batch_length: int = 1000
    # Bytes waiting to be sent on one WebSocket (responses and notifications); past it the
    # client is not reading, and the socket is closed (1008) rather than buffered for (0 = none).
    ws_outbox_bytes: int = 16 * 1024 * 1024
    ws_outbox_total_bytes: int = 64 * 1024 * 1024  # all WebSockets together; past it the fullest is closed
    ws_write_timeout_s: float = 10.0             # a WebSocket write waiting this long closes it (geth's); 0 = none
    cors_origins: tuple[str, ...] = ()           # browser origins allowed to call; () = none, "*" = any
    dev_methods: bool = True                     # serve evm_*/anvil_*/hardhat_* on devnet chains
    metrics: bool = True                         # Prometheus /metrics (docs/metrics.md)
    # None: /metrics on the JSON-RPC port; (host, port): on a listener of its own instead (port 0
    # picks one), so the metrics can stay on loopback while JSON-RPC faces a network.
    metrics_addr: tuple[str, int] | None = None
    flow_log: bool = False                       # one JSON line per committed block on `wabei.flow`
    explorer: bool = True                        # serve the block explorer page at /explorer/


@dataclass(frozen=True)
class NodeConfig:
    """A server and the chains it hosts; the first chain is the default one, served at `/`."""

    server: ServerConfig = field(default_factory=ServerConfig)
    chains: tuple[ChainConfig, ...] = (ChainConfig(),)

    def __post_init__(self) -> None:
        if not self.chains:
            raise ValueError("a node hosts at least one chain")
        ids = [c.chain_id for c in self.chains]
        if len(set(ids)) != len(ids):
            raise ValueError(f"chain ids must differ between the chains of one node: {ids}")

    @property
    def chain(self) -> ChainConfig:
        """The default chain (served at `/`)."""
        return self.chains[0]

    @classmethod
    def test(cls, *more_chains: ChainConfig, **overrides: object) -> "NodeConfig":
        """A preset for tests: free port, silent, in memory. `overrides` name fields of either
        ServerConfig or ChainConfig (applied to the default chain)."""
        server_names = {f.name for f in fields(ServerConfig)}
        server = {k: v for k, v in overrides.items() if k in server_names}
        chain = {k: v for k, v in overrides.items() if k not in server_names}
        return cls(
            server=replace(ServerConfig(port=0, quiet=True), **server),  # type: ignore[arg-type]
            chains=(replace(ChainConfig(), **chain), *more_chains),  # type: ignore[arg-type]
        )
