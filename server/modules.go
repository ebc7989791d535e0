package server

import (
	"context"
	"crypto/ed25519"

	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connectinprocess"

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

// registerModules opens the database when a module is served here, applies
// its migrations and registers it; a module served elsewhere is registered
// as a forwarder to it.
func (p *Platform) registerModules(ctx context.Context, privateKey ed25519.PrivateKey) error {
	cfg := p.cfg
	localBuilder := cfg.Role == RoleBuilder || cfg.BuilderServiceURL == ""
	serveUsers := cfg.Role == RoleAll
	sets := migrationSets(cfg)
	if len(sets) > 0 {
		var err error
		if p.db, err = storage.Open(ctx, cfg.DSN(), cfg.storageOptions()...); err != nil {
			return err
		}
		if err := storage.Migrate(ctx, p.db, p.logger, sets...); err != nil {
			return err
		}
	}
	// builderClient is how other modules reach the builder: in process, or
	// the extracted service. Either way the caller's token goes along and
	// the builder verifies it itself.
	var builderClient *connect.Client
	if localBuilder {
		mod, err := builder.Register(p.server, builder.Deps{DB: p.db})
		if err != nil {
			return err
		}
		p.ready = append(p.ready, mod.Ready)
		if serveUsers || cfg.RedisURL != "" {
			// user.deleted reaches the builder in this process, or
			// through Redis; a builder service alone on an in-process bus
			// consumes nothing (its events wait in the outbox).
			p.events.subscribers = append(p.events.subscribers, mod.Subscribe)
		}
		builderClient = connect.NewClient(connectinprocess.New(p.server), auth.ForwardToken)
	} else {
		// The builder runs elsewhere: serve its API here by forwarding
		// through its generated clients, so callers see one platform.
		builderClient = remoteClient("builder", cfg.BuilderServiceURL, cfg.Hop, p.logger)
		builderv1connect.RegisterCatalogServiceHandler(p.server, builderv1connect.NewCatalogServiceClient(builderClient))
		builderv1connect.RegisterDesignServiceHandler(p.server, builderv1connect.NewDesignServiceClient(builderClient))
	}
	if serveUsers {
		mod, err := user.Register(p.server, user.Deps{
			DB: p.db, Issuer: auth.NewIssuer(privateKey, nil), Logger: p.logger,
		})
		if err != nil {
			return err
		}
		p.ready = append(p.ready, mod.Ready)

		stats, err := analytics.Register(p.server, analytics.Deps{
			DB: p.db, BusName: busName(cfg),
			// The bus is built after the modules: read it at call time.
			Groups: func(ctx context.Context) ([]events.GroupStats, error) {
				if p.events.bus == nil {
					return nil, nil
				}
				return p.events.bus.Groups(ctx)
			},
		})
		if err != nil {
			return err
		}
		p.ready = append(p.ready, stats.Ready)
		p.events.subscribers = append(p.events.subscribers, stats.Subscribe)

		if err := p.registerOrders(builderClient); err != nil {
			return err
		}
	}
	return p.wireEvents(ctx)
}

// registerOrders registers the order module, which reaches the builder
// through builderClient, and the payment webhook endpoint.
func (p *Platform) registerOrders(builderClient *connect.Client) error {
	provider, secret, err := paymentProvider(p.cfg)
	if err != nil {
		return err
	}
	orders, err := order.Register(p.server, order.Deps{
		DB:       p.db,
		Designs:  builderv1connect.NewDesignServiceClient(builderClient),
		Catalog:  builderv1connect.NewCatalogServiceClient(builderClient),
		Payments: provider,
		Logger:   p.logger,
	})
	if err != nil {
		return err
	}
	p.ready = append(p.ready, orders.Ready)
	p.events.subscribers = append(p.events.subscribers, orders.Subscribe)
	hook, err := webhook.Register(p.server, webhook.Deps{DB: p.db, Secret: secret, Provider: provider.Name(), Logger: p.logger})
	if err != nil {
		return err
	}
	p.ready = append(p.ready, hook.Ready)
	for _, r := range hook.Routes {
		p.extraRoutes = append(p.extraRoutes, route{pattern: r.Pattern, handler: r.Handler})
	}
	return nil
}

// migrationSets are the migrations of the modules cfg serves locally, and
// the outbox they record events in.
func migrationSets(cfg Config) []storage.MigrationSet {
	var sets []storage.MigrationSet
	if cfg.Role == RoleBuilder || cfg.BuilderServiceURL == "" {
		sets = append(sets, builder.Migrations())
	}
	if cfg.Role == RoleAll {
		sets = append(sets, user.Migrations(), analytics.Migrations(), order.Migrations(), webhook.Migrations())
	}
	if len(sets) > 0 {
		sets = append(sets, events.Migrations())
	}
	return sets
}

// storageOptions are the storage.Open options cfg asks for.
func (c Config) storageOptions() []storage.Option {
	if c.DatabaseQueryTimeout > 0 {
		return []storage.Option{storage.WithQueryTimeout(c.DatabaseQueryTimeout)}
	}
	return nil
}
