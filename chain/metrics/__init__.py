"""The node's Prometheus metrics and flow log (docs/metrics.md).

`NodeMetrics` owns one CollectorRegistry per node (several nodes may run in one process, as
tests do) and follows the node's seams: the chains' topics (committed blocks and their flow,
rejected transactions), each dispatcher's request observer, the server's WebSocket sessions.
Gauges that are a count of something the node already holds (pool, head, sessions) are read
when Prometheus scrapes, so they cost nothing in between. `routes.py` serves `/metrics`, on the
JSON-RPC port or on a listener of its own; `flow_log.py` writes `--flow-log`'s lines.
"""
