package user_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	validatepb "buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"
	"buf.build/go/protovalidate"
	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connecthttp"
	"connectrpc.com/connect/v2/connectinprocess"
	"connectrpc.com/connect/v2/connectproto"
	"github.com/uptrace/bun"
	"google.golang.org/genproto/googleapis/rpc/errdetails"

	userv1 "github.com/harnesshero/platform/gen/harness/user/v1"
	"github.com/harnesshero/platform/gen/harness/user/v1/userv1connect"
	"github.com/harnesshero/platform/modules/user"
	"github.com/harnesshero/platform/platform/auth"
	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/rpc"
	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/platform/storage/storagetest"
)

// clock is the module's settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is a server with the user module registered, on a fresh database,
// reached through one transport.
type env struct {
	db        *bun.DB
	verifier  *auth.Verifier
	clock     *clock
	transport connect.Transport
	url       string // the server's, over HTTP
}

const (
	inProcess = "inprocess"
	overHTTP  = "http"
)

// testCost is the cheap argon2id cost the module's tests hash at (64 KiB,
// one pass), where the production cost takes about 100 ms a hash under
// -race; TestPasswordCost checks that the zero Deps hash at the production
// cost.
var testCost = user.PasswordCost{MemoryKiB: 64, Passes: 1}

func newEnv(t *testing.T, engine storage.Engine, transport string) *env {
	t.Helper()
	return newEnvCost(t, engine, transport, testCost)
}

// newEnvCost is newEnv with new passwords hashed at cost.
func newEnvCost(t *testing.T, engine storage.Engine, transport string, cost user.PasswordCost) *env {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	chain, err := rpc.Chain(rpc.Options{PublicKey: pub})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{
		db:       storagetest.Open(t, engine, user.Migrations(), events.Migrations()),
		verifier: auth.NewVerifier(pub, nil),
		clock:    &clock{t: time.Now().UTC()},
	}
	// The production interceptor chain, as the composition root builds it.
	srv := connect.NewServer(chain...)
	mod, err := user.Register(srv, user.Deps{DB: e.db, Issuer: auth.NewIssuer(priv, nil), Now: e.clock.Now, PasswordCost: cost})
	if err != nil {
		t.Fatal(err)
	}
	if err := mod.Ready(t.Context()); err != nil {
		t.Fatalf("Ready: %v", err)
	}
	switch transport {
	case inProcess:
		e.transport = connectinprocess.New(srv)
	case overHTTP:
		mux := http.NewServeMux()
		connecthttp.Mount(mux, srv, rpc.Codecs())
		hs := httptest.NewServer(mux)
		t.Cleanup(hs.Close)
		e.transport, e.url = connecthttp.NewTransport(hs.Client(), hs.URL), hs.URL
	}
	return e
}

// client returns a client sending token ("" = anonymous).
func (e *env) client(token string) userv1connect.UserServiceClient {
	if token == "" {
		return userv1connect.NewUserServiceClient(connect.NewClient(e.transport))
	}
	return userv1connect.NewUserServiceClient(connect.NewClient(e.transport, auth.BearerToken(token)))
}

const password = "correct horse battery"

// register registers email with password and fails the test on error.
func (e *env) register(t *testing.T, email string) *userv1.RegisterResponse {
	t.Helper()
	res, err := e.client("").Register(t.Context(), &userv1.RegisterRequest{Email: email, Password: password, DisplayName: "Rex"})
	if err != nil {
		t.Fatalf("Register(%s): %v", email, err)
	}
	return res
}

func (e *env) signIn(t *testing.T, email, pw string) (*userv1.SignInResponse, error) {
	t.Helper()
	return e.client("").SignIn(t.Context(), &userv1.SignInRequest{Email: email, Password: pw})
}

func (e *env) refresh(t *testing.T, token string) (*userv1.Session, error) {
	t.Helper()
	res, err := e.client("").RefreshSession(t.Context(), &userv1.RefreshSessionRequest{RefreshToken: token})
	return res.GetSession(), err
}

// wantCode fails the test unless err has code; it returns the message.
func wantCode(t *testing.T, err error, code connect.Code) string {
	t.Helper()
	if got := connect.CodeOf(err); got != code {
		t.Fatalf("code = %v (%v), want %v", got, err, code)
	}
	cerr, _ := errors.AsType[*connect.Error](err)
	return cerr.Message()
}

// fields returns the sorted field paths of err's buf.validate.Violations
// detail, failing the test unless err is InvalidArgument with one.
func fields(t *testing.T, err error) []string {
	t.Helper()
	wantCode(t, err, connect.CodeInvalidArgument)
	var out []string
	for _, d := range detailsOf(err) {
		if vs, ok := d.(*validatepb.Violations); ok {
			for _, v := range vs.GetViolations() {
				out = append(out, protovalidate.FieldPathString(v.GetField()))
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("InvalidArgument without violations: %v", err)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// retryDelay returns the RetryInfo delay of err, failing the test unless
// there is one.
func retryDelay(t *testing.T, err error) time.Duration {
	t.Helper()
	for _, d := range detailsOf(err) {
		if ri, ok := d.(*errdetails.RetryInfo); ok {
			return ri.GetRetryDelay().AsDuration()
		}
	}
	t.Fatalf("no RetryInfo detail in %v", err)
	return 0
}

func detailsOf(err error) []any {
	cerr, ok := errors.AsType[*connect.Error](err)
	if !ok {
		return nil
	}
	var out []any
	for _, d := range cerr.Details() {
		if msg, err := connectproto.UnmarshalErrorDetail(d); err == nil {
			out = append(out, msg)
		}
	}
	return out
}
