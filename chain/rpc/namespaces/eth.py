"""eth_* methods: decode params, call NodeAPI, encode results. No chain logic lives here."""
from __future__ import annotations

from typing import Any

from chain.api.chain import Chain
from chain.api.reads import DEFAULT_PRIORITY_FEE
from chain.api.simulate import simulate
from chain.exceptions import InvalidParams, ResourceNotFound
from chain.rpc import codec, formatters as fmt, simulate_codec
from chain.rpc.namespaces.common import block_number, call_header, header_at, is_pending
from chain.types import LogFilter


class EthNamespace:
    prefixes = ("eth",)

    def __init__(self, chain: Chain) -> None:
        self._chain = chain
        self._api = chain.reads
        self._txs = chain.transactions
        self._filters = chain.filters

    # -- chain info ------------------------------------------------------------------------
    def chainId(self) -> str:
        return hex(self._api.chain_id)

    def blockNumber(self) -> str:
        return hex(self._api.head.block_number)

    def accounts(self) -> list[str]:
        return ["0x" + a.hex() for a in self._txs.signers]

    def coinbase(self) -> str:
        return "0x" + self._chain.blocks.coinbase.hex()

    async def mining(self) -> bool:
        """A devnet: automine is on. A network node: it is a validator (has voting power)."""
        return (await self._chain.engine.network_status()).producing

    def hashrate(self) -> str:
        return "0x0"

    async def syncing(self) -> bool | dict[str, str]:
        """False, or while a network node catches up: startingBlock, currentBlock, highestBlock."""
        sync = (await self._chain.engine.network_status()).sync
        if sync is None:
            return False
        return {"startingBlock": hex(sync.starting_block), "currentBlock": hex(sync.current_block),
                "highestBlock": hex(sync.highest_block)}

    def protocolVersion(self) -> str:
        return "0x41"

    def gasPrice(self) -> str:
        return hex(self._api.gas_price())

    def maxPriorityFeePerGas(self) -> str:
        return hex(DEFAULT_PRIORITY_FEE)

    def blobBaseFee(self) -> str:
        return "0x1"

    def feeHistory(self, block_count: Any, newest: Any, percentiles: Any = None) -> dict[str, Any]:
        # geth takes blockCount as hex or a plain number (math.HexOrDecimal64); so does Wabei.
        count = codec.quantity(block_count, "blockCount", codec.UINT64_MAX, lenient=True)
        newest_n = block_number(self._api, newest, "newestBlock")
        if newest_n > self._api.head.block_number:
            raise InvalidParams(f"newestBlock {newest_n} is after the head {self._api.head.block_number}")
        pct = percentiles or []
        if not isinstance(pct, list) or any(isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p <= 100 for p in pct) \
                or pct != sorted(pct):
            raise InvalidParams("invalid rewardPercentiles: expected increasing numbers in [0, 100]")
        h = self._api.fee_history(count, newest_n, pct)
        out: dict[str, Any] = {
            "oldestBlock": hex(h["oldest"]),
            "baseFeePerGas": [hex(x) for x in h["base_fees"]],
            "gasUsedRatio": h["ratios"],
            "baseFeePerBlobGas": ["0x1"] * len(h["base_fees"]),
            "blobGasUsedRatio": [0.0] * len(h["ratios"]),
        }
        if h["rewards"] is not None:
            out["reward"] = [[hex(x) for x in r] for r in h["rewards"]]
        return out

    # -- state -----------------------------------------------------------------------------
    def getBalance(self, address: Any, block: Any = "latest") -> str:
        return hex(self._api.balance(codec.address(address, "address"), header_at(self._api, block)))

    def getTransactionCount(self, address: Any, block: Any = "latest") -> str:
        addr = codec.address(address, "address")
        return hex(self._api.nonce(addr, header_at(self._api, block), pending=is_pending(block)))

    def getCode(self, address: Any, block: Any = "latest") -> str:
        return "0x" + self._api.code(codec.address(address, "address"), header_at(self._api, block)).hex()

    def getStorageAt(self, address: Any, position: Any, block: Any = "latest") -> str:
        value = self._api.storage(codec.address(address, "address"), codec.slot(position, "position"),
                                  header_at(self._api, block))
        return "0x" + value.to_bytes(32, "big").hex()

    def getAccount(self, address: Any, block: Any = "latest") -> dict[str, Any]:
        """geth's eth_getAccount: the account's trie entry (an absent account reads as empty)."""
        p = self._api.proof(codec.address(address, "address"), [], header_at(self._api, block))
        return {"codeHash": "0x" + p.code_hash.hex(), "storageRoot": "0x" + p.storage_hash.hex(),
                "balance": hex(p.balance), "nonce": hex(p.nonce)}

    def getRawTransactionByHash(self, tx_hash: Any) -> str:
        """A mined or pooled transaction's EIP-2718 encoding; `0x` for an unknown hash, as geth."""
        found = self._api.transaction(codec.fixed(tx_hash, "transactionHash", 32))
        return "0x" + (b"" if found is None else bytes(found.tx.encode())).hex()

    def getProof(self, address: Any, keys: Any, block: Any = "latest") -> dict[str, Any]:
        addr = codec.address(address, "address")
        if not isinstance(keys, list):
            raise InvalidParams("invalid storageKeys: expected a list")
        slots = [codec.slot(k, "storageKeys") for k in keys]
        p = self._api.proof(addr, slots, header_at(self._api, block))
        return {
            "address": "0x" + addr.hex(),
            "accountProof": ["0x" + node.hex() for node in p.account_proof],
            "balance": hex(p.balance),
            "codeHash": "0x" + p.code_hash.hex(),
            "nonce": hex(p.nonce),
            "storageHash": "0x" + p.storage_hash.hex(),
            "storageProof": [
                {"key": hex(slot), "value": hex(value), "proof": ["0x" + n.hex() for n in nodes]}
                for slot, value, nodes in p.storage
            ],
        }

    # -- blocks ----------------------------------------------------------------------------
    def getBlockByNumber(self, block: Any, full: Any = False) -> dict[str, Any] | None:
        full_txs = codec.boolean(full, "fullTransactions")
        try:
            header = header_at(self._api, block, required=True)
        except ResourceNotFound:
            return None
        return fmt.block_json(self._api.block(header), full_txs)

    def getBlockByHash(self, block_hash: Any, full: Any = False) -> dict[str, Any] | None:
        h, full_txs = codec.hash32(block_hash, "blockHash"), codec.boolean(full, "fullTransactions")
        b = self._api.block_or_none(h)
        return None if b is None else fmt.block_json(b, full_txs)

    def getBlockTransactionCountByNumber(self, block: Any) -> str:
        return hex(len(self._api.block(header_at(self._api, block, required=True)).transactions))

    def getBlockTransactionCountByHash(self, block_hash: Any) -> str | None:
        b = self._api.block_or_none(codec.fixed(block_hash, "blockHash", 32))
        return None if b is None else hex(len(b.transactions))

    # No uncles after the merge: these answer constants, but only for well-formed params.
    def getUncleCountByBlockNumber(self, block: Any) -> str:
        header_at(self._api, block, required=True)
        return "0x0"

    def getUncleCountByBlockHash(self, block_hash: Any) -> str:
        codec.hash32(block_hash, "blockHash")
        return "0x0"

    def getUncleByBlockNumberAndIndex(self, block: Any, index: Any) -> None:
        codec.block_ref(block, "block", default=None)
        codec.quantity(index, "index", codec.UINT64_MAX)
        return None

    def getUncleByBlockHashAndIndex(self, block_hash: Any, index: Any) -> None:
        codec.hash32(block_hash, "blockHash")
        codec.quantity(index, "index", codec.UINT64_MAX)
        return None

    def getBlockReceipts(self, block: Any) -> list[dict[str, Any]] | None:
        try:
            header = header_at(self._api, block, required=True)
        except ResourceNotFound:
            return None
        return fmt.receipts_json(self._api.block(header))

    # -- transactions ----------------------------------------------------------------------
    def getTransactionByHash(self, tx_hash: Any) -> dict[str, Any] | None:
        found = self._api.transaction(codec.fixed(tx_hash, "transactionHash", 32))
        if found is None:
            return None
        return fmt.tx_json(found.block, found.index, found.tx, found.sender)

    def getTransactionByBlockNumberAndIndex(self, block: Any, index: Any) -> dict[str, Any] | None:
        i = codec.quantity(index, "index", codec.UINT64_MAX)
        b = self._api.block(header_at(self._api, block, required=True))
        return fmt.tx_json(b, i) if i < len(b.transactions) else None

    def getTransactionByBlockHashAndIndex(self, block_hash: Any, index: Any) -> dict[str, Any] | None:
        b = self._api.block_or_none(codec.hash32(block_hash, "blockHash"))
        i = codec.quantity(index, "index", codec.UINT64_MAX)
        return fmt.tx_json(b, i) if b is not None and i < len(b.transactions) else None

    def getTransactionReceipt(self, tx_hash: Any) -> dict[str, Any] | None:
        found = self._api.transaction(codec.fixed(tx_hash, "transactionHash", 32))
        if found is None or found.block is None or found.index is None:
            return None
        return fmt.receipt_json(found.block, found.index)

    async def sendRawTransaction(self, raw: Any) -> str:
        return "0x" + (await self._txs.send_raw_transaction(codec.data(raw, "data"))).hex()

    async def sendTransaction(self, tx: Any) -> str:
        return "0x" + (await self._txs.send_transaction(codec.call_request(tx))).hex()

    async def signTransaction(self, tx: Any) -> str:
        return "0x" + (await self._txs.sign_transaction(codec.call_request(tx))).hex()

    def sign(self, address: Any, message: Any) -> str:
        return "0x" + self._txs.sign(codec.address(address, "address"), codec.data(message, "message")).hex()

    def signTypedData_v4(self, address: Any, typed: Any) -> str:
        import json
        if isinstance(typed, str):
            try:
                typed = json.loads(typed)
            except ValueError:
                raise InvalidParams("invalid typedData: not JSON") from None
        try:
            return "0x" + self._txs.sign_typed_data(codec.address(address, "address"), codec.obj(typed, "typedData")).hex()
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidParams(f"invalid typedData: {exc}") from exc

    def signTypedData(self, address: Any, typed: Any) -> str:
        return self.signTypedData_v4(address, typed)

    def signTypedData_v3(self, address: Any, typed: Any) -> str:
        """MetaMask's v3: EIP-712 without arrays. Where v3 is defined it hashes exactly as v4
        (they differ only in arrays and in recursive structs, which need arrays), so it is v4
        with arrays refused, rather than a second encoder that could drift."""
        types = typed.get("types") if isinstance(typed, dict) else None
        if isinstance(types, dict) and any(
                isinstance(f, dict) and "[" in str(f.get("type", ""))
                for fields in types.values() if isinstance(fields, list) for f in fields):
            raise InvalidParams("eth_signTypedData_v3 does not support arrays; use eth_signTypedData_v4")
        return self.signTypedData_v4(address, typed)

    def requestAccounts(self) -> list[str]:
        """EIP-1102: a node has no user to ask, so the dev accounts, as eth_accounts."""
        return self.accounts()

    # -- execution -------------------------------------------------------------------------
    # Calls run on a call worker (chain/workers.py): awaited, so other clients are served meanwhile.
    async def call(self, tx: Any, block: Any = None, overrides: Any = None, _block_overrides: Any = None) -> str:
        req = codec.call_request(tx)
        out = await self._api.call(req, call_header(self._api, block), codec.state_overrides(overrides),
                                   label="eth_call")
        return "0x" + out.hex()

    async def estimateGas(self, tx: Any, block: Any = None, overrides: Any = None) -> str:
        req = codec.call_request(tx)
        return hex(await self._api.estimate_gas(req, call_header(self._api, block),
                                                codec.state_overrides(overrides), label="eth_estimateGas"))

    async def createAccessList(self, tx: Any, block: Any = None) -> dict[str, Any]:
        req = codec.call_request(tx)
        entries, gas, result = await self._api.create_access_list(req, call_header(self._api, block))
        out: dict[str, Any] = {
            "accessList": [{"address": "0x" + a.hex(), "storageKeys": ["0x" + s.to_bytes(32, "big").hex() for s in slots]}
                           for a, slots in entries],
            "gasUsed": hex(gas),
        }
        if not result.success:
            out["error"] = "execution reverted" if result.revert_data is not None else (result.error or "failed")
        return out

    # -- logs and filters ------------------------------------------------------------------
    def _log_filter(self, criteria: Any, for_filter: bool) -> LogFilter:
        c = codec.obj(criteria, "filter")
        block_hash = c.get("blockHash")
        if block_hash is not None and ("fromBlock" in c or "toBlock" in c):
            raise InvalidParams("invalid filter: blockHash cannot be combined with fromBlock/toBlock")
        from_raw = c.get("fromBlock", "latest")
        if for_filter and from_raw in ("latest", "pending", None):
            # A filter "from latest" reports blocks mined after it was installed, as geth's does.
            from_b = self._api.head.block_number + 1
        else:
            from_b = block_number(self._api, from_raw, "fromBlock")
        to_raw = c.get("toBlock", "latest")
        to_b = None if for_filter and to_raw in ("latest", "pending", None) else block_number(self._api, to_raw, "toBlock")
        if to_b is not None and from_b > to_b and block_hash is None:
            raise InvalidParams(f"invalid block range: fromBlock {from_b} is after toBlock {to_b}")
        return LogFilter(
            from_block=from_b, to_block=to_b,
            addresses=codec.addresses_filter(c.get("address"), "address"),
            topics=codec.topics_filter(c.get("topics"), "topics"),
            block_hash=None if block_hash is None else codec.fixed(block_hash, "blockHash", 32),
        )

    async def getLogs(self, criteria: Any) -> list[dict[str, Any]]:
        return [fmt.log_json(e) for e in await self._api.logs(self._log_filter(criteria, False))]

    def newFilter(self, criteria: Any) -> str:
        return self._filters.new_log_filter(self._log_filter(criteria, True), self._api.head.block_number)

    def newBlockFilter(self) -> str:
        return self._filters.new_block_filter(self._api.head.block_number)

    def newPendingTransactionFilter(self) -> str:
        return self._filters.new_pending_filter()

    def uninstallFilter(self, filter_id: Any) -> bool:
        filter_id = codec.identifier(filter_id, "filter id")
        return self._filters.uninstall(filter_id)

    async def getFilterChanges(self, filter_id: Any) -> list[Any]:
        filter_id = codec.identifier(filter_id, "filter id")
        store = self._api.backend.store
        changes = self._filters.poll(filter_id, self._api.head.block_number, store.canonical_hash)
        if isinstance(changes, LogFilter):
            return [fmt.log_json(e) for e in await self._api.logs(changes)]
        return ["0x" + c.hex() for c in changes]

    async def getFilterLogs(self, filter_id: Any) -> list[dict[str, Any]]:
        filter_id = codec.identifier(filter_id, "filter id")
        return [fmt.log_json(e) for e in await self._api.logs(self._filters.criteria(filter_id))]

    # -- simulation ------------------------------------------------------------------------
    def simulateV1(self, payload: Any, block: Any = "latest") -> list[dict[str, Any]]:
        """geth's eth_simulateV1 (docs/simulate.md): blocks of calls on throwaway state."""
        request = simulate_codec.simulate_request(payload)
        base = header_at(self._api, "latest" if block is None else block)
        return [simulate_codec.simulated_block_json(b, request.full_transactions)
                for b in simulate(self._api, request, base)]
