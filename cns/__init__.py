"""The Contract Name Service, Python side: names and versions instead of hex addresses.

The chain side is native (vm_hooks/cns), with its naming rules in vm_hooks/names.py. Here: those
rules for the client (`cns.names`, re-exported with `CnsNameError`), the client
(`cns.client.CnsClient`, `cns.client.enable_ens`) and the errors (`cns.errors`). `cns` imports
`vm_hooks`, never the reverse. Nothing is imported eagerly, so the node does not load web3.
"""
