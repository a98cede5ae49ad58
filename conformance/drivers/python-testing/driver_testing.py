"""Test support shared by the Python drivers' pytest suites: a real oss-mock process, a driver process spoken to
through the protocol (conformance/PROTOCOL.md), and pytest fixtures built on them.

Each driver's tests/conftest.py puts this directory on sys.path and imports the fixtures it uses.
"""

from __future__ import annotations

import base64
import email.utils
import hashlib
import hmac
import json
import random
import subprocess
import sys
import threading
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[3]
ACCESS_KEY_ID = "python-driver-test-id"
ACCESS_KEY_SECRET = "python-driver-test-secret"
REGION = "cn-hangzhou"
CALL_TIMEOUT_S = 60

Json = dict[str, Any]


class MockServer:
    """`node dist/bin/oss-mock.cjs --port 0`: the endpoint from its first line, killed by PID at the end."""

    def __init__(self) -> None:
        cli = REPO / "dist" / "bin" / "oss-mock.cjs"
        if not cli.exists():
            raise RuntimeError(f"{cli} is missing: run `npm ci` (it builds dist/) first")
        self._process = subprocess.Popen(
            [
                "node",
                str(cli),
                "--port",
                "0",
                "--access-key-id",
                ACCESS_KEY_ID,
                "--access-key-secret",
                ACCESS_KEY_SECRET,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert self._process.stdout is not None
        first = self._process.stdout.readline().strip()
        prefix = "oss-mock listening on "
        if not first.startswith(prefix):
            self.stop()
            raise RuntimeError(f"oss-mock did not start: {first!r}")
        self.endpoint = first[len(prefix) :]
        # Keep draining its output so the pipe never fills.
        threading.Thread(target=self._process.stdout.read, daemon=True).start()

    def control(self, method: str, path: str, body: Json | None = None) -> Json:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.endpoint}/_mock/{path}", data=data, method=method, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=CALL_TIMEOUT_S) as response:
            return json.loads(response.read())

    def add_rule(self, rule: Json) -> str:
        return self.control("POST", "rules", rule)["id"]

    def delete_rule(self, rule_id: str) -> None:
        self.control("DELETE", f"rules/{rule_id}")

    def wait(self, match: Json, min_bytes: int, count: int = 1) -> None:
        self.control("POST", "wait", {"match": match, "minBytes": min_bytes, "count": count, "timeoutMs": 10_000})

    def last_seq(self) -> int:
        return self.control("GET", "health")["lastEventSeq"]

    def events(self, since: int, bucket: str | None = None) -> list[Json]:
        found = self.control("GET", f"events?since={since}")["events"]
        return [e for e in found if bucket is None or e.get("bucket") == bucket]

    def create_bucket(self, name: str) -> None:
        """PutBucket signed with V1 by hand, so bucket set-up does not depend on the SDK under test."""
        date = email.utils.formatdate(usegmt=True)
        content_type = "application/octet-stream"
        to_sign = f"PUT\n\n{content_type}\n{date}\n/{name}/"
        digest = hmac.new(ACCESS_KEY_SECRET.encode(), to_sign.encode(), hashlib.sha1).digest()
        authorization = f"OSS {ACCESS_KEY_ID}:{base64.b64encode(digest).decode()}"
        request = urllib.request.Request(
            f"{self.endpoint}/{name}/",
            data=b"",
            method="PUT",
            headers={"Date": date, "Content-Type": content_type, "Authorization": authorization},
        )
        with urllib.request.urlopen(request, timeout=CALL_TIMEOUT_S) as response:
            assert response.status == 200

    def stop(self) -> None:
        self._process.kill()
        self._process.wait()


class DriverCallError(Exception):
    """A call the driver answered with ok:false; `error` is the protocol's error object."""

    def __init__(self, op: str, error: Json) -> None:
        super().__init__(f"{op}: {error}")
        self.error = error


class Answer(Future[Json]):
    """The future answer of one request; `request_id` matches its progress events."""

    def __init__(self, request_id: int) -> None:
        super().__init__()
        self.request_id = request_id


class DriverProcess:
    """A driver started as `python driver.py`, spoken to through the protocol; answers are matched by id."""

    def __init__(self, script: Path) -> None:
        self._process = subprocess.Popen(
            [sys.executable, str(script)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        self._lock = threading.Lock()
        self._next_id = 1
        self._pending: dict[int, tuple[str, Answer]] = {}
        self.events: list[Json] = []
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        assert self._process.stderr is not None
        threading.Thread(target=self._process.stderr.read, daemon=True).start()

    @property
    def pid(self) -> int:
        return self._process.pid

    def start(self, op: str, args: Json | None = None) -> Answer:
        """Sends a request without waiting; the answer holds the result or raises DriverCallError."""
        with self._lock:
            request_id = self._next_id
            self._next_id += 1
            future = Answer(request_id)
            self._pending[request_id] = (op, future)
            assert self._process.stdin is not None
            self._process.stdin.write(json.dumps({"id": request_id, "op": op, "args": args or {}}).encode() + b"\n")
            self._process.stdin.flush()
        return future

    def call(self, op: str, args: Json | None = None) -> Json:
        return self.start(op, args).result(timeout=CALL_TIMEOUT_S)

    def progress_of(self, answer: Answer) -> list[int]:
        return [e["bytes"] for e in list(self.events) if e["event"] == "progress" and e["id"] == answer.request_id]

    def logs(self) -> list[str]:
        return [e["message"] for e in list(self.events) if e["event"] == "log"]

    def send_raw(self, line: bytes) -> None:
        with self._lock:
            assert self._process.stdin is not None
            self._process.stdin.write(line)
            self._process.stdin.flush()

    def error_of(self, op: str, args: Json | None = None) -> Json:
        """The error a call must fail with."""
        with pytest.raises(DriverCallError) as failed:
            self.call(op, args)
        return failed.value.error

    def _read(self) -> None:
        assert self._process.stdout is not None
        for raw in self._process.stdout:
            line = raw.decode()
            self.lines.append(line)
            message = json.loads(line)
            if "event" in message:
                self.events.append(message)
                continue
            with self._lock:
                op, future = self._pending.pop(message["id"])
            if message["ok"]:
                future.set_result(message["result"])
            else:
                future.set_exception(DriverCallError(op, message["error"]))
        with self._lock:
            pending, self._pending = list(self._pending.values()), {}
        for op, future in pending:
            future.set_exception(DriverCallError(op, {"code": "DriverExited"}))

    def kill(self) -> None:
        self._process.kill()
        self._process.wait()

    def shutdown(self) -> int:
        if self._process.poll() is None:
            try:
                self.call("shutdown")
            finally:
                if self._process.stdin is not None:
                    self._process.stdin.close()
        return self._process.wait(timeout=CALL_TIMEOUT_S)


def body_of(data: bytes) -> Json:
    return {"base64": base64.b64encode(data).decode()}


def payload(size: int, seed: int = 1) -> bytes:
    """Deterministic bytes that do not compress."""
    return random.Random(seed).randbytes(size)


def md5_hex(data: bytes) -> str:
    return hashlib.md5(data).hexdigest().upper()


def unquoted(etag: str) -> str:
    return etag.strip('"').upper()


# --- fixtures (a driver's conftest provides `driver_script`) ---


@pytest.fixture(scope="session")
def mock() -> Iterator[MockServer]:
    server = MockServer()
    yield server
    server.stop()


@pytest.fixture
def bucket(mock: MockServer) -> str:
    name = f"py-{uuid.uuid4().hex[:16]}"
    mock.create_bucket(name)
    return name


@pytest.fixture(scope="module")
def driver(driver_script: Path) -> Iterator[DriverProcess]:
    """One driver process per test module (starting one costs seconds here); each test makes its own client."""
    process = DriverProcess(driver_script)
    process.call("hello", {"protocol": 2})
    yield process
    assert process.shutdown() == 0


def client_args(mock: MockServer, **extra: Any) -> Json:
    return {
        "endpoint": mock.endpoint,
        "accessKeyId": ACCESS_KEY_ID,
        "accessKeySecret": ACCESS_KEY_SECRET,
        "region": REGION,
        "signatureVersion": "v1",
        **extra,
    }


@pytest.fixture
def client(driver: DriverProcess, mock: MockServer) -> str:
    return driver.call("createClient", client_args(mock))["client"]
