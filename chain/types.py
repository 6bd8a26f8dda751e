"""Plain values that cross the line between the RPC layer and the node: bytes and ints only."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class GenesisAccount:
    """One account of a genesis allocation (geth's `alloc` entry): wei, nonce, code, storage."""

    balance: int = 0
    nonce: int = 0
    code: bytes = b""
    storage: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Authorization:
    """One signed EIP-7702 authorization: `authority` (recovered from the signature) delegates
    its code to `address`, if its nonce is `nonce` and `chain_id` is 0 or the chain's."""

    chain_id: int
    address: bytes
    nonce: int
    y_parity: int
    r: int
    s: int


@dataclass(frozen=True)
class CallRequest:
    """An eth_call / eth_estimateGas / eth_sendTransaction request, decoded."""

    sender: bytes | None = None
    to: bytes | None = None
    gas: int | None = None
    gas_price: int | None = None
    max_fee_per_gas: int | None = None
    max_priority_fee_per_gas: int | None = None
    value: int = 0
    data: bytes = b""
    nonce: int | None = None
    access_list: tuple[tuple[bytes, tuple[int, ...]], ...] = ()
    chain_id: int | None = None
    tx_type: int | None = None
    authorization_list: tuple[Authorization, ...] = ()

    @property
    def has_fee_fields(self) -> bool:
        return any(
            v is not None
            for v in (self.gas_price, self.max_fee_per_gas, self.max_priority_fee_per_gas)
        )


@dataclass(frozen=True)
class AccountOverride:
    """One entry of eth_call's state-override set."""

    balance: int | None = None
    nonce: int | None = None
    code: bytes | None = None
    state: dict[int, int] | None = None        # replaces all storage
    state_diff: dict[int, int] | None = None   # patches individual slots


@dataclass(frozen=True)
class LogFilter:
    """eth_getLogs / eth_newFilter criteria; topics[i] is None (any) or a set of alternatives."""

    from_block: int
    to_block: int | None      # None = follow the head (filters)
    addresses: frozenset[bytes] = frozenset()
    topics: tuple[frozenset[bytes] | None, ...] = ()
    block_hash: bytes | None = None


@dataclass(frozen=True)
class LogEntry:
    address: bytes
    topics: tuple[bytes, ...]
    data: bytes
    block_number: int
    block_hash: bytes
    tx_hash: bytes
    tx_index: int
    log_index: int
    removed: bool = False


@dataclass
class CallResult:
    output: bytes
    gas_used: int
    success: bool
    revert_data: bytes | None = None
    error: str | None = None
    logs: list[LogEntry] = field(default_factory=list)


@dataclass(frozen=True)
class TraceOptions:
    """debug_trace*'s options, decoded (geth's TraceConfig and logger.Config).

    `tracer` None is the struct logger. `limit` 0 means no limit on struct logs. `timeout` is in
    seconds; None means geth's default (5 s).
    """

    tracer: str | None = None
    tracer_config: dict[str, Any] = field(default_factory=dict)
    disable_stack: bool = False
    disable_storage: bool = False
    enable_memory: bool = False
    enable_return_data: bool = False
    limit: int = 0
    timeout: float | None = None


@dataclass(frozen=True)
class Withdrawal:
    """An EIP-4895 withdrawal: `amount` is in gwei, as on the wire and in the block."""

    index: int
    validator_index: int
    address: bytes
    amount: int


@dataclass(frozen=True)
class SimBlockOverrides:
    """eth_simulateV1's blockOverrides, decoded; None means the default geth gives the field."""

    number: int | None = None
    time: int | None = None
    gas_limit: int | None = None
    fee_recipient: bytes | None = None
    prev_randao: bytes | None = None
    base_fee: int | None = None
    beacon_root: bytes | None = None
    withdrawals: tuple[Withdrawal, ...] | None = None


@dataclass(frozen=True)
class SimBlock:
    """One entry of blockStateCalls: overrides applied before its calls run, then the calls.
    `moves` maps a precompile's address to where movePrecompileToAddress puts it."""

    overrides: SimBlockOverrides = SimBlockOverrides()
    state: dict[bytes, AccountOverride] = field(default_factory=dict)
    moves: dict[bytes, bytes] = field(default_factory=dict)
    calls: tuple[CallRequest, ...] = ()


@dataclass(frozen=True)
class SimulateRequest:
    """eth_simulateV1's first parameter, decoded."""

    blocks: tuple[SimBlock, ...]
    trace_transfers: bool = False
    validation: bool = False
    full_transactions: bool = False


@dataclass
class SimCallResult:
    """One call's outcome in eth_simulateV1: `error` is (code, message, revert data or None),
    set when `success` is False."""

    return_data: bytes
    logs: list[LogEntry]
    gas_used: int
    max_used_gas: int
    success: bool
    error: tuple[int, str, bytes | None] | None = None


@dataclass(frozen=True)
class SyncProgress:
    """eth_syncing's object (execution-apis' SyncingStatus): block numbers of a node that is
    still catching up with its network."""

    starting_block: int   # the head when this node started importing
    current_block: int    # the head it serves now
    highest_block: int    # the highest head it knows a peer to have


@dataclass(frozen=True)
class NetworkStatus:
    """What a node knows of its network, for eth_mining, eth_syncing and net_peerCount."""

    peer_count: int
    producing: bool                   # eth_mining: this node takes part in making blocks
    sync: SyncProgress | None = None  # None: not catching up


@dataclass(frozen=True)
class PeerNode:
    """One row of a network node's node table (wabei_networkNodes): itself, a connected peer,
    or a validator it is not connected to."""

    node_id: str                  # CometBFT node id (40 hex digits); "" for a validator with no known node
    name: str                     # moniker, or the certificate's CN when not connected
    organisation: str | None      # O= of the node's certificate on the trust list; None: no certificate
    address: str | None           # remote ip (a peer), listen address (this node), None (not connected)
    validator_address: str | None  # upper-case hex, for a validator
    power: int                    # voting power; 0 for an observer
    is_self: bool
    connected: bool               # this node itself, or a peer in /net_info
    height: int | None            # committed height: this node's own, a peer's from its round state


@dataclass(frozen=True)
class NetworkNodes:
    """What a network node knows of its network's nodes, for the explorer's node table."""

    height: int
    latest_block_time: str        # RFC 3339, as CometBFT reports it
    catching_up: bool
    total_power: int
    nodes: tuple[PeerNode, ...]
