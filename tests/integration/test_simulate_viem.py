"""viem 2.57 drives eth_simulateV1 through its own actions (simulateBlocks, simulateCalls with
traceTransfers and traceAssetChanges): tests/js/viem_simulate.mjs against a real node."""
from __future__ import annotations

from typing import Any

import pytest

from helpers import run_js_client

TIMEOUT_S = 90


@pytest.mark.js
@pytest.mark.timeout(TIMEOUT_S + 30)
def test_viem_simulate(fresh_node: Any) -> None:
    run_js_client("viem_simulate.mjs", fresh_node.http_url, timeout_s=TIMEOUT_S)
