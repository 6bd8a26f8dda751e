"""A/B: what governance checks cost the mining path (docs/governance.md quotes the result).

Executes the same blocks of pre-signed transfers three ways, alternating, and prints CPU time
per transaction (CPU, not wall time, so other work on the machine moves it less):

- plain:    the chain's VM class with the governance mixin taken out of the computation class;
- open:     the open devnet as shipped (one storage read per frame, flags = 0);
- governed: a chain started from a governance file (deploy white list, a frozen account, a
            system config key), so every frame reads the account status and the builder and
            each block read the limits.

    .venv/bin/python bench/governance_ab.py [--blocks 10] [--txs 200]
"""
from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import replace

from eth.vm.forks.prague.computation import PragueComputation
from eth_account import Account

from chain.api.chain import build_chain
from chain.backend.backend import Backend
from chain.config import ChainConfig
from vm_hooks.computation import WabeiComputation
from vm_hooks.console_log import ConsoleObservingComputation
from vm_hooks.governance.genesis import parse_governance

RULES = {"deployAuthType": "white", "openDeployAuth": ["0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"],
         "frozenAccounts": ["0x" + "22" * 20], "systemConfig": {"tx_count_limit": "100000"}}


def plain_vm_class(vm_class: type) -> type:
    """`vm_class` without the governance mixin: console capture and Prague, same precompiles."""
    computation = type("PlainComputation", (ConsoleObservingComputation, PragueComputation),
                       {"_precompiles": WabeiComputation._precompiles})
    state = vm_class.get_state_class().configure(__name__="PlainState", computation_class=computation)
    return vm_class.configure(__name__="PlainVM", _state_class=state)  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--blocks", type=int, default=10)
    parser.add_argument("--txs", type=int, default=200)
    args = parser.parse_args()
    chain = build_chain(ChainConfig(genesis_timestamp=1_700_000_000))
    governed_chain = build_chain(ChainConfig(genesis_timestamp=1_700_000_000,
                                             governance=parse_governance(RULES)))
    open_ = chain.backend
    plain = Backend(open_.db, open_.params, replace(open_.spec, vm_class=plain_vm_class(open_.spec.vm_class)))
    key = chain.accounts[0].private_key.to_bytes()
    txs = [chain.spec.decode_transaction(bytes(Account.sign_transaction({
        "chainId": 31337, "nonce": n, "to": "0x" + "11" * 20, "value": 1, "gas": 21_000,
        "maxFeePerGas": 10**10, "maxPriorityFeePerGas": 10**9}, key).raw_transaction))
        for n in range(args.txs)]
    backends = {"plain": plain, "open": open_, "governed": governed_chain.backend}
    times: dict[str, list[float]] = {name: [] for name in backends}
    for _ in range(args.blocks):
        for name, backend in backends.items():
            fields = backend.header_fields(1_700_000_012, b"\x00" * 20)
            start = time.process_time()
            built = backend.propose(txs, fields)
            times[name].append((time.process_time() - start) / len(built.transactions) * 1e6)
            assert len(built.transactions) == args.txs, (name, built.rejected[:1])
    for name, values in times.items():
        print(f"{name:9s} median {statistics.median(values):7.1f} µs/tx  "
              f"(min {min(values):.1f}, max {max(values):.1f}, {len(values)} blocks of {args.txs})")


if __name__ == "__main__":
    main()
