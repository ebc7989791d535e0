package server

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// connTransport sends a hop's HTTP/1.1 requests on pooled connections
// from the calling goroutine itself: it writes the request and reads the
// answer with net/http's own wire code (Request.Write, ReadResponse), where
// net/http's Transport hands every request to a writer goroutine and every
// answer back from a reader goroutine. On a loopback hop those two
// wake-ups per call cost more CPU than the rest of the forwarding
// (docs/benchmarks.md). Only plain http:// URLs of one host; nothing else
// reaches a hop.
type connTransport struct {
	dialer      *net.Dialer
	headerWait  time.Duration // the answer's header must come this soon
	idleTimeout time.Duration

	mu   sync.Mutex
	idle []*hopConn // most recently used last
	max  int
}

// hopConn is one pooled connection.
type hopConn struct {
	net.Conn
	br     *bufio.Reader
	bw     *bufio.Writer
	idleAt time.Time
	reused bool
}

func newConnTransport(cfg HopConfig) *connTransport {
	return &connTransport{
		dialer:      &net.Dialer{Timeout: cfg.DialTimeout, KeepAlive: 15 * time.Second},
		headerWait:  cfg.Timeout,
		idleTimeout: cfg.IdleTimeout,
		max:         64,
	}
}

// errStale: a reused connection ended before any answer: the module's
// process had closed it, most likely before reading the request.
var errStale = errors.New("server: pooled connection closed by the module")

// RoundTrip implements http.RoundTripper.
func (t *connTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := t.roundTrip(req, t.get())
	if errors.Is(err, errStale) && req.Context().Err() == nil && (req.GetBody != nil || req.Body == nil || req.Body == http.NoBody) && replayable(req) {
		if req.GetBody != nil {
			body, berr := req.GetBody()
			if berr != nil {
				return nil, err
			}
			req = req.Clone(req.Context())
			req.Body = body
		}
		return t.roundTrip(req, nil)
	}
	return res, err
}

// replayable reports whether a request that may have reached the module
// can be sent again: it says it is idempotent (an Idempotency-Key entry,
// set by hopTransport for safe procedures or by the caller).
func replayable(req *http.Request) bool {
	_, keyed := req.Header["Idempotency-Key"]
	return keyed
}

func (t *connTransport) roundTrip(req *http.Request, c *hopConn) (*http.Response, error) {
	ctx := req.Context()
	if c == nil {
		conn, err := t.dialer.DialContext(ctx, "tcp", req.URL.Host)
		if err != nil {
			if req.Body != nil {
				_ = req.Body.Close()
			}
			return nil, err
		}
		c = &hopConn{Conn: conn, br: bufio.NewReaderSize(conn, 4096), bw: bufio.NewWriterSize(conn, 4096)}
	}
	// The caller's cancellation or deadline interrupts the connection.
	stop := context.AfterFunc(ctx, func() { _ = c.SetDeadline(time.Unix(1, 0)) })
	fail := func(err error) (*http.Response, error) {
		stop()
		_ = c.Close()
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("%w: %w", ctxErr, err)
		}
		return nil, err
	}
	if err := req.Write(c.bw); err != nil {
		return fail(err)
	}
	if err := c.bw.Flush(); err != nil {
		return fail(err)
	}
	if t.headerWait > 0 {
		_ = c.SetReadDeadline(time.Now().Add(t.headerWait))
	}
	if c.reused {
		if _, err := c.br.Peek(1); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || isReset(err) {
				err = fmt.Errorf("%w: %w", errStale, err)
			}
			return fail(err)
		}
	}
	res, err := http.ReadResponse(c.br, req)
	if err != nil {
		return fail(err)
	}
	_ = c.SetReadDeadline(time.Time{})
	res.Body = &connBody{body: res.Body, c: c, t: t, stop: stop, keep: !res.Close}
	return res, nil
}

// isReset reports a connection reset by the peer.
func isReset(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "read"
}

// get takes the most recently used idle connection, dropping the ones idle
// too long; nil when none.
func (t *connTransport) get() *hopConn {
	t.mu.Lock()
	defer t.mu.Unlock()
	for n := len(t.idle); n > 0; n = len(t.idle) {
		c := t.idle[n-1]
		t.idle = t.idle[:n-1]
		if time.Since(c.idleAt) < t.idleTimeout {
			c.reused = true
			return c
		}
		_ = c.Close()
	}
	return nil
}

// put keeps c for the next call, or closes it when the pool is full.
func (t *connTransport) put(c *hopConn) {
	c.idleAt = time.Now()
	t.mu.Lock()
	if len(t.idle) < t.max {
		t.idle = append(t.idle, c)
		c = nil
	}
	t.mu.Unlock()
	if c != nil {
		_ = c.Close()
	}
}

// CloseIdleConnections closes the pooled connections.
func (t *connTransport) CloseIdleConnections() {
	t.mu.Lock()
	idle := t.idle
	t.idle = nil
	t.mu.Unlock()
	for _, c := range idle {
		_ = c.Close()
	}
}

// connBody is an answer's body: read to its end, it gives its connection
// back to the pool; closed before, it closes the connection.
type connBody struct {
	body io.ReadCloser
	c    *hopConn
	t    *connTransport
	stop func() bool
	keep bool
	once sync.Once
	eof  bool
}

func (b *connBody) Read(p []byte) (int, error) {
	n, err := b.body.Read(p)
	if errors.Is(err, io.EOF) {
		b.eof = true
		b.release()
	}
	return n, err
}

func (b *connBody) Close() error {
	err := b.body.Close()
	b.release()
	return err
}

// release gives the connection back when the whole answer was read and
// the caller's context did not interrupt it; otherwise closes it.
func (b *connBody) release() {
	b.once.Do(func() {
		if b.stop() && b.eof && b.keep {
			b.t.put(b.c)
			return
		}
		_ = b.c.Close()
	})
}
