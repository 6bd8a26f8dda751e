"""`wabei network init --governance FILE`: the rules and the committee go into genesis.json's
app_state, every node of the network seeds the same governed genesis from it, and a bad file is
refused before anything is written."""
from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from chain.api.chain import build_chain
from network.config import load
from network.trust_genesis import genesis_storage
from tests.conftest import ROOT
from vm_hooks.addresses import ACCOUNT_MANAGER, COMMITTEE, PERMISSION
from vm_hooks.committee.store import CommitteeStore
from vm_hooks.consensus.store import StateWords
from vm_hooks.governance.store import FROZEN, WHITE_LIST, AccountStore, PermissionStore

ADMIN = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
FROZEN_ACCOUNT = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"


def _init(out: Path, rules: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", "network", "init", "--out", str(out), "--orgs", "1",
                           "--nodes-per-org", "2", "--governance", str(rules)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_every_node_seeds_the_same_governed_genesis(tmp_path: Path) -> None:
    rules = tmp_path / "gov.json"
    rules.write_text(json.dumps({"admin": ADMIN, "deployAuthType": "white", "openDeployAuth": [ADMIN],
                                 "frozenAccounts": [FROZEN_ACCOUNT]}))
    out = tmp_path / "n"
    assert _init(out, rules).returncode == 0
    assert json.loads((out / "genesis.json").read_text())["app_state"]["governance"]["admin"] == ADMIN
    chains = [build_chain(replace(load(out, name).chain, data_dir=None)) for name in ("org1-node1", "org1-node2")]
    try:
        assert len({bytes(c.backend.genesis.hash) for c in chains}) == 1
        state = chains[0].backend.head_state()
        perms = PermissionStore(StateWords(state, PERMISSION))
        assert perms.admin() == bytes.fromhex(ADMIN[2:]) and perms.deploy_type() == WHITE_LIST
        assert AccountStore(StateWords(state, ACCOUNT_MANAGER)).status(bytes.fromhex(FROZEN_ACCOUNT[2:])) == FROZEN
    finally:
        for c in chains:
            c.close()


def test_a_bad_governance_file_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    rules = tmp_path / "gov.json"
    rules.write_text(json.dumps({"deployAuthType": "grey"}))
    result = _init(tmp_path / "n", rules)
    assert result.returncode == 2 and "--governance: deployAuthType must be one of" in result.stderr
    assert not (tmp_path / "n").exists()


def test_every_node_seeds_the_committee_of_the_file(tmp_path: Path) -> None:
    member = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
    rules = tmp_path / "gov.json"
    rules.write_text(json.dumps({"committee": {"members": {ADMIN: 2, member: 1}, "participatesRate": 51,
                                               "winRate": 60}}))
    out = tmp_path / "n"
    assert _init(out, rules).returncode == 0
    chains = [build_chain(replace(load(out, name).chain, data_dir=None)) for name in ("org1-node1", "org1-node2")]
    trust_words = genesis_storage(json.loads((out / "genesis.json").read_text())["app_state"])
    try:
        assert len({bytes(c.backend.genesis.hash) for c in chains}) == 1
        for chain in chains:
            store = CommitteeStore(StateWords(chain.backend.head_state(), COMMITTEE))
            assert store.initialised() and store.rates() == (51, 60)
            assert store.members() == {bytes.fromhex(ADMIN[2:]): 2, bytes.fromhex(member[2:]): 1}
            # the trust list's genesis words are still there beside the committee's
            address, slot, value = trust_words[0]
            assert chain.backend.head_state().get_storage(address, slot) == value
    finally:
        for c in chains:
            c.close()


def test_a_bad_committee_section_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    rules = tmp_path / "gov.json"
    rules.write_text(json.dumps({"committee": {"members": {ADMIN: 0}}}))
    result = _init(tmp_path / "n", rules)
    assert result.returncode == 2 and "--governance:" in result.stderr and "a weight is from 1" in result.stderr
    assert not (tmp_path / "n").exists()
