"""Where everything lives in a network directory, and the two JSON files other parts read:
the manifest `DIR/network.json` and each node's Wabei config `DIR/<node>/wabei.json`.

    DIR/network.json               the manifest: orgs, nodes, roles, addresses, ports, ids
    DIR/genesis.json               CometBFT's genesis (copied into every node's CometBFT home)
    DIR/alloc.json                 the Ethereum genesis allocations (also genesis.json's app_state)
    DIR/trust/cas/<org>.pem        the trust list: every CA certificate here is trusted
    DIR/trust/crls/<org>.pem       each CA's certificate revocation list (signed by that CA)
    DIR/certs/<node>.pem           the registry of node certificates admission looks ids up in
    DIR/orgs/<org>/ca.key          an organisation's CA key (mode 0600; belongs offline)
    DIR/<node>/wabei.json          the node's Wabei config (schema in docs/network.md)
    DIR/<node>/cometbft/           the node's CometBFT home (config.toml, keys, data/)
    DIR/<node>/data/               the node's Wabei storage
    DIR/run/<node>.<proc>.pid|log  pid files and logs written by `wabei network up`

Paths inside wabei.json are relative to the directory that holds it, so a network directory
(or one node's part of it, copied to another host) can be moved.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = 1
MANIFEST = "network.json"
NODE_CONFIG = "wabei.json"


class LayoutError(ValueError):
    """A network directory or one of its files is missing or malformed."""


# Whether `wabei node --network DIR --node NAME` starts the node's CometBFT as its child. init
# writes it into every wabei.json (`cometbft.start`); `wabei network up` starts CometBFT itself
# for a node whose file says false. The one place this choice is made.
NODE_STARTS_COMETBFT = True


@dataclass(frozen=True)
class NodeConfig:
    """What admission and the supervisor read from a node's `wabei.json`, paths resolved. The
    node itself reads the same file with network/config.py (docs/network.md has the schema)."""

    network_dir: Path
    node: str
    org: str
    role: str                   # "validator" or "observer"
    chain_id: int               # Ethereum chain id
    app: str                    # "wabei", or "kvstore" (no Wabei process: CometBFT's own app)
    rpc_host: str
    rpc_port: int
    abci_listen: str            # where Wabei serves ABCI, CometBFT's proxy_app: tcp://host:port
    comet_home: Path
    comet_rpc: str              # CometBFT's RPC URL, http://host:port
    comet_started_by_node: bool
    trust_cas: Path
    trust_crls: Path
    certificates: Path
    certificate: Path           # this node's own certificate


def node_dir(network_dir: Path, node: str) -> Path:
    return network_dir / node


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LayoutError(f"{path} does not exist (create the network with `wabei network init`)") from None
    except (OSError, ValueError) as exc:
        raise LayoutError(f"{path}: {exc}") from None


def write_json(path: Path, body: Any, *, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
    path.chmod(mode)


def load_manifest(network_dir: Path) -> dict[str, Any]:
    """The manifest, checked for the schema this code writes."""
    body = read_json(network_dir / MANIFEST)
    if not isinstance(body, dict) or body.get("schema") != SCHEMA or not isinstance(body.get("nodes"), list):
        raise LayoutError(f"{network_dir / MANIFEST} is not a schema-{SCHEMA} network manifest")
    return body


def load_node_config(network_dir: Path, node: str) -> NodeConfig:
    """Read `DIR/<node>/wabei.json`; raises LayoutError naming the file and the problem."""
    base = node_dir(network_dir, node)
    path = base / NODE_CONFIG
    body = read_json(path)
    try:
        if body["schema"] != SCHEMA:
            raise LayoutError(f"{path}: schema {body['schema']}, this Wabei reads {SCHEMA}")
        return NodeConfig(
            network_dir=network_dir, node=body["node"], org=body["org"], role=body["role"],
            chain_id=int(body["chain_id"]), app=body["app"],
            rpc_host=body["rpc"]["host"], rpc_port=int(body["rpc"]["port"]), abci_listen=body["abci"]["listen"],
            comet_home=base / body["cometbft"]["home"], comet_rpc=body["cometbft"]["rpc"],
            comet_started_by_node=bool(body["cometbft"]["start"]),
            trust_cas=base / body["trust"]["cas"], trust_crls=base / body["trust"]["crls"],
            certificates=base / body["trust"]["certificates"], certificate=base / body["certificate"])
    except (KeyError, TypeError, ValueError) as exc:
        raise LayoutError(f"{path}: missing or malformed field {exc}") from None
