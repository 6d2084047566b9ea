"""`flexos-mcp token create|list|revoke`: bearer tokens for the HTTP transport, managed by the
operator. A token can expire (`--expires 30d`) and can be limited to tools that read
(`--read-only`); `list` shows each token's state, access, expiry and last use."""

from __future__ import annotations

import argparse
import re
import sys
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from .config import Config

_DURATION = re.compile(r"^\s*(\d+)\s*([dhm])\s*$")
_DURATION_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def duration_argument(example: str) -> Callable[[str], timedelta]:
    """An argparse type for a duration such as 30d, 12h or 90m (never zero); its error names `example`."""

    def parse(raw: str) -> timedelta:
        match = _DURATION.match(raw.lower())
        if not match or int(match.group(1)) == 0:
            raise argparse.ArgumentTypeError(
                f"{raw!r} is not a duration; use a whole number with d, h or m, e.g. {example}"
            )
        return timedelta(**{_DURATION_UNITS[match.group(2)]: int(match.group(1))})

    return parse


def add_token_commands(subparsers: Any) -> None:
    token = subparsers.add_parser("token", help="manage bearer tokens for the HTTP transport")
    actions = token.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    create = actions.add_parser("create", help="create a token for a user (created if new)")
    create.add_argument("--email", required=True, help="the user the token acts as")
    create.add_argument("--name", default="default", help="a label to recognise the token by")
    create.add_argument(
        "--expires",
        type=duration_argument("30d"),
        default=None,
        metavar="DURATION",
        help="lifetime, e.g. 30d, 12h, 90m (default: never expires)",
    )
    create.add_argument(
        "--read-only", action="store_true", help="the token may call only tools that read; writing tools are refused"
    )
    listing = actions.add_parser("list", help="list a user's tokens: state, access, expiry, last use")
    listing.add_argument("--email", required=True)
    revoke = actions.add_parser("revoke", help="revoke a token by id")
    revoke.add_argument("id", type=uuid.UUID, help="the token's id (from token list)")


async def run_token_command(config: Config, args: argparse.Namespace) -> None:
    from .cli_database import command_database, describe_database
    from .domain import tokens

    async with command_database(config, max_size=1) as db:  # says which database on stderr
        email = getattr(args, "email", "").strip().lower()
        if args.token_command == "create":
            expires_at = datetime.now(UTC) + args.expires if args.expires else None
            secret, record = await tokens.create_token(
                db, email, args.name, expires_at=expires_at, read_only=args.read_only
            )
            print(secret)
            access = "read-only" if record.read_only else "read-write"
            print(
                f"token {record.id} ({record.name}) for {record.email}, {access}, expires "
                f"{_when(record.expires_at, 'never')}; it is shown only once",
                file=sys.stderr,
            )
            if not config.database_url:  # a token an HTTP server on a real database would never see
                print(
                    f"The token is stored in {describe_database(config)}: only a server using that database "
                    f"accepts it. If your HTTP server runs with DATABASE_URL, create the token with the same "
                    f"setting: DATABASE_URL=postgresql://... flexos-mcp token create --email {record.email}",
                    file=sys.stderr,
                )
        elif args.token_command == "list":
            records = await tokens.list_tokens(db, email)
            print(token_table(records) if records else f"no tokens for {email}")
        else:
            record = await tokens.revoke_token(db, args.id)
            print(f"token {record.id} ({record.name}) of {record.email} is revoked")


def _when(moment: datetime | None, default: str) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment else default


def token_table(records: list[Any]) -> str:
    """One line per token. Last use is written at most once a minute, so it may be a minute behind."""
    now = datetime.now(UTC)
    rows = [("ID", "NAME", "STATE", "ACCESS", "EXPIRES", "LAST USED")]
    for r in records:
        state = "revoked" if r.revoked_at else "expired" if r.expires_at and r.expires_at <= now else "active"
        rows.append(
            (
                str(r.id),
                r.name,
                state,
                "read-only" if r.read_only else "read-write",
                _when(r.expires_at, "never"),
                _when(r.last_used_at, "never"),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows)
