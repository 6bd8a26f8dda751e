"""A/B: what the console.log hook costs the mining path (docs/console-log.md quotes the result).

Executes the same blocks of pre-signed transfers (no console calls, the common case) on the
chain's VM class, which observes console calls, and on the same VM class with py-evm's plain
Prague computation and transaction context, alternating, and prints CPU time per transaction.
CPU time (not wall time), so other work on the machine moves the numbers less.

    .venv/bin/python bench/console_log_ab.py [--blocks 10] [--txs 200]
"""
from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import replace

from eth.vm.forks.cancun.transaction_context import CancunTransactionContext
from eth.vm.forks.prague.computation import PragueComputation
from eth_account import Account

from chain.api.chain import build_chain
from chain.backend.backend import Backend
from chain.config import ChainConfig
from vm_hooks.computation import WabeiComputation


def plain_vm_class(vm_class: type) -> type:
    """`vm_class` without the console hook: Prague's computation with the same precompiles."""
    computation = PragueComputation.configure(
        __name__="PlainPragueComputation", _precompiles=WabeiComputation._precompiles)
    state = vm_class.get_state_class().configure(
        __name__="PlainState", computation_class=computation,
        transaction_context_class=CancunTransactionContext)
    return vm_class.configure(__name__="PlainVM", _state_class=state)  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--blocks", type=int, default=10)
    parser.add_argument("--txs", type=int, default=200)
    args = parser.parse_args()
    chain = build_chain(ChainConfig(genesis_timestamp=1_700_000_000))
    hooked = chain.backend
    plain = Backend(hooked.db, hooked.params,
                    replace(hooked.spec, vm_class=plain_vm_class(hooked.spec.vm_class)))
    key = chain.accounts[0].private_key.to_bytes()
    txs = [chain.spec.decode_transaction(bytes(Account.sign_transaction({
        "chainId": 31337, "nonce": n, "to": "0x" + "11" * 20, "value": 1, "gas": 21_000,
        "maxFeePerGas": 10**10, "maxPriorityFeePerGas": 10**9}, key).raw_transaction))
        for n in range(args.txs)]
    fields = hooked.header_fields(1_700_000_012, b"\x00" * 20)
    times: dict[str, list[float]] = {"hooked": [], "plain": []}
    for _ in range(args.blocks):
        for name, backend in (("hooked", hooked), ("plain", plain)):
            start = time.process_time()
            built = backend.propose(txs, fields)
            times[name].append((time.process_time() - start) / len(built.transactions) * 1e6)
            assert len(built.transactions) == args.txs
    for name, values in times.items():
        print(f"{name:7s} median {statistics.median(values):7.1f} µs/tx  "
              f"min {min(values):7.1f}  (blocks of {args.txs}, {args.blocks} runs)")


if __name__ == "__main__":
    main()
