package storagetest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// RedisServer is a private redis-server of one test, on a port of its own,
// for fault tests that stop and start Redis (never the shared one).
type RedisServer struct {
	t       testing.TB
	dir     string
	port    int
	persist bool
	cmd     *exec.Cmd
}

// NewRedisServer reserves a free port for a private redis-server, stopped
// at the end of the test, and does not start it: call Start. With persist
// it keeps its data across Stop and Start (an append-only file in a
// t.TempDir()); without, every Start is an empty Redis, as after a restart
// of a Redis that persists nothing. A machine without redis-server skips
// the test, and fails it under CI.
func NewRedisServer(t testing.TB, persist bool) *RedisServer {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("storagetest: redis-server not found")
		}
		t.Skip("storagetest: redis-server not found")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	s := &RedisServer{t: t, dir: t.TempDir(), port: port, persist: persist}
	t.Cleanup(s.Stop)
	return s
}

// URL is the server's URL, whether it runs or not.
func (s *RedisServer) URL() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", s.port) }

// Start starts the server and waits until it accepts connections.
func (s *RedisServer) Start() {
	s.t.Helper()
	appendOnly := "no"
	if s.persist {
		appendOnly = "yes"
	}
	s.cmd = exec.Command("redis-server", "--port", strconv.Itoa(s.port), "--bind", "127.0.0.1",
		"--dir", s.dir, "--appendonly", appendOnly, "--appendfsync", "always", "--save", "",
		"--logfile", filepath.Join(s.dir, "redis.log"))
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", s.port)); err == nil {
			_ = c.Close()
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatal("storagetest: redis-server did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop stops the server (gracefully: a persisting one keeps its data).
func (s *RedisServer) Stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(os.Interrupt)
	_ = s.cmd.Wait()
	s.cmd = nil
}
