// Scheduled queries with the AWS SDK for JavaScript v3 (explicit endpoint): create, execute,
// describe (the run's summary, Dates decoded from epoch seconds), list, the query service's
// ResourceNotFoundException with its ScheduledQueryArn member, delete.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  CreateDatabaseCommand,
  CreateTableCommand,
  TimestreamWriteClient,
  WriteRecordsCommand,
} from '@aws-sdk/client-timestream-write';
import {
  CreateScheduledQueryCommand,
  DeleteScheduledQueryCommand,
  DescribeScheduledQueryCommand,
  ExecuteScheduledQueryCommand,
  QueryCommand,
  ResourceNotFoundException,
  TimestreamQueryClient,
  paginateListScheduledQueries,
} from '@aws-sdk/client-timestream-query';

import { ACCOUNT_ID, CREDENTIALS, REGION, expectReject, startServer } from './lib/server.mjs';

describe('js-v3 scheduled queries', () => {
  let server;
  let write;
  let query;

  before(async () => {
    server = await startServer();
    write = new TimestreamWriteClient({ region: REGION, endpoint: server.url, credentials: { ...CREDENTIALS } });
    query = new TimestreamQueryClient({ region: REGION, endpoint: server.url, credentials: { ...CREDENTIALS } });
  });

  after(async () => {
    write?.destroy();
    query?.destroy();
    await server?.stop();
  });

  test('create, execute, describe, list, delete', async () => {
    await write.send(new CreateDatabaseCommand({ DatabaseName: 'monitoring' }));
    for (const TableName of ['server_metrics', 'metrics_hourly']) {
      await write.send(new CreateTableCommand({ DatabaseName: 'monitoring', TableName }));
    }
    const now = Date.now();
    // All points in the previous whole hour, so each host has one hourly bin.
    const hour = Math.floor(now / 3_600_000) * 3_600_000 - 3_600_000;
    await write.send(new WriteRecordsCommand({
      DatabaseName: 'monitoring',
      TableName: 'server_metrics',
      Records: [['a', '40', 10], ['a', '60', 20], ['b', '90', 5]].map(([host, value, minutes]) => ({
        Dimensions: [{ Name: 'hostname', Value: host }],
        MeasureName: 'cpu_usage',
        MeasureValue: value,
        MeasureValueType: 'DOUBLE',
        Time: String(hour + minutes * 60_000),
      })),
    }));

    const created = await query.send(new CreateScheduledQueryCommand({
      Name: 'js-hourly',
      QueryString: 'SELECT hostname, bin(time, 1h) AS hour, MAX(measure_value::double) AS max_cpu '
        + 'FROM monitoring.server_metrics WHERE time > @scheduled_runtime - 2h GROUP BY hostname, bin(time, 1h)',
      ScheduleConfiguration: { ScheduleExpression: 'rate(1 hour)' },
      NotificationConfiguration: { SnsConfiguration: { TopicArn: `arn:aws:sns:${REGION}:${ACCOUNT_ID}:t` } },
      TargetConfiguration: {
        TimestreamConfiguration: {
          DatabaseName: 'monitoring',
          TableName: 'metrics_hourly',
          TimeColumn: 'hour',
          DimensionMappings: [{ Name: 'hostname', DimensionValueType: 'VARCHAR' }],
          MultiMeasureMappings: {
            TargetMultiMeasureName: 'cpu',
            MultiMeasureAttributeMappings: [{ SourceColumn: 'max_cpu', MeasureValueType: 'DOUBLE' }],
          },
        },
      },
      ScheduledQueryExecutionRoleArn: `arn:aws:iam::${ACCOUNT_ID}:role/r`,
      ErrorReportConfiguration: { S3Configuration: { BucketName: 'errors-bucket' } },
    }));
    const arn = created.Arn;
    assert.match(arn, new RegExp(`^arn:aws:timestream:${REGION}:${ACCOUNT_ID}:scheduled-query/js-hourly-[0-9a-f]{12}$`));

    const invocation = new Date(Math.floor(now / 1000) * 1000);
    await query.send(new ExecuteScheduledQueryCommand({ ScheduledQueryArn: arn, InvocationTime: invocation }));

    const { ScheduledQuery: d } = await query.send(new DescribeScheduledQueryCommand({ ScheduledQueryArn: arn }));
    assert.equal(d.State, 'ENABLED');
    assert.ok(d.CreationTime instanceof Date);
    assert.ok(d.NextInvocationTime instanceof Date && d.NextInvocationTime > d.CreationTime);
    assert.equal(d.LastRunSummary.RunStatus, 'MANUAL_TRIGGER_SUCCESS');
    assert.equal(d.LastRunSummary.InvocationTime.getTime(), invocation.getTime());
    assert.equal(d.LastRunSummary.ExecutionStats.QueryResultRows, 2);
    assert.equal(d.LastRunSummary.ExecutionStats.RecordsIngested, 2);
    assert.equal(d.TargetConfiguration.TimestreamConfiguration.TableName, 'metrics_hourly');

    const out = await query.send(new QueryCommand({
      QueryString: "SELECT hostname, max(max_cpu) FROM monitoring.metrics_hourly WHERE measure_name = 'cpu' GROUP BY hostname ORDER BY hostname",
    }));
    assert.deepEqual(out.Rows.map((r) => r.Data.map((x) => x.ScalarValue)), [['a', '60.0'], ['b', '90.0']]);

    const listed = [];
    for await (const page of paginateListScheduledQueries({ client: query }, {})) {
      listed.push(...page.ScheduledQueries);
    }
    assert.deepEqual(listed.map((q) => [q.Name, q.LastRunStatus]), [['js-hourly', 'MANUAL_TRIGGER_SUCCESS']]);

    await query.send(new DeleteScheduledQueryCommand({ ScheduledQueryArn: arn }));
    const err = await expectReject(query.send(new DescribeScheduledQueryCommand({ ScheduledQueryArn: arn })));
    assert.ok(err instanceof ResourceNotFoundException, `${err?.name}: ${err?.message}`);
    assert.equal(err.ScheduledQueryArn, arn);
    assert.equal(err.message, `The scheduled query ${arn} does not exist.`);
  });
});
