package analytics_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"google.golang.org/protobuf/testing/protocmp"

	analyticsv1 "github.com/harnesshero/platform/gen/harness/analytics/v1"
	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	"github.com/harnesshero/platform/platform/storage/storagetest"
)

// TestAPI is AnalyticsService through its generated client over
// connectinprocess, run on every engine.
func TestAPI(t *testing.T) {
	for _, engine := range storagetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			t.Run("DailyStats", func(t *testing.T) { testDailyStats(t, newEnv(t, engine, options{})) })
			t.Run("DailyStatsRefused", func(t *testing.T) { testDailyStatsRefused(t, newEnv(t, engine, options{})) })
			t.Run("DailyStatsUnvalidated", func(t *testing.T) {
				testDailyStatsUnvalidated(t, newEnv(t, engine, options{noValidate: true}))
			})
			t.Run("TopChoices", func(t *testing.T) { testTopChoices(t, newEnv(t, engine, options{})) })
			t.Run("Conversion", func(t *testing.T) { testConversion(t, newEnv(t, engine, options{})) })
			t.Run("EventStats", func(t *testing.T) { testEventStats(t, engine) })
		})
	}
}

func dailyReq(start, end string) *analyticsv1.GetDailyStatsRequest {
	return &analyticsv1.GetDailyStatsRequest{Range: &analyticsv1.DateRange{StartDate: start, EndDate: end}}
}

func testDailyStats(t *testing.T, e *env) {
	d := design{id: uuid.NewString()}
	paid, cancelled := newOrder(4800, d.id), newOrder(1500, d.id)
	e.handle(t,
		created(t, d, at(t, "2024-02-28T10:00:00Z")),
		registered(t, at(t, "2024-03-01T00:30:00Z")),
		registered(t, at(t, "2024-03-01T23:30:00Z")),
		orderCreated(t, paid, at(t, "2024-02-29T08:00:00Z")),
		orderPaid(t, paid, at(t, "2024-02-29T08:05:00Z")),
		orderCreated(t, cancelled, at(t, "2024-02-29T09:00:00Z")),
		orderCancelled(t, cancelled, at(t, "2024-03-01T10:00:00Z")),
		orderRefunded(t, paid, 800, at(t, "2024-03-01T11:00:00Z")),
	)
	e.handle(t, orderQuiet(t, paid, at(t, "2024-02-27T12:00:00Z"))...)
	// Leap day included, zeros for empty days (the order events of
	// 2024-02-27 count nothing). A refund is taken off the revenue of its
	// own day, which may go below zero.
	want := []*analyticsv1.DailyStats{
		{Date: "2024-02-27"},
		{Date: "2024-02-28", DesignsCreated: 1},
		{Date: "2024-02-29", OrdersCreated: 2, OrdersPaid: 1, RevenueCents: 4800},
		{Date: "2024-03-01", UsersRegistered: 2, OrdersCancelled: 1, OrdersRefunded: 1, RevenueCents: -800},
	}
	if diff := cmp.Diff(want, e.days(t, "2024-02-27", "2024-03-01"), protocmp.Transform()); diff != "" {
		t.Errorf("daily stats (-want +got):\n%s", diff)
	}
	// A range with no events at all: every day, all zeros.
	empty := e.days(t, "2030-12-30", "2031-01-02")
	var dates []string
	for _, d := range empty {
		dates = append(dates, d.GetDate())
		if !cmp.Equal(d, &analyticsv1.DailyStats{Date: d.GetDate()}, protocmp.Transform()) {
			t.Errorf("empty day %s = %v, want zeros", d.GetDate(), d)
		}
	}
	if want := []string{"2030-12-30", "2030-12-31", "2031-01-01", "2031-01-02"}; !cmp.Equal(dates, want) {
		t.Errorf("dates = %v, want %v", dates, want)
	}
	// 366 days is the most: the whole of a leap year.
	year := e.days(t, "2024-01-01", "2024-12-31")
	if len(year) != 366 || year[0].GetDate() != "2024-01-01" || year[365].GetDate() != "2024-12-31" {
		t.Errorf("leap year: %d days from %s to %s", len(year), year[0].GetDate(), year[len(year)-1].GetDate())
	}
	if got := year[58]; got.GetDate() != "2024-02-28" || got.GetDesignsCreated() != 1 {
		t.Errorf("leap year day 59 = %v", got)
	}
}

func testDailyStatsRefused(t *testing.T, e *env) {
	for _, tc := range []struct {
		name       string
		start, end string
		want       []string
	}{
		{"367 days", "2024-01-01", "2025-01-01", []string{"range"}},
		{"end before start", "2026-03-02", "2026-03-01", []string{"range.end_date"}},
		{"impossible start", "2026-02-30", "2026-03-01", []string{"range.start_date"}},
		{"impossible end", "2026-02-01", "2026-02-30", []string{"range.end_date"}},
		{"not a date", "2026-1-1", "2026-12-01", []string{"range.start_date"}},
	} {
		_, err := e.client.GetDailyStats(t.Context(), dailyReq(tc.start, tc.end))
		if got := fields(t, err); !cmp.Equal(got, tc.want) {
			t.Errorf("%s: violations on %v, want %v", tc.name, got, tc.want)
		}
	}
	_, err := e.client.GetDailyStats(t.Context(), &analyticsv1.GetDailyStatsRequest{})
	if got := fields(t, err); !cmp.Equal(got, []string{"range"}) {
		t.Errorf("no range: violations on %v, want [range]", got)
	}
}

// testDailyStatsUnvalidated checks that the module's own checks hold
// without the validate interceptor.
func testDailyStatsUnvalidated(t *testing.T, e *env) {
	for _, tc := range []struct {
		name       string
		start, end string
		want       string
	}{
		{"end before start", "2026-03-02", "2026-03-01", "range.end_date"},
		{"impossible start", "2026-02-31", "2026-03-01", "range.start_date"},
		{"367 days", "2024-01-01", "2025-01-01", "range"},
	} {
		_, err := e.client.GetDailyStats(t.Context(), dailyReq(tc.start, tc.end))
		if got := fields(t, err); !cmp.Equal(got, []string{tc.want}) {
			t.Errorf("%s: violations on %v, want [%s]", tc.name, got, tc.want)
		}
	}
	_, err := e.client.GetConversion(t.Context(), &analyticsv1.GetConversionRequest{})
	if got := fields(t, err); !cmp.Equal(got, []string{"range"}) {
		t.Errorf("conversion without range: violations on %v, want [range]", got)
	}
}

func testTopChoices(t *testing.T, e *env) {
	day := at(t, "2026-07-01T12:00:00Z")
	styles := []builderv1.Style{
		builderv1.Style_STYLE_VEST, builderv1.Style_STYLE_VEST, builderv1.Style_STYLE_VEST,
		builderv1.Style_STYLE_OVERHEAD, builderv1.Style_STYLE_OVERHEAD,
		builderv1.Style_STYLE_STEP_IN, builderv1.Style_STYLE_STEP_IN,
		builderv1.Style_STYLE_NO_PULL,
	}
	var ids []string
	for i, s := range styles {
		d := design{
			id: uuid.NewString(), style: s,
			size:     builderv1.Size_SIZE_L,
			material: builderv1.Material(1 + i%3),
			color:    builderv1.Color(1 + i%7), // 1, 2 twice; 3..7 once
		}
		ids = append(ids, d.id)
		e.handle(t, created(t, d, day.Add(time.Duration(i)*time.Hour)))
	}
	// A deleted design still counts; a design created outside the range
	// does not.
	e.handle(t, deleted(t, ids[0], day.AddDate(0, 0, 1)))
	e.handle(t, created(t, design{id: uuid.NewString(), style: builderv1.Style_STYLE_NO_PULL}, day.AddDate(0, 0, 2)))

	req := func(limit int32) *analyticsv1.GetTopChoicesRequest {
		return &analyticsv1.GetTopChoicesRequest{
			Range: &analyticsv1.DateRange{StartDate: "2026-06-30", EndDate: "2026-07-02"}, Limit: limit,
		}
	}
	res, err := e.client.GetTopChoices(t.Context(), req(0))
	if err != nil {
		t.Fatalf("GetTopChoices: %v", err)
	}
	want := &analyticsv1.GetTopChoicesResponse{
		// Ties by enum number: STEP_IN (1) before OVERHEAD (2).
		Styles: []*analyticsv1.StyleCount{
			{Style: builderv1.Style_STYLE_VEST, Count: 3},
			{Style: builderv1.Style_STYLE_STEP_IN, Count: 2},
			{Style: builderv1.Style_STYLE_OVERHEAD, Count: 2},
			{Style: builderv1.Style_STYLE_NO_PULL, Count: 1},
		},
		Sizes: []*analyticsv1.SizeCount{{Size: builderv1.Size_SIZE_L, Count: 8}},
		Materials: []*analyticsv1.MaterialCount{
			{Material: builderv1.Material_MATERIAL_NYLON, Count: 3},
			{Material: builderv1.Material_MATERIAL_PADDED_MESH, Count: 3},
			{Material: builderv1.Material_MATERIAL_LEATHER, Count: 2},
		},
		// Seven colours, the default limit keeps five.
		Colors: []*analyticsv1.ColorCount{
			{Color: builderv1.Color_COLOR_BLACK, Count: 2},
			{Color: builderv1.Color_COLOR_BROWN, Count: 1},
			{Color: builderv1.Color_COLOR_NAVY, Count: 1},
			{Color: builderv1.Color_COLOR_RED, Count: 1},
			{Color: builderv1.Color_COLOR_FOREST, Count: 1},
		},
	}
	if diff := cmp.Diff(want, res, protocmp.Transform()); diff != "" {
		t.Errorf("top choices (-want +got):\n%s", diff)
	}

	res, err = e.client.GetTopChoices(t.Context(), req(2))
	if err != nil {
		t.Fatalf("GetTopChoices(limit 2): %v", err)
	}
	if n := []int{len(res.GetStyles()), len(res.GetMaterials()), len(res.GetColors())}; !cmp.Equal(n, []int{2, 2, 2}) ||
		res.GetStyles()[1].GetStyle() != builderv1.Style_STYLE_STEP_IN {
		t.Errorf("limit 2: %v", res)
	}

	_, err = e.client.GetTopChoices(t.Context(), req(21))
	if got := fields(t, err); !cmp.Equal(got, []string{"limit"}) {
		t.Errorf("limit 21: violations on %v, want [limit]", got)
	}
}

func testConversion(t *testing.T, e *env) {
	day := at(t, "2026-08-10T09:00:00Z")
	var ids []string
	for range 7 {
		d := design{id: uuid.NewString()}
		ids = append(ids, d.id)
		e.handle(t, created(t, d, day))
	}
	e.handle(t, created(t, design{id: uuid.NewString()}, day.AddDate(0, 0, -1))) // outside the range
	// Three designs appear in orders: ids[0] and ids[1], created before
	// their orders, and late, whose design.created arrives (on its own
	// stream) after its order. A design in two orders counts once; an order
	// being cancelled does not undo that its designs were ordered.
	late := design{id: uuid.NewString()}
	first, second := newOrder(6800, ids[0], ids[1]), newOrder(3400, ids[1], late.id)
	e.handle(t,
		orderCreated(t, first, day.Add(time.Hour)), orderCancelled(t, first, day.Add(2*time.Hour)),
		orderCreated(t, second, day.Add(3*time.Hour)), orderPaid(t, second, day.Add(3*time.Hour)),
	)
	e.handle(t, created(t, late, day))
	e.handle(t, deleted(t, ids[0], day)) // deleted after ordering: still counted

	for _, tc := range []struct {
		start, end string
		want       *analyticsv1.GetConversionResponse
	}{
		// 3 × 10000 / 8 = 3750; 3 × 10000 / 9 = 3333.3…, rounded down.
		{"2026-08-10", "2026-08-10", &analyticsv1.GetConversionResponse{DesignsCreated: 8, DesignsOrdered: 3, ConversionBasisPoints: 3750}},
		{"2026-08-09", "2026-08-10", &analyticsv1.GetConversionResponse{DesignsCreated: 9, DesignsOrdered: 3, ConversionBasisPoints: 3333}},
		{"2026-08-11", "2026-09-30", &analyticsv1.GetConversionResponse{}},
	} {
		if diff := cmp.Diff(tc.want, e.conversion(t, tc.start, tc.end), protocmp.Transform()); diff != "" {
			t.Errorf("conversion %s..%s (-want +got):\n%s", tc.start, tc.end, diff)
		}
	}
	// The orders' own figures, on the day of each event.
	want := &analyticsv1.DailyStats{
		Date: "2026-08-10", DesignsCreated: 8, DesignsDeleted: 1,
		OrdersCreated: 2, OrdersPaid: 1, OrdersCancelled: 1, RevenueCents: 3400,
	}
	if diff := cmp.Diff(want, e.day(t, "2026-08-10"), protocmp.Transform()); diff != "" {
		t.Errorf("daily stats (-want +got):\n%s", diff)
	}
}
