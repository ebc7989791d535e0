package analytics_test

import (
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"google.golang.org/protobuf/testing/protocmp"

	analyticsv1 "github.com/harnesshero/platform/gen/harness/analytics/v1"
	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	eventsv1 "github.com/harnesshero/platform/gen/harness/events/v1"
	userv1 "github.com/harnesshero/platform/gen/harness/user/v1"
	"github.com/harnesshero/platform/storage/storagetest"
)

// TestHandle is the event handling contract, run on every engine.
func TestHandle(t *testing.T) {
	for _, engine := range storagetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			t.Run("Counts", func(t *testing.T) { testHandleCounts(t, newEnv(t, engine, options{})) })
			t.Run("Updates", func(t *testing.T) { testHandleUpdates(t, newEnv(t, engine, options{})) })
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

	for name, ev := range map[string]*eventsv1.Envelope{
		"version 2": v2, "version 0": v0, "wrong payload": wrongPayload, "no payload": noPayload,
		"no occur_time": noTime, "no design id": noID, "delete without design id": noDeleteID,
	} {
		if err := e.mod.Handle(t.Context(), ev); err == nil {
			t.Errorf("%s: Handle succeeded, want an error", name)
		}
	}
	if got := e.day(t, "2026-05-01"); got.GetDesignsCreated() != 0 || got.GetDesignsDeleted() != 0 {
		t.Errorf("refused events changed the figures: %v", got)
	}

	// Types the module does not use are acknowledged and ignored, whatever
	// their version.
	other := envelope(t, "order.shipped", &userv1.UserRegistered{}, day)
	other.Version = 7
	if err := e.mod.Handle(t.Context(), other); err != nil {
		t.Errorf("Handle(order.shipped) = %v, want nil", err)
	}

	// A refused event is not recorded as processed: once it is readable it
	// applies.
	v2.Version = 1
	e.handle(t, v2)
	if got := e.day(t, "2026-05-01").GetDesignsCreated(); got != 1 {
		t.Errorf("designs_created = %d, want 1", got)
	}
}

func testHandleConcurrent(t *testing.T, e *env) {
	day := at(t, "2026-06-15T10:00:00Z")
	const n, workers = 50, 8
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
	for range n {
		work <- created(t, design{id: uuid.NewString()}, day)
	}
	// The same envelope delivered to every worker at once counts once.
	same := registered(t, day)
	for range workers {
		work <- same
	}
	close(work)
	wg.Wait()

	got := e.day(t, "2026-06-15")
	if got.GetDesignsCreated() != n || got.GetUsersRegistered() != 1 {
		t.Errorf("designs_created = %d, users_registered = %d, want %d and 1",
			got.GetDesignsCreated(), got.GetUsersRegistered(), n)
	}
}
