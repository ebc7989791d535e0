package server_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"log/slog"
	"sync"
	"testing"

	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/platform/telemetry"
	"github.com/harnesshero/platform/server"
)

// startLogged starts a platform on SQLite, as start does, whose logger
// writes JSON lines (debug and up, through telemetry.LogHandler as
// cmd/harness builds it) to the returned buffer.
func startLogged(t *testing.T, fn func(*server.Config)) (*instance, *logLines) {
	t.Helper()
	logs := new(logLines)
	logger := slog.New(telemetry.LogHandler(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	return startWith(t, storage.SQLite, logger, fn), logs
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
