package metrics_test

import (
	"errors"
	"fmt"
	"io"
	"testing"

	connect "connectrpc.com/connect/v2"

	"github.com/harnesshero/platform/platform/metrics"
	"github.com/harnesshero/platform/platform/validation"
)

func TestFaultLabel(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		err  error
		want string
	}{
		{"success", nil, "none"},
		{"invalid_argument", connect.NewError(connect.CodeInvalidArgument, "bad"), "client"},
		{"canceled", connect.NewError(connect.CodeCanceled, "canceled"), "client"},
		{"internal", connect.NewError(connect.CodeInternal, "internal error").WithCause(io.ErrUnexpectedEOF), "server"},
		{"unavailable", connect.NewError(connect.CodeUnavailable, "the database is unavailable"), "server"},
		{"deadline_exceeded", connect.NewError(connect.CodeDeadlineExceeded, "timed out"), "server"},
		{"a plain error (unknown)", errors.New("boom"), "server"},
		{"a broken frame (internal)", connect.NewError(connect.CodeInternal, "protocol error: incomplete envelope").WithCause(validation.ErrBrokenFrame), "client"},
		{"a broken frame, wrapped", fmt.Errorf("call: %w", connect.NewError(connect.CodeUnknown, "read message: x").WithCause(validation.ErrBrokenFrame)), "client"},
	} {
		if got := metrics.FaultLabel(tt.err); got != tt.want {
			t.Errorf("%s: FaultLabel = %q, want %q", tt.name, got, tt.want)
		}
	}
}
