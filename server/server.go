// Package server is the composition root: it reads nothing from the
// environment itself but turns a Config into a running platform — the
// database, the modules (in process or remote), one connect.Server with the
// interceptor chain, and the HTTP mux with Connect, gRPC and gRPC-Web routes,
// reflection, CORS and health checks.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"buf.build/go/protovalidate"
	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connecthttp"
	"connectrpc.com/connect/v2/connectinprocess"
	"connectrpc.com/grpcreflect/v2"
	"github.com/rs/cors"
	"github.com/uptrace/bun"

	"github.com/harnesshero/platform/modules/builder"
	"github.com/harnesshero/platform/modules/order"
	"github.com/harnesshero/platform/modules/user"
	"github.com/harnesshero/platform/platform/clientip"
	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/rpc"
	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/platform/validation"
)

// Platform is a wired process: its modules registered on one
// connect.Server, ready to be mounted on HTTP.
type Platform struct {
	cfg    Config
	logger *slog.Logger
	// validator validates every request (rpc.Options.Validator); warmed
	// up once the process serves (afterReady).
	validator protovalidate.Validator
	db        *bun.DB
	server    *connect.Server
	handler   http.Handler
	ready     []func(context.Context) error
	events    eventsWiring
	metrics   *platformMetrics
	// extraRoutes are plain HTTP routes of modules (the payment webhook).
	extraRoutes []route
	// draining is set on shutdown: /readyz fails, connections close.
	draining atomic.Bool
	// clientObserve is the telemetry interceptor of the clients to other
	// modules (newTelemetry); nil when tracing is off.
	clientObserve connect.ClientInterceptor
	// streams are the streaming calls served, ended at shutdown.
	streams streams
	// proxies resolve a client's address through trusted proxies.
	proxies *clientip.Resolver
	// databases are the databases of the modules served here (the first
	// is db), by DSN in dbs.
	databases []*database
	dbs       map[string]*database
	// remotes are the HTTP transports to the modules served elsewhere, by
	// procedure prefix (Transport).
	remotes map[string]connect.Transport
	// advisor answers GetExtractionAdvice from the metrics.
	advisor *advisor
}

// route is a plain HTTP route.
type route struct {
	pattern string
	handler http.Handler
}

// New opens the database, applies the migrations of the modules this
// process serves, and registers them. Close releases what it opened.
func New(ctx context.Context, cfg Config, logger *slog.Logger) (*Platform, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	topo, err := cfg.topology()
	if err != nil {
		return nil, err
	}
	// Only the user module issues tokens; every process verifies them.
	privateKey, publicKey, err := loadKeys(cfg, topo.serves("user"))
	if err != nil {
		return nil, err
	}
	proxies, err := clientip.New(cfg.TrustedProxies)
	if err != nil {
		return nil, err
	}
	p := &Platform{cfg: cfg, logger: logger, proxies: proxies}
	p.metrics = newPlatformMetrics(p)
	if p.advisor, err = newAdvisor(cfg.Advice, p.metrics); err != nil {
		return nil, err
	}
	observe, err := p.newTelemetry()
	if err != nil {
		return nil, err
	}
	// The production chain (telemetry → metrics → streams' drain → recover
	// → log → client address → authenticate → validate) serves HTTP and
	// in-process calls alike.
	if p.validator, err = validation.New(builder.ValidationChecks()...); err != nil {
		return nil, err
	}
	outer := slices.Concat(observe, p.metrics.interceptors(), []connect.ServerInterceptor{p.streams.interceptor})
	chain, err := rpc.Chain(rpc.Options{
		Logger: logger, PublicKey: publicKey, PublicProcedures: reflectionProcedures,
		Proxies: proxies, Validator: p.validator, Outer: outer,
	})
	if err != nil {
		return nil, err
	}
	p.server = connect.NewServer(chain...)
	if err := p.registerModules(ctx, topo, privateKey); err != nil {
		_ = p.Close()
		return nil, err
	}
	if err := p.registerRuntimeMetrics(); err != nil {
		_ = p.Close()
		return nil, err
	}
	grpcreflect.Register(p.server)
	p.handler = p.newHandler()
	return p, nil
}

// compressMinBytes is the smallest answer compressed for a client that
// accepts gzip: a quote (~0.5 KB) goes out plain, since gzipping it costs
// more CPU than the bytes it saves; the catalog is compressed.
const compressMinBytes = 1024

// reflectionProcedures are gRPC reflection's RPCs: public, for tooling.
var reflectionProcedures = []string{
	"/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
	"/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
}

// Handler returns the HTTP handler: the RPC routes, /healthz and /readyz,
// behind CORS and a request size limit.
func (p *Platform) Handler() http.Handler { return p.handler }

// Transport returns a transport for callers in this process (tools,
// tests): the modules served here in process, running the same
// interceptors as HTTP calls, and those served elsewhere over their hop's
// HTTP transport.
func (p *Platform) Transport() connect.Transport {
	return routedTransport{local: connectinprocess.New(p.server), remote: p.remotes}
}

// routedTransport sends a call to the process serving its procedure.
type routedTransport struct {
	local  connect.Transport
	remote map[string]connect.Transport // by procedure prefix ("/harness.builder.v1.")
}

func (t routedTransport) NewClientStream(ctx context.Context, spec connect.Spec) (connect.ClientStream, error) {
	for prefix, tr := range t.remote {
		if strings.HasPrefix(spec.Procedure, prefix) {
			return tr.NewClientStream(ctx, spec)
		}
	}
	return t.local.NewClientStream(ctx, spec)
}

// Close ends the open streams, stops the background workers and releases
// the database.
func (p *Platform) Close() error {
	p.streams.Stop()
	p.advisor.stop()
	p.stopEvents()
	var errs []error
	for _, d := range p.databases {
		errs = append(errs, d.db.Close())
	}
	return errors.Join(errs...)
}

func (p *Platform) newHandler() http.Handler {
	mux := http.NewServeMux()
	connecthttp.Mount(mux, p.server, connecthttp.WithReadMaxBytes(int(p.cfg.MaxRequestBytes)), rpc.Codecs(),
		connecthttp.WithCompressMinBytes(compressMinBytes))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", p.readyz)
	if p.cfg.AdminAddr == "" {
		// With an admin listener, the metrics are there only: a
		// NetworkPolicy on the admin port then decides who reads them.
		mux.Handle("GET /metrics", p.metrics.Handler())
	}
	for _, r := range p.extraRoutes {
		mux.Handle(r.pattern, r.handler)
	}
	c := cors.New(cors.Options{
		AllowedOrigins: p.cfg.CORSOrigins,
		AllowedMethods: []string{http.MethodGet, http.MethodPost},
		AllowedHeaders: []string{
			"Content-Type", "Connect-Protocol-Version", "Connect-Timeout-Ms",
			"Connect-Content-Encoding", "Connect-Accept-Encoding", // streams (WatchOrder)
			"Grpc-Timeout", "X-Grpc-Web", "X-User-Agent", "Authorization", "Idempotency-Key",
		},
		ExposedHeaders: []string{"Grpc-Status", "Grpc-Message", "Grpc-Status-Details-Bin"},
		MaxAge:         7200,
	})
	return c.Handler(http.MaxBytesHandler(streamRoutes(p.server, mux), p.cfg.MaxRequestBytes+4096))
}

func (p *Platform) readyz(w http.ResponseWriter, r *http.Request) {
	if p.draining.Load() {
		http.Error(w, "draining", http.StatusServiceUnavailable)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	for _, check := range p.ready {
		if err := check(ctx); err != nil {
			p.logger.WarnContext(ctx, "not ready", "error", err)
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
	}
	_, _ = w.Write([]byte("ready\n"))
}

// Serve serves the platform on cfg.Addr until ctx ends, then drains for
// cfg.DrainGrace (see Config.DrainGrace) and shuts down gracefully within
// cfg.ShutdownTimeout. ln, when non-nil, is used instead of listening on
// cfg.Addr. It binds before it starts anything: a second instance on a busy
// port fails before it touches the database, the bus or the consumers.
func Serve(ctx context.Context, cfg Config, logger *slog.Logger, ln net.Listener) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	if ln == nil {
		var err error
		if ln, err = new(net.ListenConfig).Listen(ctx, "tcp", cfg.Addr); err != nil {
			return fmt.Errorf("server: listen: %w", err)
		}
	}
	defer ln.Close()
	adminLn, err := listenAdmin(ctx, cfg)
	if err != nil {
		return err
	}
	if adminLn != nil {
		defer adminLn.Close()
	}
	logger.InfoContext(ctx, "starting", "config", cfg)
	applyRuntime(cfg, logger)
	p, err := New(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer p.Close()
	if err := p.Start(); err != nil {
		return err
	}
	defer p.serveAdmin(adminLn, logger)()

	protocols := new(http.Protocols)
	protocols.SetHTTP1(true)
	protocols.SetUnencryptedHTTP2(true) // gRPC clients without TLS
	srv := &http.Server{
		Addr:              cfg.Addr,
		Handler:           p.drainable(p.Handler()),
		Protocols:         protocols,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	logger.InfoContext(ctx, "listening", "addr", ln.Addr().String(), "role", cfg.Role)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	go p.afterReady()
	select {
	case err := <-errc:
		return fmt.Errorf("server: %w", err)
	case <-ctx.Done():
	}
	if err := p.drain(cfg.DrainGrace, errc); err != nil {
		return err
	}
	// Streams outlive any grace: end them (Unavailable: their clients
	// call again, elsewhere) so that the shutdown does not wait for them.
	p.streams.Stop()
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("server: shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("server: %w", err)
	}
	return nil
}

// Migrate applies the migrations of every module this configuration serves
// locally, on each of their databases, and returns.
func Migrate(ctx context.Context, cfg Config, logger *slog.Logger) error {
	topo, err := cfg.topology()
	if err != nil {
		return err
	}
	for _, d := range topo.databases(cfg) {
		db, err := storage.Open(ctx, d.dsn)
		if err != nil {
			return err
		}
		err = storage.Migrate(ctx, db, logger, topo.migrationSets(cfg, d.dsn)...)
		_ = db.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// GrantAdmin gives the user registered with email the admin role. It is
// the only way to make an admin: no RPC can.
// It works on the user module's database, whatever cfg's role.
func GrantAdmin(ctx context.Context, cfg Config, logger *slog.Logger, email string) error {
	db, err := storage.Open(ctx, cfg.ModuleDSN("user"))
	if err != nil {
		return err
	}
	defer db.Close()
	if err := storage.Migrate(ctx, db, logger, user.Migrations(), events.Migrations()); err != nil {
		return err
	}
	return user.GrantAdmin(ctx, db, email)
}

// DefaultAddressRetention is how long a settled order keeps its shipping
// address: order.DefaultAddressRetention, 180 days.
const DefaultAddressRetention = order.DefaultAddressRetention

// ForgetAddresses erases the shipping addresses of the orders settled
// (delivered, cancelled, refunded) more than olderThan ago, keeping their
// country and region (order.ForgetAddresses), and returns how many it
// erased. It works on the order module's database, whatever cfg's role;
// olderThan must be positive.
func ForgetAddresses(ctx context.Context, cfg Config, logger *slog.Logger, olderThan time.Duration) (int, error) {
	if olderThan <= 0 {
		return 0, fmt.Errorf("server: the retention period must be positive, got %v", olderThan)
	}
	db, err := storage.Open(ctx, cfg.ModuleDSN("order"))
	if err != nil {
		return 0, err
	}
	defer db.Close()
	if err := storage.Migrate(ctx, db, logger, order.Migrations(), events.Migrations()); err != nil {
		return 0, err
	}
	return order.ForgetAddresses(ctx, db, time.Now().Add(-olderThan))
}
