"""The ABCI application over its real socket protocol, without CometBFT: a client here speaks
CometBFT's framing (uvarint length + protobuf, Flush after each request) to the AbciServer, and
drives a whole height the way CometBFT's consensus connection does."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, AsyncIterator

import pytest
from eth_account import Account

from chain.api.chain import Chain, build_chain
from chain.config import DEFAULT_MNEMONIC, ChainConfig, MiningMode
from chain.exceptions import ReplacementUnderpriced
from network.abci import codes, proto
from network.abci.app import WabeiApp
from network.abci.framing import FramingError, encode_uvarint, frame, read_frame
from network.abci.server import AbciServer

Account.enable_unaudited_hdwallet_features()
KEY = Account.from_mnemonic(DEFAULT_MNEMONIC, account_path="m/44'/60'/0'/0/0")
PROPOSER = bytes(range(20))
GENESIS_TIME = 1_700_000_000
T = proto.types()


def network_chain(data_dir: Path | None = None) -> Chain:
    return build_chain(ChainConfig(dev=False, mining=MiningMode.MANUAL, genesis_timestamp=GENESIS_TIME,
                                   data_dir=data_dir))


def transfer(nonce: int, chain_id: int = 31337, value: int = 1) -> bytes:
    return bytes(KEY.sign_transaction(dict(
        to="0x" + "11" * 20, value=value, gas=21_000, maxFeePerGas=10**10, maxPriorityFeePerGas=10**9,
        nonce=nonce, chainId=chain_id, type=2)).raw_transaction)


class Client:
    """One CometBFT-style ABCI connection: each request followed by a Flush, answers in order."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def call(self, name: str, **fields: Any) -> Any:
        request = T.Request()
        getattr(request, name).SetInParent()
        for key, value in fields.items():
            target = getattr(getattr(request, name), key)
            if isinstance(value, list):
                target.extend(value)
            elif hasattr(target, "CopyFrom"):
                target.CopyFrom(value)
            else:
                setattr(getattr(request, name), key, value)
        flush = T.Request()
        flush.flush.SetInParent()
        self.writer.write(frame(request.SerializeToString()) + frame(flush.SerializeToString()))
        await self.writer.drain()
        answer = T.Response.FromString(await read_frame(self.reader))
        flushed = T.Response.FromString(await read_frame(self.reader))
        assert flushed.WhichOneof("value") == "flush"
        if answer.WhichOneof("value") == "exception":
            raise RuntimeError(answer.exception.error)
        assert answer.WhichOneof("value") == name
        return getattr(answer, name)


def stamp(seconds: int) -> Any:
    ts = T.Request().finalize_block.time
    ts.seconds = seconds
    return ts


async def open_app(chain: Chain) -> tuple[AbciServer, Client]:
    server = AbciServer(WabeiApp(chain), "tcp://127.0.0.1:0")
    await server.start()
    host, port = server.address.removeprefix("tcp://").split(":")
    return server, Client(*await asyncio.open_connection(host, int(port)))


async def decide(client: Client, height: int, txs: list[bytes], seconds: int) -> tuple[Any, Any]:
    """One height as CometBFT runs it on the proposer: prepare, process, finalize, commit."""
    prepared = await client.call("prepare_proposal", txs=txs, max_tx_bytes=1 << 20, height=height,
                                 time=stamp(seconds), proposer_address=PROPOSER)
    chosen = list(prepared.txs)
    status = await client.call("process_proposal", txs=chosen, height=height, time=stamp(seconds),
                               proposer_address=PROPOSER)
    assert status.status == T.ResponseProcessProposal.ProposalStatus.ACCEPT
    final = await client.call("finalize_block", txs=chosen, height=height, time=stamp(seconds),
                              proposer_address=PROPOSER)
    await client.call("commit")
    return prepared, final


def test_uvarint_matches_go_binary_putuvarint() -> None:
    # Values and encodings from Go's encoding/binary PutUvarint.
    for value, encoded in [(0, "00"), (1, "01"), (127, "7f"), (128, "8001"), (300, "ac02"),
                           (16384, "808001"), (2**31 - 1, "ffffffff07")]:
        assert encode_uvarint(value).hex() == encoded


def test_read_frame_refuses_a_cut_message() -> None:
    async def run() -> None:
        reader = asyncio.StreamReader()
        reader.feed_data(encode_uvarint(10) + b"abc")
        reader.feed_eof()
        with pytest.raises(FramingError, match="inside a 10-byte message"):
            await read_frame(reader)
    asyncio.run(run())


def test_a_height_over_the_socket_orders_executes_and_commits() -> None:
    async def run() -> None:
        chain = network_chain()
        server, client = await open_app(chain)
        try:
            genesis = chain.backend.genesis
            init = await client.call("init_chain", time=stamp(GENESIS_TIME), initial_height=1)
            assert init.app_hash == bytes(genesis.hash)
            echo = await client.call("echo", message="hello")
            assert echo.message == "hello"
            # Out of order, with a duplicate nonce, a wrong chain id and garbage among them.
            txs = [transfer(2), transfer(0), b"\x02junk", transfer(1), transfer(0, chain_id=1), transfer(1, value=2)]
            prepared, final = await decide(client, 1, txs, GENESIS_TIME)  # BFT time = genesis: +1 s
            assert list(prepared.txs) == [transfer(0), transfer(1), transfer(2)]
            assert [r.code for r in final.tx_results] == [0, 0, 0]
            head = chain.backend.head
            assert int(head.block_number) == 1 and int(head.timestamp) == GENESIS_TIME + 1
            assert bytes(head.coinbase) == PROPOSER and len(chain.backend.store.block_by_number(1).transactions) == 3
            assert final.app_hash == bytes(head.hash)
            info = await client.call("info", version="0.38.26")
            assert (info.last_block_height, info.last_block_app_hash) == (1, bytes(head.hash))
            # An empty block keeps the app hash, or CometBFT would make empty blocks forever.
            _, empty = await decide(client, 2, [], GENESIS_TIME + 100)
            assert empty.app_hash == final.app_hash and int(chain.backend.head.timestamp) == GENESIS_TIME + 100
            # A replayed FinalizeBlock for a committed height is answered from storage.
            again = await client.call("finalize_block", txs=list(prepared.txs), height=1,
                                      time=stamp(GENESIS_TIME), proposer_address=PROPOSER)
            assert again.app_hash == final.app_hash and int(chain.backend.head.block_number) == 2
            assert [r.gas_used for r in again.tx_results] == [r.gas_used for r in final.tx_results]
        finally:
            await server.stop()
            chain.close()
    asyncio.run(run())


def test_process_proposal_refuses_a_block_with_an_invalid_transaction() -> None:
    async def run() -> None:
        chain = network_chain()
        server, client = await open_app(chain)
        try:
            for txs in ([transfer(1)], [b"\x01\x02"], [transfer(0), transfer(0, chain_id=5)]):
                answer = await client.call("process_proposal", txs=txs, height=1, time=stamp(GENESIS_TIME + 5),
                                           proposer_address=PROPOSER)
                assert answer.status == T.ResponseProcessProposal.ProposalStatus.REJECT
            assert int(chain.backend.head.block_number) == 0
        finally:
            await server.stop()
            chain.close()
    asyncio.run(run())


def test_check_tx_uses_geth_wording_and_a_mempool_nonce_view() -> None:
    async def run() -> None:
        chain = network_chain()
        server, client = await open_app(chain)
        try:
            first = await client.call("check_tx", tx=transfer(0))
            second = await client.call("check_tx", tx=transfer(1))  # consecutive: passes
            assert (first.code, second.code) == (0, 0)
            # The pool mirrors the mempool, so `pending` nonces count both.
            assert chain.pool.next_nonce(bytes.fromhex(KEY.address[2:])) == 2
            replaced = await client.call("check_tx", tx=transfer(1, value=7))
            assert replaced.code == codes.code_of(ReplacementUnderpriced(""))
            assert "already in the network's mempool" in replaced.log
            wrong = await client.call("check_tx", tx=transfer(0, chain_id=1))
            assert wrong.log == "invalid chain id for signer: have 1, want 31337"
            garbage = await client.call("check_tx", tx=b"\xf8junk")
            assert garbage.code == 1 and garbage.log.startswith("failed to decode signed transaction")
            await decide(client, 1, [transfer(0), transfer(1)], GENESIS_TIME + 1)
            stale = await client.call("check_tx", tx=transfer(0), type=T.CheckTxType.RECHECK)
            assert stale.log == f"nonce too low: address {KEY.address.lower()}, tx: 0 state: 2"
        finally:
            await server.stop()
            chain.close()
    asyncio.run(run())


def test_peer_filter_queries_and_unknown_paths() -> None:
    class OnlyAlice:
        def allows_id(self, node_id: str) -> bool:
            return node_id == "a11ce"

        def allows_addr(self, addr: str) -> bool:
            return addr.startswith("127.")

        def refusal(self, node_id: str) -> str:
            return "" if self.allows_id(node_id) else "only alice may connect"

    chain = network_chain()
    try:
        app = WabeiApp(chain, OnlyAlice())
        ask = lambda path: app.query(T.RequestQuery(path=path)).code  # noqa: E731
        assert [ask("/p2p/filter/id/a11ce"), ask("/p2p/filter/id/b0b"), ask("/p2p/filter/addr/127.0.0.1:26656"),
                ask("/p2p/filter/addr/10.0.0.1:26656")] == [0, 1, 0, 1]
        assert ask("/store/key") == 1
        refused = app.query(T.RequestQuery(path="/p2p/filter/id/b0b"))
        assert refused.log == "peer b0b is not admitted: only alice may connect"
        assert WabeiApp(chain).query(T.RequestQuery(path="/p2p/filter/id/anyone")).code == 0
    finally:
        chain.close()


def test_a_devnet_chain_cannot_be_a_network_app() -> None:
    chain = build_chain(ChainConfig())
    try:
        with pytest.raises(ValueError, match="dev=False"):
            WabeiApp(chain)
    finally:
        chain.close()


def test_restart_resumes_from_storage(tmp_path: Path) -> None:
    async def run() -> bytes:
        chain = network_chain(tmp_path / "data")
        server, client = await open_app(chain)
        try:
            await client.call("init_chain", time=stamp(GENESIS_TIME), initial_height=1)
            _, final = await decide(client, 1, [transfer(0)], GENESIS_TIME + 3)
            return bytes(final.app_hash)
        finally:
            await server.stop()
            chain.close()

    app_hash = asyncio.run(run())

    async def reopen() -> None:
        chain = network_chain(tmp_path / "data")
        server, client = await open_app(chain)
        try:
            info = await client.call("info")
            assert (info.last_block_height, info.last_block_app_hash) == (1, app_hash)
        finally:
            await server.stop()
            chain.close()
    asyncio.run(reopen())
