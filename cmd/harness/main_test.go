package main

import (
	"bytes"
	"fmt"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connecthttp"

	userv1 "github.com/harnesshero/platform/gen/harness/user/v1"
	"github.com/harnesshero/platform/gen/harness/user/v1/userv1connect"
	"github.com/harnesshero/platform/modules/builder/buildertest"
	"github.com/harnesshero/platform/platform/auth"
	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/platform/storage/storagetest"
	"github.com/harnesshero/platform/server"
)

func TestParseConfig(t *testing.T) {
	env := map[string]string{
		"PORT": "5000", "DATABASE_URL": "postgres://u:pw-8f3k2@db/x", "STRIPE_SECRET_KEY": "sk_live_key-9d2m", "BUILDER_SERVICE_URL": "http://builder:4002",
		"REDIS_URL": "redis://cache:6379/0", "HARNESS_ADMIN_ADDR": "127.0.0.1:9090",
		"HARNESS_CORS_ORIGINS": "https://a.example, https://b.example", "HARNESS_DATABASE_QUERY_TIMEOUT": "2500ms",
	}
	cfg, _, err := parseConfig("serve", nil, func(k string) string { return env[k] }, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != ":5000" || cfg.DatabaseURL != env["DATABASE_URL"] || cfg.ModuleURLs["builder"] != "http://builder:4002" ||
		strings.Join(cfg.CORSOrigins, " ") != "https://a.example https://b.example" || cfg.DatabaseQueryTimeout != 2500*time.Millisecond || cfg.AdminAddr != "127.0.0.1:9090" {
		t.Errorf("config from env = %+v", cfg)
	}
	redisOnly := func(k string) string { return map[string]string{"REDIS_URL": "redis://cache:6379/0"}[k] }
	cfg, _, err = parseConfig("serve", []string{"--role", "builder"}, redisOnly, &bytes.Buffer{})
	if err != nil || cfg.Addr != ":4002" || cfg.Role != server.RoleBuilder {
		t.Errorf("--role builder: addr %q role %q err %v", cfg.Addr, cfg.Role, err)
	}
	if _, _, err := parseConfig("serve", []string{"--role", "nope"}, func(string) string { return "" }, &bytes.Buffer{}); err == nil {
		t.Error("unknown role accepted")
	}
	if _, _, err := parseConfig("serve", []string{"--log-format", "JSON"}, func(string) string { return "" }, &bytes.Buffer{}); err == nil {
		t.Error("--log-format JSON accepted (a typo would log text where a collector expects JSON)")
	}
	if err := run(t.Context(), []string{"frobnicate"}, func(string) string { return "" }, &bytes.Buffer{}, &bytes.Buffer{}); err == nil {
		t.Error("unknown command accepted")
	}
	var out bytes.Buffer
	if err := run(t.Context(), []string{"version"}, func(string) string { return "" }, &out, &bytes.Buffer{}); err != nil || out.Len() == 0 {
		t.Errorf("version: %q, %v", out.String(), err)
	}
	hop := map[string]string{"HARNESS_DRAIN_GRACE": "3s", "HARNESS_HOP_TIMEOUT": "750ms", "HARNESS_HOP_BREAKER_FAILURES": "7"}
	cfg, _, err = parseConfig("serve", []string{"--hop-max-in-flight", "9", "--drain-grace", "0"}, func(k string) string { return hop[k] }, &bytes.Buffer{})
	if err != nil || cfg.DrainGrace != 0 || cfg.Hop.Timeout != 750*time.Millisecond || cfg.Hop.BreakerFailures != 7 || cfg.Hop.MaxInFlight != 9 {
		t.Errorf("drain and hop settings: %+v, %v", cfg, err)
	}
	if cfg.Watch.PerUser != 16 || cfg.Watch.Total != 4096 {
		t.Errorf("default watch caps: %+v, want 16 per user, 4096 in all", cfg.Watch)
	}
	watch := map[string]string{"HARNESS_WATCH_MAX": "100"}
	cfg, _, err = parseConfig("serve", []string{"--watch-max-per-user", "4"}, func(k string) string { return watch[k] }, &bytes.Buffer{})
	if err != nil || cfg.Watch.PerUser != 4 || cfg.Watch.Total != 100 {
		t.Errorf("watch caps: %+v, %v", cfg.Watch, err)
	}
	if _, _, err := parseConfig("serve", nil, func(k string) string { return map[string]string{"HARNESS_HOP_TIMEOUT": "soon"}[k] }, &bytes.Buffer{}); err == nil {
		t.Error("HARNESS_HOP_TIMEOUT=soon accepted")
	}
	for _, tc := range []struct {
		env     map[string]string
		args    []string
		percent int
		limit   int64
	}{
		{percent: server.DefaultGCPercent},
		{env: map[string]string{"GOGC": "150"}},
		{env: map[string]string{"GOGC": "150"}, args: []string{"--gc-percent", "200"}, percent: 200},
		{env: map[string]string{"HARNESS_GC_PERCENT": "-1", "HARNESS_MEMORY_LIMIT": "460MiB"}, percent: -1, limit: 460 << 20},
	} {
		cfg, _, err := parseConfig("serve", tc.args, func(k string) string { return tc.env[k] }, &bytes.Buffer{})
		if err != nil || cfg.GCPercent != tc.percent || cfg.MemoryLimit != tc.limit {
			t.Errorf("env %v args %v: gc percent %d, memory limit %d, %v; want %d, %d", tc.env, tc.args, cfg.GCPercent, cfg.MemoryLimit, err, tc.percent, tc.limit)
		}
	}
	if _, _, err := parseConfig("serve", []string{"--memory-limit", "lots"}, func(string) string { return "" }, &bytes.Buffer{}); err == nil {
		t.Error("--memory-limit lots accepted")
	}
	logged, _, _ := parseConfig("serve", nil, func(k string) string { return env[k] }, &bytes.Buffer{})
	for _, secret := range []string{"pw-8f3k2", "sk_live_key-9d2m"} {
		if strings.Contains(fmt.Sprint(logged.LogValue()), secret) {
			t.Errorf("the config log shows a secret (%s)", secret)
		}
	}
}

// TestTwoProcesses runs the builder as its own process (the builder
// service) and the platform as another routing builder calls to it, then
// runs the builder suite through the platform and directly against the
// service. Both stop cleanly on SIGTERM.
func TestTwoProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := binary(t)
	for _, engine := range storagetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			env := splitEvents(t)
			if engine == storage.Postgres {
				env = append(env, "DATABASE_URL="+storagetest.DSN(t, engine))
			}
			// The platform signs tokens; the builder service holds only the
			// public key.
			keys := t.TempDir()
			if _, err := auth.LoadOrCreateKeyPair(keys); err != nil {
				t.Fatal(err)
			}
			builderURL, _ := start(t, bin, append(env, "HARNESS_ACCESS_TOKEN_PUBLIC_KEY_FILE="+auth.PublicKeyPath(keys)), "--role", "builder")
			platformURL, platformDir := start(t, bin, append(env, "BUILDER_SERVICE_URL="+builderURL,
				"HARNESS_ACCESS_TOKEN_PRIVATE_KEY_FILE="+auth.PrivateKeyPath(keys)))

			users := userv1connect.NewUserServiceClient(connect.NewClient(connecthttp.NewTransport(http.DefaultClient, platformURL)))
			email := fmt.Sprintf("two-processes-%d@example.com", time.Now().UnixNano())
			reg, err := users.Register(t.Context(), &userv1.RegisterRequest{Email: email, Password: "correct horse battery", DisplayName: "Two"})
			if err != nil {
				t.Fatalf("Register: %v", err)
			}
			for name, url := range map[string]string{"Platform": platformURL, "BuilderService": builderURL} {
				t.Run(name, func(t *testing.T) {
					buildertest.Run(t, buildertest.NewClients(connect.NewClient(
						connecthttp.NewTransport(http.DefaultClient, url), auth.BearerToken(reg.GetSession().GetAccessToken()))))
				})
			}

			// The first admin is made by the CLI, on the platform's database.
			grant := exec.Command(bin, "users", "grant-admin", email, "--data-dir", platformDir)
			grant.Env = append(os.Environ(), env...)
			if out, err := grant.CombinedOutput(); err != nil {
				t.Fatalf("users grant-admin: %v\n%s", err, out)
			}
			signIn, err := users.SignIn(t.Context(), &userv1.SignInRequest{Email: email, Password: "correct horse battery"})
			if err != nil {
				t.Fatalf("SignIn: %v", err)
			}
			if role := signIn.GetUser().GetRole(); role != userv1.Role_ROLE_ADMIN {
				t.Errorf("role after grant-admin = %v, want admin", role)
			}
		})
	}
}

// start runs `harness serve` with args on a free port and a new data
// directory, waits until it is ready, and stops it with SIGTERM at the end of
// the test, which must exit 0. It returns its URL and data directory.
func start(t *testing.T, bin string, env []string, args ...string) (string, string) {
	t.Helper()
	p := startProc(t, bin, env, args...)
	return p.url, p.dir
}

// TestParseModuleFlags: --role lists modules, <MODULE>_SERVICE_URL and the
// repeatable --module-url (which wins) point at modules elsewhere, and the
// port defaults to the one module's own.
func TestParseModuleFlags(t *testing.T) {
	const redis = "redis://cache:6379/0"
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		wantAddr string
		wantURLs map[string]string
		wantDBs  map[string]string
		wantErr  string
	}{
		{name: "monolith", wantAddr: ":4000"},
		{name: "user", args: []string{"--role", "user"}, env: map[string]string{"REDIS_URL": redis}, wantAddr: ":4001"},
		{name: "order with builder from env", args: []string{"--role", "order"},
			env:      map[string]string{"REDIS_URL": redis, "BUILDER_SERVICE_URL": "http://b:4002"},
			wantAddr: ":4003", wantURLs: map[string]string{"builder": "http://b:4002"}},
		{name: "flag wins over env", args: []string{"--role", "order", "--module-url", "builder=http://flag:4002"},
			env:      map[string]string{"REDIS_URL": redis, "BUILDER_SERVICE_URL": "http://env:4002"},
			wantAddr: ":4003", wantURLs: map[string]string{"builder": "http://flag:4002"}},
		{name: "webhook", args: []string{"--role", "webhook"}, env: map[string]string{"REDIS_URL": redis}, wantAddr: ":4004"},
		{name: "analytics with PORT", args: []string{"--role", "analytics"}, env: map[string]string{"REDIS_URL": redis, "PORT": "9000"}, wantAddr: ":9000"},
		{name: "several", args: []string{"--role", "user,analytics"}, env: map[string]string{"REDIS_URL": redis}, wantAddr: ":4000"},
		{name: "entry", args: []string{"--module-url", "user=http://u", "--module-url", "builder=http://b", "--module-url", "order=http://o",
			"--module-url", "webhook=http://w", "--module-url", "analytics=http://a"}, env: map[string]string{"HARNESS_ACCESS_TOKEN_PUBLIC_KEY_FILE": "/keys/pub.pem"},
			wantAddr: ":4000", wantURLs: map[string]string{"user": "http://u", "builder": "http://b", "order": "http://o", "webhook": "http://w", "analytics": "http://a"}},
		{name: "entry without a public key", args: []string{"--module-url", "user=http://u", "--module-url", "builder=http://b", "--module-url", "order=http://o",
			"--module-url", "webhook=http://w", "--module-url", "analytics=http://a"}, wantErr: "needs the user module's public key"},
		{name: "module database", args: []string{"--module-database-url", "analytics=postgres://db/analytics"}, env: map[string]string{"USER_DATABASE_URL": "postgres://db/users"},
			wantAddr: ":4000", wantDBs: map[string]string{"analytics": "postgres://db/analytics", "user": "postgres://db/users"}},
		{name: "database of an unknown module", args: []string{"--module-database-url", "shop=postgres://db/x"}, wantErr: "unknown module \"shop\""},
		{name: "every module env", env: map[string]string{"REDIS_URL": redis, "USER_SERVICE_URL": "http://u", "ORDER_SERVICE_URL": "http://o",
			"WEBHOOK_SERVICE_URL": "http://w", "ANALYTICS_SERVICE_URL": "http://a"}, wantAddr: ":4000",
			wantURLs: map[string]string{"user": "http://u", "order": "http://o", "webhook": "http://w", "analytics": "http://a"}},
		{name: "module-url without =", args: []string{"--module-url", "builder"}, wantErr: "want NAME=URL"},
		{name: "order alone", args: []string{"--role", "order"}, env: map[string]string{"REDIS_URL": redis}, wantErr: "the order module needs the builder module"},
		{name: "split without Redis", args: []string{"--role", "analytics"}, wantErr: "need REDIS_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, _, err := parseConfig("serve", tt.args, func(k string) string { return tt.env[k] }, &bytes.Buffer{})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Addr != tt.wantAddr || !maps.Equal(cfg.ModuleURLs, tt.wantURLs) {
				t.Errorf("addr %q urls %v, want %q %v", cfg.Addr, cfg.ModuleURLs, tt.wantAddr, tt.wantURLs)
			}
			if !maps.Equal(cfg.ModuleDatabaseURLs, tt.wantDBs) {
				t.Errorf("module databases %v, want %v", cfg.ModuleDatabaseURLs, tt.wantDBs)
			}
		})
	}
}

// TestForgetAddressesCommand: `harness orders forget-addresses` runs on the
// order module's database and reports what it erased; a retention that is
// not a positive duration is refused before anything is erased.
func TestForgetAddressesCommand(t *testing.T) {
	dir := t.TempDir()
	noEnv := func(string) string { return "" }
	var out bytes.Buffer
	if err := run(t.Context(), []string{"orders", "forget-addresses", "--data-dir", dir}, noEnv, &out, &bytes.Buffer{}); err != nil {
		t.Fatalf("forget-addresses: %v", err)
	}
	if want := "erased the shipping addresses of 0 orders settled more than 4320h0m0s ago\n"; out.String() != want {
		t.Errorf("output %q, want %q", out.String(), want)
	}
	for _, args := range [][]string{
		{"orders", "forget-addresses", "--data-dir", dir, "--older-than", "0s"},
		{"orders", "forget-addresses", "--data-dir", dir, "--older-than", "-1h"},
		{"orders", "forget-addresses", "--data-dir", dir, "--older-than", "soon"},
		{"orders", "forget"},
		{"orders"},
	} {
		if err := run(t.Context(), args, noEnv, &bytes.Buffer{}, &bytes.Buffer{}); err == nil {
			t.Errorf("%q: no error", args)
		}
	}
}
