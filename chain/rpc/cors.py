"""Which browser pages may call the node: CORS for HTTP, the Origin check for WebSockets.

Off by default (`ServerConfig.cors_origins == ()`): a devnet signs for its dev accounts, so a web
page the developer happens to open must not be able to spend them. Browsers put an `Origin`
header on every cross-site request (and on same-site POSTs); other software (web3.py, ethers and
viem under Node, curl) sends none. So:

- no `Origin`, or the node's own origin (a page the node serves): served as always;
- an allowed origin (`--cors-origins`, `*` for any): served, with `Access-Control-Allow-Origin`;
- any other origin: refused with 403 before the request runs. geth's CORS only withholds the
  header and still runs a "simple" request (a text/plain POST needs no preflight), which is
  harmless on a node without unlocked accounts but not here; its `--ws.origins` check, which
  refuses the upgrade, is what this does for both transports.
"""
from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

ALLOWED_METHODS = "POST, GET, OPTIONS"


def parse_origins(text: str) -> tuple[str, ...]:
    """`--cors-origins` (comma-separated) → normalised origins; raises ValueError naming a bad one."""
    out = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        if item not in ("*", "null") and "://" not in item:
            raise ValueError(f"{item!r} is not an origin: write it as the browser sends it, "
                             "scheme://host[:port] (for example http://localhost:3000), or *")
        out.append(item.rstrip("/").lower())
    return tuple(out)


@dataclass(frozen=True)
class OriginPolicy:
    """The allowed origins, normalised by `parse_origins` ("*" allows any)."""

    origins: tuple[str, ...] = ()

    @property
    def any_origin(self) -> bool:
        return "*" in self.origins

    def verdict(self, request: web.Request) -> str:
        """"none" (no Origin header), "same" (the node's own page), "allowed" or "refused"."""
        origin = request.headers.get("Origin")
        if origin is None:
            return "none"
        origin = origin.rstrip("/").lower()
        if origin == f"{request.scheme}://{request.host}".lower():
            return "same"
        return "allowed" if self.any_origin or origin in self.origins else "refused"

    def headers(self, request: web.Request) -> dict[str, str]:
        """Headers for an allowed cross-origin response (empty otherwise)."""
        if self.verdict(request) != "allowed":
            return {}
        if self.any_origin:
            return {"Access-Control-Allow-Origin": "*"}
        return {"Access-Control-Allow-Origin": request.headers["Origin"], "Vary": "Origin"}

    def preflight(self, request: web.Request) -> web.Response:
        """An OPTIONS request: a CORS preflight answered for an allowed origin, 403 otherwise."""
        verdict = self.verdict(request)
        if verdict == "refused":
            return self.refusal(request)
        headers = {"Allow": ALLOWED_METHODS, **self.headers(request)}
        if verdict == "allowed":
            headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
            headers["Access-Control-Allow-Headers"] = request.headers.get(
                "Access-Control-Request-Headers", "Content-Type")
            headers["Access-Control-Max-Age"] = "600"
        return web.Response(status=204, headers=headers)

    def refusal(self, request: web.Request) -> web.Response:
        origin = request.headers.get("Origin", "")
        return web.Response(status=403, content_type="text/plain", text=(
            f"origin {origin} may not call this node: start it with --cors-origins {origin} "
            "(comma-separated; * for any page) to allow it\n"))
