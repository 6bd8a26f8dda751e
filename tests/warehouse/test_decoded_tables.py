"""The decoded tables: the sharing suite's traffic (its ABIs from CNS), an ABI that changes
between CNS versions, undecodable calldata, a malformed user ABI file. Every test runs once on
SQLite and once on a real PostgreSQL server."""
from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from collections.abc import Iterator
from pathlib import Path

import pytest
from web3 import Web3

from cns.client import CnsClient
from deploy.manifest import Entry, Manifest, save
from conftest import ROOT, RunningNode, start_node
from sharing.demo import run_demo
from wh_fixtures import artefact, db, deploy, export, pg, rows, scalar, verify  # noqa: F401 (fixtures)


@pytest.fixture(scope="module")
def story() -> Iterator[RunningNode]:
    """A node on which `wabei demo sharing-economy`'s story has been played (deploy, CNS, traffic)."""
    node = start_node("--accounts", "20")
    try:
        run_demo(Web3(Web3.HTTPProvider(node.http_url)), out=lambda _line: None)
        yield node
    finally:
        node.stop()


def test_sharing_suite_traffic_lands_in_method_and_event_tables(story: RunningNode, db: str) -> None:
    export(story.http_url, db, "--batch", "50")
    # Each purchase is one presale `buy` call and one RightsPurchased event, decoded with the ABI
    # the suite published in CNS under "presale".
    buys = rows(db, "SELECT tx_hash, from_address, listing, units, status FROM presale_buy_method "
                    "WHERE status = 1 ORDER BY block_number, tx_index")
    bought = rows(db, "SELECT tx_hash, buyer, listing, units FROM presale_rights_purchased_event "
                      "ORDER BY block_number, log_index")
    assert len(buys) >= 2
    assert [(b.tx_hash, b.from_address, int(b.listing), int(b.units)) for b in buys] == \
           [(e.tx_hash, e.buyer, int(e.listing), int(e.units)) for e in bought]
    # The transactions table names the method and the contract of the same calls.
    assert scalar(db, "SELECT count(*) FROM transactions WHERE contract_name = 'presale' AND method_name = 'buy'") \
        == scalar(db, "SELECT count(*) FROM presale_buy_method")
    # Settlement and escrow history: the profit settlement and the presale's tranche releases.
    assert scalar(db, "SELECT count(*) FROM profit_settlement_settle_method") >= 1
    assert scalar(db, "SELECT count(*) FROM presale_tranche_released_event") >= 1
    # Usage rights are ERC-1155: their transfers are in token_transfers.
    rights = rows(db, "SELECT address FROM contracts WHERE contract_name = 'usage-rights'")
    assert len(rights) == 1
    assert scalar(db, "SELECT count(*) FROM token_transfers WHERE standard = 'erc1155' AND token = :t",
                  t=rights[0].address) >= 2
    # Contracts carry their creator, creation transaction, code hash and CNS names.
    presale = rows(db, "SELECT creator, creation_tx, code_hash, cns_names FROM contracts WHERE contract_name = 'presale'")
    assert len(presale) == 1 and presale[0].code_hash.startswith("0x") and len(presale[0].code_hash) == 66
    names = presale[0].cns_names if isinstance(presale[0].cns_names, list) else json.loads(presale[0].cns_names)
    assert names == ["presale@1.0.0"]
    done = verify(story.http_url, db)
    assert done.returncode == 0, done.stdout + done.stderr
    _docs_queries_run(db)


def _docs_queries_run(db: str) -> None:
    """Every example query of docs/warehouse.md written for this engine runs and finds rows
    (the last one, reverted calls, may find none: the story's refusals are never mined)."""
    engine = "postgresql" if db.startswith("postgresql") else "sqlite"
    queries = re.findall(r"```sql\n-- engines: (\w+)\n(.*?)```", (ROOT / "docs" / "warehouse.md").read_text(), re.S)
    mine = [(i, q) for i, (engines, q) in enumerate(queries) if engines in ("both", engine)]
    assert len(mine) == 6 and len(queries) == 8
    for i, query in mine:
        found = rows(db, query)
        assert found or "r.status = 0" in query, f"docs/warehouse.md query {i + 1} found nothing:\n{query}"


def test_each_cns_version_decodes_its_own_calls(fresh_node: RunningNode, db: str) -> None:
    w3 = Web3(Web3.HTTPProvider(fresh_node.http_url))
    me, you = w3.eth.accounts[:2]
    cns = CnsClient(w3)
    token_abi, counter_abi = artefact("TestToken")["abi"], artefact("Counter")["abi"]
    token = w3.eth.contract(address=deploy(w3, "TestToken", "T", "T", 10**6), abi=token_abi)
    counter = w3.eth.contract(address=deploy(w3, "Counter"), abi=counter_abi)
    cns.register("ledger", "1.0", token.address, token_abi)
    token.functions.transfer(you, 5).transact({"from": me})
    cns.register("ledger", "2.0", counter.address, counter_abi)       # v2: another contract, another ABI
    counter.functions.increment().transact({"from": me})
    token.functions.transfer(you, 6).transact({"from": me})           # still v1's contract: v1's ABI
    # v3 re-publishes v1's address with an ABI that has only `mint`: from its block on, that
    # address's calls are decoded with it, and a `transfer` no longer is.
    cns.register("ledger", "3.0", token.address, [i for i in token_abi if i.get("name") in ("mint", "Transfer")])
    token.functions.mint(you, 7).transact({"from": me})
    token.functions.transfer(you, 8).transact({"from": me})
    export(fresh_node.http_url, db)

    # uint256 columns are NUMERIC(78,0) on PostgreSQL and exact decimal text on SQLite; int() reads both.
    transfers = rows(db, "SELECT value, abi_version FROM ledger_transfer_method ORDER BY block_number")
    assert [(int(t.value), t.abi_version) for t in transfers] == [(5, "1.0"), (6, "1.0")]
    assert [(r.abi_version,) for r in rows(db, "SELECT abi_version FROM ledger_increment_method")] == [("2.0",)]
    assert [(int(r.amount), r.abi_version) for r in rows(db, "SELECT amount, abi_version FROM ledger_mint_method")] == [(7, "3.0")]
    last = rows(db, "SELECT method_name, decode_error FROM transactions WHERE to_address = :a "
                    "ORDER BY block_number DESC LIMIT 1", a=token.address.lower())[0]
    assert last.method_name is None and "version 3.0" in last.decode_error and "0xa9059cbb" in last.decode_error


def test_undecodable_calldata_is_kept_raw_with_the_reason(fresh_node: RunningNode, db: str) -> None:
    w3 = Web3(Web3.HTTPProvider(fresh_node.http_url))
    me = w3.eth.accounts[0]
    address = deploy(w3, "TestToken", "T", "T", 10**6)
    CnsClient(w3).register("tok", "1.0", address, artefact("TestToken")["abi"])
    for data in ("0xdeadbeef01", "0xa9059cbb0000", "0x01"):  # unknown selector, short arguments, no selector
        w3.eth.send_transaction({"from": me, "to": address, "data": data, "gas": 100_000})
    export(fresh_node.http_url, db)
    found = {r.input: r.decode_error for r in rows(db, "SELECT input, decode_error FROM transactions "
                                                          "WHERE to_address = :a", a=address.lower())}
    assert "no function with selector 0xdeadbeef in tok's ABI (version 1.0)" in found["0xdeadbeef01"]
    assert found["0xa9059cbb0000"].startswith("arguments do not decode as transfer(address,uint256)")
    assert found["0x01"] == "calldata of 1 bytes has no 4-byte selector"


def test_a_malformed_abi_file_is_named_and_the_export_goes_on(fresh_node: RunningNode, db: str,
                                                                tmp_path: Path) -> None:
    w3 = Web3(Web3.HTTPProvider(fresh_node.http_url))
    counter = w3.eth.contract(address=deploy(w3, "Counter"), abi=artefact("Counter")["abi"])
    counter.functions.increment().transact({"from": w3.eth.accounts[0]})
    abis = tmp_path / "abis"
    abis.mkdir()
    (abis / "broken.json").write_text('{"address": "0x12", "abi": [')
    (abis / "not-an-abi.json").write_text(json.dumps({"address": counter.address, "abi": {"type": "function"}}))
    (abis / "tally.json").write_text(json.dumps({"address": counter.address, "abi": artefact("Counter")["abi"]}))
    done = export(fresh_node.http_url, db, "--abi-dir", str(abis))
    assert f"{abis / 'broken.json'}: not readable JSON" in done.stderr
    assert f"{abis / 'not-an-abi.json'}: the ABI is not a JSON array" in done.stderr
    assert scalar(db, "SELECT count(*) FROM tally_increment_method") == 1
    assert scalar(db, "SELECT count(*) FROM tally_incremented_event") == 1


def test_deployment_manifests_name_their_contracts(fresh_node: RunningNode, db: str, tmp_path: Path) -> None:
    w3 = Web3(Web3.HTTPProvider(fresh_node.http_url))
    me, you = w3.eth.accounts[:2]
    token = w3.eth.contract(address=deploy(w3, "TestToken", "T", "T", 10**6), abi=artefact("TestToken")["abi"])
    token.functions.transfer(you, 3).transact({"from": me})
    entry = Entry(contract="contracts/test/TestToken.sol:TestToken", address=token.address, tx_hash="0x",
                  block_number=1, bytecode_hash="0x", code_hash="0x", constructor_args=["T", "T", 10**6],
                  deployer=me, timestamp="2026-01-01T00:00:00Z")
    save(tmp_path, Manifest(w3.eth.chain_id, (entry,)))
    export(fresh_node.http_url, db, "--manifests", str(tmp_path))
    assert [int(r[0]) for r in rows(db, "SELECT value FROM test_token_transfer_method")] == [3]
    assert scalar(db, "SELECT contract_name FROM contracts WHERE address = :a", a=token.address.lower()) == "TestToken"
    assert scalar(db, "SELECT count(*) FROM token_transfers WHERE standard = 'erc20' AND token = :a",
                  a=token.address.lower()) == 2  # the mint in the constructor, then the transfer


def test_the_progress_bar_shows_on_a_terminal_only(fresh_node: RunningNode, db: str, tmp_path: Path) -> None:
    w3 = Web3(Web3.HTTPProvider(fresh_node.http_url))
    w3.provider.make_request("anvil_mine", ["0x40"])  # type: ignore[arg-type]
    piped = export(fresh_node.http_url, db, "--to-block", "20")
    assert piped.stderr == "", piped.stderr  # not a TTY: quiet
    # On a terminal (a pseudo-terminal as stderr): blocks, a rate in blocks/s and an ETA.
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))  # a real terminal's size
    try:
        run = subprocess.run([sys.executable, "-m", "cli", "export", "--rpc-url", fresh_node.http_url, "--db", db],
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=terminal, text=True, timeout=120)
        os.close(terminal)
        shown = b""
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the terminal side is closed and drained
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(controller)
    assert run.returncode == 0, run.stdout
    text = shown.decode(errors="replace")
    assert "44/44" in text and "block/s" in text, text  # blocks 21..64, with the rate
