package main

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/harnesshero/platform/platform/storage/storagetest"
)

// haproxyBinary returns Debian's haproxy (`make haproxy`): $HAPROXY, else
// haproxy on PATH, else /usr/sbin/haproxy. Without one the test is
// skipped, or fails under CI.
func haproxyBinary(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("HAPROXY"); bin != "" {
		return bin
	}
	if bin, err := exec.LookPath("haproxy"); err == nil {
		return bin
	}
	if _, err := os.Stat("/usr/sbin/haproxy"); err == nil {
		return "/usr/sbin/haproxy"
	}
	if os.Getenv("CI") != "" {
		t.Fatal("haproxy not found ($HAPROXY, PATH, /usr/sbin): CI must run the balancer tests; run `make haproxy`")
	}
	t.Skip("haproxy not found ($HAPROXY, PATH, /usr/sbin): run `make haproxy`")
	return ""
}

// haproxy is a running haproxy with the local topology's configuration
// (deploy/haproxy/haproxy.cfg.tmpl, rendered by scripts/topology.sh).
type haproxy struct {
	cmd    *exec.Cmd
	socket string // its stats socket
	log    string // its stdout and stderr: a line per request
	done   chan struct{}
	err    error
}

// startHAProxy renders the topology's HAProxy configuration with one
// server per NAME=HOST:PORT in servers, listening on addr, and runs it
// until the end of the test. It returns once every server is UP.
func startHAProxy(t *testing.T, bin, addr string, servers ...string) *haproxy {
	t.Helper()
	dir := t.TempDir()
	h := &haproxy{socket: filepath.Join(dir, "haproxy.sock"), log: filepath.Join(dir, "haproxy.log"), done: make(chan struct{})}
	render := exec.Command("../../scripts/topology.sh", append([]string{"haproxy-config", addr, h.socket}, servers...)...)
	cfg, err := render.Output()
	if err != nil {
		t.Fatalf("topology.sh haproxy-config: %v", err)
	}
	cfgPath := filepath.Join(dir, "haproxy.cfg")
	if err := os.WriteFile(cfgPath, cfg, 0o600); err != nil {
		t.Fatal(err)
	}
	logFile, err := os.Create(h.log)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	h.cmd = exec.Command(bin, "-db", "-f", cfgPath)
	h.cmd.Stdout, h.cmd.Stderr = logFile, logFile
	if err := h.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { h.err = h.cmd.Wait(); close(h.done) }()
	t.Cleanup(func() {
		_ = h.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-h.done:
		case <-time.After(10 * time.Second):
			_ = h.cmd.Process.Kill()
			<-h.done
		}
	})
	for _, s := range servers {
		name, _, _ := strings.Cut(s, "=")
		h.waitStatus(t, 30*time.Second, name, "UP")
	}
	return h
}

// stats is `show stat` of the builder-service backend: a row per server
// and one named BACKEND, each a map from the CSV header's field names.
func (h *haproxy) stats() (map[string]map[string]string, error) {
	c, err := net.DialTimeout("unix", h.socket, 2*time.Second)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, "show stat\n"); err != nil {
		return nil, err
	}
	r := bufio.NewReader(c)
	header, err := r.ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("haproxy: show stat: %w", err)
	}
	fields := strings.Split(strings.TrimSuffix(strings.TrimPrefix(header, "# "), "\n"), ",")
	rows, err := csv.NewReader(r).ReadAll()
	if err != nil && len(rows) == 0 {
		return nil, fmt.Errorf("haproxy: show stat: %w", err)
	}
	out := map[string]map[string]string{}
	for _, row := range rows {
		if len(row) < 2 || row[0] != "builder-service" {
			continue
		}
		m := map[string]string{}
		for i, v := range row {
			if i < len(fields) {
				m[fields[i]] = v
			}
		}
		out[row[1]] = m
	}
	return out, nil
}

// stat returns one field of one row of stats (BACKEND, or a server's
// name), failing the test when the socket does not answer.
func (h *haproxy) stat(t *testing.T, row, field string) string {
	t.Helper()
	s, err := h.stats()
	if err != nil {
		t.Fatalf("haproxy stats: %v\n%s", err, h.logTail(20))
	}
	return s[row][field]
}

// count is a numeric field of stat (0 when empty).
func (h *haproxy) count(t *testing.T, row, field string) int {
	t.Helper()
	n, _ := strconv.Atoi(h.stat(t, row, field))
	return n
}

// waitStatus waits until HAProxy reports server's status as want (UP,
// DOWN, …; "DOWN" also matches "DOWN 1/2", on its way up).
func (h *haproxy) waitStatus(t *testing.T, timeout time.Duration, server, want string) {
	t.Helper()
	var last string
	deadline := time.Now().Add(timeout)
	for {
		select {
		case <-h.done:
			t.Fatalf("haproxy exited: %v\n%s", h.err, h.logTail(20))
		default:
		}
		if s, err := h.stats(); err == nil {
			last = s[server]["status"]
			if last == want || want == "DOWN" && strings.HasPrefix(last, "DOWN") {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("haproxy: %s is %q after %v, want %s\n%s", server, last, timeout, want, h.logTail(20))
		}
		time.Sleep(20 * time.Millisecond) // poll interval
	}
}

// logTail returns the last n lines of HAProxy's log that are not a
// request answered 200 (state changes, alerts, failed requests).
func (h *haproxy) logTail(n int) string {
	b, _ := os.ReadFile(h.log)
	var keep []string
	for line := range strings.Lines(string(b)) {
		if !strings.Contains(line, " 200 ") {
			keep = append(keep, line)
		}
	}
	return strings.Join(keep[max(0, len(keep)-n):], "")
}

// TestRollingRestartBehindHAProxy restarts each of two builder-service
// replicas in turn (SIGTERM, exit, start again on the same port) behind
// the local topology's HAProxy, under a steady load of CreateDesign,
// GetDesign and Quote through the platform: no call may fail. HAProxy
// must take a draining replica out of rotation on its failed /readyz
// before the replica stops accepting, and put it back once it is ready;
// calls keep flowing through both.
func TestRollingRestartBehindHAProxy(t *testing.T) {
	bin := haproxyBinary(t)
	// Shorter than the default 5 s to keep the test short, still six
	// check intervals.
	const drainGrace = 3 * time.Second
	// The replicas share a database.
	engines := storagetest.Engines(t)
	builderEnv := []string{fmt.Sprintf("HARNESS_DRAIN_GRACE=%v", drainGrace), "DATABASE_URL=" + storagetest.DSN(t, engines[len(engines)-1])}
	lbAddr := freeAddr(t)
	x := startExtracted(t, "http://"+lbAddr, builderEnv, nil)
	replicas := []*proc{x.builder, x.startBuilder(t, builderEnv...)}
	var names, servers []string
	for i, r := range replicas {
		names = append(names, fmt.Sprintf("builder-%d", i+1))
		servers = append(servers, names[i]+"="+r.addr)
	}
	lb := startHAProxy(t, bin, lbAddr, servers...)

	started := time.Now()
	l := startLoad(t.Context(), 16, x.session)
	waitFor(t, 30*time.Second, "load warmed up", func() bool { return l.ok.Load() >= 100 })
	for i, r := range replicas {
		name, other := names[i], names[1-i]
		otherBefore := lb.count(t, other, "stot")
		sigterm := time.Now()
		if err := r.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		// Out of rotation while it still serves: within its grace.
		lb.waitStatus(t, drainGrace, name, "DOWN")
		out := time.Since(sigterm)
		if err := r.wait(30 * time.Second); err != nil {
			t.Errorf("%s after SIGTERM: %v\n%s", name, err, r.logs)
		}
		exited := time.Since(sigterm)
		replicas[i] = x.startBuilderAt(t, r.addr, builderEnv...)
		lb.waitStatus(t, 30*time.Second, name, "UP")
		back := time.Since(sigterm)
		served := lb.count(t, name, "stot")
		waitFor(t, 30*time.Second, "calls through "+name+" again", func() bool { return lb.count(t, name, "stot") >= served+50 })
		if lb.count(t, other, "stot") <= otherBefore {
			t.Errorf("%s served no call while %s restarted", other, name)
		}
		t.Logf("%s: out of rotation %v after SIGTERM, exited after %v, back in rotation after %v (%d calls ok so far)",
			name, out.Round(time.Millisecond), exited.Round(time.Millisecond), back.Round(time.Millisecond), l.ok.Load())
	}
	errs := l.stop()
	took := time.Since(started)
	// Both drain at once, rather than one after the other at cleanup.
	for _, r := range replicas {
		_ = r.cmd.Process.Signal(syscall.SIGTERM)
	}
	for i, r := range replicas {
		if err := r.wait(30 * time.Second); err != nil {
			t.Errorf("%s after SIGTERM: %v\n%s", names[i], err, r.logs)
		}
	}

	t.Logf("rolling restart behind HAProxy in %v: %d sessions (CreateDesign, GetDesign, Quote) ok, %d failed; requests per replica %s=%s %s=%s, retried %s, redispatched %s, 5xx %s",
		took.Round(time.Millisecond), l.ok.Load(), len(errs), names[0], lb.stat(t, names[0], "stot"), names[1], lb.stat(t, names[1], "stot"),
		lb.stat(t, "BACKEND", "wretr"), lb.stat(t, "BACKEND", "wredis"), lb.stat(t, "BACKEND", "hrsp_5xx"))
	for i, err := range errs {
		if i == 5 {
			break
		}
		t.Errorf("call failed during the rolling restart: %v", err)
	}
	// Out of rotation before it stopped accepting: no request met a closed
	// port (HAProxy would redispatch it, hiding a late check).
	if econ, redispatched := lb.count(t, "BACKEND", "econ"), lb.count(t, "BACKEND", "wredis"); econ+redispatched > 0 {
		t.Errorf("%d requests met a replica that refused the connection (%d redispatched): it was still in rotation", econ, redispatched)
	}
	if t.Failed() {
		t.Logf("haproxy's log (not 200):\n%s", lb.logTail(30))
	}
}
