"""Issue 10's divergences through viem and ethers (tests/js/fidelity_clients.mjs) against a real
node: the EIP-7623 floor at submission, EIP-7702 with no hand-set gas, calls and estimates in the
next block's context after time travel, and eth_createAccessList's gas and list."""
from __future__ import annotations

from typing import Any

import pytest

from helpers import run_js_client

TIMEOUT_S = 120


@pytest.mark.js
@pytest.mark.timeout(TIMEOUT_S + 30)
def test_viem_and_ethers_meet_no_divergence(fresh_node: Any) -> None:
    run_js_client("fidelity_clients.mjs", fresh_node.http_url, timeout_s=TIMEOUT_S)
