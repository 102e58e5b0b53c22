"""Rendering HTML pages, spreadsheets and PDFs as the plain text the parsers read.

Every table becomes markdown rows ("| a | b |  | d |"), one grid row per line:
rowspan and colspan (merged cells in a sheet) are expanded so that each slot of
the grid holds its cell's text, an empty or &nbsp; cell stays an empty cell,
and text split over inline tags (<span>1</span><span>2</span>) is joined. The
returned origin map says where each rendered table line came from
("table 2 row 5", "Sheet1 row 7"), so a parsed cell keeps its provenance.

Bad input raises RenderError (or a reader's own exception) with a reason that
extract.py records on the document; nothing here hand-parses a file format.
"""
from __future__ import annotations

import io
import re
import zipfile
from functools import lru_cache

# ---- limits (a report's statistics sheet is small) ------------------------
MAX_SHEET_ROWS = 5000
MAX_SHEET_COLS = 200
MAX_SHEET_CELLS = 200_000
MAX_SHEETS = 50
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ZIP_RATIO = 200            # uncompressed / compressed, per member
MAX_ZIP_MEMBERS = 2000
MAX_HTML_TABLE_CELLS = 100_000
MAX_HTML_TABLE_CHARS = 10_000_000   # a long text spanning many slots is copied into each


class RenderError(ValueError):
    """A document that cannot be rendered; the message is the reason recorded."""


# ---- HTML -------------------------------------------------------------------

_DROP_TAGS = {"script", "style", "noscript", "nav", "footer", "iframe", "template", "svg", "select",
              "button", "form", "object", "embed", "canvas"}
_NAV_TOKENS = {"nav", "navbar", "navigation", "menu", "footer", "foot", "breadcrumb", "crumb", "sidebar"}
_BLOCK = {"p", "div", "section", "article", "main", "header", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol",
          "dl", "dt", "dd", "blockquote", "pre", "center", "address", "figure", "figcaption", "hr", "tr", "td", "th",
          "table", "tbody", "thead", "tfoot", "caption", "title", "body", "html"}
_CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
_WS = re.compile(r"[ \t\r\n\f\v\xa0\u3000]+")


def _is_nav(el) -> bool:
    if not el.attrib:                    # most elements: nothing to look at
        return False
    if el.get("role") in ("navigation", "banner", "contentinfo"):
        return True
    toks = set(re.split(r"[\s_\-]+", (el.get("class") or "") + " " + (el.get("id") or "")).__iter__())
    return bool({t.lower() for t in toks if t} & _NAV_TOKENS)


def _join_pieces(pieces: list[str]) -> str:
    """Join text pieces broken by <br> or blocks inside one cell: no space between CJK."""
    out = ""
    for p in pieces:
        p = _WS.sub(" ", p).strip()
        if not p:
            continue
        if out and not (_CJK.match(out[-1]) or _CJK.match(p[0])):
            out += " "
        out += p
    return out


@lru_cache(maxsize=1 << 14)
def _cell_string(text: str) -> str:
    """A cell's text as a markdown row holds it: blanks squeezed, stripped, and "|" (the
    rows' separator) written "/". Cached: tables repeat their labels."""
    return _WS.sub(" ", text).strip().replace("|", "/")


def _cell_text(td) -> str:
    el = td
    while len(el) == 1 and _wraps(el):
        el = el[0]                     # <td><p><span>258</span></p></td>: the innermost text alone
    if not len(el):                    # text only, the common case: no pieces to join
        return _cell_string(el.text or "")
    pieces: list[str] = []
    buf: list[str] = []

    def walk(el):
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _DROP_TAGS:
            if el.tail:
                buf.append(el.tail)
            return
        block = tag in _BLOCK or tag == "br"
        if block:
            pieces.append("".join(buf)); buf.clear()
        if el.text and tag != "br":
            buf.append(el.text)
        for ch in el:
            walk(ch)
        if block:
            pieces.append("".join(buf)); buf.clear()
        if el.tail:
            buf.append(el.tail)

    if td.text:
        buf.append(td.text)
    for ch in td:
        walk(ch)
    pieces.append("".join(buf))
    return _join_pieces(pieces).replace("|", "/")


def _wraps(el) -> bool:
    """Is el's one child an element with no text of el's around it? Its text is then el's."""
    ch = el[0]
    return (isinstance(ch.tag, str) and ch.tag not in _DROP_TAGS and ch.tag != "br"
            and not (el.text or "").strip() and not (ch.tail or "").strip())


def _span(el, attr: str) -> int:
    v = el.get(attr)
    if v is None:
        return 1
    if v.isdecimal():                   # not isdigit: "²" is a digit int() refuses
        return max(1, min(int(v), 500))
    try:
        return max(1, min(int(re.sub(r"\D", "", el.get(attr, "1")) or 1), 500))
    except ValueError:
        return 1


def table_grid(table) -> list[list[str]]:
    """The cells of a table with no table inside it, as a grid; a merged cell's text fills
    every slot it covers. Each slot's text is _cell_text's: stripped, without "|" or line breaks."""
    rows = list(table.iter("tr"))       # no nested table: every row is the table's own
    grid: list[list[str | None]] = [[] for _ in rows]
    n_cells = n_chars = 0
    for r, tr in enumerate(rows):
        row = grid[r]
        c = 0
        for td in tr.iterchildren("td", "th"):
            while c < len(row) and row[c] is not None:
                c += 1                           # slots taken by a cell spanning down from above
            text = td.text                       # a bare number, the common cell, is its own text
            if len(td):
                text = _cell_text(td)
            elif not (text and text.isdigit()):
                text = _cell_string(text or "")
            if c == len(row) and (not td.attrib or (td.get("rowspan") is None and td.get("colspan") is None)):
                row.append(text)                 # the common cell: one slot, at the row's end
                c += 1
                n_cells += 1
                continue
            rs, cs = min(_span(td, "rowspan"), len(rows) - r), _span(td, "colspan")
            for below in grid[r:r + rs]:
                if len(below) < c + cs:
                    below.extend([None] * (c + cs - len(below)))
                for j in range(c, c + cs):
                    if below[j] is None:
                        below[j] = text
            c += cs
            n_cells += rs * cs
            n_chars += rs * cs * len(text)
            if n_cells > MAX_HTML_TABLE_CELLS:
                raise RenderError(f"HTML table with more than {MAX_HTML_TABLE_CELLS} cells")
            if n_chars > MAX_HTML_TABLE_CHARS:
                raise RenderError(f"HTML table with more than {MAX_HTML_TABLE_CHARS} characters once its "
                                  f"merged cells are filled")
    return [[x if x is not None else "" for x in row] for row in grid]


def markdown_row(cells: list[str], clean: bool = True) -> str:
    """One table row as a markdown line. clean=False: the cells are _cell_string's (table_grid,
    _fmt), already stripped and without "|" or line breaks."""
    if clean:
        cells = [c.replace("|", "/").replace("\n", " ").strip() for c in cells]
    return "| " + " | ".join(cells) + " |"


@lru_cache(maxsize=1)
def _html_parser():
    """One parser for every page (a parser made per page was an eighth of lxml's parse)."""
    from lxml import etree
    return etree.HTMLParser()


def html_to_text(html: str) -> tuple[str, dict[int, str]]:
    """Readable text of a page, tables as markdown rows; origin: line -> "table N row R"."""
    from lxml import etree

    if not html.strip():
        raise RenderError("empty HTML page")
    html = re.sub(r"^\s*<\?xml[^>]*\?>", "", html)   # lxml refuses str input with an encoding declaration
    try:
        # lxml.etree's own elements: lxml.html's look up a Python class for every element
        # touched, a third of the rendering time of a page with a large table
        root = etree.fromstring(html, _html_parser())
    except (etree.ParserError, ValueError) as e:
        raise RenderError(f"HTML could not be parsed: {e}") from e
    if root is None:
        raise RenderError("HTML could not be parsed: Document is empty")
    lines: list[str] = []
    origin: dict[int, str] = {}
    cur: list[str] = []
    ntable = 0

    def flush():
        text = _WS.sub(" ", "".join(cur)).strip()
        cur.clear()
        if text:
            lines.append(text)

    def walk(el):
        nonlocal ntable
        tag = el.tag if isinstance(el.tag, str) else ""
        if not tag:                      # comment or processing instruction
            if el.tail:
                cur.append(el.tail)
            return
        if tag in _DROP_TAGS or (tag != "body" and _is_nav(el)):
            if el.tail:
                cur.append(el.tail)
            return
        if tag == "table" and not any(True for _ in el.iterdescendants("table")):
            flush()
            ntable += 1
            for r, row in enumerate(table_grid(el), 1):
                if not any(row):                 # cells are stripped: an empty row is all ""
                    continue
                lines.append(markdown_row(row, clean=False))
                origin[len(lines)] = f"table {ntable} row {r}"
            if el.tail:
                cur.append(el.tail)
            return
        if tag == "br":
            flush()
            if el.tail:
                cur.append(el.tail)
            return
        block = tag in _BLOCK
        if block:
            flush()
        if el.text:
            cur.append(el.text)
        for ch in el:
            walk(ch)
        if block:
            flush()
        if el.tail:
            cur.append(el.tail)

    head = root.find("head")
    if head is not None:
        title = head.findtext("title")
        if title and title.strip():
            lines.append(_WS.sub(" ", title).strip())
    body = root.find("body")
    walk(body if body is not None else root)
    flush()
    return "\n".join(lines), origin


# ---- spreadsheets -----------------------------------------------------------

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _check_zip(data: bytes) -> None:
    """Refuse archives that would inflate far beyond their size (zip bombs)."""
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except Exception as e:              # BadZipFile; a damaged directory raises others (NotImplementedError, UnicodeDecodeError)
        reason = str(e) if isinstance(e, zipfile.BadZipFile) else f"{type(e).__name__}: {e}"
        raise RenderError(f"corrupt or truncated .xlsx (not a readable zip archive: {reason})") from e
    with z:
        infos = z.infolist()
        if len(infos) > MAX_ZIP_MEMBERS:
            raise RenderError(f"archive has {len(infos)} members, over the limit of {MAX_ZIP_MEMBERS}")
        total = 0
        for i in infos:
            total += i.file_size
            if i.file_size > 1024 * 1024 and i.file_size > MAX_ZIP_RATIO * max(i.compress_size, 1):
                raise RenderError(f"archive member {i.filename} inflates {i.file_size} bytes from "
                                  f"{i.compress_size} (ratio over {MAX_ZIP_RATIO}): refused as a zip bomb")
        if total > MAX_UNZIPPED_BYTES:
            raise RenderError(f"archive inflates to {total} bytes, over the limit of {MAX_UNZIPPED_BYTES}: refused")
        names = {i.filename for i in infos}
        if "EncryptedPackage" in names:
            raise RenderError("password-protected (encrypted) workbook")
        bad = z.testzip() if total < 20 * 1024 * 1024 else None
        if bad:
            raise RenderError(f"corrupt .xlsx: member {bad} fails its checksum")


_ENCRYPTION_STREAMS = frozenset({"EncryptedPackage", "EncryptionInfo"})


def _encrypted_ole(data: bytes) -> bool:
    """Does an OLE2 compound file hold an encryption stream? Its streams are listed only
    when one of the names' bytes is there at all."""
    head = data[: 4 * 1024 * 1024]
    return (any(n.encode("utf-16-le") in head for n in _ENCRYPTION_STREAMS)
            and bool(_ENCRYPTION_STREAMS & _ole_streams(head)))


def _ole_streams(head: bytes) -> set[str]:
    """Names of the streams in the first bytes of an OLE2 compound file."""
    names: set[str] = set()
    for raw in re.findall(rb"(?:[A-Za-z]\x00){4,31}", head):
        try:
            names.add(raw.decode("utf-16-le"))
        except UnicodeDecodeError:
            pass
    return names


class _Discard(io.StringIO):
    def write(self, s: str) -> int:     # xlrd's warnings ("file size not 512 + multiple…") go nowhere,
        return len(s)                   # not to standard output, where `xxgk extract` writes its JSON


def _check_xls(data: bytes) -> None:
    """Read the compound file's sector tables and find its workbook stream (xlrd) before any reader
    sees the file: a damaged container (a truncated sector table, a sector chain that loops) is
    refused with xlrd's reason, as calamine, given one, panicked or grew its memory until the
    process was killed. Then a password-protected workbook (a FILEPASS record) is refused too;
    a workbook xlrd cannot read beyond that is left to the readers (calamine may)."""
    import xlrd
    from xlrd import compdoc
    try:
        cd = compdoc.CompDoc(data, logfile=_Discard())
        if not any(cd.locate_named_stream(name)[0] for name in ("Workbook", "Book")):
            raise compdoc.CompDocError("no Workbook stream")
    except Exception as e:
        raise RenderError(f"corrupt or truncated .xls (xlrd: {type(e).__name__}: {e})"[:500]) from e
    try:
        xlrd.open_workbook(file_contents=data, on_demand=True, logfile=_Discard()).release_resources()
    except Exception as e:
        if "encrypt" in str(e).lower():
            raise RenderError("password-protected (encrypted) .xls workbook") from e


def _fmt(v) -> str:
    """A spreadsheet cell's value as _cell_string's text."""
    if type(v) is str:                  # text, or "" for an empty cell: the common cells
        return _cell_string(v) if v else ""
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, float):
        if v.is_integer():
            return str(int(v))
        return repr(round(v, 10)).rstrip("0").rstrip(".") if "e" not in repr(v) else str(v)
    return _cell_string(str(v))


def _fill_merged(rows: list[list[str]], merges) -> None:
    """Copy each merged range's top-left text into every slot of the range. A range reaching past
    the cells read (A1:XFD600) is cut to them: past them it only covers empty slots, and filling
    16,384 columns made a 5 KB file render as 49 MB of text."""
    width = max(map(len, rows), default=0)
    for (r0, c0, r1, c1) in merges:      # inclusive bounds, 0-based
        c1 = min(c1, width - 1)
        if r0 >= len(rows) or c0 > c1:
            continue
        top = rows[r0][c0] if c0 < len(rows[r0]) else ""
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            row = rows[r]
            while len(row) <= c1:
                row.append("")
            for c in range(c0, c1 + 1):
                if not row[c]:
                    row[c] = top


def _check_size(name: str, nrows: int, ncols: int) -> None:
    if nrows > MAX_SHEET_ROWS or ncols > MAX_SHEET_COLS or nrows * ncols > MAX_SHEET_CELLS:
        raise RenderError(f"sheet {name!r} is {nrows} rows x {ncols} columns, over the size limit "
                          f"({MAX_SHEET_ROWS} x {MAX_SHEET_COLS}): refused")


def _sheets_calamine(data: bytes) -> list[tuple[str, list[list[str]]]]:
    from python_calamine import CalamineWorkbook
    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    names = wb.sheet_names
    if len(names) > MAX_SHEETS:
        raise RenderError(f"workbook has {len(names)} sheets, over the limit of {MAX_SHEETS}")
    out = []
    for name in names:
        sh = wb.get_sheet_by_name(name)
        _check_size(name, sh.total_height or 0, sh.total_width or 0)
        start = sh.start or (0, 0)
        rows = [[_fmt(v) for v in row] for row in sh.to_python(skip_empty_area=False)]
        merges = []
        for m in (sh.merged_cell_ranges or []):
            (r0, c0), (r1, c1) = m
            merges.append((r0, c0, r1, c1))
        # to_python(skip_empty_area=False) starts at A1, merged ranges are absolute
        del start
        _fill_merged(rows, merges)
        out.append((name, rows))
    return out


def _sheets_openpyxl(data: bytes) -> list[tuple[str, list[list[str]]]]:
    import openpyxl
    wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    out = []
    for ws in wb.worksheets[:MAX_SHEETS]:
        _check_size(ws.title, ws.max_row, ws.max_column)
        rows = [[_fmt(v) for v in r] for r in ws.iter_rows(values_only=True)]
        merges = [(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in ws.merged_cells.ranges]
        _fill_merged(rows, merges)
        out.append((ws.title, rows))
    return out


def _sheets_xlrd(data: bytes) -> list[tuple[str, list[list[str]]]]:
    import xlrd
    wb = xlrd.open_workbook(file_contents=data, formatting_info=True, logfile=_Discard())
    out = []
    for sh in wb.sheets()[:MAX_SHEETS]:
        _check_size(sh.name, sh.nrows, sh.ncols)
        rows = [[_fmt(sh.cell_value(r, c)) for c in range(sh.ncols)] for r in range(sh.nrows)]
        merges = [(r0, c0, r1 - 1, c1 - 1) for (r0, r1, c0, c1) in sh.merged_cells]
        _fill_merged(rows, merges)
        out.append((sh.name, rows))
    return out


def read_sheets(data: bytes, name: str = "") -> list[tuple[str, list[list[str]]]]:
    """(sheet name, grid of cell texts) for every sheet of an .xls/.xlsx, merged cells filled."""
    if data.startswith(_OLE2):
        if _encrypted_ole(data):
            raise RenderError("password-protected (encrypted) workbook")
        _check_xls(data)
        readers = (_sheets_calamine, _sheets_xlrd)
    elif data.startswith(b"PK\x03\x04") or data.startswith(b"PK"):
        _check_zip(data)
        readers = (_sheets_calamine, _sheets_openpyxl)
    else:
        raise RenderError("not a spreadsheet (neither an OLE2 .xls nor a zip .xlsx)")
    errors = []
    for read in readers:
        try:
            return read(data)
        except (RenderError, KeyboardInterrupt, SystemExit):
            raise
        except BaseException as e:   # try the next maintained reader before giving up (a panic in
            # calamine's Rust code is a BaseException, pyo3's PanicException)
            errors.append(f"{read.__name__.removeprefix('_sheets_')}: {type(e).__name__}: {e}")
    raise RenderError("corrupt or unreadable spreadsheet (" + "; ".join(errors)[:400] + ")")


def spreadsheet_to_text(data: bytes, name: str = "") -> tuple[str, dict[int, str]]:
    """Every sheet as markdown rows; a ".xls" that is really an HTML page is rendered as HTML."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if not (data.startswith(_OLE2) or data.startswith(b"PK")):
        if head.startswith(b"<") or b"<table" in head or b"<html" in head:
            from .ingest import decode
            return html_to_text(decode(data)[0])
        raise RenderError(f"{name or 'file'} is not a spreadsheet (neither OLE2 .xls, zip .xlsx nor HTML)")
    lines: list[str] = []
    origin: dict[int, str] = {}
    for sheet, rows in read_sheets(data, name):
        lines.append(f"## {sheet}")
        above = 0
        for r, row in enumerate(rows, 1):
            last = max((j + 1 for j, x in enumerate(row) if x), default=0)
            if last and sum(1 for x in row if x) >= 2:
                # a row of a table is as wide as the row above it: its trailing empty cells are cells
                # (an agency that leaves the 总计 column empty), not the end of the sheet
                width = max(last, above)
                row = (row + [""] * width)[:width]
                above = width
            else:
                row = row[:last]
                above = above if not last else last
            if not any(x.strip() for x in row):
                continue
            lines.append(markdown_row(row, clean=False))
            origin[len(lines)] = f"{sheet} row {r}"
    if not origin:
        raise RenderError("spreadsheet has no cells")
    return "\n".join(lines), origin


# ---- PDF --------------------------------------------------------------------

_PAGE_FOOTER = re.compile(r"^\s*(?:[-—–－]\s*\d{1,4}\s*[-—–－]|第\s*\d{1,4}\s*页(?:\s*[,，/共]\s*共?\s*\d+\s*页)?|\d{1,4}\s*/\s*\d{1,4})\s*$")


def pdf_to_text(data: bytes) -> str:
    """Text of a PDF's pages, page footers ("- 4 -", "第4页") removed. Needs pypdf."""
    try:
        from pypdf import PdfReader
    except ImportError as e:   # pragma: no cover
        raise RenderError("PDF support needs the pypdf package") from e
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    raise RenderError("password-protected PDF")
            except Exception as e:
                raise RenderError("password-protected PDF") from e
        pages = [p.extract_text() or "" for p in reader.pages[:500]]
    except RenderError:
        raise
    except Exception as e:
        raise RenderError(f"corrupt or unreadable PDF: {type(e).__name__}: {e}") from e
    lines = [ln for page in pages for ln in page.split("\n") if not _PAGE_FOOTER.match(ln)]
    text = "\n".join(lines)
    if not text.strip():
        raise RenderError("PDF has no text layer (scanned images need OCR)")
    return text
