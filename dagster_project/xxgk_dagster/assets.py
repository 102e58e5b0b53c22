"""Ingest → normalize → parse → load: each asset calls one xxgk.pipeline stage."""

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
    docs = P.scan_documents(settings.corpus_dir)
    settings.store.root.mkdir(parents=True, exist_ok=True)
    docs.to_parquet(settings.store.root / "documents.parquet", index=False)
    rejected = docs[docs["status"] != "ok"]
    context.log.info(f"{len(docs)} files in {settings.corpus_dir}, {len(rejected)} rejected")
    return dg.MaterializeResult(metadata={
        "dagster/row_count": len(docs), "corpus": settings.corpus_dir,
        "by_kind": dg.MetadataValue.json(docs["kind"].value_counts().to_dict()),
        "rejected": len(rejected), "rejected_files": md_table(rejected[["name", "kind", "reason"]])})


@dg.asset(group_name="ingest", kinds={"python"}, deps=[raw_documents],
          description="Text of each new document, normalized: NFKC, traditional→simplified, pinyin after "
                      "characters removed, a body scraped twice kept once. Parquet parts by content hash.")
def normalized_documents(context: dg.AssetExecutionContext, settings: XxgkSettings) -> dg.MaterializeResult:
    stats = P.normalize_new(_documents(settings), settings.store, settings.workers, progress=context.log.info)
    return dg.MaterializeResult(metadata={"dagster/row_count": stats["normalized"], **stats})


@dg.asset(group_name="ingest", kinds={"python"}, deps=[normalized_documents],
          description="Statistics tables and prose figures of each newly normalized document, parsed into "
                      "reports, cells with provenance, identity results and attachments (Parquet parts).")
def parsed_reports(context: dg.AssetExecutionContext, settings: XxgkSettings) -> dg.MaterializeResult:
    stats = P.parse_new(settings.store, settings.workers, progress=context.log.info)
    return dg.MaterializeResult(metadata={"dagster/row_count": stats["parsed"], **stats})


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
