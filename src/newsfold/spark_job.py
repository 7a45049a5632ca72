"""The pipeline as one Apache Spark batch job: ``newsfold spark IN... --out DIR``.

The same steps and decisions as ``newsfold cluster``, spread over executors:

1. read: one task per input file with the project's readers (JSONL, CSV, WARC, HTML, feeds),
   Parquet through Spark's reader; normalise, hash and MinHash-sign every article;
2. order: the stream order of the embedded engine (date, undated articles after the dated one
   before them in the input, ties by input position) becomes a global ``seq``;
3. copies: LSH band keys -> group by band -> candidate pairs -> estimated Jaccard -> connected
   components; inside each component the embedded engine's copy decisions are replayed in
   stream order, so the original is the earliest article it copies;
4. embed: originals in pipeline-sized chunks of the stream (``mapInPandas``, the model loaded
   once per Python worker);
5. link: articles are blocked by time (``block_days`` long, each block also holding the next
   ``overlap_days``, by default the linker's ``window_days``); inside a block ``StoryLinker``
   runs exactly as in the embedded engine; a story that blocks split is joined up through the
   articles two overlapping blocks share (connected components); a story's id is
   ``story_id_for`` its earliest article.

Nothing depends on partitioning: every group is sorted before use and ties are broken by
``seq``, so any partition count gives the same tables.

Run through spark-submit as a file: ``spark-submit .../newsfold/spark_job.py IN... --out DIR``.
"""
from __future__ import annotations

import sys

if __name__ == "__main__":  # spark-submit runs this file as a script: hand over to the package's CLI
    from newsfold.cli import main as _cli_main

    sys.exit(_cli_main(["spark", *sys.argv[1:]]))

import json
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from . import spark_tasks as T
from .config import Settings
from .errors import InputError, MissingDependency

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

DAY_US = 86_400 * 1_000_000
TABLES = ("articles", "duplicates", "assignments", "rejections", "run")
DRIVER_CC_EDGES = 200_000  # connected components of fewer edges are found on the driver


@dataclass(frozen=True)
class JobOptions:
    master: str | None = None  # None: spark-submit's master, else local[2]
    partitions: int = 4
    block_days: float | None = None  # None: max(365, 2 * overlap_days)
    overlap_days: float | None = None  # None: the window_days setting (as far back as the linker looks)
    strict: bool = True
    embed_threads: int = 0  # 0: cores / local threads in local mode, else 1 per task
    driver_memory: str = "2g"


@dataclass
class JobResult:
    counts: dict[str, int]
    versions: dict[str, str]
    out: str


def session(opts: JobOptions) -> SparkSession:
    """A SparkSession: spark-submit's if there is one, else local mode bound to 127.0.0.1."""
    try:
        from pyspark import SparkConf
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise MissingDependency("pyspark", "newsfold spark") from exc
    # pyspark 4.3 warns on pandas 3 at every pandas UDF; the job's use of pandas is plain and works.
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")
    conf = SparkConf()
    # Under spark-submit the JVM is already running (its gateway port is in the environment) and
    # holds --master and the --conf settings, which the Python side cannot see before the session
    # exists: setting a master here would override them (a YARN job would run in local[2]).
    submitted = "PYSPARK_GATEWAY_PORT" in os.environ
    master = opts.master or conf.get("spark.master", None) or (None if submitted else "local[2]")
    builder = SparkSession.builder
    if not submitted:
        builder = builder.appName("newsfold")
    if master is not None:
        builder = builder.master(master)
    if master is not None and master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
        builder = (builder.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                   .config("spark.ui.enabled", "false")
                   .config("spark.ui.showConsoleProgress", "false").config("spark.driver.memory", opts.driver_memory))
    builder = builder.config("spark.sql.shuffle.partitions", str(opts.partitions))
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # noqa: BLE001 - py4j/pyspark raise many kinds when no JVM starts
        raise MissingDependency("a Java 17+ runtime (apt-get install openjdk-17-jre-headless)",
                                f"newsfold spark ({type(exc).__name__}: {str(exc).splitlines()[0][:200]})") from None
    spark.conf.set("spark.sql.shuffle.partitions", str(opts.partitions))
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _embed_threads(spark: SparkSession, opts: JobOptions) -> int:
    if opts.embed_threads > 0:
        return opts.embed_threads
    master = spark.sparkContext.master or ""
    if master.startswith("local"):
        inside = master[master.find("[") + 1 : master.find("]")] if "[" in master else "1"
        tasks = os.cpu_count() or 1 if inside == "*" else int(inside.split(",")[0])
        return max(1, (os.cpu_count() or 1) // max(tasks, 1))
    return 1


# -- inputs --------------------------------------------------------------------------------
def _is_remote(path: str) -> bool:
    return "://" in path


def _is_parquet(path: Path) -> bool:
    if path.suffix.lower() == ".parquet":
        return True
    try:
        with path.open("rb") as fh:
            return fh.read(4) == b"PAR1"
    except OSError:
        return False


def _canonical(path: str) -> str:
    """One spelling per file: Spark writes local files as file:/x, users as /x or file:///x."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(path)
    if parts.scheme in ("", "file"):
        return str(Path(unquote(parts.path) if parts.scheme else path).resolve())
    return path


def read_items(spark: SparkSession, paths: Sequence[str], settings: dict[str, Any], partitions: int) -> DataFrame:
    """All input items as ITEM_SCHEMA rows; files are numbered in a stable (sorted) order."""
    from .ingest import iter_files

    local = [p for p in paths if not _is_remote(p)]
    remote = [p for p in paths if _is_remote(p)]
    files: list[tuple[str, str]] = []  # (kind, path) in input order
    for f in iter_files(local):
        if not f.name.startswith("_"):  # Hadoop's markers (_SUCCESS) and metadata files
            files.append(("parquet" if _is_parquet(f) else "file", str(f)))
    for uri in remote:
        listing = spark.read.format("binaryFile").option("recursiveFileLookup", "true").load(uri).select("path")
        for (found,) in sorted(r for r in listing.collect()):
            name = found.rsplit("/", 1)[-1]
            if not name.startswith(("_", ".")):
                files.append(("parquet" if name.lower().endswith(".parquet") else "remote", found))
    if not files:
        raise InputError(f"no input files under {', '.join(paths)}")
    indexed = list(enumerate(files))
    parts: list[DataFrame] = []
    sc = spark.sparkContext
    plain = [(i, p) for i, (kind, p) in indexed if kind == "file"]
    if plain:
        rdd = sc.parallelize(plain, max(1, min(len(plain), partitions)))
        rows = rdd.flatMap(lambda t: T.item_rows(t[0], t[1], settings))
        parts.append(spark.createDataFrame(rows, T.ITEM_SCHEMA))
    far = [(i, p) for i, (kind, p) in indexed if kind == "remote"]
    if far:
        index = {p: i for i, p in far}
        content = spark.read.format("binaryFile").load([p for _, p in far]).select("path", "content")
        rows = content.rdd.flatMap(lambda r: T.remote_item_rows(index[r.path], r.path, bytes(r.content), settings))
        parts.append(spark.createDataFrame(rows, T.ITEM_SCHEMA))
    pq = [(i, p) for i, (kind, p) in indexed if kind == "parquet"]
    if pq:
        parts.append(_read_parquet(spark, pq, settings))
    out = parts[0]
    for more in parts[1:]:
        out = out.unionByName(more)
    return out


def _read_parquet(spark: SparkSession, files: list[tuple[int, str]], settings: dict[str, Any]) -> DataFrame:
    """Parquet with ``id``/``text`` columns (``title, date, source, url, lang`` optional)."""
    from pyspark.sql import functions as F

    df = spark.read.parquet(*[p for _, p in files])
    known: list[str] = [c for c in ("id", "text", "title", "date", "source", "url", "lang") if c in df.columns]
    if not {"id", "text"} <= set(known):
        raise InputError(f"Parquet input needs 'id' and 'text' columns; found {', '.join(df.columns)}")
    df = df.select(*[F.col(c).cast("string").alias(c) for c in known],
                   F.col("_metadata.file_path").alias("file_path"), F.col("_metadata.row_index").alias("row_index"))
    wanted = {_canonical(p): i for i, p in files}
    seen = [r[0] for r in df.select("file_path").distinct().collect()]
    unmatched = [u for u in seen if _canonical(u) not in wanted]
    if unmatched:
        raise InputError(f"cannot match Parquet file {unmatched[0]} to an input path; pass files, not globs")
    index = spark.createDataFrame([(u, wanted[_canonical(u)]) for u in seen], "file_path string, file_idx long")
    df = df.join(F.broadcast(index), "file_path")
    shown = dict(files)  # origins name a file as the user did
    rows = df.rdd.map(lambda r: (r.file_idx, shown[r.file_idx], r.row_index, {c: r[c] for c in known}))
    return spark.createDataFrame(
        rows.flatMap(lambda t: T.record_rows(t[0], t[1], [(int(t[2]), dict(t[3]))], settings)), T.ITEM_SCHEMA)


# -- the job -------------------------------------------------------------------------------
def run(paths: Sequence[str], out: str, settings: Settings, opts: JobOptions,
        spark: SparkSession | None = None) -> JobResult:
    from pyspark import StorageLevel
    from pyspark.sql import functions as F
    from pyspark.sql.window import Window

    spark = spark or session(opts)
    spark.conf.set("spark.sql.shuffle.partitions", str(opts.partitions))
    s = settings.as_dict()
    mem = StorageLevel.MEMORY_AND_DISK

    items = read_items(spark, paths, s, opts.partitions).persist(mem)
    rejected = items.filter(F.col("reject").isNotNull())
    if opts.strict:
        bad = rejected.filter("malformed").orderBy("file_idx", "pos").limit(1).collect()
        if bad:
            raise InputError(bad[0].reject + " (use --skip-bad to report bad items and go on)", bad[0].origin)

    # An id used twice: the first in input order keeps it, as in the pipeline.
    first = Window.partitionBy("id").orderBy("file_idx", "pos")
    arts = items.filter(F.col("reject").isNull()).withColumn("nth", F.row_number().over(first)) \
        .withColumn("first_origin", F.first("origin").over(first))
    reused = arts.filter("nth > 1").select(
        "file_idx", "pos", "origin", F.format_string("id '%s' already used by %s", "id", "first_origin").alias("reject"),
        F.lit(False).alias("malformed"))  # a page fetched twice is normal in a crawl: kept, never fatal
    rejections = rejected.select("file_idx", "pos", "origin", "reject", "malformed").unionByName(reused)
    arts = arts.filter("nth = 1").drop("nth", "first_origin", "reject", "malformed")

    arts = _with_seq(spark, arts).persist(mem)
    copies = _find_copies(spark, arts, s)
    originals = arts.join(copies.select("seq"), "seq", "left_anti")
    feats = _embed(originals, s, _embed_threads(spark, opts), opts.partitions)
    linked = _link(spark, originals.select("seq", "id", "date", "eff").join(feats, "seq"), s, opts)

    # Copies take their original's story (a copy's original is always an original).
    story_of = linked.select("seq", "story", "score")
    copy_story = copies.join(story_of.select(F.col("seq").alias("duplicate_of_seq"), "story"), "duplicate_of_seq") \
        .select("seq", "duplicate_of", "similarity", "story", F.lit(1.0).alias("score"))
    assigned = story_of.join(feats, "seq").select(
        "seq", F.lit(None).cast("string").alias("duplicate_of"), F.lit(None).cast("double").alias("similarity"),
        "story", "score", "features", "emb").unionByName(copy_story, allowMissingColumns=True)
    table = arts.join(assigned, "seq").select(
        "seq", "id", "title", "text", "date", "source", "url", "lang", "summary_only", "origin", "content_hash",
        "duplicate_of", "story", "score", "features", "emb",
        F.when(F.col("duplicate_of").isNull(), F.col("minhash")).alias("minhash"),
    ).persist(mem)

    base = out.rstrip("/")
    table.orderBy("seq").write.mode("overwrite").parquet(f"{base}/articles")
    dups = table.filter(F.col("duplicate_of").isNotNull()).join(copies.select("seq", "similarity"), "seq")
    dups.select("seq", "id", "duplicate_of", "similarity").orderBy("seq").write.mode("overwrite") \
        .parquet(f"{base}/duplicates")
    table.select("seq", "id", "story", "duplicate_of", "score").orderBy("seq").write.mode("overwrite") \
        .parquet(f"{base}/assignments")
    rejections.orderBy("file_idx", "pos").select("origin", F.col("reject").alias("reason"), "malformed") \
        .write.mode("overwrite").parquet(f"{base}/rejections")

    counts = {
        "items": items.count(),
        "articles": table.filter(F.col("duplicate_of").isNull()).count(),
        "duplicates": table.filter(F.col("duplicate_of").isNotNull()).count(),
        "rejected": rejections.count(),
        "stories": table.select("story").distinct().count(),
    }
    versions = job_versions(settings)
    info = {"versions": json.dumps(versions), "counts": json.dumps(counts), "settings": json.dumps(s),
            "block_days": str(opts.block_days), "overlap_days": str(opts.overlap_days),
            "finished": datetime.now(UTC).isoformat()}
    spark.createDataFrame([info]).coalesce(1).write.mode("overwrite").parquet(f"{base}/run")
    for df in (items, arts, table):
        df.unpersist()
    return JobResult(counts, versions, base)


def job_versions(settings: Settings) -> dict[str, str]:
    """The same version record the pipeline keeps, so an imported store accepts later ingests."""
    from .dedup import CopyDetector
    from .embed import get_embedder
    from .similarity import PairModel

    name = settings.embedder if settings.embedder == "use-m3" else get_embedder(settings.embedder).name
    return {
        "newsfold": __version__,
        "embedder": name,
        "pair_model": PairModel.load(settings.pair_model or None).version,
        "dedup": CopyDetector(settings.dedup_threshold, settings.minhash_perm, settings.shingle_words).version,
        "link": f"thr={settings.link_threshold},win={settings.window_days},"
        f"cand={settings.max_candidates},members={settings.members_per_story},lead={settings.lead_words}",
    }


def _with_seq(spark: SparkSession, arts: DataFrame) -> DataFrame:
    """Add ``eff`` (the date the stream sorts by) and ``seq`` (1-based stream position).

    An undated article sorts with the last dated article before it in the input: within its
    file by a running window, across files by a carry computed on the driver from one row per file.
    """
    from pyspark.sql import functions as F
    from pyspark.sql.window import Window

    running = Window.partitionBy("file_idx").orderBy("pos").rowsBetween(Window.unboundedPreceding, 0)
    arts = arts.withColumn("run_ts", F.last("ts", ignorenulls=True).over(running))
    last_in_file = {r.file_idx: r.last for r in arts.groupBy("file_idx").agg(
        F.max_by("ts", F.when(F.col("ts").isNotNull(), F.col("pos"))).alias("last")).collect()}
    carry, prev = [], None
    for idx in sorted(last_in_file):
        carry.append((idx, prev))
        if last_in_file[idx] is not None:
            prev = last_in_file[idx]
    carries = spark.createDataFrame(carry, "file_idx long, carry long")
    arts = arts.join(F.broadcast(carries), "file_idx", "left").withColumn(
        "eff", F.coalesce("ts", "run_ts", "carry", F.lit(T.UNDATED_FIRST_US))).drop("run_ts", "carry")
    ordered = arts.orderBy("eff", "file_idx", "pos")
    schema = ordered.schema.add("seq", "long")
    numbered = ordered.rdd.zipWithIndex().map(lambda t: (*t[0], t[1] + 1))
    return spark.createDataFrame(numbered, schema)


def _find_copies(spark: SparkSession, arts: DataFrame, s: dict[str, Any]) -> DataFrame:
    """(seq, duplicate_of, duplicate_of_seq, similarity) for every copy."""
    from pyspark.sql import functions as F

    # Equal texts (hash) or equal signatures link to their earliest holder; only those
    # representatives go through the band stage, so exact copies never blow up a bucket.
    by_hash = arts.groupBy("content_hash").agg(F.min("seq").alias("root"))
    by_sig = arts.groupBy("minhash").agg(F.min("seq").alias("root"))
    star = arts.join(by_hash, "content_hash").select(F.col("seq").alias("a"), F.col("root").alias("b")) \
        .unionByName(arts.join(by_sig, "minhash").select(F.col("seq").alias("a"), F.col("root").alias("b"))) \
        .filter("a != b")
    reps = arts.join(by_sig.select(F.col("root").alias("seq")), "seq").select("seq", "bands", "minhash")
    keys = reps.select("seq", F.posexplode("bands").alias("band", "key"))
    pairs = keys.alias("x").join(keys.alias("y"), ["band", "key"]).filter(F.col("x.seq") < F.col("y.seq")) \
        .select(F.col("x.seq").alias("a"), F.col("y.seq").alias("b")).distinct()
    sigs = reps.select("seq", "minhash")
    threshold = s["dedup_threshold"]

    def similar(frames):  # type: ignore[no-untyped-def]
        import numpy as np

        for f in frames:
            sims = [float(np.mean(np.frombuffer(x, np.uint32) == np.frombuffer(y, np.uint32)))
                    for x, y in zip(f["sa"], f["sb"])]
            f = f.assign(sim=sims)
            yield f.loc[f["sim"] >= threshold, ["a", "b"]]

    verified = pairs.join(sigs.select(F.col("seq").alias("a"), F.col("minhash").alias("sa")), "a") \
        .join(sigs.select(F.col("seq").alias("b"), F.col("minhash").alias("sb")), "b") \
        .mapInPandas(similar, "a long, b long")
    edges = star.unionByName(verified).persist()
    nodes = edges.select(F.col("a").alias("node")).union(edges.select("b")).distinct() \
        .withColumn("label", F.col("node"))
    comps = connected_components(nodes, edges)
    members = arts.join(comps.withColumnRenamed("node", "seq"), "seq") \
        .select("label", "seq", "id", "content_hash", "minhash")

    def replay(frame):  # type: ignore[no-untyped-def]
        import pandas as pd

        rows = list(zip(frame["seq"], frame["id"], frame["content_hash"], frame["minhash"]))
        return pd.DataFrame(T.replay_copies(rows, s), columns=["seq", "duplicate_of", "duplicate_of_seq", "similarity"])

    copies = members.groupBy("label").applyInPandas(
        replay, "seq long, duplicate_of string, duplicate_of_seq long, similarity double")
    return copies.persist()


def connected_components(nodes: DataFrame, edges: DataFrame, driver_limit: int = DRIVER_CC_EDGES) -> DataFrame:
    """(node, label) -> (node, smallest label in its component), over edges (a, b).

    Up to ``driver_limit`` edges the components are found on the driver with a union-find (a
    few seconds less per call than Spark rounds on small data); beyond it by min-label
    propagation in Spark: each round every node takes the smallest label among itself and its
    neighbours, until a round changes nothing (rounds: the components' diameter plus one).
    Both give the same answer.
    """
    from pyspark.sql import functions as F

    spark = nodes.sparkSession
    small = edges.limit(driver_limit + 1).collect()
    if len(small) <= driver_limit:
        label = {r.node: r.label for r in nodes.collect()}
        parent = {n: n for n in label}

        def root(n: Any) -> Any:
            while parent[n] != n:
                parent[n] = parent[parent[n]]
                n = parent[n]
            return n

        for a, b in small:
            ra, rb = root(a), root(b)
            if ra != rb:
                lo, hi = (ra, rb) if label[ra] <= label[rb] else (rb, ra)
                parent[hi] = lo  # the root always holds its component's smallest label
        result = [(n, label[root(n)]) for n in label]
        return spark.createDataFrame(result, nodes.select("node", "label").schema) if result else \
            nodes.select("node", "label")
    both = edges.select(F.col("a").alias("src"), F.col("b").alias("dst")) \
        .union(edges.select(F.col("b").alias("src"), F.col("a").alias("dst"))).distinct().persist()
    labels = nodes.select("node", "label").localCheckpoint()
    while True:
        msgs = both.join(labels.withColumnRenamed("node", "src"), "src").groupBy("dst") \
            .agg(F.min("label").alias("m")).withColumnRenamed("dst", "node")
        step = labels.join(msgs, "node", "left").select(
            "node", F.least("label", F.coalesce("m", "label")).alias("label"),
            F.coalesce(F.col("m") < F.col("label"), F.lit(False)).alias("changed")).localCheckpoint()
        labels = step.select("node", "label")
        if not step.filter("changed").limit(1).collect():
            break
    both.unpersist()
    return labels


def _embed(originals: DataFrame, s: dict[str, Any], threads: int, partitions: int) -> DataFrame:
    """(seq, emb, features) for every original; chunks of the stream are embedded whole."""
    from pyspark.sql import functions as F

    size = s["batch_size"]
    rows = originals.select(((F.col("seq") - 1) / size).cast("long").alias("chunk"), "seq", "id", "title", "text",
                            "lang", "date")
    rows = rows.repartition(partitions, "chunk").sortWithinPartitions("chunk", "seq")
    return rows.mapInPandas(lambda frames: T.embed_partition(frames, s, threads),
                            "seq long, emb binary, features string").persist()


def _link(spark: SparkSession, originals: DataFrame, s: dict[str, Any], opts: JobOptions) -> DataFrame:
    """(seq, story, score) for every original: link inside time blocks, join across them.

    Block k spans [k*B, (k+1)*B + O): an article in the first O days of block k is also in
    block k-1, where it has more history. Its *home* is that earlier block: the home view's
    decision (story and score) is the one kept. In block k those articles only warm the linker
    up; a local story of block k that holds warm-up articles continues the home story of the
    earliest of them (a tree of continuations, never a merge of two stories block k-1 kept
    apart). A story's id is ``story_id_for`` its earliest article.
    """
    from pyspark.sql import functions as F

    overlap_days = s["window_days"] if opts.overlap_days is None else opts.overlap_days
    block_days = max(365.0, 2 * overlap_days) if opts.block_days is None else opts.block_days
    block_us, overlap_us = int(block_days * DAY_US), int(overlap_days * DAY_US)
    if overlap_us >= block_us:
        raise InputError(f"--overlap-days {overlap_days:g} must be shorter than --block-days {block_days:g}")
    # Undated articles before any date sort first; they go with the first dated block.
    first_dated = originals.filter(F.col("eff") > T.UNDATED_FIRST_US).agg(F.min("eff")).collect()[0][0]
    t = F.greatest(F.col("eff"), F.lit(first_dated if first_dated is not None else 0))
    last = F.floor(t / block_us).cast("long")
    home = F.when(t - last * block_us < overlap_us, last - 1).otherwise(last)
    blocks = originals.select("seq", "id", "date", "features", "emb", home.alias("home"),
                              F.explode(F.array_distinct(F.array(home, last))).alias("block"))

    def link(frame):  # type: ignore[no-untyped-def]
        import pandas as pd

        block = int(frame["block"].iloc[0])
        got = T.link_block(T.clean_rows(frame[["seq", "id", "date", "features", "emb"]]), s)
        return pd.DataFrame([(block, *g) for g in got], columns=["block", "seq", "opener", "score"])

    local = blocks.select("block", "seq", "id", "date", "features", "emb").groupBy("block") \
        .applyInPandas(link, "block long, seq long, opener long, score double")
    node = F.concat_ws(":", F.col("block").cast("string"), F.col("opener").cast("string"))
    views = local.join(blocks.select("seq", "block", "home"), ["seq", "block"]) \
        .select("seq", "block", "home", "opener", "score", node.alias("node")).persist()
    homes = views.filter(F.col("block") == F.col("home")).select("seq", "node", "score")
    warm = views.filter(F.col("block") != F.col("home")).groupBy("node").agg(F.min("seq").alias("seq"))
    edges = warm.join(homes.select("seq", F.col("node").alias("b")), "seq").select(F.col("node").alias("a"), "b")
    nodes = views.select("node", F.col("opener").alias("label")).distinct()
    comps = connected_components(nodes, edges).withColumnRenamed("label", "comp")
    placed = homes.join(comps, "node")
    first = placed.groupBy("comp").agg(F.min("seq").alias("first"))
    ids = originals.select(F.col("seq").alias("first"), F.col("id").alias("first_id"))
    return placed.join(first, "comp").join(ids, "first").select(
        "seq", story_id_column("first_id").alias("story"), "score")


def story_id_column(article_id: Any) -> Any:
    """``link.story_id_for`` as a Spark expression ('s' + the first 12 hex digits of SHA-1)."""
    from pyspark.sql import functions as F

    return F.concat(F.lit("s"), F.substring(F.sha1(article_id), 1, 12))


def describe(result: JobResult) -> str:
    c = result.counts
    return (f"read {c['items']} items: {c['articles']} articles, {c['duplicates']} copies, {c['rejected']} rejected; "
            f"{c['stories']} stories. Tables under {result.out}: articles, duplicates, assignments, rejections, run.")
