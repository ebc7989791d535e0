package events_test

import (
	"slices"
	"testing"

	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	userv1 "github.com/harnesshero/platform/gen/harness/user/v1"
	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/platform/storage/storagetest"
)

// TestTypesComeFromTheContracts: the event types, and the topics, are the
// ones the modules' contracts declare — the catalog spec's list, and the
// order's moves the spec names no event for (ADR 0022).
func TestTypesComeFromTheContracts(t *testing.T) {
	t.Parallel()
	want := []string{
		"design.created", "design.deleted", "design.updated",
		"order.cancelled", "order.created", "order.delivered", "order.in_production", "order.paid", "order.partially_refunded", "order.payment_failed",
		"order.payment_started", "order.refunded", "order.shipped",
		"payment.failed", "payment.refunded", "payment.succeeded",
		"user.deleted", "user.registered", "user.sessions_revoked",
	}
	if got := events.Types(); !slices.Equal(got, want) {
		t.Errorf("Types() = %v\nwant %v", got, want)
	}
	if got, want := events.Topics(), []string{"events.design", "events.order", "events.payment", "events.user"}; !slices.Equal(got, want) {
		t.Errorf("Topics() = %v, want %v", got, want)
	}
	if got := events.TypeOf(&builderv1.DesignCreated{}); got != "design.created" {
		t.Errorf("TypeOf(DesignCreated) = %q", got)
	}
	if got := events.TypeOf(&orderv1.OrderFacts{}); got != "" {
		t.Errorf("TypeOf(OrderFacts) = %q, want none: it is no payload", got)
	}
}

// TestRecordTypesThePayload: Record takes the type the payload's contract
// declares, and refuses a type that contradicts it or a payload that
// declares none.
func TestRecordTypesThePayload(t *testing.T) {
	t.Parallel()
	db := storagetest.Open(t, storage.SQLite, events.Migrations())
	env, err := events.Record(t.Context(), db, events.Event{AggregateID: "u1", Payload: &userv1.UserRegistered{UserId: "u1"}})
	if err != nil || env.GetType() != "user.registered" {
		t.Fatalf("Record = %v, %v; want a user.registered", env, err)
	}
	if _, err := events.Record(t.Context(), db, events.Event{Type: "user.deleted", AggregateID: "u1", Payload: &userv1.UserRegistered{UserId: "u1"}}); err == nil {
		t.Error("Record accepted a user.registered payload typed user.deleted")
	}
	if _, err := events.Record(t.Context(), db, events.Event{AggregateID: "o1", Payload: &orderv1.OrderFacts{}}); err == nil {
		t.Error("Record accepted a payload that declares no event type, without a type")
	}
}
