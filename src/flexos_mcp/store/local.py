"""The local file store: content-addressed files in a directory of the server's machine.

A file's place is computed from its digest only (`sha256/ab/abcdef...`), never from a name a
caller gave, so no argument can reach outside the store. Reads refuse symlinks (O_NOFOLLOW) and
anything that is not a regular file, so a link planted inside the store does not lead out of it.
Writes go to a temporary file in the store, are flushed to disk, then renamed into place: a reader
sees the whole file or none, and two writers of the same bytes both succeed with one copy.

Pruning (domain/stored_files.py decides what is unreferenced) works with the writers, not against
them, the way git's object pruning does:
- `put` of bytes already stored *freshens* the file (sets its mtime to now), so a file that a
  transaction is about to reference looks new, and the grace period of a prune protects it;
- `remove_unchanged` first renames the file out of its place (atomic), then checks that nobody
  freshened it since it was listed: if someone did, it goes back; otherwise it is unlinked. A
  `put` while the file is away simply writes it again (same bytes, same name).
Folders `sha256/<2 hex>` are never removed: a `put` may be about to rename a file into one.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .base import StoredFileMissing, is_digest, sha256_hex

_TEMPORARY_PREFIXES = (".put-", ".prune-")
_NOFOLLOW_UTIME = os.utime in os.supports_follow_symlinks


@dataclass(frozen=True)
class StoredEntry:
    """A stored file as listed: its digest, size and modification time (nanoseconds)."""

    digest: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class TemporaryEntry:
    """A file in the store's tmp/ folder: a write or a prune that was interrupted (or is running).
    `since_ns`: a write's last write (mtime); for a file a prune moved there, the move (ctime,
    which a rename sets; its mtime is the stored file's, old)."""

    path: Path
    size: int
    since_ns: int


class LocalFileStore:
    def __init__(self, root: Path | str):
        self.root = Path(root).expanduser().absolute()

    # --- places ----------------------------------------------------------------------------------

    def path_of(self, digest: str) -> Path:
        """Where `digest` lives; a malformed digest names no place (StoredFileMissing)."""
        if not is_digest(digest):
            raise StoredFileMissing(digest)
        return self.root / "sha256" / digest[:2] / digest

    def _inside(self, folder: Path) -> bool:
        """`folder` really is inside the store (no directory of the store was replaced by a link
        that leads elsewhere)."""
        return os.path.realpath(folder).startswith(os.path.realpath(self.root) + os.sep)

    def _temporary_dir(self) -> Path:
        folder = self.root / "tmp"
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        return folder

    # --- FileStore -------------------------------------------------------------------------------

    def put(self, data: bytes) -> str:
        digest = sha256_hex(data)
        target = self.path_of(digest)
        if self._is_stored(target, len(data)) and self._freshen(target):
            return digest
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not self._inside(target.parent) or not self._inside(self._temporary_dir()):
            raise OSError(f"the file store {self.root} has a folder that links outside it; refusing to write")
        fd, temporary = tempfile.mkstemp(dir=self._temporary_dir(), prefix=".put-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, 0o600)
            os.replace(temporary, target)  # atomic on one file system: all or nothing
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        return digest

    def open(self, digest: str) -> BinaryIO:
        path = self.path_of(digest)
        if not self._inside(path.parent):
            raise StoredFileMissing(digest)
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
        except OSError:  # missing, or a symlink (ELOOP): neither is a stored file
            raise StoredFileMissing(digest) from None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise StoredFileMissing(digest)
        return os.fdopen(fd, "rb")

    def read(self, digest: str) -> bytes:
        with self.open(digest) as stored:
            return stored.read()

    def exists(self, digest: str) -> bool:
        try:
            path = self.path_of(digest)
        except StoredFileMissing:
            return False
        return self._is_stored(path)

    def size(self, digest: str) -> int:
        with self.open(digest) as stored:
            return os.fstat(stored.fileno()).st_size

    # --- pruning ---------------------------------------------------------------------------------

    def entries(self) -> Iterator[StoredEntry]:
        """Every stored file: regular files named by their digest in the folder of its first two
        digits. Anything else (links, stray names) is not a stored file and is left alone."""
        top = self.root / "sha256"
        try:
            folders = sorted(os.scandir(top), key=lambda e: e.name)
        except FileNotFoundError:
            return
        for folder in folders:
            if len(folder.name) != 2 or not folder.is_dir(follow_symlinks=False):
                continue
            with os.scandir(folder.path) as found:
                for entry in found:
                    if not (is_digest(entry.name) and entry.name[:2] == folder.name):
                        continue
                    try:
                        info = entry.stat(follow_symlinks=False)
                    except FileNotFoundError:  # removed while we looked
                        continue
                    if stat.S_ISREG(info.st_mode):
                        yield StoredEntry(entry.name, info.st_size, info.st_mtime_ns)

    def remove_unchanged(self, entry: StoredEntry) -> bool:
        """Remove the stored file `entry` lists, unless it was freshened (put again) since it was
        listed; True when it was removed. See the module docstring for why this is safe."""
        place = self.path_of(entry.digest)
        if not self._inside(place.parent) or not self._inside(self._temporary_dir()):
            return False
        away = self._temporary_dir() / f".prune-{entry.digest}-{uuid.uuid4().hex[:8]}"
        try:
            os.rename(place, away)
            info = os.lstat(away)
        except FileNotFoundError:  # already gone (another prune took it)
            return False
        if info.st_mtime_ns != entry.mtime_ns or not stat.S_ISREG(info.st_mode):
            os.replace(away, place)  # freshened meanwhile: it stays (a put since wrote the same bytes)
            return False
        os.unlink(away)
        return True

    def temporaries(self) -> Iterator[TemporaryEntry]:
        """Files in tmp/ that our writes and prunes leave only when interrupted."""
        try:
            found = list(os.scandir(self.root / "tmp"))
        except FileNotFoundError:
            return
        for entry in found:
            if not entry.name.startswith(_TEMPORARY_PREFIXES):
                continue
            try:
                info = entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue
            if stat.S_ISREG(info.st_mode):
                since = info.st_ctime_ns if entry.name.startswith(".prune-") else info.st_mtime_ns
                yield TemporaryEntry(Path(entry.path), info.st_size, since)

    @staticmethod
    def remove_temporary(entry: TemporaryEntry) -> bool:
        try:
            os.unlink(entry.path)
        except FileNotFoundError:
            return False
        return True

    @staticmethod
    def _freshen(path: Path) -> bool:
        """Mark a stored file as just written (its mtime), so a prune running now keeps it. False
        when it is gone meanwhile (a prune took it): the caller writes it again."""
        try:
            os.utime(path, follow_symlinks=not _NOFOLLOW_UTIME)
        except OSError:
            return False
        return True

    @staticmethod
    def _is_stored(path: Path, size: int | None = None) -> bool:
        try:
            info = os.lstat(path)
        except OSError:
            return False
        return stat.S_ISREG(info.st_mode) and (size is None or info.st_size == size)
