package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connecthttp"

	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	"github.com/harnesshero/platform/gen/harness/builder/v1/builderv1connect"
	userv1 "github.com/harnesshero/platform/gen/harness/user/v1"
	"github.com/harnesshero/platform/gen/harness/user/v1/userv1connect"
	"github.com/harnesshero/platform/modules/builder/buildertest"
	"github.com/harnesshero/platform/platform/auth"
	"github.com/harnesshero/platform/platform/storage/storagetest"
)

// extracted is a platform routing builder calls to a builder service.
type extracted struct {
	builder, platform *proc
	keys              string
	events            []string // the shared Redis and stream prefix
	token             string
	catalog           builderv1connect.CatalogServiceClient
	designs           builderv1connect.DesignServiceClient
	users             userv1connect.UserServiceClient
}

// startExtracted starts a builder service (with builderEnv) and a platform
// routing builder calls to builderURL, or to the service when empty, with
// platformEnv; and signs a user up.
func startExtracted(t *testing.T, builderURL string, builderEnv, platformEnv []string) *extracted {
	t.Helper()
	bin := binary(t)
	x := &extracted{keys: t.TempDir(), events: splitEvents(t)}
	if _, err := auth.LoadOrCreateKeyPair(x.keys); err != nil {
		t.Fatal(err)
	}
	x.builder = x.startBuilder(t, builderEnv...)
	if builderURL == "" {
		builderURL = x.builder.url
	}
	x.platform = startProc(t, bin, append([]string{"BUILDER_SERVICE_URL=" + builderURL, x.events[0], x.events[1],
		"HARNESS_ACCESS_TOKEN_PRIVATE_KEY_FILE=" + auth.PrivateKeyPath(x.keys)}, platformEnv...))
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	users := userv1connect.NewUserServiceClient(connect.NewClient(connecthttp.NewTransport(client, x.platform.url)))
	reg, err := users.Register(t.Context(), &userv1.RegisterRequest{
		Email: fmt.Sprintf("faults-%d@example.com", time.Now().UnixNano()), Password: "correct horse battery", DisplayName: "Faults",
	})
	if err != nil {
		t.Fatalf("Register: %v", err)
	}
	x.token = reg.GetSession().GetAccessToken()
	signed := connect.NewClient(connecthttp.NewTransport(client, x.platform.url), auth.BearerToken(x.token))
	x.users = userv1connect.NewUserServiceClient(signed)
	x.catalog = builderv1connect.NewCatalogServiceClient(signed)
	x.designs = builderv1connect.NewDesignServiceClient(signed)
	return x
}

// startBuilder starts another builder service with the same key.
func (x *extracted) startBuilder(t *testing.T, env ...string) *proc {
	t.Helper()
	return x.startBuilderAt(t, freeAddr(t), env...)
}

// startBuilderAt starts another builder service with the same key on addr
// (a replica restarted where it was), and waits until it is ready.
func (x *extracted) startBuilderAt(t *testing.T, addr string, env ...string) *proc {
	t.Helper()
	p := launch(t, binary(t), addr, append([]string{"HARNESS_ACCESS_TOKEN_PUBLIC_KEY_FILE=" + auth.PublicKeyPath(x.keys), x.events[0], x.events[1]}, env...), "--role", "builder")
	p.waitReady(30 * time.Second)
	return p
}

// splitEvents returns the environment giving the processes of one split
// topology the same Redis and a stream prefix of their own: modules in
// several processes need Redis for their events.
func splitEvents(t *testing.T) []string {
	t.Helper()
	return []string{"REDIS_URL=" + storagetest.RedisURL(t), fmt.Sprintf("HARNESS_EVENT_STREAM_PREFIX=test-%d:", time.Now().UnixNano())}
}

// quote prices the basic design through the platform.
func (x *extracted) quote(ctx context.Context) error {
	_, err := x.catalog.Quote(ctx, &builderv1.QuoteRequest{Design: buildertest.Basic(), Quantity: 1})
	return err
}

// session runs one user session's builder calls through the platform: a
// non-idempotent write, an idempotent read and a side-effect-free quote.
func (x *extracted) session(ctx context.Context) error {
	res, err := x.designs.CreateDesign(ctx, &builderv1.CreateDesignRequest{Name: "load", Design: buildertest.Basic()})
	if err != nil {
		return err
	}
	if _, err := x.designs.GetDesign(ctx, &builderv1.GetDesignRequest{Id: res.GetDesign().GetId()}); err != nil {
		return err
	}
	return x.quote(ctx)
}

// load runs x.session on workers until stop is called, counting
// successes and keeping every error.
type load struct {
	ok     atomic.Int64
	mu     sync.Mutex
	errs   []error
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func startLoad(ctx context.Context, workers int, call func(context.Context) error) *load {
	l := &load{}
	ctx, l.cancel = context.WithCancel(ctx)
	for range workers {
		l.wg.Go(func() {
			for ctx.Err() == nil {
				err := call(ctx)
				if ctx.Err() != nil {
					return
				}
				if err == nil {
					l.ok.Add(1)
					continue
				}
				l.mu.Lock()
				l.errs = append(l.errs, err)
				l.mu.Unlock()
			}
		})
	}
	return l
}

func (l *load) failed() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.errs)
}

func (l *load) stop() []error {
	l.cancel()
	l.wg.Wait()
	return l.errs
}

// waitFor polls cond until it holds, failing the test after timeout.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond) // poll interval
	}
}
