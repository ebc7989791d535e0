package order

import (
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	eventsv1 "github.com/harnesshero/platform/gen/harness/events/v1"
	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/platform/storage/storagetest"
)

// TestApplyPayment: a payment event pays, fails or refunds only the order
// whose recorded payment intent it names, in the order's currency and for
// its total; a refund only in the order's currency, recorded in
// refunded_cents and moving the order to REFUNDED once it is the total;
// anything else leaves every order as it was — on every engine. The
// webhook module already drops events without an intent; the order module
// checks again.
// TestDeclineThenPay: a declined attempt stays in the order's history,
// and the order a later attempt paid carries no failure reason.
func TestDeclineThenPay(t *testing.T) {
	for _, engine := range storagetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			f := newPayments(t, engine)
			o := f.order(t, orderv1.OrderStatus_ORDER_STATUS_PENDING_PAYMENT, 5199)
			intent := o.GetPayment().GetPaymentIntentId()
			f.apply(t, &orderv1.PaymentFailed{OrderId: o.GetId(), PaymentIntentId: intent, Reason: "Your card was declined."})
			f.apply(t, &orderv1.PaymentSucceeded{OrderId: o.GetId(), PaymentIntentId: intent, AmountCents: 5199, Currency: "usd", Provider: "test"})
			got, err := f.s.store.get(t.Context(), f.db, "", o.GetId())
			if err != nil {
				t.Fatal(err)
			}
			var notes []string
			for _, h := range got.GetHistory() {
				notes = append(notes, h.GetFrom().String()+"→"+h.GetTo().String()+" "+h.GetNote())
			}
			if got.GetStatus() != orderv1.OrderStatus_ORDER_STATUS_PAID || got.GetPayment().GetFailureReason() != "" || got.GetPayment().GetFailureTime() != nil ||
				len(notes) < 2 || !strings.Contains(notes[len(notes)-2], "declined") || !strings.HasSuffix(notes[len(notes)-1], "ORDER_STATUS_PAID ") {
				t.Errorf("status %v, failure %q, history %q", got.GetStatus(), got.GetPayment().GetFailureReason(), notes)
			}
		})
	}
}

func TestApplyPayment(t *testing.T) {
	const (
		pending  = orderv1.OrderStatus_ORDER_STATUS_PENDING_PAYMENT
		paid     = orderv1.OrderStatus_ORDER_STATUS_PAID
		refunded = orderv1.OrderStatus_ORDER_STATUS_REFUNDED
		total    = 5199
	)
	type pair struct{ x, y *orderv1.Order }
	intent := func(o *orderv1.Order) string { return o.GetPayment().GetPaymentIntentId() }
	succeeded := func(orderID, intentID, currency string, amount int64) proto.Message {
		return &orderv1.PaymentSucceeded{OrderId: orderID, PaymentIntentId: intentID, AmountCents: amount, Currency: currency, Provider: "test"}
	}
	refund := func(orderID, intentID string, amount int64) proto.Message {
		return &orderv1.PaymentRefunded{OrderId: orderID, PaymentIntentId: intentID, AmountCents: amount, Currency: "usd", Provider: "test"}
	}
	refundIn := func(currency string) func(p pair) proto.Message {
		return func(p pair) proto.Message {
			return &orderv1.PaymentRefunded{OrderId: p.y.GetId(), PaymentIntentId: intent(p.y), AmountCents: total, Currency: currency, Provider: "test"}
		}
	}
	tests := []struct {
		name string
		paid bool // both orders are paid before the event
		msg  func(p pair) proto.Message
		// want is y's status after the event; failure a part of the
		// failure reason it records ("" for none); refunded its
		// refunded_cents. y changes only when one of them does.
		want     orderv1.OrderStatus
		failure  string
		refunded int32
	}{
		{"success", false, func(p pair) proto.Message { return succeeded(p.y.GetId(), intent(p.y), "usd", total) }, paid, "", 0},
		{"success in upper-case currency", false, func(p pair) proto.Message { return succeeded(p.y.GetId(), intent(p.y), "USD", total) }, paid, "", 0},
		{"success by intent alone", false, func(p pair) proto.Message { return succeeded("", intent(p.y), "usd", total) }, paid, "", 0},
		{"success in another currency", false, func(p pair) proto.Message { return succeeded(p.y.GetId(), intent(p.y), "jpy", total) }, pending, "currency mismatch", 0},
		{"success without a currency", false, func(p pair) proto.Message { return succeeded(p.y.GetId(), intent(p.y), "", total) }, pending, "currency mismatch", 0},
		{"success of another amount", false, func(p pair) proto.Message { return succeeded(p.y.GetId(), intent(p.y), "usd", total-1) }, pending, "amount mismatch", 0},
		{"success of another order's intent", false, func(p pair) proto.Message { return succeeded(p.y.GetId(), intent(p.x), "usd", total) }, pending, "", 0},
		{"success of an unknown intent", false, func(p pair) proto.Message { return succeeded(p.y.GetId(), "pi_unknown", "usd", total) }, pending, "", 0},
		{"success naming no intent", false, func(p pair) proto.Message { return succeeded(p.y.GetId(), "", "usd", total) }, pending, "", 0},
		{"success of another amount for a paid order", true, func(p pair) proto.Message { return succeeded(p.y.GetId(), intent(p.y), "usd", 1) }, paid, "", 0},
		{"failure", false, func(p pair) proto.Message {
			return &orderv1.PaymentFailed{OrderId: p.y.GetId(), PaymentIntentId: intent(p.y), Reason: "Your card was declined."}
		}, pending, "declined", 0},
		{"failure of another order's intent", false, func(p pair) proto.Message {
			return &orderv1.PaymentFailed{OrderId: p.y.GetId(), PaymentIntentId: intent(p.x), Reason: "Your card was declined."}
		}, pending, "", 0},
		{"full refund", true, func(p pair) proto.Message { return refund(p.y.GetId(), intent(p.y), total) }, refunded, "", total},
		{"full refund by intent alone", true, func(p pair) proto.Message { return refund("", intent(p.y), total) }, refunded, "", total},
		{"full refund in upper-case currency", true, refundIn("USD"), refunded, "", total},
		{"full refund in another currency", true, refundIn("jpy"), paid, "", 0},
		{"full refund without a currency", true, refundIn(""), paid, "", 0},
		{"refund of less than the total", true, func(p pair) proto.Message { return refund(p.y.GetId(), intent(p.y), 1) }, paid, "", 1},
		{"refund of all but a cent", true, func(p pair) proto.Message { return refund(p.y.GetId(), intent(p.y), total-1) }, paid, "", total - 1},
		{"refund of more than the total", true, func(p pair) proto.Message { return refund(p.y.GetId(), intent(p.y), total+1) }, paid, "", 0},
		{"refund of another order's intent", true, func(p pair) proto.Message { return refund(p.y.GetId(), intent(p.x), total) }, paid, "", 0},
		{"refund naming no intent", true, func(p pair) proto.Message { return refund(p.y.GetId(), "", total) }, paid, "", 0},
	}
	for _, engine := range storagetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			f := newPayments(t, engine)
			s, db := f.s, f.db
			newOrder := func(t *testing.T, status orderv1.OrderStatus) *orderv1.Order { return f.order(t, status, total) }
			apply := func(t *testing.T, msg proto.Message) { f.apply(t, msg) }
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					status := pending
					if tt.paid {
						status = paid
					}
					p := pair{x: newOrder(t, status), y: newOrder(t, status)}
					apply(t, tt.msg(p))
					y, err := s.store.get(t.Context(), db, "", p.y.GetId())
					if err != nil {
						t.Fatal(err)
					}
					if y.GetStatus() != tt.want {
						t.Errorf("y is %v, want %v; history %v", y.GetStatus(), tt.want, y.GetHistory())
					}
					if reason := y.GetPayment().GetFailureReason(); !strings.Contains(reason, tt.failure) || (tt.failure == "") != (reason == "") {
						t.Errorf("failure reason %q, want one naming %q", reason, tt.failure)
					}
					if tt.failure != "" {
						last := y.GetHistory()[len(y.GetHistory())-1]
						if last.GetFrom() != pending || last.GetTo() != pending || !strings.Contains(last.GetNote(), tt.failure) {
							t.Errorf("the failure is not in the history: %v", y.GetHistory())
						}
					}
					if got := y.GetPayment().GetRefundedCents(); got != tt.refunded {
						t.Errorf("refunded_cents %d, want %d", got, tt.refunded)
					}
					if tt.want == status && tt.failure == "" && tt.refunded == 0 && y.GetVersion() != p.y.GetVersion() {
						t.Errorf("y changed: version %d → %d", p.y.GetVersion(), y.GetVersion())
					}
					if x, err := s.store.get(t.Context(), db, "", p.x.GetId()); err != nil || x.GetVersion() != p.x.GetVersion() {
						t.Errorf("x changed: %v, %v", x, err)
					}
				})
			}
		})
	}
}

// payments is a fixture of the payment consumer on a fresh database.
type payments struct {
	s  *service
	db *bun.DB
}

func newPayments(t *testing.T, engine storage.Engine) payments {
	db := storagetest.Open(t, engine, Migrations(), events.Migrations())
	return payments{s: &service{deps: Deps{DB: db, Now: time.Now, Logger: slog.New(slog.DiscardHandler)}, store: &store{db: db}}, db: db}
}

// order creates an order in status, of total cents in usd, with a
// payment intent.
func (f payments) order(t *testing.T, status orderv1.OrderStatus, total int32) *orderv1.Order {
	t.Helper()
	now := timestamppb.New(time.Now().UTC().Truncate(time.Microsecond))
	id := uuid.Must(uuid.NewV7()).String()
	o := &orderv1.Order{
		Id: id, OwnerId: uuid.NewString(), Status: status, TotalCents: total, Currency: "usd", Version: 1,
		Payment:    &orderv1.Payment{Provider: "test", PaymentIntentId: "pi_test_" + id},
		CreateTime: now, UpdateTime: now,
	}
	if err := f.s.store.create(t.Context(), o, nil, events.Event{Type: "order.created", AggregateID: id, Payload: &orderv1.OrderCreated{Order: facts(o)}}); err != nil {
		t.Fatalf("create: %v", err)
	}
	return o
}

// apply records msg as a payment event and has the consumer handle it;
// it returns the event's envelope.
func (f payments) apply(t *testing.T, msg proto.Message) *eventsv1.Envelope {
	t.Helper()
	env, err := events.Record(t.Context(), f.db, events.Event{AggregateID: "pi", Payload: msg})
	if err != nil {
		t.Fatal(err)
	}
	f.handle(t, env)
	return env
}

func (f payments) handle(t *testing.T, env *eventsv1.Envelope) {
	t.Helper()
	if err := f.s.paymentHandlers()[env.GetType()](t.Context(), env); err != nil {
		t.Fatalf("handlePayment: %v", err)
	}
}

// TestPartialRefunds: partial refunds add up in refunded_cents, each
// recorded with order.partially_refunded, and the order becomes REFUNDED
// when they reach the total; a redelivered event, an older one arriving
// late or a refund in another currency changes nothing — on every engine.
func TestPartialRefunds(t *testing.T) {
	const total = 5199
	for _, engine := range storagetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			f := newPayments(t, engine)
			o := f.order(t, orderv1.OrderStatus_ORDER_STATUS_PAID, total)
			refund := func(cents int64, currency string) *orderv1.PaymentRefunded {
				return &orderv1.PaymentRefunded{PaymentIntentId: o.GetPayment().GetPaymentIntentId(), OrderId: o.GetId(), AmountCents: cents, Currency: currency, Provider: "test"}
			}
			// check reads the order and the types of its events since the
			// previous check.
			var seen int
			check := func(t *testing.T, status orderv1.OrderStatus, refunded int32, version int64, types ...string) {
				t.Helper()
				got, err := f.s.store.get(t.Context(), f.db, "", o.GetId())
				if err != nil {
					t.Fatal(err)
				}
				if got.GetStatus() != status || got.GetPayment().GetRefundedCents() != refunded || got.GetVersion() != version {
					t.Errorf("order %v, refunded %d, v%d; want %v, %d, v%d", got.GetStatus(), got.GetPayment().GetRefundedCents(), got.GetVersion(), status, refunded, version)
				}
				var all []string
				if err := f.db.NewSelect().TableExpr("events_outbox").Column("type").
					Where("aggregate_id = ?", o.GetId()).OrderExpr("seq").Scan(t.Context(), &all); err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(all[seen:], types) {
					t.Errorf("events %v, want %v", all[seen:], types)
				}
				seen = len(all)
			}
			paid := orderv1.OrderStatus_ORDER_STATUS_PAID
			check(t, paid, 0, 1, "order.created")

			first := f.apply(t, refund(1000, "usd"))
			check(t, paid, 1000, 2, "order.partially_refunded")
			f.handle(t, first) // redelivered: applied once
			check(t, paid, 1000, 2)
			f.apply(t, refund(1000, "usd")) // the same refund again, another event id
			check(t, paid, 1000, 2)
			f.apply(t, refund(3000, "usd")) // a second refund of 2000: 3000 in all
			check(t, paid, 3000, 3, "order.partially_refunded")
			f.apply(t, refund(1000, "usd")) // the first event, arriving late
			check(t, paid, 3000, 3)
			f.apply(t, refund(total, "jpy"))
			check(t, paid, 3000, 3)
			f.apply(t, refund(total, "usd"))
			check(t, orderv1.OrderStatus_ORDER_STATUS_REFUNDED, total, 4, "order.refunded")
			f.apply(t, refund(total, "usd"))
			check(t, orderv1.OrderStatus_ORDER_STATUS_REFUNDED, total, 4)

			var payloads []string
			if err := f.db.NewSelect().TableExpr("events_outbox").Column("envelope").
				Where("aggregate_id = ?", o.GetId()).Where("type = ?", "order.partially_refunded").OrderExpr("seq").Scan(t.Context(), &payloads); err != nil {
				t.Fatal(err)
			}
			var amounts []int32
			for _, p := range payloads {
				env, err := events.Unmarshal([]byte(p))
				if err != nil {
					t.Fatal(err)
				}
				var e orderv1.OrderPartiallyRefunded
				if err := env.GetPayload().UnmarshalTo(&e); err != nil {
					t.Fatal(err)
				}
				amounts = append(amounts, e.GetAmountCents(), e.GetRefundedCents())
			}
			if want := []int32{1000, 1000, 2000, 3000}; !slices.Equal(amounts, want) {
				t.Errorf("order.partially_refunded amounts and totals %v, want %v", amounts, want)
			}
		})
	}
}
