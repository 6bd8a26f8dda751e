"""Errors of the chain-side rules in vm_hooks that are not reverts.

A precompile handler turns `NameRuleError` into a revert whose reason is the error's message;
`PinnedVersionMismatch` is never caught: a node whose name rules could differ from its peers'
must not start.
"""
from __future__ import annotations


class VmHooksError(Exception):
    """Base of the errors below."""


class NameRuleError(VmHooksError, ValueError):
    """A name, version or DNS-encoded name that the chain's name rules refuse; the message says why.

    `cns.errors.CnsNameError` subclasses it, so the client and the chain share one vocabulary.
    """


class PinnedVersionMismatch(VmHooksError, RuntimeError):
    """An installed library that the chain's rules depend on is not the exact version they pin."""


class TrustListError(VmHooksError, ValueError):
    """An entry the trust-list precompile refuses by shape alone (empty, too large, not DER-framed);
    the message says what to send instead. The precompile turns it into a revert."""
