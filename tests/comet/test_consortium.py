"""The consortium path end to end, over the wire, with real processes: `wabei network init`
(2 organisations x 2 validators, CAs and node certificates) → `wabei network up --detach`
(4 Wabei nodes, each with its CometBFT) → web3.py and a Hardhat project use it → admission
refuses peers without a valid certificate at the P2P layer and lets a certified observer in →
`wabei network down` leaves no process.

One network for the module (on one xdist worker; the tests run in file order and build on each
other's chain). What each step proves is listed in docs/network.md, "What is tested".
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest
from eth_account import Account
from playwright.sync_api import expect, sync_playwright
from web3 import Web3

from chain.config import DEFAULT_MNEMONIC
from network.layout import load_manifest
from tests.comet import joiner
from tests.comet.joiner import comet, wait_for
from tests.conftest import ROOT

# The same xdist group as test_comet_network.py: one worker runs both modules, one after the
# other, so two 4-validator networks never compete for the CPU at once.
pytestmark = pytest.mark.xdist_group("comet-network")
Account.enable_unaudited_hdwallet_features()
KEYS = [Account.from_mnemonic(DEFAULT_MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}") for i in range(10)]
SINK = Web3.to_checksum_address("0x" + "c0" * 20)
HARDHAT = ROOT / "node_modules" / ".bin" / "hardhat"


class Consortium:
    """The network directory, its manifest, and the extra processes this module starts."""

    def __init__(self, folder: Path) -> None:
        self.dir = folder
        self.manifest = load_manifest(folder)
        self.nodes: list[dict[str, Any]] = self.manifest["nodes"]
        self.started: list[subprocess.Popen[bytes]] = []
        self.observer: joiner.Joiner | None = None
        self.observer_rpc = ""

    def web3(self, url: str) -> Web3:
        return Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": 30}))

    def peers_of(self, node: dict[str, Any]) -> set[str]:
        return {p["node_info"]["id"] for p in comet(node["comet_rpc_url"], "net_info")["peers"]}

    def report(self) -> str:
        """What each validator's CometBFT says of its peers, and its last P2P events."""
        return joiner.mesh_report(self.nodes, self.dir)

    def log_text(self, node: dict[str, Any]) -> str:
        """The node's Wabei log (`wabei network up` writes it) and its CometBFT child's log."""
        return ((self.dir / "run" / f"{node['name']}.wabei.log").read_text(errors="replace")
                + (self.dir / node["name"] / "cometbft.log").read_text(errors="replace"))


def rpc(w3: Web3, method: str) -> Any:
    """A raw call (web3.py 7 has no eth.mining), so the test sees the wire's own JSON values."""
    answer = w3.provider.make_request(method, [])  # type: ignore[arg-type]
    assert "error" not in answer, answer
    return answer["result"]


def wabei(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", "network", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


def processes_of(folder: Path) -> list[int]:
    """Every live process whose command line names the network directory (Wabei nodes, and the
    CometBFT children they start with `--home DIR/<node>/cometbft`)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if str(folder) in cmdline and state != "Z":
            pids.append(int(entry.name))
    return pids


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Consortium]:
    folder = tmp_path_factory.mktemp("consortium") / "net"
    p2p = joiner.port_block(8)        # 4 validators, then the joiners (3 intruders, an observer)
    rpc = joiner.port_block(6, step=1, span=1, low=41000, high=60000)
    init = wabei("init", "--out", str(folder), "--orgs", "2", "--nodes-per-org", "2",
                 "--p2p-port", str(p2p), "--rpc-port", str(rpc))
    assert init.returncode == 0, init.stderr
    up = wabei("up", str(folder), "--detach")
    consortium = Consortium(folder)
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        yield consortium
    finally:
        for process in consortium.started:
            joiner.stop(process)
        wabei("down", str(folder))


def transfer(key: Any, nonce: int, value: int = 1) -> bytes:
    return bytes(key.sign_transaction(dict(
        to=SINK, value=value, gas=21_000, maxFeePerGas=10**10, maxPriorityFeePerGas=10**9,
        nonce=nonce, chainId=31337, type=2)).raw_transaction)


def same_chain(clients: list[Web3], timeout: float = 30) -> int:
    """Every client reaches the highest head; all report the same block hashes and state roots."""
    top = max(w.eth.block_number for w in clients)
    wait_for(lambda: all(w.eth.block_number >= top for w in clients), timeout, f"every node at block {top}")
    views = [[(bytes(b["hash"]), bytes(b["stateRoot"])) for b in (w.eth.get_block(n) for n in range(top + 1))]
             for w in clients]
    assert all(view == views[0] for view in views[1:])
    return top


def test_transactions_sent_round_robin_are_all_included_identically(net: Consortium) -> None:
    clients = [net.web3(n["rpc_url"]) for n in net.nodes]
    senders = KEYS[1:5]
    # Sender s's nonce n goes to node (s + n) % 4: each sender's next nonce reaches another node.
    hashes = [clients[(i + i // 4) % 4].eth.send_raw_transaction(transfer(senders[i % 4], i // 4))
              for i in range(16)]
    receipts = [clients[(i + 1) % 4].eth.wait_for_transaction_receipt(h, timeout=60, poll_latency=0.2)
                for i, h in enumerate(hashes)]
    assert all(r["status"] == 1 for r in receipts)
    same_chain(clients)
    assert clients[0].eth.get_balance(SINK) == 16


def test_status_shows_four_validators_at_one_height_with_three_peers_each(net: Consortium) -> None:
    def settled() -> list[dict[str, Any]] | None:
        result = wabei("status", str(net.dir), "--json", timeout=60)
        rows: list[dict[str, Any]] = json.loads(result.stdout)["nodes"]
        same = result.returncode == 0 and len({(r["height"], r["eth_block_number"]) for r in rows}) == 1
        meshed = all(set(r["peers"]) == names - {r["node"]} for r in rows)
        return rows if same and meshed else None

    names = {n["name"] for n in net.nodes}
    rows = wait_for(settled, 30, "every node at the same height, each peered with the other three", every=1,
                    explain=net.report)
    assert len(rows) == 4 and rows[0]["height"] > 0 and rows[0]["eth_block_number"] == rows[0]["height"]
    for row in rows:
        assert row["up"] and row["role"] == "validator" and not row["catching_up"]
        assert set(row["peers"]) == names - {row["node"]} and (row["voting_power"], row["total_power"]) == (10, 40)


def test_a_validator_says_it_mines_has_three_peers_and_is_not_syncing(net: Consortium) -> None:
    # Steady state: a peer connection re-made after a missed ping (a busy machine) leaves a node
    # briefly with two peers and catching up, so each node is given a few seconds to get there.
    for node in net.nodes:
        w3 = net.web3(node["rpc_url"])
        wait_for(lambda: (rpc(w3, "eth_mining"), rpc(w3, "net_peerCount"), rpc(w3, "eth_syncing"))
                 == (True, "0x3", False), 30, f"{node['name']} mining, with 3 peers, not syncing",
                 explain=net.report)


def test_every_node_lists_the_four_validators_with_organisation_power_and_height(net: Consortium) -> None:
    expected = {n["node_id"]: (n["name"], n["org"], n["validator_address"], "0xa") for n in net.nodes}
    for node in net.nodes:
        w3 = net.web3(node["rpc_url"])

        def settled() -> dict[str, Any] | None:
            table: dict[str, Any] = rpc(w3, "wabei_networkNodes")
            rows = table["nodes"]
            whole = len(rows) == 4 and all(r["connected"] and r["height"] is not None for r in rows)
            return table if whole else None

        table = wait_for(settled, 30, f"{node['name']} connected to three peers it has heard from",
                         explain=net.report)
        assert table["mode"] == "network" and table["totalPower"] == "0x28" and not table["catchingUp"]
        assert table["latestBlockTime"].startswith("20")
        rows = table["nodes"]
        assert {r["nodeId"]: (r["name"], r["organisation"], r["validatorAddress"], r["power"]) for r in rows} == expected
        assert [r["nodeId"] for r in rows if r["self"]] == [node["node_id"]]
        own_height = int(table["height"], 16)
        assert own_height > 0 and all(abs(int(r["height"], 16) - own_height) <= 3 for r in rows)


def test_the_explorer_overview_shows_the_node_table(net: Consortium) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.fail("Debian's chromium is not installed: ./scripts/setup-reference installs it (apt-get install chromium)")
    node = net.nodes[1]
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(30_000)
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
            page.goto(f"{node['rpc_url']}/explorer/#/")
            table = page.get_by_test_id("nodes")
            expect(table.locator("tbody tr")).to_have_count(4)
            expect(page.get_by_test_id("nodes-summary")).to_contain_text("connected to 3 peers")
            for other in net.nodes:
                row = table.locator("tbody tr", has_text=other["name"])
                expect(row).to_contain_text(other["org"])
                expect(row).to_contain_text("10 (25%)")
                expect(row.get_by_test_id("node-status")).to_have_text(
                    "this node" if other is node else "connected")
            shots = ROOT / "test-artefacts" / "explorer"
            shots.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=shots / "network-nodes.png", full_page=True)
        finally:
            browser.close()
    assert not errors, errors


@pytest.mark.js
@pytest.mark.timeout(240)
def test_the_hardhat_project_passes_against_one_node(net: Consortium) -> None:
    nodejs = shutil.which("node")
    if nodejs is None or not HARDHAT.exists():
        pytest.fail("needs node and `npm ci` in the repository root (run ./scripts/setup)")
    env = {**os.environ, "WABEI_NETWORK_URL": net.nodes[1]["rpc_url"], "HARDHAT_DISABLE_TELEMETRY_PROMPT": "true"}
    result = subprocess.run([nodejs, str(HARDHAT), "test", "--network", "wabeiNetwork"],
                            cwd=ROOT / "tests" / "hardhat_project", env=env, capture_output=True, text=True,
                            timeout=200)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "5 passing" in result.stdout and "failing" not in result.stdout
    same_chain([net.web3(n["rpc_url"]) for n in net.nodes])


def test_peers_without_a_valid_certificate_are_refused_at_the_p2p_layer(net: Consortium) -> None:
    base = net.nodes[-1]["ports"]["p2p"] + 10
    cases = {  # name → (certificate, the refusal reason the validators give)
        "intruder-selfsigned": (joiner.self_signed, "CN=intruder-selfsigned,O=org1' is not a trusted consortium CA"),
        "intruder-org9": (lambda _org, j: joiner.from_outside_ca("org9", j), "'CN=org9 consortium CA,O=org9' is not a "
                                                                              "trusted consortium CA"),
        "intruder-expired": (lambda org, j: joiner.expired(net.dir, org, j), "is expired (valid "),
    }
    intruders = []
    for i, (name, (make, _)) in enumerate(cases.items()):
        intruder = joiner.make_home(net.dir, net.dir.parent / name, name, proxy_app="noop", filter_peers=False,
                                    p2p_port=base + 10 * i)
        joiner.register(net.dir, name, make("org1", intruder))  # the registry holds it: admission must judge it
        joiner.start_cometbft(intruder)
        assert intruder.process is not None
        net.started.append(intruder.process)
        intruders.append(intruder)
    ids = {j.node_id: j.name for j in intruders}

    def all_refused() -> bool:
        logs = [net.log_text(n) for n in net.nodes]
        return all(f"peer {j.node_id} is not admitted: " in text and f"filtered ID<{j.node_id}>" in text
                   for j in intruders for text in logs)

    seen: set[str] = set()

    def refused_and_watched() -> bool:
        for node in net.nodes:
            seen.update(net.peers_of(node))
        return all_refused()

    wait_for(refused_and_watched, 45, "every validator to refuse every intruder")
    for node in net.nodes:  # and again after the intruders' first redial (persistent peers, ~5 s)
        seen.update(net.peers_of(node))
    assert not seen & set(ids), f"an intruder became a peer: {[ids[i] for i in seen & set(ids)]}"
    for node in net.nodes:
        # The validators' mesh holds (a connection re-made after a missed ping takes a few s).
        wait_for(lambda: comet(node["comet_rpc_url"], "net_info")["n_peers"] == "3", 30,
                 f"{node['name']} to keep its 3 validator peers", explain=net.report)
        text = net.log_text(node)
        for intruder, (_, reason) in zip(intruders, cases.values()):
            assert f"peer {intruder.node_id} is not admitted: " in text and reason in text, (node["name"], reason)
    for intruder in intruders:
        joiner.stop(intruder.process)


def test_a_certified_observer_joins_syncs_and_does_not_mine(net: Consortium) -> None:
    rpc_port = net.nodes[-1]["ports"]["rpc"] + 1
    observer = joiner.add_observer(net.dir, "org1", "org1-observer", rpc_port,
                                   p2p_port=net.nodes[-1]["ports"]["p2p"] + 40)
    joiner.register(net.dir, observer.name, joiner.certified(net.dir, "org1", observer))
    process = joiner.start_wabei_node(net.dir, observer.name, net.dir / "run" / "org1-observer.test.log")
    net.started.append(process)
    net.observer, net.observer_rpc = observer, f"http://127.0.0.1:{rpc_port}"
    everyone = {n["node_id"] for n in net.nodes}
    wait_for(lambda: net.peers_of({"comet_rpc_url": observer.comet_url}) == everyone, 60,
             "the observer to be a peer of all four validators", explain=net.report)
    assert all(observer.node_id in net.peers_of(n) for n in net.nodes)
    clients = [net.web3(n["rpc_url"]) for n in net.nodes]
    watcher = net.web3(net.observer_rpc)
    sent = clients[0].eth.send_raw_transaction(transfer(KEYS[5], 0))
    assert watcher.eth.wait_for_transaction_receipt(sent, timeout=60, poll_latency=0.2)["status"] == 1
    same_chain([*clients, watcher])
    wait_for(lambda: rpc(watcher, "eth_syncing") is False, 30, "the observer to stop catching up")
    assert (rpc(watcher, "eth_mining"), rpc(watcher, "net_peerCount")) == (False, "0x4")
    wait_for(lambda: all((rpc(w, "eth_mining"), rpc(w, "net_peerCount")) == (True, "0x4") for w in clients),
             30, "every validator mining, with 3 validators and the observer as peers", explain=net.report)
    # The node table: an observer of org1 with no voting power, seen by itself and by a validator.
    mine = [r for r in rpc(watcher, "wabei_networkNodes")["nodes"] if r["self"]]
    assert [(r["nodeId"], r["organisation"], r["power"], r["validatorAddress"]) for r in mine] == [
        (observer.node_id, "org1", "0x0", None)]
    wait_for(lambda: any(r["nodeId"] == observer.node_id and (r["organisation"], r["power"]) == ("org1", "0x0")
                         for r in rpc(clients[0], "wabei_networkNodes")["nodes"]), 5,
             "the observer in a validator's node table (cached a second)")


def test_a_revoked_validator_cannot_rejoin(net: Consortium) -> None:
    victim, others = net.nodes[3], net.nodes[:3]
    revoke = wabei("revoke", str(net.dir), victim["name"])
    assert revoke.returncode == 0 and f"revoked {victim['name']}" in revoke.stdout, revoke.stderr
    # Connected peers stay connected (CometBFT filters when a peer is added): the victim
    # restarts, as a node does after a crash or an upgrade, and must now be refused.
    pid = json.loads((net.dir / "run" / f"{victim['name']}.wabei.pid").read_text())["pid"]
    os.kill(pid, 15)
    wait_for(lambda: not [p for p in processes_of(net.dir) if p == pid], 30, "the victim to stop")
    process = joiner.start_wabei_node(net.dir, victim["name"], net.dir / "run" / f"{victim['name']}.test.log")
    net.started.append(process)
    stranded = net.web3(victim["rpc_url"])
    wait_for(lambda: stranded.is_connected(), 60, "the revoked validator's JSON-RPC")
    reason = f"peer {victim['node_id']} is not admitted: certificate "
    wait_for(lambda: all(reason in net.log_text(n) and "is revoked by its CA" in net.log_text(n) for n in others),
             45, "the other validators to refuse the revoked one")
    head = stranded.eth.block_number
    clients = [net.web3(n["rpc_url"]) for n in others]
    sent = clients[1].eth.send_raw_transaction(transfer(KEYS[6], 0))  # 3 of 4 validators still commit
    assert clients[2].eth.wait_for_transaction_receipt(sent, timeout=60, poll_latency=0.2)["status"] == 1
    for node in others:
        assert victim["node_id"] not in net.peers_of(node)
    assert net.observer is not None and victim["node_id"] not in net.peers_of({"comet_rpc_url": net.observer.comet_url})
    # Stranded: still a validator by its genesis power, and catching up with no one to sync from.
    assert stranded.eth.block_number == head and rpc(stranded, "eth_mining") is True
    progress = rpc(stranded, "eth_syncing")
    assert isinstance(progress, dict) and set(progress) == {"startingBlock", "currentBlock", "highestBlock"}
    assert int(progress["startingBlock"], 16) <= int(progress["currentBlock"], 16) == head
    assert int(progress["highestBlock"], 16) >= head
    joiner.stop(process)


def test_down_stops_every_process_of_the_network(net: Consortium) -> None:
    for process in net.started:
        joiner.stop(process)
    assert processes_of(net.dir), "the validators should still be running before `down`"
    down = wabei("down", str(net.dir))
    assert down.returncode == 0 and "stopped " in down.stdout, down.stdout
    wait_for(lambda: not processes_of(net.dir), 15, "no process of the network left")
    assert not list((net.dir / "run").glob("*.pid"))
