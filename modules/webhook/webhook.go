// Package webhook is the payment provider's way in: an HTTP endpoint that
// verifies each event's signature and age before reading it, records the
// provider's event id so a redelivery is acknowledged without being applied
// again, and hands the work to the order module through the outbox — so it
// answers in milliseconds and a slow consumer never makes the provider
// retry.
package webhook

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	connect "connectrpc.com/connect/v2"
	"github.com/uptrace/bun"

	"github.com/harnesshero/platform/modules/webhook/migrations"
	"github.com/harnesshero/platform/platform/payment"
	"github.com/harnesshero/platform/platform/rpc"
	"github.com/harnesshero/platform/platform/storage"
)

// Path is where the provider posts its events.
const Path = "/webhooks/payments"

// maxBody caps an event's size; Stripe's events are a few kilobytes.
const maxBody = 256 << 10

// Deps are what the endpoint needs.
type Deps struct {
	// DB holds webhook_events (Migrations) and the outbox.
	DB *bun.DB
	// Secret is the provider's webhook signing secret ("whsec_…").
	Secret string
	// Provider names the provider ("stripe" or "test").
	Provider string
	Logger   *slog.Logger
	Now      func() time.Time
}

// Migrations are the module's schema migrations; its database needs
// events.Migrations() too.
func Migrations() storage.MigrationSet {
	return storage.MigrationSet{Module: "webhook", Migrations: migrations.Migrations}
}

// Module is the registered webhook module: what the composition root
// wires. It serves one plain HTTP route, POST Path, and no RPC; it records
// payment.* events and subscribes to nothing. The route answers 400 to a
// bad signature, an expired timestamp or an unreadable event (one with a
// NUL byte in a field it reads included), changing nothing and logging
// it; 200 to an event it recorded or had already recorded, and 500 when it
// could not record it (the provider retries).
type Module = rpc.Module

// Register returns the module. srv is unused (the module serves no RPC):
// it is accepted so that every module registers the same way.
func Register(_ *connect.Server, deps Deps) (*Module, error) {
	if deps.DB == nil || deps.Secret == "" {
		return nil, errors.New("webhook: Deps.DB and Deps.Secret are required")
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	st := &store{db: deps.DB}
	h := &handler{deps: deps, store: st}
	return &Module{
		Ready:  st.ping,
		Routes: []rpc.Route{{Pattern: http.MethodPost + " " + Path, Handler: h}},
	}, nil
}

type handler struct {
	deps  Deps
	store *store
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		reply(w, http.StatusMethodNotAllowed, "POST only")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		reply(w, http.StatusRequestEntityTooLarge, "event too large")
		return
	}
	ev, err := payment.VerifyWebhook(body, r.Header.Get("Stripe-Signature"), h.deps.Secret)
	switch {
	case errors.Is(err, payment.ErrBadSignature):
		h.deps.Logger.WarnContext(r.Context(), "webhook: bad signature", "error", err)
		reply(w, http.StatusBadRequest, "invalid signature")
		return
	case err != nil:
		h.deps.Logger.WarnContext(r.Context(), "webhook: unreadable event", "error", err)
		reply(w, http.StatusBadRequest, "unreadable event")
		return
	}
	duplicate, err := h.store.record(r.Context(), h.deps.Provider, ev, h.toEvent(r.Context(), ev), h.deps.Now().UTC())
	if err != nil {
		h.deps.Logger.ErrorContext(r.Context(), "webhook: could not record event", "event", ev.ID, "error", err)
		reply(w, http.StatusInternalServerError, "try again")
		return
	}
	if duplicate {
		reply(w, http.StatusOK, "duplicate: already received")
		return
	}
	reply(w, http.StatusOK, "received")
}

func reply(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": message})
}
