"""The explorer page in a real browser: Playwright driving Debian's Chromium against a real node
with real traffic (`wabei demo sharing-economy`, a token, hostile strings), one browser and one
node for the module. Each test compares what the page shows with what JSON-RPC answers.

Screenshots are saved under test-artefacts/explorer/ (git-ignored; docs/explorer.md).
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterator

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect, sync_playwright
from web3 import Web3
from web3.contract import Contract

from conftest import ROOT, RunningNode, start_node

SHOTS = ROOT / "test-artefacts" / "explorer"
PAYLOAD = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'
A0 = Web3.to_checksum_address("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266")
CNS = Web3.to_checksum_address("0x0000000000000000000000000000000000001004")
WAIT_MS = 45_000  # a page waits on a few dozen eth_calls; at load 8 on 2 cores 20 s once ran out
# The module's node first plays the sharing demo (~40 s alone, minutes on a busy machine), which
# the first test's setup pays for.
pytestmark = pytest.mark.timeout(900)


@dataclass
class World:
    node: RunningNode
    w3: Web3
    browser: Browser
    donation: str  # a WelfareFund.donate transaction whose memo is PAYLOAD
    hostile_call: str  # a transaction whose uploaded ABI names its method PAYLOAD
    counter: Contract  # a contract with no ABI anywhere, for the upload
    errors: list[str] = field(default_factory=list)

    def url(self, route: str = "/") -> str:
        return f"{self.node.http_url}/explorer/#{route}"

    def page(self, width: int = 1280) -> Page:
        page = self.browser.new_page(viewport={"width": width, "height": 900})
        page.set_default_timeout(WAIT_MS)
        page.on("console", lambda m: self._console(m))
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        return page

    def rpc(self, method: str, *params: Any) -> Any:
        return self.w3.provider.make_request(method, list(params))["result"]  # type: ignore[arg-type]

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)


def artefact(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ROOT / "contracts" / "build" / f"{name}.json").read_text())
    return data


def deploy(w3: Web3, name: str, *args: Any) -> Contract:
    art = artefact(name)
    tx = w3.eth.contract(abi=art["abi"], bytecode=art["bytecode"]).constructor(*args).transact({"from": A0})
    address = w3.eth.wait_for_transaction_receipt(tx)["contractAddress"]
    return w3.eth.contract(address=address, abi=art["abi"])


def resolve(w3: Web3, name: str) -> str:
    cns = w3.eth.contract(address=CNS, abi=[{"type": "function", "name": "getContractAddress", "stateMutability": "view",
                                             "inputs": [{"name": "n", "type": "string"}, {"name": "v", "type": "string"}],
                                             "outputs": [{"name": "", "type": "address"}]}])
    return str(cns.functions.getContractAddress(name, "").call())


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("Debian's chromium is not installed: ./scripts/setup-reference installs it (apt-get install chromium)")
    return path


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    node = start_node()
    try:
        demo = subprocess.run([sys.executable, "-m", "cli", "demo", "sharing-economy", "--rpc-url", node.http_url],
                              cwd=ROOT, capture_output=True, text=True, timeout=280)
        assert demo.returncode == 0, demo.stdout + demo.stderr
        w3 = Web3(Web3.HTTPProvider(node.http_url))
        fund = w3.eth.contract(address=resolve(w3, "welfare-fund"), abi=artefact("WelfareFund")["abi"])
        donation = fund.functions.donate(PAYLOAD).transact({"from": A0, "value": 10**15})
        # A method whose name is the payload, decoded from an ABI uploaded for an account.
        target = "0x" + "77" * 20
        hostile_abi = [{"type": "function", "name": PAYLOAD, "inputs": [], "outputs": [], "stateMutability": "nonpayable"}]
        w3.provider.make_request("wabei_putAbi", [target, hostile_abi])  # type: ignore[arg-type]
        selector = Web3.keccak(text=f"{PAYLOAD}()")[:4].hex()
        hostile = w3.eth.send_transaction({"from": A0, "to": Web3.to_checksum_address(target), "data": "0x" + selector.removeprefix("0x")})
        counter = deploy(w3, "Counter")
        counter.functions.increment().transact({"from": A0})
        SHOTS.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
            try:
                yield World(node, w3, browser, "0x" + bytes(donation).hex().removeprefix("0x"),
                            "0x" + bytes(hostile).hex().removeprefix("0x"), counter)
            finally:
                browser.close()
    finally:
        node.stop()


def ether(wei: int) -> str:
    """As viem's formatEther prints it."""
    text = format(Decimal(wei) / Decimal(10**18), "f")
    return (text.rstrip("0").rstrip(".") if "." in text else text) + " ETH"


def test_overview_matches_rpc_and_updates_live(world: World) -> None:
    page = world.page()
    page.goto(world.url())
    expect(page.get_by_test_id("live-state")).to_contain_text("live")
    expect(page.get_by_test_id("chain-id")).to_contain_text("31,337")
    stats = world.rpc("wabei_chainStats")
    expect(page.get_by_test_id("total-txs")).to_contain_text(f"{int(stats['totalTransactions'], 16):,}")
    head = int(world.rpc("eth_blockNumber"), 16)
    expect(page.get_by_test_id("head")).to_contain_text(f"{head:,}")
    for chart in ("chart-days", "chart-blocks", "chart-time"):
        expect(page.get_by_test_id(chart).locator("canvas")).to_have_count(1)
    expect(page.get_by_test_id("nodes")).to_have_count(0)  # a devnet: no node table
    page.screenshot(path=SHOTS / "overview.png", full_page=True)
    # A new block arrives over the WebSocket and the page follows without a reload.
    world.w3.eth.send_transaction({"from": A0, "to": A0, "value": 1})
    expect(page.get_by_test_id("head")).to_contain_text(f"{head + 1:,}")
    expect(page.get_by_test_id("latest-block").first).to_have_text(f"{head + 1:,}")
    page.close()


def test_transaction_page_decodes_method_events_and_fee(world: World) -> None:
    receipt = world.w3.eth.get_transaction_receipt(world.donation)  # type: ignore[arg-type]
    page = world.page()
    page.goto(world.url(f"/tx/{world.donation}"))
    expect(page.get_by_test_id("tx-status")).to_have_text("success")
    expect(page.get_by_test_id("tx-method")).to_contain_text("donate")
    expect(page.get_by_test_id("tx-events")).to_contain_text("DonationReceived")
    expect(page.get_by_test_id("tx-fee")).to_have_text(ether(receipt["gasUsed"] * receipt["effectiveGasPrice"]))
    expect(page.get_by_test_id("call-tree")).to_contain_text("donate")
    # The memo is the XSS payload: shown as text, in the call and in the event, never run.
    expect(page.get_by_test_id("tx-method")).to_contain_text(PAYLOAD)
    expect(page.get_by_test_id("tx-events")).to_contain_text(PAYLOAD)
    page.screenshot(path=SHOTS / "transaction.png", full_page=True)
    assert page.evaluate("window.__xss") is None
    assert page.locator("main img, main script").count() == 0
    page.close()


def test_a_hostile_method_name_from_an_uploaded_abi_is_text(world: World) -> None:
    page = world.page()
    page.goto(world.url(f"/tx/{world.hostile_call}"))
    expect(page.get_by_test_id("tx-method")).to_contain_text(PAYLOAD)
    assert page.evaluate("window.__xss") is None and page.locator("main img").count() == 0
    page.close()


def test_failed_transaction_shows_the_revert_reason(world: World) -> None:
    token = deploy(world.w3, "TestToken", "Token", "TT", 10**18)
    bad = token.functions.failWithReason().transact({"from": A0, "gas": 100_000})
    page = world.page()
    page.goto(world.url(f"/tx/0x{bytes(bad).hex().removeprefix('0x')}"))
    expect(page.get_by_test_id("tx-status")).to_have_text("failed")
    expect(page.get_by_test_id("tx-revert")).to_have_text("TestToken: boom")
    page.close()


def test_cns_page_lists_every_name_and_refuses_nothing_silently(world: World) -> None:
    page = world.page()
    page.goto(world.url("/cns"))
    names = page.get_by_test_id("cns-name")
    expect(names.first).to_be_visible()
    shown = set(names.all_inner_texts())
    assert {"presale", "welfare-fund", "custodian-council", "wbt"} <= shown
    page.screenshot(path=SHOTS / "cns.png", full_page=True)
    # The chain itself refuses HTML in a CNS name, so the payload cannot even reach this page.
    cns = world.w3.eth.contract(address=CNS, abi=[{"type": "function", "name": "insert", "stateMutability": "nonpayable",
                                                   "inputs": [{"name": n, "type": "string"} for n in ("name", "version", "addr", "abi")],
                                                   "outputs": [{"name": "", "type": "uint256"}]}])
    with pytest.raises(Exception, match="not a valid ENS label|whitespace"):
        cns.functions.insert("x<script>", "1", world.counter.address, "[]").call({"from": A0})
    page.close()


def test_sharing_page_matches_the_contracts(world: World) -> None:
    pm = world.w3.eth.contract(address=resolve(world.w3, "presale"), abi=artefact("PresaleManager")["abi"])
    count = pm.functions.listingCount().call()
    escrows = [ether(pm.functions.getLedger(i).call()[9]) for i in range(1, count + 1)]
    page = world.page()
    page.goto(world.url("/sharing"))
    expect(page.get_by_test_id("listing-id")).to_have_count(count)
    assert page.get_by_test_id("listing-escrow").all_inner_texts() == escrows
    expect(page.locator("main")).to_contain_text("Welfare fund")
    expect(page.locator("main")).to_contain_text("approvals needed")
    page.screenshot(path=SHOTS / "sharing.png", full_page=True)
    page.close()


def test_search_finds_blocks_transactions_addresses_and_names(world: World) -> None:
    page = world.page()
    page.goto(world.url())
    search = page.get_by_test_id("search")
    for query, route in (("3", "#/block/3"), (world.donation, f"#/tx/{world.donation}"),
                         (world.counter.address, f"#/address/{world.counter.address.lower()}"),
                         ("presale.wabei", f"#/address/{resolve(world.w3, 'presale').lower()}")):
        search.fill(query)
        search.press("Enter")
        expect(page).to_have_url(re.compile(re.escape(route) + "$"))
    expect(page.get_by_test_id("cns-names")).to_contain_text("presale 1.0.0")
    search.fill("no-such-name")
    search.press("Enter")
    expect(page.get_by_test_id("search-error")).to_contain_text('"no-such-name" is not a block number, hash, address or CNS name')
    page.close()


def test_block_and_address_pages_match_rpc(world: World) -> None:
    page = world.page()
    block = world.w3.eth.get_block(world.w3.eth.get_transaction(world.donation)["blockNumber"])  # type: ignore[arg-type]
    page.goto(world.url(f"/block/{block['number']}"))
    expect(page.get_by_test_id("block-number")).to_have_text(f"{block['number']:,}")
    expect(page.locator("main")).to_contain_text(f"{block['gasUsed']:,} of {block['gasLimit']:,}")
    page.goto(world.url(f"/address/{A0.lower()}"))
    expect(page.get_by_test_id("balance")).to_have_text(ether(world.w3.eth.get_balance(A0)))
    expect(page.locator("main")).to_contain_text(world.donation[:14])  # newest transactions first
    page.close()


def test_abi_upload_decodes_and_bad_uploads_say_why(world: World) -> None:
    address = world.counter.address.lower()
    page = world.page()
    page.goto(world.url(f"/address/{address}"))
    form = page.get_by_test_id("abi-upload")
    message = page.get_by_test_id("abi-message")
    for text, reason in (("not json", "Upload refused: not valid JSON"),
                         ('[{"type": "banana"}]', "Upload refused: ABI entry 0 has type 'banana'")):
        form.get_by_test_id("abi-text").fill(text)
        form.get_by_role("button", name="Upload").click()
        expect(message).to_contain_text(reason)
    page.get_by_test_id("abi-file").set_input_files(files=[{"name": "huge.json", "mimeType": "application/json",
                                                            "buffer": b"[" + b" " * 300_000 + b"]"}])
    expect(message).to_contain_text("may be at most 262144 bytes")
    form.get_by_test_id("abi-text").fill(json.dumps(artefact("Counter")["abi"]))
    form.get_by_role("button", name="Upload").click()
    expect(message).to_have_text("ABI stored on this node.")
    assert world.rpc("wabei_getAbi", address) == artefact("Counter")["abi"]
    # The increment() sent before the upload now decodes.
    sent = world.rpc("ots_searchTransactionsBefore", address, 0, 5)["txs"]
    call = next(t for t in sent if t["to"] == address)
    page.goto(world.url(f"/tx/{call['hash']}"))
    expect(page.get_by_test_id("tx-method")).to_contain_text("increment")
    expect(page.get_by_test_id("tx-method")).to_contain_text("uploaded to this node")
    page.close()


def test_unknown_things_in_urls_get_clear_messages_and_the_node_keeps_serving(world: World) -> None:
    page = world.page()
    for route, text in (("/tx/0x" + "00" * 32, "is not known to this node"),
                        ("/tx/banana", "is not a transaction hash"),
                        ("/block/xyz", "neither a block number nor a 32-byte block hash"),
                        ("/block/99999999", "is not on this chain"),
                        ("/address/0x123", "is not an address"),
                        ("/nowhere", "No page at /nowhere")):
        page.goto(world.url(route))
        expect(page.locator("main [role=alert]").first).to_contain_text(text)
    assert int(world.rpc("eth_blockNumber"), 16) > 0
    page.close()


def test_phone_width_has_no_sideways_scrolling(world: World) -> None:
    page = world.page(width=375)
    for route, name, ready in (("/", "overview-phone", "chart-days"), (f"/tx/{world.donation}", "transaction-phone", "tx-events"),
                               ("/pending", "pending-phone", "pool-pending")):
        page.goto(world.url(route))
        expect(page.get_by_test_id(ready)).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, route
        page.screenshot(path=SHOTS / f"{name}.png", full_page=True)
    page.close()


def test_no_console_errors_on_any_page(world: World) -> None:
    """Last in the module: every page the tests above opened logged no error."""
    assert world.errors == []
