"""The node's typed API: what every RPC method needs, with no wire formats."""
