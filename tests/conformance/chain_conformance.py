"""One suite of Ethereum conformance tests that any way of running a Wabei chain must pass.

In the manner of eth-tester's backend suite: `ChainConformance` holds the tests, and each way
of running a chain (a node process, an in-process node, an importing follower, a second chain
in one process ...) is a subclass that says only how to reach it.
"""
from __future__ import annotations

import json
from typing import Any

import pytest
from eth_abi import encode
from eth_account import Account
from eth_utils import keccak, to_checksum_address
from web3 import Web3
from web3.logs import DISCARD

from cns.abi import CNS_ABI
from cns.client import CNS_ADDRESS
from conformance_tools import (
    FACTORY_RUNTIME, GWEI, RECEIPT_TIMEOUT, Wallet, artifact, create2_address, create_address, funded_wallet,
    init_code_for, rpc_raw, runtime_code,
)

TRANSFER = keccak(text="Transfer(address,address,uint256)")
APPROVAL = keccak(text="Approval(address,address,uint256)")
ERROR_STRING = keccak(text="Error(string)")[:4]
DELEGATION_PREFIX = bytes.fromhex("ef0100")  # EIP-7702: code of a delegated account


def topic(address: str) -> bytes:
    """An address as an indexed event argument (32 bytes, left-padded)."""
    return b"\x00" * 12 + bytes.fromhex(address[2:])


class ChainConformance:
    """Conformance tests over JSON-RPC; subclass it and supply the chain.

    Fixture contract (the only thing a subclass provides):

    * ``rpc_url`` -- the HTTP JSON-RPC URL of a running chain; or override ``w3`` instead to
      hand over any ``Web3`` (another provider, say), in which case ``rpc_url`` is not used.

    The chain behind it must:

    * fund dev account 0 of the standard mnemonic ("test test ... junk", 0xf39F...2266) with
      at least 20 ETH: each test moves 1 ETH from it into a fresh account of its own;
    * accept raw EIP-1559 and EIP-7702 (type 4) transactions for its own ``eth_chainId`` and
      mine each within ``conformance_tools.RECEIPT_TIMEOUT`` seconds (automine does at once);
    * have the CNS precompile at 0x...1004 (every Wabei chain has).

    The tests may share that chain with anything else: each deploys its own contracts, uses
    fresh accounts, and assumes no block number, no dev account balance and no empty pool.
    Nothing here uses eth_sendTransaction, unlocked accounts or dev (evm_/anvil_) methods.
    """

    @pytest.fixture()
    def w3(self, rpc_url: str) -> Web3:
        return Web3(Web3.HTTPProvider(rpc_url))

    @pytest.fixture()
    def wallet(self, w3: Web3) -> Wallet:
        return funded_wallet(w3)

    # --- ERC-20 and logs ----------------------------------------------------------------------
    def test_erc20_deploys_at_the_create_address_and_moves_balances(self, w3: Web3, wallet: Wallet) -> None:
        expected = create_address(wallet.address, w3.eth.get_transaction_count(wallet.address))
        token = wallet.deploy("TestToken", "Conformance", "CNF", 1000)
        assert token.address == expected
        assert w3.eth.get_code(token.address) == runtime_code("TestToken")
        assert (token.functions.symbol().call(), token.functions.totalSupply().call()) == ("CNF", 1000)
        bob = Account.create().address
        receipt = wallet.send(to=token.address, data=token.encode_abi("transfer", [bob, 250]))
        assert receipt["status"] == 1
        assert token.functions.balanceOf(wallet.address).call() == 750
        assert token.functions.balanceOf(bob).call() == 250

    def test_logs_are_found_by_address_and_topic_filters(self, w3: Web3, wallet: Wallet) -> None:
        token = wallet.deploy("TestToken", "Conformance", "CNF", 1000)
        bob, carol = Account.create().address, Account.create().address
        first = wallet.send(to=token.address, data=token.encode_abi("transfer", [bob, 1]))["blockNumber"]
        wallet.send(to=token.address, data=token.encode_abi("transfer", [carol, 2]))
        wallet.send(to=token.address, data=token.encode_abi("approve", [bob, 3]))

        def logs(*topics: Any) -> list[tuple[str, int]]:
            found = w3.eth.get_logs({"address": token.address, "fromBlock": first, "toBlock": "latest",
                                     "topics": list(topics)})  # type: ignore[typeddict-item]
            return [(("T" if log["topics"][0] == TRANSFER else "A"), int.from_bytes(log["data"], "big"))
                    for log in found]

        assert logs() == [("T", 1), ("T", 2), ("A", 3)]
        assert logs(TRANSFER) == [("T", 1), ("T", 2)]
        assert logs(TRANSFER, topic(wallet.address), topic(carol)) == [("T", 2)]
        assert logs(TRANSFER, None, [topic(bob), topic(carol)]) == [("T", 1), ("T", 2)]  # alternatives
        assert logs([TRANSFER, APPROVAL], None, topic(bob)) == [("T", 1), ("A", 3)]
        assert logs(TRANSFER, topic(bob)) == []  # bob sent nothing
        other = w3.eth.get_logs({"address": Account.create().address, "fromBlock": first})
        assert other == []

    # --- reverts --------------------------------------------------------------------------------
    def test_a_revert_is_code_3_with_the_reason_and_the_revert_data(self, w3: Web3, wallet: Wallet) -> None:
        token = wallet.deploy("TestToken", "Conformance", "CNF", 1)
        call = {"from": wallet.address, "to": token.address, "data": token.encode_abi("failWithReason", [])}
        reason_data = "0x" + (ERROR_STRING + encode(["string"], ["TestToken: boom"])).hex()
        for method, params in (("eth_call", [call, "latest"]), ("eth_estimateGas", [call])):
            error = rpc_raw(w3, method, *params)["error"]
            assert error == {"code": 3, "message": "execution reverted: TestToken: boom", "data": reason_data}
        custom = {**call, "data": token.encode_abi("failWithCustomError", [7, 9])}
        error = rpc_raw(w3, "eth_call", custom, "latest")["error"]
        selector = keccak(text="InsufficientThing(uint256,uint256)")[:4]
        assert error["code"] == 3 and error["message"].startswith("execution reverted")
        assert error["data"] == "0x" + (selector + encode(["uint256", "uint256"], [7, 9])).hex()

    def test_a_mined_revert_fails_the_receipt_but_takes_nonce_and_gas(self, w3: Web3, wallet: Wallet) -> None:
        token = wallet.deploy("TestToken", "Conformance", "CNF", 1)
        nonce, balance = w3.eth.get_transaction_count(wallet.address), w3.eth.get_balance(wallet.address)
        receipt = wallet.send(to=token.address, data=token.encode_abi("failWithReason", []), gas=100_000)
        assert receipt["status"] == 0 and receipt["logs"] == []
        assert w3.eth.get_transaction_count(wallet.address) == nonce + 1
        assert w3.eth.get_balance(wallet.address) == balance - receipt["gasUsed"] * receipt["effectiveGasPrice"]

    # --- CREATE2 --------------------------------------------------------------------------------
    def test_create2_deploys_at_the_predicted_address_once(self, w3: Web3, wallet: Wallet) -> None:
        factory = wallet.send(data=init_code_for(FACTORY_RUNTIME))["contractAddress"]
        assert factory is not None and w3.eth.get_code(factory) == FACTORY_RUNTIME
        counter_abi, counter_code = artifact("Counter")
        salt = keccak(text=f"conformance {wallet.address}")
        predicted = create2_address(factory, salt, counter_code)
        payload = salt + counter_code
        returned = w3.eth.call({"from": wallet.address, "to": factory, "data": payload})  # type: ignore[typeddict-item]
        assert to_checksum_address(returned[12:]) == predicted   # what CREATE2 would do, not done
        assert w3.eth.get_code(predicted) == b""
        assert wallet.send(to=factory, data=payload)["status"] == 1
        assert w3.eth.get_code(predicted) == runtime_code("Counter")
        counter = w3.eth.contract(address=predicted, abi=counter_abi)
        assert wallet.send(to=predicted, data=counter.encode_abi("increment", []))["status"] == 1
        assert counter.functions.number().call() == 1
        # The same salt and code again: the address is taken, CREATE2 fails and the factory reverts.
        again = rpc_raw(w3, "eth_call", {"from": wallet.address, "to": factory, "data": "0x" + payload.hex()}, "latest")
        assert again["error"]["message"].startswith("execution reverted"), again

    # --- CNS, through the FISCO interface -------------------------------------------------------
    def test_cns_insert_publishes_a_version_through_the_fisco_interface(self, w3: Web3, wallet: Wallet) -> None:
        cns = w3.eth.contract(address=CNS_ADDRESS, abi=CNS_ABI)
        target = wallet.deploy("Counter")
        name = f"Conformance{wallet.address[2:14]}"
        abi_json = json.dumps(target.abi)
        insert = cns.encode_abi("insert", [name, "1.0.0", target.address, abi_json])
        receipt = wallet.send(to=CNS_ADDRESS, data=insert)
        assert receipt["status"] == 1
        (published,) = cns.events.VersionPublished().process_receipt(receipt, errors=DISCARD)
        assert published["address"] == CNS_ADDRESS
        assert (published["args"]["name"], published["args"]["version"]) == (name, "1.0.0")
        assert (published["args"]["addr"], published["args"]["publisher"]) == (target.address, wallet.address)
        assert cns.functions.getContractAddress(name, "1.0.0").call() == target.address
        assert json.loads(cns.functions.selectByName(name).call()) == [
            {"name": name, "version": "1.0.0", "address": target.address, "abi": abi_json}]
        assert cns.functions.ownerOf(name).call() == wallet.address
        error = rpc_raw(w3, "eth_call", {"from": wallet.address, "to": CNS_ADDRESS, "data": insert}, "latest")["error"]
        assert error["code"] == 3 and "already exists" in error["message"]

    # --- EIP-7702 -------------------------------------------------------------------------------
    def test_eip7702_delegation_runs_the_delegate_code_on_the_eoa(self, w3: Web3, wallet: Wallet) -> None:
        counter = wallet.deploy("Counter")
        eoa = Account.create()  # never funded: the wallet sponsors its delegation
        receipt = self._delegate(w3, wallet, eoa, counter.address, data=counter.encode_abi("increment", []))
        assert receipt["status"] == 1 and receipt["type"] == 4 and receipt["to"] == eoa.address
        assert w3.eth.get_code(eoa.address) == DELEGATION_PREFIX + bytes.fromhex(counter.address[2:])
        assert w3.eth.get_transaction_count(eoa.address) == 1  # the authorization used nonce 0
        (log,) = receipt["logs"]  # Counter's code ran in the EOA's context: its storage, its logs
        assert log["address"] == eoa.address and int.from_bytes(log["data"], "big") == 1
        assert int.from_bytes(w3.eth.get_storage_at(eoa.address, 0), "big") == 1
        assert counter.functions.number().call() == 0
        delegated = w3.eth.contract(address=eoa.address, abi=counter.abi)
        assert delegated.functions.number().call() == 1
        # Delegating to the zero address clears the code (the storage stays).
        assert self._delegate(w3, wallet, eoa, "0x" + "00" * 20, nonce=1)["status"] == 1
        assert w3.eth.get_code(eoa.address) == b""
        assert int.from_bytes(w3.eth.get_storage_at(eoa.address, 0), "big") == 1

    def test_a_type_4_transaction_shows_its_authorization_list(self, w3: Web3, wallet: Wallet) -> None:
        counter = wallet.deploy("Counter")
        eoa = Account.create()
        receipt = self._delegate(w3, wallet, eoa, counter.address)
        tx = w3.eth.get_transaction(receipt["transactionHash"])
        assert tx["type"] == 4
        (auth,) = tx["authorizationList"]  # type: ignore[typeddict-item]
        assert (auth["address"], auth["nonce"], auth["chainId"]) == (counter.address, 0, w3.eth.chain_id)

    def _delegate(self, w3: Web3, sponsor: Wallet, eoa: Any, delegate: str, nonce: int = 0,
                  data: bytes | str = b"") -> Any:
        """Send a type-4 transaction from `sponsor` to `eoa` carrying `eoa`'s authorization."""
        auth = eoa.sign_authorization({"chainId": w3.eth.chain_id, "address": delegate, "nonce": nonce})
        raw = sponsor.account.sign_transaction(sponsor.fields(
            type=4, to=eoa.address, data=data, gas=200_000, authorizationList=[auth])).raw_transaction
        return w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(raw), timeout=RECEIPT_TIMEOUT)

    # --- receipts, logs and blocks agree --------------------------------------------------------
    def test_receipt_transaction_logs_and_block_agree(self, w3: Web3, wallet: Wallet) -> None:
        token = wallet.deploy("TestToken", "Conformance", "CNF", 10)
        bob = Account.create().address
        receipt = wallet.send(to=token.address, data=token.encode_abi("transfer", [bob, 4]))
        tx_hash = receipt["transactionHash"]
        block = w3.eth.get_block(receipt["blockNumber"])
        assert w3.eth.get_block(block["hash"]) == block
        assert block["hash"] == receipt["blockHash"] and block["number"] == receipt["blockNumber"]
        assert block["transactions"][receipt["transactionIndex"]] == tx_hash
        assert block["parentHash"] == w3.eth.get_block(block["number"] - 1)["hash"]
        assert w3.eth.get_block_transaction_count(block["hash"]) == len(block["transactions"])
        tx = w3.eth.get_transaction(tx_hash)
        assert (tx["from"], tx["to"], tx["blockHash"], tx["transactionIndex"]) == (
            wallet.address, token.address, block["hash"], receipt["transactionIndex"])
        assert w3.eth.get_transaction_by_block(block["hash"], receipt["transactionIndex"]) == tx
        assert (receipt["from"], receipt["to"], receipt["type"]) == (wallet.address, token.address, 2)
        receipts = w3.eth.get_block_receipts(block["number"])
        assert receipts[receipt["transactionIndex"]] == receipt
        assert block["gasUsed"] == sum(r["gasUsed"] for r in receipts) == receipts[-1]["cumulativeGasUsed"]
        (log,) = receipt["logs"]
        assert (log["address"], log["topics"]) == (token.address, [TRANSFER, topic(wallet.address), topic(bob)])
        assert (log["transactionHash"], log["blockHash"], log["blockNumber"]) == (
            tx_hash, block["hash"], block["number"])
        in_block = w3.eth.get_logs({"blockHash": block["hash"]})
        assert log in in_block and [entry["logIndex"] for entry in in_block] == list(range(len(in_block)))

    # --- nonces and balances --------------------------------------------------------------------
    def test_nonce_and_balance_accounting(self, w3: Web3, wallet: Wallet) -> None:
        funded_at = w3.eth.block_number
        start = w3.eth.get_balance(wallet.address)
        assert start == 10**18 and w3.eth.get_transaction_count(wallet.address) == 0
        payee = Account.create().address
        receipts = [wallet.send(to=payee, value=v * GWEI) for v in (1, 2, 3)]
        assert [w3.eth.get_transaction(r["transactionHash"])["nonce"] for r in receipts] == [0, 1, 2]
        assert w3.eth.get_transaction_count(wallet.address) == 3
        assert w3.eth.get_transaction_count(wallet.address, "pending") == 3
        fees = sum(r["gasUsed"] * r["effectiveGasPrice"] for r in receipts)
        assert all(r["gasUsed"] == 21_000 for r in receipts)
        assert w3.eth.get_balance(payee) == 6 * GWEI
        assert w3.eth.get_balance(wallet.address) == start - 6 * GWEI - fees
        assert w3.eth.get_balance(wallet.address, funded_at) == start       # history is kept
        assert w3.eth.get_transaction_count(wallet.address, funded_at) == 0

    def test_stale_nonces_and_missing_funds_are_refused(self, w3: Web3, wallet: Wallet) -> None:
        assert wallet.send(to=wallet.address, value=1)["status"] == 1
        stale = wallet.account.sign_transaction(wallet.fields(to=wallet.address, value=2, nonce=0, gas=21_000))
        error = rpc_raw(w3, "eth_sendRawTransaction", "0x" + stale.raw_transaction.hex())["error"]
        assert error["code"] == -32000 and "nonce too low" in error["message"]
        broke = Wallet(w3, Account.create())
        raw = broke.account.sign_transaction(broke.fields(to=wallet.address, value=1, gas=21_000))
        error = rpc_raw(w3, "eth_sendRawTransaction", "0x" + raw.raw_transaction.hex())["error"]
        assert error["code"] == -32000 and "insufficient funds" in error["message"]
        assert w3.eth.get_transaction_count(wallet.address) == 1

