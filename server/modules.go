package server

import (
	"cmp"
	"context"
	"crypto/ed25519"
	"fmt"
	"slices"

	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connectinprocess"
	"github.com/uptrace/bun"

	"github.com/harnesshero/platform/platform/auth"
	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/rpc"
	"github.com/harnesshero/platform/platform/storage"
)

// registerModules walks the module table once: a module served here gets
// the database (its migrations applied), the bus and clients of the
// modules it needs, and is registered; a module served elsewhere is
// reached through its generated clients over a hop, and its API and
// routes are forwarded there, so callers see one platform.
func (p *Platform) registerModules(ctx context.Context, topo topology, privateKey ed25519.PrivateKey) error {
	cfg := p.cfg
	w := &wiring{cfg: cfg, server: p.server, logger: p.logger, privateKey: privateKey, clients: map[string]*connect.Client{}, advice: p.advisor.advice}
	if len(topo.served) > 0 {
		if err := p.openDatabases(ctx, topo); err != nil {
			return err
		}
		if err := p.openBus(); err != nil {
			return err
		}
		w.bus = p.events.bus
	}
	if topo.serves("order") || topo.serves("webhook") {
		var err error
		if w.payments, w.webhookSecret, err = paymentProvider(cfg); err != nil {
			return err
		}
	}
	for _, m := range topo.served {
		// The caller's token goes along and the module verifies it
		// itself, in process as over HTTP; in process the callee skips the
		// log line and the validation its caller's call already had.
		w.clients[m.name] = connect.NewClient(connectinprocess.New(p.server), slices.Concat(
			[]connect.ClientInterceptor{rpc.StreamVerdict}, p.clientInterceptors(auth.ModuleCall))...)
	}
	hops := map[string]*remote{}
	for name, url := range topo.remote {
		r, err := p.newRemote(name, url)
		if err != nil {
			return err
		}
		hops[name] = r
		w.clients[name] = r.client
		if p.remotes == nil {
			p.remotes = map[string]connect.Transport{}
		}
		p.remotes["/harness."+name+".v1."] = r.transport
	}
	for i := range table {
		m := &table[i]
		if topo.serves(m.name) {
			w.db = p.dbs[cfg.ModuleDSN(m.name)].db
			mod, err := m.register(w)
			if err != nil {
				return err
			}
			p.ready = append(p.ready, mod.Ready)
			if mod.Subscribe != nil {
				p.events.subscribers = append(p.events.subscribers, mod.Subscribe)
			}
			for _, r := range mod.Routes {
				// A route the table does not declare would not be
				// forwarded by a process that does not serve the module.
				if !slices.Contains(m.routes, r.Pattern) {
					return fmt.Errorf("server: the %s module serves %q, which its row of the module table does not declare", m.name, r.Pattern)
				}
				p.extraRoutes = append(p.extraRoutes, route{pattern: r.Pattern, handler: p.metrics.instrumentRoute(m.name, r.Handler)})
			}
			continue
		}
		r, ok := hops[m.name]
		if !ok {
			continue // not this process's business
		}
		for _, service := range servicesOf(m.name) {
			p.extraRoutes = append(p.extraRoutes, route{pattern: "/" + service + "/", handler: r.forward})
		}
		for _, pattern := range m.routes {
			p.extraRoutes = append(p.extraRoutes, route{pattern: pattern, handler: r.routes})
		}
	}
	return p.wireEvents(ctx)
}

// database is one database of this process: where the modules served
// here whose ModuleDSN it is keep their tables and their outbox.
type database struct {
	dsn     string
	db      *bun.DB
	modules []string
}

// databases lists the distinct databases of the modules served here, in
// the table's order: the shared one (DSN) first when a module uses it.
func (t topology) databases(c Config) []*database {
	var dbs []*database
	for _, m := range t.served {
		dsn := c.ModuleDSN(m.name)
		i := slices.IndexFunc(dbs, func(d *database) bool { return d.dsn == dsn })
		if i < 0 {
			dbs = append(dbs, &database{dsn: dsn})
			i = len(dbs) - 1
		}
		dbs[i].modules = append(dbs[i].modules, m.name)
	}
	slices.SortStableFunc(dbs, func(a, b *database) int {
		return cmp.Compare(boolRank(a.dsn != c.DSN()), boolRank(b.dsn != c.DSN()))
	})
	return dbs
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// migrationSets are the migrations of the modules served here on the
// database dsn, and the outbox they record events in.
func (t topology) migrationSets(c Config, dsn string) []storage.MigrationSet {
	var sets []storage.MigrationSet
	for _, m := range t.served {
		if c.ModuleDSN(m.name) == dsn {
			sets = append(sets, m.migrations())
		}
	}
	if len(sets) > 0 {
		sets = append(sets, events.Migrations())
	}
	return sets
}

// openDatabases opens the databases of the modules served here, one per
// distinct URL, and applies on each the migrations of its modules and its
// outbox. The first is the process's own (p.db): the shared database when
// a module served here uses it.
func (p *Platform) openDatabases(ctx context.Context, topo topology) error {
	p.dbs = map[string]*database{}
	for _, d := range topo.databases(p.cfg) {
		db, err := storage.Open(ctx, d.dsn, p.cfg.storageOptions()...)
		if err != nil {
			return err
		}
		d.db = db
		p.dbs[d.dsn] = d
		p.databases = append(p.databases, d)
		if err := storage.Migrate(ctx, db, p.logger, topo.migrationSets(p.cfg, d.dsn)...); err != nil {
			return err
		}
	}
	p.db = p.databases[0].db
	return nil
}

// storageOptions are the storage.Open options cfg asks for.
func (c Config) storageOptions() []storage.Option {
	var opts []storage.Option
	if c.DatabaseQueryTimeout > 0 {
		opts = append(opts, storage.WithQueryTimeout(c.DatabaseQueryTimeout))
	}
	if c.TracerProvider != nil {
		opts = append(opts, storage.WithTracerProvider(c.TracerProvider))
	}
	return opts
}

// MigrationSets are the migrations a platform with this configuration
// applies at start on its shared database (DSN): those of the modules it
// serves there and the outbox. Tests use it to prepare a migrated database
// ahead of time.
func (c Config) MigrationSets() ([]storage.MigrationSet, error) {
	topo, err := c.topology()
	if err != nil {
		return nil, err
	}
	return topo.migrationSets(c, c.DSN()), nil
}
