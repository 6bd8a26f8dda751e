"""The CNS client's exception tree: every error a caller of `cns` can get."""
from __future__ import annotations

from vm_hooks.errors import NameRuleError


class CnsError(Exception):
    """Base of every CNS error."""


class CnsNameError(CnsError, NameRuleError):
    """A name, version or reference that cannot be used; the message says why.

    A subclass of the chain's `NameRuleError` (a ValueError), raised with the chain's own
    message, so `except CnsNameError`, `except CnsError` and `except ValueError` all catch it.
    """


class CnsNotFound(CnsError, LookupError):
    """No such name, or no such version of it."""


class CnsRejected(CnsError):
    """The chain refused the operation; the message is the CNS's revert reason."""


class CnsEnvironmentError(CnsError, RuntimeError):
    """This Python environment cannot do what was asked (e.g. web3 cannot normalise ENS names
    with the installed pyunormalize); the message names the fix."""
