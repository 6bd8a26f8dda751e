"""SystemConfig (0x…1000) over the wire: FISCO's get/set interface, the limits taking effect from
the next block in pool admission and in the block builder, and refusals of bad input that
leave the config unchanged."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from web3 import Web3
from web3.exceptions import ContractLogicError, Web3RPCError

from chain.config import ChainConfig, MiningMode
from governance.client import ConfigValue, SystemConfigClient
from governance.errors import GovernanceInputError, GovernanceRejected
from tests.inprocess import in_process
from tests.integration.helpers import A0, A1, dev_account, rpc, sign_tx

KEY7 = dev_account(7).key.hex()


@pytest.fixture()
def manual() -> Iterator[Any]:
    thread, handle = in_process(ChainConfig(mining=MiningMode.MANUAL))
    yield Web3(Web3.HTTPProvider(handle.http_url))
    thread.close()


def set_and_mine(w3: Web3, key: str, value: str) -> int:
    """Set `key` through the raw precompile ABI and mine it; the block number it was mined in."""
    config = SystemConfigClient(w3)._contract
    tx = config.functions.setValueByKey(key, value).transact({"from": A0, "gas": 100_000})
    rpc(w3.provider.endpoint_uri, "evm_mine")  # type: ignore[attr-defined]
    receipt = w3.eth.get_transaction_receipt(tx)
    assert receipt["status"] == 1
    return int(receipt["blockNumber"])


def test_unset_keys_and_bad_input_revert_with_reasons_and_change_nothing() -> None:
    thread, handle = in_process()
    try:
        w3 = Web3(Web3.HTTPProvider(handle.http_url))
        config = SystemConfigClient(w3, sender=A0)
        assert config.get("tx_count_limit") == ConfigValue(None, 0)
        raw = config._contract
        assert raw.functions.getValueByKey("tx_gas_limit").call() == ["", 0]
        for key, value, why in (("tx_count_limit", "0", "tx_count_limit must be at least 1"),
                                ("tx_gas_limit", "99999", "tx_gas_limit must be at least 100000"),
                                ("tx_gas_limit", "1e6", "must be a decimal integer"),
                                ("gas_price", "1", "unknown key 'gas_price'")):
            with pytest.raises(ContractLogicError, match=why + ".*CODE_INVALID_CONFIGURATION_VALUES"):
                raw.functions.setValueByKey(key, value).call({"from": A0})
            receipt = w3.eth.wait_for_transaction_receipt(
                raw.functions.setValueByKey(key, value).transact({"from": A0, "gas": 300_000}))
            assert receipt["status"] == 0
        with pytest.raises(ContractLogicError, match="unknown key"):
            raw.functions.getValueByKey("gas_price").call()
        with pytest.raises(GovernanceRejected, match=f"may change the system config, not {A1}"):
            SystemConfigClient(w3, sender=A1).set("tx_count_limit", 5)
        with pytest.raises(GovernanceInputError, match="at least 1"):
            config.set("tx_count_limit", 0)
        assert config.get("tx_count_limit") == ConfigValue(None, 0)
        assert config.get("tx_gas_limit") == ConfigValue(None, 0)
    finally:
        thread.close()


def test_tx_count_limit_binds_from_the_next_block(manual: Web3) -> None:
    w3 = manual
    mined_in = set_and_mine(w3, "tx_count_limit", "2")
    assert SystemConfigClient(w3).get("tx_count_limit") == ConfigValue(2, mined_in + 1)
    hashes = [w3.eth.send_transaction({"from": A0, "to": A1, "value": i + 1, "gas": 21_000}) for i in range(5)]
    rpc(w3.provider.endpoint_uri, "evm_mine")  # type: ignore[attr-defined]
    assert len(w3.eth.get_block("latest")["transactions"]) == 2
    rpc(w3.provider.endpoint_uri, "evm_mine")  # type: ignore[attr-defined]
    rpc(w3.provider.endpoint_uri, "evm_mine")  # type: ignore[attr-defined]
    counts = [len(w3.eth.get_block(n)["transactions"]) for n in range(mined_in + 1, mined_in + 4)]
    assert counts == [2, 2, 1]
    assert all(w3.eth.get_transaction_receipt(h)["status"] == 1 for h in hashes)


def test_tx_gas_limit_is_refused_at_admission_and_block_gas_limit_packs_less(manual: Web3) -> None:
    w3 = manual
    set_and_mine(w3, "tx_gas_limit", "100000")
    with pytest.raises(Web3RPCError, match="exceeds the chain's tx_gas_limit: transaction gas 100001 > 100000"):
        w3.eth.send_raw_transaction(sign_tx(w3, KEY7, gas=100_001))
    with pytest.raises(Web3RPCError, match="exceeds the chain's tx_gas_limit"):
        w3.eth.send_transaction({"from": A0, "to": A1, "value": 1, "gas": 200_000})
    set_and_mine(w3, "block_gas_limit", "100000")
    for _ in range(5):
        w3.eth.send_transaction({"from": A0, "to": A1, "value": 1, "gas": 21_000})
    rpc(w3.provider.endpoint_uri, "evm_mine")  # type: ignore[attr-defined]
    block = w3.eth.get_block("latest")
    assert len(block["transactions"]) == 4 and block["gasUsed"] == 84_000
    assert int(block["gasLimit"]) == 30_000_000  # the header's limit is the fork's; the config caps packing
