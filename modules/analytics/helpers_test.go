package analytics_test

import (
	"context"
	"crypto/ed25519"
	"slices"
	"testing"
	"time"

	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connectinprocess"
	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/timestamppb"

	analyticsv1 "github.com/harnesshero/platform/gen/harness/analytics/v1"
	"github.com/harnesshero/platform/gen/harness/analytics/v1/analyticsv1connect"
	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	eventsv1 "github.com/harnesshero/platform/gen/harness/events/v1"
	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	userv1 "github.com/harnesshero/platform/gen/harness/user/v1"
	"github.com/harnesshero/platform/modules/analytics"
	"github.com/harnesshero/platform/platform/auth"
	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/identity"
	"github.com/harnesshero/platform/platform/rpc"
	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/platform/storage/storagetest"
	"github.com/harnesshero/platform/platform/validation"
)

// env is the analytics module registered on a server with the production
// interceptor chain, on a fresh database with the analytics and outbox tables.
type env struct {
	db     *bun.DB
	mod    *analytics.Module
	client analyticsv1connect.AnalyticsServiceClient
}

// options tune newEnv.
type options struct {
	outbox     *bun.DB // Deps.OutboxDB
	noValidate bool    // leave the validate interceptor out
	// groups is Deps.Groups.
	groups func(ctx context.Context) ([]events.GroupStats, error)
}

func newEnv(t *testing.T, engine storage.Engine, opts options) *env {
	t.Helper()
	return envOn(t, storagetest.Open(t, engine, analytics.Migrations(), events.Migrations()), opts)
}

// envOn registers the module on db, which must be migrated: on a server
// with the production interceptor chain, called by an admin — or, with
// opts.noValidate, on a bare server, so that the module's own checks meet
// requests the contract's rules would refuse.
func envOn(t *testing.T, db *bun.DB, opts options) *env {
	t.Helper()
	var (
		srv     *connect.Server
		callers []connect.ClientInterceptor
	)
	if opts.noValidate {
		srv = connect.NewServer()
	} else {
		pub, priv, err := ed25519.GenerateKey(nil)
		if err != nil {
			t.Fatal(err)
		}
		chain, err := rpc.Chain(rpc.Options{PublicKey: pub})
		if err != nil {
			t.Fatal(err)
		}
		srv = connect.NewServer(chain...)
		admin, _, err := auth.NewIssuer(priv, nil).Issue(identity.Identity{UserID: uuid.NewString(), Role: identity.RoleAdmin, SessionID: uuid.NewString()})
		if err != nil {
			t.Fatal(err)
		}
		callers = append(callers, auth.BearerToken(admin))
	}
	mod, err := analytics.Register(srv, analytics.Deps{DB: db, OutboxDB: opts.outbox, BusName: "in-process", Groups: opts.groups})
	if err != nil {
		t.Fatal(err)
	}
	if err := mod.Ready(t.Context()); err != nil {
		t.Fatalf("Ready: %v", err)
	}
	client := analyticsv1connect.NewAnalyticsServiceClient(connect.NewClient(connectinprocess.New(srv), callers...))
	return &env{db: db, mod: mod, client: client}
}

// handle feeds env to the module and fails the test on error.
func (e *env) handle(t *testing.T, envs ...*eventsv1.Envelope) {
	t.Helper()
	for _, ev := range envs {
		if err := e.mod.Handle(t.Context(), ev); err != nil {
			t.Fatalf("Handle(%s %s): %v", ev.GetType(), ev.GetId(), err)
		}
	}
}

// days returns the daily stats from start to end, failing the test on
// error.
func (e *env) days(t *testing.T, start, end string) []*analyticsv1.DailyStats {
	t.Helper()
	res, err := e.client.GetDailyStats(t.Context(), &analyticsv1.GetDailyStatsRequest{
		Range: &analyticsv1.DateRange{StartDate: start, EndDate: end},
	})
	if err != nil {
		t.Fatalf("GetDailyStats(%s, %s): %v", start, end, err)
	}
	return res.GetDays()
}

// day returns the stats of one day.
func (e *env) day(t *testing.T, day string) *analyticsv1.DailyStats {
	t.Helper()
	return e.days(t, day, day)[0]
}

// at parses an RFC 3339 time.
func at(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// envelope wraps payload as events.Record would, with a new UUIDv7 id.
func envelope(t testing.TB, eventType string, payload proto.Message, occurred time.Time) *eventsv1.Envelope {
	t.Helper()
	id, err := uuid.NewV7()
	if err != nil {
		t.Fatal(err)
	}
	packed, err := anypb.New(payload)
	if err != nil {
		t.Fatal(err)
	}
	return &eventsv1.Envelope{
		Id: id.String(), Type: eventType, Version: 1,
		OccurTime: timestamppb.New(occurred), Payload: packed,
	}
}

// design is the facts of a design; zero choices are filled in.
type design struct {
	id       string
	style    builderv1.Style
	size     builderv1.Size
	material builderv1.Material
	color    builderv1.Color
	version  int64
}

func (d design) facts() *builderv1.DesignFacts {
	f := &builderv1.DesignFacts{
		DesignId: d.id, OwnerId: "owner-1",
		Style: d.style, Size: d.size, Material: d.material,
		Hardware: builderv1.Hardware_HARDWARE_PLASTIC, WebbingColor: d.color,
		UnitPriceCents: 3400, Version: max(d.version, 1),
	}
	if f.Style == 0 {
		f.Style = builderv1.Style_STYLE_STEP_IN
	}
	if f.Size == 0 {
		f.Size = builderv1.Size_SIZE_M
	}
	if f.Material == 0 {
		f.Material = builderv1.Material_MATERIAL_NYLON
	}
	if f.WebbingColor == 0 {
		f.WebbingColor = builderv1.Color_COLOR_BLACK
	}
	return f
}

func created(t testing.TB, d design, occurred time.Time) *eventsv1.Envelope {
	return envelope(t, "design.created", &builderv1.DesignCreated{Design: d.facts()}, occurred)
}

func updated(t testing.TB, d design, occurred time.Time) *eventsv1.Envelope {
	return envelope(t, "design.updated", &builderv1.DesignUpdated{Design: d.facts()}, occurred)
}

func deleted(t testing.TB, id string, occurred time.Time) *eventsv1.Envelope {
	return envelope(t, "design.deleted", &builderv1.DesignDeleted{DesignId: id, OwnerId: "owner-1"}, occurred)
}

func registered(t testing.TB, occurred time.Time) *eventsv1.Envelope {
	return envelope(t, "user.registered", &userv1.UserRegistered{UserId: uuid.NewString()}, occurred)
}

// order is the facts of an order: its id, the designs of its lines and
// its total.
type order struct {
	id      string
	designs []string
	total   int32
}

// newOrder returns an order of the designs ids, for total cents.
func newOrder(total int32, ids ...string) order {
	return order{id: uuid.NewString(), designs: ids, total: total}
}

func (o order) facts() *orderv1.OrderFacts {
	f := &orderv1.OrderFacts{
		OrderId: o.id, OwnerId: "owner-1", Status: orderv1.OrderStatus_ORDER_STATUS_PENDING_PAYMENT,
		SubtotalCents: o.total, TotalCents: o.total, Version: 1,
	}
	for _, id := range o.designs {
		f.Lines = append(f.Lines, &orderv1.OrderLineFacts{
			DesignId: id, Quantity: 1, TotalCents: o.total / int32(len(o.designs)),
			Style: builderv1.Style_STYLE_STEP_IN, Size: builderv1.Size_SIZE_M, Material: builderv1.Material_MATERIAL_NYLON,
		})
	}
	return f
}

func orderCreated(t testing.TB, o order, occurred time.Time) *eventsv1.Envelope {
	return envelope(t, "order.created", &orderv1.OrderCreated{Order: o.facts()}, occurred)
}

func orderPaid(t testing.TB, o order, occurred time.Time) *eventsv1.Envelope {
	f := o.facts()
	f.Status, f.Version = orderv1.OrderStatus_ORDER_STATUS_PAID, 2
	return envelope(t, "order.paid", &orderv1.OrderPaid{Order: f}, occurred)
}

func orderCancelled(t testing.TB, o order, occurred time.Time) *eventsv1.Envelope {
	f := o.facts()
	f.Status, f.Version = orderv1.OrderStatus_ORDER_STATUS_CANCELLED, 2
	return envelope(t, "order.cancelled", &orderv1.OrderCancelled{Order: f}, occurred)
}

func orderRefunded(t testing.TB, o order, amount int32, occurred time.Time) *eventsv1.Envelope {
	f := o.facts()
	f.Status, f.Version = orderv1.OrderStatus_ORDER_STATUS_REFUNDED, 3
	return envelope(t, "order.refunded", &orderv1.OrderRefunded{Order: f, AmountCents: amount}, occurred)
}

// orderQuiet returns the order events that change no figure: payment
// failed, shipped and delivered.
func orderQuiet(t testing.TB, o order, occurred time.Time) []*eventsv1.Envelope {
	return []*eventsv1.Envelope{
		envelope(t, "order.payment_failed", &orderv1.OrderPaymentFailed{Order: o.facts(), Reason: "card declined"}, occurred),
		envelope(t, "order.shipped", &orderv1.OrderShipped{Order: o.facts()}, occurred),
		envelope(t, "order.delivered", &orderv1.OrderDelivered{Order: o.facts()}, occurred),
	}
}

// conversion returns GetConversion of start to end, failing the test on
// error.
func (e *env) conversion(t *testing.T, start, end string) *analyticsv1.GetConversionResponse {
	t.Helper()
	res, err := e.client.GetConversion(t.Context(), &analyticsv1.GetConversionRequest{
		Range: &analyticsv1.DateRange{StartDate: start, EndDate: end},
	})
	if err != nil {
		t.Fatalf("GetConversion(%s, %s): %v", start, end, err)
	}
	return res
}

// processed returns how many events the module recorded as processed.
func (e *env) processed(t *testing.T) int {
	t.Helper()
	n, err := e.db.NewSelect().TableExpr("analytics_processed_events").Count(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// fields returns the sorted field paths of err's buf.validate.Violations
// detail, failing the test unless err is InvalidArgument with one.
func fields(t *testing.T, err error) []string {
	t.Helper()
	vs := validation.ViolationsOf(err)
	if len(vs) == 0 {
		t.Fatalf("error %v, want invalid_argument with a violations detail", err)
	}
	var out []string
	for _, v := range vs {
		out = append(out, v.Path)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
