"""JSON ABIs built from a precompile's own method and event tables (vm_hooks), so a client can
never disagree with the chain about a signature."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from vm_hooks.precompile import Method

EventTable = Sequence[tuple[str, Sequence[tuple[str, str, bool]]]]


def precompile_abi(methods: Sequence[Method], events: EventTable) -> list[dict[str, Any]]:
    """The ABI of `methods` (their handlers' signatures and outputs) and `events`."""
    functions = [{
        "type": "function", "name": m.signature[:m.signature.index("(")],
        "stateMutability": "nonpayable" if m.mutates else "view",
        "inputs": [{"name": f"arg{i}", "type": t} for i, t in enumerate(m.input_types)],
        "outputs": [{"name": "", "type": t} for t in m.outputs],
    } for m in methods]
    logs = [{"type": "event", "name": name, "anonymous": False,
             "inputs": [{"name": n, "type": t, "indexed": i} for n, t, i in fields]} for name, fields in events]
    return functions + logs
