package server

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestConnTransportStaleConnection: a pooled connection the server closed
// while it sat idle is found at the next request; a request that says it
// is idempotent (an Idempotency-Key) goes again on a new connection, any
// other fails with errStale and is not sent twice.
func TestConnTransportStaleConnection(t *testing.T) {
	t.Parallel()
	var served atomic.Int64
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		body, _ := io.ReadAll(r.Body)
		_, _ = w.Write(body)
	}))
	t.Cleanup(hs.Close)
	tr := newConnTransport(HopConfig{Timeout: 5 * time.Second, DialTimeout: time.Second, IdleTimeout: time.Minute})
	t.Cleanup(tr.CloseIdleConnections)
	post := func(key string) (string, error) {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, hs.URL+"/echo", strings.NewReader("ping"))
		if err != nil {
			t.Fatal(err)
		}
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("ping")), nil }
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		res, err := tr.RoundTrip(req)
		if err != nil {
			return "", err
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		return string(b), err
	}
	staleAfter := func(what string) {
		t.Helper()
		if got, err := post(""); err != nil || got != "ping" {
			t.Fatalf("%s: first request: %q, %v", what, got, err)
		}
		if n := len(tr.idle); n != 1 {
			t.Fatalf("%s: %d idle connections after a whole answer, want 1", what, n)
		}
		hs.CloseClientConnections() // the server closes the idle connection
	}

	staleAfter("without a key")
	before := served.Load()
	if _, err := post(""); !errors.Is(err, errStale) {
		t.Errorf("a request without a key on a connection the server closed: %v, want errStale", err)
	}
	if served.Load() != before {
		t.Errorf("the server saw the request %d times, want 0", served.Load()-before)
	}

	staleAfter("with a key")
	before = served.Load()
	if got, err := post("k-1"); err != nil || got != "ping" {
		t.Errorf("a request with a key on a connection the server closed: %q, %v; want it sent again", got, err)
	}
	if served.Load() != before+1 {
		t.Errorf("the server answered %d times, want once", served.Load()-before)
	}
}

// TestConnTransportCanceled: a caller's cancellation interrupts a request
// waiting for its answer, and the connection is not pooled.
func TestConnTransportCanceled(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release); hs.Close() })
	tr := newConnTransport(HopConfig{Timeout: time.Minute, DialTimeout: time.Second, IdleTimeout: time.Minute})
	ctx, cancel := context.WithCancel(t.Context())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, hs.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		res, err := tr.RoundTrip(req)
		if err == nil {
			res.Body.Close()
		}
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("canceled request: %v, want context.Canceled", err)
	}
	if n := len(tr.idle); n != 0 {
		t.Errorf("%d idle connections after a canceled request, want 0", n)
	}
}
