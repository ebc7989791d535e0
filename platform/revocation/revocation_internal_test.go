package revocation

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/timestamppb"

	eventsv1 "github.com/harnesshero/platform/gen/harness/events/v1"
	userv1 "github.com/harnesshero/platform/gen/harness/user/v1"
	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/identity"
	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/platform/storage/storagetest"
)

// openDB returns a fresh database of engine with a module's tables: its
// processed-events table and its revocations table.
func openDB(t *testing.T, engine storage.Engine) *bun.DB {
	t.Helper()
	db := storagetest.Open(t, engine, events.Migrations())
	if _, err := db.ExecContext(t.Context(), events.ProcessedTableDDL("test_processed_events", storage.TimestampType(db))); err != nil {
		t.Fatal(err)
	}
	up, _ := Migration("test_revocations")
	if err := up(t.Context(), db); err != nil {
		t.Fatal(err)
	}
	return db
}

func envelope(t *testing.T, at time.Time, payload interface {
	ProtoReflect() protoreflect.Message
}) *eventsv1.Envelope {
	t.Helper()
	p, err := anypb.New(payload)
	if err != nil {
		t.Fatal(err)
	}
	return &eventsv1.Envelope{Id: uuid.NewString(), Type: events.TypeOf(payload), OccurTime: timestamppb.New(at), Payload: p}
}

// TestList: a recorded revocation is found by Check until Retention has
// passed, then purged by the next one; a redelivered event changes
// nothing; a session's revocation spares the user's other sessions.
func TestList(t *testing.T) {
	for _, engine := range storagetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			db := openDB(t, engine)
			var (
				mu  sync.Mutex
				now = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
			)
			clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
			advance := func(d time.Duration) { mu.Lock(); defer mu.Unlock(); now = now.Add(d) }
			l, err := New(Config{DB: db, Table: "test_revocations", Consumer: "test-revocations", ProcessedTable: "test_processed_events", Now: clock})
			if err != nil {
				t.Fatal(err)
			}
			alice := identity.Identity{UserID: uuid.NewString(), SessionID: uuid.NewString()}
			other := identity.Identity{UserID: alice.UserID, SessionID: uuid.NewString()}
			bob := identity.Identity{UserID: uuid.NewString(), SessionID: uuid.NewString()}

			signOut := envelope(t, clock(), &userv1.UserSessionsRevoked{UserId: alice.UserID, SessionIds: []string{alice.SessionID}})
			for range 2 { // redelivered
				if err := l.handle(t.Context(), signOut); err != nil {
					t.Fatal(err)
				}
			}
			if err := l.handle(t.Context(), envelope(t, clock(), &userv1.UserDeleted{UserId: bob.UserID})); err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				id   identity.Identity
				want error
			}{{alice, ErrSessionEnded}, {other, nil}, {bob, ErrAccountDeleted}} {
				if err := l.Check(t.Context(), c.id); !errors.Is(err, c.want) && (err != nil || c.want != nil) {
					t.Errorf("Check(%v) = %v, want %v", c.id, err, c.want)
				}
			}

			advance(Retention + time.Second)
			if err := l.Check(t.Context(), alice); err != nil {
				t.Errorf("Check after Retention = %v, want nil: every token it named has expired", err)
			}
			if err := l.handle(t.Context(), envelope(t, clock(), &userv1.UserSessionsRevoked{UserId: bob.UserID, SessionIds: []string{bob.SessionID}})); err != nil {
				t.Fatal(err)
			}
			var left int
			if err := db.NewRaw("SELECT count(*) FROM test_revocations").Scan(t.Context(), &left); err != nil {
				t.Fatal(err)
			}
			if left != 1 {
				t.Errorf("%d rows left after the purge, want the newest only", left)
			}
		})
	}
}

// TestRecentBounded: the revocations a process remembers stay under
// maxRecent however many it hears; the expired go first.
func TestRecentBounded(t *testing.T) {
	t.Parallel()
	var r recent
	now := time.Now()
	r.add(now, now.Add(-time.Second), []string{"session:old"})
	for i := range maxRecent + 100 {
		r.add(now, now.Add(time.Hour), []string{subjectSession + uuid.NewString() + string(rune('a'+i%26))})
	}
	if n := len(r.until); n > maxRecent {
		t.Errorf("%d remembered, want at most %d", n, maxRecent)
	}
	if _, ok := r.until["session:old"]; ok {
		t.Error("an expired revocation was kept while the set was full")
	}
}
