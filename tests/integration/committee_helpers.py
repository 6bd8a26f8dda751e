"""Chains for the committee tests: an in-process devnet, or a governed devnet whose genesis
seeds a committee from a governance document, reached over the wire with web3.py."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from web3 import Web3

from chain.config import ChainConfig, MiningMode
from tests.inprocess import in_process
from tests.integration.helpers import dev_account
from vm_hooks.committee.genesis import committee_words

A = [dev_account(i).address for i in range(6)]  # A[0] is the devnet's implicit governor


@contextmanager
def node(committee: Mapping[str, Any] | None = None, **chain: Any) -> Iterator[Web3]:
    """A started in-process node (a devnet; governed when `committee` is given) and its web3."""
    storage = committee_words({"committee": committee}) if committee is not None else ()
    config = ChainConfig(mining=chain.pop("mining", MiningMode.AUTO), genesis_storage=storage, **chain)
    thread, handle = in_process(config)
    try:
        yield Web3(Web3.HTTPProvider(handle.http_url))
    finally:
        thread.close()


def mine(w3: Web3, blocks: int) -> None:
    w3.provider.make_request("anvil_mine", [hex(blocks)])  # type: ignore[arg-type]
