"""Reading a file a user named by path (stdio only), strictly inside the folders they allowed.

The user lists folders in `FLEXOS_FILE_ROOTS`; a path is read only when it lies inside one of
them as written *and* as the file system resolves it. The walk opens one component at a time,
relative to the folder before it, refusing symbolic links at every step (O_NOFOLLOW), so neither
`..`, an absolute path elsewhere, a link inside an allowed folder that leads out of it, nor a link
swapped in while we read can reach another file. NUL bytes, devices, pipes and folders are refused.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..errors import InvalidInput, quoted

FIELD = "file_path"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)


def _relative_inside(path: str, root: Path) -> list[str] | None:
    """The components of `path` below `root`, or None when it lies outside (as written)."""
    base = os.path.normpath(str(root))
    candidate = os.path.normpath(path if os.path.isabs(path) else os.path.join(base, path))
    rel = os.path.relpath(candidate, base)
    if rel == "." or rel == os.pardir or rel.startswith(os.pardir + os.sep):
        return None
    return rel.split(os.sep)


def read_allowed_file(path: str, roots: tuple[Path, ...], max_bytes: int) -> tuple[bytes, str]:
    """(bytes, file name) of `path`, inside one of `roots`, at most `max_bytes` long."""
    if "\x00" in path:
        raise InvalidInput(FIELD, "contains a NUL byte; give a plain file path. Nothing was saved.")
    if not roots:
        raise InvalidInput(
            FIELD,
            "reading files by path is off on this server: the user has not allowed any "
            "folder (setting FLEXOS_FILE_ROOTS, e.g. ~/Pictures/inspiration). Send the "
            "file's bytes as content_base64 instead. Nothing was saved.",
        )
    for root in roots:
        for base in (root, Path(os.path.realpath(root))):
            parts = _relative_inside(path, base)
            if parts is not None:
                return _read_walk(base, parts, path, max_bytes), parts[-1]
    allowed = ", ".join(quoted(str(r)) for r in roots)
    raise InvalidInput(
        FIELD,
        f"{quoted(path)} is outside the folders the user allowed ({allowed}); FlexOS "
        f"reads no other file. Ask the user to move the file there, or send its bytes as "
        f"content_base64. Nothing was saved.",
    )


def _read_walk(base: Path, parts: list[str], shown: str, max_bytes: int) -> bytes:
    def refuse(why: str) -> InvalidInput:
        return InvalidInput(FIELD, f"{quoted(shown)} {why}. Nothing was saved.")

    try:
        folder = os.open(os.path.realpath(base), os.O_RDONLY | _DIRECTORY)
    except OSError:
        raise refuse("cannot be read: its allowed folder does not exist") from None
    try:
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            flags = os.O_RDONLY | _NOFOLLOW | (0 if last else _DIRECTORY)
            try:
                fd = os.open(part, flags, dir_fd=folder)
            except OSError as exc:
                if os.path.islink(os.path.join(os.path.realpath(base), *parts[: index + 1])):
                    raise refuse(
                        "is or passes through a symbolic link; FlexOS follows no links, so a link "
                        "cannot lead out of the allowed folders"
                    ) from None
                if exc.errno == 2:
                    raise refuse("does not exist") from None
                raise refuse("cannot be read") from None
            os.close(folder)
            folder = fd
        info = os.fstat(folder)
        if not stat.S_ISREG(info.st_mode):
            raise refuse("is not a regular file")
        if info.st_size > max_bytes:
            raise refuse(
                f"is {info.st_size / 1048576:,.1f} MB; the limit is {max_bytes / 1048576:,.0f} MB "
                f"(setting FLEXOS_MAX_FILE_MB)"
            )
        with os.fdopen(os.dup(folder), "rb") as reader:
            data = reader.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise refuse(f"grew past the limit of {max_bytes / 1048576:,.0f} MB while it was read")
        return data
    finally:
        os.close(folder)
