// Command go-v1 is the conformance driver for github.com/aliyun/aliyun-oss-go-sdk (the v1 Go SDK): it speaks the
// JSON-lines protocol of conformance/PROTOCOL.md on stdin/stdout and runs every request through the SDK. Build it
// with `go build -o <bin> .` and run it as `oss-conformance run --driver process:<bin>`.
package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sync"
	_ "time/tzdata" // the resumable checkpoint depends on the time zone (TZ=...): never fall back to UTC silently
)

// protocol is the newest driver protocol version this driver speaks; it answers hello with the version asked for
// when that is older (version 1 has the same messages, only fewer capabilities are understood).
const protocol = 2

const sdkModule = "github.com/aliyun/aliyun-oss-go-sdk"

type request struct {
	ID   int64  `json:"id"`
	Op   string `json:"op"`
	Args args   `json:"args"`
}

// args holds the arguments of every operation; each op reads the fields it needs.
type args struct {
	Protocol int    `json:"protocol"`
	Client   string `json:"client"`
	Progress bool   `json:"progress"`

	Endpoint         string `json:"endpoint"`
	AccessKeyID      string `json:"accessKeyId"`
	AccessKeySecret  string `json:"accessKeySecret"`
	SecurityToken    string `json:"securityToken"`
	Region           string `json:"region"`
	SignatureVersion string `json:"signatureVersion"`
	Retries          *int   `json:"retries"`
	ConnectTimeoutMs int64  `json:"connectTimeoutMs"`

	Bucket     string            `json:"bucket"`
	Key        string            `json:"key"`
	Body       *body             `json:"body"`
	Headers    map[string]string `json:"headers"`
	Position   int64             `json:"position"`
	UploadID   string            `json:"uploadId"`
	PartNumber int32             `json:"partNumber"`
	Parts      []part            `json:"parts"`
	Prefix     string            `json:"prefix"`

	File          string `json:"file"`
	PartSize      int64  `json:"partSize"`
	Parallel      int    `json:"parallel"`
	CheckpointDir string `json:"checkpointDir"`

	Method         string `json:"method"`
	ExpiresSeconds int64  `json:"expiresSeconds"`
}

type body struct {
	Base64 *string `json:"base64,omitempty"`
	Path   string  `json:"path,omitempty"`
}

func (b *body) open() (io.ReadSeeker, func(), error) {
	switch {
	case b == nil:
		return nil, nil, protocolError("argument body must be {base64} or {path}")
	case b.Base64 != nil:
		data, err := base64.StdEncoding.DecodeString(*b.Base64)
		if err != nil {
			return nil, nil, protocolError("body.base64: " + err.Error())
		}
		return bytes.NewReader(data), func() {}, nil
	default:
		f, err := os.Open(b.Path)
		if err != nil {
			return nil, nil, protocolError("body.path: " + err.Error())
		}
		return f, func() { f.Close() }, nil
	}
}

type part struct {
	PartNumber int32  `json:"partNumber"`
	ETag       string `json:"etag"`
	Size       int64  `json:"size,omitempty"`
}

type response struct {
	ID     int64      `json:"id"`
	OK     bool       `json:"ok"`
	Result any        `json:"result,omitempty"`
	Error  *wireError `json:"error,omitempty"`
}

// wireError is the protocol's error shape: code is what scenarios compare (the OSS <Code> for server errors),
// sdkError the SDK's own error as text.
type wireError struct {
	Code        string `json:"code"`
	Status      int    `json:"status"`
	Message     string `json:"message"`
	RequestID   string `json:"requestId,omitempty"`
	Interrupted bool   `json:"interrupted,omitempty"`
	SDKError    string `json:"sdkError,omitempty"`
}

func (e *wireError) Error() string { return e.Code + ": " + e.Message }

func protocolError(msg string) *wireError {
	return &wireError{Code: "DriverProtocolError", Message: msg}
}

func notSupported(msg string) *wireError {
	return &wireError{Code: "NotSupported", Message: msg}
}

// out serialises every line written to stdout, so responses and events of concurrent calls never interleave.
type out struct {
	mu sync.Mutex
	w  io.Writer
}

func (o *out) send(v any) {
	line, err := json.Marshal(v)
	if err != nil {
		line, _ = json.Marshal(map[string]string{"event": "log", "level": "error", "message": err.Error()})
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.w.Write(append(line, '\n'))
}

func (o *out) log(level, message string) {
	o.send(map[string]string{"event": "log", "level": level, "message": message})
}

// sdkVersion is the SDK version linked into this binary (the go.mod pin, or what `go get` chose for another build).
func sdkVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, m := range info.Deps {
			if m.Path == sdkModule {
				if m.Replace != nil {
					return m.Replace.Version
				}
				return m.Version
			}
		}
	}
	return "unknown"
}

func main() {
	o := &out{w: os.Stdout}
	d := newDriver(o)
	in := bufio.NewReaderSize(os.Stdin, 1<<20)
	var wg sync.WaitGroup
	for {
		line, err := in.ReadBytes('\n')
		if len(line) > 0 {
			var req request
			if jerr := json.Unmarshal(line, &req); jerr != nil || req.Op == "" {
				o.log("warn", fmt.Sprintf("ignored line: %.200s", line))
			} else {
				wg.Add(1)
				go func() {
					defer wg.Done()
					serve(o, d, req)
				}()
			}
		}
		if err != nil {
			break // end of input: finish what is running, then leave
		}
	}
	wg.Wait()
}

// serve answers one request; a panic in the SDK or the driver becomes an error answer, never a dead process.
func serve(o *out, d *driver, req request) {
	defer func() {
		if p := recover(); p != nil {
			o.send(response{ID: req.ID, Error: &wireError{Code: "DriverInternalError", Message: fmt.Sprint(p)}})
		}
	}()
	result, err := d.handle(req)
	if err != nil {
		o.send(response{ID: req.ID, Error: toWire(err)})
		return
	}
	if result == nil {
		result = struct{}{}
	}
	o.send(response{ID: req.ID, OK: true, Result: result})
	if req.Op == "shutdown" {
		os.Exit(0)
	}
}
