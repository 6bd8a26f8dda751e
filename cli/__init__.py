"""The `wabei` command: the application on top of the node and the client packages.

`cli.main` holds the one table of subcommands; `cli.common` what they share (exit codes,
`--rpc-url` and sender flags, connecting, one-line errors); one module per subcommand
(`cli.deploy`, `cli.cns`, `cli.sharing`, `cli.demo`, `cli.compile`). `wabei node` is the
node's own entry, `chain.cli.node_main`. Dependencies point one way: cli imports chain, cns,
deploy, sharing and transact; none of them imports cli.
"""

from vm_hooks.fast_keccak import prefer_fast_keccak

prefer_fast_keccak()  # before any command hashes (vm_hooks/fast_keccak.py)
