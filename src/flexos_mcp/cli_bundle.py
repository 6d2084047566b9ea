"""`flexos-mcp export PROJECT -o FILE` and `flexos-mcp import FILE [--as-new]`: a whole project as
one file, for the acting user (FLEXOS_USER_EMAIL). Both say on stderr which database they use.

Export writes next to the target and renames at the end, so a failed export never leaves a
half-written bundle under the name the user asked for."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from .config import Config


def add_bundle_commands(subparsers: Any) -> None:
    export = subparsers.add_parser("export", help="write one of your projects, whole, into a .flexos.zip file")
    export.add_argument("project", metavar="PROJECT", help="the project's slug or id")
    export.add_argument(
        "-o",
        "--output",
        type=Path,
        default=None,
        help="the file to write (default: SLUG.flexos.zip in the current directory)",
    )
    imported = subparsers.add_parser("import", help="create a project of yours from a .flexos.zip file")
    imported.add_argument("bundle", metavar="FILE", type=Path, help="a bundle written by flexos-mcp export")
    imported.add_argument(
        "--as-new",
        action="store_true",
        help="give every record a new id, so the project can sit beside the one it came from",
    )


async def run_bundle_command(config: Config, args: argparse.Namespace) -> None:
    from .cli_database import command_scope
    from .domain.bundle import bundle_files, export_project, import_project, resolve_project_ref
    from .domain.projects import get_project
    from .errors import FlexError

    files = bundle_files(config)
    if args.command == "import" and not args.bundle.is_file():
        raise FlexError(f"No file {args.bundle}: give the path of a .flexos.zip written by flexos-mcp export.")
    async with command_scope(config) as scope:  # announces the database on stderr
        if args.command == "import":
            summary = await import_project(scope, str(args.bundle), as_new=args.as_new, files=files)
            print(
                f"imported project '{summary.name}' (slug {summary.slug}, id {summary.project_id}) for "
                f"{scope.actor.email}: {sum(summary.rows.values()):,} rows, {summary.files} stored file(s)"
                f"{', every id new' if summary.as_new else ''}"
            )
            return
        project_id = await resolve_project_ref(scope, args.project)
        target: Path = args.output or Path(f"{(await get_project(scope, project_id)).slug}.flexos.zip")
        partial = target.with_name(f".{target.name}.partial")
        try:
            with open(partial, "wb") as out:
                summary = await export_project(scope, project_id, out, files=files)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
    print(
        f"exported project '{summary.name}' (slug {summary.slug}) to {target}: "
        f"{sum(summary.rows.values()):,} rows in {len(summary.rows)} tables, {summary.files} stored file(s), "
        f"{target.stat().st_size:,} bytes"
    )
    if summary.missing_files:
        print(
            f"flexos-mcp: {len(summary.missing_files)} stored file(s) named by the project were not in the "
            f"store and are not in the bundle",
            file=sys.stderr,
        )
