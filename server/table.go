package server

import (
	"context"
	"crypto/ed25519"
	"log/slog"

	connect "connectrpc.com/connect/v2"
	"github.com/uptrace/bun"

	analyticsv1 "github.com/harnesshero/platform/gen/harness/analytics/v1"
	"github.com/harnesshero/platform/gen/harness/builder/v1/builderv1connect"
	"github.com/harnesshero/platform/modules/analytics"
	"github.com/harnesshero/platform/modules/builder"
	"github.com/harnesshero/platform/modules/order"
	"github.com/harnesshero/platform/modules/user"
	"github.com/harnesshero/platform/modules/webhook"
	"github.com/harnesshero/platform/platform/auth"
	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/payment"
	"github.com/harnesshero/platform/platform/rpc"
	"github.com/harnesshero/platform/platform/storage"
)

// module is one row of the module table: everything the composition root
// knows about a module, declared once. A process serves the modules its
// role names (register) and reaches the others at their URLs: their
// services (the contracts' package harness.<name>.v1) and routes are
// forwarded there as bytes (forwarder).
type module struct {
	// name is the module's name in roles, URLs and messages.
	name string
	// port is its default port when a process serves it alone.
	port int
	// migrations are its schema migrations.
	migrations func() storage.MigrationSet
	// needs are the modules whose clients it holds (wiring.clients).
	needs []string
	// routes are its plain HTTP routes (http.ServeMux patterns); a
	// process that does not serve the module proxies them to its URL.
	routes []string
	// register registers the module served here: one call of the
	// module's Register, whose value (rpc.Module, every module's one
	// shape) says how it is ready, which events it consumes and its
	// routes, which must be the ones declared in routes.
	register func(w *wiring) (*rpc.Module, error)
}

// table is the module table. The order is the registration order.
var table = []module{
	{
		name: "user", port: 4001, migrations: user.Migrations,
		register: func(w *wiring) (*rpc.Module, error) {
			return value(user.Register(w.server, user.Deps{DB: w.db, Issuer: auth.NewIssuer(w.privateKey, nil), Logger: w.logger, PasswordCost: w.cfg.PasswordCost}))
		},
	},
	{
		name: "builder", port: 4002, migrations: builder.Migrations,
		register: func(w *wiring) (*rpc.Module, error) {
			return value(builder.Register(w.server, builder.Deps{DB: w.db}))
		},
	},
	{
		name: "order", port: 4003, migrations: order.Migrations, needs: []string{"builder"},
		register: func(w *wiring) (*rpc.Module, error) {
			return value(order.Register(w.server, order.Deps{
				DB:       w.db,
				Designs:  builderv1connect.NewDesignServiceClient(w.clients["builder"]),
				Catalog:  builderv1connect.NewCatalogServiceClient(w.clients["builder"]),
				Payments: w.payments,
				Logger:   w.logger,
				Watch:    w.cfg.Watch,
			}))
		},
	},
	{
		name: "webhook", port: 4004, migrations: webhook.Migrations, routes: []string{"POST " + webhook.Path},
		register: func(w *wiring) (*rpc.Module, error) {
			return value(webhook.Register(w.server, webhook.Deps{DB: w.db, Secret: w.webhookSecret, Provider: w.payments.Name(), Logger: w.logger}))
		},
	},
	{
		name: "analytics", port: 4005, migrations: analytics.Migrations,
		register: func(w *wiring) (*rpc.Module, error) {
			return value(analytics.Register(w.server, analytics.Deps{DB: w.db, BusName: w.bus.Name, Groups: w.bus.Groups, Advice: w.advice}))
		},
	},
}

// wiring is what a module's register gets from the composition root.
type wiring struct {
	cfg        Config
	server     *connect.Server
	db         *bun.DB
	bus        *events.Bus
	logger     *slog.Logger
	privateKey ed25519.PrivateKey
	// clients reach every module served here (in process) or elsewhere
	// (over HTTP), forwarding the caller's token.
	clients map[string]*connect.Client
	// payments is the payment provider and webhookSecret its webhooks'
	// signing secret (order and webhook); nil and "" in a process that
	// serves neither.
	payments      payment.Provider
	webhookSecret string
	// advice judges the platform's metrics: which module to extract next.
	advice func(context.Context) (*analyticsv1.GetExtractionAdviceResponse, error)
}

// value is the shared value of what a module's Register returned.
func value[M interface{ Value() *rpc.Module }](m M, err error) (*rpc.Module, error) {
	if err != nil {
		return nil, err
	}
	return m.Value(), nil
}
