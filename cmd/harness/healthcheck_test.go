package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// TestHealthcheck: the container healthcheck succeeds on a 2xx answer and
// fails on any other answer, on a dead address and without a URL.
func TestHealthcheck(t *testing.T) {
	var status atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(int(status.Load())) }))
	t.Cleanup(srv.Close)
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	for _, c := range []struct {
		name   string
		status int
		args   []string
		ok     bool
	}{
		{"ready", http.StatusOK, []string{srv.URL + "/readyz"}, true},
		{"not ready", http.StatusServiceUnavailable, []string{srv.URL + "/readyz"}, false},
		{"dead", http.StatusOK, []string{dead.URL + "/readyz"}, false},
		{"no URL", http.StatusOK, nil, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			status.Store(int32(c.status))
			var out bytes.Buffer
			err := run(t.Context(), append([]string{"healthcheck"}, c.args...), func(string) string { return "" }, &out, &out)
			if (err == nil) != c.ok {
				t.Errorf("healthcheck %v = %v, want ok=%v", c.args, err, c.ok)
			}
		})
	}
}
