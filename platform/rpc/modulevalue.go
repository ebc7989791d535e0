package rpc

import (
	"context"

	"github.com/harnesshero/platform/platform/events"
)

// Module is the one shape of a registered module: what every module's
// Register returns (embedded in the module's own type) and all the
// composition root wires, whatever the module.
type Module struct {
	// Ready reports whether the module can serve (its database answers).
	Ready func(ctx context.Context) error
	// Subscribe declares the module's event subscriptions on the
	// platform's router, before the router runs; nil when it has none.
	Subscribe func(r *events.Router)
	// Routes are the module's plain HTTP routes beside its RPCs; nil when
	// it has none.
	Routes []Route
}

// Value is the shared value of a module's type that embeds Module, for
// the composition root's table.
func (m *Module) Value() *Module { return m }
