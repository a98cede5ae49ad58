package main

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"
	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/signer"
)

var capabilities = []string{
	"interrupt", "interrupt-resumable", "multipart", "append", "resumable", "progress", "presign",
	"signature-v1", "signature-v4",
}

type driver struct {
	out     *out
	mu      sync.Mutex
	clients map[string]*client
	next    int
}

func newDriver(o *out) *driver { return &driver{out: o, clients: map[string]*client{}} }

// client is one createClient: the SDK client, its config (presigning with the other signature version needs a
// second client) and the context every call in flight was given, which `interrupt` cancels.
type client struct {
	cfg    *oss.Config
	api    *oss.Client
	mu     sync.Mutex
	ctx    context.Context
	cancel context.CancelFunc
}

func (c *client) context() context.Context {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ctx
}

// interrupt cancels the context of every call in flight; later calls get a fresh one and run normally.
func (c *client) interrupt() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cancel()
	c.ctx, c.cancel = context.WithCancel(context.Background())
}

func (d *driver) handle(req request) (any, error) {
	a := &req.Args
	switch req.Op {
	case "hello":
		version := protocol
		if a.Protocol > 0 && a.Protocol < protocol {
			version = a.Protocol
		}
		return map[string]any{
			"name":         "go-v2",
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
		c.interrupt()
		return nil, nil
	case "interrupt":
		c.interrupt()
		return nil, nil
	}

	ctx := c.context()
	var progress oss.ProgressFunc
	if a.Progress {
		progress = func(_, transferred, _ int64) {
			d.out.send(map[string]any{"event": "progress", "id": req.ID, "bytes": transferred})
		}
	}
	result, err := c.call(ctx, req.Op, a, progress)
	if err != nil && ctx.Err() != nil && errors.Is(err, context.Canceled) {
		w := toWire(err)
		w.Interrupted = true
		return nil, w
	}
	return result, err
}

func (d *driver) newClient(a *args) (*client, error) {
	u, err := url.Parse(a.Endpoint)
	if err != nil || u.Host == "" {
		return nil, protocolError("endpoint must be a URL: " + a.Endpoint)
	}
	cfg := oss.LoadDefaultConfig().
		WithEndpoint(a.Endpoint).
		WithRegion(a.Region).
		WithCredentialsProvider(credentials.NewStaticCredentialsProvider(a.AccessKeyID, a.AccessKeySecret, a.SecurityToken)).
		WithSignatureVersion(signatureVersion(a.SignatureVersion)).
		WithLogLevel(oss.LogWarn).
		WithLogPrinter(oss.LogPrinterFunc(func(v ...any) { d.out.log(logLevel(fmt.Sprint(v...)), fmt.Sprint(v...)) }))
	// Virtual-hosted addressing needs a DNS name per bucket; an IP endpoint (the mock) can only be path style.
	if host := u.Hostname(); net.ParseIP(host) != nil || host == "localhost" {
		cfg = cfg.WithUsePathStyle(true)
	}
	if a.Retries != nil {
		// RetryMaxAttempts counts the first attempt too.
		cfg = cfg.WithRetryMaxAttempts(*a.Retries + 1)
	}
	if a.ConnectTimeoutMs > 0 {
		cfg = cfg.WithConnectTimeout(time.Duration(a.ConnectTimeoutMs) * time.Millisecond)
	}
	c := &client{cfg: cfg, api: newAPI(cfg)}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	return c, nil
}

func newAPI(cfg *oss.Config) *oss.Client {
	return oss.NewClient(cfg, func(o *oss.Options) { o.Signer = headerSigner{o.Signer} })
}

func signatureVersion(v string) oss.SignatureVersionType {
	if v == "v4" {
		return oss.SignatureVersionV4
	}
	return oss.SignatureVersionV1
}

// logLevel reads the level tag the SDK's standardLogger puts first (oss/logger.go: "ERROR ", "WARNING ", ...).
func logLevel(line string) string {
	switch {
	case strings.HasPrefix(line, "ERROR"):
		return "error"
	case strings.HasPrefix(line, "WARN"):
		return "warn"
	}
	return "info"
}

type headersKey struct{}

// headerSigner adds the headers a call carries in its context before the SDK signs the request. The Uploader builds
// its UploadPart requests itself and copies no headers or TrafficLimit from the PutObjectRequest (oss/uploader.go,
// multiPart), so this is how `headers` such as x-oss-traffic-limit reach every part of a resumable upload; they are
// x-oss-* headers, signed like the SDK's own.
type headerSigner struct{ signer.Signer }

func (s headerSigner) Sign(ctx context.Context, sc *signer.SigningContext) error {
	if h, ok := ctx.Value(headersKey{}).(map[string]string); ok {
		for k, v := range h {
			sc.Request.Header.Set(k, v)
		}
	}
	return s.Signer.Sign(ctx, sc)
}

type written struct {
	ETag  string `json:"etag"`
	CRC64 string `json:"crc64,omitempty"`
}

func (c *client) call(ctx context.Context, op string, a *args, progress oss.ProgressFunc) (any, error) {
	bucket, key := oss.Ptr(a.Bucket), oss.Ptr(a.Key)
	common := oss.RequestCommon{Headers: a.Headers}
	switch op {
	case "putObject":
		r, done, err := a.Body.open()
		if err != nil {
			return nil, err
		}
		defer done()
		res, err := c.api.PutObject(ctx, &oss.PutObjectRequest{
			Bucket: bucket, Key: key, Body: r, ProgressFn: progress, RequestCommon: common,
		})
		if err != nil {
			return nil, err
		}
		return written{oss.ToString(res.ETag), oss.ToString(res.HashCRC64)}, nil

	case "getObject":
		res, err := c.api.GetObject(ctx, &oss.GetObjectRequest{Bucket: bucket, Key: key, RequestCommon: common})
		if err != nil {
			return nil, err
		}
		defer res.Body.Close()
		data, err := io.ReadAll(res.Body)
		if err != nil {
			return nil, &afterResponse{status: res.StatusCode, err: err}
		}
		return struct {
			written
			Body map[string]string `json:"body"`
		}{
			written{oss.ToString(res.ETag), oss.ToString(res.HashCRC64)},
			map[string]string{"base64": base64.StdEncoding.EncodeToString(data)},
		}, nil

	case "headObject":
		res, err := c.api.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: bucket, Key: key})
		if err != nil {
			return nil, err
		}
		return struct {
			written
			Size int64 `json:"size"`
		}{written{oss.ToString(res.ETag), oss.ToString(res.HashCRC64)}, res.ContentLength}, nil

	case "deleteObject":
		_, err := c.api.DeleteObject(ctx, &oss.DeleteObjectRequest{Bucket: bucket, Key: key})
		return nil, err

	case "appendObject":
		r, done, err := a.Body.open()
		if err != nil {
			return nil, err
		}
		defer done()
		req := &oss.AppendObjectRequest{
			Bucket: bucket, Key: key, Position: oss.Ptr(a.Position), Body: r, ProgressFn: progress, RequestCommon: common,
		}
		if a.Position == 0 {
			// The SDK checks an append's CRC-64 only when told the object's CRC before it; at 0 that is 0.
			req.InitHashCRC64 = oss.Ptr("0")
		}
		res, err := c.api.AppendObject(ctx, req)
		if err != nil {
			return nil, err
		}
		return struct {
			NextPosition int64  `json:"nextPosition"`
			CRC64        string `json:"crc64,omitempty"`
		}{res.NextPosition, oss.ToString(res.HashCRC64)}, nil

	case "initiateMultipartUpload":
		res, err := c.api.InitiateMultipartUpload(ctx, &oss.InitiateMultipartUploadRequest{Bucket: bucket, Key: key})
		if err != nil {
			return nil, err
		}
		return map[string]string{"uploadId": oss.ToString(res.UploadId)}, nil

	case "uploadPart":
		r, done, err := a.Body.open()
		if err != nil {
			return nil, err
		}
		defer done()
		res, err := c.api.UploadPart(ctx, &oss.UploadPartRequest{
			Bucket: bucket, Key: key, UploadId: oss.Ptr(a.UploadID), PartNumber: a.PartNumber, Body: r,
			ProgressFn: progress, RequestCommon: common,
		})
		if err != nil {
			return nil, err
		}
		return written{oss.ToString(res.ETag), oss.ToString(res.HashCRC64)}, nil

	case "listParts":
		parts := []part{}
		p := oss.NewListPartsPaginator(c.api, &oss.ListPartsRequest{Bucket: bucket, Key: key, UploadId: oss.Ptr(a.UploadID)})
		for p.HasNext() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, err
			}
			for _, x := range page.Parts {
				parts = append(parts, part{PartNumber: x.PartNumber, ETag: oss.ToString(x.ETag), Size: x.Size})
			}
		}
		return map[string]any{"parts": parts}, nil

	case "listMultipartUploads":
		type upload struct {
			Key      string `json:"key"`
			UploadID string `json:"uploadId"`
		}
		uploads := []upload{}
		req := &oss.ListMultipartUploadsRequest{Bucket: bucket, Prefix: oss.Ptr(a.Prefix)}
		for {
			page, err := c.api.ListMultipartUploads(ctx, req)
			if err != nil {
				return nil, err
			}
			for _, u := range page.Uploads {
				uploads = append(uploads, upload{oss.ToString(u.Key), oss.ToString(u.UploadId)})
			}
			if !page.IsTruncated {
				return map[string]any{"uploads": uploads}, nil
			}
			req.KeyMarker, req.UploadIdMarker = page.NextKeyMarker, page.NextUploadIdMarker
		}

	case "completeMultipartUpload":
		parts := make([]oss.UploadPart, len(a.Parts))
		for i, p := range a.Parts {
			parts[i] = oss.UploadPart{PartNumber: p.PartNumber, ETag: oss.Ptr(p.ETag)}
		}
		res, err := c.api.CompleteMultipartUpload(ctx, &oss.CompleteMultipartUploadRequest{
			Bucket: bucket, Key: key, UploadId: oss.Ptr(a.UploadID),
			CompleteMultipartUpload: &oss.CompleteMultipartUpload{Parts: parts},
		})
		if err != nil {
			return nil, err
		}
		return written{oss.ToString(res.ETag), oss.ToString(res.HashCRC64)}, nil

	case "abortMultipartUpload":
		_, err := c.api.AbortMultipartUpload(ctx, &oss.AbortMultipartUploadRequest{
			Bucket: bucket, Key: key, UploadId: oss.Ptr(a.UploadID),
		})
		return nil, err

	case "resumableUpload":
		u := oss.NewUploader(c.api, func(o *oss.UploaderOptions) {
			o.PartSize = a.PartSize
			o.ParallelNum = a.Parallel
			o.EnableCheckpoint = true
			// The SDK keeps its checkpoint in filepath.Dir(CheckpointDir) (oss/checkpoint.go,
			// newUploadCheckpoint): without the trailing separator the file would land in the parent directory.
			o.CheckpointDir = strings.TrimRight(a.CheckpointDir, string(os.PathSeparator)) + string(os.PathSeparator)
		})
		if len(a.Headers) > 0 {
			ctx = context.WithValue(ctx, headersKey{}, a.Headers)
		}
		res, err := u.UploadFile(ctx, &oss.PutObjectRequest{Bucket: bucket, Key: key, ProgressFn: progress}, a.File)
		if err != nil {
			return nil, err
		}
		return written{oss.ToString(res.ETag), oss.ToString(res.HashCRC64)}, nil

	case "presignUrl":
		api := c.api
		if v := signatureVersion(a.SignatureVersion); v != *c.cfg.SignatureVersion {
			cfg := c.cfg.Copy()
			api = newAPI(cfg.WithSignatureVersion(v))
		}
		var req any = &oss.GetObjectRequest{Bucket: bucket, Key: key}
		if a.Method == "PUT" {
			req = &oss.PutObjectRequest{Bucket: bucket, Key: key}
		}
		res, err := api.Presign(ctx, req, oss.PresignExpires(time.Duration(a.ExpiresSeconds)*time.Second))
		if err != nil {
			return nil, err
		}
		return map[string]string{"url": res.URL}, nil
	}
	return nil, notSupported("go-v2 driver has no op " + op)
}
