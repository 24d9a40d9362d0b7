"""Errors raised by PHI redaction."""

from __future__ import annotations


class PhiError(Exception):
    """Base class for every error raised by compliance.phi."""


class TextTooLong(PhiError, ValueError):
    """The text exceeds MAX_TEXT_CHARS; split it before redacting."""


class VaultError(PhiError):
    """A placeholder vault could not be encrypted or decrypted (bad key, tampered blob)."""
