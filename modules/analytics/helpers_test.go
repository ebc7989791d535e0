package analytics_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	validatepb "buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"
	"buf.build/go/protovalidate"
	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connectinprocess"
	"connectrpc.com/connect/v2/connectproto"
	"connectrpc.com/validate"
	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/harnesshero/platform/events"
	analyticsv1 "github.com/harnesshero/platform/gen/harness/analytics/v1"
	"github.com/harnesshero/platform/gen/harness/analytics/v1/analyticsv1connect"
	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	eventsv1 "github.com/harnesshero/platform/gen/harness/events/v1"
	userv1 "github.com/harnesshero/platform/gen/harness/user/v1"
	"github.com/harnesshero/platform/modules/analytics"
	"github.com/harnesshero/platform/storage"
	"github.com/harnesshero/platform/storage/storagetest"
	"github.com/harnesshero/platform/validation"
)

// env is the analytics module registered on a server with the validate
// interceptor, on a fresh database with the analytics and outbox tables.
type env struct {
	db     *bun.DB
	mod    *analytics.Module
	client analyticsv1connect.AnalyticsServiceClient
}

// options tune newEnv.
type options struct {
	outbox     *bun.DB // Deps.OutboxDB
	noValidate bool    // leave the validate interceptor out
}

func newEnv(t *testing.T, engine storage.Engine, opts options) *env {
	t.Helper()
	db := storagetest.Open(t, engine, analytics.Migrations(), events.Migrations())
	var interceptors []connect.ServerInterceptor
	if !opts.noValidate {
		v, err := validation.New()
		if err != nil {
			t.Fatal(err)
		}
		interceptors = append(interceptors, validate.NewServerInterceptor(validate.WithValidator(v)))
	}
	srv := connect.NewServer(interceptors...)
	mod, err := analytics.Register(srv, analytics.Deps{DB: db, OutboxDB: opts.outbox, BusName: "in-process"})
	if err != nil {
		t.Fatal(err)
	}
	if err := mod.Ready(t.Context()); err != nil {
		t.Fatalf("Ready: %v", err)
	}
	client := analyticsv1connect.NewAnalyticsServiceClient(connect.NewClient(connectinprocess.New(srv)))
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
	return envelope(t, events.DesignCreated, &builderv1.DesignCreated{Design: d.facts()}, occurred)
}

func updated(t testing.TB, d design, occurred time.Time) *eventsv1.Envelope {
	return envelope(t, events.DesignUpdated, &builderv1.DesignUpdated{Design: d.facts()}, occurred)
}

func deleted(t testing.TB, id string, occurred time.Time) *eventsv1.Envelope {
	return envelope(t, events.DesignDeleted, &builderv1.DesignDeleted{DesignId: id, OwnerId: "owner-1"}, occurred)
}

func registered(t testing.TB, occurred time.Time) *eventsv1.Envelope {
	return envelope(t, events.UserRegistered, &userv1.UserRegistered{UserId: uuid.NewString()}, occurred)
}

// fields returns the sorted field paths of err's buf.validate.Violations
// detail, failing the test unless err is InvalidArgument with one.
func fields(t *testing.T, err error) []string {
	t.Helper()
	if got := connect.CodeOf(err); got != connect.CodeInvalidArgument {
		t.Fatalf("code = %v (%v), want invalid_argument", got, err)
	}
	cerr, ok := errors.AsType[*connect.Error](err)
	if !ok {
		t.Fatalf("error %v is not a *connect.Error", err)
	}
	var out []string
	for _, d := range cerr.Details() {
		msg, err := connectproto.UnmarshalErrorDetail(d)
		if err != nil {
			continue
		}
		if vs, ok := msg.(*validatepb.Violations); ok {
			for _, v := range vs.GetViolations() {
				out = append(out, protovalidate.FieldPathString(v.GetField()))
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("InvalidArgument without violations detail: %v", err)
	}
	slices.Sort(out)
	return out
}
