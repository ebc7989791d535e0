package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connecthttp"

	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	"github.com/harnesshero/platform/gen/harness/builder/v1/builderv1connect"
	userv1 "github.com/harnesshero/platform/gen/harness/user/v1"
)

// TestServeBindsFirst starts a second `serve` on a busy port: it must exit
// with the bind error before it opens the database or connects to Redis
// (here a listener that records any connection).
func TestServeBindsFirst(t *testing.T) {
	bin := binary(t)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	redis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer redis.Close()
	var touched atomic.Bool
	go func() {
		for {
			c, err := redis.Accept()
			if err != nil {
				return
			}
			touched.Store(true)
			c.Close()
		}
	}()
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "serve", "--addr", busy.Addr().String(), "--data-dir", dir)
	cmd.Env = append(os.Environ(), "REDIS_URL=redis://"+redis.Addr().String()+"/0")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "address already in use") {
		t.Errorf("serve on a busy port: %v, want the bind error\n%s", err, out)
	}
	if touched.Load() {
		t.Error("serve on a busy port connected to Redis before binding")
	}
	if _, err := os.Stat(filepath.Join(dir, "harness.db")); err == nil {
		t.Error("serve on a busy port opened the database before binding")
	}
}

// errOutOfRotation is what the load client's dialer answers once the
// platform's /readyz failed: a load balancer would send the connection to
// another instance.
var errOutOfRotation = errors.New("backend out of rotation")

// TestDrainUnderLoad sends SIGTERM to a platform under 64 keep-alive
// connections of load, behaving as a load balancer does: once /readyz
// fails, no new connection goes to it. No request sent to it may fail, and
// /readyz must fail at once.
func TestDrainUnderLoad(t *testing.T) {
	bin := binary(t)
	const grace = time.Second
	p := startProc(t, bin, []string{fmt.Sprintf("HARNESS_DRAIN_GRACE=%v", grace)})
	var outOfRotation atomic.Bool
	dialer := &net.Dialer{}
	transport := &http.Transport{
		MaxIdleConnsPerHost: 64,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if outOfRotation.Load() {
				return nil, errOutOfRotation
			}
			return dialer.DialContext(ctx, network, addr)
		},
	}
	defer transport.CloseIdleConnections()
	catalog := builderv1connect.NewCatalogServiceClient(connect.NewClient(connecthttp.NewTransport(&http.Client{Transport: transport}, p.url)))

	var ok, okDraining, lostN atomic.Int64
	var terminated atomic.Bool
	var mu sync.Mutex
	var lost []error
	var wg sync.WaitGroup
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	for range 64 {
		wg.Go(func() {
			for ctx.Err() == nil {
				_, err := catalog.GetCatalog(ctx, &builderv1.GetCatalogRequest{})
				switch {
				case err == nil:
					ok.Add(1)
					if terminated.Load() {
						okDraining.Add(1)
					}
				case errors.Is(err, errOutOfRotation), errors.Is(err, syscall.ECONNREFUSED):
					return // never sent: a load balancer would have sent it elsewhere
				default:
					lostN.Add(1)
					mu.Lock()
					lost = append(lost, err)
					mu.Unlock()
				}
			}
		})
	}
	waitFor(t, 30*time.Second, "load warmed up", func() bool { return ok.Load() >= 1000 })

	sigterm := time.Now()
	terminated.Store(true)
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	probe := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	var notReadyAfter time.Duration
	var readyz string
	for notReadyAfter == 0 {
		res, err := probe.Get(p.url + "/readyz")
		switch {
		case err != nil:
			readyz, notReadyAfter = err.Error(), time.Since(sigterm)
		case res.StatusCode != http.StatusOK:
			readyz, notReadyAfter = res.Status, time.Since(sigterm)
			res.Body.Close()
		default:
			res.Body.Close()
			time.Sleep(5 * time.Millisecond) // poll interval
		}
	}
	outOfRotation.Store(true)
	exitErr := p.wait(30 * time.Second)
	exited := time.Since(sigterm)
	wg.Wait()

	t.Logf("SIGTERM under 64-connection load: %d requests lost, %d served while draining; /readyz %q after %v; exit after %v",
		lostN.Load(), okDraining.Load(), readyz, notReadyAfter.Round(time.Millisecond), exited.Round(time.Millisecond))
	if exitErr != nil {
		t.Errorf("exit after SIGTERM: %v\n%s", exitErr, p.logs)
	}
	if readyz != "503 Service Unavailable" || notReadyAfter > time.Second {
		t.Errorf("/readyz after SIGTERM: %q after %v, want 503 at once", readyz, notReadyAfter)
	}
	for i, err := range lost {
		if i == 5 {
			break
		}
		t.Errorf("request lost: %v", err)
	}
}

// TestBuilderServiceKilled kills the builder service under load through
// the platform: every failed call must answer Unavailable (never Canceled
// or Internal) without naming an internal address.
func TestBuilderServiceKilled(t *testing.T) {
	x := startExtracted(t, "", nil, nil)
	l := startLoad(t.Context(), 16, x.session)
	waitFor(t, 30*time.Second, "load warmed up", func() bool { return l.ok.Load() >= 100 })
	x.builder.kill()
	waitFor(t, 30*time.Second, "calls failing", func() bool { return l.failed() >= 100 })
	errs := l.stop()
	codes := map[connect.Code]int{}
	for _, err := range errs {
		codes[connect.CodeOf(err)]++
	}
	t.Logf("after kill -9 of the builder service: %d calls ok before, failures by code %v", l.ok.Load(), codes)
	seen := map[string]bool{}
	for _, err := range errs {
		msg := err.Error()
		if seen[msg] {
			continue
		}
		seen[msg] = true
		if connect.CodeOf(err) != connect.CodeUnavailable {
			t.Errorf("call failed with %v, want unavailable", err)
		}
		if strings.Contains(msg, "127.0.0.1") || strings.Contains(msg, "tcp") {
			t.Errorf("error names an internal address: %v", err)
		}
	}
}

// TestBuilderServiceHung stops the builder service (SIGSTOP): a call that
// needs it must answer Unavailable within the hop deadline while an
// unrelated call answers at once; the circuit breaker then fails calls at
// once, and lets them through again when the service is back.
func TestBuilderServiceHung(t *testing.T) {
	const hopTimeout = 500 * time.Millisecond
	x := startExtracted(t, "", nil, []string{
		fmt.Sprintf("HARNESS_HOP_TIMEOUT=%v", hopTimeout), "HARNESS_HOP_BREAKER_FAILURES=3", "HARNESS_HOP_BREAKER_COOLDOWN=500ms",
	})
	if err := x.quote(t.Context()); err != nil {
		t.Fatalf("Quote: %v", err)
	}
	if err := x.builder.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = x.builder.cmd.Process.Signal(syscall.SIGCONT) }() // gone already is fine
	waitFor(t, 10*time.Second, "the builder service to stop", x.builder.stopped)

	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	type result struct {
		took time.Duration
		err  error
	}
	results := make(chan result, 8)
	for range cap(results) {
		go func() {
			start := time.Now()
			err := x.quote(ctx)
			results <- result{time.Since(start), err}
		}()
	}
	start := time.Now()
	if _, err := x.users.GetProfile(ctx, &userv1.GetProfileRequest{}); err != nil {
		t.Errorf("GetProfile while the builder hangs: %v", err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("GetProfile took %v while the builder hangs", took)
	}
	var slowest time.Duration
	for range cap(results) {
		r := <-results
		slowest = max(slowest, r.took)
		if code := connect.CodeOf(r.err); code != connect.CodeUnavailable && code != connect.CodeDeadlineExceeded || r.took > hopTimeout+time.Second {
			t.Errorf("Quote with the builder hung: %v after %v, want unavailable within the hop deadline", r.err, r.took)
		}
	}
	// The breaker opened: calls fail without waiting.
	var open time.Duration
	waitFor(t, 10*time.Second, "the breaker to fail calls at once", func() bool {
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
		defer cancel()
		start := time.Now()
		err := x.quote(ctx)
		open = time.Since(start)
		return connect.CodeOf(err) == connect.CodeUnavailable && open < 100*time.Millisecond
	})
	if err := x.builder.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	resumed := time.Now()
	waitFor(t, 10*time.Second, "calls to pass again", func() bool {
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
		defer cancel()
		return x.quote(ctx) == nil
	})
	t.Logf("hung builder service: calls failed after %v (hop deadline %v); with the breaker open after %v; recovered %v after SIGCONT",
		slowest.Round(time.Millisecond), hopTimeout, open.Round(time.Millisecond), time.Since(resumed).Round(time.Millisecond))
}
