package events_test

import (
	"context"
	"strings"
	"testing"

	"github.com/uptrace/bun"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	eventsv1 "github.com/harnesshero/platform/gen/harness/events/v1"
	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/storage"
)

// TestTyped: a typed handler decodes the payload into its type, runs once
// per event id, and refuses another payload version or type before doing
// anything.
func TestTyped(t *testing.T) {
	db := openDB(t, storage.SQLite)
	var got []string
	h := events.Typed(db, "test_processed", "typed", func(_ context.Context, _ bun.Tx, env *eventsv1.Envelope, p *wrapperspb.StringValue) error {
		got = append(got, env.GetId()+":"+p.GetValue())
		return nil
	})
	payload := func(t *testing.T, v string) *anypb.Any {
		a, err := anypb.New(wrapperspb.String(v))
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	env := &eventsv1.Envelope{Id: "e1", Type: "test.typed", Version: events.PayloadVersion, Payload: payload(t, "hello")}
	for range 2 { // a redelivery changes nothing
		if err := h(t.Context(), env); err != nil {
			t.Fatal(err)
		}
	}
	if strings.Join(got, ",") != "e1:hello" {
		t.Errorf("applied %v, want e1:hello once", got)
	}
	other, _ := anypb.New(wrapperspb.Int64(7))
	for name, bad := range map[string]*eventsv1.Envelope{
		"a later version": {Id: "e2", Type: "test.typed", Version: 2, Payload: payload(t, "x")},
		"no payload":      {Id: "e3", Type: "test.typed", Version: 1},
		"another type":    {Id: "e4", Type: "test.typed", Version: 1, Payload: other},
	} {
		if err := h(t.Context(), bad); err == nil || !strings.Contains(err.Error(), bad.GetId()) {
			t.Errorf("%s: %v, want an error naming the event", name, err)
		}
	}
	if len(got) != 1 {
		t.Errorf("refused events were applied: %v", got)
	}
}
