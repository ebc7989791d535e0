package order

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/timestamppb"

	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/storage/storagetest"
)

// TestStore is the store's contract on every engine: an idempotency key is
// claimed once, a stale version never overwrites, and the owner scopes
// reads.
func TestStore(t *testing.T) {
	for _, engine := range storagetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			s := &store{db: storagetest.Open(t, engine, Migrations(), events.Migrations())}
			newOrder := func(owner string) *orderv1.Order {
				now := timestamppb.New(time.Now().UTC().Truncate(time.Microsecond))
				return &orderv1.Order{
					Id: uuid.Must(uuid.NewV7()).String(), OwnerId: owner, Status: orderv1.OrderStatus_ORDER_STATUS_PENDING_PAYMENT,
					TotalCents: 3999, Currency: "usd", Version: 1, CreateTime: now, UpdateTime: now,
				}
			}
			created := func(o *orderv1.Order) events.Event {
				return events.Event{Type: "order.created", AggregateID: o.GetId(), Payload: &orderv1.OrderCreated{Order: facts(o)}}
			}

			// Ten requests race for one key: one order, nine errKeyTaken.
			owner := uuid.NewString()
			var wg sync.WaitGroup
			errs := make([]error, 10)
			for i := range errs {
				wg.Go(func() {
					o := newOrder(owner)
					errs[i] = s.create(t.Context(), o, &keyRow{OwnerID: owner, Key: "k", RequestHash: "h", OrderID: o.GetId(), CreatedAt: time.Now()}, created(o))
				})
			}
			wg.Wait()
			won := 0
			for _, err := range errs {
				switch {
				case err == nil:
					won++
				case !errors.Is(err, errKeyTaken):
					t.Errorf("create: %v", err)
				}
			}
			list, err := s.list(t.Context(), filter{owner: owner, limit: 100})
			if won != 1 || err != nil || len(list) != 1 {
				t.Fatalf("%d creates won, %d orders stored (%v); want 1 and 1", won, len(list), err)
			}
			key, err := s.key(t.Context(), owner, "k")
			if err != nil || key == nil || key.OrderID != list[0].GetId() {
				t.Errorf("key row = %+v, %v", key, err)
			}
			stats, _ := events.Stats(t.Context(), s.db)
			if stats.Pending != 1 {
				t.Errorf("%d events recorded, want the winner's order.created only", stats.Pending)
			}

			// A save against a stale version changes nothing.
			o := list[0]
			o.Status = orderv1.OrderStatus_ORDER_STATUS_CANCELLED
			o.Version = 2
			if err := s.save(t.Context(), s.db, o, 1, nil); err == nil {
				t.Fatal("a change without its event was saved: WatchOrder would miss it")
			}
			if err := s.save(t.Context(), s.db, o, 1, moveEvent(o, 0)); err != nil {
				t.Fatalf("save: %v", err)
			}
			o.Status = orderv1.OrderStatus_ORDER_STATUS_PAID
			o.Version = 2
			if err := s.save(t.Context(), s.db, o, 1, moveEvent(o, 0)); !errors.Is(err, errConflict) {
				t.Errorf("stale save: %v, want errConflict", err)
			}
			got, err := s.get(t.Context(), s.db, owner, o.GetId())
			if err != nil || got.GetStatus() != orderv1.OrderStatus_ORDER_STATUS_CANCELLED || got.GetVersion() != 2 {
				t.Errorf("after the stale save: %v, %v", got, err)
			}
			if _, err := s.get(t.Context(), s.db, uuid.NewString(), o.GetId()); !errors.Is(err, errNotFound) {
				t.Errorf("another owner's get: %v, want errNotFound", err)
			}

			// A status filter lists the orders in any of its statuses.
			pending := newOrder(owner)
			if err := s.create(t.Context(), pending, nil, created(pending)); err != nil {
				t.Fatalf("create: %v", err)
			}
			for _, tt := range []struct {
				statuses []int32
				want     int
			}{
				{[]int32{int32(orderv1.OrderStatus_ORDER_STATUS_CANCELLED)}, 1},
				{[]int32{int32(orderv1.OrderStatus_ORDER_STATUS_CANCELLED), int32(orderv1.OrderStatus_ORDER_STATUS_PENDING_PAYMENT)}, 2},
				{[]int32{int32(orderv1.OrderStatus_ORDER_STATUS_SHIPPED)}, 0},
			} {
				list, err := s.list(t.Context(), filter{owner: owner, statuses: tt.statuses, limit: 100})
				if err != nil || len(list) != tt.want {
					t.Errorf("list(statuses %v) = %d orders, %v; want %d", tt.statuses, len(list), err, tt.want)
				}
			}
		})
	}
}
