"""Ingest → normalize → parse → load: each asset calls one xxgk.pipeline stage."""

from collections.abc import Iterator

import pandas as pd

import dagster as dg
from xxgk import pipeline as P

from .resources import XxgkSettings

DUCKDB_POOL = "duckdb"   # one writer per DuckDB file: every step that opens it takes this pool


def md_table(df: pd.DataFrame, limit: int = 50) -> dg.MetadataValue:
    """A small markdown table for the UI (first `limit` rows)."""
    if df.empty:
        return dg.MetadataValue.md("(none)")
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(str(v).replace("|", "/") for v in row) + " |"
              for row in df.head(limit).itertuples(index=False)]
    if len(df) > limit:
        lines.append(f"\n… {len(df) - limit} more")
    return dg.MetadataValue.md("\n".join(lines))


def _documents(settings: XxgkSettings) -> pd.DataFrame:
    return pd.read_parquet(settings.store.root / "documents.parquet")


@dg.asset(group_name="ingest", kinds={"python"},
          description="Every file of the corpus folder: content hash, size, kind sniffed from the bytes, "
                      "encoding, and for unreadable files the reason.")
def raw_documents(context: dg.AssetExecutionContext, settings: XxgkSettings) -> dg.MaterializeResult:
    docs = P.scan_documents(settings.corpus_dir, settings.store)
    settings.store.root.mkdir(parents=True, exist_ok=True)
    docs.to_parquet(settings.store.root / "documents.parquet", index=False)
    rejected = docs[docs["status"] != "ok"]
    context.log.info(f"{len(docs)} files in {settings.corpus_dir}, {len(rejected)} rejected")
    return dg.MaterializeResult(metadata={
        "dagster/row_count": len(docs), "corpus": settings.corpus_dir,
        "by_kind": dg.MetadataValue.json(docs["kind"].value_counts().to_dict()),
        "rejected": len(rejected), "rejected_files": md_table(rejected[["name", "kind", "reason"]])})


# ---- normalize and parse: batches fanned out to parallel steps ---------------
#
# Each asset is a small graph: a plan op names the shards that have work, one
# step per shard does it (writing Parquet parts only, never the DuckDB file, so
# shards need no pool), and a summary op adds up their counts. Under the
# multiprocess executor the shard steps run in parallel; under dagster-k8s or
# dagster-celery they run on other machines, unchanged, given a shared
# warehouse folder. XXGK_SHARDS sets how many shards; each shard runs
# XXGK_WORKERS // XXGK_SHARDS worker processes of its own.


def _shards(settings: XxgkSettings) -> int:
    return max(1, settings.shards)


def _inner_workers(settings: XxgkSettings) -> int:
    return max(1, settings.workers // _shards(settings))


def _plan(settings: XxgkSettings, todo) -> "Iterator[dg.DynamicOutput]":
    k = _shards(settings)
    for i in range(k):
        if i == 0 or todo(i, k):          # shard 0 always runs, so a run with nothing new still summarizes
            yield dg.DynamicOutput((i, k), mapping_key=f"shard_{i}_of_{k}")


def _sum(stats: list[dict]) -> dict:
    out: dict = {}
    for st in stats:
        for key, v in st.items():
            out[key] = out.get(key, 0) + v if isinstance(v, (int, float)) else v
    if "seconds" in out:
        out["seconds"] = max(st.get("seconds", 0) for st in stats)   # shards overlap: the slowest one
    out["shards"] = len(stats)
    return out


@dg.op(ins={"after": dg.In(dg.Nothing)}, out=dg.DynamicOut(tuple))
def normalize_plan(settings: XxgkSettings):
    docs = _documents(settings)
    done = settings.store.done_ids("normalized")
    todo = [d for d, st in zip(docs["doc_id"], docs["status"]) if st == "ok" and d not in done]
    yield from _plan(settings, lambda i, k: any(P.shard_of(d, k) == i for d in todo))


@dg.op
def normalize_shard(context: dg.OpExecutionContext, settings: XxgkSettings, shard: tuple) -> dict:
    return P.normalize_new(_documents(settings), settings.store, _inner_workers(settings),
                           progress=context.log.info, shard=tuple(shard))


@dg.op
def normalize_summary(stats: list[dict]) -> dg.Output:
    total = _sum(stats)
    return dg.Output(None, metadata={"dagster/row_count": total.get("normalized", 0), **total})


@dg.graph_asset(group_name="ingest", kinds={"python"}, ins={"raw_documents": dg.AssetIn(dagster_type=dg.Nothing)},
                description="Text of each new document, normalized: NFKC, traditional→simplified, pinyin after "
                            "characters removed, a body scraped twice kept once. Parquet parts by content hash, "
                            "written by parallel shard steps.")
def normalized_documents(raw_documents):
    return normalize_summary(normalize_plan(after=raw_documents).map(normalize_shard).collect())


@dg.op(ins={"after": dg.In(dg.Nothing)}, out=dg.DynamicOut(tuple))
def parse_plan(settings: XxgkSettings):
    yield from _plan(settings, lambda i, k: bool(P.parse_todo(settings.store, (i, k))))


@dg.op
def parse_shard(context: dg.OpExecutionContext, settings: XxgkSettings, shard: tuple) -> dict:
    return P.parse_new(settings.store, _inner_workers(settings), progress=context.log.info, shard=tuple(shard))


@dg.op
def parse_summary(stats: list[dict]) -> dg.Output:
    total = _sum(stats)
    return dg.Output(None, metadata={"dagster/row_count": total.get("parsed", 0), **total})


@dg.graph_asset(group_name="ingest", kinds={"python"},
                ins={"normalized_documents": dg.AssetIn(dagster_type=dg.Nothing)},
                description="Statistics tables and prose figures of each newly normalized document, parsed into "
                            "reports, cells with provenance, identity results and attachments (Parquet parts), "
                            "by parallel shard steps.")
def parsed_reports(normalized_documents):
    return parse_summary(parse_plan(after=normalized_documents).map(parse_shard).collect())


@dg.multi_asset(
    specs=[dg.AssetSpec(["raw", t], deps=[parsed_reports], group_name="raw", kinds={"duckdb"},
                        description=f"raw.{t}: loaded from the parsed parts of the documents now in the corpus")
           for t in P.LANDING_TABLES],
    pool=DUCKDB_POOL)
def landing_tables(context: dg.AssetExecutionContext, settings: XxgkSettings):
    with settings.connect() as con:
        counts = P.load_landing(con, _documents(settings), settings.store)
    for table, n in counts.items():
        yield dg.MaterializeResult(asset_key=["raw", table], metadata={"dagster/row_count": n})
