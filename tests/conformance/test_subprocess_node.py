"""The conformance suite against `wabei node` run as a separate process, over HTTP."""
from __future__ import annotations

import pytest
from chain_conformance import ChainConformance

from conftest import RunningNode


class TestSubprocessNode(ChainConformance):
    """The session's shared node (tests/conftest.py `node`, started by `start_node`): sharing it
    with the other integration tests is part of what the suite's contract promises."""

    @pytest.fixture()
    def rpc_url(self, node: RunningNode) -> str:
        return node.http_url
