"""`wabei perm`, `wabei freeze` and `wabei sysconfig` against a real node: results on stdout,
a chain's refusal as one stderr line with exit 1, a malformed argument exit 2."""
from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from conftest import start_node
from tests.integration.helpers import A0, A1, REPO_ROOT, dev_account

A5 = dev_account(5).address


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    node = start_node()
    yield node.http_url
    node.stop()


def wabei(url: str, *args: str, sender: str | None = None) -> Any:
    extra = ["--from", sender] if sender else []
    return subprocess.run([sys.executable, "-m", "cli", *args, "--rpc-url", url, *extra],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)


def test_freeze_status_and_unfreeze(url: str) -> None:
    assert wabei(url, "freeze", "status", A5).stdout == "normal\n"
    frozen = wabei(url, "freeze", "account", A5)
    assert frozen.returncode == 0 and f"{A5} is frozen" in frozen.stdout
    assert wabei(url, "freeze", "status", A5).stdout == "frozen\n"
    refused = wabei(url, "freeze", "unfreeze", A5, sender=A1)
    assert refused.returncode == 1
    assert refused.stderr.startswith("wabei freeze unfreeze: AccountManager: only the chain's governors")
    assert wabei(url, "freeze", "unfreeze", A5).returncode == 0
    assert wabei(url, "freeze", "status", A5).stdout == "normal\n"
    bad = wabei(url, "freeze", "account", "0x1234")
    assert bad.returncode == 2 and "is not an address" in bad.stderr


def test_sysconfig_get_and_set(url: str) -> None:
    assert "tx_count_limit: unset" in wabei(url, "sysconfig", "get").stdout
    assert wabei(url, "sysconfig", "set", "tx_count_limit", "50").returncode == 0
    assert wabei(url, "sysconfig", "get", "tx_count_limit").stdout.startswith("tx_count_limit: 50 (from block ")
    zero = wabei(url, "sysconfig", "set", "tx_count_limit", "0")
    assert zero.returncode == 2 and "tx_count_limit must be at least 1" in zero.stderr
    assert wabei(url, "sysconfig", "set", "tx_count_limit", "9", sender=A1).returncode == 1


def test_perm_governors_and_deploy_rules(url: str) -> None:
    assert wabei(url, "perm", "governors").stdout.split() == ["0x0000000000000000000000000000000000010001", A0]
    assert wabei(url, "perm", "set-deploy-type", "white_list").returncode == 0
    assert wabei(url, "perm", "open-deploy", A1).returncode == 0
    assert wabei(url, "perm", "can-deploy", A1).stdout == "true\n"
    assert wabei(url, "perm", "can-deploy", A5).stdout == "false\n"
    assert wabei(url, "perm", "set-deploy-type", "open").returncode == 0
    assert wabei(url, "perm", "deploy-type").stdout == "open\n"
    bad = wabei(url, "perm", "set-deploy-type", "grey")
    assert bad.returncode == 2 and "not a AuthType" in bad.stderr
