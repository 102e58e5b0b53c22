"""From a file to a Report: the one code path behind `xxgk extract` and the warehouse.

read bytes → sniff kind → text (decoded, or rendered from HTML/spreadsheet)
→ normalize → parse tables, appendix and prose → metadata → identities.
"""
from __future__ import annotations

import functools
import hashlib
import os
import re
import traceback
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Iterable, Iterator

from . import metadata, parse_new
from . import templates as T
from .ingest import HTML, PDF, SPREADSHEET, TEXT, RawDocument, decode, describe, list_files
from .model import TABLE, Report, line_source, line_sources
from .normalize import Normalized, normalize

# Modules whose code decides a document's normalized text (decoding, rendering, normalization),
# and those that decide what a normalized text parses into.
NORMALIZING_MODULES = ("ingest", "render", "normalize")
PARSING_MODULES = ("extract", "parse_new", "parse_old", "prose", "cells", "glued", "metadata", "regions",
                   "templates", "identities", "consistency", "model")


def source_version(modules: tuple[str, ...], folder: Path = Path(__file__).parent) -> str:
    """A version that changes whenever the code of these modules changes."""
    h = hashlib.sha256()
    for name in modules:
        h.update((folder / f"{name}.py").read_bytes())
    return h.hexdigest()[:12]


# Stored parts of another version are made again: a code change never leaves stale text or figures.
# A parse reads normalized text, so a change to the normalizing code parses again too.
NORMALIZER_VERSION = source_version(NORMALIZING_MODULES)
PARSER_VERSION = source_version(NORMALIZING_MODULES + PARSING_MODULES)

_REPORT_WORDS = re.compile(r"政府信息公开|政务公开|信息公开")
_MARKUP = re.compile(r"</(?:p|td|tr|table|div|span)>", re.I)
# (文档附件 ends in 附件: the same names, and no attempt at every 文 of the text)
_ATTACHMENT = re.compile(r"(?:附件|附表)\s*[:：]?\s*(?:\d+[.、]\s*)?([^\s|:：<>]{2,60}?\.(?:xlsx?|et|docx?|pdf))", re.I)


def document_text(doc: RawDocument, data: bytes) -> tuple[str, dict[int, str] | None]:
    """Plain text of a document, and for rendered tables a map line → cell origin."""
    if doc.kind == TEXT:
        text = decode(data)[0]
        if len(_MARKUP.findall(text[:200000])) >= 5:   # HTML markup saved as text (a page fragment)
            from .render import html_to_text
            return html_to_text(text)
        return text, None
    if doc.kind == HTML:
        from .render import html_to_text
        return html_to_text(decode(data)[0])
    if doc.kind == SPREADSHEET:
        from .render import spreadsheet_to_text
        return spreadsheet_to_text(data, doc.name)
    if doc.kind == PDF:
        from .render import pdf_to_text
        return pdf_to_text(data), None
    raise ValueError(f"cannot read a document of kind {doc.kind}")


def parse_text(report: Report, text: str, origin: dict[int, str] | None = None) -> Report:
    return parse_normalized(report, normalize(text), origin)


PARSE_FAILED = "parse failed"


def parse_normalized(report: Report, norm: Normalized, origin: dict[int, str] | None = None) -> Report:
    """The report's cells, metadata and attachments read from its normalized text.

    Never raises: an error in the parsers (a layout they do not expect) is recorded in the
    report's notes, with where it happened, and the report keeps what was read before it,
    so one document cannot stop a run of thousands."""
    report.notes.extend(norm.notes)
    try:
        _parse_into(report, norm.text, origin)
    except Exception as e:
        report.notes.append(f"{PARSE_FAILED}: {type(e).__name__}: {e} (at {_where(e)}); "
                            f"{len(report.cells)} cells read before it kept")
    return report


def _where(e: Exception) -> str:
    """file:line of the innermost frame of this package in the error's traceback."""
    frames = [f for f in traceback.extract_tb(e.__traceback__) if Path(f.filename).parent == _HERE]
    return f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"


_HERE = Path(__file__).parent


def parse_failure(report: Report) -> str | None:
    """The note of a parse that stopped on an error (parse_normalized), if it did."""
    return next((n for n in report.notes if n.startswith(PARSE_FAILED)), None)


def _parse_into(report: Report, t: str, origin: dict[int, str] | None) -> None:
    source_of = functools.partial(_rendered_source, origin) if origin else line_sources(t)
    tables = parse_new.parse(t, source_of)
    report.cells.extend(tables.cells)
    report.notes.extend(tables.notes)
    meta = metadata.describe(t)
    report.report_year, report.agency = meta.report_year, meta.agency
    report.publish_date, report.scope = meta.publish_date, meta.scope
    report.province, report.city, report.county, report.region_code = meta.province, meta.city, meta.county, meta.region_code
    report.template = tables.template or _template_by_section_two(t) or _template_by_year(meta.report_year)
    if not tables.cells:
        _parse_old(report, t, source_of)
    report.attachments = [{"name": n, "status": "named", "path": ""} for n in dict.fromkeys(_ATTACHMENT.findall(t))]
    if not any(c.is_figure for c in report.cells):
        if _REPORT_WORDS.search(t[:5000]):
            report.notes.append("no figures parsed")
        else:
            report.is_report = False
            report.notes.append("not an annual report: no disclosure wording and no statistics table")


def _rendered_source(origin: dict[int, str], line: int) -> str:
    """A rendered table's line by its origin ("table 2 row 5"), other lines as "line N"."""
    return origin.get(line) or line_source(line)


def _parse_old(report: Report, text: str, source_of) -> None:
    """The old-format appendix and figures in prose, for a report with no new-format table.

    An old appendix makes the report pre2019 whatever its year (the template
    follows the structure). Prose read with old-format keys in a report of a
    new-format year is kept, but not as figures of that template."""
    from . import parse_old
    cells = parse_old.parse(text, source_of)
    if any(c.method == TABLE and c.mapped for c in cells):
        report.template = "pre2019"
    elif report.template != "pre2019" and cells:
        why = f"old-format prose key in a {report.template} report"
        cells = [c._replace(mapped=False, note=(c.note + "; " if c.note else "") + why) for c in cells]
        report.notes.append(f"{len(cells)} prose figures with old-format keys kept unmapped")
    report.cells.extend(cells)


_ARTICLE_20 = re.compile(r"第\s*二\s*十\s*条")
_BLANKS = re.compile(r"\s+")


def _template_by_section_two(text: str) -> str | None:
    """The new-format template whose section 二 column headers the text holds, if only one's
    (templates.SECTION_TWO_HEADERS): the headers follow the first 第二十条."""
    m = _ARTICLE_20.search(text)
    if not m:
        return None
    rest = _BLANKS.sub("", text[m.start():])          # PDF text spaces or breaks a header's characters
    found = [tpl for tpl, words in T.SECTION_TWO_HEADERS.items() if any(w in rest for w in words)]
    return found[0] if len(found) == 1 else None


def _template_by_year(year: int | None) -> str | None:
    if year is None:
        return None
    return "pre2019" if year < 2019 else ("2019" if year < 2021 else "2021")


def extract_document(path: str | Path, siblings: Iterable[str] = ()) -> tuple[RawDocument, Report]:
    """Parse one file. Never raises for bad input: the reason is on the document."""
    path = Path(path)
    doc, data = describe(path)
    report = Report(doc=doc.name, path=str(path), sha256=doc.sha256)
    if not doc.ok:
        report.is_report = False
        report.notes.append(doc.reason)
        return doc, report
    try:
        text, origin = document_text(doc, data)
        norm = normalize(text)
    except Exception as e:   # a corrupt, encrypted or truncated file: record why and go on
        doc.status, doc.reason = "rejected", f"{doc.kind} could not be read: {type(e).__name__}: {e}"[:500]
        report.is_report = False
        report.notes.append(doc.reason)
        return doc, report
    parse_normalized(report, norm, origin)
    match_attachments(report, siblings)
    return doc, report


def match_attachments(report: Report, siblings: Iterable[str]) -> None:
    """Mark each attachment the report names as found beside it or missing."""
    names = {Path(s).name: s for s in siblings}
    for att in report.attachments:
        hit = names.get(att["name"]) or next((p for n, p in names.items() if n.endswith(att["name"])), None)
        att["status"], att["path"] = ("found", hit) if hit else ("missing", "")
        if not hit and f"attachment named but not in the corpus: {att['name']}" not in report.notes:
            report.notes.append(f"attachment named but not in the corpus: {att['name']}")


def _extract_one(args: tuple[str, tuple[str, ...]]) -> tuple[RawDocument, Report]:
    return extract_document(args[0], args[1])


def extract_files(files: list[Path], workers: int | None = None, chunksize: int = 64) -> Iterator[tuple[RawDocument, Report]]:
    """Parse many files, in parallel processes when there are enough to pay for them."""
    siblings = tuple(str(f) for f in files)
    jobs = [(str(f), siblings if _names_attachment(f) else ()) for f in files]
    workers = workers or min(os.cpu_count() or 1, 8)
    if workers <= 1 or len(jobs) < 200:
        yield from map(_extract_one, jobs)
        return
    with ProcessPoolExecutor(workers) as pool:
        yield from pool.map(_extract_one, jobs, chunksize=chunksize)


def _names_attachment(f: Path) -> bool:
    return f.suffix.lower() not in (".xls", ".xlsx")


def extract_paths(paths: list[str | Path], workers: int | None = None) -> Iterator[tuple[RawDocument, Report]]:
    yield from extract_files(list_files(paths), workers)
