"""Revoking a node by transaction, on a real network (`wabei network init` + `up --detach`, real
CometBFT processes): `wabei network revoke DIR NODE` publishes the re-signed CRL to the trust-list
precompile, every node's admission follows the committed state, and when the revoked node
reconnects (it is restarted) every other node refuses it at the P2P layer, while they stay
connected to each other and go on committing blocks it no longer receives.

Two organisations, one validator and one observer each; the victim is an observer, so the two
validators keep consensus whatever happens to it."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web3 import Web3
from web3.types import Wei

from network.comet_files import cometbft_binary
from network.layout import load_manifest
from tests.conftest import ROOT
from tests.integration.test_network_supervisor import _alive, _port_block

pytestmark = pytest.mark.xdist_group("comet-network")
cometbft_binary()  # fails here, loudly, when ./scripts/setup-reference has not run
VICTIM = "port-node2"


def _wabei(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", "network", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture
def network(tmp_path: Path) -> Iterator[Path]:
    p2p, rpc = _port_block(4)
    out = tmp_path / "net"
    init = _wabei("init", "--out", str(out), "--org-names", "bank,port", "--nodes-per-org", "1",
                  "--observers-per-org", "1", "--p2p-port", str(p2p), "--rpc-port", str(rpc))
    assert init.returncode == 0, init.stderr
    yield out
    _wabei("down", str(out))


def _peers(out: Path) -> dict[str, set[str]]:
    rows = json.loads(_wabei("status", str(out), "--json", timeout=60).stdout)["nodes"]
    return {r["node"]: set(r.get("peers") or []) for r in rows if r["up"]}


def _wait_for(what: str, check: Any, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            assert value, f"{what} within {timeout:g} s"
            return value
        time.sleep(0.5)


def _stop(pid: int) -> None:
    os.kill(pid, signal.SIGTERM)  # the victim's `wabei node`, which up started: it stops its CometBFT first
    _wait_for(f"pid {pid} exits", lambda: not _alive(pid), 20)


def test_a_node_revoked_by_transaction_is_refused_when_it_reconnects(network: Path) -> None:
    up = _wabei("up", str(network), "--detach")
    assert up.returncode == 0, up.stderr
    nodes = {n["name"]: n for n in load_manifest(network)["nodes"]}
    everyone = set(nodes)
    _wait_for("every node peers with every other",
              lambda: all(_peers(network).get(n) == everyone - {n} for n in everyone))

    revoke = _wabei("revoke", str(network), VICTIM, timeout=90)
    assert revoke.returncode == 0, revoke.stderr
    assert "published port's CRL on chain" in revoke.stdout
    # the CRL is a committed transaction: every node, the victim included, applies it at that height
    w3s = {name: Web3(Web3.HTTPProvider(n["rpc_url"])) for name, n in nodes.items()}
    height = w3s["bank-node1"].eth.block_number
    _wait_for("every node has the revocation's block", lambda: all(w.eth.block_number >= height for w in w3s.values()))

    victim_pid = json.loads((network / "run" / f"{VICTIM}.wabei.pid").read_text())["pid"]
    _stop(victim_pid)
    log = open(network / "run" / f"{VICTIM}.restarted.log", "wb")
    restarted = subprocess.Popen([sys.executable, "-m", "cli", "node", "--network", str(network), "--node", VICTIM],
                                 cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_for("the restarted victim answers", lambda: _answers(w3s[VICTIM]))
        others = everyone - {VICTIM}
        time.sleep(5)  # CometBFT redials persistent peers within a few seconds; give it the chance
        # A refused dial can linger a moment in the victim's own /net_info (the other side
        # closed it); what must hold is that it ends with no peer while the others keep theirs.
        _wait_for("the victim to have no peer and the others each other",
                  lambda: _peers(network)[VICTIM] == set()
                  and all(_peers(network)[n] == others - {n} for n in others))

        sender = list(w3s["bank-node1"].eth.accounts)[1]
        tx = w3s["bank-node1"].eth.send_transaction({"from": sender, "to": sender, "value": Wei(1)})
        mined = w3s["port-node1"].eth.wait_for_transaction_receipt(tx, timeout=30)["blockNumber"]
        time.sleep(2)
        assert w3s[VICTIM].eth.block_number < mined  # cut off: it no longer receives blocks
        # refused by the ABCI peer filter (CometBFT logs "filtered ID<id>: ... is not admitted")
        comet_log = (network / "bank-node1" / "cometbft.log").read_text(errors="replace")
        assert f"filtered ID<{nodes[VICTIM]['node_id']}>" in comet_log
        assert "trust list revision 2 from chain" in (network / "run" / "bank-node1.wabei.log").read_text()
    finally:
        restarted.terminate()
        try:
            restarted.wait(20)
        except subprocess.TimeoutExpired:
            restarted.kill()
            restarted.wait()
        log.close()


def _answers(w3: Web3) -> bool:
    try:
        return w3.eth.block_number >= 0
    except Exception:
        return False
