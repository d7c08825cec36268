// AWS SDK for JavaScript v3 with the endpoint only in AWS_ENDPOINT_URL_TIMESTREAM_{WRITE,QUERY}.
// wire-protocol.md §3.4: isCustomEndpoint stays false, so discovery runs: DescribeEndpoints goes to
// the env URL, and every later request keeps scheme+port but takes hostname = Address (bare host).
// node --test runs each file in its own process, so the env set here does not leak into other files.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  CreateDatabaseCommand,
  DescribeDatabaseCommand,
  DescribeEndpointsCommand,
  ResourceNotFoundException,
  TimestreamWriteClient,
} from '@aws-sdk/client-timestream-write';
import { DescribeAccountSettingsCommand, TimestreamQueryClient } from '@aws-sdk/client-timestream-query';

import { ACCOUNT_ID, CREDENTIALS, REGION, expectReject, recordRequests, startServer, uniqueName } from './lib/server.mjs';

const DESCRIBE_ENDPOINTS = 'Timestream_20181101.DescribeEndpoints';

describe('js-v3 env-var endpoint (endpoint discovery)', () => {
  let server;
  let url;

  before(async () => {
    server = await startServer();
    url = new URL(server.url);
    // No discovery overrides, no generic endpoint: only the service-specific variables.
    for (const k of ['AWS_ENDPOINT_URL', 'AWS_ENABLE_ENDPOINT_DISCOVERY', 'AWS_ENDPOINT_DISCOVERY_ENABLED', 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS']) {
      delete process.env[k];
    }
    process.env.AWS_ENDPOINT_URL_TIMESTREAM_WRITE = server.url;
    process.env.AWS_ENDPOINT_URL_TIMESTREAM_QUERY = server.url;
  });

  after(async () => {
    delete process.env.AWS_ENDPOINT_URL_TIMESTREAM_WRITE;
    delete process.env.AWS_ENDPOINT_URL_TIMESTREAM_QUERY;
    await server?.stop();
  });

  test('write: DescribeEndpoints, then CreateDatabase/DescribeDatabase via the discovered host', async () => {
    const client = new TimestreamWriteClient({ region: REGION, credentials: { ...CREDENTIALS } });
    const seen = recordRequests(client);
    try {
      const name = uniqueName('js_env_db');
      const created = await client.send(new CreateDatabaseCommand({ DatabaseName: name }));
      assert.equal(created.Database?.Arn, `arn:aws:timestream:${REGION}:${ACCOUNT_ID}:database/${name}`);
      assert.equal(created.Database.TableCount, 0);

      const described = await client.send(new DescribeDatabaseCommand({ DatabaseName: name }));
      assert.equal(described.Database?.DatabaseName, name);
      assert.equal(described.Database.Arn, created.Database.Arn);

      const missing = uniqueName('js_env_missing');
      const err = await expectReject(client.send(new DescribeDatabaseCommand({ DatabaseName: missing })));
      assert.ok(err instanceof ResourceNotFoundException, `${err?.name}: ${err?.message}`);
      assert.equal(err.message, `The database ${missing} does not exist.`);

      const targets = seen.map((r) => r.target);
      assert.deepEqual(targets, [
        DESCRIBE_ENDPOINTS,
        'Timestream_20181101.CreateDatabase',
        'Timestream_20181101.DescribeDatabase',
        'Timestream_20181101.DescribeDatabase',
      ], 'exactly one DescribeEndpoints (cached 1440 min), first');
      // DescribeEndpoints goes to the env URL; the discovered Address replaces only the hostname.
      for (const r of seen) {
        assert.equal(r.protocol, 'http:', JSON.stringify(r));
        assert.equal(Number(r.port), Number(url.port), JSON.stringify(r));
        assert.equal(r.hostname, url.hostname, JSON.stringify(r));
      }
    } finally {
      client.destroy();
    }
  });

  test('write: DescribeEndpoints returns the bare host with TTL 1440', async () => {
    const client = new TimestreamWriteClient({ region: REGION, credentials: { ...CREDENTIALS } });
    try {
      const out = await client.send(new DescribeEndpointsCommand({}));
      assert.equal(out.Endpoints?.length, 1, JSON.stringify(out.Endpoints));
      assert.equal(out.Endpoints[0].Address, url.hostname, 'aws-sdk-js must get HOST without scheme or port');
      assert.equal(out.Endpoints[0].CachePeriodInMinutes, 1440);
    } finally {
      client.destroy();
    }
  });

  test('query: DescribeEndpoints, then DescribeAccountSettings', async () => {
    const client = new TimestreamQueryClient({ region: REGION, credentials: { ...CREDENTIALS } });
    const seen = recordRequests(client);
    try {
      const out = await client.send(new DescribeAccountSettingsCommand({}));
      assert.equal(out.$metadata.httpStatusCode, 200);
      assert.ok(['BYTES_SCANNED', 'COMPUTE_UNITS'].includes(out.QueryPricingModel), `QueryPricingModel ${out.QueryPricingModel}`);
      assert.deepEqual(seen.map((r) => r.target), [DESCRIBE_ENDPOINTS, 'Timestream_20181101.DescribeAccountSettings']);
      for (const r of seen) assert.equal(r.hostname, url.hostname, JSON.stringify(r));
    } finally {
      client.destroy();
    }
  });
});
