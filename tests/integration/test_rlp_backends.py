"""pyrlp's two codecs make the same chain: rusty-rlp (a dependency since issue 16) and the
pure-Python path pyrlp falls back to wherever no rusty-rlp wheel installs.

pyrlp chooses its codec once, at import (`rlp/codec.py`: `try: import rusty_rlp`), and says
nothing about the choice. So each run is a node process of its own: one as installed, one with a
directory first on PYTHONPATH whose `rusty_rlp` module raises ImportError, as on a platform
without the wheel. Both get the same signed transactions and the same block timestamps, and every
block hash (which covers the state, transaction and receipt roots and the bloom), a storage proof
and the encoded transactions must match. The test also reads the node's memory map to show which
codec each process really ran: rusty-rlp's compiled module is mapped only in the default one.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from web3 import Web3
from web3.utils.address import get_create_address

from deploy.compile import load_artifact
from tests.conftest import RunningNode, start_node

KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
GENESIS_TIME = 1_700_000_000
FEES = {"chainId": 31337, "maxFeePerGas": 10 * 10**9, "maxPriorityFeePerGas": 10**9, "type": 2}


def _signed_blocks() -> list[list[bytes]]:
    """Four blocks of signed transactions: a token deploy, then mixed ERC-20 and ETH transfers
    (1, 3 and 7 of them, so the transaction and receipt tries have one, a few and several
    leaves), all from the first dev account."""
    acct = Account.from_key(KEY)
    art = load_artifact("TestToken")
    w3 = Web3()
    deploy = w3.eth.contract(abi=art.abi, bytecode=art.bytecode).constructor("R", "R", 10**27)
    blocks = [[bytes(acct.sign_transaction({**FEES, "nonce": 0, "gas": 3_000_000, "value": 0,
                                            "data": deploy.data_in_transaction}).raw_transaction)]]
    token = w3.eth.contract(address=get_create_address(acct.address, 0), abi=art.abi)
    nonce = 1
    for size in (1, 3, 7):
        block = []
        for i in range(size):
            to = Web3.to_checksum_address(bytes([nonce]) * 20)
            if i % 2:
                tx = {**FEES, "nonce": nonce, "to": to, "value": nonce, "gas": 21_000}
            else:
                tx = {**FEES, "nonce": nonce, "to": token.address, "value": 0, "gas": 100_000,
                      "data": token.encode_abi("transfer", args=[to, nonce * 10**18])}
            block.append(bytes(acct.sign_transaction(tx).raw_transaction))
            nonce += 1
        blocks.append(block)
    return blocks


def _rpc(w3: Web3, method: str, params: list[Any]) -> Any:
    reply = w3.provider.make_request(method, params)  # type: ignore[arg-type]
    assert "error" not in reply, reply
    return reply["result"]


def _run_chain(node: RunningNode, blocks: list[list[bytes]]) -> dict[str, Any]:
    """Mine `blocks` at fixed timestamps and return what must be identical between codecs."""
    w3 = Web3(Web3.HTTPProvider(node.http_url))
    for i, block in enumerate(blocks):
        for raw in block:
            _rpc(w3, "eth_sendRawTransaction", ["0x" + raw.hex()])
        _rpc(w3, "evm_mine", [GENESIS_TIME + 12 * (i + 1)])
    heads = [_rpc(w3, "eth_getBlockByNumber", [hex(n), True]) for n in range(len(blocks) + 1)]
    token = heads[1]["transactions"][0]
    receipt = _rpc(w3, "eth_getTransactionReceipt", [token["hash"]])
    proof = _rpc(w3, "eth_getProof", [receipt["contractAddress"], ["0x0", "0x2"], "latest"])
    return {
        "blocks": [(h["hash"], h["stateRoot"], h["transactionsRoot"], h["receiptsRoot"],
                    h["logsBloom"], len(h["transactions"])) for h in heads],
        "raw": [_rpc(w3, "eth_getRawTransactionByHash", [t["hash"]]) for h in heads for t in h["transactions"]],
        "proof": proof,
    }


def _maps_rusty_rlp(pid: int) -> bool:
    """Whether process `pid` has rusty-rlp's compiled module mapped (it imported it)."""
    return "rusty_rlp" in Path(f"/proc/{pid}/maps").read_text()


def _shadowing(tmp_path: Path) -> dict[str, str]:
    """An environment under which `import rusty_rlp` fails, as where no wheel installed."""
    (tmp_path / "rusty_rlp.py").write_text('raise ImportError("no rusty-rlp on this platform")\n')
    old = os.environ.get("PYTHONPATH")
    return {"PYTHONPATH": os.pathsep.join([str(tmp_path), *([old] if old else [])])}


def test_pure_python_rlp_makes_the_same_chain_as_rusty_rlp(tmp_path: Path) -> None:
    blocks = _signed_blocks()
    shadow = _shadowing(tmp_path)
    # As installed; pure-Python RLP; and pure Python throughout (py-trie for the state too, as on
    # a machine with neither wheel nor Rust: WABEI_PURE_TRIE=1, chain/backend/compiled_trie.py).
    runs = {"rusty": {}, "pure": shadow, "pure, py-trie": {**shadow, "WABEI_PURE_TRIE": "1"}}
    results = {}
    for name, env in runs.items():
        node = start_node("--no-mining", "--timestamp", str(GENESIS_TIME), env=env)
        try:
            results[name] = _run_chain(node, blocks)
            results[name]["codec"] = _maps_rusty_rlp(node.process.pid)
        finally:
            node.stop()
    rusty = results.pop("rusty")
    assert rusty.pop("codec") is True, "the default node did not load rusty-rlp (is it installed?)"
    assert [b[5] for b in rusty["blocks"]] == [0, 1, 1, 3, 7]  # every transaction was mined
    for name, result in results.items():
        assert result.pop("codec") is False, f"the {name} node still loaded rusty-rlp"
        assert result == rusty, name  # blocks (hashes, roots, blooms), raw transactions, proof
