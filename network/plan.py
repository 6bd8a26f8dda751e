"""The shape of a network before anything is written: organisations, nodes, roles, addresses and
ports. Pure: `network.init` turns a plan into files.

Ports: node i (counting across organisations, in order) uses p2p_base + 10*i for CometBFT's
P2P, +1 for CometBFT's RPC, +2 for its ABCI connection to Wabei, and rpc_base + i for Wabei's
JSON-RPC; so node 0 keeps CometBFT's and the devnet's usual 26656/26657/26658 and 8545.
Hosts: every node advertises `host` (loopback unless `--hosts` or an override says otherwise)
and listens on `bind` (the host itself on loopback, 0.0.0.0 elsewhere, so a node behind NAT or
with several interfaces still accepts its peers).
"""
from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any

VALIDATOR = "validator"
OBSERVER = "observer"
DEFAULT_POWER = 10
_NAME = re.compile(r"[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?")


class PlanError(ValueError):
    """The requested network cannot be laid out; the message says what to change."""


@dataclass(frozen=True)
class OrgPlan:
    name: str
    regulator: bool = False


@dataclass(frozen=True)
class NodePlan:
    name: str
    org: str
    role: str            # VALIDATOR or OBSERVER
    host: str            # the address peers and clients use
    bind: str            # the address it listens on
    p2p_port: int
    comet_rpc_port: int
    abci_port: int
    rpc_port: int        # Wabei JSON-RPC (HTTP and WebSocket)
    power: int           # voting power in genesis; 0 for an observer

    @property
    def p2p_address(self) -> str:
        return f"{_bracket(self.host)}:{self.p2p_port}"

    @property
    def rpc_url(self) -> str:
        return f"http://{_bracket(self.host)}:{self.rpc_port}"

    @property
    def comet_rpc_url(self) -> str:
        return f"http://{_bracket(self.host)}:{self.comet_rpc_port}"


@dataclass(frozen=True)
class NetworkPlan:
    chain_id: int                         # the Ethereum chain id (eth_chainId)
    comet_chain_id: str                   # CometBFT's chain_id in genesis.json
    orgs: tuple[OrgPlan, ...]
    nodes: tuple[NodePlan, ...]
    app: str = "wabei"                    # "wabei", or "kvstore": CometBFT's built-in app, to test consensus alone
    extra: dict[str, str] = field(default_factory=dict)

    def node(self, name: str) -> NodePlan:
        for n in self.nodes:
            if n.name == name:
                return n
        raise PlanError(f"no node {name!r} in this network")


def is_local(host: str) -> bool:
    """Loopback or private: where CometBFT's strict address book would refuse to gossip."""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host == "localhost"
    return ip.is_loopback or ip.is_private


def _bind(host: str) -> str:
    """Listen on the loopback address itself; on every interface otherwise."""
    if host == "localhost":
        return "127.0.0.1"
    try:
        return host if ipaddress.ip_address(host).is_loopback else "0.0.0.0"
    except ValueError:
        return "0.0.0.0"


def _bracket(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def plan_network(*, org_names: list[str], nodes_per_org: int, observers_per_org: int = 0,
                 regulator: str | None = None, hosts: list[str] | None = None,
                 node_hosts: dict[str, str] | None = None, chain_id: int = 31337,
                 p2p_base: int = 26656, rpc_base: int = 8545, app: str = "wabei") -> NetworkPlan:
    """Lay out the network; raises PlanError with a message naming the flag to fix."""
    names = [*org_names, *([regulator] if regulator else [])]
    for name in names:
        if not _NAME.fullmatch(name):
            raise PlanError(f"organisation name {name!r}: use 1-32 lower-case letters, digits and '-'")
    if len(set(names)) != len(names):
        raise PlanError("organisation names must be distinct (the regulator's too)")
    if nodes_per_org < 1 and observers_per_org < 1:
        raise PlanError("each organisation needs at least one node")
    if app not in ("wabei", "kvstore"):
        raise PlanError(f"app {app!r}: 'wabei' or 'kvstore'")
    roles = [VALIDATOR] * nodes_per_org + [OBSERVER] * observers_per_org
    seats = [(org, role, f"{org}-node{i + 1}") for org in org_names for i, role in enumerate(roles)]
    if not any(role == VALIDATOR for _, role, _ in seats):
        raise PlanError("a network needs at least one validator")
    host_of = _hosts(hosts or ["127.0.0.1"], [s[2] for s in seats], node_hosts or {})
    last = p2p_base + 10 * (len(seats) - 1) + 2
    if p2p_base < 1024 or last > 65535 or rpc_base < 1024 or rpc_base + len(seats) > 65535:
        raise PlanError("ports must lie between 1024 and 65535 (change --p2p-port or --rpc-port)")
    if rpc_base + len(seats) > p2p_base and rpc_base <= last:
        raise PlanError("the JSON-RPC ports overlap the CometBFT ports (change --p2p-port or --rpc-port)")
    nodes = tuple(
        NodePlan(name=name, org=org, role=role, host=host_of[name],
                 bind=_bind(host_of[name]),
                 p2p_port=p2p_base + 10 * i, comet_rpc_port=p2p_base + 10 * i + 1,
                 abci_port=p2p_base + 10 * i + 2, rpc_port=rpc_base + i,
                 power=DEFAULT_POWER if role == VALIDATOR else 0)
        for i, (org, role, name) in enumerate(seats))
    orgs = tuple(OrgPlan(n) for n in org_names) + ((OrgPlan(regulator, regulator=True),) if regulator else ())
    return NetworkPlan(chain_id=chain_id, comet_chain_id=f"wabei-{chain_id}", orgs=orgs, nodes=nodes, app=app)


def _hosts(hosts: list[str], node_names: list[str], overrides: dict[str, str]) -> dict[str, str]:
    unknown = sorted(set(overrides) - set(node_names))
    if unknown:
        raise PlanError(f"--node-host names no such node: {', '.join(unknown)} (nodes: {', '.join(node_names)})")
    if len(hosts) not in (1, len(node_names)):
        raise PlanError(f"--hosts gives {len(hosts)} addresses for {len(node_names)} nodes: give one for all or one per node")
    chosen = {name: hosts[0] if len(hosts) == 1 else hosts[i] for i, name in enumerate(node_names)}
    return chosen | overrides


def plan_org_nodes(org: str, count: int, *, host: str = "127.0.0.1", p2p_base: int = 26656,
                   rpc_base: int = 8545) -> tuple[NodePlan, ...]:
    """The nodes of an organisation that joins a running network (`wabei network org new`):
    `<org>-node<i>`, observers (power 0: voting power comes only by transaction), on `host`,
    node i on p2p_base + 10*i.. and rpc_base + i, as `plan_network` lays out a whole network."""
    if not _NAME.fullmatch(org):
        raise PlanError(f"organisation name {org!r}: use 1-32 lower-case letters, digits and '-'")
    if count < 1:
        raise PlanError("an organisation needs at least one node (--nodes)")
    if p2p_base < 1024 or p2p_base + 10 * (count - 1) + 2 > 65535 or rpc_base < 1024 or rpc_base + count > 65535:
        raise PlanError("ports must lie between 1024 and 65535 (change --p2p-port or --rpc-port)")
    if rpc_base + count > p2p_base and rpc_base <= p2p_base + 10 * (count - 1) + 2:
        raise PlanError("the JSON-RPC ports overlap the CometBFT ports (change --p2p-port or --rpc-port)")
    return tuple(NodePlan(name=f"{org}-node{i + 1}", org=org, role=OBSERVER, host=host, bind=_bind(host),
                          p2p_port=p2p_base + 10 * i, comet_rpc_port=p2p_base + 10 * i + 1,
                          abci_port=p2p_base + 10 * i + 2, rpc_port=rpc_base + i, power=0)
                 for i in range(count))


def node_from_manifest(entry: dict[str, Any]) -> NodePlan:
    """A node of `network.json` (or of an organisation's bundle) as a NodePlan."""
    ports = entry["ports"]
    return NodePlan(name=entry["name"], org=entry["org"], role=entry["role"], host=entry["host"], bind=entry["bind"],
                    p2p_port=int(ports["p2p"]), comet_rpc_port=int(ports["comet_rpc"]), abci_port=int(ports["abci"]),
                    rpc_port=int(ports["rpc"]), power=int(entry["power"]))


def plan_from_manifest(manifest: dict[str, Any]) -> NetworkPlan:
    """The plan a network's `network.json` describes (what a joining node's config is made from)."""
    orgs = tuple(OrgPlan(o["name"], bool(o.get("regulator"))) for o in manifest["orgs"])
    return NetworkPlan(chain_id=int(manifest["chain_id"]), comet_chain_id=str(manifest["comet_chain_id"]), orgs=orgs,
                       nodes=tuple(node_from_manifest(n) for n in manifest["nodes"]), app=str(manifest["app"]))
