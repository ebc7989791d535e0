package main

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
)

// lbProxy is a layer-4 load balancer with one backend at a time, as
// kube-proxy is for a Service: each accepted connection is pinned to the
// backend current when it was opened, and closes when either side closes.
type lbProxy struct {
	ln      net.Listener
	backend atomic.Pointer[string]
	mu      sync.Mutex
	conns   map[net.Conn]struct{}
	wg      sync.WaitGroup
}

func newLBProxy(t *testing.T) *lbProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &lbProxy{ln: ln, conns: make(map[net.Conn]struct{})}
	p.wg.Go(p.serve)
	t.Cleanup(func() {
		ln.Close()
		p.mu.Lock()
		for c := range p.conns {
			c.Close()
		}
		p.mu.Unlock()
		p.wg.Wait()
	})
	return p
}

// url is the proxy's base URL.
func (p *lbProxy) url() string { return "http://" + p.ln.Addr().String() }

// route sends new connections to addr.
func (p *lbProxy) route(addr string) { p.backend.Store(&addr) }

func (p *lbProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.wg.Go(func() { p.pipe(c) })
	}
}

func (p *lbProxy) track(c net.Conn, add bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if add {
		p.conns[c] = struct{}{}
	} else {
		delete(p.conns, c)
	}
}

func (p *lbProxy) pipe(client net.Conn) {
	defer client.Close()
	addr := p.backend.Load()
	if addr == nil {
		return
	}
	backend, err := net.Dial("tcp", *addr)
	if err != nil {
		return
	}
	defer backend.Close()
	p.track(client, true)
	p.track(backend, true)
	defer p.track(client, false)
	defer p.track(backend, false)
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(backend, client); done <- struct{}{} }()
	go func() { _, _ = io.Copy(client, backend); done <- struct{}{} }()
	<-done // either side closed: close both, as the peer would see
	client.Close()
	backend.Close()
	<-done
}
