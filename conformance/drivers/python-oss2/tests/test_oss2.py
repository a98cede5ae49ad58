"""What oss2 itself does, as the driver reports it: the shape of an interrupted call, its retries."""

from pathlib import Path

import pytest
from driver_testing import DriverCallError, DriverProcess, MockServer, body_of, client_args, md5_hex, payload, unquoted
from protocol_cases import INTERRUPTED_BODY, KiB, Resumable, interrupt_resumable, wait_for


def test_an_interrupted_put_fails_with_the_callbacks_own_exception(
    driver: DriverProcess, client: str, mock: MockServer, bucket: str, tmp_path: Path
) -> None:
    source = tmp_path / "body.bin"
    source.write_bytes(payload(INTERRUPTED_BODY))
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
    # oss2 neither wraps nor retries it: requests/urllib3 let it through and close the connection.
    assert failed.value.error["sdkError"].startswith("InterruptRequested: ")


def test_an_interrupted_resumable_upload_reports_the_stopped_part(
    driver: DriverProcess, client: str, mock: MockServer, bucket: str, tmp_path: Path
) -> None:
    interrupt_resumable(driver, client, Resumable(mock, bucket, tmp_path))
    # oss2's TaskQueue logs the exception of the worker it stopped, then re-raises it from resumable_upload.
    wait_for(
        "oss2's log",
        lambda: [m for m in driver.logs() if m.startswith("oss2.task_queue") and "InterruptRequested" in m],
    )


def fail_once(mock: MockServer, bucket: str, operation: str) -> str:
    fault = {"type": "error", "status": 503, "code": "ServiceUnavailable"}
    return mock.add_rule({"match": {"bucket": bucket, "operation": operation}, "fault": fault, "times": 1})


def test_single_calls_are_never_retried(driver: DriverProcess, mock: MockServer, bucket: str) -> None:
    client = driver.call("createClient", client_args(mock, retries=3))["client"]
    ref = {"client": client, "bucket": bucket, "key": "k", "body": body_of(b"body")}
    fail_once(mock, bucket, "PutObject")
    error = driver.error_of("putObject", ref)
    assert (error["code"], error["status"]) == ("ServiceUnavailable", 503)
    assert unquoted(driver.call("putObject", ref)["etag"]) == md5_hex(b"body")


@pytest.mark.parametrize("retries,survives", [(None, True), (0, False)])
def test_list_iterators_retry_server_errors(
    driver: DriverProcess, mock: MockServer, bucket: str, retries: "int | None", survives: bool
) -> None:
    extra = {} if retries is None else {"retries": retries}
    client = driver.call("createClient", client_args(mock, **extra))["client"]
    ref = {"client": client, "bucket": bucket, "key": "k"}
    up = {**ref, "uploadId": driver.call("initiateMultipartUpload", ref)["uploadId"]}
    fail_once(mock, bucket, "ListParts")
    if survives:
        assert driver.call("listParts", up) == {"parts": []}
    else:
        assert driver.error_of("listParts", up)["status"] == 503
