"""One error family. Messages say what was wrong, what is allowed, and the likely fix."""
from __future__ import annotations


class NewsfoldError(Exception):
    """Base class: anything newsfold raises on purpose. ``exit_code`` is used by the CLI."""

    exit_code = 1
    http_status = 500


class InputError(NewsfoldError):
    """Malformed input: a file or line that cannot be read as articles."""

    exit_code = 2
    http_status = 422

    def __init__(self, message: str, origin: str = "") -> None:
        super().__init__(f"{origin}: {message}" if origin else message)
        self.origin = origin


class ConfigError(NewsfoldError):
    """A setting with a value that is not allowed."""

    exit_code = 2
    http_status = 422


class StoreError(NewsfoldError):
    """The store cannot be opened or written (locked, wrong schema, not a store)."""

    exit_code = 3
    http_status = 503


class NotFound(NewsfoldError):
    """An id that the store does not hold."""

    exit_code = 4
    http_status = 404


class MissingDependency(NewsfoldError):
    """An optional dependency a chosen component needs is not installed."""

    exit_code = 5

    def __init__(self, package: str, purpose: str) -> None:
        super().__init__(f"{purpose} needs the '{package}' package: pip install {package}")
