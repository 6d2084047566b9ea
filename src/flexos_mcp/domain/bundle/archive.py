"""The bundle file: a zip that is streamed in and out, never held whole in memory.

    tables/<table>.jsonl     one row per line, as PostgreSQL's row_to_json writes it, `id` first
    files/sha256/<hex>       the bytes of each stored file the project's rows name
    bundle.json              format, format version, schema version, the project, per table its
                             columns and row count, the files
    manifest.json            format, format version, and the SHA-256 and size of every other member

The manifest is written last because its checksums are known only when everything else is
written. A reader checks, before anything is imported: the zip is complete (its directory is at
the end, so a truncated file has none), the format version is one it knows, the members are
exactly those of the manifest, and each member's bytes match its checksum and size (reading stops
at the declared size, so a forged size cannot inflate without bound). Checksums detect damage and
editing by anyone who did not also rewrite the manifest; they are not a signature.

Everything here is blocking file work (deflate, SHA-256): callers run it in a thread, where zlib
and hashlib release the GIL, so the event loop keeps serving other users.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from ...errors import FlexError

FORMAT = "flexos-project-bundle"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
HEADER = "bundle.json"
TABLES_DIR = "tables/"
FILES_DIR = "files/sha256/"
_FILE_MEMBER = re.compile(r"^files/sha256/[0-9a-f]{64}$")
_TABLE_MEMBER = re.compile(r"^tables/[a-z_][a-z0-9_]*\.jsonl$")
STORED_FILE_URL = re.compile(rb"flexos://files/sha256/([0-9a-f]{64})")
_CHUNK = 1 << 20
# What reading a damaged member raises: a bad CRC or header, a cut stream, broken deflate data.
_DAMAGED = (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError, zlib.error)


class BundleRefused(FlexError):
    """The bundle cannot be imported: damaged, edited, incomplete, or of an unknown format.
    Nothing was imported."""

    def __init__(self, why: str):
        super().__init__(f"This file is not a bundle flexos-mcp can import: {why} Nothing was imported.")


def table_member(table: str) -> str:
    return f"{TABLES_DIR}{table}.jsonl"


def file_member(digest: str) -> str:
    return f"{FILES_DIR}{digest}"


class _HashingMember:
    """One member being written, with its checksum and size."""

    def __init__(self, stream: IO[bytes]):
        self.stream = stream
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self.stream.write(data)
        self.sha256.update(data)
        self.size += len(data)


class BundleWriter:
    """Writes a bundle into a binary file object, member by member."""

    def __init__(self, out: IO[bytes], *, compresslevel: int = 1):
        # Level 1: mockup HTML and JSON still shrink several times over, at a fraction of the
        # CPU of the default level (the export is bounded by deflate, see bench/export.py).
        self._zip = zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=compresslevel)
        self._members: dict[str, dict[str, Any]] = {}
        self._open: tuple[str, _HashingMember] | None = None
        self.stored_files: set[str] = set()

    def begin(self, name: str) -> None:
        self.end()
        stream = self._zip.open(name, "w", force_zip64=True)
        self._open = (name, _HashingMember(stream))

    def write_lines(self, lines: list[str]) -> None:
        """Rows of the open table member; notes every stored file a row names."""
        assert self._open is not None
        data = ("\n".join(lines) + "\n").encode("utf-8")
        if b"flexos://files/" in data:
            self.stored_files.update(m.group(1).decode() for m in STORED_FILE_URL.finditer(data))
        self._open[1].write(data)

    def end(self) -> None:
        if self._open is not None:
            name, member = self._open
            member.stream.close()
            self._members[name] = {"sha256": member.sha256.hexdigest(), "size": member.size}
            self._open = None

    def add(self, name: str, data: bytes) -> None:
        self.begin(name)
        assert self._open is not None
        self._open[1].write(data)
        self.end()

    def finish(self, header: dict[str, Any]) -> None:
        self.add(HEADER, json.dumps(header, indent=1, sort_keys=True).encode())
        manifest = {"format": FORMAT, "format_version": FORMAT_VERSION, "members": self._members}
        self._zip.writestr(MANIFEST, json.dumps(manifest, indent=1, sort_keys=True))
        self._zip.close()

    def abandon(self) -> None:
        try:
            if self._open is not None:
                self._open[1].stream.close()
            self._zip.close()
        except Exception:  # the output is being thrown away; its own failure adds nothing
            pass


@dataclass(frozen=True)
class MemberInfo:
    name: str
    sha256: str
    size: int


class BundleReader:
    """Reads a bundle, checking what can be checked before a single row reaches the database."""

    def __init__(self, source: str | IO[bytes]):
        try:
            self._zip = zipfile.ZipFile(source)
        except (zipfile.BadZipFile, EOFError, ValueError) as exc:
            raise BundleRefused("it is not a complete zip file (a truncated or damaged download?).") from exc
        try:
            self.members = self._read_manifest()
            self.header = json.loads(self.read_small(HEADER))
            self._check_header()
        except BaseException:
            self._zip.close()
            raise

    def close(self) -> None:
        self._zip.close()

    def _read_manifest(self) -> dict[str, MemberInfo]:
        names = [i.filename for i in self._zip.infolist()]
        if len(names) != len(set(names)):
            raise BundleRefused("a member appears twice in the zip, so its content is ambiguous.")
        if MANIFEST not in names:
            raise BundleRefused(f"it has no {MANIFEST}; it was not written by flexos-mcp export.")
        try:
            manifest = json.loads(self._raw(MANIFEST, 1 << 24))
        except (ValueError, UnicodeDecodeError) as exc:
            raise BundleRefused(f"its {MANIFEST} is not valid JSON (damaged or edited).") from exc
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise BundleRefused(f"its {MANIFEST} does not describe a FlexOS project bundle.")
        version = manifest.get("format_version")
        if not isinstance(version, int) or isinstance(version, bool):
            raise BundleRefused(f"its {MANIFEST} has no format version.")
        if version > FORMAT_VERSION:
            raise BundleRefused(
                f"it has format version {version}, written by a newer flexos-mcp; this one reads "
                f"versions up to {FORMAT_VERSION}. Upgrade flexos-mcp (pip install -U flexos-mcp) "
                f"and import again."
            )
        listed = manifest.get("members")
        if not isinstance(listed, dict):
            raise BundleRefused(f"its {MANIFEST} lists no members.")
        members: dict[str, MemberInfo] = {}
        for name, info in listed.items():
            if (
                not isinstance(info, dict)
                or not isinstance(info.get("sha256"), str)
                or not isinstance(info.get("size"), int)
                or info["size"] < 0
            ):
                raise BundleRefused(f"its {MANIFEST} entry for {name!r} has no checksum and size.")
            if name != HEADER and not (_TABLE_MEMBER.match(name) or _FILE_MEMBER.match(name)):
                raise BundleRefused(f"its {MANIFEST} lists {name!r}, which is not a part of the format.")
            members[name] = MemberInfo(name, info["sha256"], info["size"])
        present = set(names) - {MANIFEST}
        if present != set(members):
            extra, missing = sorted(present - set(members)), sorted(set(members) - present)
            raise BundleRefused(
                f"its members do not match its manifest (not listed: {extra or 'none'}; "
                f"missing: {missing or 'none'}); it was edited or is incomplete."
            )
        if HEADER not in members:
            raise BundleRefused(f"it has no {HEADER}.")
        return members

    def _check_header(self) -> None:
        h = self.header
        if not isinstance(h, dict) or h.get("format") != FORMAT or not isinstance(h.get("project"), dict):
            raise BundleRefused(f"its {HEADER} does not describe a FlexOS project.")
        tables = h.get("tables")
        if not isinstance(tables, list) or not all(
            isinstance(t, dict)
            and isinstance(t.get("name"), str)
            and isinstance(t.get("columns"), list)
            and all(isinstance(c, str) for c in t["columns"])
            and isinstance(t.get("rows"), int)
            and table_member(t["name"]) in self.members
            for t in tables
        ):
            raise BundleRefused(f"its {HEADER} lists tables without their columns, row counts or rows.")

    def _raw(self, name: str, limit: int) -> bytes:
        try:
            with self._zip.open(name) as stream:
                data = stream.read(limit + 1)
        except _DAMAGED as exc:
            raise BundleRefused(f"its member {name} is damaged ({_reason(exc)}).") from exc
        if len(data) > limit:
            raise BundleRefused(f"its member {name} is larger than any bundle writes.")
        return data

    def read_small(self, name: str) -> bytes:
        """A whole member (the header, a stored file), checked against the manifest."""
        info = self.members[name]
        data = self._raw(name, info.size)
        self._check(info, hashlib.sha256(data).hexdigest(), len(data))
        return data

    def chunks(self, name: str) -> Iterator[bytes]:
        """A member's bytes in pieces, checked against the manifest as they pass: a mismatch is
        raised after the last piece, so a consumer inside a transaction rolls back."""
        info = self.members[name]
        digest, size = hashlib.sha256(), 0
        try:
            with self._zip.open(name) as stream:
                while True:
                    block = stream.read(min(_CHUNK, info.size - size + 1))
                    if not block:
                        break
                    size += len(block)
                    if size > info.size:
                        raise BundleRefused(f"its member {name} is larger than its manifest says (edited).")
                    digest.update(block)
                    yield block
        except _DAMAGED as exc:
            raise BundleRefused(f"its member {name} is damaged ({_reason(exc)}).") from exc
        self._check(info, digest.hexdigest(), size)

    def lines(self, name: str) -> Iterator[bytes]:
        """The rows of a table member, one JSON object per line (without the newline)."""
        rest = b""
        for block in self.chunks(name):
            block = rest + block
            parts = block.split(b"\n")
            rest = parts.pop()
            yield from (p for p in parts if p)
        if rest:
            yield rest

    def verify(self) -> None:
        """Every member against the manifest, before the import starts."""
        for name in self.members:
            for _ in self.chunks(name):
                pass

    @staticmethod
    def _check(info: MemberInfo, sha256: str, size: int) -> None:
        if size != info.size or sha256 != info.sha256:
            raise BundleRefused(
                f"its member {info.name} does not match its checksum in the manifest "
                f"(the file was damaged or edited after export)."
            )


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().rstrip(".")
    return text if text and len(text) < 120 else type(exc).__name__
