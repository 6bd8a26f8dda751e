"""Reading a node's Ethereum genesis from CometBFT's genesis.json (network/genesis_doc.py): the
answers for a `wabei network init` genesis, a bare `cometbft testnet` one, and bad documents."""
from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import pytest

from network.config import NetworkConfigError, from_mapping
from network.genesis_doc import GenesisError, ethereum_genesis
from vm_hooks.addresses import CONSENSUS
from vm_hooks.consensus.store import ConsensusStore, DictWords

KEY = bytes(range(32))
ADMIN = "0x00000000000000000000000000000000000000aa"


def doc(**app_state: Any) -> dict[str, Any]:
    return {"genesis_time": "2026-01-02T03:04:05.123456789Z",
            "validators": [{"pub_key": {"type": "tendermint/PubKeyEd25519", "value": base64.b64encode(KEY).decode()},
                            "power": "10"}],
            "app_state": app_state}


def test_an_init_genesis_funds_its_alloc_and_records_admin_and_validators() -> None:
    genesis = ethereum_genesis(doc(chain_id=7, gas_limit=9_000_000, base_fee_wei=5, admin=ADMIN,
                                   alloc={ADMIN: {"balance": "0x10"}}), "g")
    assert (genesis.timestamp, genesis.chain_id, genesis.gas_limit, genesis.base_fee_wei) == (1767323045, 7, 9_000_000, 5)
    assert genesis.alloc is not None and genesis.alloc[bytes.fromhex(ADMIN[2:])].balance == 16
    words = DictWords()
    words.slots = dict(genesis.alloc[CONSENSUS].storage)
    store = ConsensusStore(words)
    assert store.sealers() == {KEY: 10} and store.admin() == bytes.fromhex(ADMIN[2:])


@pytest.mark.parametrize(("observers", "message"), [
    ([None], "is not a validator's ed25519 public key in hex"),
    (["ab" * 31], "(64 hex digits)"),
    ("ab" * 32, "app_state.observers is not a list"),
    ([KEY.hex()], "listed both as a genesis validator and as an observer"),
])
def test_genesis_observers_are_recorded_with_weight_0_or_refused(observers: Any, message: str) -> None:
    other = bytes(range(1, 33))
    alloc = {ADMIN: {"balance": "0x1"}}
    genesis = ethereum_genesis(doc(admin=ADMIN, alloc=alloc, observers=["0x" + other.hex().upper()]), "g")
    assert genesis.alloc is not None
    words = DictWords()
    words.slots = dict(genesis.alloc[CONSENSUS].storage)
    assert ConsensusStore(words).nodes() == [(KEY, 10), (other, 0)]
    with pytest.raises(GenesisError, match=re.escape(message)):
        ethereum_genesis(doc(admin=ADMIN, alloc=alloc, observers=observers), "g")


def test_a_cometbft_testnet_genesis_leaves_the_funding_to_the_node_config() -> None:
    bare = {"genesis_time": "2026-01-02T03:04:05Z", "validators": [], "app_state": ""}
    assert ethereum_genesis(bare, "g").alloc is None


@pytest.mark.parametrize(("body", "message"), [
    (doc(admin="nobody", alloc={ADMIN: {"balance": 1}}), "admin 'nobody' is not an address"),
    (doc(alloc={"0x12": {"balance": 1}}), "app_state.alloc: '0x12' is not an address"),
    ({**doc(alloc={ADMIN: {"balance": 1}}), "genesis_time": "yesterday"}, "cannot read genesis_time"),
    ({**doc(alloc={ADMIN: {"balance": 1}}), "validators": [{"pub_key": {"value": "AA=="}, "power": "1"}]},
     "32-byte ed25519 key"),
])
def test_bad_genesis_documents_are_refused_with_a_reason(body: dict[str, Any], message: str) -> None:
    with pytest.raises(GenesisError, match=message):
        ethereum_genesis(body, "g")


def test_a_node_config_whose_chain_id_is_not_the_genesis_is_refused(tmp_path: Path) -> None:
    (tmp_path / "genesis.json").write_text(json.dumps(doc(chain_id=7, alloc={ADMIN: {"balance": 1}})))
    raw = {"chain_id": 8, "genesis": "genesis.json", "abci": {"listen": "tcp://127.0.0.1:1"},
           "cometbft": {"home": "cometbft"}}
    with pytest.raises(NetworkConfigError, match="chain_id 8 is not the genesis' app_state.chain_id 7"):
        from_mapping(raw, tmp_path, "n")
    raw["chain_id"] = 7
    assert from_mapping(raw, tmp_path, "n").chain.alloc is not None
