"""What a file really is, from its bytes: the name a caller gives is a hint, never the truth.

A PNG named `report.pdf` is a PNG; an executable named `photo.png` is an executable, and
executables are refused outright. The name only refines text (a `.css` or `.md` file is text
either way). Types FlexOS does not know are refused too: the store keeps what it can analyse or
show back (images, PDFs, text, HTML, CSS, JSON, Markdown, SVG, ZIP archives of documents).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import PurePosixPath

RASTER_IMAGES = {"image/png", "image/jpeg", "image/gif", "image/webp"}

# (magic bytes at offset 0, MIME type)
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
)
# Programs a machine could run: refused whatever their name.
_EXECUTABLES: tuple[tuple[bytes, str], ...] = (
    (b"\x7fELF", "a Linux program (ELF)"),
    (b"MZ", "a Windows program (PE/EXE)"),
    (b"\xfe\xed\xfa\xce", "a macOS program (Mach-O)"),
    (b"\xfe\xed\xfa\xcf", "a macOS program (Mach-O)"),
    (b"\xce\xfa\xed\xfe", "a macOS program (Mach-O)"),
    (b"\xcf\xfa\xed\xfe", "a macOS program (Mach-O)"),
    (b"\xca\xfe\xba\xbe", "a macOS universal program or Java class"),
    (b"#!", "a script with an interpreter line (#!)"),
    (b"\x00asm", "a WebAssembly module"),
    (b"dex\n", "an Android program (DEX)"),
)
EXTENSIONS = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "application/pdf": ".pdf",
    "application/zip": ".zip",
    "image/svg+xml": ".svg",
    "text/html": ".html",
    "text/css": ".css",
    "application/json": ".json",
    "text/markdown": ".md",
    "text/plain": ".txt",
}
_SAME_TYPE_EXTENSIONS = {".jpeg": ".jpg", ".htm": ".html", ".markdown": ".md", ".text": ".txt"}
_TEXT_BY_EXTENSION = {".css": "text/css", ".md": "text/markdown", ".markdown": "text/markdown"}


class RefusedFile(ValueError):
    """The bytes are of a kind FlexOS does not store; the text says what they are."""


@dataclass(frozen=True)
class Sniffed:
    mime: str
    extension: str  # the extension that fits the bytes, e.g. ".png"
    declared_extension: str | None  # the extension of the name the caller gave, if any

    @property
    def is_raster_image(self) -> bool:
        return self.mime in RASTER_IMAGES

    @property
    def is_text(self) -> bool:
        return self.mime.startswith("text/") or self.mime in ("application/json", "image/svg+xml")

    @property
    def name_matches(self) -> bool:
        """The name's extension says what the bytes are (no name: nothing to contradict)."""
        if self.declared_extension is None:
            return True
        declared = _SAME_TYPE_EXTENSIONS.get(self.declared_extension, self.declared_extension)
        return declared == self.extension or (self.mime == "text/plain" and declared in (".txt", ".csv", ".log"))


def extension_of(name: str | None) -> str | None:
    if not name:
        return None
    suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    return suffix or None


def _as_text(data: bytes) -> str | None:
    """The bytes as UTF-8 text, when they are text (no NULs, few control characters)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    controls = sum(1 for c in text[:65536] if ord(c) < 32 and c not in "\t\n\r\f")
    if "\x00" in text or controls > max(2, len(text[:65536]) // 100):
        return None
    return text


def _text_type(text: str, declared: str | None) -> str:
    head = text.lstrip()[:1024].lower()
    if head.startswith("<svg") or (head.startswith("<?xml") and "<svg" in head):
        return "image/svg+xml"
    if head.startswith(("<!doctype html", "<html", "<head", "<body")) or (
        declared in (".html", ".htm") and head.startswith("<")
    ):
        return "text/html"
    if head[:1] in ("{", "["):
        try:
            json.loads(text)
            return "application/json"
        except ValueError:
            pass
    return _TEXT_BY_EXTENSION.get(declared or "", "text/plain")


def sniff(data: bytes, name: str | None = None) -> Sniffed:
    """The type of `data`; RefusedFile for programs and for binary data of an unknown kind."""
    declared = extension_of(name)
    for magic, what in _EXECUTABLES:
        if data.startswith(magic) and (magic != b"MZ" or _as_text(data) is None):  # "MZ..." text is text
            raise RefusedFile(
                f"the bytes are {what}, not a document or image; FlexOS never stores programs, "
                f"whatever the file name says"
            )
    mime = next((m for magic, m in _MAGIC if data.startswith(magic)), None)
    if mime is None and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        mime = "image/webp"
    if mime is None:
        text = _as_text(data)
        if text is None:
            raise RefusedFile(
                "the bytes are of an unknown binary kind; FlexOS stores images (PNG, JPEG, GIF, "
                "WebP), PDF, ZIP, and text (HTML, CSS, Markdown, JSON, SVG, plain text)"
            )
        mime = _text_type(text, declared)
    return Sniffed(mime=mime, extension=EXTENSIONS[mime], declared_extension=declared)
