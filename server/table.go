package server

import (
	"context"
	"crypto/ed25519"
	"log/slog"
	"net/http"

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
	// register registers the module served here. What it returns says
	// how the module is ready, which events it consumes and the handlers
	// of its routes.
	register func(w *wiring) (registered, error)
}

// table is the module table. The order is the registration order.
var table = []module{
	{
		name: "user", port: 4001, migrations: user.Migrations,
		register: func(w *wiring) (registered, error) {
			mod, err := user.Register(w.server, user.Deps{DB: w.db, Issuer: auth.NewIssuer(w.privateKey, nil), Logger: w.logger, PasswordCost: w.cfg.PasswordCost})
			if err != nil {
				return registered{}, err
			}
			return registered{ready: mod.Ready}, nil
		},
	},
	{
		name: "builder", port: 4002, migrations: builder.Migrations,
		register: func(w *wiring) (registered, error) {
			mod, err := builder.Register(w.server, builder.Deps{DB: w.db})
			if err != nil {
				return registered{}, err
			}
			return registered{ready: mod.Ready, subscribe: mod.Subscribe}, nil
		},
	},
	{
		name: "order", port: 4003, migrations: order.Migrations, needs: []string{"builder"},
		register: func(w *wiring) (registered, error) {
			provider, _, err := paymentProvider(w.cfg)
			if err != nil {
				return registered{}, err
			}
			mod, err := order.Register(w.server, order.Deps{
				DB:       w.db,
				Designs:  builderv1connect.NewDesignServiceClient(w.clients["builder"]),
				Catalog:  builderv1connect.NewCatalogServiceClient(w.clients["builder"]),
				Payments: provider,
				Logger:   w.logger,
				Watch:    w.cfg.Watch,
			})
			if err != nil {
				return registered{}, err
			}
			return registered{ready: mod.Ready, subscribe: mod.Subscribe}, nil
		},
	},
	{
		name: "webhook", port: 4004, migrations: webhook.Migrations, routes: []string{"POST " + webhook.Path},
		register: func(w *wiring) (registered, error) {
			provider, secret, err := paymentProvider(w.cfg)
			if err != nil {
				return registered{}, err
			}
			mod, err := webhook.Register(w.server, webhook.Deps{DB: w.db, Secret: secret, Provider: provider.Name(), Logger: w.logger})
			if err != nil {
				return registered{}, err
			}
			routes := make(map[string]http.Handler, len(mod.Routes))
			for _, r := range mod.Routes {
				routes[r.Pattern] = r.Handler
			}
			return registered{ready: mod.Ready, routes: routes}, nil
		},
	},
	{
		name: "analytics", port: 4005, migrations: analytics.Migrations,
		register: func(w *wiring) (registered, error) {
			mod, err := analytics.Register(w.server, analytics.Deps{DB: w.db, BusName: w.bus.Name, Groups: w.bus.Groups, Advice: w.advice})
			if err != nil {
				return registered{}, err
			}
			return registered{ready: mod.Ready, subscribe: mod.Subscribe}, nil
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
	// advice judges the platform's metrics: which module to extract next.
	advice func(context.Context) (*analyticsv1.GetExtractionAdviceResponse, error)
}

// registered is a module served here.
type registered struct {
	ready     func(context.Context) error
	subscribe func(*events.Router)
	routes    map[string]http.Handler
}
