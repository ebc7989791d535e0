package analytics_test

import (
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"google.golang.org/protobuf/testing/protocmp"

	analyticsv1 "github.com/harnesshero/platform/gen/harness/analytics/v1"
	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	eventsv1 "github.com/harnesshero/platform/gen/harness/events/v1"
	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	"github.com/harnesshero/platform/platform/storage/storagetest"
)

// TestHandle is the event handling contract, run on every engine.
func TestHandle(t *testing.T) {
	for _, engine := range storagetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			t.Run("Counts", func(t *testing.T) { testHandleCounts(t, newEnv(t, engine, options{})) })
			t.Run("Updates", func(t *testing.T) { testHandleUpdates(t, newEnv(t, engine, options{})) })
			t.Run("Orders", func(t *testing.T) { testHandleOrders(t, newEnv(t, engine, options{})) })
			t.Run("OrderedDesigns", func(t *testing.T) { testHandleOrderedDesigns(t, newEnv(t, engine, options{})) })
			t.Run("Refused", func(t *testing.T) { testHandleRefused(t, newEnv(t, engine, options{})) })
			t.Run("Concurrent", func(t *testing.T) { testHandleConcurrent(t, newEnv(t, engine, options{})) })
		})
	}
}

func testHandleCounts(t *testing.T, e *env) {
	late, early := at(t, "2026-03-10T23:59:59Z"), at(t, "2026-03-11T00:00:00Z")
	a, b, c := design{id: uuid.NewString()}, design{id: uuid.NewString()}, design{id: uuid.NewString()}
	all := []*eventsv1.Envelope{
		created(t, a, late), created(t, b, late), created(t, c, early),
		registered(t, early), deleted(t, a.id, early),
	}
	e.handle(t, all...)
	want := []*analyticsv1.DailyStats{
		{Date: "2026-03-09"},
		{Date: "2026-03-10", DesignsCreated: 2},
		{Date: "2026-03-11", DesignsCreated: 1, DesignsDeleted: 1, UsersRegistered: 1},
		{Date: "2026-03-12"},
	}
	check := func(when string) {
		t.Helper()
		if diff := cmp.Diff(want, e.days(t, "2026-03-09", "2026-03-12"), protocmp.Transform()); diff != "" {
			t.Errorf("%s: daily stats (-want +got):\n%s", when, diff)
		}
	}
	check("first delivery")

	e.handle(t, all...)
	check("same envelopes again")

	// A creation or deletion of a known design under a new event id (a
	// replay re-recorded) counts nothing; nor does deleting a design never
	// seen created.
	e.handle(t, created(t, a, late), deleted(t, a.id, early), deleted(t, uuid.NewString(), early))
	check("new ids for known designs")
}

func testHandleUpdates(t *testing.T, e *env) {
	day := at(t, "2026-04-01T12:00:00Z")
	a := design{id: uuid.NewString(), style: builderv1.Style_STYLE_STEP_IN, version: 1}
	e.handle(t, created(t, a, day))

	top := func() []builderv1.Style {
		t.Helper()
		res, err := e.client.GetTopChoices(t.Context(), &analyticsv1.GetTopChoicesRequest{
			Range: &analyticsv1.DateRange{StartDate: "2026-04-01", EndDate: "2026-04-01"},
		})
		if err != nil {
			t.Fatalf("GetTopChoices: %v", err)
		}
		var out []builderv1.Style
		for _, s := range res.GetStyles() {
			out = append(out, s.GetStyle())
		}
		return out
	}
	vest := []builderv1.Style{builderv1.Style_STYLE_VEST}

	v2 := a
	v2.style, v2.version = builderv1.Style_STYLE_VEST, 2
	e.handle(t, updated(t, v2, day.AddDate(0, 0, 3)))
	if got := top(); !cmp.Equal(got, vest) {
		t.Errorf("after update to VEST: styles %v, want %v", got, vest)
	}

	// Older facts never overwrite newer ones: a stale update, and the
	// creation replayed under a new id.
	stale := a
	stale.style = builderv1.Style_STYLE_OVERHEAD
	e.handle(t, updated(t, stale, day), created(t, a, day))
	if got := top(); !cmp.Equal(got, vest) {
		t.Errorf("after stale events: styles %v, want %v", got, vest)
	}

	// An update of a design never seen created adds nothing.
	e.handle(t, updated(t, design{id: uuid.NewString(), style: builderv1.Style_STYLE_NO_PULL}, day))
	if got := top(); !cmp.Equal(got, vest) {
		t.Errorf("after update of unknown design: styles %v, want %v", got, vest)
	}
	if got := e.day(t, "2026-04-01").GetDesignsCreated(); got != 1 {
		t.Errorf("designs_created = %d, want 1", got)
	}
}

func testHandleOrders(t *testing.T, e *env) {
	day1, day2, day3 := at(t, "2026-09-01T23:59:59Z"), at(t, "2026-09-02T00:00:00Z"), at(t, "2026-09-03T12:00:00Z")
	a, b := uuid.NewString(), uuid.NewString()
	o1, o2, o3, o4 := newOrder(5000, a, b), newOrder(3000, a), newOrder(7000, b), newOrder(4200, a)

	// o2 is cancelled, then a payment arrives all the same: paid (and
	// revenue) until the shop refunds it.
	late := o2.facts()
	late.Status, late.Version = orderv1.OrderStatus_ORDER_STATUS_PAID, 3
	paidAfterCancel := envelope(t, "order.paid", &orderv1.OrderPaid{Order: late, PaidAfterCancellation: true}, day2)

	all := []*eventsv1.Envelope{
		orderCreated(t, o1, day1), orderPaid(t, o1, day1), orderCreated(t, o2, day1),
		orderCancelled(t, o2, day2), paidAfterCancel, orderRefunded(t, o2, 3000, day2),
		orderRefunded(t, o1, 2000, day2), // partial
		orderCreated(t, o3, day2), orderPaid(t, o3, day2),
		// Paid, then refunded in full: revenue back to 0.
		orderCreated(t, o4, day3), orderPaid(t, o4, day3), orderRefunded(t, o4, 4200, day3),
	}
	// Accepted, changing no figure.
	all = append(all, orderQuiet(t, o1, day2)...)
	e.handle(t, all...)

	want := []*analyticsv1.DailyStats{
		{Date: "2026-08-31"},
		{Date: "2026-09-01", OrdersCreated: 2, OrdersPaid: 1, RevenueCents: 5000},
		// 3000 - 3000 - 2000 + 7000.
		{Date: "2026-09-02", OrdersCreated: 1, OrdersPaid: 2, OrdersCancelled: 1, OrdersRefunded: 2, RevenueCents: 5000},
		{Date: "2026-09-03", OrdersCreated: 1, OrdersPaid: 1, OrdersRefunded: 1},
		{Date: "2026-09-04"},
	}
	check := func(when string) {
		t.Helper()
		if diff := cmp.Diff(want, e.days(t, "2026-08-31", "2026-09-04"), protocmp.Transform()); diff != "" {
			t.Errorf("%s: daily stats (-want +got):\n%s", when, diff)
		}
		if got := e.processed(t); got != len(all) {
			t.Errorf("%s: %d events processed, want %d", when, got, len(all))
		}
	}
	check("first delivery")

	// Every event redelivered, one by one and then all at once: nothing
	// changes.
	for _, ev := range all {
		e.handle(t, ev)
		check("after redelivering " + ev.GetType())
	}
	e.handle(t, all...)
	check("all again")
}

// testHandleOrderedDesigns checks conversion whichever of design.created
// and order.created arrives first: they come on different streams.
func testHandleOrderedDesigns(t *testing.T, e *env) {
	day := at(t, "2026-10-05T15:00:00Z")
	const date = "2026-10-05"
	before, after, twice, never := design{id: uuid.NewString()}, design{id: uuid.NewString()},
		design{id: uuid.NewString()}, design{id: uuid.NewString()}
	unknown := uuid.NewString() // ordered, never seen created
	check := func(when string, want *analyticsv1.GetConversionResponse) {
		t.Helper()
		if diff := cmp.Diff(want, e.conversion(t, date, date), protocmp.Transform()); diff != "" {
			t.Errorf("%s: conversion (-want +got):\n%s", when, diff)
		}
	}

	// Ordered before analytics saw them created (twice appears in the order
	// twice, and again in a later order).
	first := orderCreated(t, newOrder(9000, before.id, twice.id, twice.id, unknown), day)
	e.handle(t, first)
	check("order before creations", &analyticsv1.GetConversionResponse{})

	e.handle(t, created(t, before, day))
	check("one ordered design created", &analyticsv1.GetConversionResponse{
		DesignsCreated: 1, DesignsOrdered: 1, ConversionBasisPoints: 10000,
	})

	e.handle(t, created(t, after, day), created(t, twice, day), created(t, never, day))
	check("all created", &analyticsv1.GetConversionResponse{
		DesignsCreated: 4, DesignsOrdered: 2, ConversionBasisPoints: 5000,
	})

	// Ordered after it was created; twice again.
	second := orderCreated(t, newOrder(6000, after.id, twice.id), day)
	e.handle(t, second)
	want := &analyticsv1.GetConversionResponse{DesignsCreated: 4, DesignsOrdered: 3, ConversionBasisPoints: 7500}
	check("second order", want)

	// Redelivered, or ordered again under a new event id: still 3 of 4.
	e.handle(t, first, second, orderCreated(t, newOrder(100, twice.id, after.id), day))
	check("orders again", want)
	if got := e.day(t, date).GetOrdersCreated(); got != 3 {
		t.Errorf("orders_created = %d, want 3", got)
	}

	// A design known only from an order is no design of top choices.
	res, err := e.client.GetTopChoices(t.Context(), &analyticsv1.GetTopChoicesRequest{
		Range: &analyticsv1.DateRange{StartDate: date, EndDate: date},
	})
	if err != nil {
		t.Fatal(err)
	}
	if s := res.GetSizes(); len(s) != 1 || s[0].GetCount() != 4 {
		t.Errorf("sizes = %v, want 4 designs of one size", s)
	}
}

func testHandleRefused(t *testing.T, e *env) {
	day := at(t, "2026-05-01T08:00:00Z")
	d := design{id: uuid.NewString()}

	v2 := created(t, d, day)
	v2.Version = 2
	v0 := created(t, d, day)
	v0.Version = 0
	wrongPayload := created(t, d, day)
	wrongPayload.Payload = registered(t, day).GetPayload()
	noPayload := created(t, d, day)
	noPayload.Payload = nil
	noTime := created(t, d, day)
	noTime.OccurTime = nil
	noID := created(t, design{}, day)
	noDeleteID := deleted(t, "", day)

	o := newOrder(2500, d.id)
	orderV2 := orderPaid(t, o, day)
	orderV2.Version = 2
	orderWrongPayload := orderCreated(t, o, day)
	orderWrongPayload.Payload = orderPaid(t, o, day).GetPayload()
	orderNoTime := orderRefunded(t, o, 100, day)
	orderNoTime.OccurTime = nil
	noOrderID := order{designs: []string{d.id}, total: 2500}
	lineNoDesign := newOrder(2500, d.id, "")

	refused := map[string]*eventsv1.Envelope{
		"version 2": v2, "version 0": v0, "wrong payload": wrongPayload, "no payload": noPayload,
		"no occur_time": noTime, "no design id": noID, "delete without design id": noDeleteID,
		"order version 2": orderV2, "order.created with an order.paid payload": orderWrongPayload,
		"order without occur_time":       orderNoTime,
		"order.created without order id": orderCreated(t, noOrderID, day),
		"order.paid without order id":    orderPaid(t, noOrderID, day),
		"order.created without order":    envelope(t, "order.created", &orderv1.OrderCreated{}, day),
		"line without design id":         orderCreated(t, lineNoDesign, day),
		"negative total":                 orderPaid(t, newOrder(-2500, d.id), day),
		"negative refund":                orderRefunded(t, o, -100, day),
		"refund without order id":        orderRefunded(t, noOrderID, 100, day),
		"cancel without order id":        orderCancelled(t, noOrderID, day),
	}
	for i, ev := range orderQuiet(t, noOrderID, day) {
		refused[ev.GetType()+" without order id"] = ev
		ev = orderQuiet(t, o, day)[i]
		ev.Payload = orderCreated(t, o, day).GetPayload()
		refused[ev.GetType()+" with an order.created payload"] = ev
	}
	for name, ev := range refused {
		if err := e.mod.Handle(t.Context(), ev); err == nil {
			t.Errorf("%s: Handle succeeded, want an error", name)
		}
	}
	if got := e.day(t, "2026-05-01"); !cmp.Equal(got, &analyticsv1.DailyStats{Date: "2026-05-01"}, protocmp.Transform()) {
		t.Errorf("refused events changed the figures: %v", got)
	}
	if got := e.processed(t); got != 0 {
		t.Errorf("%d refused events recorded as processed", got)
	}

	// Types the module does not use are acknowledged and ignored, whatever
	// their version.
	other := envelope(t, "payment.succeeded", &orderv1.PaymentSucceeded{OrderId: o.id}, day)
	other.Version = 7
	if err := e.mod.Handle(t.Context(), other); err != nil {
		t.Errorf("Handle(payment.succeeded) = %v, want nil", err)
	}
	if got := e.processed(t); got != 0 {
		t.Errorf("%d events recorded as processed, want 0", got)
	}

	// A refused event is not recorded as processed: once it is readable it
	// applies.
	v2.Version = 1
	orderV2.Version = 1
	e.handle(t, v2, orderV2)
	if got := e.day(t, "2026-05-01"); got.GetDesignsCreated() != 1 || got.GetOrdersPaid() != 1 || got.GetRevenueCents() != 2500 {
		t.Errorf("designs_created = %d, orders_paid = %d, revenue = %d; want 1, 1, 2500",
			got.GetDesignsCreated(), got.GetOrdersPaid(), got.GetRevenueCents())
	}
}

func testHandleConcurrent(t *testing.T, e *env) {
	day := at(t, "2026-06-15T10:00:00Z")
	const n, workers, orders = 50, 8, 30
	work := make(chan *eventsv1.Envelope)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for ev := range work {
				if err := e.mod.Handle(t.Context(), ev); err != nil {
					t.Errorf("Handle: %v", err)
				}
			}
		})
	}
	ids := make([]string, n)
	for i := range ids {
		ids[i] = uuid.NewString()
	}
	// Orders of the first five designs, sharing them in every order
	// (forwards and backwards), interleaved with the designs' creations.
	for i := range orders {
		designs := []string{ids[i%5], ids[(i+1)%5], ids[(i+2)%5]}
		if i%2 == 1 {
			slices.Reverse(designs)
		}
		o := newOrder(100, designs...)
		work <- orderCreated(t, o, day)
		work <- orderPaid(t, o, day)
	}
	for _, id := range ids {
		work <- created(t, design{id: id}, day)
	}
	// The same envelope delivered to every worker at once counts once.
	same := registered(t, day)
	for range workers {
		work <- same
	}
	close(work)
	wg.Wait()

	got := e.day(t, "2026-06-15")
	want := &analyticsv1.DailyStats{
		Date: "2026-06-15", DesignsCreated: n, UsersRegistered: 1,
		OrdersCreated: orders, OrdersPaid: orders, RevenueCents: orders * 100,
	}
	if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
		t.Errorf("daily stats (-want +got):\n%s", diff)
	}
	wantConv := &analyticsv1.GetConversionResponse{DesignsCreated: n, DesignsOrdered: 5, ConversionBasisPoints: 5 * 10000 / n}
	if diff := cmp.Diff(wantConv, e.conversion(t, "2026-06-15", "2026-06-15"), protocmp.Transform()); diff != "" {
		t.Errorf("conversion (-want +got):\n%s", diff)
	}
}
