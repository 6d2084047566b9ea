"""`flexos-mcp files prune [--older-than 24h] [--dry-run] [--force]`: remove the stored files
(FLEXOS_STORE_DIR) that no row of the database references any more — what deleting a context
item, a project or a user leaves behind. Safe to run while servers use the store; meant for cron.
What counts as a reference, and why it is safe, is in domain/stored_files.py."""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from typing import Any

from .cli_token import duration_argument
from .config import Config

DEFAULT_GRACE = timedelta(hours=24)


def add_files_commands(subparsers: Any) -> None:
    files = subparsers.add_parser("files", help="manage the file store of context items (FLEXOS_STORE_DIR)")
    actions = files.add_subparsers(dest="files_command", metavar="ACTION", required=True)
    prune = actions.add_parser(
        "prune",
        help="remove stored files that no context item (of any user) references any more",
        description="Remove stored files that no row of the database references, older than the grace "
        "period. Run it with the same DATABASE_URL and FLEXOS_STORE_DIR as the server.",
    )
    prune.add_argument(
        "--older-than",
        type=duration_argument("24h"),
        default=DEFAULT_GRACE,
        metavar="DURATION",
        help="only files last written longer ago than this, e.g. 24h, 7d, 30m (default 24h): a file "
        "just added belongs to an item whose transaction may not have committed yet",
    )
    prune.add_argument("--dry-run", action="store_true", help="list what would be removed; change nothing")
    prune.add_argument(
        "--force",
        action="store_true",
        help="prune even when the database references none of the stored files (every item was deleted)",
    )


def _size(size: int) -> str:
    return f"{size:,} bytes ({size / 1048576:,.1f} MB)"


def _duration(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    if minutes % 1440 == 0 and minutes > 1440:
        return f"{minutes // 1440}d"
    return f"{minutes // 60}h" if minutes % 60 == 0 else f"{minutes}m"


async def run_files_command(config: Config, args: argparse.Namespace) -> None:
    from .cli_database import command_database
    from .domain.stored_files import prune_stored_files
    from .store import LocalFileStore

    store = LocalFileStore(config.files_dir)
    async with command_database(config, max_size=1) as db:  # announces the database on stderr
        print(f"flexos-mcp: pruning the file store in {store.root}", file=sys.stderr, flush=True)
        report = await prune_stored_files(db, store, older_than=args.older_than, dry_run=args.dry_run, force=args.force)
    verb = "would remove" if report.dry_run else "removed"
    for entry in report.removed:
        print(f"{verb} sha256:{entry.digest} ({entry.size:,} bytes)")
    kept = f"kept {report.referenced:,} referenced, {report.recent:,} newer than {_duration(report.older_than)}" + (
        f", {report.changed:,} changed meanwhile" if report.changed else ""
    )
    temporaries = (
        f"; {verb} {report.temporaries:,} temporary file(s) of interrupted writes" if report.temporaries else ""
    )
    print(
        f"{verb} {len(report.removed):,} unreferenced stored file(s) of {report.stored:,}, freeing "
        f"{_size(report.freed_bytes)}{temporaries}; {kept}"
        + ("; nothing was changed (--dry-run)" if report.dry_run else "")
    )
