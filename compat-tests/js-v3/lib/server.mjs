// Spawns timestream-local on a free port and hands back its URL.
// Contract: compat-tests/README.md ("The server contract the suites rely on").
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(here, '..', '..', '..');
export const DEFAULT_BIN = resolve(REPO_ROOT, 'target', 'debug', 'timestream-local');
export const LISTENING_RE = /listening on (http:\/\/[^ ]+)/;

export const REGION = 'us-east-1';
export const ACCOUNT_ID = '123456789012';
// A plain object (not frozen): the SDK tags static credentials with a `$source` feature record.
export const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

/** Environment for the server: ours, minus any TIMESTREAM_LOCAL_* setting that would change its defaults. */
function serverEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('TIMESTREAM_LOCAL_') && k !== 'TIMESTREAM_LOCAL_BIN') continue;
    env[k] = v;
  }
  return env;
}

/**
 * Start the server with `--port 0 ...extraArgs`.
 * Resolves to { url, port, proc, firstLine, stderr(), stop() }.
 */
export async function startServer(extraArgs = [], { timeoutMs = 30_000 } = {}) {
  const bin = process.env.TIMESTREAM_LOCAL_BIN || DEFAULT_BIN;
  if (!existsSync(bin)) {
    throw new Error(`timestream-local binary not found at ${bin} (build it, or set TIMESTREAM_LOCAL_BIN)`);
  }
  // Strict auth with the suite's key configured: every call's SigV4 signature, with JS v3's own
  // signed-header set, is HMAC-verified by the server.
  const auth = ['--auth', 'strict', '--credentials', `${CREDENTIALS.accessKeyId}:${CREDENTIALS.secretAccessKey}`];
  const proc = spawn(bin, ['--port', '0', ...auth, ...extraArgs], {
    env: serverEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderrBuf = '';
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (chunk) => {
    stderrBuf += chunk;
    if (stderrBuf.length > 64 * 1024) stderrBuf = stderrBuf.slice(-64 * 1024);
  });
  const exited = new Promise((res) => proc.once('exit', (code, signal) => res({ code, signal })));

  const firstLine = await new Promise((res, rej) => {
    const rl = createInterface({ input: proc.stdout });
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      rej(new Error(`no stdout line from ${bin} within ${timeoutMs} ms; stderr:\n${stderrBuf}`));
    }, timeoutMs);
    let first = true;
    rl.on('line', (line) => {
      // Keep draining stdout after the first line so the child never blocks on a full pipe.
      if (!first) return;
      first = false;
      clearTimeout(timer);
      res(line);
    });
    proc.once('error', (err) => {
      clearTimeout(timer);
      rej(err);
    });
    exited.then(({ code, signal }) => {
      if (first) {
        clearTimeout(timer);
        rej(new Error(`${bin} exited (code ${code}, signal ${signal}) before printing a line; stderr:\n${stderrBuf}`));
      }
    });
  });

  const m = LISTENING_RE.exec(firstLine);
  if (!m) {
    proc.kill('SIGKILL');
    throw new Error(`first stdout line does not match ${LISTENING_RE}: ${JSON.stringify(firstLine)}`);
  }
  const url = m[1];
  const port = Number(new URL(url).port);

  async function stop() {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    const timeout = new Promise((res) => setTimeout(() => res('timeout'), 5_000).unref());
    if ((await Promise.race([exited, timeout])) === 'timeout') {
      proc.kill('SIGKILL');
      await exited;
    }
  }

  return { url, port, proc, firstLine, stderr: () => stderrBuf, stop };
}

/**
 * Adds a finalizeRequest middleware that records every HTTP request the client sends
 * (including the DescribeEndpoints call the discovery middleware makes through the client stack).
 */
export function recordRequests(client) {
  const seen = [];
  client.middlewareStack.add(
    (next) => async (args) => {
      const req = args.request;
      const headers = req.headers || {};
      const target = Object.entries(headers).find(([k]) => k.toLowerCase() === 'x-amz-target')?.[1];
      seen.push({ target, protocol: req.protocol, hostname: req.hostname, port: req.port, path: req.path });
      return next(args);
    },
    { step: 'finalizeRequest', name: 'timestreamLocalRequestRecorder', priority: 'low' },
  );
  return seen;
}

/** Unique, valid (3..256, [a-zA-Z0-9_.-]) resource name. */
let counter = 0;
export function uniqueName(prefix) {
  counter += 1;
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${counter}`;
}

/** Await a promise that must reject; returns the error. */
export async function expectReject(promise) {
  try {
    const value = await promise;
    throw Object.assign(new Error(`expected the call to fail, it succeeded with ${JSON.stringify(value)}`), {
      notRejected: true,
    });
  } catch (err) {
    if (err && err.notRejected) throw err;
    return err;
  }
}
