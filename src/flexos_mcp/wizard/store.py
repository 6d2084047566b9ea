"""What the driver keeps in the database beside the tools' own records: the transcript of a run
(`wizard_run_steps`), the model usage on the run, and a lock so one run is driven by one process
at a time.

A step row of a writing tool call is inserted inside the tool's own transaction (see
`RecordingDatabase`), so a committed call always has its row: on resume it is never repeated.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg

from ..db.gateway import Database
from ..domain.runs import require_run
from ..domain.scope import Scope
from ..errors import Conflict

# The driver lock's key: a 64-bit hash of the run id seeded with "FWDR", so runs never share a
# key by accident and other applications' advisory locks are not confused with ours.
DRIVER_LOCK_SEED = 0x46574452  # "FWDR"


@dataclass
class Step:
    """One row of a run's transcript."""

    step_index: int
    role: str
    content: Any
    tool_use_id: str | None = None
    tool_name: str | None = None
    tool_result: Any = None
    thought_id: UUID | None = None
    model: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None

    def tool_uses(self) -> list[dict[str, Any]]:
        """The tool calls of a model turn."""
        if self.role != "assistant":
            return []
        return [block for block in self.content if block.get("type") == "tool_use"]


@dataclass
class PendingStep:
    """The step being executed; a transaction that commits meanwhile records it (see below)."""

    run_id: UUID
    project_id: UUID
    step: Step


@dataclass
class StepRecorder:
    """Holds the step being executed, if any, for the RecordingDatabase."""

    pending: PendingStep | None = None


_INSERT_STEP = """
    INSERT INTO wizard_run_steps (run_id, project_id, step_index, role, content, tool_use_id, tool_name,
                                  tool_result, thought_id, model, input_tokens, output_tokens)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
"""


def _step_args(run_id: UUID, project_id: UUID, step: Step) -> tuple[Any, ...]:
    return (
        run_id,
        project_id,
        step.step_index,
        step.role,
        step.content,
        step.tool_use_id,
        step.tool_name,
        step.tool_result,
        step.thought_id,
        step.model,
        step.input_tokens,
        step.output_tokens,
    )


class RecordingDatabase(Database):
    """The server's database, as the driver's tool calls see it: every transaction that commits
    while a step is pending also inserts that step's row (tool_result still empty), in the same
    transaction. The call's effects and "this call happened" are therefore stored together."""

    def __init__(self, inner: Database, recorder: StepRecorder):
        super().__init__(inner.pool, read_only=inner.read_only, acquire_timeout=inner.acquire_timeout)
        self.recorder = recorder

    async def write(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        """A one-statement write, in a transaction here: the step's row goes with it."""
        async with self.transaction() as conn:
            rows: list[asyncpg.Record] = await conn.fetch(sql, *args)
            return rows

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[asyncpg.Connection]:
        async with self.connection() as conn, conn.transaction():
            yield conn
            pending = self.recorder.pending
            if pending is not None:
                await conn.execute(
                    _INSERT_STEP + " ON CONFLICT DO NOTHING",
                    *_step_args(pending.run_id, pending.project_id, pending.step),
                )


async def save_step(db: Database, run_id: UUID, project_id: UUID, step: Step) -> None:
    """Insert the step, or complete the row a tool's transaction already inserted for it."""
    async with db.transaction() as conn:
        await conn.execute(
            _INSERT_STEP
            + """ ON CONFLICT (run_id, tool_use_id) DO UPDATE
                SET tool_result = EXCLUDED.tool_result, thought_id = EXCLUDED.thought_id""",
            *_step_args(run_id, project_id, step),
        )


async def save_turn(db: Database, run_id: UUID, project_id: UUID, step: Step, backend: str) -> None:
    """A model turn and its usage, together: the transcript and the totals never disagree."""
    async with db.transaction() as conn:
        await conn.execute(_INSERT_STEP, *_step_args(run_id, project_id, step))
        await conn.execute(
            """UPDATE wizard_runs SET driver_backend = $2, driver_model = $3,
                      input_tokens = input_tokens + $4, output_tokens = output_tokens + $5,
                      model_turns = model_turns + 1,
                      tool_calls = tool_calls + $6
                WHERE id = $1""",
            run_id,
            backend,
            step.model,
            step.input_tokens or 0,
            step.output_tokens or 0,
            sum(1 for block in step.content if block.get("type") == "tool_use"),
        )


async def load_steps(db: Database, run_id: UUID) -> list[Step]:
    rows = await db.fetch(
        """SELECT step_index, role, content, tool_use_id, tool_name, tool_result, thought_id, model,
                  input_tokens, output_tokens
             FROM wizard_run_steps WHERE run_id = $1 ORDER BY step_index""",
        run_id,
    )
    return [Step(**dict(row)) for row in rows]


async def get_run(scope: Scope, run_id: UUID, *, field: str = "run_id") -> asyncpg.Record:
    return await require_run(scope.db, scope.actor, run_id, field=field)


async def run_usage(db: Database, run_id: UUID) -> dict[str, Any]:
    row = await db.fetchrow(
        """SELECT driver_backend, driver_model, input_tokens, output_tokens, model_turns, tool_calls,
                  (SELECT count(*) FROM wizard_run_steps s WHERE s.run_id = w.id) AS steps,
                  (SELECT count(*) FROM ai_thinking_chain t WHERE t.wizard_run_id = w.id) AS thoughts
             FROM wizard_runs w WHERE id = $1""",
        run_id,
    )
    return dict(row) if row else {}


@asynccontextmanager
async def driving(db: Database, run_id: UUID) -> AsyncIterator[None]:
    """Hold the run's driver lock (a session advisory lock on a connection of its own) while it
    is driven; a second driver is refused at once. A killed process releases it with its
    connection."""
    async with db.connection() as conn:
        key = await conn.fetchval("SELECT hashtextextended($1::text, $2)", str(run_id), DRIVER_LOCK_SEED)
        got = await conn.fetchval("SELECT pg_try_advisory_lock($1)", key)
        if not got:
            raise Conflict(
                f"Wizard run {run_id} is being driven right now by another call or process; "
                f"wait for it to finish (get_wizard_run shows its progress)."
            )
        try:
            yield
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", key)


def as_json(value: Any) -> Any:
    """A tool's structured result as plain JSON (UUIDs and dates as strings)."""
    return json.loads(json.dumps(value, default=str))
