"""One network node's configuration: `DIR/<NAME>/wabei.toml` (or `wabei.json`), as written by
`wabei network init` and read by `wabei node --network DIR --node NAME`.

    chain_id = 31337                    # the Ethereum chain id (eth_chainId)
    data_dir = "data"                   # Wabei's storage; relative paths are from this file's folder
    genesis = "cometbft/config/genesis.json"  # optional: CometBFT's genesis (this default)
    genesis_timestamp = 1764500000      # optional: default, CometBFT's genesis_time (seconds)
    gas_limit = 30000000                # optional, per block (the genesis' app_state wins)
    mnemonic = "test test ... junk"     # optional: the accounts the node signs for (default: the devnet's ten)
    accounts = 10                       # optional
    balance_ether = 10000               # optional, per account (only without app_state.alloc)
    unlocked_accounts = true            # optional: eth_sendTransaction signs for those accounts
    [rpc]
    host = "127.0.0.1"                  # JSON-RPC (HTTP and WebSocket)
    port = 8545
    metrics = true                      # optional: Prometheus /metrics (docs/metrics.md)
    metrics_addr = "127.0.0.1:9100"     # optional: /metrics there instead of on the JSON-RPC port
    flow_log = false                    # optional: one JSON line per committed block (wabei.flow)
    [abci]
    listen = "tcp://127.0.0.1:26658"    # CometBFT's proxy_app must name this address
    [cometbft]
    home = "cometbft"                   # the node's CometBFT home (config/, data/)
    rpc = "http://127.0.0.1:26657"      # its RPC laddr, where transactions are submitted
    start = true                        # run `cometbft start --home HOME` as a supervised child
    binary = "cometbft"                 # optional: default, .tools/bin/cometbft, then $PATH

`test_fault = true` (top level) is for tests only: the node builds every block with other extra
data, as a node with a diverging execution would (tests/comet/test_comet_network.py).

The funded accounts, gas limit and base fee come from the genesis' `app_state` (written by
`wabei network init`; network/genesis_doc.py), so every node builds the same genesis block. A
genesis without `app_state.alloc` (`cometbft testnet`'s) funds `accounts` of `mnemonic` with
`balance_ether` each; then every node must agree on those, or its genesis block differs and
CometBFT refuses its first block (the app hash).
"""
from __future__ import annotations

import json
import shutil
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from chain.config import DEFAULT_MNEMONIC, ETHER, ChainConfig, MiningMode, ServerConfig
from chain.metrics.routes import parse_metrics_addr
from network.abci.proto import ROOT
from network.genesis_doc import EthereumGenesis, GenesisError, ethereum_genesis, read_genesis
from network.trust_genesis import genesis_storage
from vm_hooks.committee.genesis import committee_words
from vm_hooks.governance.genesis import parse_governance


class NetworkConfigError(ValueError):
    """The node's config file is missing or says something unusable; the message says what."""


@dataclass(frozen=True)
class NetworkNodeConfig:
    name: str
    folder: Path                # where wabei.toml is; the CometBFT child's log goes here too
    chain: ChainConfig          # dev=False: a network chain has no dev powers
    server: ServerConfig
    abci: str                   # where the ABCI server listens (tcp://HOST:PORT or unix:///PATH)
    comet_home: Path
    comet_rpc: str              # http://HOST:PORT of the node's CometBFT RPC
    start_comet: bool = True
    comet_binary: str = "cometbft"
    test_fault: bool = False    # tests only: build blocks that differ from the others' (app.py)


def load(network_dir: Path, name: str) -> NetworkNodeConfig:
    """Read `network_dir/name/wabei.toml` (or `.json`)."""
    folder = network_dir / name
    for candidate, parse in ((folder / "wabei.toml", _toml), (folder / "wabei.json", _json)):
        if candidate.exists():
            return with_governance_genesis(with_trust_genesis(from_mapping(parse(candidate), folder, name)))
    raise NetworkConfigError(f"no wabei.toml or wabei.json in {folder}: is {name!r} a node of "
                             f"the network in {network_dir}?")


def _toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise NetworkConfigError(f"{path}: {exc}") from exc


def _json(path: Path) -> dict[str, Any]:
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except ValueError as exc:
        raise NetworkConfigError(f"{path}: {exc}") from exc


def from_mapping(raw: dict[str, Any], folder: Path, name: str) -> NetworkNodeConfig:
    """The config from the file's contents; relative paths are taken from `folder`."""
    try:
        rpc, abci, comet = raw.get("rpc", {}), raw["abci"], raw["cometbft"]
        home = folder / comet["home"]
        genesis = _genesis(folder / str(raw.get("genesis", Path(comet["home"]) / "config" / "genesis.json")))
        chain_id = int(raw["chain_id"])
        if genesis.chain_id is not None and genesis.chain_id != chain_id:
            raise ValueError(f"chain_id {chain_id} is not the genesis' app_state.chain_id {genesis.chain_id}")
        timestamp = raw.get("genesis_timestamp")
        chain = ChainConfig(
            chain_id=chain_id,
            mnemonic=str(raw.get("mnemonic", DEFAULT_MNEMONIC)),
            account_count=int(raw.get("accounts", 10)),
            account_balance_wei=int(raw.get("balance_ether", 10_000)) * ETHER,
            alloc=genesis.alloc,
            gas_limit=genesis.gas_limit or int(raw.get("gas_limit", 30_000_000)),
            genesis_base_fee_wei=genesis.base_fee_wei or ChainConfig.genesis_base_fee_wei,
            genesis_timestamp=int(timestamp) if timestamp is not None else genesis.timestamp,
            data_dir=folder / str(raw.get("data_dir", "data")),
            mining=MiningMode.MANUAL,  # unused: CometBFT decides when blocks are made
            dev=False,
            unlocked_accounts=bool(raw.get("unlocked_accounts", True)),
        )
        metrics_addr = rpc.get("metrics_addr")
        server = ServerConfig(host=str(rpc.get("host", "127.0.0.1")), port=int(rpc.get("port", 8545)),
                              quiet=True, dev_methods=False, metrics=bool(rpc.get("metrics", True)),
                              metrics_addr=None if metrics_addr is None else parse_metrics_addr(str(metrics_addr)),
                              flow_log=bool(rpc.get("flow_log", False)))
        return NetworkNodeConfig(
            name=name, folder=folder, chain=chain, server=server, abci=str(abci["listen"]), comet_home=home,
            comet_rpc=str(comet.get("rpc", "http://127.0.0.1:26657")),
            start_comet=bool(comet.get("start", True)),
            comet_binary=str(comet.get("binary") or default_binary()),
            test_fault=bool(raw.get("test_fault", False)))
    except KeyError as exc:
        raise NetworkConfigError(f"{folder}: the node config lacks {exc.args[0]!r}") from None
    except (TypeError, ValueError) as exc:
        raise NetworkConfigError(f"{folder}: {exc}") from None


def _genesis(path: Path) -> EthereumGenesis:
    """The Ethereum genesis from CometBFT's genesis.json (network/genesis_doc.py)."""
    try:
        return ethereum_genesis(read_genesis(path), str(path))
    except GenesisError as exc:
        raise NetworkConfigError(str(exc)) from None


def with_trust_genesis(config: NetworkNodeConfig) -> NetworkNodeConfig:
    """`config` with the trust list that CometBFT's genesis.json (`app_state.trust`) seeds at
    genesis (network/trust_genesis.py); unchanged for a genesis without one."""
    path = config.comet_home / "config" / "genesis.json"
    try:
        app_state = json.loads(path.read_text(encoding="utf-8")).get("app_state") or {}
        words = genesis_storage(app_state)
    except (OSError, ValueError) as exc:  # TrustGenesisError is a ValueError
        raise NetworkConfigError(f"{path}: {exc}") from None
    return replace(config, chain=replace(config.chain, genesis_storage=words)) if words else config


def with_governance_genesis(config: NetworkNodeConfig) -> NetworkNodeConfig:
    """`config` with the governed chain's starting rules and committee from CometBFT's
    genesis.json (`app_state.governance`, a `--governance` file's content): the rules as
    vm_hooks/governance/genesis.py reads them, the `"committee"` section's words as
    vm_hooks/committee/genesis.py writes them (the same reader `wabei node --governance` uses),
    added to the trust list's genesis words. Unchanged for a genesis without one: the chain then
    has no committee and no governor for these rules."""
    path = config.comet_home / "config" / "genesis.json"
    try:
        app_state = json.loads(path.read_text(encoding="utf-8")).get("app_state") or {}
        if "governance" not in app_state:
            return config
        rules = parse_governance(app_state["governance"])
        committee = committee_words(app_state["governance"])
    except (OSError, ValueError) as exc:  # GovernanceFileError and CommitteeFileError are ValueErrors
        raise NetworkConfigError(f"{path}: app_state.governance: {exc}") from None
    words = config.chain.genesis_storage + committee
    return replace(config, chain=replace(config.chain, governance=rules, genesis_storage=words))


def default_binary() -> str:
    """The pinned build (scripts/setup-comet puts it in .tools/bin), else `cometbft` on PATH."""
    pinned = ROOT / ".tools" / "bin" / "cometbft"
    return str(pinned) if pinned.exists() else (shutil.which("cometbft") or "cometbft")
