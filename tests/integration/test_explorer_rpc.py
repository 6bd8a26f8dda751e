"""The read methods behind the explorer (docs/explorer.md): Otterscan's ots_* subset, the
uploaded-ABI store and the overview's statistics, over the wire against a node of this module's
own (it rewinds its chain), plus the /explorer/ route itself."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from typing import Any, Iterator

import pytest
from web3 import Web3

from conftest import ROOT, RunningNode, start_node

A0 = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"
A1 = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"
A2 = "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc"


def artefact(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ROOT / "contracts" / "build" / f"{name}.json").read_text())
    return data


@pytest.fixture(scope="module")
def own() -> Iterator[RunningNode]:
    n = start_node()
    try:
        yield n
    finally:
        n.stop()


def call(node: RunningNode, method: str, *params: Any) -> Any:
    answer = raw(node, method, *params)
    assert "error" not in answer, f"{method}: {answer['error']}"
    return answer["result"]


def raw(node: RunningNode, method: str, *params: Any) -> dict[str, Any]:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}).encode()
    req = urllib.request.Request(node.http_url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        out: dict[str, Any] = json.loads(resp.read())
    return out


def send(node: RunningNode, **tx: Any) -> dict[str, Any]:
    h = call(node, "eth_sendTransaction", {"from": A0, **tx})
    receipt: dict[str, Any] = call(node, "eth_getTransactionReceipt", h)
    return receipt


def test_address_search_pages_newest_first_and_follows_a_rewind(own: RunningNode) -> None:
    who = "0x" + "ab" * 20
    mined = [send(own, to=who, value=hex(i + 1)) for i in range(5)]
    page = call(own, "ots_searchTransactionsBefore", who, 0, 2)
    assert [t["hash"] for t in page["txs"]] == [mined[4]["transactionHash"], mined[3]["transactionHash"]]
    assert page["firstPage"] is True and page["lastPage"] is False
    assert page["receipts"][0]["timestamp"].startswith("0x")
    older = call(own, "ots_searchTransactionsBefore", who, int(mined[3]["blockNumber"], 16), 10)
    assert [t["hash"] for t in older["txs"]] == [m["transactionHash"] for m in reversed(mined[:3])]
    assert older["lastPage"] is True
    after = call(own, "ots_searchTransactionsAfter", who, int(mined[1]["blockNumber"], 16), 10)
    assert [t["hash"] for t in after["txs"]] == [m["transactionHash"] for m in reversed(mined[2:])]
    # The sender is indexed too, and ots_getTransactionBySenderAndNonce finds by it.
    nonce = int(call(own, "eth_getTransactionByHash", mined[2]["transactionHash"])["nonce"], 16)
    assert call(own, "ots_getTransactionBySenderAndNonce", A0, nonce) == mined[2]["transactionHash"]
    # A rewind drops what is no longer canonical; new blocks at the same heights are indexed.
    snap = call(own, "evm_snapshot")
    extra = send(own, to=who, value="0x99")
    assert len(call(own, "ots_searchTransactionsBefore", who, 0, 100)["txs"]) == 6
    total = int(call(own, "wabei_chainStats")["totalTransactions"], 16)
    assert call(own, "evm_revert", snap) is True
    replacement = send(own, to=A2, value="0x1")
    assert replacement["blockNumber"] == extra["blockNumber"]
    hashes = [t["hash"] for t in call(own, "ots_searchTransactionsBefore", who, 0, 100)["txs"]]
    assert extra["transactionHash"] not in hashes and len(hashes) == 5
    assert int(call(own, "wabei_chainStats")["totalTransactions"], 16) == total


def test_contract_creator_code_and_block_details(own: RunningNode) -> None:
    w3 = Web3(Web3.HTTPProvider(own.http_url))
    art = artefact("TestToken")
    factory = w3.eth.contract(abi=art["abi"], bytecode=art["bytecode"])
    tx = factory.constructor("Token", "TT", 10**18).transact({"from": Web3.to_checksum_address(A0)})
    receipt = w3.eth.wait_for_transaction_receipt(tx)
    token = receipt["contractAddress"]
    assert call(own, "ots_getContractCreator", token) == {"hash": "0x" + bytes(tx).hex(), "creator": A0}
    assert call(own, "ots_getContractCreator", A1) is None
    assert call(own, "ots_hasCode", token, "latest") is True and call(own, "ots_hasCode", A1, "latest") is False
    number = receipt["blockNumber"]
    details = call(own, "ots_getBlockDetails", number)
    assert details["block"]["transactionCount"] == 1 and "transactions" not in details["block"]
    fee = receipt["gasUsed"] * receipt["effectiveGasPrice"]
    assert int(details["totalFees"], 16) == fee
    assert call(own, "ots_getBlockDetailsByHash", details["block"]["hash"]) == details
    assert call(own, "ots_getBlockDetails", 10**9) is None
    page = call(own, "ots_getBlockTransactions", number, 0, 25)
    assert page["fullblock"]["transactions"][0]["hash"] == "0x" + bytes(tx).hex()
    assert page["receipts"][0]["logs"] is None
    # A failed transaction's revert data, and "0x" for one that succeeded.
    failing = w3.eth.contract(address=token, abi=art["abi"]).functions.failWithReason()
    bad = failing.transact({"from": Web3.to_checksum_address(A0), "gas": 100_000})
    data = call(own, "ots_getTransactionError", "0x" + bytes(bad).hex())
    assert data.startswith("0x08c379a0") and b"TestToken: boom" in bytes.fromhex(data[2:])
    assert call(own, "ots_getTransactionError", "0x" + bytes(tx).hex()) == "0x"


def test_chain_stats_count_what_was_mined(own: RunningNode) -> None:
    before = int(call(own, "wabei_chainStats")["totalTransactions"], 16)
    for _ in range(3):
        send(own, to=A1, value="0x1")
    stats = call(own, "wabei_chainStats", "0x2", "0x3")
    assert int(stats["totalTransactions"], 16) == before + 3
    assert len(stats["perDay"]) == 2 and len(stats["recentBlocks"]) == 3
    head = int(call(own, "eth_blockNumber"), 16)
    assert [int(b["number"], 16) for b in stats["recentBlocks"]] == [head - 2, head - 1, head]
    assert all(b["transactions"] == "0x1" for b in stats["recentBlocks"])
    assert sum(int(d["transactions"], 16) for d in stats["perDay"]) >= 3
    assert "days must be 1 to 90" in raw(own, "wabei_chainStats", "0x0")["error"]["message"]


def test_a_devnet_has_no_node_table(own: RunningNode) -> None:
    # The explorer hides the node table on this answer; a network node's is in tests/comet/test_consortium.py.
    assert call(own, "wabei_networkNodes") == {"mode": "devnet", "nodes": []}


@pytest.mark.parametrize("abi, message", [
    ("not json", "ABI is not valid JSON"),
    ('{"type": "function"}', "ABI must be a JSON array"),
    ('[{"type": "banana"}]', "ABI entry 0 has type 'banana'"),
    ('[{"type": "function"}]', "ABI entry 0 (function) has no name"),
    ('[{"type": "event", "name": "E", "inputs": [{"name": "x"}]}]', "ABI entry 0 has malformed inputs"),
    ("[" + ",".join(['{"type":"function","name":"f","inputs":[]}'] * 8000) + "]", "ABI too large"),
])
def test_malformed_or_huge_abi_uploads_are_refused_with_the_reason(own: RunningNode, abi: str, message: str) -> None:
    answer = raw(own, "wabei_putAbi", A2, abi)
    assert answer["error"]["code"] == -32602 and message in answer["error"]["message"]
    assert call(own, "wabei_getAbi", A2) is None


def test_uploaded_abi_round_trips(own: RunningNode) -> None:
    abi = artefact("Counter")["abi"]
    assert call(own, "wabei_putAbi", A1, json.dumps(abi)) is True
    assert call(own, "wabei_getAbi", A1) == abi
    assert call(own, "wabei_putAbi", A1, abi[:1]) is True  # an array works too; it replaces
    assert call(own, "wabei_getAbi", A1.upper().replace("0X", "0x")) == abi[:1]


def test_the_page_is_served_with_a_strict_policy_and_only_its_files(own: RunningNode) -> None:
    with urllib.request.urlopen(own.http_url + "/explorer", timeout=10) as resp:  # redirected to /explorer/
        assert resp.url.endswith("/explorer/") and b"app.js" in resp.read()
        policy = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "default-src 'none'" in policy
    for path in ("/explorer/..%2Fchain%2Fnode.py", "/explorer/.gitignore", "/explorer/build.mjs", "/explorer/nothing.js"):
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(own.http_url + path, timeout=10)
        assert err.value.code == 404, path


def banner(*args: str, after: int = 0) -> tuple[list[str], subprocess.Popen[str]]:
    """The lines `wabei node` prints up to its "Listening on" line, and `after` more."""
    proc = subprocess.Popen([sys.executable, "-m", "chain.cli", "node", "--port", "0", "--in-memory", *args],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert proc.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 30
    listening = -1
    while time.monotonic() < deadline and (listening < 0 or len(lines) < listening + 1 + after):
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if listening < 0 and line.startswith("Listening on"):
            listening = len(lines) - 1
    return lines, proc


def test_the_banner_prints_the_explorer_url_and_no_explorer_turns_it_off() -> None:
    lines, proc = banner(after=1)
    try:
        urls = [line.split()[-1] for line in lines if line.startswith("Explorer:")]
        assert len(urls) == 1, lines
        with urllib.request.urlopen(urls[0], timeout=10) as resp:
            assert b"<title>Wabei explorer</title>" in resp.read()
    finally:
        proc.terminate()
        proc.wait(10)
    lines, proc = banner("--no-explorer")
    try:
        port = lines[-1].rsplit(":", 1)[1]
        # The console's next line is the request below, not an explorer URL.
        call(RunningNode(proc, "127.0.0.1", int(port)), "eth_chainId")
        assert proc.stdout is not None
        following = proc.stdout.readline().strip()
        assert following == "eth_chainId" and not any("Explorer" in line for line in lines), [*lines, following]
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/explorer/", timeout=10)
        assert err.value.code == 404
    finally:
        proc.terminate()
        proc.wait(10)
