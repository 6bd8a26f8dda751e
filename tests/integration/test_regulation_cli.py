"""`wabei intercept` and `wabei kyc` against a real node process: results on stdout, a chain's
refusal as one stderr line with exit 1, a malformed argument exit 2; and a restart of a
--data-dir node keeps rules, identities and the interception index."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from web3 import Web3

from conftest import start_node
from tests.integration.helpers import A0, A1, REPO_ROOT, dev_account, rpc
from tests.integration.regulation_helpers import ISSUER, REGULATOR, send

BLOCKED = dev_account(3).address
KNOWN = dev_account(5).address


def wabei(url: str, *args: str, sender: str | None = None) -> Any:
    extra = ["--from", sender] if sender else []
    return subprocess.run([sys.executable, "-m", "cli", *args, "--rpc-url", url, *extra],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)


def _ok(result: Any) -> str:
    assert result.returncode == 0, result.stderr
    out: str = result.stdout
    return out


def test_rules_identities_and_reports_from_the_shell_survive_a_restart(tmp_path: Path) -> None:
    data = str(tmp_path / "chain")
    node = start_node("--data-dir", data)
    try:
        url = node.http_url
        _ok(wabei(url, "intercept", "set-regulator", REGULATOR))
        refused = wabei(url, "intercept", "block", BLOCKED)  # the default sender (A0) is no regulator
        assert refused.returncode == 1
        assert refused.stderr.startswith("wabei intercept block: Regulation: only a regulator")
        bad = wabei(url, "intercept", "block", "0x12", sender=REGULATOR)
        assert bad.returncode == 2 and "is not an address" in bad.stderr
        _ok(wabei(url, "intercept", "block", BLOCKED, sender=REGULATOR))
        _ok(wabei(url, "intercept", "set-threshold", str(10**18), "2", sender=REGULATOR))
        assert wabei(url, "intercept", "set-threshold", "lots", "2", sender=REGULATOR).returncode == 2
        _ok(wabei(url, "kyc", "set-issuer", ISSUER))
        record = tmp_path / "kyc.json"
        record.write_text('{"name": "kept off chain"}')
        _ok(wabei(url, "kyc", "bind", KNOWN, "2", "+86400", "--record-file", str(record), sender=ISSUER))
        w3 = Web3(Web3.HTTPProvider(url))
        failed = send(w3, {"from": BLOCKED, "to": A1, "value": 1})
        assert failed["status"] == 0
        assert send(w3, {"from": KNOWN, "to": A1, "value": 2 * 10**18})["status"] == 1
        before = (_ok(wabei(url, "intercept", "rules")), _ok(wabei(url, "intercept", "list")),
                  _ok(wabei(url, "kyc", "show", KNOWN)), rpc(url, "wabei_getInterceptions", []))
    finally:
        node.stop()
    node = start_node("--data-dir", data)
    try:
        url = node.http_url
        rules, listing, shown, page = before
        assert f"regulators: {REGULATOR}" in rules and f"blocked: {BLOCKED}" in rules
        assert "threshold: ether above 1000000000000000000 needs KYC level 2" in rules
        assert f"blocked sender: Regulation: {BLOCKED} is blocked" in listing
        assert listing.endswith("1 interception(s) in all; end\n")
        assert "level: 2" in shown and "valid: true" in shown and f"issuer: {ISSUER}" in shown
        assert (_ok(wabei(url, "intercept", "rules")), _ok(wabei(url, "intercept", "list")),
                _ok(wabei(url, "kyc", "show", KNOWN)), rpc(url, "wabei_getInterceptions", [])) == before
        w3 = Web3(Web3.HTTPProvider(url))
        assert send(w3, {"from": BLOCKED, "to": A0, "value": 1})["status"] == 0  # still in force
        assert rpc(url, "wabei_getInterceptions", [])["total"] == "0x2"
        _ok(wabei(url, "intercept", "unblock", BLOCKED, sender=REGULATOR))
        assert send(w3, {"from": BLOCKED, "to": A0, "value": 1})["status"] == 1
    finally:
        node.stop()
