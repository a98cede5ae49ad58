"""Protocol cases every Python driver must pass, run against a real oss-mock. A driver's tests import them
(`from protocol_cases import *`) next to the cases about its own SDK's behaviour."""

from __future__ import annotations

import http.client
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from driver_testing import (
    Answer,
    DriverCallError,
    DriverProcess,
    Json,
    MockServer,
    body_of,
    client_args,
    md5_hex,
    payload,
    unquoted,
)

KiB = 1024
MiB = 1024 * KiB
# Larger than what the kernels between client and server buffer (a few MB on loopback), so an interrupted body
# really stops short of its Content-Length.
INTERRUPTED_BODY = 16 * MiB
PART = 256 * KiB
RESUMABLE_FILE = 8 * PART


def wait_for(what: str, condition: Callable[[], Any], timeout_s: float = 10) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def events_of(mock: MockServer, since: int, bucket: str, kind: str) -> list[Json]:
    return [e for e in mock.events(since, bucket) if e["type"] == kind]


def test_hello_names_the_sdk_actually_loaded(driver_script: Path, sdk: Json) -> None:
    process = DriverProcess(driver_script)
    try:
        hello = process.call("hello", {"protocol": 2})
        assert hello["protocol"] == 2
        assert hello["sdk"] == sdk
        assert hello["language"].startswith("python 3.")
        assert {"interrupt", "interrupt-resumable", "resumable", "multipart", "append"} <= set(hello["capabilities"])
        assert "disable" not in hello["capabilities"]
        # A suite that speaks version 1 gets a version 1 answer.
        assert process.call("hello", {"protocol": 1})["protocol"] == 1
        assert process.shutdown() == 0
    finally:
        process.kill()


@pytest.mark.parametrize("version", ["v1", "v4"])
def test_object_round_trip(driver: DriverProcess, mock: MockServer, bucket: str, version: str) -> None:
    client = driver.call("createClient", client_args(mock, signatureVersion=version))["client"]
    data = payload(300 * KiB, seed=3)
    ref = {"client": client, "bucket": bucket, "key": f"dir/{version} key+?.bin"}
    put = driver.call("putObject", {**ref, "body": body_of(data)})
    assert unquoted(put["etag"]) == md5_hex(data)
    head = driver.call("headObject", ref)
    assert head["size"] == len(data) and head["crc64"] == put["crc64"]
    got = driver.call("getObject", ref)
    assert got["body"] == body_of(data) and got["crc64"] == put["crc64"]
    assert driver.call("deleteObject", ref) == {}
    assert driver.error_of("headObject", ref)["code"] == "NoSuchKey"


def test_bodies_given_as_files(driver: DriverProcess, client: str, bucket: str, tmp_path: Path) -> None:
    data = payload(2 * MiB, seed=4)
    source = tmp_path / "body.bin"
    source.write_bytes(data)
    put = driver.call("putObject", {"client": client, "bucket": bucket, "key": "file", "body": {"path": str(source)}})
    assert unquoted(put["etag"]) == md5_hex(data)


def test_server_errors_carry_code_status_request_id(driver: DriverProcess, client: str, bucket: str) -> None:
    ref = {"client": client, "bucket": bucket, "key": "missing"}
    for op in ("getObject", "headObject"):
        error = driver.error_of(op, ref)
        assert (error["code"], error["status"]) == ("NoSuchKey", 404)
        assert error["requestId"] and error["sdkError"] and "interrupted" not in error
    error = driver.error_of("putObject", {**ref, "bucket": "no-such-bucket-here", "body": body_of(b"x")})
    assert (error["code"], error["status"]) == ("NoSuchBucket", 404)


@pytest.mark.parametrize("version", ["v1", "v4"])
def test_wrong_secret_is_a_signature_mismatch(
    driver: DriverProcess, mock: MockServer, bucket: str, version: str
) -> None:
    args = client_args(mock, signatureVersion=version, accessKeySecret="not-the-secret")
    client = driver.call("createClient", args)["client"]
    error = driver.error_of("putObject", {"client": client, "bucket": bucket, "key": "k", "body": body_of(b"x")})
    assert (error["code"], error["status"]) == ("SignatureDoesNotMatch", 403)


@pytest.mark.parametrize("version", ["v1", "v4"])
def test_sts_token_is_signed_with_the_request(
    driver: DriverProcess, mock: MockServer, bucket: str, version: str, sdk: Json
) -> None:
    # a credential minted by the mock, so its key id, secret and token belong together as one from RAM would
    minted = mock.control("POST", "sts", {})
    args = client_args(
        mock,
        signatureVersion=version,
        accessKeyId=minted["accessKeyId"],
        accessKeySecret=minted["accessKeySecret"],
        securityToken=minted["securityToken"],
    )
    client = driver.call("createClient", args)["client"]
    request = {"client": client, "bucket": bucket, "key": "sts", "body": body_of(b"sts")}
    if sdk["name"] == "alibabacloud-oss-v2" and version == "v1":
        # alibabacloud_oss_v2/signer/v1.py (_auth_header) sends the token as a `security-token` header, which is
        # not the x-oss-security-token header OSS documents for header-signed requests, so the STS key id
        # arrives without its token; V4 and presigned V1 URLs carry it as documented.
        error = driver.error_of("putObject", request)
        assert (error["code"], error["status"]) == ("InvalidAccessKeyId", 403)
        return
    put = driver.call("putObject", request)
    assert unquoted(put["etag"]) == md5_hex(b"sts")


def test_append(driver: DriverProcess, client: str, bucket: str) -> None:
    ref = {"client": client, "bucket": bucket, "key": "appended"}
    first, second = payload(10 * KiB, seed=5), payload(20 * KiB, seed=6)
    assert driver.call("appendObject", {**ref, "position": 0, "body": body_of(first)})["nextPosition"] == len(first)
    r = driver.call("appendObject", {**ref, "position": len(first), "body": body_of(second)})
    assert r["nextPosition"] == len(first) + len(second)
    error = driver.error_of("appendObject", {**ref, "position": 1, "body": body_of(b"x")})
    assert (error["code"], error["status"]) == ("PositionNotEqualToLength", 409)
    assert driver.call("getObject", ref)["body"] == body_of(first + second)


def test_multipart_calls(driver: DriverProcess, client: str, bucket: str) -> None:
    ref = {"client": client, "bucket": bucket, "key": "mpu/object"}
    upload_id = driver.call("initiateMultipartUpload", ref)["uploadId"]
    up = {**ref, "uploadId": upload_id}
    bodies = [payload(100 * KiB, seed=7), payload(5 * KiB, seed=8)]
    etags = [
        driver.call("uploadPart", {**up, "partNumber": n + 1, "body": body_of(b)})["etag"] for n, b in enumerate(bodies)
    ]
    assert [unquoted(e) for e in etags] == [md5_hex(b) for b in bodies]
    parts = driver.call("listParts", up)["parts"]
    assert [(p["partNumber"], p["size"]) for p in parts] == [(1, len(bodies[0])), (2, len(bodies[1]))]
    uploads = driver.call("listMultipartUploads", {"client": client, "bucket": bucket, "prefix": "mpu/"})["uploads"]
    assert uploads == [{"key": "mpu/object", "uploadId": upload_id}]
    done = driver.call(
        "completeMultipartUpload", {**up, "parts": [{"partNumber": n + 1, "etag": e} for n, e in enumerate(etags)]}
    )
    assert unquoted(done["etag"]).endswith("-2")
    assert driver.call("getObject", ref)["body"] == body_of(b"".join(bodies))

    other = driver.call("initiateMultipartUpload", ref)["uploadId"]
    assert driver.call("abortMultipartUpload", {**ref, "uploadId": other}) == {}
    error = driver.error_of("listParts", {**ref, "uploadId": other})
    assert (error["code"], error["status"]) == ("NoSuchUpload", 404)


@pytest.mark.parametrize("version", ["v1", "v4"])
def test_presigned_urls(driver: DriverProcess, client: str, bucket: str, version: str) -> None:
    ref = {
        "client": client,
        "bucket": bucket,
        "key": f"signed/{version}",
        "expiresSeconds": 300,
        "signatureVersion": version,
    }
    put_url = urllib.parse.urlsplit(driver.call("presignUrl", {**ref, "method": "PUT"})["url"])
    # http.client, not urllib: urllib would add a Content-Type the URL was not signed with.
    connection = http.client.HTTPConnection(put_url.netloc, timeout=30)
    connection.request("PUT", f"{put_url.path}?{put_url.query}", body=b"presigned body")
    assert connection.getresponse().status == 200
    connection.close()
    get_url = driver.call("presignUrl", {**ref, "method": "GET"})["url"]
    with urllib.request.urlopen(get_url, timeout=30) as response:
        assert response.read() == b"presigned body"


def test_progress_events(driver: DriverProcess, client: str, bucket: str) -> None:
    data = payload(512 * KiB, seed=9)
    answer = driver.start(
        "putObject", {"client": client, "bucket": bucket, "key": "p", "body": body_of(data), "progress": True}
    )
    answer.result(timeout=30)
    sent = driver.progress_of(answer)
    assert sent and sent == sorted(sent) and sent[-1] == len(data)
    quiet = driver.start("putObject", {"client": client, "bucket": bucket, "key": "q", "body": body_of(data)})
    quiet.result(timeout=30)
    assert driver.progress_of(quiet) == []


def test_answers_in_completion_order(driver: DriverProcess, client: str, mock: MockServer, bucket: str) -> None:
    rule = mock.add_rule({"match": {"bucket": bucket, "operation": "PutObject"}, "ingestRate": 256 * KiB})
    try:
        slow = driver.start(
            "putObject", {"client": client, "bucket": bucket, "key": "slow", "body": body_of(payload(512 * KiB))}
        )
        mock.wait({"bucket": bucket, "operation": "PutObject"}, 64 * KiB)
        assert driver.error_of("headObject", {"client": client, "bucket": bucket, "key": "slow"})["code"] == "NoSuchKey"
        assert not slow.done()
    finally:
        mock.delete_rule(rule)
    slow.result(timeout=30)


def test_bad_requests_never_end_the_driver(driver: DriverProcess, client: str, bucket: str) -> None:
    driver.send_raw(b"this is not json\n")
    driver.send_raw(b'["not", "a", "request"]\n')
    assert driver.error_of("disableRequests", {"client": client})["code"] == "NotSupported"
    assert driver.error_of("noSuchOperation", {"client": client})["code"] == "NotSupported"
    assert (
        driver.error_of("headObject", {"client": "999", "bucket": bucket, "key": "k"})["code"] == "DriverProtocolError"
    )
    assert (
        driver.error_of("putObject", {"client": client, "bucket": bucket, "key": "k"})["code"] == "DriverProtocolError"
    )
    assert (
        driver.error_of("uploadPart", {"client": client, "bucket": bucket, "key": "k", "uploadId": 1})["code"]
        == "DriverProtocolError"
    )
    wait_for("both lines logged", lambda: len([m for m in driver.logs() if "ignored a line" in m]) >= 2)
    put = driver.call("putObject", {"client": client, "bucket": bucket, "key": "k", "body": body_of(b"still here")})
    assert unquoted(put["etag"]) == md5_hex(b"still here")


def assert_interrupted(error: Json) -> None:
    assert error["interrupted"] is True, error
    assert (error["code"], error["status"]) == ("InterruptRequested", 0), error


def start_uploads(driver: DriverProcess, op: str, base: Json, files: list[Path]) -> list[Answer]:
    extra: Json = {"position": 0} if op == "appendObject" else {}
    calls = []
    for n, f in enumerate(files):
        if op == "uploadPart":
            extra = {"partNumber": n + 1}
        key = base["key"] if op == "uploadPart" else f"{base['key']}-{n}"
        calls.append(driver.start(op, {**base, **extra, "key": key, "body": {"path": str(f)}}))
    return calls


@pytest.mark.parametrize(
    "op,operation", [("putObject", "PutObject"), ("uploadPart", "UploadPart"), ("appendObject", "AppendObject")]
)
def test_interrupt_stops_uploads_in_flight(
    driver: DriverProcess, client: str, mock: MockServer, bucket: str, tmp_path: Path, op: str, operation: str
) -> None:
    base: Json = {"client": client, "bucket": bucket, "key": "int"}
    if op == "uploadPart":
        base["uploadId"] = driver.call("initiateMultipartUpload", base)["uploadId"]
    files = []
    for n in range(2):
        files.append(tmp_path / f"body-{n}.bin")
        files[-1].write_bytes(payload(INTERRUPTED_BODY, seed=n))
    since = mock.last_seq()
    match = {"bucket": bucket, "operation": operation}
    rule = mock.add_rule({"match": match, "ingestRate": 256 * KiB})
    try:
        calls = start_uploads(driver, op, base, files)
        mock.wait(match, 64 * KiB, count=2)
        assert driver.call("interrupt", {"client": client}) == {}
        for call in calls:
            with pytest.raises(DriverCallError) as failed:
                call.result(timeout=30)
            assert_interrupted(failed.value.error)
    finally:
        mock.delete_rule(rule)
    # The server drains what the kernels buffered, then sees each body end short of its length.
    wait_for("2 aborted bodies", lambda: len(events_of(mock, since, bucket, "body.aborted")) >= 2)
    assert events_of(mock, since, bucket, "object.committed") == []
    assert events_of(mock, since, bucket, "part.stored") == []
    # Calls made after the interrupt run normally.
    put = driver.call("putObject", {"client": client, "bucket": bucket, "key": "after", "body": body_of(b"after")})
    assert unquoted(put["etag"]) == md5_hex(b"after")


def test_interrupt_spares_other_clients(
    driver: DriverProcess, client: str, mock: MockServer, bucket: str, tmp_path: Path
) -> None:
    other = driver.call("createClient", client_args(mock))["client"]
    source = tmp_path / "body.bin"
    source.write_bytes(payload(INTERRUPTED_BODY))
    match = {"bucket": bucket, "operation": "PutObject"}
    rule = mock.add_rule({"match": match, "ingestRate": 256 * KiB})
    try:
        mine = driver.start(
            "putObject", {"client": client, "bucket": bucket, "key": "a", "body": {"path": str(source)}}
        )
        theirs = driver.start(
            "putObject", {"client": other, "bucket": bucket, "key": "b", "body": {"path": str(source)}}
        )
        mock.wait(match, 64 * KiB, count=2)
        driver.call("interrupt", {"client": client})
        with pytest.raises(DriverCallError) as failed:
            mine.result(timeout=30)
        assert_interrupted(failed.value.error)
    finally:
        mock.delete_rule(rule)
    assert unquoted(theirs.result(timeout=30)["etag"]) == md5_hex(source.read_bytes())


def test_interrupt_stops_a_download(driver: DriverProcess, client: str, mock: MockServer, bucket: str) -> None:
    ref = {"client": client, "bucket": bucket, "key": "download"}
    driver.call("putObject", {**ref, "body": body_of(payload(1 * MiB))})
    since = mock.last_seq()
    rule = mock.add_rule({"match": {"bucket": bucket, "operation": "GetObject"}, "egressRate": 128 * KiB})
    try:
        download = driver.start("getObject", ref)
        wait_for("the download to start", lambda: events_of(mock, since, bucket, "request.start"))
        time.sleep(0.2)  # let some of the body arrive; the interrupt must stop it part-way either way
        driver.call("interrupt", {"client": client})
        with pytest.raises(DriverCallError) as failed:
            download.result(timeout=30)
        assert_interrupted(failed.value.error)
    finally:
        mock.delete_rule(rule)
    assert driver.call("getObject", ref)["body"] == body_of(payload(1 * MiB))


class Resumable:
    """A resumable upload of an 8-part file, slowed on the mock so it can be stopped part-way."""

    def __init__(self, mock: MockServer, bucket: str, tmp_path: Path) -> None:
        self.mock, self.bucket = mock, bucket
        self.data = payload(RESUMABLE_FILE, seed=11)
        source = tmp_path / "source.bin"
        source.write_bytes(self.data)
        self.checkpoints = tmp_path / "checkpoints"
        self.checkpoints.mkdir()
        self.args: Json = {
            "bucket": bucket,
            "key": "resumable/object",
            "file": str(source),
            "partSize": PART,
            "parallel": 2,
            "checkpointDir": str(self.checkpoints),
        }

    def start_slowly(self, driver: DriverProcess, client: str) -> tuple[Answer, str, str]:
        """Starts the upload throttled; returns the call, the upload ID once 3 parts are stored, and the rule."""
        since = self.mock.last_seq()
        rule = self.mock.add_rule({"match": {"bucket": self.bucket, "operation": "UploadPart"}, "ingestRate": 1 * MiB})
        call = driver.start("resumableUpload", {**self.args, "client": client})
        stored = wait_for(
            "3 stored parts",
            lambda: (s := events_of(self.mock, since, self.bucket, "part.stored")) and len(s) >= 3 and s,
        )
        return call, stored[0]["uploadId"], rule

    def resume(self, driver: DriverProcess, client: str) -> tuple[Json, list[Json]]:
        since = self.mock.last_seq()
        result = driver.call("resumableUpload", {**self.args, "client": client})
        return result, self.mock.events(since, self.bucket)

    def assert_complete(self, driver: DriverProcess, client: str, result: Json) -> None:
        assert unquoted(result["etag"]).endswith("-8")
        got = driver.call("getObject", {"client": client, "bucket": self.bucket, "key": self.args["key"]})
        assert got["body"] == body_of(self.data)
        assert list(self.checkpoints.iterdir()) == []


def interrupt_resumable(driver: DriverProcess, client: str, run: Resumable) -> str:
    call, upload_id, rule = run.start_slowly(driver, client)
    try:
        driver.call("interrupt", {"client": client})
        with pytest.raises(DriverCallError) as failed:
            call.result(timeout=30)
        assert_interrupted(failed.value.error)
    finally:
        run.mock.delete_rule(rule)
    assert list(run.checkpoints.iterdir()) != [], "the checkpoint is kept after the interrupt"
    return upload_id


def test_interrupted_resumable_upload_resumes_on_the_same_upload(
    driver: DriverProcess, client: str, mock: MockServer, bucket: str, tmp_path: Path, driver_script: Path
) -> None:
    run = Resumable(mock, bucket, tmp_path)
    upload_id = interrupt_resumable(driver, client, run)
    # A fresh process resumes from the checkpoint directory alone.
    fresh = DriverProcess(driver_script)
    try:
        fresh.call("hello", {"protocol": 2})
        fresh_client = fresh.call("createClient", client_args(mock))["client"]
        result, events = run.resume(fresh, fresh_client)
    finally:
        fresh.kill()
    assert [e for e in events if e["type"] == "upload.initiated"] == []
    assert [e["uploadId"] for e in events if e["type"] == "upload.completed"] == [upload_id]
    assert len([e for e in events if e["type"] == "part.stored"]) < 8
    run.assert_complete(driver, client, result)


def test_resumable_upload_after_an_abort_starts_a_new_upload(
    driver: DriverProcess, client: str, mock: MockServer, bucket: str, tmp_path: Path
) -> None:
    run = Resumable(mock, bucket, tmp_path)
    upload_id = interrupt_resumable(driver, client, run)
    driver.call(
        "abortMultipartUpload", {"client": client, "bucket": bucket, "key": run.args["key"], "uploadId": upload_id}
    )
    result, events = run.resume(driver, client)
    initiated = [e["uploadId"] for e in events if e["type"] == "upload.initiated"]
    assert len(initiated) == 1 and initiated[0] != upload_id
    assert [e["uploadId"] for e in events if e["type"] == "upload.completed"] == initiated
    run.assert_complete(driver, client, result)


def test_resumable_upload_survives_a_killed_driver(
    driver: DriverProcess, client: str, mock: MockServer, bucket: str, tmp_path: Path, driver_script: Path
) -> None:
    run = Resumable(mock, bucket, tmp_path)
    victim = DriverProcess(driver_script)
    victim.call("hello", {"protocol": 2})
    victim_client = victim.call("createClient", client_args(mock))["client"]
    call, upload_id, rule = run.start_slowly(victim, victim_client)
    victim.kill()
    mock.delete_rule(rule)
    with pytest.raises(DriverCallError):
        call.result(timeout=30)
    result, events = run.resume(driver, client)
    assert [e for e in events if e["type"] == "upload.initiated"] == []
    assert [e["uploadId"] for e in events if e["type"] == "upload.completed"] == [upload_id]
    run.assert_complete(driver, client, result)


def test_resumable_headers_reach_every_part(
    driver: DriverProcess, client: str, mock: MockServer, bucket: str, tmp_path: Path
) -> None:
    run = Resumable(mock, bucket, tmp_path)
    since = mock.last_seq()
    # Out of OSS's range (819200..838860800 bit/s): only a request that carries it is refused, with InvalidArgument.
    error = driver.error_of("resumableUpload", {**run.args, "client": client, "headers": {"x-oss-traffic-limit": "1"}})
    assert (error["code"], error["status"]) == ("InvalidArgument", 400)
    ends = [e for e in mock.events(since, bucket) if e["type"] == "request.end" and e["operation"] == "UploadPart"]
    assert ends and {e["status"] for e in ends} == {400}
