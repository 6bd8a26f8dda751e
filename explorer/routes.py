"""Serving the explorer's built files at /explorer/ beside JSON-RPC, on the node's own port.

The page routes by URL fragment (`/explorer/#/tx/0x…`), so the server only ever hands out the
few files in dist/; anything else under /explorer/ is a 404. A Content-Security-Policy allows
scripts, styles and connections from the node itself only, so even a rendering bug could not run
an injected script or send data elsewhere.
"""
from __future__ import annotations

from pathlib import Path

from aiohttp import web

DIST = Path(__file__).parent / "web" / "dist"
PREFIX = "/explorer"
_TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
NOT_BUILT = ("The explorer page has not been built. Run ./scripts/setup (it runs npm in explorer/web "
             "and bundles the page into explorer/web/dist), then reload.\n")


def add_explorer_routes(app: web.Application, dist: Path = DIST) -> None:
    """Serve `dist` at /explorer/ (GET only). The node calls this unless --no-explorer."""
    files = _Files(dist)
    app.router.add_get(PREFIX, files.redirect)
    app.router.add_get(PREFIX + "/", files.index)
    app.router.add_get(PREFIX + "/{name}", files.file)


class _Files:
    def __init__(self, dist: Path) -> None:
        self._dist = dist

    async def redirect(self, request: web.Request) -> web.Response:
        raise web.HTTPMovedPermanently(PREFIX + "/")

    async def index(self, request: web.Request) -> web.Response:
        return self._serve(request, "index.html")

    async def file(self, request: web.Request) -> web.Response:
        return self._serve(request, request.match_info["name"])

    def _serve(self, request: web.Request, name: str) -> web.Response:
        kind = _TYPES.get(Path(name).suffix)
        # One path segment (the route's {name} has no "/"), no hidden files, known types only.
        if kind is None or name.startswith(".") or "/" in name or "\\" in name:
            raise web.HTTPNotFound(text=f"no such explorer file: {name}\n")
        path = self._dist / name
        if not path.is_file():
            if name == "index.html":
                return web.Response(status=503, text=NOT_BUILT)
            raise web.HTTPNotFound(text=f"no such explorer file: {name}\n")
        return web.Response(body=path.read_bytes(), content_type=kind, headers=_headers(request))


def _headers(request: web.Request) -> dict[str, str]:
    host = request.host
    return {
        "Content-Security-Policy": (
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            f"connect-src 'self' ws://{host} wss://{host}; base-uri 'none'; form-action 'none'; "
            "frame-ancestors 'none'"),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-cache",
        "Referrer-Policy": "no-referrer",
    }
