"""Sending transactions from Python clients: one send, wait and check for the whole tree.

`cns.client`, `deploy.runner` and `sharing.deploy` all send contract calls and deployments
the same way, so they share `transact.send.send_and_wait` instead of each keeping a copy. This
package sits below them (it imports web3 and eth-account, nothing of Wabei's), so any client
may use it without an import cycle. The node (`chain`, `vm_hooks`) never imports it.
"""
