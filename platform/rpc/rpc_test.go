package rpc_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
	"testing"

	connect "connectrpc.com/connect/v2"

	"github.com/harnesshero/platform/platform/rpc"
)

func TestFallback(t *testing.T) {
	t.Parallel()
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	tests := []struct {
		name    string
		err     error
		code    connect.Code
		message string
	}{
		{"canceled", fmt.Errorf("user: load: %w", context.Canceled), connect.CodeCanceled, "request canceled"},
		{"deadline", fmt.Errorf("user: load: %w", context.DeadlineExceeded), connect.CodeDeadlineExceeded, "request timed out"},
		{"connection refused", fmt.Errorf("user: load: %w", refused), connect.CodeUnavailable, "the database is unavailable"},
		{"connection reset", fmt.Errorf("user: load: %w", syscall.ECONNRESET), connect.CodeUnavailable, "the database is unavailable"},
		{"other", errors.New("user: SQL logic error"), connect.CodeInternal, "internal error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := rpc.Fallback(tt.err)
			cerr, ok := errors.AsType[*connect.Error](got)
			if !ok || cerr.Code() != tt.code || cerr.Message() != tt.message {
				t.Fatalf("Fallback = %v, want %v %q", got, tt.code, tt.message)
			}
			if !errors.Is(got, tt.err) {
				t.Errorf("Fallback lost the cause %v", tt.err)
			}
			if strings.Contains(cerr.Message(), "127.0.0.1") || strings.Contains(cerr.Message(), "refused") {
				t.Errorf("message %q tells the cause", cerr.Message())
			}
		})
	}
	if rpc.Fallback(nil) != nil {
		t.Error("Fallback(nil) != nil")
	}
}
