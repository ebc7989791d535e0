package events_test

import (
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/storage"
)

// TestPendingStats: the outbox's pending count and oldest record time,
// which the metrics read at each scrape, before and after delivery.
func TestPendingStats(t *testing.T) {
	db := openDB(t, storage.SQLite)
	empty, err := events.PendingStats(t.Context(), db)
	if err != nil || empty.Pending != 0 || !empty.OldestPending.IsZero() {
		t.Fatalf("empty outbox: %+v, %v", empty, err)
	}
	before := time.Now().Add(-time.Second)
	record(t, db, 3)
	s, err := events.PendingStats(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	if s.Pending != 3 || s.OldestPending.Before(before) || s.OldestPending.After(time.Now()) {
		t.Errorf("3 recorded: %+v, want 3 pending recorded since %v", s, before)
	}
	relay := events.NewRelay(db, discard{}, quiet)
	if _, err := relay.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	if s, err := events.PendingStats(t.Context(), db); err != nil || s.Pending != 0 || !s.OldestPending.IsZero() {
		t.Errorf("after the flush: %+v, %v; want none pending", s, err)
	}
	if relay.Published() != 3 {
		t.Errorf("Published = %d, want 3", relay.Published())
	}
}

// discard is a publisher that accepts everything.
type discard struct{}

func (discard) Publish(string, ...*message.Message) error { return nil }
func (discard) Close() error                              { return nil }
