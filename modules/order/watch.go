package order

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	connect "connectrpc.com/connect/v2"

	"github.com/harnesshero/platform/domain/lifecycle"
	eventsv1 "github.com/harnesshero/platform/gen/harness/events/v1"
	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	"github.com/harnesshero/platform/gen/harness/order/v1/orderv1connect"
	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/identity"
	"github.com/harnesshero/platform/platform/rpc"
)

// WatchOrder sends the order now, then again after each change, until the
// order can change no more (a clean end), the caller goes, the access
// token expires (Unauthenticated) or the server shuts down (the drain's
// cause, Unavailable). A stream beyond the caller's or the process's cap
// (Deps.Watch) is refused with ResourceExhausted. A change is noticed through the order.* events,
// which every change records and every replica hears (hub, ADR 0022); the
// order is then read again, so a notification lost, repeated or out of
// order costs nothing but a read.
func (s *service) WatchOrder(ctx context.Context, req *orderv1.WatchOrderRequest, stream orderv1connect.OrderServiceWatchOrderServerStream) error {
	caller, err := rpc.Require(ctx)
	if err != nil {
		return err
	}
	id, err := rpc.ParseID("id", req.GetId())
	if err != nil {
		return err
	}
	release, err := s.slots.acquire(caller.UserID)
	if err != nil {
		return err
	}
	defer release()
	owner := caller.UserID
	if caller.IsAdmin() {
		owner = "" // an admin watches any order
	}
	// Listen before the first read: a change committed after it is heard.
	changed, stop := s.hub.add(id)
	defer stop()
	o, err := s.store.get(ctx, s.store.db, owner, id)
	if err != nil {
		return err
	}
	if o.GetOwnerId() == caller.UserID {
		// As GetOrder: an order whose payment could not start gets another
		// try, and its owner the client secret.
		if paid, err := s.ensurePayment(ctx, o); err == nil {
			o = paid
		}
	}
	view := func(o *orderv1.Order) *orderv1.Order {
		if o.GetOwnerId() == caller.UserID {
			return o
		}
		return withoutSecret(o)
	}
	if err := stream.Send(&orderv1.WatchOrderResponse{Order: view(o)}); err != nil {
		return err
	}
	expired := s.expiry(caller)
	for !lifecycle.Final(lifecycle.Status(o.GetStatus())) {
		select {
		case <-ctx.Done():
			return streamEnd(ctx)
		case <-expired:
			return connect.NewError(connect.CodeUnauthenticated, "the access token expired: refresh it and watch again")
		case <-changed:
		}
		now, err := s.store.get(ctx, s.store.db, owner, id)
		switch {
		case ctx.Err() != nil:
			return streamEnd(ctx)
		case err != nil:
			return err
		case now.GetVersion() <= o.GetVersion():
			continue // heard before its change was visible here, or a repeat
		}
		o = now
		if err := stream.Send(&orderv1.WatchOrderResponse{Order: view(o)}); err != nil {
			return err
		}
	}
	return nil
}

// expiry returns a channel that closes when the caller's token expires;
// nil (never) when the token's expiry is unknown.
func (s *service) expiry(caller identity.Identity) <-chan time.Time {
	if caller.Expiry.IsZero() {
		return nil
	}
	return time.After(caller.Expiry.Sub(s.deps.Now()))
}

// streamEnd is what a stream whose context ended returns: the cause the
// server's drain gave it (Unavailable: watch again), else the caller's
// cancellation.
func streamEnd(ctx context.Context) error {
	if cerr, ok := errors.AsType[*connect.Error](context.Cause(ctx)); ok {
		return cerr
	}
	return rpc.Fallback(ctx.Err())
}

// orderEventTypes are the event types of the order's changes: every
// "order.*" type its contract declares.
func orderEventTypes() []string {
	var out []string
	for _, t := range events.Types() {
		if strings.HasPrefix(t, "order.") {
			out = append(out, t)
		}
	}
	return out
}

// hub tells this process's WatchOrder streams that their order changed.
type hub struct {
	mu       sync.Mutex
	watchers map[string]map[chan struct{}]struct{} // order id → streams
}

// add registers a stream of order id. The channel receives a value when
// the order may have changed (values coalesce: one pending at most); stop
// unregisters it.
func (h *hub) add(id string) (changed <-chan struct{}, stop func()) {
	c := make(chan struct{}, 1)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.watchers == nil {
		h.watchers = map[string]map[chan struct{}]struct{}{}
	}
	if h.watchers[id] == nil {
		h.watchers[id] = map[chan struct{}]struct{}{}
	}
	h.watchers[id][c] = struct{}{}
	return c, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		delete(h.watchers[id], c)
		if len(h.watchers[id]) == 0 {
			delete(h.watchers, id)
		}
	}
}

// notify tells the streams of order id that it changed. It never blocks.
func (h *hub) notify(id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.watchers[id] {
		select {
		case c <- struct{}{}:
		default: // one is pending already
		}
	}
}

// listen is the module's event listener: an order.* event is about the
// order its aggregate id names.
func (h *hub) listen(_ context.Context, env *eventsv1.Envelope) { h.notify(env.GetAggregateId()) }

// watching counts the streams registered, for tests.
func (h *hub) watching() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, ws := range h.watchers {
		n += len(ws)
	}
	return n
}
