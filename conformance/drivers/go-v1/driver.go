package main

import (
	"encoding/base64"
	"fmt"
	"io"
	"io/ioutil"
	"log"
	"strconv"
	"strings"
	"sync"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// No `interrupt`: the pinned SDK has no way to cancel a call in flight (a context option, oss.WithContext, appears
// only in v2.2.9), so the suite can only SIGKILL this driver. No `signature-v4`: AuthVersion(AuthV4) appears in
// v2.2.3.
var capabilities = []string{"multipart", "append", "resumable", "progress", "presign", "signature-v1"}

type driver struct {
	out     *out
	mu      sync.Mutex
	clients map[string]*oss.Client
	next    int
}

func newDriver(o *out) *driver { return &driver{out: o, clients: map[string]*oss.Client{}} }

func (d *driver) handle(req request) (any, error) {
	a := &req.Args
	switch req.Op {
	case "hello":
		version := protocol
		if a.Protocol > 0 && a.Protocol < protocol {
			version = a.Protocol
		}
		return map[string]any{
			"name":         "go-v1",
			"protocol":     version,
			"sdk":          map[string]string{"name": sdkModule, "version": sdkVersion()},
			"language":     goVersion(),
			"capabilities": capabilities,
		}, nil
	case "createClient":
		c, err := d.newClient(a)
		if err != nil {
			return nil, err
		}
		d.mu.Lock()
		defer d.mu.Unlock()
		d.next++
		id := strconv.Itoa(d.next)
		d.clients[id] = c
		return map[string]string{"client": id}, nil
	case "shutdown":
		return nil, nil
	}

	d.mu.Lock()
	c := d.clients[a.Client]
	if req.Op == "closeClient" {
		delete(d.clients, a.Client)
	}
	d.mu.Unlock()
	if c == nil {
		return nil, protocolError("unknown client " + a.Client)
	}
	switch req.Op {
	case "closeClient":
		return nil, nil
	case "interrupt":
		return nil, notSupported("go-v1 cannot cancel a call in flight: the SDK has no context option before v2.2.9")
	}
	var opts []oss.Option
	if a.Progress {
		opts = append(opts, oss.Progress(progress(func(n int64) {
			d.out.send(map[string]any{"event": "progress", "id": req.ID, "bytes": n})
		})))
	}
	for k, v := range a.Headers {
		o, err := header(k, v)
		if err != nil {
			return nil, err
		}
		opts = append(opts, o)
	}
	b, err := c.Bucket(a.Bucket)
	if err != nil {
		return nil, err
	}
	return call(b, req.Op, a, opts)
}

func (d *driver) newClient(a *args) (*oss.Client, error) {
	opts := []oss.ClientOption{
		oss.SetLogLevel(oss.Warn),
		oss.SetLogger(log.New(logWriter{d.out}, "", 0)),
	}
	if a.SecurityToken != "" {
		opts = append(opts, oss.SecurityToken(a.SecurityToken))
	}
	if a.ConnectTimeoutMs > 0 {
		opts = append(opts, oss.Timeout((a.ConnectTimeoutMs+999)/1000, 60))
	}
	if a.SignatureVersion == "v4" {
		// the protocol's rule for an SDK that cannot: sign as it can (the suite only asks with signature-v4)
		d.out.log("warn", "go-v1: this SDK version signs V1 only; signing V1")
	}
	// `retries` has nothing to set: Config.RetryTimes exists but no code of the SDK reads it (oss/conf.go).
	return oss.New(a.Endpoint, a.AccessKeyID, a.AccessKeySecret, opts...)
}

// header maps a protocol header onto the SDK's option for it; the SDK has no option for arbitrary headers.
func header(k, v string) (oss.Option, error) {
	if strings.EqualFold(k, "x-oss-traffic-limit") {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, protocolError("x-oss-traffic-limit must be a number: " + v)
		}
		return oss.TrafficLimitHeader(n), nil
	}
	return nil, notSupported("the v1 Go SDK has no option for header " + k)
}

type progress func(int64)

func (p progress) ProgressChanged(e *oss.ProgressEvent) {
	if e.EventType == oss.TransferDataEvent {
		p(e.ConsumedBytes)
	}
}

// logWriter turns the SDK's log lines ("[warn]...", oss/conf.go WriteLog) into log events.
type logWriter struct{ out *out }

func (w logWriter) Write(p []byte) (int, error) {
	line := strings.TrimSpace(string(p))
	level := "info"
	if strings.HasPrefix(line, "[error]") {
		level = "error"
	} else if strings.HasPrefix(line, "[warn]") {
		level = "warn"
	}
	w.out.log(level, line)
	return len(p), nil
}

type written struct {
	ETag  string `json:"etag"`
	CRC64 string `json:"crc64,omitempty"`
}

func call(b *oss.Bucket, op string, a *args, opts []oss.Option) (any, error) {
	imur := oss.InitiateMultipartUploadResult{Bucket: a.Bucket, Key: a.Key, UploadID: a.UploadID}
	switch op {
	case "putObject":
		r, done, err := a.Body.open()
		if err != nil {
			return nil, err
		}
		defer done()
		res, err := b.DoPutObject(&oss.PutObjectRequest{ObjectKey: a.Key, Reader: r}, opts)
		if err != nil {
			return nil, err
		}
		res.Body.Close()
		return written{res.Headers.Get("ETag"), res.Headers.Get("X-Oss-Hash-Crc64ecma")}, nil

	case "getObject":
		res, err := b.DoGetObject(&oss.GetObjectRequest{ObjectKey: a.Key}, opts)
		if err != nil {
			return nil, err
		}
		defer res.Response.Body.Close()
		data, err := ioutil.ReadAll(res.Response.Body)
		if err != nil {
			return nil, &afterResponse{status: res.Response.StatusCode, err: err}
		}
		h := res.Response.Headers
		return struct {
			written
			Body map[string]string `json:"body"`
		}{
			written{h.Get("ETag"), h.Get("X-Oss-Hash-Crc64ecma")},
			map[string]string{"base64": base64.StdEncoding.EncodeToString(data)},
		}, nil

	case "headObject":
		h, err := b.GetObjectDetailedMeta(a.Key)
		if err != nil {
			return nil, headError(err)
		}
		size, _ := strconv.ParseInt(h.Get("Content-Length"), 10, 64)
		return struct {
			written
			Size int64 `json:"size"`
		}{written{h.Get("ETag"), h.Get("X-Oss-Hash-Crc64ecma")}, size}, nil

	case "deleteObject":
		return nil, b.DeleteObject(a.Key)

	case "appendObject":
		r, done, err := a.Body.open()
		if err != nil {
			return nil, err
		}
		defer done()
		if a.Position == 0 {
			// The SDK checks an append's CRC-64 only when told the object's CRC before it; at 0 that is 0.
			opts = append(opts, oss.InitCRC(0))
		}
		res, err := b.DoAppendObject(&oss.AppendObjectRequest{ObjectKey: a.Key, Reader: r, Position: a.Position}, opts)
		if err != nil {
			return nil, err
		}
		return struct {
			NextPosition int64  `json:"nextPosition"`
			CRC64        string `json:"crc64"`
		}{res.NextPosition, strconv.FormatUint(res.CRC, 10)}, nil

	case "initiateMultipartUpload":
		res, err := b.InitiateMultipartUpload(a.Key)
		if err != nil {
			return nil, err
		}
		return map[string]string{"uploadId": res.UploadID}, nil

	case "uploadPart":
		r, done, err := a.Body.open()
		if err != nil {
			return nil, err
		}
		defer done()
		size, err := r.Seek(0, io.SeekEnd)
		if err != nil {
			return nil, err
		}
		r.Seek(0, io.SeekStart)
		res, err := b.DoUploadPart(&oss.UploadPartRequest{
			InitResult: &imur, Reader: r, PartSize: size, PartNumber: int(a.PartNumber),
		}, opts)
		if err != nil {
			return nil, err
		}
		return written{ETag: res.Part.ETag}, nil

	case "listParts":
		parts := []part{}
		marker := 0
		for {
			res, err := b.ListUploadedParts(imur, oss.PartNumberMarker(marker))
			if err != nil {
				return nil, err
			}
			for _, p := range res.UploadedParts {
				parts = append(parts, part{PartNumber: int32(p.PartNumber), ETag: p.ETag, Size: int64(p.Size)})
			}
			if !res.IsTruncated {
				return map[string]any{"parts": parts}, nil
			}
			if marker, err = strconv.Atoi(res.NextPartNumberMarker); err != nil {
				return nil, err
			}
		}

	case "listMultipartUploads":
		type upload struct {
			Key      string `json:"key"`
			UploadID string `json:"uploadId"`
		}
		uploads := []upload{}
		var keyMarker, idMarker string
		for {
			res, err := b.ListMultipartUploads(oss.Prefix(a.Prefix), oss.KeyMarker(keyMarker), oss.UploadIDMarker(idMarker))
			if err != nil {
				return nil, err
			}
			for _, u := range res.Uploads {
				uploads = append(uploads, upload{u.Key, u.UploadID})
			}
			if !res.IsTruncated {
				return map[string]any{"uploads": uploads}, nil
			}
			keyMarker, idMarker = res.NextKeyMarker, res.NextUploadIDMarker
		}

	case "completeMultipartUpload":
		parts := make([]oss.UploadPart, len(a.Parts))
		for i, p := range a.Parts {
			parts[i] = oss.UploadPart{PartNumber: int(p.PartNumber), ETag: p.ETag}
		}
		res, err := b.CompleteMultipartUpload(imur, parts)
		if err != nil {
			return nil, err
		}
		return written{ETag: res.ETag}, nil

	case "abortMultipartUpload":
		return nil, b.AbortMultipartUpload(imur)

	case "resumableUpload":
		// CheckpointDir lets the SDK name the file after the source path and oss://bucket/key (oss/upload.go,
		// getCpFileName), so uploads sharing a directory never pick up each other's checkpoint.
		opts = append(opts, oss.Routines(a.Parallel), oss.CheckpointDir(true, a.CheckpointDir))
		if err := b.UploadFile(a.Key, a.File, a.PartSize, opts...); err != nil {
			return nil, err
		}
		// UploadFile reports only an error; the ETag and CRC-64 of what it completed come from a HEAD.
		h, err := b.GetObjectDetailedMeta(a.Key)
		if err != nil {
			return nil, headError(err)
		}
		return written{h.Get("ETag"), h.Get("X-Oss-Hash-Crc64ecma")}, nil

	case "presignUrl":
		if a.SignatureVersion == "v4" {
			return nil, notSupported("this v1 Go SDK version presigns V1 only")
		}
		method := oss.HTTPGet
		if a.Method == "PUT" {
			method = oss.HTTPPut
		}
		url, err := b.SignURL(a.Key, method, a.ExpiresSeconds)
		if err != nil {
			return nil, err
		}
		return map[string]string{"url": url}, nil
	}
	return nil, notSupported(fmt.Sprintf("go-v1 driver has no op %s", op))
}
