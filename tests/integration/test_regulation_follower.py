"""Interception reports are consensus: a second node that re-executes every block from its body
alone (no receipts) reproduces the same receipts, logs bloom and head hash, and indexes the
same reports for wabei_getInterceptions."""
from __future__ import annotations

from web3 import Web3

from chain.config import NodeConfig
from tests.inprocess import NodeThread
from tests.integration.helpers import A1, deploy, dev_account, rpc
from tests.integration.regulation_helpers import appoint, reports, send


def test_a_follower_reproduces_the_reports_and_their_index() -> None:
    thread = NodeThread()
    try:
        leader = thread.start(NodeConfig.test())
        follower = thread.start_follower(leader.chain)
        lw, fw = Web3(Web3.HTTPProvider(leader.http_url)), Web3(Web3.HTTPProvider(follower.http_url))
        reg, kyc = appoint(lw)
        target, probe = deploy(lw, "GovTarget"), deploy(lw, "RegProbe")
        reg.block(dev_account(3).address)
        reg.block_method(target.address, "set(uint256)")
        reg.set_threshold(10**18, 1)
        failed = send(lw, {"from": dev_account(3).address, "to": A1, "value": 1})
        caught = send(lw, {"from": A1, "to": probe.address, "data": probe.encode_abi("trySet", [target.address, 1])})
        too_much = send(lw, {"from": dev_account(4).address, "to": A1, "value": 2 * 10**18})
        assert [failed["status"], caught["status"], too_much["status"]] == [0, 1, 0]
        assert all(len(reports(r)) == 1 for r in (failed, caught, too_much))
        head = lw.eth.get_block("latest")
        assert fw.eth.get_block("latest")["hash"] == head["hash"]
        for receipt in (failed, caught, too_much):
            copy = fw.eth.get_transaction_receipt(receipt["transactionHash"])
            assert (copy["status"], copy["logs"], copy["logsBloom"]) == (
                receipt["status"], receipt["logs"], receipt["logsBloom"])
        page = rpc(leader.http_url, "wabei_getInterceptions", [])
        assert page["total"] == "0x3"
        assert rpc(follower.http_url, "wabei_getInterceptions", []) == page
        assert getattr(follower.chain.engine, "refused") == []
    finally:
        thread.close()
