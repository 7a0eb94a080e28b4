"""Errors raised by the storage package.

StorageError              base class; messages show the database URL with its password hidden
├── DatabaseUnreachable   cannot connect
└── SchemaOutOfDate       the schema is older than this version of newswatch
"""

from __future__ import annotations


class StorageError(Exception):
    """Base class for storage errors."""


class DatabaseUnreachableError(StorageError):
    """The database cannot be reached with the configured URL."""


class SchemaOutOfDateError(StorageError):
    """The database schema needs ``newswatch db upgrade``."""
