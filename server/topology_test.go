package server_test

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	connect "connectrpc.com/connect/v2"

	analyticsv1 "github.com/harnesshero/platform/gen/harness/analytics/v1"
	"github.com/harnesshero/platform/gen/harness/analytics/v1/analyticsv1connect"
	"github.com/harnesshero/platform/platform/auth"
	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/platform/storage/storagetest"
	"github.com/harnesshero/platform/server"
)

func TestModuleTable(t *testing.T) {
	if got, want := server.ModuleNames(), []string{"user", "builder", "order", "webhook", "analytics"}; !slices.Equal(got, want) {
		t.Errorf("ModuleNames() = %v, want %v", got, want)
	}
	if got := server.ModuleURLEnv("builder"); got != "BUILDER_SERVICE_URL" {
		t.Errorf("ModuleURLEnv(builder) = %q", got)
	}
	for role, want := range map[server.Role]int{
		"all": 4000, "user": 4001, "builder": 4002, "order": 4003, "webhook": 4004, "analytics": 4005,
		"user,order": 4000, "nope": 4000,
	} {
		if got := server.DefaultPort(role); got != want {
			t.Errorf("DefaultPort(%q) = %d, want %d", role, got, want)
		}
	}
}

// TestTopologyValidate: a role and module URLs that make a topology pass;
// the others fail with a message that says what to change.
func TestTopologyValidate(t *testing.T) {
	const redis = "redis://cache:6379/0"
	every := map[string]string{
		"user": "http://u", "builder": "http://b", "order": "http://o", "webhook": "http://w", "analytics": "http://a",
	}
	tests := []struct {
		name    string
		role    server.Role
		urls    map[string]string
		redis   string
		pubKey  string // AccessTokenPublicKeyFile
		wantErr string // "" means valid
	}{
		{name: "monolith", role: "all"},
		{name: "monolith without Redis listing every module", role: "user,builder,order,webhook,analytics"},
		{name: "builder service", role: "builder", redis: redis},
		{name: "platform with remote builder", role: "all", urls: map[string]string{"builder": "http://b:4002"}, redis: redis},
		{name: "entry serving nothing needs no Redis", role: "all", urls: every, pubKey: "/keys/public.pem"},
		{name: "entry serving nothing without the public key", role: "all", urls: every, wantErr: "server: this process serves no module: it needs the user module's public key to verify access tokens (HARNESS_ACCESS_TOKEN_PUBLIC_KEY_FILE, --access-token-public-key-file)"},
		{name: "order with remote builder", role: "order", urls: map[string]string{"builder": "http://b"}, redis: redis},
		{name: "order and builder together", role: " order , builder", redis: redis},
		{name: "spaces and several", role: "webhook,analytics", redis: redis},
		{name: "empty role", role: "", wantErr: `unknown module ""`},
		{name: "unknown module", role: "user,billing", wantErr: `unknown module "billing"`},
		{name: "all in a list", role: "all,user", wantErr: "all stands alone"},
		{name: "twice", role: "user,user", redis: redis, wantErr: "names user twice"},
		{name: "served and remote", role: "builder", urls: map[string]string{"builder": "http://b"}, redis: redis, wantErr: "the builder module is served here (role builder) and pointed at http://b (BUILDER_SERVICE_URL)"},
		{name: "order without builder", role: "order", redis: redis, wantErr: "the order module needs the builder module: serve it here too (--role order,builder) or point at it (BUILDER_SERVICE_URL or --module-url builder=URL)"},
		{name: "split without Redis", role: "builder", wantErr: "the modules run in several processes (builder here), so their events need REDIS_URL"},
		{name: "platform with remote builder without Redis", role: "all", urls: map[string]string{"builder": "http://b"}, wantErr: "(user, order, webhook, analytics here), so their events need REDIS_URL"},
		{name: "unknown module URL", role: "all", urls: map[string]string{"billing": "http://x"}, redis: redis, wantErr: `a URL for unknown module "billing"`},
		{name: "not a URL", role: "all", urls: map[string]string{"order": "order:4003"}, redis: redis, wantErr: `ORDER_SERVICE_URL "order:4003" is not an http(s) URL`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := server.DefaultConfig()
			cfg.DataDir = filepath.Join(t.TempDir(), "x")
			cfg.Role, cfg.ModuleURLs, cfg.RedisURL, cfg.AccessTokenPublicKeyFile = tt.role, tt.urls, tt.redis, tt.pubKey
			err := cfg.Validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tt.wantErr != "" && err == nil:
				t.Errorf("Validate() = nil, want an error with %q", tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Errorf("Validate() = %v, want it to say %q", err, tt.wantErr)
			}
		})
	}
}

// TestSubsetMigrations: a process serving some modules creates their
// tables and the outbox, and no other module's, on Postgres and SQLite.
func TestSubsetMigrations(t *testing.T) {
	for _, engine := range storagetest.Engines(t) {
		for _, role := range []server.Role{"builder", "webhook,analytics", "user"} {
			t.Run(string(engine)+"/"+string(role), func(t *testing.T) {
				cfg := server.DefaultConfig()
				cfg.DataDir, cfg.Role = t.TempDir(), role
				if engine == storage.Postgres {
					cfg.DatabaseURL = storagetest.DSN(t, engine)
				}
				if err := server.Migrate(t.Context(), cfg, slog.New(slog.DiscardHandler)); err != nil {
					t.Fatalf("Migrate: %v", err)
				}
				db, err := storage.Open(t.Context(), cfg.DSN())
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				served := strings.Split(string(role), ",")
				for _, name := range append(server.ModuleNames(), "events") {
					var n int
					table := name + "_migrations"
					q := "SELECT count(*) FROM information_schema.tables WHERE table_name = ?"
					if engine == storage.SQLite {
						q = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?"
					}
					if err := db.NewRaw(q, table).Scan(t.Context(), &n); err != nil {
						t.Fatal(err)
					}
					if want := slices.Contains(served, name) || name == "events"; (n > 0) != want {
						t.Errorf("table %s exists: %v, want %v", table, n > 0, want)
					}
				}
			})
		}
	}
}

// TestRemoteWebhookUnavailable: a process forwarding the webhook route to
// a module it cannot reach answers 503 "the webhook is unavailable" (the
// provider retries), without the module's address; and the RPCs of a
// module it cannot reach answer Unavailable the same way.
func TestRemoteWebhookUnavailable(t *testing.T) {
	events := splitEvents(t)
	dead := "http://" + deadAddr(t)
	entry := start(t, storage.SQLite, func(c *server.Config) {
		c.ModuleURLs = map[string]string{"webhook": dead, "analytics": dead}
		events(c)
	})
	res, err := entry.hs.Client().Post(entry.hs.URL+"/webhooks/payments", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusServiceUnavailable || string(body) != "the webhook is unavailable\n" {
		t.Errorf("webhook through the entry = %d %q, want 503 the webhook is unavailable", res.StatusCode, body)
	}
	admin := signUpAdmin(t, entry, entry.httpTransport())
	_, err = analyticsv1connect.NewAnalyticsServiceClient(connect.NewClient(entry.httpTransport(), auth.BearerToken(admin.token))).
		GetEventStats(t.Context(), &analyticsv1.GetEventStatsRequest{})
	if connect.CodeOf(err) != connect.CodeUnavailable || !strings.HasSuffix(err.Error(), "the analytics is unavailable") {
		t.Errorf("analytics through the entry: %v, want unavailable: the analytics is unavailable", err)
	}
}

// deadAddr returns a loopback address nothing listens on.
func deadAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestEntryWithoutPublicKey: an entry that serves no module and has no
// public key refuses to start, naming the setting, and makes no key pair
// of its own.
func TestEntryWithoutPublicKey(t *testing.T) {
	cfg := server.DefaultConfig()
	cfg.DataDir, cfg.Addr = t.TempDir(), "127.0.0.1:0"
	cfg.ModuleURLs = map[string]string{}
	for _, name := range server.ModuleNames() {
		cfg.ModuleURLs[name] = "http://127.0.0.1:1"
	}
	// (Bounded: a process that starts serves until its context ends.)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	err := server.Serve(ctx, cfg, slog.New(slog.DiscardHandler), nil)
	if err == nil || !strings.Contains(err.Error(), "HARNESS_ACCESS_TOKEN_PUBLIC_KEY_FILE") {
		t.Fatalf("Serve = %v, want a refusal naming HARNESS_ACCESS_TOKEN_PUBLIC_KEY_FILE", err)
	}
	if _, err := os.Stat(auth.PrivateKeyPath(cfg.DataDir)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a key pair was made under the data dir: %v", err)
	}
}
