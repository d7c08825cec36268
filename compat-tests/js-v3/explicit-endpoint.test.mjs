// AWS SDK for JavaScript v3 with `endpoint:` in the client config.
// wire-protocol.md §3.4: a custom endpoint disables discovery, every call goes straight to it.
// Never set endpointDiscoveryEnabled here (with `endpoint` it throws even when false).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  ConflictException,
  CreateDatabaseCommand,
  CreateTableCommand,
  DeleteDatabaseCommand,
  DeleteTableCommand,
  DescribeDatabaseCommand,
  DescribeEndpointsCommand,
  ResourceNotFoundException,
  TagResourceCommand,
  TimestreamWriteClient,
  ValidationException,
  paginateListDatabases,
} from '@aws-sdk/client-timestream-write';
import {
  DescribeAccountSettingsCommand,
  ListTagsForResourceCommand,
  TimestreamQueryClient,
} from '@aws-sdk/client-timestream-query';

import { ACCOUNT_ID, CREDENTIALS, REGION, expectReject, recordRequests, startServer, uniqueName } from './lib/server.mjs';

describe('js-v3 explicit endpoint', () => {
  let server;
  let write;
  let query;
  let writeRequests;
  let queryRequests;

  before(async () => {
    server = await startServer();
    write = new TimestreamWriteClient({ region: REGION, endpoint: server.url, credentials: { ...CREDENTIALS } });
    query = new TimestreamQueryClient({ region: REGION, endpoint: server.url, credentials: { ...CREDENTIALS } });
    writeRequests = recordRequests(write);
    queryRequests = recordRequests(query);
  });

  after(async () => {
    write?.destroy();
    query?.destroy();
    await server?.stop();
  });

  test('startup line', () => {
    assert.match(server.firstLine, /^timestream-local listening on http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(server.port > 0, `port from ${server.url}`);
  });

  test('create_database', async () => {
    const name = uniqueName('js_create_db');
    const out = await write.send(new CreateDatabaseCommand({ DatabaseName: name }));
    assert.equal(out.$metadata.httpStatusCode, 200);
    const db = out.Database;
    assert.ok(db, 'CreateDatabase returned no Database');
    assert.equal(db.DatabaseName, name);
    assert.ok(db.Arn.endsWith(`:database/${name}`), `Arn ${db.Arn}`);
    assert.equal(db.Arn, `arn:aws:timestream:${REGION}:${ACCOUNT_ID}:database/${name}`);
    assert.equal(db.TableCount, 0);
    assert.ok(db.CreationTime instanceof Date && !Number.isNaN(db.CreationTime.getTime()), 'CreationTime');
    assert.ok(Math.abs(db.CreationTime.getTime() - Date.now()) < 5 * 60_000, `CreationTime ${db.CreationTime.toISOString()} is not now`);

    const described = await write.send(new DescribeDatabaseCommand({ DatabaseName: name }));
    assert.equal(described.Database.Arn, db.Arn);
    assert.equal(described.Database.TableCount, 0);
  });

  test('create_table', async () => {
    const dbName = uniqueName('js_create_table_db');
    const tableName = uniqueName('js_tbl');
    await write.send(new CreateDatabaseCommand({ DatabaseName: dbName }));
    const out = await write.send(new CreateTableCommand({ DatabaseName: dbName, TableName: tableName }));
    const t = out.Table;
    assert.ok(t, 'CreateTable returned no Table');
    assert.equal(t.TableName, tableName);
    assert.equal(t.DatabaseName, dbName);
    assert.equal(t.Arn, `arn:aws:timestream:${REGION}:${ACCOUNT_ID}:database/${dbName}/table/${tableName}`);
    assert.equal(t.TableStatus, 'ACTIVE');
    assert.deepEqual(t.RetentionProperties, {
      MemoryStoreRetentionPeriodInHours: 6,
      MagneticStoreRetentionPeriodInDays: 73000,
    });
    assert.equal(t.MagneticStoreWriteProperties?.EnableMagneticStoreWrites, false);

    const described = await write.send(new DescribeDatabaseCommand({ DatabaseName: dbName }));
    assert.equal(described.Database.TableCount, 1, 'TableCount after one CreateTable');
  });

  test('describe_database_not_found', async () => {
    const name = uniqueName('js_missing');
    const err = await expectReject(write.send(new DescribeDatabaseCommand({ DatabaseName: name })));
    assert.ok(err instanceof ResourceNotFoundException, `expected ResourceNotFoundException, got ${err?.name}: ${err?.message}`);
    assert.equal(err.name, 'ResourceNotFoundException');
    assert.equal(err.message, `The database ${name} does not exist.`);
    assert.equal(err.$fault, 'client');
    assert.equal(err.$metadata.httpStatusCode, 404);
    assert.ok(err.$metadata.requestId, 'x-amzn-RequestId missing on error response');
  });

  test('create_database_conflict', async () => {
    const name = uniqueName('js_conflict');
    await write.send(new CreateDatabaseCommand({ DatabaseName: name }));
    const err = await expectReject(write.send(new CreateDatabaseCommand({ DatabaseName: name })));
    assert.ok(err instanceof ConflictException, `expected ConflictException, got ${err?.name}: ${err?.message}`);
    assert.equal(err.message, `The database ${name} already exists.`);
    assert.equal(err.$metadata.httpStatusCode, 409);
  });

  test('list_databases_pagination', async () => {
    const prefix = uniqueName('js_page');
    const created = [];
    for (let i = 0; i < 25; i += 1) {
      const name = `${prefix}_${String(i).padStart(2, '0')}`;
      await write.send(new CreateDatabaseCommand({ DatabaseName: name }));
      created.push(name);
    }
    const seen = new Map();
    let pages = 0;
    for await (const page of paginateListDatabases({ client: write, pageSize: 10 }, {})) {
      pages += 1;
      assert.ok(pages <= 100, 'paginator does not terminate');
      const dbs = page.Databases ?? [];
      assert.ok(dbs.length <= 10, `page ${pages} has ${dbs.length} databases with MaxResults 10`);
      if (page.NextToken !== undefined) assert.notEqual(page.NextToken, '', 'empty NextToken must be omitted');
      for (const db of dbs) seen.set(db.DatabaseName, (seen.get(db.DatabaseName) ?? 0) + 1);
    }
    const dupes = [...seen].filter(([, n]) => n !== 1);
    assert.deepEqual(dupes, [], 'databases listed more than once');
    const mine = [...seen.keys()].filter((n) => n.startsWith(`${prefix}_`)).sort();
    assert.deepEqual(mine, created, 'each of the 25 databases must be listed exactly once');
    assert.ok(pages >= 3, `25+ databases at MaxResults 10 need at least 3 pages, got ${pages}`);
  });

  test('delete_database_not_empty', async () => {
    const dbName = uniqueName('js_not_empty');
    const tableName = uniqueName('js_tbl');
    await write.send(new CreateDatabaseCommand({ DatabaseName: dbName }));
    await write.send(new CreateTableCommand({ DatabaseName: dbName, TableName: tableName }));
    const err = await expectReject(write.send(new DeleteDatabaseCommand({ DatabaseName: dbName })));
    assert.ok(err instanceof ValidationException, `expected ValidationException, got ${err?.name}: ${err?.message}`);
    assert.equal(err.message, `Cannot delete database ${dbName} because it still has tables. Delete the tables first.`);
    assert.equal(err.$metadata.httpStatusCode, 400);

    // Still there; after dropping the table the delete goes through.
    const still = await write.send(new DescribeDatabaseCommand({ DatabaseName: dbName }));
    assert.equal(still.Database.TableCount, 1);
    await write.send(new DeleteTableCommand({ DatabaseName: dbName, TableName: tableName }));
    const del = await write.send(new DeleteDatabaseCommand({ DatabaseName: dbName }));
    assert.equal(del.$metadata.httpStatusCode, 200);
    const gone = await expectReject(write.send(new DescribeDatabaseCommand({ DatabaseName: dbName })));
    assert.ok(gone instanceof ResourceNotFoundException, `after delete: ${gone?.name}: ${gone?.message}`);
  });

  test('describe_account_settings', async () => {
    const out = await query.send(new DescribeAccountSettingsCommand({}));
    assert.equal(out.$metadata.httpStatusCode, 200);
    assert.ok(['BYTES_SCANNED', 'COMPUTE_UNITS'].includes(out.QueryPricingModel), `QueryPricingModel ${out.QueryPricingModel}`);
    if (out.MaxQueryTCU !== undefined) assert.equal(typeof out.MaxQueryTCU, 'number');
  });

  test('tag_round_trip', async () => {
    const name = uniqueName('js_tags');
    const created = await write.send(
      new CreateDatabaseCommand({ DatabaseName: name, Tags: [{ Key: 'env', Value: 'test' }] }),
    );
    const arn = created.Database.Arn;
    await write.send(
      new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: 'team', Value: 'tsl' }, { Key: 'env', Value: 'dev' }] }),
    );
    const out = await query.send(new ListTagsForResourceCommand({ ResourceARN: arn }));
    assert.ok(Array.isArray(out.Tags), 'Tags is required in the query ListTagsForResource output');
    const tags = Object.fromEntries(out.Tags.map((t) => [t.Key, t.Value]));
    assert.deepEqual(tags, { env: 'dev', team: 'tsl' }, 'create-time tag, overwritten value, added tag');
    assert.equal(out.Tags.length, 2);
  });

  test('no DescribeEndpoints with an explicit endpoint', () => {
    // Runs after the scenarios above (node:test runs a file's tests in order).
    const all = [...writeRequests, ...queryRequests];
    assert.ok(all.length > 30, `recorder saw ${all.length} requests`);
    const discovery = all.filter((r) => r.target === 'Timestream_20181101.DescribeEndpoints');
    assert.deepEqual(discovery, []);
    const url = new URL(server.url);
    for (const r of all) {
      assert.equal(r.hostname, url.hostname);
      assert.equal(Number(r.port), Number(url.port));
      assert.equal(r.protocol, 'http:');
    }
  });

  test('DescribeEndpoints address for aws-sdk-js is the bare host', async () => {
    // compat-tests/README.md: aws-sdk-js -> HOST (no scheme, no port); CachePeriodInMinutes 1440.
    const out = await write.send(new DescribeEndpointsCommand({}));
    assert.equal(out.Endpoints?.length, 1, JSON.stringify(out.Endpoints));
    assert.equal(out.Endpoints[0].Address, new URL(server.url).hostname);
    assert.equal(out.Endpoints[0].CachePeriodInMinutes, 1440);
  });
});
