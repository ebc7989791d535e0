package events

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/harnesshero/platform/platform/storage"
)

// busyPause is the longest a relay waits before looking again when another
// relay holds the database's relay lock.
const busyPause = 10 * time.Millisecond

// Topic is the bus topic (the Redis stream) of an event type: one per
// producing module ("design.created" → "events.design"), so that one
// aggregate's events, whatever their types, stay in one ordered stream.
func Topic(eventType string) string {
	module, _, _ := strings.Cut(eventType, ".")
	return "events." + module
}

// Topics are the topics of every event type the contracts declare (see
// Types), sorted.
func Topics() []string {
	var out []string
	for _, t := range Types() {
		out = append(out, Topic(t))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// DeadLetterTopic receives the events a consumer failed on after every
// retry.
const DeadLetterTopic = "events.dead_letter"

// relayLockID is the Postgres advisory lock that makes one relay at a time
// deliver from a database, keeping record order across replicas.
const relayLockID = 0x68686576 // "hhev"

// Relay moves recorded events from the outbox to the bus, in record order,
// at least once: a row is marked delivered only after the bus accepted it.
//
// A running relay sleeps while the outbox is empty and wakes when an event
// is recorded: at once when Record's transaction commits in this process
// (on a database opened by storage.Open). On Postgres it also LISTENs for
// rows marked undelivered by another process (a re-delivery); a relay that
// finds another one delivering looks again after Idle until it gets its
// turn. Polling, backing off from Idle to MaxIdle, remains as a safety net.
type Relay struct {
	db     *bun.DB
	pub    message.Publisher
	logger *slog.Logger
	wake   chan struct{}
	// published counts the events published (Published).
	published atomic.Int64

	// Batch is the most rows delivered per round.
	Batch int
	// Idle is the first pause after a round that found the outbox empty;
	// each further empty round doubles it, up to MaxIdle.
	Idle time.Duration
	// MaxIdle is the longest pause between rounds while the outbox stays
	// empty and nothing wakes the relay: the bound on the delay of an event
	// whose wake-up was missed (recorded by another process on SQLite, or
	// while the Postgres LISTEN connection was down).
	MaxIdle time.Duration
}

// NewRelay returns a relay from db's outbox to pub.
func NewRelay(db *bun.DB, pub message.Publisher, logger *slog.Logger) *Relay {
	return &Relay{
		db: db, pub: pub, logger: logger, wake: make(chan struct{}, 1),
		Batch: 500, Idle: 10 * time.Millisecond, MaxIdle: 2 * time.Second,
	}
}

// Wake makes a running relay look at the outbox now instead of at the end
// of its pause. It never blocks; wake-ups while one is pending merge.
// Record calls it after its transaction commits; call it after changing
// the outbox by other means (marking rows undelivered for a re-delivery).
func (r *Relay) Wake() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends. Bus failures are logged and retried with
// backoff; nothing is marked delivered that the bus did not accept.
func (r *Relay) Run(ctx context.Context) error {
	defer register(r)()
	if storage.EngineOf(r.db) == storage.Postgres {
		lctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		wg.Go(func() { r.listen(lctx) })
		defer wg.Wait()
		defer cancel()
	}
	idle, backoff := r.Idle, time.Duration(0)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		n, busy, err := r.flush(ctx)
		wait, wakeable := idle, true
		switch {
		case ctx.Err() != nil:
			return nil
		case busy:
			// Another relay is delivering (a replica on the same
			// database). It may have read the outbox before this
			// process's last commit, and nothing else tells it of that
			// event (recording notifies no other process: ADR 0026), so
			// look again soon rather than back off.
			backoff, idle = 0, r.Idle
			wait = min(idle, busyPause)
		case err != nil:
			// Do not let every recorded event retry a failing bus at once.
			backoff = min(max(2*backoff, 100*time.Millisecond), 5*time.Second)
			wait, wakeable = backoff, false
			r.logger.WarnContext(ctx, "event relay: delivery failed; retrying", "error", err, "retry_in", backoff)
		case n == r.Batch:
			backoff, idle = 0, r.Idle
			continue // more waiting
		case n > 0:
			backoff, idle = 0, r.Idle
			wait = idle
		default:
			backoff = 0
			idle = min(2*idle, max(r.MaxIdle, r.Idle))
		}
		timer.Reset(wait)
		wakeup := r.wake
		if !wakeable {
			wakeup = nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-wakeup:
			timer.Stop()
		case <-timer.C:
		}
	}
}

// relays are the running relays of each database (by its *sql.DB, which
// bun's clones of a database share), for Record to wake.
var relays = struct {
	sync.Mutex
	of map[*sql.DB]map[*Relay]struct{}
}{of: map[*sql.DB]map[*Relay]struct{}{}}

// register adds r to the relays of its database until the returned
// function is called.
func register(r *Relay) func() {
	relays.Lock()
	defer relays.Unlock()
	if relays.of[r.db.DB] == nil {
		relays.of[r.db.DB] = map[*Relay]struct{}{}
	}
	relays.of[r.db.DB][r] = struct{}{}
	return func() {
		relays.Lock()
		defer relays.Unlock()
		delete(relays.of[r.db.DB], r)
		if len(relays.of[r.db.DB]) == 0 {
			delete(relays.of, r.db.DB)
		}
	}
}

// wakeRelays wakes the relays running on db.
func wakeRelays(db *sql.DB) {
	relays.Lock()
	defer relays.Unlock()
	for r := range relays.of[db] {
		r.Wake()
	}
}

// pgRound starts a relay's round on Postgres, in one round trip: it takes
// the relay lock, and sets for the transaction
//   - a plan reading the pending rows in order from their partial index,
//     whatever the statistics say: with too few rows estimated pending (a
//     backlog built up since the last ANALYZE) Postgres would otherwise
//     read every pending row and sort them, on each round;
//   - no waiting for the commit to reach the disk: a delivery mark lost to
//     a crash only makes its events go out again, which at-least-once
//     delivery allows.
const pgRound = `SELECT pg_try_advisory_xact_lock(?),
	set_config('enable_seqscan', 'off', true), set_config('enable_bitmapscan', 'off', true),
	set_config('enable_sort', 'off', true), set_config('synchronous_commit', 'off', true)`

// Flush delivers one batch of pending events and returns how many it
// delivered: none while another relay is delivering from the database.
func (r *Relay) Flush(ctx context.Context) (int, error) {
	n, _, err := r.flush(ctx)
	return n, err
}

// flush is Flush, and reports whether another relay held the lock.
func (r *Relay) flush(ctx context.Context) (delivered int, busy bool, err error) {
	if storage.EngineOf(r.db) != storage.Postgres {
		// SQLite: one process owns the file; no lock needed, and none held
		// while publishing, so writers are not blocked.
		delivered, err = r.deliver(ctx, r.db)
		return delivered, false, err
	}
	err = r.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var locked bool
		var set [4]string
		if err := tx.QueryRowContext(ctx, pgRound, relayLockID).Scan(&locked, &set[0], &set[1], &set[2], &set[3]); err != nil {
			return fmt.Errorf("events: relay lock: %w", err)
		}
		if !locked {
			busy = true // another relay is delivering
			return nil
		}
		var err error
		delivered, err = r.deliver(ctx, tx)
		return err
	})
	return delivered, busy, err
}

func (r *Relay) deliver(ctx context.Context, db bun.IDB) (int, error) {
	var rows []outboxRow
	if err := pending(db, &rows, r.Batch).Scan(ctx); err != nil {
		return 0, fmt.Errorf("events: read outbox: %w", err)
	}
	delivered := 0
	var publishErr error
	// Publish runs of consecutive rows of one topic together, in order;
	// stop at the first failure so no event overtakes an earlier one.
	for start := 0; start < len(rows) && publishErr == nil; {
		end := start + 1
		topic := Topic(rows[start].Type)
		for end < len(rows) && Topic(rows[end].Type) == topic {
			end++
		}
		msgs := make([]*message.Message, 0, end-start)
		for _, row := range rows[start:end] {
			msg := message.NewMessage(row.ID, []byte(row.Envelope))
			msg.Metadata.Set("type", row.Type)
			msg.Metadata.Set("aggregate_id", row.AggregateID)
			msgs = append(msgs, msg)
		}
		if publishErr = r.pub.Publish(topic, msgs...); publishErr == nil {
			delivered = end
		}
		start = end
	}
	if delivered > 0 {
		seqs := make([]int64, delivered)
		for i := range delivered {
			seqs[i] = rows[i].Seq
		}
		if err := markDelivered(ctx, db, seqs); err != nil {
			return 0, err
		}
		r.published.Add(int64(delivered))
	}
	if publishErr != nil {
		return delivered, fmt.Errorf("events: publish: %w", publishErr)
	}
	return delivered, nil
}

// pending is the relay's read: the first batch rows not delivered, in
// record order, with the columns it publishes.
func pending(db bun.IDB, rows *[]outboxRow, batch int) *bun.SelectQuery {
	return db.NewSelect().Model(rows).Column("seq", "id", "type", "aggregate_id", "envelope").
		Where("delivered_at IS NULL").OrderExpr("seq ASC").Limit(int64(batch))
}

// markDelivered marks the rows seqs delivered (on Postgres passed as one
// array).
func markDelivered(ctx context.Context, db bun.IDB, seqs []int64) error {
	q := db.NewUpdate().Model((*outboxRow)(nil)).
		Set("delivered_at = ?", time.Now().UTC()).
		Set("attempts = attempts + 1")
	if storage.EngineOf(db) == storage.Postgres {
		q = q.Where("seq = ANY(?)", pgdialect.Array(seqs))
	} else {
		q = q.Where("seq IN (?)", bun.List(seqs))
	}
	if _, err := q.Exec(ctx); err != nil {
		return fmt.Errorf("events: mark delivered: %w", err)
	}
	return nil
}
