"""Every error a user can cause or meet, with a stable code.

    JicError                       base: code, message, hint, http_status
    ├── ConfigError        E1xx    settings, data home, database URL
    │   ├── NoCenterError          no center at the data home yet
    │   └── CenterExistsError
    ├── InputError         E2xx    a file, record, query or argument jic cannot use
    │   ├── IngestError            one item of an ingest (carried per item, not raised to the top)
    │   └── QueryError
    ├── NotFoundError      E3xx
    ├── StoreError         E4xx    the database refused or is at the wrong schema
    ├── GatherError        E5xx    fetching from the network
    └── AccessError        E6xx    authentication and the sharing policy

The CLI prints ``error JIC-E101: message — hint`` and exits non-zero; the API turns
the same error into its JSON envelope. Codes never change meaning once released.
"""

from __future__ import annotations


class JicError(Exception):
    """Base of every jic error: a stable code, what went wrong, what to do next."""

    code = "JIC-E000"
    http_status = 500

    def __init__(self, message: str, hint: str = "", *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        if code is not None:
            self.code = code

    def one_line(self) -> str:
        """The single line the CLI prints."""
        hint = f" — {self.hint}" if self.hint else ""
        return f"error {self.code}: {self.message}{hint}"


class ConfigError(JicError):
    code = "JIC-E100"
    http_status = 500


class NoCenterError(ConfigError):
    code = "JIC-E101"


class CenterExistsError(ConfigError):
    code = "JIC-E102"
    http_status = 409


class InputError(JicError):
    code = "JIC-E200"
    http_status = 422


class IngestError(InputError):
    """One item of an ingest could not be stored; the run goes on with the next."""

    code = "JIC-E201"


class QueryError(InputError):
    code = "JIC-E210"


class NotFoundError(JicError):
    code = "JIC-E300"
    http_status = 404


class StoreError(JicError):
    code = "JIC-E400"
    http_status = 503


class GatherError(JicError):
    code = "JIC-E500"
    http_status = 502


class AccessError(JicError):
    code = "JIC-E600"
    http_status = 403
