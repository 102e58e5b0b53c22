"""Damaged documents through the whole reader: none may raise, hang or kill the process.

    xxgk fuzz PATH... [--runs 2000] [--seed 0] [--timeout 10] [--out DIR]

Each run takes a document of the corpus, damages it the way scraping and copying
do (text: cut short, lines deleted, repeated, shuffled or glued, characters
replaced, long digit runs; HTML: spans of 0, 10,000 or "²", tags left open;
spreadsheets and PDFs: cut short, bytes flipped or spliced) and reads it with
extract_document in a forked child. The child must return within the timeout,
and extract_document must not raise: bad input is a reason recorded on the
document, a parser error a note on its report. A failure is saved in --out with
its mutation, ready to become a test (tests/data/fuzz/ holds those found so far).
"""
from __future__ import annotations

import argparse
import os
import random
import re
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

TEXT_KINDS = ("truncate", "delete_lines", "repeat_lines", "shuffle_lines", "glue_lines", "replace_chars",
              "long_digits", "repeat_one_line")
HTML_KINDS = TEXT_KINDS + ("spans", "open_tags")
BINARY_KINDS = ("truncate_bytes", "flip_bytes", "splice_bytes")
# What a damaged table holds: separators, nil marks, full-width digits, label words, numbers.
_TOKENS = ("|", "\n", " ", "\t", "0", "7", "无", "—", "/", "１２", "（", "）", "其他", "总计", "合计", "小计",
           "结果维持", "行政复议", "本年新收", "（七）", "1.", "3件", "1,234", "-3", "1.5", "²", "年")
_SPANS = ("0", "1", "-2", "10000", "²", "3x", "", "99999999999999999999")


def mutate(data: bytes, kind: str, rng: random.Random) -> bytes:
    """The document's bytes damaged one way."""
    if kind in BINARY_KINDS:
        return _mutate_bytes(data, kind, rng)
    text = data.decode("utf-8", errors="replace")
    lines = text.split("\n")
    n = len(lines)
    if kind == "truncate":
        text = text[:rng.randrange(len(text) + 1)]
    elif kind == "delete_lines":
        for _ in range(rng.randint(1, 10)):
            if lines:
                del lines[rng.randrange(len(lines))]
        text = "\n".join(lines)
    elif kind == "repeat_lines":
        i = rng.randrange(n)
        j = min(n, i + rng.randint(1, 30))
        at = rng.choice((i, j, rng.randrange(n + 1)))
        text = "\n".join(lines[:at] + lines[i:j] * rng.randint(1, 3) + lines[at:])
    elif kind == "shuffle_lines":
        i = rng.randrange(n)
        window = lines[i:i + rng.randint(2, 20)]
        rng.shuffle(window)
        text = "\n".join(lines[:i] + window + lines[i + len(window):])
    elif kind == "glue_lines":
        i = rng.randrange(n)
        j = min(n, i + rng.randint(2, 40))
        text = "\n".join(lines[:i] + [rng.choice(("", " ", "|")).join(lines[i:j])] + lines[j:])
    elif kind == "replace_chars":
        chars = list(text)
        for _ in range(rng.randint(1, 40)):
            if chars:
                chars[rng.randrange(len(chars))] = rng.choice(_TOKENS)
        text = "".join(chars)
    elif kind == "long_digits":
        at = rng.randrange(len(text) + 1)
        text = text[:at] + "".join(rng.choice("0123456789") for _ in range(rng.randint(20, 200))) + text[at:]
    elif kind == "repeat_one_line":
        i = rng.randrange(n)
        text = "\n".join(lines[:i] + [lines[i]] * rng.randint(100, 3000) + lines[i:])
    elif kind == "spans":
        text = re.sub(r"<t([dh])\b", lambda m: f'<t{m.group(1)} {rng.choice(("rowspan", "colspan"))}='
                      f'"{rng.choice(_SPANS)}"' if rng.random() < 0.1 else m.group(), text)
    elif kind == "open_tags":
        text = re.sub(r"</(?:td|tr|table|p|span|div)>", lambda m: "" if rng.random() < 0.2 else m.group(), text)
    else:
        raise ValueError(f"unknown mutation {kind}")
    return text.encode("utf-8")


def _mutate_bytes(data: bytes, kind: str, rng: random.Random) -> bytes:
    if not data:
        return data
    b = bytearray(data)
    if kind == "truncate_bytes":
        return bytes(b[:rng.randrange(len(b) + 1)])
    if kind == "flip_bytes":
        for _ in range(rng.randint(1, 20)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        return bytes(b)
    i, j = sorted(rng.randrange(len(b) + 1) for _ in range(2))
    at = rng.randrange(len(b) + 1)
    return bytes(b[:at] + b[i:j] + b[at:])            # splice_bytes: a piece copied elsewhere


def kinds_for(suffix: str) -> tuple[str, ...]:
    if suffix in (".xls", ".xlsx", ".pdf"):
        return BINARY_KINDS
    return HTML_KINDS if suffix in (".html", ".htm") else TEXT_KINDS


def read_in_child(path: Path, timeout: float) -> str | None:
    """None when extract_document read the file within the timeout; else what went wrong."""
    from .extract import extract_document
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:                                      # the child: read, report, leave without cleanup
        os.close(r)
        signal.alarm(int(timeout) + 1)               # a hang the parent missed still ends
        try:
            extract_document(path)
            msg = b""
        except BaseException as e:                   # noqa: BLE001 - everything is a finding here
            msg = f"{type(e).__name__}: {e}"[:500].encode()
        os.write(w, msg)
        os._exit(0)
    os.close(w)
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            os.close(r)
            return f"took more than {timeout} s"
        time.sleep(0.002)
    with os.fdopen(r, "rb") as f:
        msg = f.read().decode(errors="replace")
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return msg or None


def _warm(files: list[Path]) -> None:
    """Read a document of each kind in this process, so that every forked child starts with the
    readers imported and the converter loaded (each child loading them took 0.15 s)."""
    from .extract import extract_document
    from .normalize import looks_traditional, to_simplified
    looks_traditional(""), to_simplified("")       # the character table and the converter, loaded once
    for suffix in dict.fromkeys(p.suffix.lower() for p in files):
        try:
            extract_document(next(p for p in files if p.suffix.lower() == suffix))
        except Exception:       # only warming: the runs say what fails
            pass


def run(paths: list[Path], runs: int, seed: int = 0, timeout: float = 10.0, out: Path | None = None,
        progress=print) -> dict:
    """`runs` damaged documents read; the count per mutation and every failure."""
    from .ingest import list_files
    files = [p for p in list_files(paths) if p.name != "labels.jsonl"]
    if not files:
        raise ValueError(f"no documents under {', '.join(map(str, paths))}")
    _warm(files)
    rng = random.Random(seed)
    tried: Counter = Counter()
    failures: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(runs):
            src = rng.choice(files)
            kind = rng.choice(kinds_for(src.suffix.lower()))
            doc = Path(tmp) / f"doc{src.suffix}"
            doc.write_bytes(mutate(src.read_bytes(), kind, rng))
            tried[kind] += 1
            why = read_in_child(doc, timeout)
            if why:
                failures.append({"run": n, "source": str(src), "mutation": kind, "failure": why})
                if out:
                    out.mkdir(parents=True, exist_ok=True)
                    (out / f"failure_{n}_{kind}{src.suffix}").write_bytes(doc.read_bytes())
                if progress:
                    progress(f"run {n}: {src.name} {kind}: {why}")
            if progress and (n + 1) % 500 == 0:
                progress(f"{n + 1}/{runs} documents, {len(failures)} failures")
    return {"runs": runs, "seed": seed, "tried": dict(tried), "failures": failures}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="xxgk fuzz", description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="+", type=Path)
    ap.add_argument("--runs", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=10.0, help="seconds a document may take")
    ap.add_argument("--out", type=Path, help="folder for the documents that failed")
    a = ap.parse_args(argv)
    res = run(a.paths, a.runs, a.seed, a.timeout, a.out, progress=lambda m: print(m, file=sys.stderr))
    print(f"{res['runs']} damaged documents ({', '.join(f'{k} {v}' for k, v in sorted(res['tried'].items()))}): "
          f"{len(res['failures'])} failures")
    for f in res["failures"]:
        print(f"  {f['source']} {f['mutation']}: {f['failure']}")
    return 1 if res["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
