"""AWS CLI v1 (`python -m awscli`, installed in the same venv) against timestream-local.

Each command runs in a subprocess with AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY in
the environment, ``--region us-east-1 --output json`` and either
``--endpoint-url`` (no endpoint discovery) or AWS_ENDPOINT_URL_TIMESTREAM_WRITE
(endpoint discovery runs: DescribeEndpoints first).
"""

import datetime as dt
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

import boto3

ACCOUNT = "123456789012"

# The walkthrough's commands, verbatim (timestream-walkthrough.md, "Creating a
# Timestream Database and Table"). `aws` is a shell function that adds the
# endpoint, region and output options.
WALKTHROUGH = r"""
# Create a Timestream database
aws timestream-write create-database \
  --database-name monitoring

# Create a table with retention policies
# Memory store keeps recent data hot (for fast queries)
# Magnetic store holds older data cheaply
aws timestream-write create-table \
  --database-name monitoring \
  --table-name server_metrics \
  --retention-properties '{
    "MemoryStoreRetentionPeriodInHours": 24,
    "MagneticStoreRetentionPeriodInDays": 365
  }'
"""


def cli_env(extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    missing = os.path.join(tempfile.gettempdir(), "timestream-local-no-such-aws-file")
    env.update({
        "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "secret",
        "AWS_CONFIG_FILE": missing,
        "AWS_SHARED_CREDENTIALS_FILE": missing,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_PAGER": "",
    })
    env.update(extra or {})
    return env


def run_cli(args, endpoint=None, env=None, cwd=None, timeout=120):
    cmd = [sys.executable, "-m", "awscli", *args, "--region", "us-east-1", "--output", "json"]
    if endpoint is not None:
        cmd += ["--endpoint-url", endpoint]
    proc = subprocess.run(cmd, env=cli_env(env), capture_output=True, text=True,
                          timeout=timeout, cwd=cwd or tempfile.gettempdir(),
                          stdin=subprocess.DEVNULL)
    return proc


def ok_json(proc):
    assert proc.returncode == 0, f"rc={proc.returncode}\nstdout={proc.stdout}\nstderr={proc.stderr}"
    return json.loads(proc.stdout) if proc.stdout.strip() else {}


def test_cli_version_is_v1():
    proc = subprocess.run([sys.executable, "-m", "awscli", "--version"], capture_output=True,
                          text=True, env=cli_env(), timeout=60, cwd=tempfile.gettempdir())
    out = (proc.stdout + proc.stderr).strip()
    assert proc.returncode == 0, out
    assert out.startswith("aws-cli/1."), out


def test_cli_walkthrough_create_database_and_table(endpoint, tmp_path):
    script = (
        "set -e\n"
        f"aws() {{ {shlex.quote(sys.executable)} -m awscli \"$@\" "
        f"--endpoint-url {shlex.quote(endpoint)} --region us-east-1 --output json; }}\n"
        + WALKTHROUGH
    )
    proc = subprocess.run(["bash", "-c", script], env=cli_env(), capture_output=True, text=True,
                          timeout=180, cwd=str(tmp_path), stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, f"stdout={proc.stdout}\nstderr={proc.stderr}"
    # Two JSON documents on stdout: the CreateDatabase and CreateTable outputs.
    decoder = json.JSONDecoder()
    text = proc.stdout.strip()
    docs, idx = [], 0
    while idx < len(text):
        doc, end = decoder.raw_decode(text, idx)
        docs.append(doc)
        idx = end
        while idx < len(text) and text[idx].isspace():
            idx += 1
    assert len(docs) == 2, proc.stdout
    db, table = docs[0]["Database"], docs[1]["Table"]
    assert db["DatabaseName"] == "monitoring"
    assert db["Arn"] == f"arn:aws:timestream:us-east-1:{ACCOUNT}:database/monitoring"
    assert db["TableCount"] == 0
    assert db["KmsKeyId"]
    assert db["CreationTime"] == db["LastUpdatedTime"]
    assert table["TableName"] == "server_metrics"
    assert table["DatabaseName"] == "monitoring"
    assert table["Arn"] == f"arn:aws:timestream:us-east-1:{ACCOUNT}:database/monitoring/table/server_metrics"
    assert table["TableStatus"] == "ACTIVE"
    assert table["RetentionProperties"] == {
        "MemoryStoreRetentionPeriodInHours": 24,
        "MagneticStoreRetentionPeriodInDays": 365,
    }

    # describe / list
    desc = ok_json(run_cli(["timestream-write", "describe-database", "--database-name", "monitoring"],
                           endpoint))
    assert desc["Database"]["TableCount"] == 1
    t = ok_json(run_cli(["timestream-write", "describe-table", "--database-name", "monitoring",
                         "--table-name", "server_metrics"], endpoint))
    assert t["Table"]["RetentionProperties"]["MemoryStoreRetentionPeriodInHours"] == 24
    assert t["Table"]["MagneticStoreWriteProperties"]["EnableMagneticStoreWrites"] is False
    dbs = ok_json(run_cli(["timestream-write", "list-databases"], endpoint))
    assert [d["DatabaseName"] for d in dbs["Databases"]] == ["monitoring"]
    tables = ok_json(run_cli(["timestream-write", "list-tables", "--database-name", "monitoring"],
                             endpoint))
    assert [x["TableName"] for x in tables["Tables"]] == ["server_metrics"]


def test_cli_create_database(endpoint):
    out = ok_json(run_cli(["timestream-write", "create-database", "--database-name", "cli_db",
                           "--tags", "Key=env,Value=dev"], endpoint))
    assert out["Database"]["Arn"] == f"arn:aws:timestream:us-east-1:{ACCOUNT}:database/cli_db"
    tags = ok_json(run_cli(["timestream-write", "list-tags-for-resource", "--resource-arn",
                            out["Database"]["Arn"]], endpoint))
    assert tags["Tags"] == [{"Key": "env", "Value": "dev"}]


def test_cli_describe_database_not_found(endpoint):
    proc = run_cli(["timestream-write", "describe-database", "--database-name", "nope_db"], endpoint)
    assert proc.returncode == 255, (proc.returncode, proc.stderr)  # CLI v1: 255 on service errors
    assert ("An error occurred (ResourceNotFoundException) when calling the DescribeDatabase "
            "operation: The database nope_db does not exist.") in proc.stderr, proc.stderr
    assert proc.stdout.strip() == ""


def test_cli_create_database_conflict(endpoint):
    ok_json(run_cli(["timestream-write", "create-database", "--database-name", "twice_db"], endpoint))
    proc = run_cli(["timestream-write", "create-database", "--database-name", "twice_db"], endpoint)
    assert proc.returncode == 255, proc.stderr
    assert ("An error occurred (ConflictException) when calling the CreateDatabase operation: "
            "The database twice_db already exists.") in proc.stderr, proc.stderr


def test_cli_validation_error(endpoint):
    proc = run_cli(["timestream-write", "create-database", "--database-name", "ab"], endpoint)
    assert proc.returncode == 255, proc.stderr
    assert ("An error occurred (ValidationException) when calling the CreateDatabase operation: "
            "1 validation error detected: Value 'ab' at 'databaseName' failed to satisfy "
            "constraint: Member must have length greater than or equal to 3") in proc.stderr, proc.stderr


def test_cli_list_databases_single_page(endpoint):
    # timestream-write has no botocore paginators: the CLI returns one page + NextToken.
    for i in range(12):
        ok_json(run_cli(["timestream-write", "create-database", "--database-name", f"cli_p_{i:02d}"],
                        endpoint))
    first = ok_json(run_cli(["timestream-write", "list-databases", "--max-results", "10"], endpoint))
    assert len(first["Databases"]) == 10
    assert first.get("NextToken")
    second = ok_json(run_cli(["timestream-write", "list-databases", "--max-results", "10",
                              "--next-token", first["NextToken"]], endpoint))
    assert len(second["Databases"]) == 2
    assert "NextToken" not in second
    names = [d["DatabaseName"] for d in first["Databases"] + second["Databases"]]
    assert sorted(names) == [f"cli_p_{i:02d}" for i in range(12)]


def test_cli_query_describe_account_settings(endpoint):
    out = ok_json(run_cli(["timestream-query", "describe-account-settings"], endpoint))
    assert out.get("QueryPricingModel") in {"BYTES_SCANNED", "COMPUTE_UNITS"}, out


def test_cli_discovery_from_env(endpoint):
    env = {"AWS_ENDPOINT_URL_TIMESTREAM_WRITE": endpoint}
    proc = run_cli(["timestream-write", "create-database", "--database-name", "disc_db", "--debug"],
                   env=env)
    out = ok_json(proc)
    assert out["Database"]["Arn"] == f"arn:aws:timestream:us-east-1:{ACCOUNT}:database/disc_db"
    # Discovery really happened: the --debug log lists the requests sent, in order.
    sent = re.findall(
        r"Sending http request: <AWSPreparedRequest [^>]*?url=([^,]+), "
        r"headers=\{'X-Amz-Target': b'Timestream_20181101\.(\w+)'", proc.stderr)
    assert [op for _, op in sent] == ["DescribeEndpoints", "CreateDatabase"], sent
    for url, op in sent:
        assert url.rstrip("/") == endpoint, (op, url)

    desc = ok_json(run_cli(["timestream-write", "describe-database", "--database-name", "disc_db"],
                           env=env))
    assert desc["Database"]["DatabaseName"] == "disc_db"
    # The explicit-endpoint path sees the same state.
    listed = ok_json(run_cli(["timestream-write", "list-databases"], endpoint))
    assert [d["DatabaseName"] for d in listed["Databases"]] == ["disc_db"]


def test_cli_discovery_query_from_env(endpoint):
    env = {"AWS_ENDPOINT_URL_TIMESTREAM_QUERY": endpoint}
    out = ok_json(run_cli(["timestream-query", "describe-account-settings"], env=env))
    assert out.get("QueryPricingModel") in {"BYTES_SCANNED", "COMPUTE_UNITS"}, out


def test_cli_discovery_not_found_from_env(endpoint):
    env = {"AWS_ENDPOINT_URL_TIMESTREAM_WRITE": endpoint}
    proc = run_cli(["timestream-write", "describe-database", "--database-name", "nope_db"], env=env)
    assert proc.returncode == 255, proc.stderr
    assert ("An error occurred (ResourceNotFoundException) when calling the DescribeDatabase "
            "operation: The database nope_db does not exist.") in proc.stderr, proc.stderr


def test_cli_lenient_configured_key_wrong_secret(endpoint):
    env = {"AWS_ACCESS_KEY_ID": "AKIDLENIENT", "AWS_SECRET_ACCESS_KEY": "wrong-secret"}
    proc = run_cli(["timestream-write", "list-databases"], endpoint, env=env)
    assert proc.returncode == 255, proc.stderr
    assert "An error occurred (InvalidSignatureException) when calling the ListDatabases operation: " \
           "The request signature we calculated does not match" in proc.stderr, proc.stderr


# --------------------------------------------------------------------------
# The walkthrough's scheduled-query steps (timestream-walkthrough.md, "Scheduled Queries"):
# create the hourly CPU summary, run it, look at it, clean up. The walkthrough's
# create-scheduled-query omits `--error-report-configuration`, which the service model
# requires, so the CLI itself refuses it before sending anything (it would against AWS too);
# the test runs it verbatim, checks that refusal, then runs it again with the member added.
# --------------------------------------------------------------------------

# Verbatim from the walkthrough.
SCHEDULED_QUERY_STEPS = r"""
# Create a table for aggregated results
aws timestream-write create-table \
  --database-name monitoring \
  --table-name metrics_hourly \
  --retention-properties '{
    "MemoryStoreRetentionPeriodInHours": 168,
    "MagneticStoreRetentionPeriodInDays": 730
  }'

# Create a scheduled query that runs every hour
aws timestream-query create-scheduled-query \
  --name hourly-cpu-summary \
  --query-string "SELECT hostname, bin(time, 1h) AS hour, AVG(measure_value::double) AS avg_cpu, MAX(measure_value::double) AS max_cpu FROM monitoring.server_metrics WHERE measure_name = 'cpu_usage' AND time > @scheduled_runtime - 1h GROUP BY hostname, bin(time, 1h)" \
  --schedule-configuration '{"ScheduleExpression": "rate(1 hour)"}' \
  --notification-configuration '{"SnsConfiguration": {"TopicArn": "arn:aws:sns:us-east-1:123456789:timestream-notifications"}}' \
  --target-configuration '{
    "TimestreamConfiguration": {
      "DatabaseName": "monitoring",
      "TableName": "metrics_hourly",
      "TimeColumn": "hour",
      "DimensionMappings": [
        {"Name": "hostname", "DimensionValueType": "VARCHAR"}
      ],
      "MultiMeasureMappings": {
        "TargetMultiMeasureName": "cpu_summary",
        "MultiMeasureAttributeMappings": [
          {"SourceColumn": "avg_cpu", "MeasureValueType": "DOUBLE"},
          {"SourceColumn": "max_cpu", "MeasureValueType": "DOUBLE"}
        ]
      }
    }
  }' \
  --scheduled-query-execution-role-arn arn:aws:iam::123456789:role/TimestreamScheduledQueryRole
"""

ERROR_REPORTS = ("--error-report-configuration "
                 "'{\"S3Configuration\": {\"BucketName\": \"timestream-errors\"}}'")


def shell(endpoint, script, cwd):
    prelude = (
        f"aws() {{ {shlex.quote(sys.executable)} -m awscli \"$@\" "
        f"--endpoint-url {shlex.quote(endpoint)} --region us-east-1 --output json; }}\n"
    )
    return subprocess.run(["bash", "-c", prelude + script], env=cli_env(), capture_output=True,
                          text=True, timeout=180, cwd=str(cwd), stdin=subprocess.DEVNULL)


def test_cli_walkthrough_scheduled_query(endpoint, tmp_path):
    ok_json(run_cli(["timestream-write", "create-database", "--database-name", "monitoring"],
                    endpoint))
    ok_json(run_cli(["timestream-write", "create-table", "--database-name", "monitoring",
                     "--table-name", "server_metrics", "--retention-properties",
                     '{"MemoryStoreRetentionPeriodInHours": 24, '
                     '"MagneticStoreRetentionPeriodInDays": 365}'], endpoint))
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    write = boto3.client("timestream-write", endpoint_url=endpoint, region_name="us-east-1",
                         aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret")
    write.write_records(DatabaseName="monitoring", TableName="server_metrics", Records=[
        {"Dimensions": [{"Name": "hostname", "Value": host}], "MeasureName": "cpu_usage",
         "MeasureValue": value, "MeasureValueType": "DOUBLE",
         "Time": str(int((now - dt.timedelta(minutes=minutes)).timestamp() * 1000))}
        for host, value, minutes in [("web-server-01", "40.0", 10), ("web-server-01", "60.0", 20),
                                     ("web-server-02", "90.0", 10)]
    ])

    # Verbatim: the table is created, the CLI refuses the scheduled query before sending it.
    proc = shell(endpoint, SCHEDULED_QUERY_STEPS, tmp_path)
    assert proc.returncode != 0
    assert "the following arguments are required: --error-report-configuration" in proc.stderr
    assert json.loads(proc.stdout)["Table"]["TableName"] == "metrics_hourly"

    create = SCHEDULED_QUERY_STEPS.split("# Create a scheduled query that runs every hour\n")[1]
    proc = shell(endpoint, create.rstrip() + f" \\\n  {ERROR_REPORTS}\n", tmp_path)
    arn = ok_json(proc)["Arn"]
    assert arn.startswith("arn:aws:timestream:us-east-1:123456789012:scheduled-query/"
                          "hourly-cpu-summary-")

    # Run it now, as the scheduler would at the next hour.
    ok_json(run_cli(["timestream-query", "execute-scheduled-query", "--scheduled-query-arn", arn,
                     "--invocation-time", now.isoformat()], endpoint))
    described = ok_json(run_cli(["timestream-query", "describe-scheduled-query",
                                 "--scheduled-query-arn", arn], endpoint))["ScheduledQuery"]
    assert described["State"] == "ENABLED"
    assert described["ScheduleConfiguration"] == {"ScheduleExpression": "rate(1 hour)"}
    run = described["LastRunSummary"]
    assert run["RunStatus"] == "MANUAL_TRIGGER_SUCCESS", run
    assert run["ExecutionStats"]["QueryResultRows"] == run["ExecutionStats"]["RecordsIngested"]
    assert run["ExecutionStats"]["RecordsIngested"] >= 2

    out = ok_json(run_cli(["timestream-query", "query", "--query-string",
                           "SELECT hostname, max(max_cpu) AS peak FROM monitoring.metrics_hourly "
                           "WHERE measure_name = 'cpu_summary' GROUP BY hostname ORDER BY hostname"],
                          endpoint))
    assert [[d["ScalarValue"] for d in r["Data"]] for r in out["Rows"]] == [
        ["web-server-01", "60.0"], ["web-server-02", "90.0"]]

    listed = ok_json(run_cli(["timestream-query", "list-scheduled-queries"], endpoint))
    assert [q["Arn"] for q in listed["ScheduledQueries"]] == [arn]
    ok_json(run_cli(["timestream-query", "update-scheduled-query", "--scheduled-query-arn", arn,
                     "--state", "DISABLED"], endpoint))

    # Clean up.
    ok_json(run_cli(["timestream-query", "delete-scheduled-query", "--scheduled-query-arn", arn],
                    endpoint))
    proc = run_cli(["timestream-query", "describe-scheduled-query", "--scheduled-query-arn", arn],
                   endpoint)
    assert proc.returncode != 0
    assert "ResourceNotFoundException" in proc.stderr
