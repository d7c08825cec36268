// The console's two ways into the server, both under the admin API (and its access rule):
// `POST /_timestream_local/aws/<Operation>` runs an AWS operation exactly as a signed request
// would (same validation, handlers and error shapes), and the admin endpoints (clock, activity,
// state, ...). The region is the one picked in the header; empty means the server's default.

const ADMIN = "/_timestream_local/";
const TOKEN_KEY = "timestream-local.admin-token";
const REGION_KEY = "timestream-local.region";

/** An error answer: AWS's `__type` (without its namespace) and message, or the admin API's. */
export class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export function region(): string {
  return localStorage.getItem(REGION_KEY) ?? "";
}

export function setRegion(value: string): void {
  localStorage.setItem(REGION_KEY, value);
}

async function send<T>(method: string, path: string, body?: unknown, retried = false): Promise<T> {
  const headers: Record<string, string> = {};
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers["x-timestream-local-admin-token"] = token;
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(ADMIN + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    json = { message: text };
  }
  if (response.status === 401 && !retried) {
    // The server was started with --admin-token: ask once per tab (calls refused together
    // share one question; one refused before another got the token just retries).
    const stored = sessionStorage.getItem(TOKEN_KEY);
    if ((stored && stored !== token) || (await askToken(String(json.message ?? "")))) {
      return send(method, path, body, true);
    }
  }
  if (!response.ok) {
    const type = String(json.__type ?? `HTTP ${response.status}`).split("#").pop() ?? "";
    throw new ApiError(type, String(json.message ?? json.Message ?? text), response.status);
  }
  return json as T;
}

let asking: Promise<string | null> | null = null;

/** The admin token, asked of the user (stored for the tab); null when they gave none. */
function askToken(message: string): Promise<string | null> {
  asking ??= new Promise<string | null>((resolve) => {
    // After the current call stack, so that calls refused together find the question asked.
    setTimeout(() => {
      const given = window.prompt(message || "The admin token, please:");
      if (given) sessionStorage.setItem(TOKEN_KEY, given);
      asking = null;
      resolve(given);
    });
  });
  return asking;
}

/** One AWS operation, in the region picked in the header (or the one given). */
export function aws<T = Record<string, unknown>>(
  operation: string,
  input: object = {},
  inRegion?: string,
): Promise<T> {
  const r = inRegion ?? region();
  const query = r ? `?region=${encodeURIComponent(r)}` : "";
  return send<T>("POST", `aws/${operation}${query}`, input);
}

/** An admin endpoint: GET without a body, POST with one. */
export function admin<T = Record<string, unknown>>(path: string, body?: object): Promise<T> {
  return send<T>(body === undefined ? "GET" : "POST", path, body);
}

/** Every page of a paginated AWS list operation. */
export async function listAll<T>(operation: string, input: object, key: string): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const page = await aws<Record<string, unknown>>(operation, {
      ...input,
      ...(token ? { NextToken: token } : {}),
    });
    items.push(...((page[key] as T[] | undefined) ?? []));
    token = page.NextToken as string | undefined;
  } while (token);
  return items;
}
