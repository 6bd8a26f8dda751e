"""What the conformance suite needs besides a Web3: fresh funded wallets that sign raw
transactions, the test contracts' artefacts, and two addresses computed from first principles.

Everything is signed here with eth-account and sent with eth_sendRawTransaction, so a chain
under test needs no unlocked accounts and no dev methods.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import rlp
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import keccak, to_checksum_address
from web3 import Web3
from web3.contract import Contract
from web3.types import TxReceipt

from deploy.compile import load_artifact
from tests.integration.helpers import KEY0

GWEI = 10**9
RECEIPT_TIMEOUT = 30  # seconds: automine answers at once; interval mining needs a block or two

# A CREATE2 factory in 35 bytes, hand-assembled so the suite needs no compiler: calldata is a
# 32-byte salt followed by init code; it deploys that code with CREATE2 (forwarding the call's
# value) and returns the new address. It reverts when CREATE2 fails (the address is taken, or
# too little gas was left for the init code): a factory that returned zero instead would let
# eth_estimateGas settle on a gas limit that starves the inner creation.
#   PUSH1 32 CALLDATASIZE SUB DUP1 PUSH1 32 PUSH1 0 CALLDATACOPY   memory[0:] = init code
#   PUSH1 0 CALLDATALOAD SWAP1 PUSH1 0 CALLVALUE CREATE2           create2(value, 0, len, salt)
#   DUP1 PUSH1 26 JUMPI PUSH1 0 DUP1 REVERT                        zero address: revert
#   JUMPDEST PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN                return the address word
FACTORY_RUNTIME = bytes([0x60, 32, 0x36, 0x03, 0x80, 0x60, 32, 0x60, 0, 0x37,
                         0x60, 0, 0x35, 0x90, 0x60, 0, 0x34, 0xF5,
                         0x80, 0x60, 26, 0x57, 0x60, 0, 0x80, 0xFD,
                         0x5B, 0x60, 0, 0x52, 0x60, 32, 0x60, 0, 0xF3])


def init_code_for(runtime: bytes) -> bytes:
    """Creation code that deploys `runtime` as it is (CODECOPY it, RETURN it); `runtime` < 256 bytes."""
    # PUSH1 len DUP1 PUSH1 11 PUSH1 0 CODECOPY PUSH1 0 RETURN: 11 bytes, then the runtime.
    return bytes([0x60, len(runtime), 0x80, 0x60, 11, 0x60, 0, 0x39, 0x60, 0, 0xF3]) + runtime


def create_address(sender: str, nonce: int) -> str:
    """The address CREATE gives: keccak(rlp([sender, nonce]))[12:]."""
    return to_checksum_address(keccak(rlp.encode([bytes.fromhex(sender[2:]), nonce]))[12:])


def create2_address(factory: str, salt: bytes, init_code: bytes) -> str:
    """The address CREATE2 gives (EIP-1014): keccak(0xff ++ factory ++ salt ++ keccak(init_code))[12:]."""
    return to_checksum_address(keccak(b"\xff" + bytes.fromhex(factory[2:]) + salt + keccak(init_code))[12:])


def artifact(name: str) -> tuple[list[dict[str, Any]], bytes]:
    """ABI and creation code of a compiled test contract (contracts/build)."""
    art = load_artifact(name)
    return art.abi, bytes.fromhex(art.bytecode[2:])


def runtime_code(name: str) -> bytes:
    """The code a compiled test contract leaves on chain (none of them has immutables)."""
    return bytes.fromhex(load_artifact(name).deployed_bytecode[2:])


@dataclass
class Wallet:
    """An account of the test's own that signs every transaction locally."""

    w3: Web3
    account: LocalAccount

    @property
    def address(self) -> str:
        return str(self.account.address)

    def fields(self, **tx: Any) -> dict[str, Any]:
        """A complete EIP-1559 transaction: the pending nonce, fees above the base fee, gas estimated."""
        base_fee = int(self.w3.eth.get_block("latest")["baseFeePerGas"])
        out: dict[str, Any] = {"chainId": self.w3.eth.chain_id, "value": 0, "maxPriorityFeePerGas": GWEI,
                               "maxFeePerGas": 2 * base_fee + GWEI,
                               "nonce": self.w3.eth.get_transaction_count(self.account.address, "pending"), **tx}
        if "gas" not in out:
            call = {k: out[k] for k in ("to", "data", "value") if k in out}
            request = {"from": self.account.address, **call}
            out["gas"] = self.w3.eth.estimate_gas(request)  # type: ignore[arg-type]
        return out

    def sign(self, **tx: Any) -> bytes:
        raw: bytes = self.account.sign_transaction(self.fields(**tx)).raw_transaction
        return raw

    def send(self, **tx: Any) -> TxReceipt:
        """Sign, send and wait; the receipt (its status is the caller's to check)."""
        tx_hash = self.w3.eth.send_raw_transaction(self.sign(**tx))
        return self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=RECEIPT_TIMEOUT)

    def deploy(self, name: str, *args: Any) -> Contract:
        """Deploy a compiled test contract with a signed creation transaction."""
        abi, code = artifact(name)
        data = self.w3.eth.contract(abi=abi, bytecode=code).constructor(*args).data_in_transaction
        receipt = self.send(data=data)
        assert receipt["status"] == 1, f"deploying {name} failed: {receipt}"
        return self.w3.eth.contract(address=receipt["contractAddress"], abi=abi)


def funded_wallet(w3: Web3, wei: int = 10**18) -> Wallet:
    """A new account holding `wei`, paid for by the chain's funded dev account 0."""
    wallet = Wallet(w3, Account.create())
    receipt = Wallet(w3, Account.from_key(KEY0)).send(to=wallet.address, value=wei, gas=21_000)
    assert receipt["status"] == 1
    return wallet


def rpc_raw(w3: Web3, method: str, *params: Any) -> dict[str, Any]:
    """The whole JSON-RPC response (result or error), as a client on the wire sees it."""
    response: dict[str, Any] = dict(w3.provider.make_request(method, list(params)))  # type: ignore[arg-type]
    return response
