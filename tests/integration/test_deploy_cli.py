"""`wabei deploy` and `wabei cns ...` run as real processes against a real node: deploy once per
chain, the manifest, CNS queries and calls, and one clear line for every kind of bad input."""
from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from web3 import Web3

from tests.conftest import ROOT, RunningNode
from tests.integration.helpers import A0, A1, KEY0

_ids = itertools.count()

TOKEN_SOL = """// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// A user's token outside the repository, importing the pinned OpenZeppelin.
contract UserToken is ERC20 {
    uint256 public immutable cap;

    constructor(string memory name_, uint256 supply, address[] memory holders) ERC20(name_, "UTK") {
        cap = supply;
        _mint(msg.sender, supply);
        for (uint256 i = 0; i < holders.length; i++) {
            _mint(holders[i], 1);
        }
    }
}
"""


@dataclass
class Result:
    code: int
    out: str
    err: str


def wabei(cwd: Path, *args: str) -> Result:
    """Run `python -m cli` (what the `wabei` script runs) in `cwd`; never raises on failure.

    Not the installed `.venv/bin/wabei`: that script is generated at install time, so in a
    checkout that changed the entry point it can be stale; tests/unit/test_cli_table.py pins
    the console script to `cli.main:main`, the function `python -m cli` calls.
    """
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "cli", *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=240)
    return Result(proc.returncode, proc.stdout, proc.stderr)


def unique(prefix: str) -> str:
    return f"{prefix}{next(_ids)}x{os.getpid() % 10_000}"


def field(out: str, key: str) -> str:
    """The value printed after `key` on its own line (`address   0x...`)."""
    for line in out.splitlines():
        if line.split(maxsplit=1)[:1] == [key]:
            return line.split(maxsplit=1)[1]
    raise AssertionError(f"no {key!r} line in:\n{out}")


def fails_clearly(result: Result, code: int, *fragments: str) -> None:
    assert result.code == code, (result.code, result.out, result.err)
    assert "Traceback" not in result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@dataclass
class Deployed:
    project: Path
    rpc: list[str]
    name: str
    address: str
    first: Result


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("userproject")
    (path / "UserToken.sol").write_text(TOKEN_SOL)
    return path


@pytest.fixture(scope="module")
def deployed(project: Path, node: RunningNode) -> Deployed:
    rpc = ["--rpc-url", node.http_url]
    name = unique("UserToken")
    first = wabei(project, "deploy", "UserToken.sol:UserToken", "--args", "User Token", "1000",
                  json.dumps([A1]), "--name", name, "--version", "1.0.0", *rpc)
    assert first.code == 0, first.err
    return Deployed(project, rpc, name, field(first.out, "address"), first)


def test_deploy_prints_address_tx_block_and_cns(deployed: Deployed, w3: Web3) -> None:
    out = deployed.first.out
    assert "UserToken.sol:UserToken deployed" in out
    receipt = w3.eth.get_transaction_receipt(field(out, "tx"))
    assert receipt["contractAddress"] == deployed.address
    assert int(field(out, "block")) == receipt["blockNumber"]
    assert f"{deployed.name}@1.0.0 published" in field(out, "cns")


def test_deploying_twice_deploys_once(deployed: Deployed, w3: Web3) -> None:
    nonce = w3.eth.get_transaction_count(A0)
    again = wabei(deployed.project, "deploy", "UserToken.sol:UserToken", "--args", "User Token", "1000",
                  json.dumps([A1]), "--name", deployed.name, "--version", "1.0.0", *deployed.rpc)
    assert again.code == 0, again.err
    assert "already deployed" in again.out
    assert "already published" in again.out
    assert field(again.out, "address") == deployed.address
    assert field(again.out, "tx") == field(deployed.first.out, "tx")
    assert w3.eth.get_transaction_count(A0) == nonce


def test_other_constructor_args_deploy_again(deployed: Deployed, w3: Web3) -> None:
    other = wabei(deployed.project, "deploy", "UserToken.sol:UserToken", "--args", "Other", "0x10",
                  "[]", *deployed.rpc)
    assert other.code == 0, other.err
    assert "UserToken.sol:UserToken deployed" in other.out
    assert field(other.out, "address") != deployed.address
    token = w3.eth.contract(address=field(other.out, "address"),
                            abi=[{"type": "function", "name": "cap", "inputs": [], "stateMutability": "view",
                                  "outputs": [{"type": "uint256", "name": ""}]}])
    assert token.functions.cap().call() == 16


def test_manifest_records_the_deployment(deployed: Deployed, w3: Web3) -> None:
    data = json.loads((deployed.project / "deployments" / f"{w3.eth.chain_id}.json").read_text())
    assert data["chainId"] == w3.eth.chain_id
    (entry,) = [e for e in data["deployments"] if e["address"] == deployed.address]
    assert entry["contract"] == "UserToken.sol:UserToken"
    assert entry["txHash"] == field(deployed.first.out, "tx")
    assert entry["blockNumber"] == int(field(deployed.first.out, "block"))
    assert entry["cns"] == [{"name": deployed.name, "version": "1.0.0"}]
    assert entry["constructorArgs"] == ["User Token", 1000, [A1]]
    assert entry["deployer"] == A0
    assert entry["codeHash"] == Web3.keccak(w3.eth.get_code(deployed.address)).to_0x_hex()


def test_manifest_dir_flag_and_a_redeploy_when_the_record_is_stale(deployed: Deployed, tmp_path: Path) -> None:
    elsewhere = tmp_path / "m"
    run = wabei(deployed.project, "deploy", "UserToken.sol:UserToken", "--args", "User Token", "1000",
                json.dumps([A1]), "--manifest-dir", str(elsewhere), *deployed.rpc)
    assert run.code == 0 and "UserToken.sol:UserToken deployed" in run.out  # no record there yet
    path = next(elsewhere.glob("*.json"))
    data = json.loads(path.read_text())
    data["deployments"][0]["codeHash"] = "0x" + "00" * 32  # the code on chain no longer matches
    path.write_text(json.dumps(data))
    again = wabei(deployed.project, "deploy", "UserToken.sol:UserToken", "--args", "User Token", "1000",
                  json.dumps([A1]), "--manifest-dir", str(elsewhere), *deployed.rpc)
    assert again.code == 0 and "UserToken.sol:UserToken deployed" in again.out
    assert field(again.out, "address") != field(run.out, "address")
    assert len(json.loads(path.read_text())["deployments"]) == 1


def test_corrupt_manifest_is_refused_and_kept(deployed: Deployed, tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "31337.json").write_text("{oops")
    run = wabei(deployed.project, "deploy", "UserToken.sol:UserToken", "--args", "x", "1", "[]",
                "--manifest-dir", str(bad), *deployed.rpc)
    fails_clearly(run, 1, "31337.json", "not valid JSON")
    assert (bad / "31337.json").read_text() == "{oops"


def test_cns_resolve_show_and_list(deployed: Deployed) -> None:
    rpc = deployed.rpc
    assert wabei(deployed.project, "cns", "resolve", deployed.name, *rpc).out.strip() == deployed.address
    pinned = wabei(deployed.project, "cns", "resolve", f"{deployed.name}@1.0.0", *rpc)
    assert pinned.out.strip() == deployed.address
    show = wabei(deployed.project, "cns", "show", deployed.name, *rpc)
    assert show.code == 0, show.err
    assert field(show.out, "owner") == A0
    assert f"* 1.0.0  {deployed.address}" in show.out and "(latest)" in show.out
    listing = wabei(deployed.project, "cns", "list", *rpc)
    assert any(line.split()[:3] == [deployed.name, "1.0.0", deployed.address]
               for line in listing.out.splitlines())


def test_cns_call_view_and_transaction(deployed: Deployed) -> None:
    rpc, cwd, name = deployed.rpc, deployed.project, deployed.name
    assert wabei(cwd, "cns", "call", name, "name", *rpc).out.strip() == "User Token"
    assert wabei(cwd, "cns", "call", f"{name}@1.0.0", "balanceOf", A0, *rpc).out.strip() == "1000"
    sent = wabei(cwd, "cns", "call", name, "transfer", A1, "7", *rpc)
    assert sent.code == 0, sent.err
    assert field(sent.out, "status").startswith("1")
    assert "Transfer(" in sent.out
    assert wabei(cwd, "cns", "call", name, "balanceOf", A1, *rpc).out.strip() == "8"


def test_private_key_signing(deployed: Deployed) -> None:
    os.environ["WABEI_TEST_DEPLOY_KEY"] = KEY0
    try:
        sent = wabei(deployed.project, "cns", "call", deployed.name, "approve", A1, "3",
                     "--private-key-env", "WABEI_TEST_DEPLOY_KEY", *deployed.rpc)
    finally:
        del os.environ["WABEI_TEST_DEPLOY_KEY"]
    assert sent.code == 0, sent.err
    allowance = wabei(deployed.project, "cns", "call", deployed.name, "allowance", A0, A1, *deployed.rpc)
    assert allowance.out.strip() == "3"


def test_set_latest_switches_and_rolls_back(deployed: Deployed, project: Path, node: RunningNode) -> None:
    name = unique("Gray")
    rpc = deployed.rpc
    v1 = wabei(project, "deploy", "UserToken.sol", "--args", "One", "1", "[]", "--name", name,
               "--version", "1", *rpc)
    v2 = wabei(project, "deploy", "UserToken.sol", "--args", "Two", "2", "[]", "--name", name,
               "--version", "2", *rpc)
    assert v1.code == 0 and v2.code == 0, (v1.err, v2.err)
    a1, a2 = field(v1.out, "address"), field(v2.out, "address")
    assert wabei(project, "cns", "resolve", name, *rpc).out.strip() == a1  # publishing v2 moved nothing
    assert wabei(project, "cns", "set-latest", name, "2", *rpc).code == 0
    assert wabei(project, "cns", "resolve", name, *rpc).out.strip() == a2
    assert wabei(project, "cns", "call", name, "name", *rpc).out.strip() == "Two"
    assert wabei(project, "cns", "set-latest", name, "1", *rpc).code == 0
    assert wabei(project, "cns", "resolve", name, *rpc).out.strip() == a1
    assert wabei(project, "cns", "resolve", f"{name}@2", *rpc).out.strip() == a2


def test_taken_name_version_is_refused_before_deploying(deployed: Deployed, w3: Web3) -> None:
    nonce = w3.eth.get_transaction_count(A0)
    run = wabei(deployed.project, "deploy", "UserToken.sol:UserToken", "--args", "Else", "5", "[]",
                "--name", deployed.name, "--version", "1.0.0", *deployed.rpc)
    fails_clearly(run, 1, f"{deployed.name}@1.0.0 already points at {deployed.address}")
    assert w3.eth.get_transaction_count(A0) == nonce


@pytest.mark.parametrize(("args", "code", "fragments"), [
    (["cns", "resolve", "my token"], 2, ["whitespace"]),
    (["cns", "resolve", "my.token"], 2, ["dot"]),
    (["cns", "resolve", "my_token"], 2, ["not a valid ENS label"]),
    (["cns", "show", "ab--cd"], 2, ["not a valid ENS label"]),
    (["cns", "resolve", "Token@"], 2, ["version is empty"]),
    (["cns", "resolve", "Token@1 0"], 2, ["may contain only"]),
    (["cns", "resolve", "NoSuchNameAnywhere"], 1, ["no contract is registered"]),
    (["cns", "show", "NoSuchNameAnywhere"], 1, ["no contract is registered"]),
    (["cns", "call", "NoSuchNameAnywhere", "f"], 1, ["no contract is registered"]),
    (["cns", "set-latest", "NoSuchNameAnywhere", "1"], 1, []),
    (["cns", "register", "Abc", "1", A1, "--abi", "[not json"], 2, ["ABI is not valid JSON"]),
    (["cns", "register", "Abc", "1", A1, "--abi", "[]"], 1, ["not a contract"]),
    (["cns", "register", "Abc", "1", "0x12", "--abi", "[]"], 2, ["not an address"]),
    (["cns", "nonsense"], 2, ["invalid choice"]),
    (["cns"], 2, []),
    (["deploy"], 2, ["required"]),
    (["deploy", "Missing.sol:Missing"], 1, ["no such source file: Missing.sol"]),
    (["deploy", "UserToken.sol:Nope"], 1, ["no deployable contract 'Nope'", "UserToken"]),
    (["deploy", "UserToken.sol:1bad"], 2, ["FILE.sol:CONTRACT"]),
    (["deploy", "Broken.sol:Broken"], 1, ["compile error", "ParserError", "Broken.sol:3"]),
    (["deploy", "UserToken.sol", "--args", "x"], 2, ["takes 3 argument(s)", "got 1"]),
    (["deploy", "UserToken.sol", "--args", "x", "ten", "[]"], 2, ["supply (uint256)", "not an integer"]),
    (["deploy", "UserToken.sol", "--args", "x", "1", "0x00"], 2, ["holders (address[])", "JSON array"]),
    (["deploy", "UserToken.sol", "--args", "x", "1", "[]", "--name", "a b", "--version", "1"], 2, ["whitespace"]),
    (["deploy", "UserToken.sol", "--args", "x", "1", "[]", "--name", "Abc"], 2, ["--name needs --version"]),
    (["deploy", "UserToken.sol", "--args", "x", "1", "[]", "--private-key-env", "WABEI_UNSET_VAR_X"], 2,
     ["WABEI_UNSET_VAR_X is not set"]),
])
def test_bad_input_gives_one_clear_line(
    deployed: Deployed, args: list[str], code: int, fragments: list[str]
) -> None:
    (deployed.project / "Broken.sol").write_text("pragma solidity ^0.8.0;\ncontract Broken {\n uint x }\n")
    fails_clearly(wabei(deployed.project, *args, *deployed.rpc), code, *fragments)


@pytest.mark.parametrize(("call", "code", "fragments"), [
    (["nothingHere"], 1, ["has no function 'nothingHere'", "balanceOf"]),
    (["balanceOf"], 2, ["takes 1 argument(s)", "got 0"]),
    (["balanceOf", A0, A1], 2, ["takes 1 argument(s)", "got 2"]),
    (["balanceOf", "0x12"], 2, ["not a 0x address"]),
    (["transfer", A1, "10000000"], 1, ["reverted", "ERC20InsufficientBalance"]),
])
def test_bad_calls_give_one_clear_line(
    deployed: Deployed, call: list[str], code: int, fragments: list[str]
) -> None:
    result = wabei(deployed.project, "cns", "call", deployed.name, *call, *deployed.rpc)
    fails_clearly(result, code, *fragments)


def test_call_of_unknown_version(deployed: Deployed) -> None:
    missing = wabei(deployed.project, "cns", "call", f"{deployed.name}@9.9.9", "name", *deployed.rpc)
    fails_clearly(missing, 1, "has no version")


def test_unreachable_node_is_one_clear_line(project: Path) -> None:
    for args in (["cns", "list"], ["deploy", "UserToken.sol", "--args", "x", "1", "[]"]):
        fails_clearly(wabei(project, *args, "--rpc-url", "http://127.0.0.1:9"), 1,
                      "no JSON-RPC node answers at http://127.0.0.1:9")


def test_non_owner_and_unknown_sender_are_refused(deployed: Deployed) -> None:
    not_owner = wabei(deployed.project, "cns", "set-latest", deployed.name, "1.0.0", "--from", A1,
                      *deployed.rpc)
    fails_clearly(not_owner, 1, "only the owner", A0)
    stranger = "0x000000000000000000000000000000000000dEaD"
    unknown = wabei(deployed.project, "cns", "call", deployed.name, "approve", A1, "1", "--from", stranger,
                    *deployed.rpc)
    fails_clearly(unknown, 1, "the node refused", "unknown account")
