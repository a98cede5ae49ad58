package main

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

func newBucket(t *testing.T) string {
	t.Helper()
	name := bucketName()
	api, err := oss.New(endpoint, accessKeyID, accessKeySecret)
	if err == nil {
		err = api.CreateBucket(name)
	}
	if err != nil {
		t.Fatalf("CreateBucket %s: %v", name, err)
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
	if r["protocol"] != float64(2) || r["name"] != "go-v1" {
		t.Fatalf("hello: %v", r)
	}
	// the test binary links the same SDK version as the driver: the go.mod pin, or another one after `go get`
	if sdk := r["sdk"].(map[string]any); sdk["version"] != sdkVersion() || !strings.HasPrefix(sdkVersion(), "v") || sdk["name"] != sdkModule {
		t.Fatalf("sdk: %v, want version %s", sdk, sdkVersion())
	}
	caps := strings.Join(toStrings(r["capabilities"]), " ")
	if !strings.Contains(caps, "resumable") || strings.Contains(caps, "interrupt") || strings.Contains(caps, "signature-v4") {
		t.Fatalf("capabilities: %v", caps)
	}
	if v := p.call("hello", map[string]any{"protocol": 1})["protocol"]; v != float64(1) {
		t.Fatalf("hello protocol 1 answered %v", v)
	}
	c := p.client("v1")
	if e := p.fail("interrupt", map[string]any{"client": c}); e.Code != "NotSupported" {
		t.Fatalf("interrupt: %+v", e)
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
	p := startDriver(t)
	c := p.client("v1")
	key := "obj"
	data := pattern(300*KiB, 1)
	put := p.call("putObject", map[string]any{"client": c, "bucket": bucket, "key": key, "body": inline(data), "progress": true})
	if unquote(put["etag"]) != md5hex(data) || put["crc64"] == nil {
		t.Fatalf("putObject: %v", put)
	}
	if p.progressEvents(0) == 0 {
		t.Errorf("no progress event for a putObject with progress:true")
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
	big := pattern(3*MiB, 2)
	p.call("putObject", map[string]any{"client": c, "bucket": bucket, "key": key, "body": map[string]any{"path": writeFile(t, big)}})
	if h := p.call("headObject", map[string]any{"client": c, "bucket": bucket, "key": key}); h["size"] != float64(len(big)) {
		t.Fatalf("headObject after a file body: %v", h)
	}
	p.call("deleteObject", map[string]any{"client": c, "bucket": bucket, "key": key})
	// the SDK reads no x-oss-err: its HEAD error has no code, only the status and request ID
	e := p.fail("headObject", map[string]any{"client": c, "bucket": bucket, "key": key})
	if e.Code != "NoSuchKey" || e.Status != 404 || len(e.RequestID) != 24 || !strings.Contains(e.SDKError, "ErrorCode=,") {
		t.Fatalf("headObject of a deleted key: %+v", e)
	}
	e = p.fail("getObject", map[string]any{"client": c, "bucket": bucket, "key": key})
	if e.Code != "NoSuchKey" || e.Status != 404 || e.RequestID == "" || !strings.HasPrefix(e.SDKError, "oss.ServiceError:") {
		t.Fatalf("getObject of a deleted key: %+v", e)
	}
	wrong := p.client("v1", "accessKeySecret", "wrong")
	if e := p.fail("getObject", map[string]any{"client": wrong, "bucket": bucket, "key": key}); e.Code != "SignatureDoesNotMatch" || e.Status != 403 {
		t.Fatalf("wrong secret: %+v", e)
	}
	sts := p.stsClient("v1")
	p.call("putObject", map[string]any{"client": sts, "bucket": bucket, "key": key + "-sts", "body": inline([]byte("sts"))})
	// only x-oss-traffic-limit has an option in this SDK
	if e := p.fail("putObject", map[string]any{"client": c, "bucket": bucket, "key": key, "body": inline(data), "headers": map[string]string{"x-oss-foo": "1"}}); e.Code != "NotSupported" {
		t.Fatalf("an arbitrary header: %+v", e)
	}
}

func TestAppend(t *testing.T) {
	bucket := newBucket(t)
	p := startDriver(t)
	c := p.client("v1")
	a, b := pattern(3*KiB, 3), pattern(5*KiB, 4)
	r := p.call("appendObject", map[string]any{"client": c, "bucket": bucket, "key": "app", "position": 0, "body": inline(a)})
	if r["nextPosition"] != float64(len(a)) {
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
	if unquote(r1["etag"]) != md5hex(p1) {
		t.Fatalf("uploadPart: %v", r1)
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
	if !strings.HasSuffix(unquote(done["etag"]), "-2") {
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
	args := func(method, sig string) map[string]any {
		return map[string]any{"client": c, "bucket": bucket, "key": "presigned key", "method": method, "expiresSeconds": 300, "signatureVersion": sig}
	}
	put := p.call("presignUrl", args("PUT", "v1"))
	req, _ := http.NewRequest("PUT", put["url"].(string), bytes.NewReader(data))
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 200 {
		t.Fatalf("presigned PUT %v: %v %v", put["url"], err, res)
	}
	res, err := http.Get(p.call("presignUrl", args("GET", "v1"))["url"].(string))
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("presigned GET: %v %v", err, res)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !bytes.Equal(body, data) {
		t.Fatalf("presigned GET returned %d bytes", len(body))
	}
	if e := p.fail("presignUrl", args("GET", "v4")); e.Code != "NotSupported" {
		t.Fatalf("V4 presign: %+v", e)
	}
}

// The SDK never retries (Config.RetryTimes is read by nothing): one 500 fails the call.
func TestNoRetries(t *testing.T) {
	bucket := newBucket(t)
	p := startDriver(t)
	addRule(t, map[string]any{"match": map[string]any{"bucket": bucket, "operation": "PutObject"},
		"fault": map[string]any{"type": "error", "status": 500, "code": "InternalError"}, "times": 1})
	e := p.fail("putObject", map[string]any{"client": p.client("v1"), "bucket": bucket, "key": "k", "body": inline([]byte("x"))})
	if e.Code != "InternalError" || e.Status != 500 {
		t.Fatalf("putObject with one 500: %+v", e)
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

// killedMidUpload starts a resumable upload in a driver under TZ=tz, slowed by x-oss-traffic-limit on its parts,
// and SIGKILLs that driver once 3 parts are stored; it returns their upload ID. The SDK rewrites its checkpoint in
// place after every part (ioutil.WriteFile truncates first, oss/upload.go dump), so a kill during that write leaves
// an empty file and a fresh upload whatever the time zone: the parts in flight are held first, and the kill waits
// for a whole checkpoint.
func killedMidUpload(t *testing.T, tz string, r resumable) string {
	t.Helper()
	p := startDriver(t, "TZ="+tz)
	since := lastSeq(t)
	ch := p.start("resumableUpload", r.args(p.client("v1"), slowParts))
	id := waitStoredParts(t, since, r.key, 3, ch)
	release := addRule(t, map[string]any{"match": map[string]any{"bucket": r.bucket, "keyPrefix": r.key, "operation": "UploadPart"}, "ingestRate": 1})
	waitInflight(t, map[string]any{"bucket": r.bucket, "keyPrefix": r.key, "operation": "UploadPart"}, 1, 2)
	for deadline := time.Now().Add(10 * time.Second); !wholeCheckpoint(r.dir); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no whole checkpoint in %s", r.dir)
		}
	}
	p.kill()
	release()
	return id
}

func wholeCheckpoint(dir string) bool {
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		return false
	}
	b, err := os.ReadFile(filepath.Join(dir, entries[0].Name()))
	return err == nil && json.Valid(b)
}

// headers reach every part: an out-of-range x-oss-traffic-limit makes the parts fail.
func TestResumableHeadersOnParts(t *testing.T) {
	bucket := newBucket(t)
	p := startDriver(t)
	r := newResumable(t, bucket, "res-headers")
	since := lastSeq(t)
	e := p.fail("resumableUpload", r.args(p.client("v1"), map[string]string{"x-oss-traffic-limit": "1"}))
	if e.Code != "InvalidArgument" || e.Status != 400 {
		t.Fatalf("resumable upload with a bad x-oss-traffic-limit: %+v", e)
	}
	for _, ev := range ofType(events(t, since, r.key), "request.end") {
		if ev.Operation == "UploadPart" && ev.Code != "InvalidArgument" {
			t.Fatalf("an UploadPart went without the header: %+v", ev)
		}
	}
}

// The SDK's checkpoint keeps the file's modification time as JSON and compares it with != after reading it back
// (oss/upload.go, uploadCheckpoint.isValid, up to v2.0.3; v2.0.4 compares with Equal). JSON carries the zone offset
// only: under Asia/Shanghai the parsed time gets time.Local back and equals the file's, under UTC it gets time.UTC,
// a different *Location than the file's time.Local, so != reports a changed file and the SDK starts a new upload,
// leaving the old one open. This test pins that behaviour of the pinned SDK.
func TestResumableAcrossRestart(t *testing.T) {
	bucket := newBucket(t)
	for _, tc := range []struct {
		tz      string
		resumes bool
	}{{"Asia/Shanghai", true}, {"UTC", false}} {
		t.Run(tc.tz, func(t *testing.T) {
			r := newResumable(t, bucket, "restart-"+strings.ReplaceAll(tc.tz, "/", "-"))
			first := killedMidUpload(t, tc.tz, r)
			q := startDriver(t, "TZ="+tc.tz)
			c := q.client("v1")
			since := lastSeq(t)
			done := q.call("resumableUpload", r.args(c, nil))
			es := events(t, since, r.key)
			initiated, completed := ofType(es, "upload.initiated"), ofType(es, "upload.completed")
			if len(completed) != 1 {
				t.Fatalf("resumed run completed %d uploads", len(completed))
			}
			open := q.call("listMultipartUploads", map[string]any{"client": c, "bucket": bucket, "prefix": r.key})["uploads"].([]any)
			if tc.resumes {
				if len(initiated) != 0 || completed[0].UploadID != first || len(open) != 0 {
					t.Fatalf("want a resume of %s: initiated %d, completed %s, open %v", first, len(initiated), completed[0].UploadID, open)
				}
				// the parts the checkpoint records are not sent again (one stored just before the kill may be)
				if stored := len(ofType(es, "part.stored")); stored >= 8 {
					t.Errorf("the resumed run stored all %d parts again", stored)
				}
			} else {
				if len(initiated) != 1 || completed[0].UploadID == first || len(open) != 1 || open[0].(map[string]any)["uploadId"] != first {
					t.Fatalf("want a new upload leaving %s open: initiated %d, completed %s, open %v", first, len(initiated), completed[0].UploadID, open)
				}
				if stored := len(ofType(es, "part.stored")); stored != 8 {
					t.Errorf("the new upload stored %d parts, want all 8", stored)
				}
			}
			get := q.call("getObject", map[string]any{"client": c, "bucket": bucket, "key": r.key})
			got, _ := base64.StdEncoding.DecodeString(get["body"].(map[string]any)["base64"].(string))
			if !bytes.Equal(got, r.data) || get["etag"] != done["etag"] || r.checkpoints(t) != 0 {
				t.Fatalf("after the resumed run: %d bytes, etag %v vs %v, %d checkpoints", len(got), get["etag"], done["etag"], r.checkpoints(t))
			}
		})
	}
}

// After an Abort between the runs the SDK trusts its checkpoint and sends the missing parts to the dead upload
// without asking ListParts (oss/upload.go, uploadFileWithCp): the run fails with NoSuchUpload and keeps the
// checkpoint, so every later run fails the same way until the checkpoint is deleted.
func TestResumableAfterAbort(t *testing.T) {
	bucket := newBucket(t)
	r := newResumable(t, bucket, "res-aborted")
	first := killedMidUpload(t, "Asia/Shanghai", r)
	q := startDriver(t, "TZ=Asia/Shanghai")
	c := q.client("v1")
	q.call("abortMultipartUpload", map[string]any{"client": c, "bucket": bucket, "key": r.key, "uploadId": first})
	for run := 1; run <= 2; run++ {
		if e := q.fail("resumableUpload", r.args(c, nil)); e.Code != "NoSuchUpload" || e.Status != 404 {
			t.Fatalf("run %d after the abort: %+v", run, e)
		}
		if r.checkpoints(t) != 1 {
			t.Fatalf("run %d after the abort removed the checkpoint", run)
		}
	}
}
