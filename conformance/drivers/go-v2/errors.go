package main

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
)

// afterResponse marks a failure after the response headers had arrived (reading a GetObject body), so the error
// carries that HTTP status instead of 0.
type afterResponse struct {
	status int
	err    error
}

func (e *afterResponse) Error() string { return e.err.Error() }
func (e *afterResponse) Unwrap() error { return e.err }

// toWire maps an SDK failure onto the protocol's vocabulary: the OSS <Code> for server errors, context.Canceled
// for a cancelled call, ClientError:100001 for a CRC-64 mismatch (the SDK's "crc is inconsistent", oss/client.go
// checkResponseHeaderCRC64), ClientError for anything else; sdkError keeps the SDK's own error.
func toWire(err error) *wireError {
	var w *wireError
	if errors.As(err, &w) {
		return w
	}
	out := &wireError{Code: "ClientError", Message: err.Error(), SDKError: fmt.Sprintf("%T: %v", err, err)}
	var se *oss.ServiceError
	switch {
	case errors.As(err, &se):
		out.Code, out.Status, out.Message, out.RequestID = se.Code, se.StatusCode, se.Message, se.RequestID
		if se.Code == "BadErrorResponse" && se.StatusCode == 404 && strings.HasPrefix(se.RequestTarget, "HEAD ") {
			// a HEAD error without x-oss-err has no body to name it (conformance/PROTOCOL.md "Errors")
			out.Code = "NoSuchKey"
		}
	case errors.Is(err, context.Canceled):
		out.Code = "context.Canceled"
	case errors.Is(err, context.DeadlineExceeded):
		out.Code = "context.DeadlineExceeded"
	case strings.Contains(err.Error(), "crc is inconsistent"):
		out.Code = "ClientError:100001"
	}
	var ar *afterResponse
	if errors.As(err, &ar) {
		out.Status = ar.status
	}
	return out
}

func goVersion() string { return "go " + strings.TrimPrefix(runtime.Version(), "go") }
