"""Errors of the deploy runner (compiling has its own tree in deploy/compile.py).

`UsageError` and its subclasses are mistakes in what was typed (`wabei` exits with 2, see
cli/common.py); every other `DeployError` is something the world refused or lacked (exit 1).
"""
from __future__ import annotations


class DeployError(Exception):
    """Base of every deploy runner error; the message is one line meant for the user."""


class UsageError(DeployError):
    """The command line itself is wrong: a malformed reference, flag or argument."""


class ArgumentError(UsageError):
    """A constructor or function argument does not fit its ABI type, or the count is wrong."""


class ManifestError(DeployError):
    """A manifest file cannot be read or written; a corrupt one is left untouched."""


class DeploymentFailed(DeployError):
    """The deployment transaction was refused, reverted, or left no code."""


class CnsConflict(DeployError):
    """NAME@VERSION is already published for a different address."""
