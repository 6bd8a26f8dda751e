"""A small synchronous JSON-RPC client that speaks batches.

web3.py's batch support goes through its middleware and formatters (and ~2 ms of CPU per
request, docs in /work/shared/DESIGN.md); the exporter needs raw JSON for hundreds of blocks a
round trip, so it posts batches itself over one keep-alive `requests.Session`.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import requests

from warehouse.errors import RpcError

Call = tuple[str, list[Any]]


class RpcClient:
    """JSON-RPC over HTTP to one node; `batch` keeps the answers in the order of the calls."""

    def __init__(self, url: str, timeout: float = 120.0) -> None:
        self.url = url
        self._timeout = timeout
        self._session = requests.Session()

    def call(self, method: str, params: list[Any]) -> Any:
        """One request; raises RpcError with the node's message on an error answer."""
        return self.batch([(method, params)])[0]

    def batch(self, calls: Sequence[Call]) -> list[Any]:
        """Send `calls` as one JSON-RPC batch and return their results in the same order."""
        if not calls:
            return []
        body: list[dict[str, Any]] = [{"jsonrpc": "2.0", "id": i, "method": m, "params": p} for i, (m, p) in enumerate(calls)]
        try:
            response = self._session.post(self.url, json=cast(Any, body), timeout=self._timeout)
        except requests.RequestException as exc:
            raise RpcError(f"no JSON-RPC node answers at {self.url}: {exc}") from None
        if response.status_code != 200:
            raise RpcError(f"{self.url} answered HTTP {response.status_code}: {response.text[:200]}")
        answers = response.json()
        if isinstance(answers, dict):  # a batch-level error (too large, parse error)
            raise RpcError(f"{self.url} refused the batch: {answers.get('error')}")
        by_id = {a.get("id"): a for a in answers}
        results = []
        for i, (method, params) in enumerate(calls):
            answer = by_id.get(i)
            if answer is None:
                raise RpcError(f"{self.url} gave no answer to {method}")
            if "error" in answer:
                raise RpcError(f"{method}{params} failed: {answer['error'].get('message')}")
            results.append(answer.get("result"))
        return results

    def close(self) -> None:
        self._session.close()
