// Package metrics exports the platform's Prometheus metrics: per RPC on
// the server and client side (calls, duration, in flight), the event
// pipeline (outbox backlog, relay, consumer groups, processed and
// dead-lettered events), the database pools, the Go runtime and the
// process. Each Metrics has its own registry, so several platforms in one
// process (tests) count apart. Gauges that need a query are read when
// Prometheus scrapes, with a short timeout, never polled in the background.
//
// Label values are bounded: RPC service and method names come from the
// registered procedures (an unknown path never reaches an interceptor),
// codes from connect's fixed set, consumers and streams from the code.
package metrics

import (
	"database/sql"
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is one process's registry and the collectors the platform
// shares. Its methods are safe for concurrent use.
type Metrics struct {
	registry *prometheus.Registry
	server   *rpcMetrics
	client   *rpcMetrics
	// moduleCalls counts the served calls that another module made in
	// process (auth.ModuleCall).
	moduleCalls *prometheus.CounterVec
	logger      *slog.Logger
}

// New returns a registry with the Go runtime and process collectors and
// the RPC metrics registered. logger (nil: discarded) hears of collectors
// that fail at scrape time.
func New(logger *slog.Logger) *Metrics {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	moduleCalls := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "rpc_server_module_calls_total",
		Help: "RPC calls this process served that another module made in process (counted in rpc_server_calls_total too), by service and method.",
	}, []string{"rpc_service", "rpc_method"})
	reg.MustRegister(moduleCalls)
	return &Metrics{
		registry:    reg,
		server:      newRPCMetrics(reg, "server", "calls this process served"),
		client:      newRPCMetrics(reg, "client", "calls this process made to an extracted module"),
		moduleCalls: moduleCalls,
		logger:      logger,
	}
}

// Registerer is where the platform's other collectors register.
func (m *Metrics) Registerer() prometheus.Registerer { return m.registry }

// Gatherer reads the registry (tests, benchmarks).
func (m *Metrics) Gatherer() prometheus.Gatherer { return m.registry }

// Handler serves the registry in the Prometheus exposition formats. A
// collector that fails leaves its metrics out; the rest is served.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{
		ErrorLog:          slog.NewLogLogger(m.logger.Handler(), slog.LevelWarn),
		ErrorHandling:     promhttp.ContinueOnError,
		Registry:          m.registry, // promhttp_metric_handler_errors_total
		EnableOpenMetrics: true,
	})
}

// RegisterDB exports db's connection pool statistics (database/sql
// DBStats) as go_sql_* with the label db_name=name.
func (m *Metrics) RegisterDB(name string, db *sql.DB) error {
	return m.registry.Register(collectors.NewDBStatsCollector(db, name))
}
