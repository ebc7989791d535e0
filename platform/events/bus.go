package events

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"github.com/redis/go-redis/v9"
	"github.com/uptrace/bun"
)

// Bus is where the relay publishes and consumers subscribe.
type Bus struct {
	// Name is "in-process" or "redis-streams".
	Name string
	// Publisher is what the relay publishes to.
	Publisher message.Publisher
	// deadLetters receives what consumers gave up on.
	deadLetters message.Publisher
	// inProcess runs the in-process bus's consumers; nil on Redis.
	inProcess *inProcessBus
	// redis reads the Redis Streams bus's consumer groups; nil in process.
	redis  *redisBus
	groups func(ctx context.Context) ([]GroupStats, error)
	close  func() error
}

// GroupStats is one consumer group of one stream of the Redis bus.
type GroupStats struct {
	Stream, Group string
	Consumers     int64
	Pending, Lag  int64 // Lag is -1 when Redis cannot tell
}

// Groups reports the consumer groups of the platform's streams: nil on the
// in-process bus, which has no backlog of its own.
func (b *Bus) Groups(ctx context.Context) ([]GroupStats, error) {
	if b.groups == nil {
		return nil, nil
	}
	return b.groups(ctx)
}

// Close releases the bus.
func (b *Bus) Close() error { return b.close() }

// NewInProcessBus returns the embedded default: Publish hands each run of
// events to the subscribed consumers, as a batch, and returns only once
// every consumer applied it, so the relay marks an event delivered only
// after the consumers applied it. Consumers must be running (Router.Run)
// before the relay publishes: a topic without a subscriber drops its
// events. Dead letters go to the events_dead_letters table of db. The
// router's logger reports failures; logger is unused, kept for the
// callers' uniform wiring.
func NewInProcessBus(db *bun.DB, logger *slog.Logger) *Bus {
	bus := &inProcessBus{deadLetters: deadLetterTable{db: db}}
	return &Bus{
		Name:        "in-process",
		Publisher:   bus,
		deadLetters: bus.deadLetters,
		inProcess:   bus,
		close:       bus.Close,
	}
}

// RedisOptions tune the Redis Streams bus; the zero value is the default.
type RedisOptions struct {
	// MaxIdle is how long a message may stay pending with a consumer before
	// another consumer of the group claims it (default 30s).
	MaxIdle time.Duration
	// ClaimInterval is how often pending messages are checked (default 5s).
	ClaimInterval time.Duration
	// ConsumerName names this process within each consumer group. The
	// default is the host name: stable across restarts, so a restarted
	// process takes over its own pending messages instead of adding a
	// consumer to every group. Give each of several processes on one host
	// a name of its own.
	ConsumerName string
	// ForgetIdle is how long another consumer of a group may stay idle
	// with no pending message before it is removed from the group (a
	// process that is gone: default 1m; XINFO CONSUMERS' idle is reset by
	// every read, so a live consumer is idle for about a second at most).
	// A consumer holding pending messages is never removed; they are
	// claimed after MaxIdle instead.
	ForgetIdle time.Duration
	// Batch is the most messages read, applied and acknowledged together
	// (default 500).
	Batch int
	// Prefix is put before every stream name, to keep several platforms
	// (or tests) apart on one Redis.
	Prefix string
}

// NewRedisBus returns a Redis Streams bus on client: a stream per topic, a
// consumer group per consuming module reading from the stream's start, so
// a new consumer sees every event still in the stream. It does not connect:
// the relay and the consumers connect, and reconnect, when they run. The
// client stays the caller's to close (Close does not); the router's logger
// reports failures, and logger is unused, kept for uniform wiring.
func NewRedisBus(client redis.UniversalClient, logger *slog.Logger, opts RedisOptions) (*Bus, error) {
	if opts.MaxIdle == 0 {
		opts.MaxIdle = 30 * time.Second
	}
	if opts.ClaimInterval == 0 {
		opts.ClaimInterval = 5 * time.Second
	}
	if opts.ForgetIdle == 0 {
		opts.ForgetIdle = time.Minute
	}
	if opts.Batch == 0 {
		opts.Batch = 500
	}
	if opts.ConsumerName == "" {
		host, err := os.Hostname()
		if err != nil || host == "" {
			host = "platform"
		}
		opts.ConsumerName = host
	}
	pub := redisPublisher{client: client, prefix: opts.Prefix}
	return &Bus{
		Name:        "redis-streams",
		Publisher:   pub,
		deadLetters: pub,
		redis:       &redisBus{client: client, opts: opts},
		groups: func(ctx context.Context) ([]GroupStats, error) {
			var out []GroupStats
			for _, topic := range Topics() {
				stream := opts.Prefix + topic
				groups, err := client.XInfoGroups(ctx, stream).Result()
				if err != nil {
					if redis.HasErrorPrefix(err, "no such key") {
						continue // nothing published there yet
					}
					return nil, fmt.Errorf("events: stream %s: %w", stream, err)
				}
				for _, g := range groups {
					out = append(out, GroupStats{Stream: stream, Group: g.Name, Consumers: g.Consumers, Pending: g.Pending, Lag: g.Lag})
				}
			}
			return out, nil
		},
		close: func() error { return nil }, // the client is the caller's
	}, nil
}

// deadLetterTable is the in-process bus's dead-letter queue: a table, so
// nothing a consumer gave up on is lost with the process.
type deadLetterTable struct{ db *bun.DB }

type deadLetterRow struct {
	bun.BaseModel `bun:"table:events_dead_letters"`

	ID        string    `bun:"id,pk"`
	Consumer  string    `bun:"consumer,notnull"`
	Type      string    `bun:"type,notnull"`
	Envelope  string    `bun:"envelope,notnull"`
	Reason    string    `bun:"reason,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
}

func (d deadLetterTable) Publish(_ string, msgs ...*message.Message) error {
	for _, m := range msgs {
		row := &deadLetterRow{
			ID:        m.UUID + "/" + m.Metadata.Get(consumerKey),
			Consumer:  m.Metadata.Get(consumerKey),
			Type:      m.Metadata.Get("type"),
			Envelope:  string(m.Payload),
			Reason:    m.Metadata.Get(middleware.ReasonForPoisonedKey),
			CreatedAt: time.Now().UTC(),
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err := d.db.NewInsert().Model(row).On("CONFLICT DO NOTHING").Exec(ctx)
		cancel()
		if err != nil {
			return fmt.Errorf("events: dead letter: %w", err)
		}
	}
	return nil
}

func (deadLetterTable) Close() error { return nil }
