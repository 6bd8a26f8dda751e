"""The governance client's exception tree: every error a caller of `governance` can get."""
from __future__ import annotations


class GovernanceError(Exception):
    """Base of every governance client error."""


class GovernanceInputError(GovernanceError, ValueError):
    """An argument the client refuses before sending anything (a bad address, selector, status,
    key or value); the message says what to send instead."""


class GovernanceRejected(GovernanceError):
    """The chain refused the operation; the message is the precompile's revert reason (who may
    do it, what is out of range)."""
