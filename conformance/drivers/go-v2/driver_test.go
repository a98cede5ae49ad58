package main

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"
)

func newBucket(t *testing.T) string {
	t.Helper()
	name := bucketName()
	api := oss.NewClient(oss.LoadDefaultConfig().WithEndpoint(endpoint).WithRegion(region).WithUsePathStyle(true).
		WithCredentialsProvider(credentials.NewStaticCredentialsProvider(accessKeyID, accessKeySecret)))
	if _, err := api.PutBucket(context.Background(), &oss.PutBucketRequest{Bucket: oss.Ptr(name)}); err != nil {
		t.Fatalf("PutBucket %s: %v", name, err)
	}
	return name
}

func inline(b []byte) map[string]any {
	return map[string]any{"base64": base64.StdEncoding.EncodeToString(b)}
}

func md5hex(b []byte) string {
	s := md5.Sum(b)
	return strings.ToUpper(hex.EncodeToString(s[:]))
}

func TestHello(t *testing.T) {
	p := startDriver(t)
	r := p.call("hello", map[string]any{"protocol": 2})
	if r["protocol"] != float64(2) || r["name"] != "go-v2" {
		t.Fatalf("hello: %v", r)
	}
	// the test binary links the same SDK version as the driver: the go.mod pin, or another one after `go get`
	if sdk := r["sdk"].(map[string]any); sdk["version"] != sdkVersion() || !strings.HasPrefix(sdkVersion(), "v1.") || sdk["name"] != sdkModule {
		t.Fatalf("sdk: %v, want version %s", sdk, sdkVersion())
	}
	for _, c := range []string{"interrupt", "interrupt-resumable", "resumable", "signature-v1", "signature-v4"} {
		if !strings.Contains(strings.Join(toStrings(r["capabilities"]), " "), c) {
			t.Errorf("capability %s missing: %v", c, r["capabilities"])
		}
	}
	// the version-1 suite asks for protocol 1 and refuses any other answer
	if v := p.call("hello", map[string]any{"protocol": 1})["protocol"]; v != float64(1) {
		t.Fatalf("hello protocol 1 answered %v", v)
	}
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func TestObjects(t *testing.T) {
	bucket := newBucket(t)
	for _, sig := range []string{"v1", "v4"} {
		t.Run(sig, func(t *testing.T) {
			p := startDriver(t)
			c := p.client(sig)
			key := "obj-" + sig
			data := pattern(300*KiB, 1)
			put := p.call("putObject", map[string]any{"client": c, "bucket": bucket, "key": key, "body": inline(data)})
			if unquote(put["etag"]) != md5hex(data) || put["crc64"] == nil {
				t.Fatalf("putObject: %v", put)
			}
			get := p.call("getObject", map[string]any{"client": c, "bucket": bucket, "key": key})
			got, _ := base64.StdEncoding.DecodeString(get["body"].(map[string]any)["base64"].(string))
			if !bytes.Equal(got, data) || get["crc64"] != put["crc64"] {
				t.Fatalf("getObject: %d bytes, crc64 %v", len(got), get["crc64"])
			}
			head := p.call("headObject", map[string]any{"client": c, "bucket": bucket, "key": key})
			if head["size"] != float64(len(data)) || head["etag"] != put["etag"] {
				t.Fatalf("headObject: %v", head)
			}
			// a body from a file, as the suite sends bodies over 1 MiB
			big := pattern(3*MiB, 2)
			p.call("putObject", map[string]any{"client": c, "bucket": bucket, "key": key, "body": map[string]any{"path": writeFile(t, big)}})
			if h := p.call("headObject", map[string]any{"client": c, "bucket": bucket, "key": key}); h["size"] != float64(len(big)) {
				t.Fatalf("headObject after a file body: %v", h)
			}
			p.call("deleteObject", map[string]any{"client": c, "bucket": bucket, "key": key})
			e := p.fail("headObject", map[string]any{"client": c, "bucket": bucket, "key": key})
			if e.Code != "NoSuchKey" || e.Status != 404 || len(e.RequestID) != 24 || !strings.Contains(e.SDKError, "ServiceError") && !strings.Contains(e.SDKError, "OperationError") {
				t.Fatalf("headObject of a deleted key: %+v", e)
			}
			e = p.fail("getObject", map[string]any{"client": c, "bucket": bucket, "key": key})
			if e.Code != "NoSuchKey" || e.Status != 404 || e.RequestID == "" {
				t.Fatalf("getObject of a deleted key: %+v", e)
			}
			wrong := p.client(sig, "accessKeySecret", "wrong")
			if e := p.fail("getObject", map[string]any{"client": wrong, "bucket": bucket, "key": key}); e.Code != "SignatureDoesNotMatch" || e.Status != 403 {
				t.Fatalf("wrong secret: %+v", e)
			}
			// an STS token is sent as x-oss-security-token and signed with the request
			sts := p.stsClient(sig)
			p.call("putObject", map[string]any{"client": sts, "bucket": bucket, "key": key + "-sts", "body": inline([]byte("sts"))})
		})
	}
}

func TestAppend(t *testing.T) {
	bucket := newBucket(t)
	p := startDriver(t)
	c := p.client("v4")
	a, b := pattern(3*KiB, 3), pattern(5*KiB, 4)
	r := p.call("appendObject", map[string]any{"client": c, "bucket": bucket, "key": "app", "position": 0, "body": inline(a)})
	if r["nextPosition"] != float64(len(a)) || r["crc64"] == nil {
		t.Fatalf("first append: %v", r)
	}
	r = p.call("appendObject", map[string]any{"client": c, "bucket": bucket, "key": "app", "position": len(a), "body": inline(b)})
	if r["nextPosition"] != float64(len(a)+len(b)) {
		t.Fatalf("second append: %v", r)
	}
	e := p.fail("appendObject", map[string]any{"client": c, "bucket": bucket, "key": "app", "position": 1, "body": inline(b)})
	if e.Code != "PositionNotEqualToLength" || e.Status != 409 {
		t.Fatalf("append at a wrong position: %+v", e)
	}
}

func TestMultipart(t *testing.T) {
	bucket := newBucket(t)
	p := startDriver(t)
	c := p.client("v1")
	at := func(m map[string]any) map[string]any { m["client"], m["bucket"] = c, bucket; return m }
	id := p.call("initiateMultipartUpload", at(map[string]any{"key": "mpu"}))["uploadId"].(string)
	other := p.call("initiateMultipartUpload", at(map[string]any{"key": "mpu-aborted"}))["uploadId"].(string)
	p1, p2 := pattern(200*KiB, 5), pattern(120*KiB, 6)
	r1 := p.call("uploadPart", at(map[string]any{"key": "mpu", "uploadId": id, "partNumber": 1, "body": inline(p1)}))
	r2 := p.call("uploadPart", at(map[string]any{"key": "mpu", "uploadId": id, "partNumber": 2, "body": inline(p2)}))
	if unquote(r1["etag"]) != md5hex(p1) || r2["crc64"] == nil {
		t.Fatalf("uploadPart: %v %v", r1, r2)
	}
	parts := p.call("listParts", at(map[string]any{"key": "mpu", "uploadId": id}))["parts"].([]any)
	if len(parts) != 2 || parts[1].(map[string]any)["size"] != float64(len(p2)) {
		t.Fatalf("listParts: %v", parts)
	}
	uploads := p.call("listMultipartUploads", at(map[string]any{"prefix": "mpu"}))["uploads"].([]any)
	if len(uploads) != 2 {
		t.Fatalf("listMultipartUploads: %v", uploads)
	}
	done := p.call("completeMultipartUpload", at(map[string]any{"key": "mpu", "uploadId": id, "parts": []any{
		map[string]any{"partNumber": 1, "etag": r1["etag"]}, map[string]any{"partNumber": 2, "etag": r2["etag"]},
	}}))
	if !strings.HasSuffix(unquote(done["etag"]), "-2") || done["crc64"] == nil {
		t.Fatalf("complete: %v", done)
	}
	if e := p.fail("listParts", at(map[string]any{"key": "mpu", "uploadId": id})); e.Code != "NoSuchUpload" || e.Status != 404 || e.RequestID == "" {
		t.Fatalf("listParts after complete: %+v", e)
	}
	p.call("abortMultipartUpload", at(map[string]any{"key": "mpu-aborted", "uploadId": other}))
	if e := p.fail("uploadPart", at(map[string]any{"key": "mpu-aborted", "uploadId": other, "partNumber": 1, "body": inline(p1)})); e.Code != "NoSuchUpload" {
		t.Fatalf("uploadPart after abort: %+v", e)
	}
}

func TestPresign(t *testing.T) {
	bucket := newBucket(t)
	p := startDriver(t)
	c := p.client("v1")
	data := pattern(6*KiB, 7)
	for _, sig := range []string{"v1", "v4"} {
		key := "presigned " + sig
		put := p.call("presignUrl", map[string]any{"client": c, "bucket": bucket, "key": key, "method": "PUT", "expiresSeconds": 300, "signatureVersion": sig})
		req, _ := http.NewRequest("PUT", put["url"].(string), bytes.NewReader(data))
		if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 200 {
			t.Fatalf("%s presigned PUT %v: %v %v", sig, put["url"], err, res)
		}
		get := p.call("presignUrl", map[string]any{"client": c, "bucket": bucket, "key": key, "method": "GET", "expiresSeconds": 300, "signatureVersion": sig})
		res, err := http.Get(get["url"].(string))
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("%s presigned GET %v: %v %v", sig, get["url"], err, res)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !bytes.Equal(body, data) {
			t.Fatalf("%s presigned GET returned %d bytes", sig, len(body))
		}
	}
}

// retries maps onto RetryMaxAttempts: with 0 a 500 fails the call, by default the SDK tries again.
func TestRetries(t *testing.T) {
	bucket := newBucket(t)
	p := startDriver(t)
	fault := map[string]any{"match": map[string]any{"bucket": bucket, "operation": "PutObject"},
		"fault": map[string]any{"type": "error", "status": 500, "code": "InternalError"}, "times": 1}
	body := map[string]any{"bucket": bucket, "key": "retried", "body": inline([]byte("x"))}
	addRule(t, fault)
	body["client"] = p.client("v4", "retries", 0)
	if e := p.fail("putObject", body); e.Code != "InternalError" || e.Status != 500 {
		t.Fatalf("retries 0: %+v", e)
	}
	addRule(t, fault)
	body["client"] = p.client("v4")
	p.call("putObject", body)
}

// On RequestTimeTooSkewed the SDK takes the server's time from the answer's Date, signs again with that offset and
// retries (oss/client.go postSendHttpRequestOnce; the code is retryable in oss/retry/retryable_error.go), logging a
// warning that reaches the suite as a log event.
func TestRequestTimeTooSkewed(t *testing.T) {
	bucket := newBucket(t)
	p := startDriver(t)
	addRule(t, map[string]any{"match": map[string]any{"bucket": bucket, "operation": "PutObject"},
		"fault": map[string]any{"type": "error", "status": 403, "code": "RequestTimeTooSkewed"}, "times": 1})
	p.call("putObject", map[string]any{"client": p.client("v4"), "bucket": bucket, "key": "skewed", "body": inline([]byte("x"))})
	if w := p.logs("warn"); !strings.Contains(w, "RequestTimeTooSkewed") {
		t.Fatalf("no warning about the clock correction, warn logs: %q", w)
	}
}

// interrupt cancels the context of every call in flight: each fails as context.Canceled, nothing is committed, and
// the client works afterwards.
func TestInterrupt(t *testing.T) {
	bucket := newBucket(t)
	p := startDriver(t)
	c := p.client("v4")
	p.call("putObject", map[string]any{"client": c, "bucket": bucket, "key": "int-get", "body": map[string]any{"path": writeFile(t, pattern(4*MiB, 7))}})
	release := addRule(t, map[string]any{"match": map[string]any{"bucket": bucket}, "ingestRate": 256 * KiB, "egressRate": 256 * KiB})
	upload := p.call("initiateMultipartUpload", map[string]any{"client": c, "bucket": bucket, "key": "int-mpu"})["uploadId"]
	// A cancelled call closes its connection with a FIN, behind what the kernels already buffer (about 4 MB per
	// loopback connection): a body that fits there would arrive whole once the throttle is lifted. 16 MiB, as the
	// suite's INT scenarios use, stays short.
	file := map[string]any{"path": writeFile(t, pattern(16*MiB, 8))}
	since := lastSeq(t)
	var calls []<-chan reply
	for i := 0; i < 3; i++ {
		calls = append(calls, p.start("putObject", map[string]any{"client": c, "bucket": bucket, "key": "int-" + string(rune('a'+i)), "body": file, "progress": true}))
	}
	calls = append(calls, p.start("uploadPart", map[string]any{"client": c, "bucket": bucket, "key": "int-mpu", "uploadId": upload, "partNumber": 1, "body": file}))
	get := p.start("getObject", map[string]any{"client": c, "bucket": bucket, "key": "int-get"})
	waitInflight(t, map[string]any{"bucket": bucket}, 64*KiB, 4)
	for deadline := time.Now().Add(10 * time.Second); len(ofType(events(t, since, "int-get"), "request.start")) == 0; {
		if time.Now().After(deadline) {
			t.Fatal("the download never started")
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.call("interrupt", map[string]any{"client": c})
	// status 200 once the response had arrived and its body was being read (TestErrorAfterResponse), else 0
	if r := p.wait("interrupted download", get); r.OK || r.Error.Code != "context.Canceled" || !r.Error.Interrupted {
		t.Fatalf("getObject after interrupt: %+v", r.Error)
	}
	for i, ch := range calls {
		r := p.wait("interrupted upload", ch)
		if r.OK || r.Error.Code != "context.Canceled" || !r.Error.Interrupted || r.Error.Status != 0 ||
			!strings.Contains(r.Error.SDKError, "context canceled") {
			t.Fatalf("call %d after interrupt: %+v", i, r.Error)
		}
	}
	if p.progressEvents(0) == 0 {
		t.Errorf("no progress event for a putObject with progress:true")
	}
	for i := 0; i < 3; i++ {
		if e := p.fail("headObject", map[string]any{"client": c, "bucket": bucket, "key": "int-" + string(rune('a'+i))}); e.Code != "NoSuchKey" {
			t.Fatalf("interrupted put committed something: %+v", e)
		}
	}
	if parts := p.call("listParts", map[string]any{"client": c, "bucket": bucket, "key": "int-mpu", "uploadId": upload})["parts"].([]any); len(parts) != 0 {
		t.Fatalf("an interrupted part was stored: %v", parts)
	}
	// the server sees each FIN only after the bytes queued before it: lift the throttle so it drains them
	release()
	for _, k := range []string{"int-a", "int-b", "int-c", "int-mpu"} {
		for deadline := time.Now().Add(10 * time.Second); len(ofType(events(t, since, k), "body.aborted")) != 1; {
			if time.Now().After(deadline) {
				t.Fatalf("the server logged no aborted body for %s", k)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	// calls after the interrupt run normally
	p.call("putObject", map[string]any{"client": c, "bucket": bucket, "key": "int-a", "body": inline([]byte("after"))})
}

// A download cancelled while its body is read keeps the status of the response that had arrived.
func TestErrorAfterResponse(t *testing.T) {
	w := toWire(&afterResponse{status: 200, err: fmt.Errorf("reading the body: %w", context.Canceled)})
	if w.Code != "context.Canceled" || w.Status != 200 {
		t.Fatalf("%+v", w)
	}
}

type resumable struct {
	bucket, key, file, dir string
	data                   []byte
}

func newResumable(t *testing.T, bucket, key string) resumable {
	data := pattern(2*MiB, 9)
	dir := filepath.Join(t.TempDir(), "checkpoints")
	os.Mkdir(dir, 0o755)
	return resumable{bucket, key, writeFile(t, data), dir, data}
}

func (r resumable) args(c string, headers map[string]string) map[string]any {
	a := map[string]any{"client": c, "bucket": r.bucket, "key": r.key, "file": r.file, "partSize": 256 * KiB,
		"parallel": 2, "checkpointDir": r.dir}
	if headers != nil {
		a["headers"] = headers
	}
	return a
}

func (r resumable) checkpoints(t *testing.T) int {
	entries, err := os.ReadDir(r.dir)
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

// 4 Mbit/s = 512 KiB/s per part: a 2 MiB file in 256 KiB parts takes about 2 s with 2 in parallel.
var slowParts = map[string]string{"x-oss-traffic-limit": "4194304"}

// startStopped starts a resumable upload slowed by x-oss-traffic-limit on its parts, and returns once 3 parts are
// stored, with the upload ID they belong to.
func startStopped(t *testing.T, p *proc, c string, r resumable) (string, <-chan reply, int) {
	since := lastSeq(t)
	ch := p.start("resumableUpload", r.args(c, slowParts))
	return waitStoredParts(t, since, r.key, 3, ch), ch, since
}

func assertResumed(t *testing.T, p *proc, c string, r resumable, since int, wantInitiated int) string {
	t.Helper()
	es := events(t, since, r.key)
	if n := len(ofType(es, "upload.initiated")); n != wantInitiated {
		t.Errorf("resumed run sent %d InitiateMultipartUpload, want %d", n, wantInitiated)
	}
	completed := ofType(es, "upload.completed")
	if len(completed) != 1 {
		t.Fatalf("resumed run completed %d uploads", len(completed))
	}
	get := p.call("getObject", map[string]any{"client": c, "bucket": r.bucket, "key": r.key})
	got, _ := base64.StdEncoding.DecodeString(get["body"].(map[string]any)["base64"].(string))
	if !bytes.Equal(got, r.data) || !strings.HasSuffix(unquote(get["etag"]), "-8") {
		t.Fatalf("object after resume: %d bytes, etag %v", len(got), get["etag"])
	}
	if n := r.checkpoints(t); n != 0 {
		t.Errorf("%d checkpoint files left after success", n)
	}
	return completed[0].UploadID
}

func TestResumableInterruptedThenResumed(t *testing.T) {
	bucket := newBucket(t)
	p := startDriver(t)
	c := p.client("v4")
	r := newResumable(t, bucket, "res")
	first, ch, _ := startStopped(t, p, c, r)
	p.call("interrupt", map[string]any{"client": c})
	res := p.wait("interrupted resumable upload", ch)
	if res.OK || res.Error.Code != "context.Canceled" || !res.Error.Interrupted {
		t.Fatalf("resumable upload after interrupt: %+v", res)
	}
	if r.checkpoints(t) != 1 {
		t.Fatalf("the checkpoint is not kept in checkpointDir after the interrupt")
	}
	since := lastSeq(t)
	p.call("resumableUpload", r.args(c, nil))
	if id := assertResumed(t, p, c, r, since, 0); id != first {
		t.Fatalf("resumed on upload %s, want %s", id, first)
	}
}

func TestResumableAfterAbort(t *testing.T) {
	bucket := newBucket(t)
	p := startDriver(t)
	c := p.client("v4")
	r := newResumable(t, bucket, "res-aborted")
	first, ch, _ := startStopped(t, p, c, r)
	p.call("interrupt", map[string]any{"client": c})
	p.wait("interrupted resumable upload", ch)
	p.call("abortMultipartUpload", map[string]any{"client": c, "bucket": bucket, "key": r.key, "uploadId": first})
	since := lastSeq(t)
	p.call("resumableUpload", r.args(c, nil))
	// the SDK's ListParts on the checkpoint's upload ID fails, so it starts a new upload (oss/uploader.go adjustSource)
	if id := assertResumed(t, p, c, r, since, 1); id == first {
		t.Fatalf("completed the aborted upload ID %s", id)
	}
}

// headers reach every part: an out-of-range x-oss-traffic-limit makes the parts, not the Initiate, fail.
func TestResumableHeadersOnParts(t *testing.T) {
	bucket := newBucket(t)
	p := startDriver(t)
	c := p.client("v1")
	r := newResumable(t, bucket, "res-headers")
	since := lastSeq(t)
	e := p.fail("resumableUpload", r.args(c, map[string]string{"x-oss-traffic-limit": "1"}))
	if e.Code != "InvalidArgument" || e.Status != 400 {
		t.Fatalf("resumable upload with a bad x-oss-traffic-limit: %+v", e)
	}
	for _, ev := range ofType(events(t, since, r.key), "request.end") {
		if ev.Operation == "UploadPart" && ev.Code != "InvalidArgument" {
			t.Fatalf("an UploadPart went without the header: %+v", ev)
		}
	}
}

// The suite's restart variant: SIGKILL the driver mid-upload, resume from the checkpoint directory in a new process.
// The v2 SDK compares the file's ModTime().String() (oss/checkpoint.go), stable for a given time zone.
func TestResumableAcrossRestart(t *testing.T) {
	bucket := newBucket(t)
	for _, tz := range []string{"UTC", "Asia/Shanghai"} {
		t.Run(tz, func(t *testing.T) {
			p := startDriver(t, "TZ="+tz)
			r := newResumable(t, bucket, "restart-"+strings.ReplaceAll(tz, "/", "-"))
			first, _, _ := startStopped(t, p, p.client("v4"), r)
			p.kill()
			if r.checkpoints(t) != 1 {
				t.Fatalf("no checkpoint in checkpointDir after the kill")
			}
			q := startDriver(t, "TZ="+tz)
			c := q.client("v4")
			since := lastSeq(t)
			q.call("resumableUpload", r.args(c, nil))
			if id := assertResumed(t, q, c, r, since, 0); id != first {
				t.Fatalf("resumed on upload %s, want %s", id, first)
			}
		})
	}
}

// A run that stored every part but failed at Complete leaves a checkpoint whose upload needs no more parts. The
// resumed run lists the 8 parts, uploads none and completes the upload on the server, then fails its own CRC-64
// check: combineCRC returns 0 when no part was uploaded in this run, ignoring the CRC of the listed parts
// (oss/uploader.go, v1.6.1). This documents that SDK behaviour; a fixed SDK fails this test.
func TestResumableResumeWithNothingLeftToUpload(t *testing.T) {
	bucket := newBucket(t)
	p := startDriver(t)
	c := p.client("v4", "retries", 0)
	r := newResumable(t, bucket, "res-complete-failed")
	addRule(t, map[string]any{"match": map[string]any{"bucket": bucket, "operation": "CompleteMultipartUpload"},
		"fault": map[string]any{"type": "error", "status": 500, "code": "InternalError"}, "times": 1})
	if e := p.fail("resumableUpload", r.args(c, nil)); e.Code != "InternalError" {
		t.Fatalf("first run: %+v", e)
	}
	since := lastSeq(t)
	e := p.fail("resumableUpload", r.args(c, nil))
	if e.Code != "ClientError:100001" || !strings.Contains(e.Message, "client 0,") {
		t.Fatalf("resumed run: %+v", e)
	}
	es := events(t, since, r.key)
	if len(ofType(es, "part.stored")) != 0 || len(ofType(es, "upload.completed")) != 1 {
		t.Fatalf("resumed run: want no part and one Complete, got %+v", es)
	}
	if h := p.call("headObject", map[string]any{"client": c, "bucket": bucket, "key": r.key}); h["size"] != float64(len(r.data)) {
		t.Fatalf("the object the failed run completed: %v", h)
	}
}
