"""How a node serves its metrics, as its ServerConfig says: the composition root
(chain/node.py) calls `attach` while it builds the server and `serve_apart` once it listens."""
from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from aiohttp import web

from chain.config import ServerConfig
from chain.metrics.flow_log import follow_flow_log
from chain.metrics.node_metrics import NodeMetrics
from chain.metrics.routes import PATH, add_metrics_route, start_metrics_listener
from chain.rpc.dispatch import Dispatcher

if TYPE_CHECKING:
    from chain.api.chain import Chain
    from chain.rpc.server import RpcServer


def attach(server: "RpcServer", chains: Sequence["Chain"], dispatchers: Sequence[Dispatcher],
           config: ServerConfig) -> NodeMetrics | None:
    """Follow the node's chains and requests (None with `metrics=False`); adds /metrics to the
    JSON-RPC app unless the metrics have their own address. Turns on the flow log if asked."""
    if config.flow_log:
        for chain in chains:
            follow_flow_log(chain)
    if not config.metrics:
        return None
    metrics = NodeMetrics()
    metrics.follow_server(server)
    for chain, dispatcher in zip(chains, dispatchers):
        metrics.follow_chain(chain, dispatcher)
    if config.metrics_addr is None:
        add_metrics_route(server.app, metrics)
    return metrics


async def serve_apart(metrics: NodeMetrics | None,
                      config: ServerConfig) -> tuple[web.AppRunner | None, str | None]:
    """Start the separate metrics listener if the config names one; its runner and URL."""
    if metrics is None or config.metrics_addr is None:
        return None, None
    host, port = config.metrics_addr
    runner, bound = await start_metrics_listener(host, port, metrics)
    shown = f"[{host}]" if ":" in host else host
    return runner, f"http://{shown}:{bound}{PATH}"
