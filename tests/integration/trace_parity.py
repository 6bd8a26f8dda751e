"""The scenario the trace comparisons replay on Wabei and on a reference node, and the few
normalisations they allow (each one is listed, with its reason, in docs/tracing.md).

One key (the standard mnemonic's account 9) signs every transaction once, for chain id 1337; the
same raw bytes go to every node, so senders, nonces, contract addresses and transaction hashes
are the same everywhere. Every transaction pays a fixed effective gas price (max fee = priority
fee), so the sender's balance before each one is the same on every node as long as the gas used
is: the comparison checks that first.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from eth_abi import encode
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import function_signature_to_4byte_selector, keccak, to_checksum_address
from helpers import A1, dev_account, rpc, rpc_raw

from deploy.compile import load_artifact

CHAIN_ID = 1337
SENDER: LocalAccount = dev_account(9)
FUNDS = 10_000 * 10**18            # what every node gives account 9 at genesis
GAS_PRICE = 2 * 10**9              # fixed effective price: max fee = priority fee
PROBE = to_checksum_address(keccak(bytes([0xD6, 0x94]) + bytes.fromhex(SENDER.address[2:]) + b"\x80")[12:])
SIGNED_DIGEST = keccak(b"wabei trace parity")
ECRECOVER_KEY = "0x" + "42" * 32


@dataclass(frozen=True)
class SentTx:
    """One scenario transaction: what it exercises, its hash, and its receipt's status and gas."""

    label: str
    hash: str
    status: int
    gas_used: int


def _call(signature: str, *args: Any) -> bytes:
    types = signature[signature.index("(") + 1:-1]
    return function_signature_to_4byte_selector(signature) + encode(types.split(",") if types else [], list(args))


def scenario() -> list[tuple[str, dict[str, Any]]]:
    """(label, unsigned transaction) in nonce order: a contract creation with value; one call with
    nested CALL/CREATE/CREATE2/DELEGATECALL/STATICCALL frames, a caught inner revert, sha256 and
    ecrecover, SLOAD/SSTORE, a log and value sent back; a revert with Error(string); a
    Panic(0x12); a plain value transfer; a call whose CALL, CREATE (both with more value than
    the contract holds) and CREATE2 (onto the address `probe` already used) fail before their
    frames start."""
    sig = Account.unsafe_sign_hash(SIGNED_DIGEST, ECRECOVER_KEY)
    probe_args = (SIGNED_DIGEST, sig.v, sig.r.to_bytes(32, "big"), sig.s.to_bytes(32, "big"))
    txs: list[tuple[str, dict[str, Any]]] = [
        ("create", {"data": load_artifact("TraceProbe").bytecode, "value": 100, "gas": 1_500_000}),
        ("nested", {"to": PROBE, "data": _call("probe(bytes32,uint8,bytes32,bytes32)", *probe_args),
                    "value": 10, "gas": 1_000_000}),
        ("revert", {"to": PROBE, "data": _call("boom()"), "gas": 100_000}),
        ("panic", {"to": PROBE, "data": _call("divide(uint256,uint256)", 1, 0), "gas": 100_000}),
        ("transfer", {"to": A1, "value": 12_345, "gas": 21_000}),
        ("misfire", {"to": PROBE, "data": _call("misfire(address)", A1), "gas": 1_000_000}),
    ]
    for nonce, (_, tx) in enumerate(txs):
        tx.update(chainId=CHAIN_ID, nonce=nonce, maxFeePerGas=GAS_PRICE, maxPriorityFeePerGas=GAS_PRICE)
    return txs


def run_scenario(url: str) -> list[SentTx]:
    """Send the scenario's signed transactions to the node at `url`, one block each."""
    sent = []
    for label, tx in scenario():
        raw = SENDER.sign_transaction(tx).raw_transaction
        tx_hash = rpc(url, "eth_sendRawTransaction", ["0x" + raw.hex()])
        receipt = _wait_for_receipt(url, tx_hash)
        sent.append(SentTx(label, tx_hash, int(receipt["status"], 16), int(receipt["gasUsed"], 16)))
    return sent


def _wait_for_receipt(url: str, tx_hash: str, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = rpc_raw(url, "eth_getTransactionReceipt", [tx_hash])
        # geth answers -32000 "transaction indexing is in progress" for a while after it starts.
        if "error" in answer and "indexing is in progress" not in answer["error"]["message"]:
            raise AssertionError(f"eth_getTransactionReceipt at {url}: {answer['error']}")
        if answer.get("result") is not None:
            return answer["result"]
        time.sleep(0.05)
    raise AssertionError(f"{tx_hash} was not mined within {timeout} s at {url}")


def differences(ours: Any, theirs: Any, path: str = "$") -> list[str]:
    """Every place where two JSON values differ, as `path: ours != theirs` lines."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        out = []
        for key in sorted(set(ours) | set(theirs)):
            where = f"{path}.{key}"
            if key not in theirs:
                out.append(f"{where}: only Wabei has it ({_short(ours[key])})")
            elif key not in ours:
                out.append(f"{where}: only the reference has it ({_short(theirs[key])})")
            else:
                out += differences(ours[key], theirs[key], where)
        return out
    if isinstance(ours, list) and isinstance(theirs, list):
        out = [f"{path}: {len(ours)} items != {len(theirs)}"] if len(ours) != len(theirs) else []
        for i, (a, b) in enumerate(zip(ours, theirs)):
            out += differences(a, b, f"{path}[{i}]")
        return out
    return [] if ours == theirs else [f"{path}: {_short(ours)} != {_short(theirs)}"]


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) < 120 else text[:117] + "..."


def rename_account(result: dict[str, Any], address: str, name: str) -> dict[str, Any]:
    """A prestate result (or one half of a diff) with `address`'s entry keyed as `name`."""
    return {name if key == address.lower() else key: value for key, value in result.items()}
