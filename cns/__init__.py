"""The Contract Name Service, Python side: names and versions instead of hex addresses.

The chain side is native (vm_hooks/cns). Here: the naming rules (`cns.names`, pure and cheap to
import, used by the precompile too), the client (`cns.client.CnsClient`, `cns.client.enable_ens`)
and the errors (`cns.errors`). Nothing is imported eagerly, so the node does not load web3.
"""
