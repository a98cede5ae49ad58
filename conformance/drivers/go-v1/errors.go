package main

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// afterResponse marks a failure after the response headers had arrived (reading a GetObject body), so the error
// carries that HTTP status instead of 0.
type afterResponse struct {
	status int
	err    error
}

func (e *afterResponse) Error() string { return e.err.Error() }
func (e *afterResponse) Unwrap() error { return e.err }

// headError names a bodiless HEAD error: this SDK reads no x-oss-err header, so a 404 comes back without a code
// (oss/conn.go handleResponse) and is NoSuchKey by the protocol's rule (conformance/PROTOCOL.md "Errors").
func headError(err error) error {
	var se oss.ServiceError
	if errors.As(err, &se) && se.Code == "" && se.StatusCode == 404 {
		w := toWire(err)
		w.Code = "NoSuchKey"
		return w
	}
	return err
}

// toWire maps an SDK failure onto the protocol's vocabulary: the OSS <Code> for server errors (ServerError:<status>
// when the SDK read none), ClientError:100001 for oss.CRCCheckError, ClientError for anything else; sdkError keeps
// the SDK's own error.
func toWire(err error) *wireError {
	var w *wireError
	if errors.As(err, &w) {
		return w
	}
	out := &wireError{Code: "ClientError", Message: err.Error(), SDKError: fmt.Sprintf("%T: %v", err, err)}
	var se oss.ServiceError
	var crc oss.CRCCheckError
	switch {
	case errors.As(err, &se):
		out.Code, out.Status, out.Message, out.RequestID = se.Code, se.StatusCode, se.Message, se.RequestID
		if out.Code == "" {
			out.Code = fmt.Sprintf("ServerError:%d", se.StatusCode)
		}
	case errors.As(err, &crc):
		out.Code = "ClientError:100001"
	case errors.Is(err, context.DeadlineExceeded):
		out.Code = "context.DeadlineExceeded"
	}
	var ar *afterResponse
	if errors.As(err, &ar) {
		out.Status = ar.status
	}
	return out
}

func goVersion() string { return "go " + strings.TrimPrefix(runtime.Version(), "go") }
