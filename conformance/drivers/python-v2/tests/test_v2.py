"""What alibabacloud-oss-v2 itself does, as the driver reports it: the shape of an interrupted call, its retries."""

from pathlib import Path

import pytest
from driver_testing import DriverCallError, DriverProcess, MockServer, body_of, client_args, md5_hex, payload, unquoted
from protocol_cases import INTERRUPTED_BODY, KiB, Resumable, events_of


def test_an_interrupted_put_fails_wrapped_in_operation_error_and_is_not_retried(
    driver: DriverProcess, client: str, mock: MockServer, bucket: str, tmp_path: Path
) -> None:
    source = tmp_path / "body.bin"
    source.write_bytes(payload(INTERRUPTED_BODY))
    since = mock.last_seq()
    match = {"bucket": bucket, "operation": "PutObject"}
    rule = mock.add_rule({"match": match, "ingestRate": 256 * KiB})
    try:
        call = driver.start(
            "putObject", {"client": client, "bucket": bucket, "key": "k", "body": {"path": str(source)}}
        )
        mock.wait(match, 64 * KiB)
        driver.call("interrupt", {"client": client})
        with pytest.raises(DriverCallError) as failed:
            call.result(timeout=30)
    finally:
        mock.delete_rule(rule)
    error = failed.value.error
    assert error["code"] == "InterruptRequested"
    assert error["sdkError"].startswith("OperationError: operation error PutObject: interrupted by the driver")
    assert len(events_of(mock, since, bucket, "request.start")) == 1


def test_an_interrupted_resumable_upload_fails_unwrapped(
    driver: DriverProcess, client: str, mock: MockServer, bucket: str, tmp_path: Path
) -> None:
    # The Uploader calls the request's progress_fn outside its error handling, so nothing wraps the exception.
    run = Resumable(mock, bucket, tmp_path)
    call, _upload_id, rule = run.start_slowly(driver, client)
    try:
        driver.call("interrupt", {"client": client})
        with pytest.raises(DriverCallError) as failed:
            call.result(timeout=30)
    finally:
        mock.delete_rule(rule)
    assert failed.value.error["sdkError"].startswith("InterruptRequested: ")
    assert failed.value.error["interrupted"] is True


def test_a_resumable_upload_failing_on_the_server_is_wrapped_in_upload_error(
    driver: DriverProcess, client: str, mock: MockServer, bucket: str, tmp_path: Path
) -> None:
    run = Resumable(mock, bucket, tmp_path)
    error = driver.error_of("resumableUpload", {**run.args, "client": client, "headers": {"x-oss-traffic-limit": "1"}})
    assert error["sdkError"].startswith("UploadError: upload failed")
    assert "interrupted" not in error


def fail_once(mock: MockServer, bucket: str, operation: str) -> None:
    fault = {"type": "error", "status": 503, "code": "ServiceUnavailable"}
    mock.add_rule({"match": {"bucket": bucket, "operation": operation}, "fault": fault, "times": 1})


@pytest.mark.parametrize("retries,attempts", [(None, 2), (0, 1)])
def test_retries_resend_the_body(
    driver: DriverProcess, mock: MockServer, bucket: str, retries: "int | None", attempts: int
) -> None:
    extra = {} if retries is None else {"retries": retries}
    client = driver.call("createClient", client_args(mock, **extra))["client"]
    ref = {"client": client, "bucket": bucket, "key": "k", "body": body_of(b"body")}
    since = mock.last_seq()
    fail_once(mock, bucket, "PutObject")
    if retries is None:
        assert unquoted(driver.call("putObject", ref)["etag"]) == md5_hex(b"body")
    else:
        error = driver.error_of("putObject", ref)
        assert (error["code"], error["status"]) == ("ServiceUnavailable", 503)
    assert len(events_of(mock, since, bucket, "request.start")) == attempts
