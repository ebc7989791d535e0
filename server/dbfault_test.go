package server_test

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	connect "connectrpc.com/connect/v2"

	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	userv1 "github.com/harnesshero/platform/gen/harness/user/v1"
	"github.com/harnesshero/platform/gen/harness/user/v1/userv1connect"
	"github.com/harnesshero/platform/internal/testwait"
	"github.com/harnesshero/platform/modules/builder/buildertest"
	"github.com/harnesshero/platform/platform/auth"
	"github.com/harnesshero/platform/platform/storage/storagetest"
	"github.com/harnesshero/platform/server"
)

// TestDatabaseFaults: with its database stopped, database-backed calls
// answer Unavailable with a plain message; with its database hung, they
// answer within the query timeout instead of hanging; once it is back,
// they work again. The database is a private Postgres server behind a
// proxy the test can hang.
func TestDatabaseFaults(t *testing.T) {
	t.Parallel()
	pg := storagetest.StartPostgresServer(t)
	proxy := newHangProxy(t, pg.Addr())
	const queryTimeout = time.Second
	in := start(t, "", func(c *server.Config) {
		c.DatabaseURL = "postgres://postgres@" + proxy.addr() + "/postgres?sslmode=disable"
		c.DatabaseQueryTimeout = queryTimeout
	})
	a := signUp(t, in.httpTransport())
	users := userv1connect.NewUserServiceClient(connect.NewClient(in.httpTransport(), auth.BearerToken(a.token)))
	profile := func() error {
		_, err := users.GetProfile(t.Context(), &userv1.GetProfileRequest{})
		return err
	}
	waitWorking := func() {
		t.Helper()
		testwait.Until(t, 30*time.Second, func() error {
			if err := profile(); err != nil {
				return fmt.Errorf("GetProfile after the database came back: %w", err)
			}
			return nil
		})
	}
	if err := profile(); err != nil {
		t.Fatalf("GetProfile with the database up: %v", err)
	}

	t.Run("stopped", func(t *testing.T) {
		pg.Stop()
		for _, call := range []struct {
			name string
			err  func() error
		}{
			{"GetProfile", profile},
			{"SignIn", func() error {
				_, err := userv1connect.NewUserServiceClient(connect.NewClient(in.httpTransport())).SignIn(t.Context(),
					&userv1.SignInRequest{Email: a.email, Password: "correct horse battery"})
				return err
			}},
			{"CreateDesign", func() error {
				_, err := as(in.httpTransport(), a).Designs.CreateDesign(t.Context(),
					&builderv1.CreateDesignRequest{Name: "while down", Design: buildertest.Basic()})
				return err
			}},
			{"ListDesigns", func() error {
				_, err := as(in.httpTransport(), a).Designs.ListDesigns(t.Context(), nil)
				return err
			}},
		} {
			started := time.Now()
			err := call.err()
			t.Logf("%s with the database stopped answered %v in %v", call.name, connect.CodeOf(err), time.Since(started))
			if connect.CodeOf(err) != connect.CodeUnavailable {
				t.Errorf("%s with the database stopped = %v, want unavailable", call.name, err)
				continue
			}
			if msg := connectMessage(err); msg != "the database is unavailable" {
				t.Errorf("%s message = %q, want a plain one", call.name, msg)
			}
		}
		pg.Start()
		waitWorking()
	})

	t.Run("hung", func(t *testing.T) {
		proxy.hang()
		started := time.Now()
		err := profile()
		elapsed := time.Since(started)
		t.Logf("GetProfile against a hung database answered %v in %v", connect.CodeOf(err), elapsed)
		if connect.CodeOf(err) != connect.CodeUnavailable || connectMessage(err) != "the database is unavailable" {
			t.Errorf("GetProfile with the database hung = %v, want unavailable: the database is unavailable", err)
		}
		if elapsed > 3*queryTimeout {
			t.Errorf("GetProfile with the database hung took %v, want about the query timeout %v", elapsed, queryTimeout)
		}
		proxy.resume()
		waitWorking()
	})
}

func connectMessage(err error) string {
	if cerr, ok := errors.AsType[*connect.Error](err); ok {
		return cerr.Message()
	}
	return ""
}

// hangProxy forwards TCP connections to a server until hang is called;
// then it stops moving bytes on the connections it has and holds new
// ones open without an answer, as a hung server does. resume cuts the held
// connections and forwards again.
type hangProxy struct {
	t        *testing.T
	l        net.Listener
	upstream string

	mu    sync.Mutex
	hung  bool
	conns []net.Conn
}

func newHangProxy(t *testing.T, upstream string) *hangProxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &hangProxy{t: t, l: l, upstream: upstream}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		l.Close()
		p.closeAll()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			p.track(c)
			if p.isHung() {
				continue // held open, never answered
			}
			up, err := net.Dial("tcp", upstream)
			if err != nil {
				c.Close()
				continue
			}
			p.track(up)
			wg.Go(func() { p.pipe(up, c) })
			wg.Go(func() { p.pipe(c, up) })
		}
	})
	return p
}

func (p *hangProxy) addr() string { return p.l.Addr().String() }

func (p *hangProxy) track(c net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.conns = append(p.conns, c)
}

func (p *hangProxy) isHung() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.hung
}

// pipe copies src to dst, dropping what it reads while the proxy is hung.
func (p *hangProxy) pipe(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && !p.isHung() {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) && !strings.Contains(err.Error(), "reset") {
				p.t.Logf("hangProxy: %v", err)
			}
			dst.Close()
			return
		}
	}
}

func (p *hangProxy) hang() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hung = true
}

func (p *hangProxy) resume() {
	p.closeAll()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hung = false
}

func (p *hangProxy) closeAll() {
	p.mu.Lock()
	conns := p.conns
	p.conns = nil
	p.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
}
