"""The local file store: content-addressed files in a directory of the server's machine.

A file's place is computed from its digest only (`sha256/ab/abcdef...`), never from a name a
caller gave, so no argument can reach outside the store. Reads refuse symlinks (O_NOFOLLOW) and
anything that is not a regular file, so a link planted inside the store does not lead out of it.
Writes go to a temporary file in the store, are flushed to disk, then renamed into place: a reader
sees the whole file or none, and two writers of the same bytes both succeed with one copy.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path
from typing import BinaryIO

from .base import StoredFileMissing, is_digest, sha256_hex


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
        if self._is_stored(target, len(data)):
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

    @staticmethod
    def _is_stored(path: Path, size: int | None = None) -> bool:
        try:
            info = os.lstat(path)
        except OSError:
            return False
        return stat.S_ISREG(info.st_mode) and (size is None or info.st_size == size)
