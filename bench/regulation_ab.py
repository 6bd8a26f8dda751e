"""A/B: what the regulator's interception rules cost the mining path (docs/benchmarks.md).

Executes the same blocks of pre-signed 1-wei transfers, alternating, and prints CPU time per
transaction (CPU, not wall time, so other work on the machine moves it less):

- open:       the open devnet as shipped (one storage read per frame, flags = 0);
- regulated:  rules of every kind exist (a blocked address, a blocked method, an ether and a
              token threshold of 1 ETH), none matches: each frame reads the interception
              account's `kinds` word, the sender's and target's block entries and the ether
              threshold;
- kyc:        as regulated, with the ether threshold at 0 wei, so every transfer is weighed
              against the sender's identity (the sender holds a valid level-1 identity, so
              all pass): the most a transfer frame reads.

    .venv/bin/python -m bench.regulation_ab [--blocks 10] [--txs 200]
"""
from __future__ import annotations

import argparse
import statistics
import time

from eth_account import Account

from chain.api.chain import build_chain
from chain.config import ChainConfig
from vm_hooks.addresses import IDENTITY, PERMISSION, REGULATION
from vm_hooks.consensus.store import DictWords
from vm_hooks.governance.store import FLAG_INTERCEPT, PermissionStore
from vm_hooks.regulation.store import ETHER, Identity, IdentityStore, RegulationStore

ISSUER = b"\x33" * 20
ETH = 10**18


def rules(sender: bytes, threshold: int) -> tuple[tuple[bytes, int, int], ...]:
    """Genesis storage words with rules of every kind, none of which stops `sender`'s transfers."""
    permission, regulation, identity = DictWords(), DictWords(), DictWords()
    PermissionStore(permission).add_flag(FLAG_INTERCEPT)
    store = RegulationStore(regulation)
    store.set_blocked(b"\x44" * 20, True)
    store.set_method_blocked(b"\x55" * 20, b"\xa9\x05\x9c\xbb", True)
    store.set_threshold(ETHER, threshold, 1)
    store.set_threshold(b"\x66" * 20, ETH, 1)
    ids = IdentityStore(identity)
    ids.set_issuer(ISSUER, True)
    ids.set_identity(sender, Identity(b"\x01" * 32, 1, 2**40, ISSUER))  # type: ignore[arg-type]
    return tuple((address, slot, value) for address, words in
                 ((PERMISSION, permission), (REGULATION, regulation), (IDENTITY, identity))
                 for slot, value in words.slots.items())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--blocks", type=int, default=10)
    parser.add_argument("--txs", type=int, default=200)
    args = parser.parse_args()
    base = ChainConfig(genesis_timestamp=1_700_000_000)
    open_chain = build_chain(base)
    sender = open_chain.accounts[0]
    chains = {"open": open_chain,
              "regulated": build_chain(ChainConfig(genesis_timestamp=1_700_000_000,
                                                   genesis_storage=rules(sender.address, ETH))),
              "kyc": build_chain(ChainConfig(genesis_timestamp=1_700_000_000,
                                             genesis_storage=rules(sender.address, 0)))}
    key = sender.private_key.to_bytes()
    txs = [open_chain.spec.decode_transaction(bytes(Account.sign_transaction({
        "chainId": 31337, "nonce": n, "to": "0x" + "11" * 20, "value": 1, "gas": 21_000,
        "maxFeePerGas": 10**10, "maxPriorityFeePerGas": 10**9}, key).raw_transaction))
        for n in range(args.txs)]
    times: dict[str, list[float]] = {name: [] for name in chains}
    for _ in range(args.blocks):
        for name, chain in chains.items():
            backend = chain.backend
            fields = backend.header_fields(1_700_000_012, b"\x00" * 20)
            start = time.process_time()
            built = backend.propose(txs, fields)
            times[name].append((time.process_time() - start) / len(built.transactions) * 1e6)
            assert len(built.transactions) == args.txs, (name, built.rejected[:1])
            assert all(r.state_root == b"\x01" for r in built.receipts), name  # nothing intercepted
    for name, values in times.items():
        print(f"{name:10s} median {statistics.median(values):7.1f} µs/tx  "
              f"(min {min(values):.1f}, max {max(values):.1f}, {len(values)} blocks of {args.txs})")


if __name__ == "__main__":
    main()
