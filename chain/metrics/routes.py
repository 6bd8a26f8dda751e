"""`/metrics` over HTTP: a route on the JSON-RPC server, or a listener of its own
(`--metrics-addr`), so an operator can keep the metrics off a public RPC interface."""
from __future__ import annotations

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from chain.metrics.node_metrics import NodeMetrics

PATH = "/metrics"


def add_metrics_route(app: web.Application, metrics: NodeMetrics) -> None:
    """Serve `metrics` at GET /metrics on `app` (before the app starts: aiohttp freezes routes)."""

    async def scrape(_request: web.Request) -> web.Response:
        await metrics.refresh()
        # The registry renders in a few milliseconds; on the loop, as every request is.
        body = generate_latest(metrics.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    app.router.add_get(PATH, scrape)


async def start_metrics_listener(host: str, port: int, metrics: NodeMetrics) -> tuple[web.AppRunner, int]:
    """A separate HTTP listener that serves only /metrics; returns its runner and bound port
    (port 0 picks a free one). Raises OSError if the address cannot be bound."""
    app = web.Application()
    add_metrics_route(app, metrics)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except BaseException:
        await runner.cleanup()
        raise
    return runner, int(runner.addresses[0][1])


def parse_metrics_addr(text: str) -> tuple[str, int]:
    """`HOST:PORT`, `[v6]:PORT` or a bare `PORT` (then loopback, 127.0.0.1). Raises ValueError
    with a message that says what was expected."""
    host, sep, port = text.rpartition(":")
    if not sep:
        host, port = "127.0.0.1", text
    host = host.strip("[]") or "127.0.0.1"
    try:
        number = int(port)
    except ValueError:
        raise ValueError(f"expected HOST:PORT or PORT, got {text!r}") from None
    if not 0 <= number <= 65535:
        raise ValueError(f"port {number} is outside 0-65535")
    return host, number
