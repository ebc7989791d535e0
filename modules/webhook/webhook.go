// Package webhook is the payment provider's way in: an HTTP endpoint that
// verifies each event's signature and age before reading it, records the
// provider's event id so a redelivery is acknowledged without being applied
// again, and hands the work to the order module through the outbox — so it
// answers in milliseconds and a slow consumer never makes the provider
// retry.
package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/uptrace/bun"
	"google.golang.org/protobuf/proto"

	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	"github.com/harnesshero/platform/modules/webhook/migrations"
	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/payment"
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

type eventRow struct {
	bun.BaseModel `bun:"table:webhook_events"`

	Provider   string    `bun:"provider,pk"`
	EventID    string    `bun:"event_id,pk"`
	Type       string    `bun:"type,notnull"`
	ReceivedAt time.Time `bun:"received_at,notnull"`
}

// NewHandler returns the endpoint. It answers 400 to a bad signature, an
// expired timestamp or an unreadable event (changing nothing), 200 to an
// event it recorded or had already recorded, and 500 when it could not
// record it (the provider retries).
func NewHandler(deps Deps) (http.Handler, error) {
	if deps.DB == nil || deps.Secret == "" {
		return nil, errors.New("webhook: Deps.DB and Deps.Secret are required")
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	return &handler{deps: deps}, nil
}

type handler struct{ deps Deps }

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
	duplicate, err := h.record(r.Context(), ev)
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

// record stores the provider event id and, for the events the order module
// acts on, its payment.* event, in one transaction. It reports a duplicate.
func (h *handler) record(ctx context.Context, ev payment.Event) (duplicate bool, err error) {
	err = h.deps.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewInsert().Model(&eventRow{
			Provider: h.deps.Provider, EventID: ev.ID, Type: ev.Type, ReceivedAt: h.deps.Now().UTC(),
		}).On("CONFLICT DO NOTHING").Exec(ctx)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			duplicate = true
			return err
		}
		typ, payload := h.toEvent(ctx, ev)
		if payload == nil {
			return nil // acknowledged, nothing to do
		}
		aggregate := ev.OrderID
		if aggregate == "" {
			aggregate = ev.PaymentIntentID
		}
		_, err = events.Record(ctx, tx, events.Event{Type: typ, AggregateID: aggregate, Payload: payload})
		return err
	})
	return duplicate, err
}

// toEvent is the platform event of a provider event, or nil for an event
// the platform does not act on. The order module finds the order by the
// payment intent (the metadata's order id must agree with it), so an event
// without an intent is not acted on. A refund is acted on only when it
// refunds the charge in full; a partial refund changes no order and is
// logged.
func (h *handler) toEvent(ctx context.Context, ev payment.Event) (string, proto.Message) {
	if ev.PaymentIntentID == "" {
		if ev.Kind != payment.EventOther {
			h.deps.Logger.WarnContext(ctx, "webhook: payment event without a payment intent ignored",
				"event", ev.ID, "type", ev.Type, "order", ev.OrderID)
		}
		return "", nil
	}
	switch ev.Kind {
	case payment.EventPaymentSucceeded:
		return events.PaymentSucceeded, &orderv1.PaymentSucceeded{
			OrderId: ev.OrderID, Provider: h.deps.Provider, PaymentIntentId: ev.PaymentIntentID,
			AmountCents: ev.AmountCents, Currency: ev.Currency, ProviderEventId: ev.ID,
		}
	case payment.EventPaymentFailed:
		return events.PaymentFailed, &orderv1.PaymentFailed{
			OrderId: ev.OrderID, Provider: h.deps.Provider, PaymentIntentId: ev.PaymentIntentID,
			Reason: ev.FailureReason, ProviderEventId: ev.ID,
		}
	case payment.EventRefunded:
		if !ev.FullRefund() {
			h.deps.Logger.WarnContext(ctx, "webhook: partial refund: the order stays as it is",
				"event", ev.ID, "order", ev.OrderID, "intent", ev.PaymentIntentID,
				"refunded_cents", ev.AmountCents, "captured_cents", ev.CapturedCents,
				"charge_refunded", ev.ChargeRefunded, "currency", ev.Currency)
			return "", nil
		}
		return events.PaymentRefunded, &orderv1.PaymentRefunded{
			OrderId: ev.OrderID, Provider: h.deps.Provider, PaymentIntentId: ev.PaymentIntentID,
			AmountCents: ev.AmountCents, ProviderEventId: ev.ID,
		}
	default:
		return "", nil
	}
}

func reply(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": message})
}
