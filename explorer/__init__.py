"""The block explorer every node serves at /explorer/ (docs/explorer.md).

The page itself is a static bundle (explorer/web, built into explorer/web/dist by ./scripts/setup)
that reads the chain only through the node's public JSON-RPC; this package only serves those
files, so it imports nothing but aiohttp and the standard library.
"""
