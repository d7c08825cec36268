"""Shared fixtures for the Python compatibility suites (boto3/ and awscli/).

Every suite drives a real `timestream-local` binary:

* ``server`` (module scope) spawns the binary with ``--port 0`` and a configured
  lenient-mode key, reads the URL from the first stdout line, and stops it
  (SIGTERM, then wait) when the module is done.
* ``endpoint`` (function scope) wipes the server state through
  ``POST <url>/_timestream_local/reset`` before each test and yields the URL.
* ``server_factory`` starts extra servers with test-chosen flags (strict auth,
  data dir, ...) and stops them after the test.
* ``tsl`` is a small toolbox: boto3 clients with an explicit ``endpoint_url``,
  clients configured only through ``AWS_ENDPOINT_URL_TIMESTREAM_*`` (endpoint
  discovery runs), raw SigV4-signed requests for what the SDK cannot produce,
  admin API calls and error-assertion helpers.

The binary is ``$TIMESTREAM_LOCAL_BIN`` or ``<repo>/target/debug/timestream-local``.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import queue
import re
import signal
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple
from unittest import mock

import boto3
import botocore.auth
import botocore.session
import pytest
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BIN = REPO_ROOT / "target" / "debug" / "timestream-local"

REGION = "us-east-1"
ACCOUNT = "123456789012"
ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "secret"

# A key pair configured on the module-scoped (lenient) server: lenient mode must
# HMAC-verify configured keys while accepting any other key.
LENIENT_KEY = "AKIDLENIENT"
LENIENT_SECRET = "lenientsecret"

TARGET_PREFIX = "Timestream_20181101."
JSON_CT = "application/x-amz-json-1.0"
LISTEN_RE = re.compile(r"listening on (http://[^ ]+)")
STARTUP_TIMEOUT = 10.0

ENV_VARS_TO_CLEAR = (
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_TIMESTREAM_WRITE",
    "AWS_ENDPOINT_URL_TIMESTREAM_QUERY",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ENDPOINT_DISCOVERY_ENABLED",
    "AWS_ENABLE_ENDPOINT_DISCOVERY",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    "AWS_CA_BUNDLE",
    "AWS_MAX_ATTEMPTS",
    "AWS_RETRY_MODE",
    "AWS_DEFAULT_OUTPUT",
    "AWS_PAGER",
)


def binary_path() -> Path:
    return Path(os.environ.get("TIMESTREAM_LOCAL_BIN") or DEFAULT_BIN)


# --------------------------------------------------------------------------
# Server process management
# --------------------------------------------------------------------------


class ServerProcess:
    """One running timestream-local process."""

    def __init__(self, args: Iterable[str] = (), env: Optional[Dict[str, str]] = None):
        self.args = list(args)
        self.extra_env = dict(env or {})
        self.proc: Optional[subprocess.Popen] = None
        self.url: Optional[str] = None
        self.first_line: Optional[str] = None
        self.stdout_rest: List[str] = []
        self.killed = False
        self._log = tempfile.NamedTemporaryFile(
            prefix="timestream-local-", suffix=".log", delete=False
        )
        self.log_path = self._log.name

    @property
    def host_port(self) -> str:
        assert self.url is not None
        return self.url.split("://", 1)[1].rstrip("/")

    @property
    def host(self) -> str:
        return self.host_port.rsplit(":", 1)[0]

    @property
    def port(self) -> int:
        return int(self.host_port.rsplit(":", 1)[1])

    def log_text(self) -> str:
        try:
            return Path(self.log_path).read_text(errors="replace")
        except OSError:
            return ""

    def start(self) -> "ServerProcess":
        binary = binary_path()
        if not binary.exists():
            pytest.fail(
                f"timestream-local binary not found at {binary} "
                "(build it with `cargo build` or set TIMESTREAM_LOCAL_BIN)",
                pytrace=False,
            )
        env = dict(os.environ)
        # The server must not pick up configuration from the caller's shell.
        for k in list(env):
            if k.startswith("TIMESTREAM_LOCAL_") and k != "TIMESTREAM_LOCAL_BIN":
                del env[k]
        env.update(self.extra_env)
        cmd = [str(binary), "--port", "0", *self.args]
        self.proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._log,
            env=env,
            text=True,
            bufsize=1,
        )
        lines: "queue.Queue[Optional[str]]" = queue.Queue()

        def reader() -> None:
            assert self.proc is not None and self.proc.stdout is not None
            first = True
            for line in self.proc.stdout:
                if first:
                    lines.put(line)
                    first = False
                else:
                    self.stdout_rest.append(line)
            if first:
                lines.put(None)

        threading.Thread(target=reader, daemon=True).start()
        try:
            line = lines.get(timeout=STARTUP_TIMEOUT)
        except queue.Empty:
            self.stop()
            pytest.fail(
                f"{' '.join(cmd)}: no stdout line within {STARTUP_TIMEOUT}s\n"
                f"stderr:\n{self.log_text()}",
                pytrace=False,
            )
        if line is None:
            rc = self.proc.wait(timeout=5)
            pytest.fail(
                f"{' '.join(cmd)} exited (rc={rc}) before printing its URL\n"
                f"stderr:\n{self.log_text()}",
                pytrace=False,
            )
        self.first_line = line.rstrip("\r\n")
        m = LISTEN_RE.search(self.first_line)
        if not m:
            self.stop()
            pytest.fail(
                f"first stdout line does not match {LISTEN_RE.pattern!r}: "
                f"{self.first_line!r}",
                pytrace=False,
            )
        self.url = m.group(1).rstrip("/")
        return self

    def stop(self, timeout: float = 10.0) -> Optional[int]:
        """SIGTERM, then wait; SIGKILL only if it does not exit in time."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.killed = True
                self.proc.kill()
                self.proc.wait(timeout=5)
        rc = self.proc.returncode
        self._log.close()
        return rc

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


@pytest.fixture(scope="module")
def server():
    """Module-scoped lenient server with one configured key pair."""
    srv = ServerProcess(["--credentials", f"{LENIENT_KEY}:{LENIENT_SECRET}"]).start()
    yield srv
    srv.stop()


def _factory():
    started: List[ServerProcess] = []

    def start(*args: str, env: Optional[Dict[str, str]] = None) -> ServerProcess:
        srv = ServerProcess(args, env=env).start()
        started.append(srv)
        return srv

    return start, started


@pytest.fixture
def server_factory():
    """Start extra servers with chosen flags; all are stopped after the test."""
    start, started = _factory()
    yield start
    for srv in started:
        srv.stop()


@pytest.fixture(scope="module")
def module_server_factory():
    """Like server_factory, but the servers live until the end of the module."""
    start, started = _factory()
    yield start
    for srv in started:
        srv.stop()


def http(
    method: str,
    url: str,
    body: Optional[bytes] = None,
    headers: Optional[Dict[str, str]] = None,
    timeout: float = 10.0,
) -> Tuple[int, Dict[str, str], bytes]:
    """Plain HTTP call; returns (status, lower-cased headers, body) for any status."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


def admin_reset(url: str) -> None:
    status, _, body = http("POST", url + "/_timestream_local/reset", body=b"")
    assert status == 200, f"reset failed: {status} {body!r}"


@pytest.fixture
def endpoint(server) -> str:
    """URL of the module server, with all state wiped before the test."""
    assert server.running(), f"server died; stderr:\n{server.log_text()}"
    admin_reset(server.url)
    return server.url


# --------------------------------------------------------------------------
# Raw responses and the toolbox
# --------------------------------------------------------------------------


class RawResponse:
    def __init__(self, status: int, headers: Dict[str, str], body: bytes):
        self.status = status
        self.headers = headers
        self.body = body
        try:
            self.json: Any = json.loads(body.decode("utf-8")) if body else None
        except ValueError:
            self.json = None

    @property
    def error_type(self) -> Optional[str]:
        """`__type` with everything up to '#' stripped (what the SDKs do)."""
        if not isinstance(self.json, dict) or "__type" not in self.json:
            return None
        t = self.json["__type"].split(":", 1)[0]
        return t.rsplit("#", 1)[-1]

    @property
    def message(self) -> Optional[str]:
        if not isinstance(self.json, dict):
            return None
        return self.json.get("Message", self.json.get("message"))

    def __repr__(self) -> str:
        return f"RawResponse({self.status}, {self.body[:500]!r})"


def _fixed_datetime(when: _dt.datetime):
    # botocore.auth calls get_current_datetime() and expects a naive UTC value.
    naive = when.astimezone(_dt.timezone.utc).replace(tzinfo=None)
    return mock.patch.object(botocore.auth, "get_current_datetime", return_value=naive)


class Toolbox:
    """Helpers handed to tests through the ``tsl`` fixture."""

    REGION = REGION
    ACCOUNT = ACCOUNT
    ACCESS_KEY = ACCESS_KEY
    SECRET_KEY = SECRET_KEY
    LENIENT_KEY = LENIENT_KEY
    LENIENT_SECRET = LENIENT_SECRET

    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch

    # -- boto3 clients ---------------------------------------------------
    @staticmethod
    def config(**kw) -> Config:
        base = dict(retries={"total_max_attempts": 1, "mode": "standard"},
                    connect_timeout=5, read_timeout=30)
        base.update(kw)
        return Config(**base)

    def client(
        self,
        service: str,
        url: str,
        region: str = REGION,
        key: str = ACCESS_KEY,
        secret: str = SECRET_KEY,
        token: Optional[str] = None,
        validate: bool = True,
    ):
        """boto3 client with an explicit endpoint_url (no endpoint discovery)."""
        session = boto3.session.Session(
            aws_access_key_id=key,
            aws_secret_access_key=secret,
            aws_session_token=token,
            region_name=region,
        )
        return session.client(
            service,
            endpoint_url=url,
            region_name=region,
            config=self.config(parameter_validation=validate),
        )

    def write(self, url: str, **kw):
        return self.client("timestream-write", url, **kw)

    def query(self, url: str, **kw):
        return self.client("timestream-query", url, **kw)

    def isolate_env(self) -> None:
        """Remove AWS_* settings of the caller's environment that could interfere."""
        for k in ENV_VARS_TO_CLEAR:
            self.monkeypatch.delenv(k, raising=False)
        missing = os.path.join(tempfile.gettempdir(), "timestream-local-no-such-aws-file")
        self.monkeypatch.setenv("AWS_CONFIG_FILE", missing)
        self.monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", missing)
        self.monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")

    def env_client(self, service: str, url: str, region: str = REGION):
        """Client configured only through AWS_ENDPOINT_URL_TIMESTREAM_{WRITE,QUERY}.

        Endpoint discovery runs (DescribeEndpoints first). Returns
        ``(client, sent)`` where ``sent`` is a list of ``(operation, url)`` in
        the order the requests left the client.
        """
        self.isolate_env()
        var = {
            "timestream-write": "AWS_ENDPOINT_URL_TIMESTREAM_WRITE",
            "timestream-query": "AWS_ENDPOINT_URL_TIMESTREAM_QUERY",
        }[service]
        self.monkeypatch.setenv(var, url)
        self.monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        self.monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        self.monkeypatch.setenv("AWS_DEFAULT_REGION", region)
        session = botocore.session.Session()  # fresh: reads the env set above
        client = session.create_client(service, region_name=region, config=self.config())
        sent: List[Tuple[str, str]] = []

        def record(request, **_):
            target = request.headers.get("X-Amz-Target", b"")
            if isinstance(target, bytes):
                target = target.decode()
            sent.append((target.replace(TARGET_PREFIX, ""), request.url))

        client.meta.events.register("before-send", record)
        return client, sent

    # -- raw requests ------------------------------------------------------
    def raw(
        self,
        url: str,
        target: Optional[str],
        body: Any = None,
        *,
        sign: bool = True,
        key: str = ACCESS_KEY,
        secret: str = SECRET_KEY,
        token: Optional[str] = None,
        region: str = REGION,
        service: str = "timestream",
        when: Optional[_dt.datetime] = None,
        headers: Optional[Dict[str, str]] = None,
        authorization: Optional[str] = None,
        user_agent: str = "timestream-local-compat-tests/1.0",
        send_body: Optional[bytes] = None,
    ) -> RawResponse:
        """POST / with an X-Amz-Target (``target`` is the bare operation name).

        ``body`` may be bytes/str (sent verbatim) or any JSON-serialisable value
        (default ``{}``). The request is SigV4-signed unless ``sign=False``;
        ``when`` fakes the signing clock; ``authorization`` overrides the
        Authorization header after signing; ``send_body`` replaces the body
        after signing (tampering).
        """
        if body is None:
            data = b"{}"
        elif isinstance(body, bytes):
            data = body
        elif isinstance(body, str):
            data = body.encode("utf-8")
        else:
            data = json.dumps(body).encode("utf-8")
        hdrs = {"Content-Type": JSON_CT, "User-Agent": user_agent}
        if target is not None:
            hdrs["X-Amz-Target"] = TARGET_PREFIX + target
        hdrs.update(headers or {})
        req = AWSRequest(method="POST", url=url + "/", data=data, headers=hdrs)
        if sign:
            signer = botocore.auth.SigV4Auth(Credentials(key, secret, token), service, region)
            if when is not None:
                with _fixed_datetime(when):
                    signer.add_auth(req)
            else:
                signer.add_auth(req)
        out = {k: v for k, v in req.headers.items()}
        if authorization is not None:
            out["Authorization"] = authorization
        if send_body is not None:
            data = send_body
        return RawResponse(*http("POST", url + "/", body=data, headers=out))

    @staticmethod
    def http(method: str, url: str, body: Optional[bytes] = None,
             headers: Optional[Dict[str, str]] = None) -> RawResponse:
        return RawResponse(*http(method, url, body=body, headers=headers))

    # -- admin API -----------------------------------------------------------
    def admin(self, url: str, method: str, path: str) -> RawResponse:
        return RawResponse(*http(method, url + "/_timestream_local/" + path,
                                 body=b"" if method == "POST" else None))

    def reset(self, url: str) -> None:
        admin_reset(url)

    # -- assertions ------------------------------------------------------------
    @staticmethod
    @contextmanager
    def raises(code: str, message: Optional[str] = None, status: Optional[int] = None):
        """Expect a botocore ClientError with this code (and exact message/status)."""
        holder: Dict[str, ClientError] = {}
        try:
            yield holder
        except ClientError as e:
            holder["error"] = e
            err = e.response.get("Error", {})
            got_status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            assert err.get("Code") == code, (
                f"expected error code {code!r}, got {err.get('Code')!r} "
                f"(HTTP {got_status}, message {err.get('Message')!r})"
            )
            if message is not None:
                assert err.get("Message") == message, (
                    f"{code}: expected message {message!r}, got {err.get('Message')!r}"
                )
            if status is not None:
                assert got_status == status, f"{code}: expected HTTP {status}, got {got_status}"
        else:
            pytest.fail(f"expected ClientError {code}, but the call succeeded")

    @staticmethod
    def coral(items: List[str]) -> str:
        n = len(items)
        head = "1 validation error detected: " if n == 1 else f"{n} validation errors detected: "
        return head + "; ".join(items)

    @staticmethod
    def violation(value: Optional[str], path: str, constraint: str) -> str:
        v = "null" if value is None else f"'{value}'"
        return f"Value {v} at '{path}' failed to satisfy constraint: {constraint}"


@pytest.fixture
def tsl(monkeypatch) -> Toolbox:
    return Toolbox(monkeypatch)


@pytest.fixture
def write(tsl, endpoint):
    """timestream-write client against the (freshly reset) module server."""
    return tsl.write(endpoint)


@pytest.fixture
def query(tsl, endpoint):
    """timestream-query client against the (freshly reset) module server."""
    return tsl.query(endpoint)


@pytest.fixture
def write_nv(tsl, endpoint):
    """timestream-write client with botocore's client-side validation switched off."""
    return tsl.write(endpoint, validate=False)


@pytest.fixture
def unique_name():
    counter = {"n": 0}

    def make(prefix: str = "db") -> str:
        counter["n"] += 1
        return f"{prefix}_{int(time.time() * 1000) % 100000}_{counter['n']}"

    return make


# --------------------------------------------------------------------------
# moto's server: a real S3-compatible (and SNS/SQS) endpoint for the tests
# --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory):
    """moto's server on a free loopback port, for the whole session; yields its URL."""
    import socket
    import sys

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    moto = Path(sys.executable).with_name("moto_server")
    log = open(tmp_path_factory.mktemp("moto") / "moto.log", "w")
    proc = subprocess.Popen([str(moto), "-H", "127.0.0.1", "-p", str(port)], stdout=log,
                            stderr=log, stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    s3 = moto_client("s3", url)
    deadline = time.time() + 30
    while True:
        try:
            s3.list_buckets()
            break
        except Exception:
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                raise
            time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


def moto_client(service: str, url: str):
    """A boto3 client of moto's server (any credentials do)."""
    return boto3.client(service, endpoint_url=url, region_name=REGION,
                        aws_access_key_id="test", aws_secret_access_key="test")
