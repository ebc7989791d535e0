package server_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	connect "connectrpc.com/connect/v2"
	"github.com/google/go-cmp/cmp"

	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	"github.com/harnesshero/platform/gen/harness/builder/v1/builderv1connect"
	"github.com/harnesshero/platform/modules/builder/buildertest"
	"github.com/harnesshero/platform/platform/auth"
	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/server"
)

// TestHopRelaysVerdicts checks that the builder service's own errors reach
// the platform's callers as the service answered them: code, message and
// details.
func TestHopRelaysVerdicts(t *testing.T) {
	builderSvc, platform := startExtracted(t, storage.SQLite)
	alice := signUp(t, platform.httpTransport())
	direct, forwarded := as(builderSvc.httpTransport(), alice), as(platform.httpTransport(), alice)
	broken := buildertest.Basic()
	broken.Size = builderv1.Size_SIZE_XS
	broken.Material = builderv1.Material_MATERIAL_LEATHER
	for name, call := range map[string]func(buildertest.Clients) error{
		"Quote": func(c buildertest.Clients) error {
			_, err := c.Catalog.Quote(t.Context(), &builderv1.QuoteRequest{Design: broken, Quantity: 1})
			return err
		},
		"GetDesign": func(c buildertest.Clients) error {
			_, err := c.Designs.GetDesign(t.Context(), &builderv1.GetDesignRequest{Id: "0190a0a0-0000-7000-8000-000000000000"})
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			want, got := asError(t, call(direct)), asError(t, call(forwarded))
			if got.Code() != want.Code() || got.Message() != want.Message() {
				t.Errorf("through the platform: %v, the service answered %v", got, want)
			}
			if diff := cmp.Diff(want.Details(), got.Details()); diff != "" {
				t.Errorf("details through the platform (-service +platform):\n%s", diff)
			}
		})
	}
}

func asError(t *testing.T, err error) *connect.Error {
	t.Helper()
	var cerr *connect.Error
	if !errors.As(err, &cerr) {
		t.Fatalf("error %v (%T), want a *connect.Error", err, err)
	}
	return cerr
}

// front is an HTTP server in front of a builder service that can reset or
// hold requests, counting them per procedure.
type front struct {
	*httptest.Server
	mu       sync.Mutex
	seen     map[string]int
	reset    map[string]int // procedure → how many first requests to reset
	hold     chan struct{}  // when non-nil, requests wait for it to close
	inFlight chan struct{}  // receives as each held request arrives
}

func newFront(t *testing.T, next http.Handler) *front {
	f := &front{seen: map[string]int{}, reset: map[string]int{}, inFlight: make(chan struct{}, 100)}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.seen[r.URL.Path]++
		reset := f.seen[r.URL.Path] <= f.reset[r.URL.Path]
		hold := f.hold
		f.mu.Unlock()
		if reset {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			_ = conn.(*net.TCPConn).SetLinger(0) // RST, as a killed process's socket
			conn.Close()
			return
		}
		if hold != nil {
			// Read the request, as the service would: the server notices a
			// client gone only once it has.
			body, err := io.ReadAll(r.Body)
			if err != nil {
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			f.inFlight <- struct{}{}
			select {
			case <-hold:
			case <-r.Context().Done():
				return
			}
		}
		next.ServeHTTP(w, r)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *front) count(procedure string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.seen[procedure]
}

// startBehindFront starts a builder service, a front before it and a
// platform routing builder calls to the front, with hop changed by fn.
func startBehindFront(t *testing.T, fn func(*server.HopConfig)) (*front, *instance) {
	t.Helper()
	keys := t.TempDir()
	if _, err := auth.LoadOrCreateKeyPair(keys); err != nil {
		t.Fatal(err)
	}
	events := splitEvents(t)
	builderSvc := start(t, storage.SQLite, func(c *server.Config) {
		c.Role = server.RoleBuilder
		c.AccessTokenPublicKeyFile = auth.PublicKeyPath(keys)
		events(c)
	})
	f := newFront(t, builderSvc.p.Handler())
	platform := start(t, storage.SQLite, func(c *server.Config) {
		c.ModuleURLs = map[string]string{"builder": f.URL}
		c.AccessTokenPrivateKeyFile = auth.PrivateKeyPath(keys)
		events(c)
		if fn != nil {
			fn(&c.Hop)
		}
	})
	return f, platform
}

// TestHopRetries resets the first request of each call at the builder
// service's door: a side-effect-free call is retried once and succeeds; a
// call with side effects, which may have been applied, is not retried and
// answers Unavailable without naming the service's address.
func TestHopRetries(t *testing.T) {
	f, platform := startBehindFront(t, nil)
	alice := as(platform.httpTransport(), signUp(t, platform.httpTransport()))
	f.mu.Lock()
	f.reset[builderv1connect.CatalogServiceQuoteProcedure] = 1
	f.reset[builderv1connect.DesignServiceCreateDesignProcedure] = 1
	f.mu.Unlock()

	if _, err := alice.Catalog.Quote(t.Context(), &builderv1.QuoteRequest{Design: buildertest.Basic(), Quantity: 1}); err != nil {
		t.Errorf("Quote after a reset: %v, want it retried", err)
	}
	if n := f.count(builderv1connect.CatalogServiceQuoteProcedure); n != 2 {
		t.Errorf("Quote reached the service %d times, want 2 (one retry)", n)
	}

	_, err := alice.Designs.CreateDesign(t.Context(), &builderv1.CreateDesignRequest{Design: buildertest.Basic()})
	if cerr := asError(t, err); cerr.Code() != connect.CodeUnavailable || cerr.Message() != "the builder is unavailable" {
		t.Errorf("CreateDesign after a reset: %v, want unavailable: the builder is unavailable", err)
	}
	if n := f.count(builderv1connect.DesignServiceCreateDesignProcedure); n != 1 {
		t.Errorf("CreateDesign reached the service %d times, want 1 (no retry)", n)
	}
	if _, err := alice.Designs.CreateDesign(t.Context(), &builderv1.CreateDesignRequest{Design: buildertest.Basic()}); err != nil {
		t.Errorf("CreateDesign after the fault: %v", err)
	}
}

// TestHopBounds holds the builder service's answers: calls beyond
// MaxInFlight fail at once with Unavailable, and a call whose caller's
// deadline passes answers DeadlineExceeded, not Unavailable.
func TestHopBounds(t *testing.T) {
	f, platform := startBehindFront(t, func(h *server.HopConfig) {
		h.MaxInFlight = 2
		h.Timeout = 20 * time.Second
	})
	alice := as(platform.httpTransport(), signUp(t, platform.httpTransport()))
	hold := make(chan struct{})
	f.mu.Lock()
	f.hold = hold
	f.mu.Unlock()
	quote := func(ctx context.Context) error {
		_, err := alice.Catalog.Quote(ctx, &builderv1.QuoteRequest{Design: buildertest.Basic(), Quantity: 1})
		return err
	}

	errs := make(chan error, 2)
	for range 2 {
		go func() { errs <- quote(t.Context()) }()
	}
	for range 2 {
		<-f.inFlight // both slots taken
	}
	start := time.Now()
	err := quote(t.Context())
	if connect.CodeOf(err) != connect.CodeUnavailable || time.Since(start) > time.Second || strings.Contains(err.Error(), "127.0.0.1") {
		t.Errorf("a third concurrent call: %v after %v, want unavailable at once", err, time.Since(start))
	}
	close(hold)
	for range 2 {
		if err := <-errs; err != nil {
			t.Errorf("held call: %v", err)
		}
	}

	f.mu.Lock()
	f.hold = make(chan struct{}) // never released
	f.mu.Unlock()
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	if err := quote(ctx); connect.CodeOf(err) != connect.CodeDeadlineExceeded {
		t.Errorf("a call past its caller's deadline: %v, want deadline_exceeded", err)
	}
}
