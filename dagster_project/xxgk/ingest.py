"""Finding the corpus's files and reading them: kind by bytes, not by extension.

Every file gets a RawDocument, including the ones that cannot be read: those
carry status "rejected" and the reason, so nothing is silently dropped.
"""
from __future__ import annotations

import hashlib
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

TEXT, HTML, SPREADSHEET, PDF, OTHER = "text", "html", "spreadsheet", "pdf", "other"
MAX_BYTES = 50 * 1024 * 1024           # larger files are not reports
_SKIP = {"labels.jsonl", "README.md"}  # corpus bookkeeping, not documents


@dataclass
class RawDocument:
    path: str
    name: str
    sha256: str
    size: int
    kind: str = OTHER
    encoding: str | None = None
    status: str = "ok"        # ok | rejected
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def list_files(paths: list[str | Path]) -> list[Path]:
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(_walk(p), key=_path_order))
        elif p.is_file():
            files.append(p)
        else:
            raise FileNotFoundError(f"no such file or folder: {p}")
    return files


def _path_order(p: Path) -> tuple[str, ...]:
    """Path order (by parts) as a key: sorting 100,000 Paths by their own comparison took 0.9 s."""
    return p.parts


def _walk(folder: Path) -> Iterator[Path]:
    """The files under folder, hidden files and folders left out, symlinked folders not entered.
    Directory entries know their type, so no file is stat-ed (the scan of a 20,000-file corpus
    listed it in 0.6 s through Path.rglob and a stat per file)."""
    todo = [folder]
    while todo:
        with os.scandir(todo.pop()) as entries:
            for e in entries:
                if e.name.startswith("."):
                    continue
                if e.is_dir():
                    if not e.is_symlink():
                        todo.append(Path(e.path))
                elif e.is_file() and e.name not in _SKIP:
                    yield Path(e.path)


def sniff(data: bytes) -> str:
    head = data[:4096]
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return SPREADSHEET          # OLE2: .xls (BIFF)
    if head.startswith(b"PK\x03\x04"):
        return SPREADSHEET if _zip_has(data, "xl/") else OTHER
    if head.startswith(b"%PDF"):
        return PDF
    low = head.lower()
    if b"<html" in low or b"<!doctype html" in low or b"<table" in low or b"<body" in low:
        return HTML
    return TEXT


def _zip_has(data: bytes, prefix: str) -> bool:
    import io
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return any(n.startswith(prefix) for n in z.namelist())
    except Exception:               # BadZipFile, and a damaged directory (NotImplementedError for a
        return True                 # bogus version, UnicodeDecodeError for a name): the reader says what is wrong


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding it was read with. Raises ValueError for binary data."""
    if b"\x00" in data[:8192]:
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            return data.decode("utf-16"), "utf-16"
        raise ValueError("binary content (NUL bytes), not text")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as e:
        if e.start >= len(data) - 3:          # cut inside the last character: a truncated file
            return data[:e.start].decode("utf-8"), "utf-8 (truncated)"
    for enc in ("gb18030", "big5"):
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    text = data.decode("utf-8", errors="replace")
    if text.count("\ufffd") > len(text) / 100:
        raise ValueError("not decodable as UTF-8, GB18030 or Big5")
    return text, "utf-8 (with replacements)"


def describe(path: Path) -> tuple[RawDocument, bytes]:
    """The document's row and its bytes (b"" when rejected)."""
    size = path.stat().st_size
    doc = RawDocument(path=str(path), name=path.name, sha256="", size=size)
    if size == 0:
        doc.status, doc.reason, doc.sha256 = "rejected", "empty file", hashlib.sha256(b"").hexdigest()
        return doc, b""
    if size > MAX_BYTES:
        doc.status, doc.reason = "rejected", f"file of {size} bytes is larger than the {MAX_BYTES} byte limit"
        return doc, b""
    data = path.read_bytes()
    doc.sha256 = hashlib.sha256(data).hexdigest()
    doc.kind = sniff(data)
    if doc.kind in (TEXT, HTML):
        try:
            _, doc.encoding = decode(data)
        except ValueError as e:
            doc.status, doc.reason = "rejected", str(e)
    elif doc.kind == OTHER:
        doc.status, doc.reason = "rejected", "unsupported file type (not text, HTML, PDF or a spreadsheet)"
    return doc, data
