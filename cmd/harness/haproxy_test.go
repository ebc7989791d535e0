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

// haproxy is a running haproxy.
type haproxy struct {
	cmd    *exec.Cmd
	socket string // its stats socket
	log    string // its stdout and stderr
	done   chan struct{}
	err    error
}

// haproxyConfig renders an HAProxy configuration listening on addr, with
// its stats socket at socket and a server per NAME=HOST:PORT in servers.
type haproxyConfig func(t *testing.T, addr, socket string, servers ...string) []byte

// topologyConfig is the local topology's: deploy/haproxy/haproxy.cfg.tmpl
// rendered by scripts/topology.sh. HTTP: a request at a time goes to a
// replica in rotation.
func topologyConfig(t *testing.T, addr, socket string, servers ...string) []byte {
	t.Helper()
	cfg, err := exec.Command("../../scripts/topology.sh", append([]string{"haproxy-config", addr, socket}, servers...)...).Output()
	if err != nil {
		t.Fatalf("topology.sh haproxy-config: %v", err)
	}
	return cfg
}

// serviceConfig balances as a cluster's Service does (kube-proxy): layer
// 4, each connection pinned to the replica chosen when it opened, and a
// replica out of rotation while its /readyz fails (the readiness probe)
// keeps its open connections.
func serviceConfig(_ *testing.T, addr, socket string, servers ...string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `global
    stats socket %s mode 600 level admin
defaults
    mode tcp
    timeout connect 2s
    timeout client 1h
    timeout server 1h
    timeout check 2s
frontend builder-service
    bind %s
    default_backend builder-service
backend builder-service
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
    default-server check inter 500ms fall 1 rise 2
`, socket, addr)
	for _, s := range servers {
		name, server, _ := strings.Cut(s, "=")
		fmt.Fprintf(&b, "    server %s %s\n", name, server)
	}
	return []byte(b.String())
}

// startHAProxy runs haproxy with config (listening on addr, a server per
// NAME=HOST:PORT in servers) until the end of the test. It returns once
// every server is UP.
func startHAProxy(t *testing.T, bin string, config haproxyConfig, addr string, servers ...string) *haproxy {
	t.Helper()
	dir := t.TempDir()
	h := &haproxy{socket: filepath.Join(dir, "haproxy.sock"), log: filepath.Join(dir, "haproxy.log"), done: make(chan struct{})}
	cfgPath := filepath.Join(dir, "haproxy.cfg")
	if err := os.WriteFile(cfgPath, config(t, addr, h.socket, servers...), 0o600); err != nil {
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
	rollingRestart(t, topologyConfig, true)
}

// TestBuilderRollingRestart is the same rolling restart behind a
// cluster's Service (HAProxy as layer 4, serviceConfig): the platform's
// connections stay pinned to a draining replica, so none may be lost as
// it closes them (the hop's idle timeout, 2 s, is below the replica's
// grace: ADR 0011).
func TestBuilderRollingRestart(t *testing.T) {
	rollingRestart(t, serviceConfig, false)
}

// rollingRestart restarts two builder replicas in turn behind HAProxy with
// config under load, and checks no call failed. perRequest says the
// balancer picks a replica per request (HTTP): then both must serve
// calls after their restart.
func rollingRestart(t *testing.T, config haproxyConfig, perRequest bool) {
	bin := haproxyBinary(t)
	// Shorter than the default 5 s to keep the test short: still six
	// check intervals, and above the hop's idle timeout.
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
	lb := startHAProxy(t, bin, config, lbAddr, servers...)
	// Per request (HTTP) or per connection (layer 4).
	served := func(name string) int { return lb.count(t, name, "stot") }

	started := time.Now()
	l := startLoad(t.Context(), 16, x.session)
	waitFor(t, 30*time.Second, "load warmed up", func() bool { return l.ok.Load() >= 100 })
	for i, r := range replicas {
		name, other := names[i], names[1-i]
		otherBefore := served(other)
		sigterm := time.Now()
		if err := r.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		// Out of rotation while it still serves: within its grace.
		lb.waitStatus(t, drainGrace, name, "DOWN")
		out := time.Since(sigterm)
		ok := l.ok.Load()
		if err := r.wait(30 * time.Second); err != nil {
			t.Errorf("%s after SIGTERM: %v\n%s", name, err, r.logs)
		}
		exited := time.Since(sigterm)
		if l.ok.Load() == ok {
			t.Errorf("no call succeeded while %s drained", name)
		}
		replicas[i] = x.startBuilderAt(t, r.addr, builderEnv...)
		lb.waitStatus(t, 30*time.Second, name, "UP")
		back := time.Since(sigterm)
		before := served(name)
		if perRequest && served(other) <= otherBefore {
			t.Errorf("%s served no call while %s restarted", other, name)
		}
		ok = l.ok.Load()
		waitFor(t, 30*time.Second, "calls after "+name+" restarted", func() bool {
			return l.ok.Load() >= ok+50 && (!perRequest || served(name) >= before+50)
		})
		t.Logf("%s: out of rotation %v after SIGTERM, exited after %v, back in rotation after %v (%d sessions ok so far)",
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

	unit := "connections"
	if perRequest {
		unit = "requests"
	}
	t.Logf("rolling restart in %v: %d sessions (CreateDesign, GetDesign, Quote) ok, %d failed; %s to %s %d, to %s %d; retried %s, redispatched %s, 5xx %s",
		took.Round(time.Millisecond), l.ok.Load(), len(errs), unit, names[0], served(names[0]), names[1], served(names[1]),
		lb.stat(t, "BACKEND", "wretr"), lb.stat(t, "BACKEND", "wredis"), lb.stat(t, "BACKEND", "hrsp_5xx"))
	for i, err := range errs {
		if i == 5 {
			break
		}
		t.Errorf("call failed during the rolling restart: %v", err)
	}
	// Out of rotation before it stopped accepting: no connection met a
	// closed port (HAProxy would redispatch a request, hiding a late check).
	if econ, redispatched := lb.count(t, "BACKEND", "econ"), lb.count(t, "BACKEND", "wredis"); econ+redispatched > 0 {
		t.Errorf("%d connections to a replica refused (%d redispatched): it was still in rotation", econ, redispatched)
	}
	if t.Failed() {
		t.Logf("haproxy's log (not 200):\n%s", lb.logTail(30))
	}
}
