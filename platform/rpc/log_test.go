package rpc_test

import (
	"context"
	"crypto/ed25519"
	"log/slog"
	"sync"
	"testing"
	"time"

	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connectinprocess"

	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	"github.com/harnesshero/platform/gen/harness/order/v1/orderv1connect"
	"github.com/harnesshero/platform/platform/auth"
	"github.com/harnesshero/platform/platform/identity"
	"github.com/harnesshero/platform/platform/rpc"
)

// levels records the level and code of each "rpc" line.
type levels struct {
	mu    sync.Mutex
	lines []string
}

func (l *levels) Enabled(context.Context, slog.Level) bool { return true }
func (l *levels) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *levels) WithGroup(string) slog.Handler            { return l }
func (l *levels) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "rpc" {
		return nil
	}
	line := r.Level.String()
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "code" {
			line += " " + a.Value.String()
		}
		return true
	})
	l.mu.Lock()
	l.lines = append(l.lines, line)
	l.mu.Unlock()
	return nil
}

// TestChainLogLevels: a success is a debug line (a warning when slow), a
// refused call an info line, a server fault an error line.
func TestChainLogLevels(t *testing.T) {
	t.Parallel()
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := auth.NewIssuer(priv, nil).Issue(identity.Identity{UserID: "u1", Role: identity.RoleUser, SessionID: "s1"})
	if err != nil {
		t.Fatal(err)
	}
	const okID = "0192f0c8-7b7a-7c3e-8a1e-3f0c2b1a9d00"
	for _, tt := range []struct {
		name string
		slow time.Duration
		id   string
		want string
	}{
		{"success", time.Hour, okID, "DEBUG ok"},
		{"slow success", time.Nanosecond, okID, "WARN ok"},
		{"refused", time.Hour, "nope", "INFO invalid_argument"},
		{"server fault", time.Hour, faultID, "ERROR internal"},
		{"a handler's own unexpected EOF", time.Hour, framesID, "ERROR internal"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := &levels{}
			chain, err := rpc.Chain(rpc.Options{PublicKey: pub, Logger: slog.New(h), SlowCall: tt.slow})
			if err != nil {
				t.Fatal(err)
			}
			srv := connect.NewServer(chain...)
			orderv1connect.RegisterOrderServiceHandler(srv, orders{})
			client := orderv1connect.NewOrderServiceClient(connect.NewClient(connectinprocess.New(srv), auth.BearerToken(token)))
			_, _ = client.GetOrder(t.Context(), &orderv1.GetOrderRequest{Id: tt.id})
			h.mu.Lock()
			defer h.mu.Unlock()
			if len(h.lines) != 1 || h.lines[0] != tt.want {
				t.Errorf("rpc lines %q, want [%q]", h.lines, tt.want)
			}
		})
	}
}
