package server_test

import (
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connecthttp"
	"connectrpc.com/grpcreflect/v2"

	"github.com/harnesshero/platform/modules/builder/buildertest"
	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/platform/storage/storagetest"
	"github.com/harnesshero/platform/server"
)

// TestBuilderWirings runs the builder suite through every wiring on every
// engine, as a signed-in user: in process, over HTTP (Connect and gRPC), and
// with the builder extracted behind the platform — through the platform, in
// process to the platform, and straight to the builder service.
func TestBuilderWirings(t *testing.T) {
	for _, engine := range storagetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Run("InProcess", func(t *testing.T) {
				in := start(t, engine, nil)
				buildertest.Run(t, as(in.p.Transport(), signUp(t, in.p.Transport())))
			})
			t.Run("HTTP", func(t *testing.T) {
				in := start(t, engine, nil)
				buildertest.Run(t, as(in.httpTransport(), signUp(t, in.httpTransport())))
			})
			t.Run("GRPC", func(t *testing.T) {
				in := start(t, engine, nil)
				buildertest.Run(t, as(in.grpcTransport(), signUp(t, in.grpcTransport())))
			})
			t.Run("Extracted", func(t *testing.T) {
				builderSvc, platform := startExtracted(t, engine)
				alice := signUp(t, platform.httpTransport())
				t.Run("HTTP", func(t *testing.T) { buildertest.Run(t, as(platform.httpTransport(), alice)) })
				t.Run("InProcess", func(t *testing.T) { buildertest.Run(t, as(platform.p.Transport(), alice)) })
				t.Run("BuilderService", func(t *testing.T) { buildertest.Run(t, as(builderSvc.httpTransport(), alice)) })
			})
		})
	}
}

func TestHealth(t *testing.T) {
	hs := start(t, storage.SQLite, nil).hs
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/nope": 404} {
		res, err := hs.Client().Get(hs.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("GET %s = %d, want %d", path, res.StatusCode, want)
		}
	}
}

func TestCORS(t *testing.T) {
	hs := start(t, storage.SQLite, func(c *server.Config) { c.CORSOrigins = []string{"https://shop.example"} }).hs
	preflight := func(origin string) string {
		req, _ := http.NewRequest(http.MethodOptions, hs.URL+"/harness.builder.v1.CatalogService/Quote", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "authorization,connect-protocol-version,content-type") // sorted, as browsers send it
		res, err := hs.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.Header.Get("Access-Control-Allow-Origin")
	}
	if got := preflight("https://shop.example"); got != "https://shop.example" {
		t.Errorf("allowed origin: Access-Control-Allow-Origin = %q", got)
	}
	if got := preflight("https://evil.example"); got != "" {
		t.Errorf("other origin: Access-Control-Allow-Origin = %q, want none", got)
	}
}

func TestConnectJSONAndLimits(t *testing.T) {
	hs := start(t, storage.SQLite, func(c *server.Config) { c.MaxRequestBytes = 4096 }).hs
	post := func(body string) (int, string) {
		res, err := hs.Client().Post(hs.URL+"/harness.builder.v1.CatalogService/Quote", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	code, body := post(`{"design":{"style":"STYLE_STEP_IN","size":"SIZE_M","material":"MATERIAL_NYLON","hardware":"HARDWARE_PLASTIC","webbingColor":"COLOR_BLACK"},"quantity":1}`)
	if code != 200 || !strings.Contains(body, `"totalCents":3400`) {
		t.Errorf("quote = %d %s", code, body)
	}
	code, body = post(`{"design":{"style":"STYLE_STEP_IN","size":"SIZE_XS","material":"MATERIAL_LEATHER","hardware":"HARDWARE_PLASTIC","webbingColor":"COLOR_BLACK"},"quantity":1}`)
	if code != 400 || !strings.Contains(body, "invalid_argument") || !strings.Contains(body, "design.hardware") || !strings.Contains(body, "design.size") {
		t.Errorf("broken quote = %d %s", code, body)
	}
	code, body = post(`{"design":`)
	if code != 400 || !strings.Contains(body, "invalid_argument") {
		t.Errorf("malformed JSON = %d %s", code, body)
	}
	code, _ = post(`{"design":{"nameP` + strings.Repeat("a", 8192) + `"}}`)
	if code == 200 {
		t.Errorf("oversized request accepted")
	}
}

func TestReflection(t *testing.T) {
	hs := start(t, storage.SQLite, nil).hs
	client := grpcreflect.NewClient(connect.NewClient(connecthttp.NewTransport(h2cClient(), hs.URL, connecthttp.WithGRPC())))
	stream := client.NewStream(t.Context())
	defer stream.Close()
	names, err := stream.ListServices()
	if err != nil {
		t.Fatalf("ListServices: %v", err)
	}
	var got []string
	for _, n := range names {
		got = append(got, string(n))
	}
	for _, want := range []string{"harness.builder.v1.CatalogService", "harness.builder.v1.DesignService"} {
		if !strings.Contains(strings.Join(got, " "), want) {
			t.Errorf("reflection lists %v, missing %s", got, want)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	for name, fn := range map[string]func(*server.Config){
		"unknown role":     func(c *server.Config) { c.Role = "nope" },
		"bad builder url":  func(c *server.Config) { c.ModuleURLs = map[string]string{"builder": "x:4002"} },
		"no address":       func(c *server.Config) { c.Addr = "" },
		"no request limit": func(c *server.Config) { c.MaxRequestBytes = 0 },
		"negative drain":   func(c *server.Config) { c.DrainGrace = -time.Second },
		"negative watch":   func(c *server.Config) { c.Watch.PerUser = -1 },
		"no hop deadline": func(c *server.Config) {
			c.ModuleURLs, c.RedisURL, c.Hop.Timeout = map[string]string{"builder": "http://x"}, "redis://r", 0
		},
		"no hop slots": func(c *server.Config) {
			c.ModuleURLs, c.RedisURL, c.Hop.MaxInFlight = map[string]string{"builder": "http://x"}, "redis://r", 0
		},
	} {
		cfg := server.DefaultConfig()
		cfg.DataDir = filepath.Join(t.TempDir(), "x")
		fn(&cfg)
		if err := cfg.Validate(); err == nil {
			t.Errorf("%s: Validate() = nil, want an error", name)
		}
	}
	if err := server.DefaultConfig().Validate(); err != nil {
		t.Errorf("default config: %v", err)
	}
}
