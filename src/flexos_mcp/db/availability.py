"""Whether PostgreSQL is answering, as this process last saw it.

During an outage every call fails. Callers get one clear message ("the database is
unavailable"), and the log says so once when the outage starts and once when it ends — not a
traceback per request. The gateway reports every connection-level failure and every success
here; the HTTP token check does the same through the gateway.
"""

from __future__ import annotations

import logging
import time

import asyncpg

log = logging.getLogger(__name__)

# Errors that say "PostgreSQL cannot be reached or did not answer", not "this statement is wrong".
# TimeoutError is an OSError: a connect, pool-acquire or command timeout lands here too.
_UNAVAILABLE = (
    OSError,
    asyncpg.PostgresConnectionError,  # class 08: connection lost, refused, does not exist
    asyncpg.CannotConnectNowError,  # 57P03: starting up, shutting down, in recovery
    asyncpg.AdminShutdownError,  # 57P01: terminated by a shutdown or pg_terminate_backend
    asyncpg.CrashShutdownError,  # 57P02
    asyncpg.TooManyConnectionsError,  # 53300: no connection slot left
)

RETRY_AFTER_S = 5  # what an HTTP 503 tells clients; about how long a PostgreSQL restart takes


def is_unavailable(exc: BaseException) -> bool:
    """True for failures that mean the database as a whole is unreachable or not answering."""
    if isinstance(exc, _UNAVAILABLE):
        return True
    # asyncpg raises a bare InterfaceError for a connection (or pool) that was closed under it;
    # its other InterfaceErrors are programming errors and must not pass for an outage.
    return type(exc) is asyncpg.InterfaceError and "closed" in str(exc)


def unavailable_message(exc: BaseException) -> str:
    """What a caller is told, for every request during an outage."""
    if isinstance(exc, TimeoutError):
        what = "The database did not answer in time (it may be stopped or overloaded)"
    else:
        what = "The database is unavailable (PostgreSQL cannot be reached)"
    return (
        f"{what}; the call was not carried out. Try again in a few seconds: the server reconnects "
        f"by itself when the database is back."
    )


class Availability:
    """Up or down, with the time the outage began and how many calls failed during it."""

    def __init__(self) -> None:
        self.down_since: float | None = None
        self.failed_calls = 0

    @property
    def is_down(self) -> bool:
        return self.down_since is not None

    def failed(self, exc: BaseException) -> None:
        """A call could not reach the database: log the first one of an outage, count the rest."""
        self.failed_calls += 1
        if self.down_since is None:
            self.down_since = time.monotonic()
            log.warning(
                "database unavailable: %s; every call fails with 'database unavailable' until it is "
                "back (this is logged once per outage)",
                _reason(exc),
            )
        else:
            log.debug("database still unavailable: %r", exc)

    def succeeded(self) -> None:
        """A call reached the database: if an outage was going on, it is over."""
        if self.down_since is None:
            return
        lasted = time.monotonic() - self.down_since
        log.warning(
            "database available again after %.1f s; %d database calls failed during the outage",
            lasted,
            self.failed_calls,
        )
        self.down_since, self.failed_calls = None, 0


def _reason(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "no answer within the time limit (FLEXOS_DB_TIMEOUT_S, or the statement timeout plus 2 s)"
    return str(exc).strip() or type(exc).__name__


# One per process: a server talks to one database.
database_availability = Availability()
