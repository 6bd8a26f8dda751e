"""`wabei network status`: each node's view of the chain, from its CometBFT RPC (`/status`,
`/net_info`, `/validators`, `/block` for the proposer) and its Wabei JSON-RPC (`eth_blockNumber`).
A node that does not answer is reported as down, never as an error of the whole command.
"""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from network.layout import load_manifest

TIMEOUT_S = 3.0


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:  # noqa: S310 (our own node)
        body = json.loads(response.read())
    if "error" in body and body["error"]:
        raise RuntimeError(str(body["error"]))
    return body["result"]


def _eth_block_number(url: str) -> int:
    data = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber", "params": []}).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310
        return int(json.loads(response.read())["result"], 16)


def node_status(node: dict[str, Any], app: str, names_by_address: dict[str, str]) -> dict[str, Any]:
    """One node's row: up, height, last block time, proposer, peers, power; `error` if down."""
    row: dict[str, Any] = {"node": node["name"], "org": node["org"], "role": node["role"],
                           "rpc_url": node["rpc_url"], "comet_rpc_url": node["comet_rpc_url"]}
    base = node["comet_rpc_url"]
    try:
        status = _get(f"{base}/status")
        sync = status["sync_info"]
        height = int(sync["latest_block_height"])
        net = _get(f"{base}/net_info")
        validators = _get(f"{base}/validators?per_page=100") if height else {"validators": []}
        header = _get(f"{base}/block?height={height}")["block"]["header"] if height else {}
    except (OSError, urllib.error.URLError, ValueError, KeyError, RuntimeError) as exc:
        return row | {"up": False, "error": f"CometBFT RPC: {type(exc).__name__}: {exc}"}
    proposer = header.get("proposer_address", "")
    row |= {
        "up": True, "height": height, "last_block_time": sync["latest_block_time"] if height else None,
        "catching_up": bool(sync["catching_up"]),
        "proposer": names_by_address.get(proposer, proposer) or None,
        "peers": sorted(p["node_info"]["moniker"] for p in net["peers"]),
        "voting_power": int(status["validator_info"]["voting_power"]),
        "total_power": sum(int(v["voting_power"]) for v in validators["validators"]),
        "eth_block_number": None,
    }
    if app == "wabei":
        try:
            row["eth_block_number"] = _eth_block_number(node["rpc_url"])
        except (OSError, urllib.error.URLError, ValueError, KeyError) as exc:
            row["eth_error"] = f"Wabei JSON-RPC: {type(exc).__name__}"
    return row


def network_status(network_dir: Path) -> list[dict[str, Any]]:
    """Every node's row, in the manifest's order (queried in parallel)."""
    manifest = load_manifest(network_dir)
    names = {n["validator_address"]: n["name"] for n in manifest["nodes"]}
    with ThreadPoolExecutor(max_workers=min(8, len(manifest["nodes"]) or 1)) as pool:
        return list(pool.map(lambda n: node_status(n, manifest["app"], names), manifest["nodes"]))


def format_table(rows: list[list[str]], headers: list[str]) -> str:
    """A plain aligned text table; `rows` are lists of cells as strings."""
    cells: list[list[str]] = [headers, *rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells)


def status_table(rows: list[dict[str, Any]]) -> str:
    lines: list[list[str]] = []
    for r in rows:
        if not r["up"]:
            lines.append([r["node"], r["org"], r["role"], "down", "-", "-", "-", "-", "-"])
            continue
        eth = "-" if r.get("eth_block_number") is None else str(r["eth_block_number"])
        lines.append([r["node"], r["org"], r["role"], str(r["height"]), eth, (r["last_block_time"] or "-")[:23],
                      r["proposer"] or "-", str(len(r["peers"])), f"{r['voting_power']}/{r['total_power']}"])
    return format_table(lines, ["node", "org", "role", "height", "eth", "last block (UTC)", "proposer",
                                "peers", "power"])
