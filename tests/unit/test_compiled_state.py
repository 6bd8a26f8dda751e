"""A chain on the compiled trie and one on py-trie build the same blocks from the same inputs:
the same block hashes and state roots, the same trie nodes in their databases, the same proofs.

Blocks hold several transactions (one state root per block, storage tries changed many times
within it), storage words written, overwritten and cleared, new accounts funded, an empty account
touched (EIP-161 deletes it), and a contract created, so every path of the account and storage
tries runs.
"""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from eth_hash.auto import keccak

from chain.api.chain import Chain, build_chain
from chain.backend.compiled_state import CompiledTrieAccountDB
from chain.backend.compiled_trie import PURE_TRIE_ENV, compiled_trie_installed
from chain.backend.vm import build_vm_class, use_compiled_trie
from chain.config import ChainConfig, MiningMode
from chain.crypto import ETHEREUM, CryptoSuite
from chain.storage.sqlite_db import SqliteDB
from chain.types import CallRequest

needs_compiled = pytest.mark.skipif(not compiled_trie_installed(), reason="wabei_trie is not built (no Rust at set-up)")

# Runtime: SSTORE(calldata[0:32], calldata[32:64]); STOP. Init code copies it out and returns it.
RUNTIME = bytes.fromhex("60203560003555" "00")
INIT = bytes.fromhex("6008600c60003960086000f3") + RUNTIME
GENESIS_TIME = 1_700_000_000


def _account_db(chain: Chain) -> type:
    return chain.spec.vm_class.get_state_class().account_db_class


def _chain(tmp_path: Path, name: str, pure: bool, monkeypatch: pytest.MonkeyPatch) -> Chain:
    if pure:
        monkeypatch.setenv(PURE_TRIE_ENV, "1")
    else:
        monkeypatch.delenv(PURE_TRIE_ENV, raising=False)
    chain = build_chain(ChainConfig(genesis_timestamp=GENESIS_TIME, mining=MiningMode.MANUAL,
                                    data_dir=tmp_path / name))
    assert issubclass(_account_db(chain), CompiledTrieAccountDB) is not pure
    return chain


def _word(n: int) -> bytes:
    return n.to_bytes(32, "big")


def _blocks_of_requests(chain: Chain) -> list[list[CallRequest]]:
    a = [acct.address for acct in chain.accounts]
    contract = keccak(b"\xd6\x94" + a[0] + b"\x80")[12:]  # CREATE address of a[0]'s nonce 0
    fresh = [keccak(bytes([n]))[12:] for n in range(6)]
    store = [CallRequest(sender=a[1], to=contract, data=_word(slot) + _word(value), gas=100_000)
             for slot, value in ((1, 5), (2, 200), (1, 7), (3, 2**255))]
    clear = [CallRequest(sender=a[2], to=contract, data=_word(slot) + _word(0), gas=100_000) for slot in (2, 9)]
    return [
        [CallRequest(sender=a[0], data=INIT, gas=200_000)],
        store + [CallRequest(sender=a[3], to=f, value=10**15 + i) for i, f in enumerate(fresh[:3])],
        clear + [CallRequest(sender=a[4], to=fresh[5], value=0),  # touched while empty: deleted
                 CallRequest(sender=a[1], to=contract, data=_word(4) + _word(1), gas=100_000)],
        [CallRequest(sender=a[3], to=fresh[0], value=1), CallRequest(sender=a[2], to=contract,
                                                                     data=_word(4) + _word(0), gas=100_000)],
    ]


def _trie_nodes(chain: Chain) -> set[tuple[bytes, bytes]]:
    """Everything keyed by its own keccak: trie nodes (and contract code)."""
    db = chain.backend.db
    assert isinstance(db, SqliteDB)
    return {(k, v) for k, v in db.all_items() if len(k) == 32 and keccak(v) == k}


def _run_both(leader: Chain, other: Chain) -> None:
    """`leader` signs and builds each block; `other` builds the same block from the same inputs."""
    _run_both_blocks(leader, other, _blocks_of_requests(leader))


def _run_both_blocks(leader: Chain, other: Chain, blocks: list[list[CallRequest]]) -> None:
    for requests in blocks:
        for request in requests:
            asyncio.run(leader.transactions.send_transaction(request))
        txs = [p.tx for p in leader.pool.ready(leader.blocks.next_base_fee())]
        assert len(txs) == len(requests)
        fields = leader.blocks.next_fields()
        ours = leader.blocks.commit(leader.blocks.build(txs, fields))
        theirs = other.blocks.commit(other.blocks.build(txs, fields))
        assert not ours.built.rejected and not theirs.built.rejected
        assert theirs.block.header.hash == ours.block.header.hash
        assert theirs.block.header.state_root == ours.block.header.state_root


@needs_compiled
@pytest.mark.parametrize("leader_pure", [False, True], ids=["compiled-leads", "py-trie-leads"])
def test_the_same_blocks_hashes_roots_nodes_and_proofs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      leader_pure: bool) -> None:
    leader = _chain(tmp_path, "leader", leader_pure, monkeypatch)
    other = _chain(tmp_path, "other", not leader_pure, monkeypatch)
    _run_both(leader, other)
    assert other.reads.head.hash == leader.reads.head.hash
    assert _trie_nodes(other) == _trie_nodes(leader)
    head = leader.reads.head
    contract = keccak(b"\xd6\x94" + leader.accounts[0].address + b"\x80")[12:]
    words = {slot: value for slot, value, _ in leader.backend.proof(head, contract, [1, 2, 3, 4, 9]).storage}
    assert words == {1: 7, 2: 0, 3: 2**255, 4: 0, 9: 0}  # the blocks did what they say
    for address, slots in ((contract, [1, 2, 3, 4, 9]), (leader.accounts[3].address, [0]),
                           (keccak(bytes([5]))[12:], [])):
        assert other.backend.proof(head, address, slots) == leader.backend.proof(head, address, slots)


@needs_compiled
def test_the_follower_imports_a_compiled_leaders_blocks_on_py_trie(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The importer re-executes strictly (state root included) on the other implementation."""
    leader = _chain(tmp_path, "leader", False, monkeypatch)
    builder = _chain(tmp_path, "builder", False, monkeypatch)
    _run_both(leader, builder)
    follower = _chain(tmp_path, "follower", True, monkeypatch)
    for n in range(1, int(leader.reads.head.block_number) + 1):
        stored = leader.backend.store.block_by_number(n)
        assert stored is not None
        follower.blocks.commit(follower.blocks.import_block(leader.spec.block_from_parts(stored.header,
                                                                                         stored.transactions)))
    assert follower.reads.head.hash == leader.reads.head.hash
    assert _trie_nodes(follower) == _trie_nodes(leader)


@needs_compiled
def test_a_chain_whose_hash_is_not_keccak_runs_on_py_trie(monkeypatch: pytest.MonkeyPatch) -> None:
    """wabei_trie hashes nodes with keccak only; any other suite keeps py-trie."""
    monkeypatch.delenv(PURE_TRIE_ENV, raising=False)
    other_hash = CryptoSuite(name="not-keccak", hash=lambda data: keccak(b"other" + data),
                             curve_order=ETHEREUM.curve_order)
    assert use_compiled_trie(ETHEREUM)
    assert not use_compiled_trie(other_hash)
    account_db = build_vm_class(other_hash).get_state_class().account_db_class
    assert not issubclass(account_db, CompiledTrieAccountDB)
    assert issubclass(build_vm_class(ETHEREUM).get_state_class().account_db_class, CompiledTrieAccountDB)


def test_wabei_pure_trie_turns_it_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PURE_TRIE_ENV, "1")
    assert not use_compiled_trie(ETHEREUM)
    assert not issubclass(build_vm_class(ETHEREUM).get_state_class().account_db_class, CompiledTrieAccountDB)


def test_without_the_extension_the_chain_runs_on_py_trie() -> None:
    """A machine where set-up found no Rust: `import wabei_trie` fails, blocks are still made."""
    script = (
        "import sys; sys.modules['wabei_trie'] = None\n"  # what a missing extension looks like to import
        "import asyncio\n"
        "from chain.api.chain import build_chain\n"
        "from chain.backend.compiled_trie import compiled_trie_installed\n"
        "from chain.config import ChainConfig\n"
        "from chain.types import CallRequest\n"
        "assert not compiled_trie_installed()\n"
        "c = build_chain(ChainConfig(genesis_timestamp=1_700_000_000))\n"
        "asyncio.run(c.transactions.send_transaction(CallRequest(sender=c.accounts[0].address,"
        " to=c.accounts[1].address, value=1)))\n"
        "print(c.reads.head.block_number, c.spec.vm_class.get_state_class().account_db_class.__mro__[1].__name__)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != PURE_TRIE_ENV}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env,
                         cwd=Path(__file__).resolve().parents[2], timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["1", "PreimageRecordingAccountDB"]


@needs_compiled
def test_a_data_dir_written_on_py_trie_continues_on_the_compiled_trie(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A data dir from before the compiled trie (or from a machine without Rust) opens and grows
    on it, to the same blocks as a chain that never changed implementation."""
    reference = _chain(tmp_path, "reference", False, monkeypatch)
    switched = _chain(tmp_path, "switched", True, monkeypatch)
    blocks = _blocks_of_requests(reference)
    _run_both_blocks(reference, switched, blocks[:2])
    switched.close()
    switched = _chain(tmp_path, "switched", False, monkeypatch)  # reopened on the compiled trie
    _run_both_blocks(reference, switched, blocks[2:])
    assert switched.reads.head.hash == reference.reads.head.hash
    assert _trie_nodes(switched) == _trie_nodes(reference)


@needs_compiled
def test_state_databases_are_freed_after_each_block(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The compiled trie holds its node database from Rust, out of the collector's sight; a
    reference back from that database made a cycle nothing freed, and every block's account
    database (with its caches) stayed in memory. Now the live ones do not grow with the chain."""
    import gc

    from chain.backend.compiled_trie import CompiledHexaryTrie

    chain = _chain(tmp_path, "leak", False, monkeypatch)
    sender, to = chain.accounts[0].address, chain.accounts[1].address

    def live_after(blocks: int) -> int:
        for _ in range(blocks):
            asyncio.run(chain.transactions.send_transaction(CallRequest(sender=sender, to=to, value=1)))
            txs = [p.tx for p in chain.pool.ready(chain.blocks.next_base_fee())]
            chain.blocks.commit(chain.blocks.build(txs, chain.blocks.next_fields()))
        gc.collect()
        return sum(isinstance(o, (CompiledHexaryTrie, CompiledTrieAccountDB)) for o in gc.get_objects())

    first = live_after(10)
    assert live_after(40) <= first + 2
