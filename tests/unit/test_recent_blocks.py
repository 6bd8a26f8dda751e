"""Blocks the node remembers after mining read back exactly as blocks decoded from the database.

The node keeps the blocks it just committed in memory (ChainStore.remember) so receipt and block
lookups do not decode them again; every JSON shape built from a remembered block must equal the
one built from a fresh decode.
"""
from __future__ import annotations

import asyncio

from chain.api.chain import build_chain
from chain.config import ChainConfig, MiningMode
from chain.rpc import formatters as fmt
from chain.storage.chain_store import ChainStore
from chain.types import CallRequest
from deploy.compile import load_artifact
from eth_abi import encode
from eth_utils import function_signature_to_4byte_selector


def test_remembered_blocks_format_like_decoded_ones() -> None:
    chain = build_chain(ChainConfig(mining=MiningMode.MANUAL))
    assert chain.dev is not None
    send = chain.transactions.send_transaction
    a0, a1 = chain.accounts[0].address, chain.accounts[1].address
    art = load_artifact("TestToken")
    ctor = encode(["string", "string", "uint256"], ["T", "T", 10**24])
    asyncio.run(send(CallRequest(sender=a0, data=bytes.fromhex(art.bytecode.removeprefix("0x")) + ctor)))
    deployed = chain.dev.mine_one()
    token = fmt.receipt_json(deployed.block, 0)["contractAddress"]
    transfer = function_signature_to_4byte_selector("transfer(address,uint256)") + encode(
        ["address", "uint256"], [a1, 5])
    impostor = b"\x42" * 20
    chain.dev.impersonated.add(impostor)
    chain.dev.set_balance(impostor, 10**20)
    asyncio.run(send(CallRequest(sender=a0, to=bytes.fromhex(token[2:]), data=transfer)))
    asyncio.run(send(CallRequest(sender=a1, to=a0, value=7, gas_price=3 * 10**9)))  # legacy
    asyncio.run(send(CallRequest(sender=impostor, to=a1, value=1)))
    mined = chain.dev.mine_one()
    assert len(mined.block.transactions) == 3

    assert chain.backend.store.block(mined.block.hash) is mined.block  # served from memory
    fresh = ChainStore(chain.backend.db, chain.spec)  # nothing remembered: decodes from the database
    for block_hash in (deployed.block.hash, mined.block.hash):
        remembered = chain.backend.store.block(block_hash)
        decoded = fresh.block(block_hash)
        assert remembered is not None and decoded is not None
        assert remembered is not decoded
        assert fmt.block_json(remembered, True) == fmt.block_json(decoded, True)
        assert fmt.receipts_json(remembered) == fmt.receipts_json(decoded)
        for i in range(len(decoded.transactions)):
            assert fmt.receipt_json(remembered, i) == fmt.receipts_json(decoded)[i]
    assert any(r["logs"] for r in fmt.receipts_json(mined.block))
