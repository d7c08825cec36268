"""Query benchmark: DevOps-style Timestream queries over 10 million multi-measure records, timed
in timestream-local (release binary, over HTTP, through boto3) and in DuckDB over the same data
in the same run. Prints figures; asserts nothing.

Data (deterministic, generated identically for both engines): 1 000 hosts (dimensions
`region`, `az`, `hostname`) × 10 000 timestamps 5 s apart = 10 M multi-measure records
(`measure_name` = 'metrics', attributes cpu_user DOUBLE, cpu_system DOUBLE, memory_free BIGINT,
disk_io BIGINT). The engine clock is frozen just after the last timestamp, so every record is in
the memory tier and `ago()` is stable.

Loading 10 M records through WriteRecords takes minutes, so the loaded `--data-dir` is kept
under `target/bench-query/` (keyed by the record count) and reused by later runs.

Run: `scripts/bench-query` (env: BENCH_RECORDS, default 10_000_000; BENCH_RUNS, default 5).
`scripts/bench-query --probe` times variants of the one-host query instead (raw HTTP keep-alive,
no boto3, 40 calls each), to split a query's time into fixed cost, scan and result.
"""
from __future__ import annotations

import http.client
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import boto3
import duckdb
from botocore.config import Config

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(os.environ.get("TIMESTREAM_LOCAL_BIN", ROOT / "target/release/timestream-local"))
RECORDS = int(os.environ.get("BENCH_RECORDS", 10_000_000))
RUNS = int(os.environ.get("BENCH_RUNS", 5))
HOSTS = 1000
STEPS = RECORDS // HOSTS
STEP_MS = 5000
# The last timestamp: 2026-01-01T00:00:00Z; the clock is frozen 1 s after it.
END_MS = 1_767_225_600_000
START_MS = END_MS - (STEPS - 1) * STEP_MS
REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-northeast-1"]
DB, TABLE = "devops", "metrics"

# Attribute formulas, written once in SQL (DuckDB) and once in Python (the loader); both give
# the same numbers for host h (0-based) at step s (0-based).
SQL_ATTRIBUTES = {
    "cpu_user": "((h * 7919 + s * 104729) % 10000) / 100.0",
    "cpu_system": "((h * 31 + s * 17) % 5000) / 100.0",
    "memory_free": "(h * 1000003 + s * 7) % 1000000000",
    "disk_io": "(h + s * 13) % 100000",
}


def attributes(h: int, s: int) -> list[tuple[str, str, str]]:
    return [
        ("cpu_user", repr(((h * 7919 + s * 104729) % 10000) / 100.0), "DOUBLE"),
        ("cpu_system", repr(((h * 31 + s * 17) % 5000) / 100.0), "DOUBLE"),
        ("memory_free", str((h * 1000003 + s * 7) % 1000000000), "BIGINT"),
        ("disk_io", str((h + s * 13) % 100000), "BIGINT"),
    ]


def dims(h: int) -> list[dict]:
    region = REGIONS[h % len(REGIONS)]
    return [
        {"Name": "region", "Value": region},
        {"Name": "az", "Value": f"{region}{'abc'[h % 3]}"},
        {"Name": "hostname", "Value": f"host-{h}"},
    ]


QUERIES = {
    # bin/avg group-by over the last 2 hours, per host (documented DevOps pattern)
    "bin_avg_2h": """
        SELECT hostname, bin(time, 15m) AS binned, avg(cpu_user) AS avg_cpu
        FROM devops.metrics WHERE time > ago(2h)
        GROUP BY hostname, bin(time, 15m) ORDER BY hostname, binned""",
    # fleet-wide aggregation over everything, by region
    "region_stats_all": """
        SELECT region, count(*) AS n, avg(cpu_user) AS avg_cpu, max(cpu_system) AS max_sys,
               sum(disk_io) AS io
        FROM devops.metrics GROUP BY region ORDER BY region""",
    # one host's recent samples
    "one_host_1h": """
        SELECT time, cpu_user, memory_free FROM devops.metrics
        WHERE hostname = 'host-42' AND time > ago(1h) ORDER BY time""",
    # last value per host (window ranking)
    "last_value_per_host": """
        SELECT hostname, time, cpu_user FROM (
          SELECT hostname, time, cpu_user,
                 row_number() OVER (PARTITION BY hostname ORDER BY time DESC) AS rn
          FROM devops.metrics WHERE time > ago(10m)) AS t
        WHERE rn = 1 ORDER BY hostname""",
    # CTE + join: hosts above 1.1 × the fleet average over the last hour (documented pattern)
    "cte_join_above_fleet": """
        WITH per_host AS (
          SELECT region, hostname, avg(cpu_user) AS avg_cpu FROM devops.metrics
          WHERE time > ago(1h) GROUP BY region, hostname),
        fleet AS (SELECT region, avg(avg_cpu) AS fleet_avg FROM per_host GROUP BY region)
        SELECT p.region, p.hostname, p.avg_cpu FROM per_host p JOIN fleet f ON p.region = f.region
        WHERE p.avg_cpu > 1.02 * f.fleet_avg ORDER BY p.region, p.hostname""",
    # top hosts by average CPU with a rank
    "rank_top_hosts_6h": """
        SELECT hostname, avg_cpu, rank() OVER (ORDER BY avg_cpu DESC) AS r FROM (
          SELECT hostname, avg(cpu_user) AS avg_cpu FROM devops.metrics
          WHERE time > ago(6h) GROUP BY hostname) AS t
        ORDER BY r, hostname LIMIT 10""",
}


def duckdb_sql(q: str) -> str:
    # Timestream-only spellings → DuckDB: ago(x) → (now - x), bin(time, 15m) → time_bucket.
    now = f"TIMESTAMP '2026-01-01 00:00:01'"
    for span, interval in [("2h", "2 hours"), ("1h", "1 hour"), ("10m", "10 minutes"), ("6h", "6 hours")]:
        q = q.replace(f"ago({span})", f"({now} - INTERVAL '{interval}')")
    return q.replace("bin(time, 15m)", "time_bucket(INTERVAL '15 minutes', time)")


# ------------------------------------------------------------------------------ server

class Server:
    def __init__(self, data_dir: Path):
        self.proc = subprocess.Popen(
            [str(BIN), "--port", "0", "--auth", "off", "--log-level", "warn", "--data-dir", str(data_dir)],
            stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        self.url = next(w for w in line.split() if w.startswith("http://"))

    def admin(self, path: str, body: dict | None = None) -> dict:
        req = urllib.request.Request(f"{self.url}/_timestream_local/{path}",
                                     data=None if body is None else json.dumps(body).encode(),
                                     method="GET" if body is None else "POST")
        with urllib.request.urlopen(req) as r:
            return json.loads(r.read() or b"{}")

    def rss_mib(self) -> float:
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=60)


def client(url: str, service: str):
    return boto3.client(service, endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id="AKIDBENCH", aws_secret_access_key="x",
                        config=Config(read_timeout=120, retries={"max_attempts": 1}))


def load_share(args):
    """Writes as a fleet reports: step by step, 100 hosts per request; loader `i` of `n` sends
    every n-th request, so the loaders advance through time together."""
    url, i, n = args
    # Plain HTTP with keep-alive (the server runs with --auth off): boto3's serialization would
    # make the loader, not the server, the bottleneck.
    host_port = url.removeprefix("http://")
    conn = http.client.HTTPConnection(host_port)
    headers = {"Content-Type": "application/x-amz-json-1.0",
               "X-Amz-Target": "Timestream_20181101.WriteRecords"}
    all_dims = [dims(h) for h in range(HOSTS)]
    request = 0
    for s in range(STEPS):
        for first in range(0, HOSTS, 100):
            request += 1
            if request % n != i:
                continue
            records = [{
                "Dimensions": all_dims[h], "MeasureName": "metrics", "MeasureValueType": "MULTI",
                "Time": str(START_MS + s * STEP_MS),
                "MeasureValues": [{"Name": a, "Value": v, "Type": t} for a, v, t in attributes(h, s)],
            } for h in range(first, min(first + 100, HOSTS))]
            body = json.dumps({"DatabaseName": DB, "TableName": TABLE, "Records": records})
            conn.request("POST", "/", body=body, headers=headers)
            reply = conn.getresponse()
            text = reply.read()
            if reply.status != 200:
                raise RuntimeError(f"WriteRecords failed: {reply.status} {text[:300]!r}")
    return request


def ensure_loaded(data_dir: Path) -> None:
    done = data_dir / "loaded"
    if done.exists():
        return
    data_dir.mkdir(parents=True, exist_ok=True)
    server = Server(data_dir)
    try:
        server.admin("clock", {"at_ns": (END_MS + 1000) * 1_000_000})
        write = client(server.url, "timestream-write")
        write.create_database(DatabaseName=DB)
        write.create_table(DatabaseName=DB, TableName=TABLE, RetentionProperties={
            "MemoryStoreRetentionPeriodInHours": 8766, "MagneticStoreRetentionPeriodInDays": 73000})
        started = time.time()
        workers = int(os.environ.get("BENCH_LOADERS", 3))
        with ProcessPoolExecutor(workers) as pool:
            list(pool.map(load_share, [(server.url, i, workers) for i in range(workers)]))
        took = time.time() - started
        print(f"loaded {RECORDS:,} records in {took:.0f} s ({RECORDS / took:,.0f} records/s)", flush=True)
    finally:
        server.stop()
    done.write_text("ok\n")


def run_ours(url: str, sql: str):
    query = client(url, "timestream-query")
    rows = 0
    for page in query.get_paginator("query").paginate(QueryString=sql):
        rows += len(page["Rows"])
    return rows


def timed(fn, runs: int) -> tuple[float, int]:
    fn()  # warm-up
    times, rows = [], 0
    for _ in range(runs):
        t = time.perf_counter()
        rows = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), rows


PROBES = {
    "select_1": "SELECT 1",
    "count_1m": "SELECT count(*) FROM devops.metrics WHERE hostname = 'host-42' AND time > ago(1m)",
    "count_all_1h": "SELECT count(*) FROM devops.metrics WHERE time > ago(1h)",
    "count_host_1h": "SELECT count(*) FROM devops.metrics WHERE hostname = 'host-42' AND time > ago(1h)",
    "rows_host_1h": QUERIES["one_host_1h"],
}


def probe(server: Server) -> None:
    conn = http.client.HTTPConnection(server.url.removeprefix("http://"))
    headers = {"Content-Type": "application/x-amz-json-1.0",
               "X-Amz-Target": "Timestream_20181101.Query"}

    def call(sql: str) -> None:
        conn.request("POST", "/", body=json.dumps({"QueryString": sql}), headers=headers)
        reply = conn.getresponse()
        body = reply.read()
        if reply.status != 200:
            raise RuntimeError(f"{reply.status} {body[:300]!r}")

    print(f"{'probe':<16}{'p50 ms':>8}{'min ms':>8}  (client wall time, raw HTTP keep-alive)")
    for name, sql in PROBES.items():
        for _ in range(3):
            call(sql)
        times = []
        for _ in range(40):
            t = time.perf_counter()
            call(sql)
            times.append((time.perf_counter() - t) * 1000)
        print(f"{name:<16}{statistics.median(times):>8.2f}{min(times):>8.2f}")


def main() -> None:
    if not BIN.exists():
        sys.exit(f"{BIN} not found: build it with `cargo build --release -p timestream-local`")
    data_dir = ROOT / "target" / "bench-query" / f"{RECORDS}"
    ensure_loaded(data_dir)
    if "--probe" in sys.argv[1:]:
        server = Server(data_dir)
        try:
            server.admin("clock", {"at_ns": (END_MS + 1000) * 1_000_000})
            probe(server)
        finally:
            server.stop()
        return

    con = duckdb.connect()
    con.execute("SET threads TO 2")
    select = ", ".join(f"{sql} AS {name}" for name, sql in SQL_ATTRIBUTES.items())
    con.execute("CREATE SCHEMA devops")
    con.execute(f"""
        CREATE TABLE devops.metrics AS
        SELECT r.region, r.region || substr('abc', (h % 3)::INTEGER + 1, 1) AS az,
               'host-' || h AS hostname, 'metrics' AS measure_name,
               make_timestamp(({START_MS} + s * {STEP_MS}) * 1000)::TIMESTAMP_NS AS time, {select}
        FROM range({HOSTS}) AS hs(h), range({STEPS}) AS ss(s),
             (SELECT * FROM (VALUES {", ".join(f"({i}, '{r}')" for i, r in enumerate(REGIONS))}) AS v(i, region)) r
        WHERE r.i = h % {len(REGIONS)}""")

    started = time.perf_counter()
    server = Server(data_dir)
    print(f"server ready after {time.perf_counter() - started:.1f} s (memory tier rebuilt from SQLite)")
    try:
        server.admin("clock", {"at_ns": (END_MS + 1000) * 1_000_000})
        print(f"timestream-local {BIN.name}, {RECORDS:,} records, RSS {server.rss_mib():,.0f} MiB; "
              f"duckdb {duckdb.__version__} (2 threads); {platform.machine()}, {os.cpu_count()} cores; "
              f"{time.strftime('%Y-%m-%d')}; median of {RUNS}")
        print("ours: wall clock through boto3 (HTTP, JSON, paging); server: the server's own p50 per")
        print("Query call (admin stats); ratio = server / duckdb")
        print(f"{'query':<24}{'ours ms':>9}{'server ms':>11}{'duckdb ms':>11}{'ratio':>7}{'rows':>7}")
        for name, sql in QUERIES.items():
            server.admin("stats/reset", {})
            try:
                ours, rows = timed(lambda: run_ours(server.url, sql), RUNS)
            except Exception as e:  # a query we cannot run yet is a figure too
                print(f"{name:<24}  failed: {str(e)[:100]}")
                continue
            server_ms = server.admin("stats").get("Query", {}).get("p50_us", 0) / 1000
            theirs, theirs_rows = timed(lambda: len(con.execute(duckdb_sql(sql)).fetchall()), RUNS)
            flag = "" if rows == theirs_rows else f"  (duckdb: {theirs_rows} rows)"
            print(f"{name:<24}{ours * 1000:>9.0f}{server_ms:>11.1f}{theirs * 1000:>11.1f}"
                  f"{server_ms / 1000 / theirs:>7.1f}{rows:>7}{flag}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
