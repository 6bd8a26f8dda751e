"""Node configuration: one frozen value built in one place (the CLI or a test preset)."""
from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from pathlib import Path

DEFAULT_MNEMONIC = "test test test test test test test test test test test junk"
ETHER = 10**18


class MiningMode(enum.Enum):
    """How blocks are produced; mirrors Anvil's and Hardhat's modes."""

    AUTO = "auto"          # one block per accepted transaction
    INTERVAL = "interval"  # every `block_time` seconds, all ready transactions in one block
    MANUAL = "manual"      # only on evm_mine / anvil_mine


@dataclass(frozen=True)
class NodeConfig:
    """Everything a node needs to start. Units are in the field names' comments."""

    chain_id: int = 31337
    mnemonic: str = DEFAULT_MNEMONIC
    account_count: int = 10
    account_balance_wei: int = 10_000 * ETHER
    gas_limit: int = 30_000_000                  # per block, in gas
    genesis_base_fee_wei: int = 1_000_000_000    # 1 gwei, as Anvil and Hardhat
    genesis_timestamp: int | None = None         # seconds; None = wall clock at first start
    coinbase: bytes = b"\x00" * 20
    host: str = "127.0.0.1"
    port: int = 8545                             # 0 = pick a free port
    mining: MiningMode = MiningMode.AUTO
    block_time: float = 0.0                      # seconds, interval mode only
    allow_empty_blocks: bool = False             # interval mode: mine even with nothing to include
    data_dir: Path | None = None                 # None = in memory
    quiet: bool = False
    dump_state: Path | None = None               # written on shutdown (SIGINT/SIGTERM)
    load_state: Path | None = None               # loaded at start
    max_request_bytes: int = 5 * 1024 * 1024
    max_batch_length: int = 1000
    max_filters: int = 10_000                    # installed filters and subscriptions, per node
    filter_timeout_s: float = 300.0              # unpolled filters expire, like geth's 5 minutes
    call_gas_cap: int = 0                        # 0 = the block gas limit
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def test(cls, **overrides: object) -> "NodeConfig":
        """A preset for tests: free port, silent, in memory."""
        return replace(cls(port=0, quiet=True), **overrides)  # type: ignore[arg-type]

    @property
    def effective_call_gas_cap(self) -> int:
        return self.call_gas_cap or self.gas_limit
