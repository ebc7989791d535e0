package server_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"
	"time"

	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connecthttp"
	"github.com/google/uuid"

	userv1 "github.com/harnesshero/platform/gen/harness/user/v1"
	"github.com/harnesshero/platform/gen/harness/user/v1/userv1connect"
	"github.com/harnesshero/platform/modules/builder/buildertest"
	"github.com/harnesshero/platform/modules/user"
	"github.com/harnesshero/platform/platform/auth"
	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/platform/storage/storagetest"
	"github.com/harnesshero/platform/server"
)

// instance is one running platform process: its config, the wired
// platform and an HTTP server in front of it (HTTP/1.1 and h2c).
type instance struct {
	cfg server.Config
	p   *server.Platform
	hs  *httptest.Server
}

// start starts a platform with cfg changed by fn on a fresh database of
// engine.
func start(t testing.TB, engine storage.Engine, fn func(*server.Config)) *instance {
	t.Helper()
	return startWith(t, engine, slog.New(slog.DiscardHandler), fn)
}

// startWith is start with the platform logging to logger.
func startWith(t testing.TB, engine storage.Engine, logger *slog.Logger, fn func(*server.Config)) *instance {
	t.Helper()
	cfg := server.DefaultConfig()
	cfg.DataDir = t.TempDir()
	// Cheap password hashes: these tests register many users; the
	// production cost is checked in modules/user (TestPasswordCost).
	cfg.PasswordCost = user.PasswordCost{MemoryKiB: 64, Passes: 1}
	if fn != nil {
		fn(&cfg)
	}
	if cfg.DatabaseURL == "" && (engine == storage.SQLite || engine == storage.Postgres) {
		premigrate(t, engine, &cfg)
	}
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
	return &instance{cfg: cfg, p: p, hs: hs}
}

// premigrate gives cfg a database of engine that has the migrations of
// cfg's modules applied already: a copy of storagetest's template (see
// TestMain), instead of migrating every platform's database from empty.
// server.New still runs its migrations and finds them applied.
func premigrate(t testing.TB, engine storage.Engine, cfg *server.Config) {
	t.Helper()
	sets, err := cfg.MigrationSets()
	if err != nil {
		t.Fatal(err)
	}
	if len(sets) == 0 {
		return
	}
	dsn := storagetest.MigratedDSN(t, engine, sets...)
	if engine == storage.Postgres {
		cfg.DatabaseURL = dsn
		return
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(dsn, cfg.DSN()); err != nil {
		t.Fatalf("move the migrated SQLite database into the data directory: %v", err)
	}
}

// startExtracted starts a builder service and a platform routing builder
// calls to it, sharing one access-token key pair (the service holds only
// the public key).
func startExtracted(t testing.TB, engine storage.Engine) (builderSvc, platform *instance) {
	t.Helper()
	keys := t.TempDir()
	if _, err := auth.LoadOrCreateKeyPair(keys); err != nil {
		t.Fatal(err)
	}
	events := splitEvents(t)
	builderSvc = start(t, engine, func(c *server.Config) {
		c.Role = server.RoleBuilder
		c.AccessTokenPublicKeyFile = auth.PublicKeyPath(keys)
		events(c)
	})
	platform = start(t, engine, func(c *server.Config) {
		c.ModuleURLs = map[string]string{"builder": builderSvc.hs.URL}
		c.AccessTokenPrivateKeyFile = auth.PrivateKeyPath(keys)
		events(c)
	})
	return builderSvc, platform
}

// startSplit starts the five modules as five services and an entry that
// serves none of them and forwards every call, as five processes would
// run (each on its own database; one Redis with a prefix of the test's).
// Only the user service holds the private key.
func startSplit(t *testing.T, engine storage.Engine) (entry *instance, services map[string]*instance) {
	t.Helper()
	keys := t.TempDir()
	if _, err := auth.LoadOrCreateKeyPair(keys); err != nil {
		t.Fatal(err)
	}
	events := splitEvents(t)
	urls := map[string]string{}
	services = map[string]*instance{}
	for _, name := range []string{"user", "builder", "webhook", "analytics", "order"} { // order needs the builder
		services[name] = start(t, engine, func(c *server.Config) {
			c.Role = server.Role(name)
			c.WebhookSecret = splitWebhookSecret // one for every process, as deployed
			if name == "order" {
				c.ModuleURLs = map[string]string{"builder": urls["builder"]}
			}
			c.AccessTokenPublicKeyFile = auth.PublicKeyPath(keys)
			if name == "user" {
				c.AccessTokenPrivateKeyFile = auth.PrivateKeyPath(keys)
			}
			events(c)
		})
		urls[name] = services[name].hs.URL
	}
	entry = start(t, engine, func(c *server.Config) {
		c.ModuleURLs = urls
		c.AccessTokenPublicKeyFile = auth.PublicKeyPath(keys)
		events(c)
	})
	return entry, services
}

// splitWebhookSecret signs the payment webhooks of startSplit's processes.
const splitWebhookSecret = "whsec_split-test"

// splitEvents returns a config change giving the processes of one split
// topology the same Redis and a stream prefix of their own: modules in
// several processes need Redis for their events.
func splitEvents(t testing.TB) func(*server.Config) {
	t.Helper()
	url, prefix := storagetest.RedisURL(t), "test-"+uuid.NewString()[:8]+":"
	return func(c *server.Config) { c.RedisURL, c.EventStreamPrefix = url, prefix }
}

func (in *instance) httpTransport() connect.Transport {
	return connecthttp.NewTransport(in.hs.Client(), in.hs.URL)
}

func (in *instance) grpcTransport() connect.Transport {
	return connecthttp.NewTransport(h2cClient(), in.hs.URL, connecthttp.WithGRPC())
}

func h2cClient() *http.Client {
	protocols := new(http.Protocols)
	protocols.SetUnencryptedHTTP2(true)
	return &http.Client{Transport: &http.Transport{Protocols: protocols}}
}

// account is a signed-in test user.
type account struct {
	id, email, token string
}

var accounts atomic.Int64

// signUp registers a new user through tr and returns its tokens.
func signUp(t *testing.T, tr connect.Transport) account {
	t.Helper()
	email := fmt.Sprintf("user%d-%d@example.com", accounts.Add(1), time.Now().UnixNano())
	res, err := userv1connect.NewUserServiceClient(connect.NewClient(tr)).Register(t.Context(), &userv1.RegisterRequest{
		Email: email, Password: "correct horse battery", DisplayName: "Test User",
	})
	if err != nil {
		t.Fatalf("Register: %v", err)
	}
	return account{id: res.GetUser().GetId(), email: email, token: res.GetSession().GetAccessToken()}
}

// signUpAdmin registers a user, makes it an admin the only way there is
// (the CLI's GrantAdmin on the database), and signs it in again.
func signUpAdmin(t *testing.T, in *instance, tr connect.Transport) account {
	t.Helper()
	a := signUp(t, tr)
	if err := server.GrantAdmin(t.Context(), in.cfg, slog.New(slog.DiscardHandler), a.email); err != nil {
		t.Fatalf("GrantAdmin: %v", err)
	}
	res, err := userv1connect.NewUserServiceClient(connect.NewClient(tr)).SignIn(t.Context(), &userv1.SignInRequest{
		Email: a.email, Password: "correct horse battery",
	})
	if err != nil {
		t.Fatalf("SignIn: %v", err)
	}
	a.token = res.GetSession().GetAccessToken()
	return a
}

// signInAgain signs a in again through tr and returns the new session's
// access token.
func signInAgain(t *testing.T, tr connect.Transport, a account) string {
	t.Helper()
	res, err := userv1connect.NewUserServiceClient(connect.NewClient(tr)).SignIn(t.Context(), &userv1.SignInRequest{
		Email: a.email, Password: "correct horse battery",
	})
	if err != nil {
		t.Fatalf("SignIn: %v", err)
	}
	return res.GetSession().GetAccessToken()
}

// as returns builder clients on tr that act as a.
func as(tr connect.Transport, a account) buildertest.Clients {
	return buildertest.NewClients(connect.NewClient(tr, auth.BearerToken(a.token)))
}

func slogDiscard() *slog.Logger { return slog.New(slog.DiscardHandler) }
