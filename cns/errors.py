"""The CNS client's exception tree: every error a caller of `cns` can get."""
from __future__ import annotations


class CnsError(Exception):
    """Base of every CNS error."""


class CnsNameError(CnsError, ValueError):
    """A name, version or reference that cannot be used; the message says why."""


class CnsNotFound(CnsError, LookupError):
    """No such name, or no such version of it."""


class CnsRejected(CnsError):
    """The chain refused the operation; the message is the CNS's revert reason."""
