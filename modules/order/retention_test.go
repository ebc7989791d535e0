package order

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/storage/storagetest"
)

// TestForgetAddresses is the retention rule on every engine: a settled
// order (DELIVERED, CANCELLED, REFUNDED) whose last change is older than
// the cut-off loses its address but for the country and region; a recent
// one and an unsettled one keep it; a second run erases nothing more.
func TestForgetAddresses(t *testing.T) {
	const day = 24 * time.Hour
	for _, engine := range storagetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			s := &store{db: storagetest.Open(t, engine, Migrations(), events.Migrations())}
			now := time.Now().UTC().Truncate(time.Microsecond)
			full := func() *orderv1.ShippingAddress {
				return &orderv1.ShippingAddress{
					Name: "Ada Barker", Line1: "1 Kennel Lane", Line2: "Flat 2", City: "Portland", Region: "OR",
					PostalCode: "97201", CountryCode: "US", Phone: "+1 503 555 0100",
				}
			}
			erased := &orderv1.ShippingAddress{Region: "OR", CountryCode: "US"}
			tests := []struct {
				name   string
				status orderv1.OrderStatus
				age    time.Duration // since the order's last change
				erase  bool
			}{
				{"delivered 200 days ago", orderv1.OrderStatus_ORDER_STATUS_DELIVERED, 200 * day, true},
				{"cancelled 200 days ago", orderv1.OrderStatus_ORDER_STATUS_CANCELLED, 200 * day, true},
				{"refunded 181 days ago", orderv1.OrderStatus_ORDER_STATUS_REFUNDED, 181 * day, true},
				{"delivered 10 days ago", orderv1.OrderStatus_ORDER_STATUS_DELIVERED, 10 * day, false},
				{"delivered 179 days ago", orderv1.OrderStatus_ORDER_STATUS_DELIVERED, 179 * day, false},
				{"in production for 200 days", orderv1.OrderStatus_ORDER_STATUS_IN_PRODUCTION, 200 * day, false},
				{"shipped 200 days ago", orderv1.OrderStatus_ORDER_STATUS_SHIPPED, 200 * day, false},
				{"pending payment for 200 days", orderv1.OrderStatus_ORDER_STATUS_PENDING_PAYMENT, 200 * day, false},
			}
			ids := make([]string, len(tests))
			for i, tt := range tests {
				at := timestamppb.New(now.Add(-tt.age))
				o := &orderv1.Order{
					Id: uuid.Must(uuid.NewV7()).String(), OwnerId: uuid.NewString(), Status: tt.status,
					TotalCents: 3999, Currency: "usd", Version: 4, ShippingAddress: full(),
					CreateTime: timestamppb.New(now.Add(-tt.age - day)), UpdateTime: at,
				}
				ids[i] = o.GetId()
				if err := s.create(ctx, o, nil, events.Event{Type: "order.created", AggregateID: o.GetId(), Payload: &orderv1.OrderCreated{Order: facts(o)}}); err != nil {
					t.Fatalf("create: %v", err)
				}
			}

			cutoff := now.Add(-DefaultAddressRetention)
			n, err := ForgetAddresses(ctx, s.db, cutoff)
			if err != nil || n != 3 {
				t.Fatalf("ForgetAddresses = %d, %v; want 3 erased", n, err)
			}
			for i, tt := range tests {
				got, err := s.get(ctx, s.db, "", ids[i])
				if err != nil {
					t.Fatalf("%s: get: %v", tt.name, err)
				}
				want, version := full(), int64(4)
				if tt.erase {
					want, version = erased, 5
				}
				if !proto.Equal(got.GetShippingAddress(), want) || got.GetVersion() != version {
					t.Errorf("%s: address %v, version %d; want %v, version %d", tt.name, got.GetShippingAddress(), got.GetVersion(), want, version)
				}
				if tt.erase && !got.GetUpdateTime().AsTime().After(now.Add(-time.Minute)) {
					t.Errorf("%s: update_time %v, want the erasure's", tt.name, got.GetUpdateTime().AsTime())
				}
				var erasedAt *time.Time
				if err := s.db.NewSelect().Table("order_orders").Column("address_erased_at").Where("id = ?", ids[i]).Scan(ctx, &erasedAt); err != nil {
					t.Fatalf("%s: address_erased_at: %v", tt.name, err)
				}
				if (erasedAt != nil) != tt.erase {
					t.Errorf("%s: address_erased_at = %v, want set: %v", tt.name, erasedAt, tt.erase)
				}
			}

			// Idempotent: the erased orders were changed just now, and are
			// marked; a second run, even with a cut-off of now, erases only
			// what became due (the ten- and 179-day-old deliveries).
			if n, err := ForgetAddresses(ctx, s.db, cutoff); err != nil || n != 0 {
				t.Errorf("second run = %d, %v; want 0", n, err)
			}
			if n, err := ForgetAddresses(ctx, s.db, now.Add(time.Minute)); err != nil || n != 2 {
				t.Errorf("run with a cut-off of now = %d, %v; want the 2 recent deliveries", n, err)
			}
		})
	}
}

// TestForgetAddressesBatches: a backlog larger than a batch is erased
// whole, across transactions.
func TestForgetAddressesBatches(t *testing.T) {
	for _, engine := range storagetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			s := &store{db: storagetest.Open(t, engine, Migrations(), events.Migrations())}
			old := timestamppb.New(time.Now().UTC().Add(-365 * 24 * time.Hour).Truncate(time.Microsecond))
			const orders = 7
			for range orders {
				o := &orderv1.Order{
					Id: uuid.Must(uuid.NewV7()).String(), OwnerId: uuid.NewString(), Status: orderv1.OrderStatus_ORDER_STATUS_DELIVERED,
					Currency: "usd", Version: 5, ShippingAddress: &orderv1.ShippingAddress{Name: "A", Line1: "B", City: "C", PostalCode: "D", CountryCode: "US"},
					CreateTime: old, UpdateTime: old,
				}
				if err := s.create(ctx, o, nil, events.Event{Type: "order.created", AggregateID: o.GetId(), Payload: &orderv1.OrderCreated{Order: facts(o)}}); err != nil {
					t.Fatalf("create: %v", err)
				}
			}
			total, after := 0, ""
			batches := 0
			for {
				n, last, err := forgetAddresses(ctx, s.db, time.Now().UTC(), after, 3)
				if err != nil {
					t.Fatal(err)
				}
				total, batches = total+n, batches+1
				if last == "" {
					break
				}
				after = last
			}
			if total != orders || batches != 3 {
				t.Errorf("erased %d orders in %d batches of 3, want %d in 3", total, batches, orders)
			}
		})
	}
}
