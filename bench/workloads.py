"""What the benchmark does to a running node, through web3.py over HTTP, with pre-signed txs.

Transactions are EIP-1559 (maxFee 10 gwei, tip 1 gwei) from the `test test ... junk` dev accounts,
signed before the timed loop starts, so no figure includes client-side signing.
"""
from __future__ import annotations

import os
import random
import statistics
import threading
import time
from dataclasses import dataclass
from typing import Any

import rlp
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import keccak, to_checksum_address
from web3 import Web3
from web3.exceptions import TransactionNotFound

from deploy.compile import Artifact, CompilerConfig, compile_sources, default_root, load_artifact, load_config

Account.enable_unaudited_hdwallet_features()
MNEMONIC = "test test test test test test test test test test test junk"
MAX_FEE = 10 * 10**9
TIP = 1 * 10**9
TOKEN_SUPPLY = 10**27
AMOUNT = 10**18  # tokens per benchmark transfer


def dev_accounts(count: int) -> list[LocalAccount]:
    return [Account.from_mnemonic(MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}") for i in range(count)]


def fresh_addresses(n: int) -> list[str]:
    """`n` random never-used addresses: every transfer creates a new account or token balance."""
    return [Web3.to_checksum_address(os.urandom(20)) for _ in range(n)]


def connect(url: str) -> Web3:
    return Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": 120}))


@dataclass(frozen=True)
class Signer:
    """Signs EIP-1559 transactions for one account and chain id with explicit nonces."""

    account: LocalAccount
    chain_id: int

    def sign(self, nonce: int, to: str | None, data: bytes | str = b"", gas: int = 21_000,
             value: int = 0) -> bytes:
        tx: dict[str, Any] = {"chainId": self.chain_id, "nonce": nonce, "value": value, "gas": gas,
                              "maxFeePerGas": MAX_FEE, "maxPriorityFeePerGas": TIP, "type": 2,
                              "data": data}
        if to is not None:
            tx["to"] = to
        raw: bytes = self.account.sign_transaction(tx).raw_transaction
        return raw

    def eth_transfers(self, first_nonce: int, recipients: list[str]) -> list[bytes]:
        return [self.sign(first_nonce + i, to, value=10**12) for i, to in enumerate(recipients)]

    def token_deploy(self, nonce: int, art: Artifact) -> bytes:
        factory = Web3().eth.contract(abi=art.abi, bytecode=art.bytecode)
        data = factory.constructor("Bench", "BNC", TOKEN_SUPPLY).data_in_transaction
        return self.sign(nonce, None, data, gas=3_000_000)

    def token_transfers(self, token: str, first_nonce: int, recipients: list[str],
                        amount: int = AMOUNT) -> list[bytes]:
        token = Web3.to_checksum_address(token)
        return [self.sign(first_nonce + i, token, transfer_calldata(to, amount), gas=100_000)
                for i, to in enumerate(recipients)]


def transfer_calldata(to: str, amount: int) -> bytes:
    """ABI encoding of `transfer(address,uint256)`, by hand: web3's encoder costs ~1 ms a call."""
    return _TRANSFER + bytes(12) + bytes.fromhex(to[2:]) + amount.to_bytes(32, "big")


_TRANSFER = keccak(text="transfer(address,uint256)")[:4]


def token_artifact() -> Artifact:
    """TestToken (OpenZeppelin ERC-20) built for Shanghai, so every peer runs the same bytecode.

    The committed build targets Cancun, which Ganache 7.9 (Shanghai at most) cannot run; same
    source and pinned compiler, only `evmVersion` differs.
    """
    root = default_root()
    config = load_config(root)
    settings = {**config.settings, "evmVersion": "shanghai"}
    built = compile_sources([root / "contracts/test/TestToken.sol"], root, CompilerConfig(config.version, settings))
    return built["TestToken"]


def token_address(sender: str, nonce: int) -> str:
    """The address a CREATE from `sender` at `nonce` deploys to (so transfers can be pre-signed)."""
    return to_checksum_address(keccak(rlp.encode([bytes.fromhex(sender[2:]), nonce]))[12:])


def wait_receipt(w3: Web3, tx_hash: bytes, poll_s: float = 0.001, timeout: float = 120) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            receipt = w3.eth.get_transaction_receipt(tx_hash)  # type: ignore[arg-type]
            if receipt is not None:
                return receipt
        except TransactionNotFound:
            pass
        time.sleep(poll_s)
    raise TimeoutError(f"no receipt for 0x{tx_hash.hex()} within {timeout}s")


def sequential(w3: Web3, raws: list[bytes]) -> float:
    """tx/s of a client that sends one transaction, waits for its receipt, then sends the next."""
    t = time.perf_counter()
    for raw in raws:
        receipt = wait_receipt(w3, w3.eth.send_raw_transaction(raw))
        if receipt["status"] != 1:
            raise RuntimeError(f"transaction failed: {receipt}")
    return len(raws) / (time.perf_counter() - t)


def pipelined(w3: Web3, raws: list[bytes]) -> float:
    """tx/s of a client that sends every transaction back to back and waits only for the last
    receipt: the node's own cost per transaction is all that counts (issue 16)."""
    t = time.perf_counter()
    hashes = [bytes(w3.eth.send_raw_transaction(raw)) for raw in raws]
    wait_receipt(w3, hashes[-1])
    elapsed = time.perf_counter() - t
    # One sender, consecutive nonces: the last receipt means every one is mined; spot-check them.
    for h in random.sample(hashes, min(20, len(hashes))) + [hashes[-1]]:
        if w3.eth.get_transaction_receipt(h)["status"] != 1:  # type: ignore[arg-type]
            raise RuntimeError(f"pipelined transfer 0x{h.hex()} failed")
    return len(raws) / elapsed


def deploy(w3: Web3, raw: bytes, poll_s: float = 0.001) -> str:
    receipt = wait_receipt(w3, w3.eth.send_raw_transaction(raw), poll_s)
    if receipt["status"] != 1:
        raise RuntimeError("TestToken deploy failed")
    return str(receipt["contractAddress"])


def concurrent(url: str, per_sender: list[list[bytes]], poll_s: float = 0.05) -> float:
    """tx/s with one thread (and HTTP connection) per sender, each sending its transactions back
    to back without waiting for receipts; the clock stops when the last one is mined."""
    hashes: list[list[bytes]] = [[] for _ in per_sender]
    errors: list[BaseException] = []

    def send(i: int) -> None:
        w3 = connect(url)
        try:
            for raw in per_sender[i]:
                hashes[i].append(bytes(w3.eth.send_raw_transaction(raw)))
        except BaseException as exc:  # reported after join
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(per_sender))]
    t = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    if errors:
        raise RuntimeError(f"a sender failed: {errors[0]!r}")
    w3 = connect(url)
    # Nonces are consecutive per sender, so each sender's last receipt means all of its are mined.
    for own in hashes:
        wait_receipt(w3, own[-1], poll_s)
    elapsed = time.perf_counter() - t
    everything = [h for own in hashes for h in own]
    for h in random.sample(everything, min(50, len(everything))) + [own[-1] for own in hashes]:
        if w3.eth.get_transaction_receipt(h)["status"] != 1:  # type: ignore[arg-type]
            raise RuntimeError(f"concurrent transfer 0x{h.hex()} failed")
    return len(everything) / elapsed


def call_latency_ms(w3: Web3, token: str, holder: str, calls: int = 200) -> float:
    """Median wall time of `balanceOf` through web3's contract API (eth_call at `latest`)."""
    contract = w3.eth.contract(address=Web3.to_checksum_address(token), abi=load_artifact("TestToken").abi)
    fn = contract.functions.balanceOf(holder)
    if fn.call() != AMOUNT:
        raise RuntimeError("balanceOf returned a wrong balance")
    lat = []
    for _ in range(calls):
        t = time.perf_counter()
        fn.call()
        lat.append((time.perf_counter() - t) * 1000)
    return statistics.median(lat)
