"""The Spark job in local mode on the demo corpus: the embedded engine's stories and copies,
independent of partitioning, and importable into a store the CLI reads.

One SparkSession for the module; two runs of the job (2 and 5 partitions) over the demo
corpus as Parquet plus a JSONL file read through Hadoop (a file:// URI) that holds a bad
line and a reused id. Skipped when pyspark or Java is missing.
"""
from __future__ import annotations

import json
import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli, write_jsonl

pytest.importorskip("pyspark", reason="pyspark is not installed (pip install 'newsfold[spark]')")
if shutil.which("java") is None:
    pytest.skip("no Java runtime for Spark (apt-get install openjdk-17-jre-headless)", allow_module_level=True)

pq = pytest.importorskip("pyarrow.parquet")

from newsfold.config import Settings
from newsfold.demo import demo_corpus_path
from newsfold.link import story_id_for
from newsfold.spark_job import JobOptions, connected_components, run, session, story_id_column

pytestmark = pytest.mark.slow

# Blocks much shorter than the demo's six weeks, so stories are split and joined across blocks.
BLOCKS = {"block_days": 10.0, "overlap_days": 3.0}
# Small pipeline batches, so the 32 demo articles are embedded in 4 chunks that partitions share
# out differently; `newsfold cluster` gets the same setting.
BATCH = 8


@pytest.fixture(scope="module")
def spark() -> Any:
    s = session(JobOptions(master="local[2]"))
    yield s
    s.stop()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory, demo_rows: list[dict]) -> list[str]:
    import pyarrow as pa

    d = tmp_path_factory.mktemp("spark-in")
    cols = ["id", "title", "text", "date", "source", "url", "lang"]
    pq.write_table(pa.table({c: [r.get(c) for r in demo_rows] for c in cols}), d / "demo.parquet")
    extra = d / "extra.jsonl"
    extra.write_text('{"id": "broken", "text": \n' + json.dumps(
        {"id": demo_rows[0]["id"], "text": "A second article that reuses an id already taken by the demo corpus."})
        + "\n")
    return [str(d / "demo.parquet"), extra.resolve().as_uri()]


@pytest.fixture(scope="module")
def runs(spark: Any, inputs: list[str], tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    out = {}
    # Adaptive execution would coalesce these tiny shuffles into one partition whatever the count,
    # and the two runs would be partitioned alike; without it every shuffle has exactly N partitions.
    key = "spark.sql.adaptive.coalescePartitions.enabled"
    before = spark.conf.get(key)
    spark.conf.set(key, "false")
    try:
        for partitions in (2, 5):
            target = tmp_path_factory.mktemp(f"spark-out-{partitions}")
            run(inputs, str(target), Settings(batch_size=BATCH),
                JobOptions(partitions=partitions, strict=False, **BLOCKS), spark=spark)
            out[partitions] = target
    finally:
        spark.conf.set(key, before)
    return out


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    out = tmp_path_factory.mktemp("cluster") / "out.jsonl"
    run_cli("cluster", str(demo_corpus_path()), "--out", str(out), "--set", f"batch_size={BATCH}")
    return {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}


def table(out: Path, name: str) -> list[dict]:
    return pq.read_table(str(out / name)).to_pylist()


def test_same_stories_and_copies_as_cluster(runs: dict[int, Path], embedded: dict[str, dict],
                                            demo_rows: list[dict]) -> None:
    got = {r["id"]: r for r in table(runs[2], "assignments")}
    assert set(got) == set(embedded)
    assert {i: r["story"] for i, r in got.items()} == {i: r["story"] for i, r in embedded.items()}
    assert {i: r["duplicate_of"] for i, r in got.items()} == {i: r["duplicate_of"] for i, r in embedded.items()}
    # And those are the demo's events: one story each, copies marked.
    events: dict[str, set[str]] = defaultdict(set)
    for r in demo_rows:
        events[r["event"]].add(got[r["id"]]["story"])
    assert all(len(s) == 1 for s in events.values()) and len(set.union(*events.values())) == len(events)
    copies = {r["id"]: r["duplicate_of"] for r in table(runs[2], "duplicates")}
    assert copies == {r["id"]: r["copy_of"] for r in demo_rows if "copy_of" in r}


def test_partition_count_changes_nothing(runs: dict[int, Path]) -> None:
    # The two runs really were partitioned differently: the stream-ordered output has one part
    # file per non-empty partition.
    parts = {n: len(list((runs[n] / "articles").glob("part-*.parquet"))) for n in runs}
    assert parts[2] <= 2 < parts[5], parts
    # Same stories (as id -> story, and as the groups of articles they hold) and same copies ...
    stories = {n: {r["id"]: r["story"] for r in table(runs[n], "assignments")} for n in runs}
    assert len(stories[2]) == 32 and len(set(stories[2].values())) == 7
    assert stories[2] == stories[5]
    # ... and every table equal row for row, embeddings and features included.
    for name in ("articles", "duplicates", "assignments", "rejections"):
        rows = table(runs[2], name)
        assert rows, name
        assert rows == table(runs[5], name), name


def test_bad_items_are_kept_as_rejections(runs: dict[int, Path], inputs: list[str], demo_rows: list[dict]) -> None:
    rejected = table(runs[2], "rejections")
    # The JSONL file came through Hadoop, which spells it file:/...; its lines keep their numbers.
    assert [r["origin"].removeprefix("file:").lstrip("/") for r in rejected] == [
        f"{inputs[1].removeprefix('file://').lstrip('/')}:{line}" for line in (1, 2)]
    assert rejected[0]["reason"].startswith("invalid JSON") and rejected[0]["malformed"]
    assert rejected[1]["reason"] == f"id '{demo_rows[0]['id']}' already used by {inputs[0]}#row=0"
    assert not rejected[1]["malformed"]


def test_strict_run_stops_at_the_first_bad_item(spark: Any, inputs: list[str], tmp_path: Path) -> None:
    from newsfold.errors import InputError

    with pytest.raises(InputError, match="invalid JSON.*--skip-bad"):
        run(inputs[1:], str(tmp_path / "out"), Settings(), JobOptions(partitions=2), spark=spark)


def test_import_then_cli_reads_the_stories(runs: dict[int, Path], tmp_path: Path, demo_rows: list[dict]) -> None:
    db = tmp_path / "store"
    assert "imported 32 articles in 7 stories (2 rejections)" in run_cli("import", str(runs[2]), "--db", str(db)).stdout
    listed = json.loads(run_cli("stories", "--db", str(db), "--json").stdout)
    assigned = table(runs[2], "assignments")
    sizes: dict[str, int] = defaultdict(int)
    for r in assigned:
        sizes[r["story"]] += 1
    assert {s["id"]: s["size"] for s in listed} == sizes
    story = demo_rows[0]["id"]
    shown = json.loads(run_cli("show", story_id_for(story), "--db", str(db), "--json").stdout)
    assert [a["id"] for a in shown["articles"]][:1] == [story]
    # Importing twice into the same store is refused rather than mixed.
    again = run_cli("import", str(runs[2]), "--db", str(db), check=False)
    assert again.returncode == 3 and "already holds articles" in again.stderr


def test_ingest_continues_an_imported_store(runs: dict[int, Path], tmp_path: Path, demo_rows: list[dict]) -> None:
    db = tmp_path / "store"
    run_cli("import", str(runs[2]), "--db", str(db))
    original = next(r for r in demo_rows if r["id"] == "lumora-breach-circuitdaily-en")
    late = {**original, "id": "lumora-breach-repost", "date": "2026-02-27T10:00:00+01:00", "source": "repost.example"}
    run_cli("ingest", str(write_jsonl(tmp_path / "late.jsonl", [late])), "--db", str(db))
    shown = json.loads(run_cli("show", story_id_for(original["id"]), "--db", str(db), "--json").stdout)
    assert {a["id"]: a["duplicate_of"] for a in shown["articles"]}["lumora-breach-repost"] == original["id"]


def test_components_in_spark_rounds_equal_the_driver_union_find(spark: Any) -> None:
    edges = spark.createDataFrame([(5, 9), (9, 2), (7, 8), (11, 12), (12, 13), (13, 4)], "a long, b long")
    nodes = spark.createDataFrame([(n, n) for n in (2, 4, 5, 7, 8, 9, 11, 12, 13, 20)], "node long, label long")
    on_driver = sorted(map(tuple, connected_components(nodes, edges).collect()))
    in_rounds = sorted(map(tuple, connected_components(nodes, edges, driver_limit=0).collect()))
    assert on_driver == in_rounds == [(2, 2), (4, 4), (5, 2), (7, 7), (8, 7), (9, 2), (11, 4), (12, 4), (13, 4),
                                      (20, 20)]


def test_story_id_expression_is_the_linkers(spark: Any) -> None:
    ids = ["a", "caldoria-rate-ledgerwire-en", "Ünïcode/ид"]
    df = spark.createDataFrame([(i,) for i in ids], "id string")
    assert [r[0] for r in df.select(story_id_column("id")).collect()] == [story_id_for(i) for i in ids]


def test_spark_submit_master_is_kept(tmp_path: Path) -> None:
    """Under spark-submit the job takes its --master (a YARN job must not fall back to local[2])."""
    import os
    import subprocess
    import sys

    import pyspark

    script = tmp_path / "master.py"
    script.write_text("from newsfold.spark_job import JobOptions, session\n"
                      "s = session(JobOptions())\nprint('MASTER', s.sparkContext.master)\ns.stop()\n")
    submit = Path(pyspark.__file__).parent / "bin" / "spark-submit"
    env = {**os.environ, "SPARK_LOCAL_IP": "127.0.0.1", "PYSPARK_PYTHON": sys.executable,
           "PYSPARK_DRIVER_PYTHON": sys.executable}
    proc = subprocess.run([str(submit), "--master", "local[1]", str(script)], capture_output=True, text=True,
                          env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "MASTER local[1]" in proc.stdout
