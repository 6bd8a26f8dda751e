"""viem 2 sends the trace_* methods through client.request against a real node
(tests/js/viem_trace.mjs): nested frames, creates and a selfdestruct, blocks, filters, trace_call
with stateDiff, and the -32602 refusals (vmTrace, an unknown trace type, a huge filter range)."""
from __future__ import annotations

from typing import Any

import pytest

from helpers import run_js_client

TIMEOUT_S = 90


@pytest.mark.js
@pytest.mark.timeout(TIMEOUT_S + 30)
def test_viem_trace_methods(fresh_node: Any) -> None:
    run_js_client("viem_trace.mjs", fresh_node.http_url, timeout_s=TIMEOUT_S)
