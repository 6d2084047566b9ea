"""Looking up wizard runs: the gate shared by the wizard and thinking domains.

A run is visible when its project is; another user's run answers exactly like a missing one.
A run is *open* (in-progress, paused, failed) or *closed* (completed, abandoned): a closed run
never changes again, and the refusal says what can still be done with it.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

from ..db.connection import ReadConnection
from ..errors import Conflict
from .owned import RowLock, fetch_owned
from .scope import Actor

OPEN_STATUSES = ("in-progress", "paused", "failed")
CLOSED_STATUSES = ("completed", "abandoned")

RUN_HINT = "Call list_wizard_runs with the project id to see its runs."


async def require_run(
    conn: ReadConnection,
    actor: Actor,
    run_id: UUID,
    *,
    field: str = "run_id",
    lock: RowLock | None = None,
    project_id: UUID | None = None,
) -> asyncpg.Record:
    """The run row if the actor may see it; NotFound otherwise (missing and foreign alike)."""
    return await fetch_owned(
        conn, actor, "wizard_runs", "wizard run", run_id, field=field, hint=RUN_HINT, lock=lock, project_id=project_id
    )


def ensure_open(run: Any, action: str) -> None:
    """Refuse `action` on a completed or abandoned run, saying what is still possible."""
    if run["status"] in CLOSED_STATUSES:
        raise Conflict(
            f"Wizard run {run['id']} is {run['status']}, so it cannot {action}: a finished run never "
            f"changes. You can still read it (get_wizard_run, get_thinking_chain), review its thoughts "
            f"(confirm_thought, reject_thought, revise_thought), or start a new run with start_wizard."
        )
