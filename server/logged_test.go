package server_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/harnesshero/platform/modules/user"
	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/platform/telemetry"
	"github.com/harnesshero/platform/server"
)

// startLogged starts a platform on SQLite, as start does, whose logger
// writes JSON lines (debug and up, through telemetry.LogHandler as
// cmd/harness builds it) to the returned buffer.
func startLogged(t *testing.T, fn func(*server.Config)) (*instance, *logLines) {
	t.Helper()
	cfg := server.DefaultConfig()
	cfg.DataDir = t.TempDir()
	cfg.PasswordCost = user.PasswordCost{MemoryKiB: 64, Passes: 1}
	if fn != nil {
		fn(&cfg)
	}
	premigrate(t, storage.SQLite, &cfg)
	logs := new(logLines)
	logger := slog.New(telemetry.LogHandler(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	p, err := server.New(t.Context(), cfg, logger)
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	t.Cleanup(func() { _ = p.Close() })
	if err := p.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	hs := httptest.NewUnstartedServer(p.Handler())
	hs.Config.Protocols = new(http.Protocols)
	hs.Config.Protocols.SetHTTP1(true)
	hs.Config.Protocols.SetUnencryptedHTTP2(true)
	hs.Start()
	t.Cleanup(hs.Close)
	return &instance{cfg: cfg, p: p, hs: hs}, logs
}

// logLines collects a process's JSON log lines; safe for concurrent use.
type logLines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// lines returns the lines written so far, decoded.
func (l *logLines) lines(t *testing.T) []map[string]any {
	t.Helper()
	l.mu.Lock()
	raw := bytes.Clone(l.buf.Bytes())
	l.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("log line %q: %v", sc.Bytes(), err)
		}
		out = append(out, line)
	}
	return out
}
