"""Wabei as a CometBFT ABCI 2.0 application: each ABCI call mapped onto the chain's seams.

  Info            → the committed head's number and hash (a restarted node resumes from there;
                    CometBFT replays the blocks it has and Wabei lacks)
  InitChain       → the genesis Wabei built from its config; its hash is the first app hash
  CheckTx         → the devnet's admission and a view of the mempool (checktx.py)
  PrepareProposal → the pool's order, executed once: only transactions that execute go in
  ProcessProposal → execute the proposal; accept only if every transaction executes
  FinalizeBlock   → the executed block (ProcessProposal's, when it is the same one), held
  Commit          → BlockPipeline.commit: one atomic write, then the head moves
  Query           → peer filtering (peer_filter.py)

The app hash is the hash of the latest Ethereum block that has transactions (genesis until
there is one). A block hash commits to the state root and also to the transactions, receipts
(status, gas, logs), every header field and, through parent hashes, every block before it, so a
node whose execution differs in anything a client can read is caught by consensus. Empty
blocks leave the app hash as it was: with `create_empty_blocks = false` CometBFT makes a block
whenever the app hash changed since the last one (to get it signed), so an app hash that moved
with every empty block would make CometBFT produce empty blocks forever. The result: each burst
of transactions ends with exactly one empty block, then none while idle; an empty block's own
execution (its system-contract writes) is committed by the next block that has transactions.
Execution happens at most once per block
and node: a block executed in PrepareProposal or ProcessProposal is kept (keyed by everything
its header depends on) and reused by FinalizeBlock; a FinalizeBlock for a height already
committed (CometBFT replaying after a crash) is answered from storage, never re-executed.
"""
from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import Any, Callable, Sequence

from eth.abc import ReceiptAPI, SignedTransactionAPI
from eth.constants import BLANK_ROOT_HASH

from chain.api.chain import Chain
from chain.backend.execution import BuiltBlock
from chain.exceptions import InvalidBlock, WabeiError
from chain.pool import PooledTx
from network.abci import codes, proto
from network.abci.checktx import MempoolView, check
from network.abci.peer_filter import AllowAll, PeerFilter
from network.abci.proposal import BlockInputs, decode_all, header_fields, order_candidates, time_ns_of
from network.abci.validators import block_changes, sealers_at

log = logging.getLogger("wabei.abci")
APP_VERSION = 1
_HANDLERS = frozenset({
    "info", "init_chain", "query", "check_tx", "commit", "list_snapshots", "offer_snapshot",
    "load_snapshot_chunk", "apply_snapshot_chunk", "prepare_proposal", "process_proposal",
    "extend_vote", "verify_vote_extension", "finalize_block"})
_KEEP = 8  # executed proposals kept for FinalizeBlock (rounds at one height)
REFUSAL_LOG_EVERY_S = 60


class WabeiApp:
    """The application for one chain. Handlers run on the event loop, one at a time."""

    def __init__(self, chain: Chain, peer_filter: PeerFilter | None = None, *,
                 test_fault: bool = False) -> None:
        """`test_fault` (tests only): this node builds every block with other extra data, as a
        node with a diverging execution would; the app hash shows it to the others."""
        if chain.dev is not None:
            raise ValueError("a network chain has no dev powers: build it with dev=False")
        self.chain = chain
        self.peer_filter: PeerFilter = peer_filter or AllowAll()
        self.view = MempoolView.empty()
        self._executed: dict[BlockInputs, BuiltBlock] = {}
        self._pending: BuiltBlock | None = None  # finalized, waiting for Commit
        self._app_hash = self.app_hash_at(self._head_number)
        self.t = proto.types()
        self._extra_data = b"wabei test fault" if test_fault else b""
        self._refusals_logged: dict[str, float] = {}  # peer → when its refusal was last logged

    def handler(self, name: str) -> Callable[[Any], Any] | None:
        return getattr(self, name) if name in _HANDLERS else None

    @property
    def _head_number(self) -> int:
        return int(self.chain.backend.head.block_number)

    # -- connection: info -------------------------------------------------------------------
    def info(self, req: Any) -> Any:
        return self.t.ResponseInfo(data="wabei", version=req.version, app_version=APP_VERSION,
                                   last_block_height=self._head_number,
                                   last_block_app_hash=self._app_hash)

    def app_hash_at(self, number: int) -> bytes:
        """The app hash after block `number`: the hash of the latest block up to it that has
        transactions, or of genesis."""
        store = self.chain.backend.store
        while True:
            header = store.header(store.canonical_hash(number) or b"")
            if header is None:
                raise InvalidBlock(f"block {number} is not stored")
            if number == 0 or header.transaction_root != BLANK_ROOT_HASH:
                return bytes(header.hash)
            number -= 1

    def query(self, req: Any) -> Any:
        path: str = req.path
        for prefix, allows in (("/p2p/filter/id/", self.peer_filter.allows_id),
                               ("/p2p/filter/addr/", self.peer_filter.allows_addr)):
            if path.startswith(prefix):
                subject = path.removeprefix(prefix)
                if allows(subject):
                    return self.t.ResponseQuery(code=codes.OK)
                why = self.peer_filter.refusal(subject) if prefix == "/p2p/filter/id/" else ""
                message = f"peer {subject} is not admitted" + (f": {why}" if why else "")
                self._log_refusal(subject, message)
                return self.t.ResponseQuery(code=1, log=message, codespace=codes.CODESPACE)
        return self.t.ResponseQuery(code=1, log=f"unknown query path {path!r}", codespace=codes.CODESPACE)

    def _log_refusal(self, subject: str, message: str) -> None:
        """Log a refusal, then stay quiet about that peer for a while: a refused peer that
        lists this node in its persistent_peers redials at once, dozens of times a second
        (on its side the connection opened, then dropped), and CometBFT asks again each time."""
        now = time.monotonic()
        if now - self._refusals_logged.get(subject, -REFUSAL_LOG_EVERY_S) < REFUSAL_LOG_EVERY_S:
            return
        if len(self._refusals_logged) > 1024:  # ids are cheap to make: keep the memory bounded
            self._refusals_logged.clear()
        self._refusals_logged[subject] = now
        log.warning("%s (next refusal of this peer logged after %d s)", message, REFUSAL_LOG_EVERY_S)

    # -- connection: consensus --------------------------------------------------------------
    def init_chain(self, req: Any) -> Any:
        if req.initial_height not in (0, 1):
            raise ValueError(f"initial_height {req.initial_height}: Wabei's block numbers are "
                             "CometBFT heights, so a network starts at height 1")
        genesis = self.chain.backend.genesis
        if int(genesis.timestamp) != int(req.time.seconds):
            raise ValueError(
                f"CometBFT's genesis time ({req.time.seconds}) is not Wabei's genesis timestamp "
                f"({genesis.timestamp}): every node must build the same genesis block")
        recorded = sealers_at(self.chain.backend, bytes(genesis.state_root), genesis)
        given = {bytes(v.pub_key.ed25519): int(v.power) for v in req.validators}
        if recorded and recorded != given:
            raise ValueError("CometBFT's genesis validators are not the sealers in Wabei's genesis "
                             "(the Consensus precompile's storage): every node must use the network's genesis.json")
        return self.t.ResponseInitChain(app_hash=bytes(genesis.hash))

    def prepare_proposal(self, req: Any) -> Any:
        self.chain.flow.consensus(int(req.height), "prepare_proposal", time.time())
        blocks = self.chain.blocks
        chosen = order_candidates(self.chain.backend, list(req.txs), int(req.max_tx_bytes),
                                  blocks.next_gas_limit(), blocks.next_base_fee())
        inputs = BlockInputs(int(req.height), time_ns_of(req.time), bytes(req.proposer_address),
                             tuple(chosen))
        built = self._execute(inputs)
        included = {bytes(tx.hash) for tx in built.transactions}
        txs = [raw for raw, tx in zip(chosen, decode_all(self.chain.backend, chosen))
               if tx is not None and bytes(tx.hash) in included]
        if len(txs) != len(chosen):  # some failed in execution: keep the block that has none
            inputs = BlockInputs(inputs.height, inputs.time_ns, inputs.proposer, tuple(txs))
            self._execute(inputs)
        return self.t.ResponsePrepareProposal(txs=txs)

    def process_proposal(self, req: Any) -> Any:
        status = self.t.ResponseProcessProposal.ProposalStatus
        self.chain.flow.consensus(int(req.height), "process_proposal", time.time())
        inputs = self._inputs(req)
        if inputs.height != self._head_number + 1:
            log.warning("proposal for height %d on head %d", inputs.height, self._head_number)
            return self.t.ResponseProcessProposal(status=status.REJECT)
        built = self._execute(inputs)
        if built.rejected or len(built.transactions) != len(inputs.txs):
            log.warning("rejected the proposal at height %d: %s", inputs.height,
                        "; ".join(reason for _, reason in built.rejected) or "undecodable transaction")
            return self.t.ResponseProcessProposal(status=status.REJECT)
        return self.t.ResponseProcessProposal(status=status.ACCEPT)

    def finalize_block(self, req: Any) -> Any:
        self.chain.flow.consensus(int(req.height), "finalize_block", time.time())
        inputs = self._inputs(req)
        if inputs.height <= self._head_number:
            return self._replayed(inputs)
        if inputs.height != self._head_number + 1:
            raise InvalidBlock(f"FinalizeBlock at height {inputs.height}, but this node's head is "
                               f"{self._head_number}: blocks in between are missing")
        built = self._execute(inputs)
        self._pending = built
        results = self._results(inputs, built.transactions, built.receipts, built.rejected)
        app_hash = bytes(built.block.header.hash) if built.transactions else self._app_hash
        changes = [] if not built.transactions else block_changes(  # only a transaction changes the set
            self.chain.backend, built.pre_state_root or bytes(built.parent.state_root),
            bytes(built.block.header.state_root), built.block.header, built.writes)
        return self.t.ResponseFinalizeBlock(tx_results=results, app_hash=app_hash,
                                            validator_updates=self._updates(changes))

    def commit(self, req: Any) -> Any:
        built, self._pending = self._pending, None
        if built is not None:
            self.chain.flow.consensus(int(built.block.header.block_number), "commit", time.time())
            self.chain.blocks.commit(built)
            if built.transactions:
                self._app_hash = bytes(built.block.header.hash)
        self._executed.clear()
        self.view.reset()  # CometBFT rechecks what its mempool still holds
        return self.t.ResponseCommit(retain_height=0)

    def extend_vote(self, req: Any) -> Any:
        return self.t.ResponseExtendVote()

    def verify_vote_extension(self, req: Any) -> Any:
        return self.t.ResponseVerifyVoteExtension(
            status=self.t.ResponseVerifyVoteExtension.VerifyStatus.ACCEPT)

    # -- connection: mempool ----------------------------------------------------------------
    def check_tx(self, req: Any) -> Any:
        try:
            ptx = check(self.chain.backend, self.chain.blocks, self.view, bytes(req.tx))
        except WabeiError as exc:
            return self.t.ResponseCheckTx(code=codes.code_of(exc), log=str(exc), codespace=codes.CODESPACE)
        if req.type == self.t.CheckTxType.NEW:
            self._mirror(ptx)
        return self.t.ResponseCheckTx(code=codes.OK, gas_wanted=ptx.gas)

    def _mirror(self, ptx: PooledTx) -> None:
        """Keep what the mempool accepted in the chain's pool too, so this node's `pending`
        (eth_getTransactionCount, the nonce eth_sendTransaction picks, pending-tx filters and
        subscriptions) counts transactions sent to any node; commits and prunes remove them."""
        try:
            self.chain.pool.add(ptx)
        except WabeiError:
            return  # a rival for the same nonce arrived first here: the pool keeps that one
        self.chain.events.new_pending.publish(ptx)

    # -- connection: snapshot (state sync is not offered; new nodes block-sync) ----------------
    def list_snapshots(self, req: Any) -> Any:
        return self.t.ResponseListSnapshots()

    def offer_snapshot(self, req: Any) -> Any:
        return self.t.ResponseOfferSnapshot(result=self.t.ResponseOfferSnapshot.Result.REJECT)

    def load_snapshot_chunk(self, req: Any) -> Any:
        return self.t.ResponseLoadSnapshotChunk()

    def apply_snapshot_chunk(self, req: Any) -> Any:
        return self.t.ResponseApplySnapshotChunk(result=self.t.ResponseApplySnapshotChunk.Result.ABORT)

    # -- execution ---------------------------------------------------------------------------
    def _inputs(self, req: Any) -> BlockInputs:
        return BlockInputs(int(req.height), time_ns_of(req.time), bytes(req.proposer_address),
                           tuple(bytes(tx) for tx in req.txs))

    def _execute(self, inputs: BlockInputs) -> BuiltBlock:
        """The block of `inputs` on the head, executed once and kept until the next commit."""
        built = self._executed.get(inputs)
        if built is not None and built.parent.hash == self.chain.backend.head.hash:
            return built
        candidates = [tx for tx in decode_all(self.chain.backend, inputs.txs) if tx is not None]
        fields = header_fields(self.chain.backend, inputs)
        if self._extra_data:
            fields = replace(fields, extra_data=self._extra_data)
        built = self.chain.blocks.build(candidates, fields)
        if len(self._executed) >= _KEEP:
            self._executed.pop(next(iter(self._executed)))
        self._executed[inputs] = built
        return built

    def _results(self, inputs: BlockInputs, transactions: Sequence[SignedTransactionAPI],
                 receipts: Sequence[ReceiptAPI],
                 rejected: Sequence[tuple[SignedTransactionAPI, str]] = ()) -> list[Any]:
        """One ExecTxResult per transaction of the CometBFT block, in its order (CometBFT
        hashes code, data and gas into the next header, so all of them are deterministic)."""
        gas_of: dict[bytes, int] = {}
        previous = 0
        for tx, receipt in zip(transactions, receipts):
            gas_of[bytes(tx.hash)] = int(receipt.gas_used) - previous
            previous = int(receipt.gas_used)
        reasons = {bytes(tx.hash): reason for tx, reason in rejected}
        results = []
        for decoded in decode_all(self.chain.backend, inputs.txs):
            if decoded is None:
                results.append(self.t.ExecTxResult(code=codes.NOT_EXECUTED, log="does not decode",
                                                   codespace=codes.CODESPACE))
                continue
            tx, tx_hash = decoded, bytes(decoded.hash)
            if tx_hash in gas_of:
                results.append(self.t.ExecTxResult(code=codes.OK, data=tx_hash, gas_wanted=int(tx.gas),
                                                   gas_used=gas_of.pop(tx_hash)))
            else:
                results.append(self.t.ExecTxResult(
                    code=codes.NOT_EXECUTED, log=reasons.get(tx_hash, "not executed"),
                    gas_wanted=int(tx.gas), codespace=codes.CODESPACE))
        return results

    def _replayed(self, inputs: BlockInputs) -> Any:
        """FinalizeBlock for a height this node already committed: answered from storage."""
        stored = self.chain.backend.store.block_by_number(inputs.height)
        if stored is None:
            raise InvalidBlock(f"block {inputs.height} is below the head but not stored")
        included = {bytes(tx.hash) for tx in stored.transactions}
        decoded = decode_all(self.chain.backend, inputs.txs)
        if {bytes(tx.hash) for tx in decoded if tx is not None} & included != included:
            raise InvalidBlock(f"CometBFT's block {inputs.height} is not the one this node committed")
        log.info("FinalizeBlock %d answered from storage (already committed)", inputs.height)
        results = self._results(inputs, stored.transactions, stored.receipts)
        backend, header = self.chain.backend, stored.header
        parent = backend.store.header(bytes(header.parent_hash))
        changes = [] if parent is None or not stored.transactions else block_changes(
            backend, backend.pre_state_root(header, parent), bytes(header.state_root), header)
        return self.t.ResponseFinalizeBlock(tx_results=results, app_hash=self.app_hash_at(inputs.height),
                                            validator_updates=self._updates(changes))

    def _updates(self, changes: Sequence[tuple[bytes, int]]) -> list[Any]:
        """CometBFT's ValidatorUpdates (ed25519 key, power; 0 removes) for the set's changes."""
        for key, power in changes:
            log.info("validator update: %s power %d", key.hex(), power)
        return [self.t.ValidatorUpdate(pub_key={"ed25519": key}, power=power) for key, power in changes]
