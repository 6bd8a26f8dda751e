"""`wabei network up|status|down` with real CometBFT processes: four validators of CometBFT's
built-in kvstore app (`init --app kvstore`), so the supervisor, the generated configs, peering
with `filter_peers = true`, and the status table are proven without the Wabei ABCI app (tests of
Wabei nodes on a network live with the node command, docs/network.md)."""
from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest

from network.comet_files import cometbft_binary
from tests.comet.joiner import mesh_report
from tests.conftest import ROOT

cometbft_binary()  # fails here, loudly, when ./scripts/setup-reference has not run


def _wabei(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", "network", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _port_block(nodes: int) -> tuple[int, int]:
    """A CometBFT base port and a JSON-RPC base port whose whole ranges are free now."""
    for _ in range(200):
        p2p, rpc = random.randrange(20000, 40000, 10), random.randrange(41000, 60000)
        ports = [p2p + 10 * i + k for i in range(nodes) for k in range(3)] + [rpc + i for i in range(nodes)]
        if all(_free(p) for p in ports):
            return p2p, rpc
    raise AssertionError("no free block of ports")


@pytest.fixture
def network(tmp_path: Path) -> Iterator[Path]:
    p2p, rpc = _port_block(4)
    out = tmp_path / "net"
    init = _wabei("init", "--out", str(out), "--orgs", "2", "--nodes-per-org", "2", "--app", "kvstore",
                  "--p2p-port", str(p2p), "--rpc-port", str(rpc))
    assert init.returncode == 0, init.stderr
    yield out
    _wabei("down", str(out))


def _status(out: Path) -> tuple[int, list[dict[str, Any]]]:
    result = _wabei("status", str(out), "--json", timeout=60)
    return result.returncode, json.loads(result.stdout)["nodes"]


def _broadcast(comet_rpc_url: str, tx: str) -> dict[str, Any]:
    with urllib.request.urlopen(f'{comet_rpc_url}/broadcast_tx_commit?tx="{tx}"', timeout=30) as response:
        return json.loads(response.read())["result"]  # type: ignore[no-any-return]


def _pids(out: Path) -> list[int]:
    return [json.loads(p.read_text())["pid"] for p in (out / "run").glob("*.pid")]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] == "Z")


def test_four_validators_come_up_commit_and_go_down(network: Path) -> None:
    up = _wabei("up", str(network), "--detach")
    assert up.returncode == 0, up.stderr
    assert "org1-node1" in up.stdout and "validator" in up.stdout
    pids = _pids(network)
    assert len(pids) == 4 and all(_alive(p) for p in pids)
    again = _wabei("up", str(network), "--detach")
    assert again.returncode == 1 and "already running" in again.stderr

    manifest = json.loads((network / "network.json").read_text())
    for i in range(3):  # no empty blocks: transactions make the heights
        node = manifest["nodes"][i % 4]
        assert _broadcast(node["comet_rpc_url"], f"k{i}=v{i}")["tx_result"]["code"] == 0
    names = {n["name"] for n in manifest["nodes"]}

    def meshed(rows: list[dict[str, Any]]) -> bool:
        # Three validators of four commit, so heights can pass 2 before the last link is up: a
        # node whose first dial met a peer not yet listening redials 5–8 s later (CometBFT p2p/switch.go).
        return all(set(r["peers"]) == names - {r["node"]} for r in rows)

    deadline = time.monotonic() + 30
    while True:
        code, rows = _status(network)
        if code == 0 and min(r["height"] for r in rows) > 2 and meshed(rows) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert code == 0, rows
    assert meshed(rows), mesh_report(manifest["nodes"], network)
    for row in rows:
        assert row["up"] and row["height"] > 2 and not row["catching_up"]
        assert set(row["peers"]) == names - {row["node"]}
        assert (row["voting_power"], row["total_power"]) == (10, 40)
        assert row["proposer"] in names
    table = _wabei("status", str(network))
    assert table.returncode == 0 and "proposer" in table.stdout.splitlines()[0]

    down = _wabei("down", str(network))
    assert down.returncode == 0 and "stopped 4 processes" in down.stdout
    assert not any(_alive(p) for p in pids) and not list((network / "run").glob("*.pid"))
    code, rows = _status(network)
    assert code == 1 and not any(r["up"] for r in rows)


def test_the_foreground_supervisor_reports_an_exit_and_stops_the_rest_on_sigterm(network: Path) -> None:
    up = subprocess.Popen([sys.executable, "-m", "cli", "network", "up", str(network)], cwd=ROOT,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while len(_pids(network)) < 4 or _status(network)[0] != 0:
            assert up.poll() is None and time.monotonic() < deadline, "the network did not come up"
            time.sleep(0.5)
        victim = json.loads((network / "run" / "org2-node1.cometbft.pid").read_text())["pid"]
        others = [p for p in _pids(network) if p != victim]
        os.kill(victim, signal.SIGKILL)
        time.sleep(2)  # the supervisor polls every 0.5 s
        up.send_signal(signal.SIGTERM)
        output, _ = up.communicate(timeout=60)
    finally:
        if up.poll() is None:
            up.kill()
    assert up.returncode == 0, output
    assert "org2-node1: cometbft exited with code -9" in output
    assert "stopped 3 processes" in output
    assert not any(_alive(p) for p in others)


def test_a_node_that_cannot_start_fails_up_fast_and_nothing_is_left_running(network: Path) -> None:
    manifest = json.loads((network / "network.json").read_text())
    taken = manifest["nodes"][2]["ports"]["comet_rpc"]
    with socket.socket() as squatter:  # another program already holds org2-node1's RPC port
        squatter.bind(("127.0.0.1", taken))
        squatter.listen()
        started = time.monotonic()
        up = _wabei("up", str(network), "--detach")
    assert up.returncode == 1
    assert "org2-node1: cometbft exited with code" in up.stderr and "stopping the network" in up.stderr
    assert time.monotonic() - started < 30  # not the 60 s readiness wait
    assert not list((network / "run").glob("*.pid"))
    assert _status(network)[0] == 1
