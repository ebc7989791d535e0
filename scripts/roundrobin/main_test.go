package main

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestBalancer sends POSTs through the balancer to two live backends and
// one that refuses connections: every request is answered with its body,
// both live backends serve, the dead one is skipped.
func TestBalancer(t *testing.T) {
	var hits [2]atomic.Int64
	var targets []*url.URL
	for i := range hits {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits[i].Add(1)
			_, _ = io.Copy(w, r.Body)
		}))
		t.Cleanup(srv.Close)
		u, _ := url.Parse(srv.URL)
		targets = append(targets, u)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead, _ := url.Parse("http://" + ln.Addr().String())
	ln.Close() // nothing listens there any more: connections are refused
	b := &balancer{cooldown: time.Minute, log: slog.New(slog.DiscardHandler), transport: http.DefaultTransport.(*http.Transport).Clone()}
	for _, u := range []*url.URL{targets[0], dead, targets[1]} {
		b.backends = append(b.backends, &backend{url: u})
	}
	client := &http.Client{Transport: b}
	for i := range 6 {
		body := strings.Repeat("x", i+1)
		res, err := client.Post("http://balanced/echo", "text/plain", strings.NewReader(body))
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		got, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if string(got) != body {
			t.Errorf("request %d answered %q, want %q", i, got, body)
		}
	}
	for i := range hits {
		if hits[i].Load() == 0 {
			t.Errorf("live backend %d served nothing", i)
		}
	}
	if b.backends[1].downUntil.Load() == 0 {
		t.Error("the refusing backend was not marked down")
	}
}
