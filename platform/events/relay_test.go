package events_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/harnesshero/platform/internal/testwait"
	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/platform/storage/storagetest"
)

// sleepy makes a relay that polls only once a minute: an event it delivers
// within seconds was delivered because something woke the relay.
func sleepy(r *events.Relay) { r.Idle, r.MaxIdle = time.Minute, time.Minute }

// promptly is how soon a woken relay must have delivered an event: far
// less than sleepy's minute, with room for a loaded machine.
const promptly = 10 * time.Second

// TestRelayWakesOnCommit: an event recorded in this process is delivered
// as soon as its transaction commits, not at the relay's next poll.
func TestRelayWakesOnCommit(t *testing.T) {
	for _, engine := range storagetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			db := openDB(t, engine)
			c := &counter{db: db, consumer: "c"}
			runPipelineWith(t, db, events.NewInProcessBus(db, quiet), pipeline{relay: sleepy}, c)
			for i := range 3 {
				record(t, db, 1)
				waitApplied(t, c, i+1, promptly)
			}
		})
	}
}

// TestRelayWakesOnRedelivery: on Postgres, events marked undelivered
// through another connection pool (as by another process re-delivering
// them) wake the relay through LISTEN/NOTIFY.
func TestRelayWakesOnRedelivery(t *testing.T) {
	db, other := twoPools(t)
	c := &counter{db: db, consumer: "c"}
	runPipelineWith(t, db, events.NewInProcessBus(db, quiet), pipeline{relay: sleepy}, c)
	listener(t, db, 0)
	record(t, db, 1)
	waitApplied(t, c, 1, promptly)
	for i := range 2 {
		redeliver(t, other)
		waitCalls(t, c, int64(i+2), promptly)
	}
}

// TestRelayWaitsItsTurn: an event recorded while another relay holds the
// database's relay lock (a replica delivering) is delivered promptly once
// the lock is free, though recording notifies no other process (ADR 0026)
// and this relay polls only once a minute.
func TestRelayWaitsItsTurn(t *testing.T) {
	db, other := twoPools(t)
	c := &counter{db: db, consumer: "c"}
	tx, err := other.BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(t.Context(), "SELECT pg_advisory_xact_lock(?)", events.RelayLockID); err != nil {
		t.Fatal(err)
	}
	runPipelineWith(t, db, events.NewInProcessBus(db, quiet), pipeline{relay: sleepy}, c)
	record(t, db, 1)
	// The woken relay found the lock taken; a replica holding it may have
	// read the outbox before this commit.
	time.Sleep(100 * time.Millisecond) // let the relay try while the lock is held; not waiting for an effect
	if total, _ := c.applied(t); total != 0 {
		t.Fatalf("applied %d events while another relay held the lock", total)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	waitApplied(t, c, 1, promptly)
}

// TestRelaySurvivesListenDrop: when the relay's LISTEN connection is
// killed, the relay connects again, delivers what was marked undelivered
// meanwhile, and is woken by notifications again.
func TestRelaySurvivesListenDrop(t *testing.T) {
	db, other := twoPools(t)
	c := &counter{db: db, consumer: "c"}
	runPipelineWith(t, db, events.NewInProcessBus(db, quiet), pipeline{relay: sleepy}, c)
	pid := listener(t, db, 0)
	record(t, db, 1)
	waitApplied(t, c, 1, promptly)
	var ok bool
	if err := db.NewRaw("SELECT pg_terminate_backend(?)", pid).Scan(t.Context(), &ok); err != nil || !ok {
		t.Fatalf("pg_terminate_backend(%d) = %v, %v", pid, ok, err)
	}
	redeliver(t, other)
	waitCalls(t, c, 2, promptly)
	if again := listener(t, db, pid); again == pid {
		t.Fatalf("listener pid %d survived pg_terminate_backend", pid)
	}
	for i := range 2 {
		redeliver(t, other)
		waitCalls(t, c, int64(i+3), promptly)
	}
}

// redeliver marks every delivered event of db's outbox undelivered, as a
// process re-delivering them does. It first waits for the relay to have
// marked its last delivery: the handler runs before the mark, and a reset
// between the two finds nothing to reset (the relay's mark then lands after
// it, and no delivery follows).
func redeliver(t *testing.T, db *bun.DB) {
	t.Helper()
	testwait.Until(t, promptly, func() error {
		n, err := db.NewSelect().Table("events_outbox").Where("delivered_at IS NULL").Count(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			return fmt.Errorf("%d events not yet marked delivered", n)
		}
		return nil
	})
	if _, err := events.ResetDelivered(t.Context(), db, time.Time{}); err != nil {
		t.Fatal(err)
	}
}

// waitCalls waits until c's handler ran at least want times, duplicates
// (re-deliveries) included.
func waitCalls(t *testing.T, c *counter, want int64, within time.Duration) {
	t.Helper()
	testwait.Until(t, within, func() error {
		if got := c.calls.Load(); got < want {
			return fmt.Errorf("%s handled %d deliveries, want %d", c.consumer, got, want)
		}
		return nil
	})
}

// twoPools opens one Postgres test database twice: the relay's pool, and
// another that wakes nothing in this process.
func twoPools(t *testing.T) (db, other *bun.DB) {
	t.Helper()
	if !hasPostgres(t) {
		t.Skip("Postgres only")
	}
	dsn := storagetest.DSN(t, storage.Postgres)
	db = openDSN(t, dsn)
	other, err := storage.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = other.Close() })
	return db, other
}

func hasPostgres(t *testing.T) bool {
	for _, e := range storagetest.Engines(t) {
		if e == storage.Postgres {
			return true
		}
	}
	return false
}

// listener waits for the relay's LISTEN connection to db's database, other
// than the backend not, and returns its backend pid.
func listener(t *testing.T, db *bun.DB, not int) int {
	t.Helper()
	var pid int
	testwait.Until(t, promptly, func() error {
		var pids []int
		if err := db.NewRaw(`SELECT pid FROM pg_stat_activity
			WHERE datname = current_database() AND application_name = 'harness events relay' AND pid <> ?
			AND query LIKE 'LISTEN%'`, not).Scan(t.Context(), &pids); err != nil {
			t.Fatal(err)
		}
		if len(pids) != 1 {
			return fmt.Errorf("relay LISTEN connections: %v, want one", pids)
		}
		pid = pids[0]
		return nil
	})
	return pid
}
