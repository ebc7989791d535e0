package events

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill-redisstream/pkg/redisstream"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
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
	// subscriber returns the subscriber of one consuming module.
	subscriber func(consumer string) (message.Subscriber, error)
	groups     func(ctx context.Context) ([]GroupStats, error)
	close      func() error
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

// NewInProcessBus returns the embedded default: Watermill's gochannel, in
// which Publish returns only once every subscriber has acknowledged, so the
// relay marks an event delivered only after the consumers applied it. Dead
// letters go to the events_dead_letters table of db.
func NewInProcessBus(db *bun.DB, logger *slog.Logger) *Bus {
	pubsub := gochannel.NewGoChannel(gochannel.Config{BlockPublishUntilSubscriberAck: true}, watermill.NewSlogLogger(logger))
	return &Bus{
		Name:        "in-process",
		Publisher:   pubsub,
		deadLetters: deadLetterTable{db: db},
		subscriber:  func(string) (message.Subscriber, error) { return pubsub, nil },
		close:       pubsub.Close,
	}
}

// RedisOptions tune the Redis Streams bus; the zero value is the default.
type RedisOptions struct {
	// MaxIdle is how long a message may stay pending with a consumer before
	// another consumer of the group claims it (default 30s).
	MaxIdle time.Duration
	// ClaimInterval is how often pending messages are checked (default 5s).
	ClaimInterval time.Duration
	// ConsumerName names this process within each consumer group (default
	// hostname-pid).
	ConsumerName string
	// Prefix is put before every stream name, to keep several platforms
	// (or tests) apart on one Redis.
	Prefix string
}

// NewRedisBus returns a Redis Streams bus on client: a stream per topic, a
// consumer group per consuming module reading from the stream's start, so
// a new consumer sees every event still in the stream.
func NewRedisBus(client redis.UniversalClient, logger *slog.Logger, opts RedisOptions) (*Bus, error) {
	wlog := watermill.NewSlogLogger(logger)
	if opts.MaxIdle == 0 {
		opts.MaxIdle = 30 * time.Second
	}
	if opts.ClaimInterval == 0 {
		opts.ClaimInterval = 5 * time.Second
	}
	if opts.ConsumerName == "" {
		host, _ := os.Hostname()
		opts.ConsumerName = host + "-" + strconv.Itoa(os.Getpid())
	}
	pub, err := redisstream.NewPublisher(redisstream.PublisherConfig{Client: client}, wlog)
	if err != nil {
		return nil, fmt.Errorf("events: redis publisher: %w", err)
	}
	var (
		mu   sync.Mutex
		subs []message.Subscriber
	)
	prefixed := prefixPublisher{Publisher: pub, prefix: opts.Prefix}
	return &Bus{
		Name:        "redis-streams",
		Publisher:   prefixed,
		deadLetters: prefixed,
		subscriber: func(consumer string) (message.Subscriber, error) {
			sub, err := redisstream.NewSubscriber(redisstream.SubscriberConfig{
				Client:                        client,
				ConsumerGroup:                 consumer,
				Consumer:                      opts.ConsumerName,
				OldestId:                      "0",
				BlockTime:                     time.Second,
				ClaimInterval:                 opts.ClaimInterval,
				MaxIdleTime:                   opts.MaxIdle,
				NackResendSleep:               100 * time.Millisecond,
				DisableIndefiniteInitialBlock: true,
			}, wlog)
			if err != nil {
				return nil, fmt.Errorf("events: redis subscriber for %s: %w", consumer, err)
			}
			mu.Lock()
			subs = append(subs, sub)
			mu.Unlock()
			return prefixSubscriber{Subscriber: sub, prefix: opts.Prefix}, nil
		},
		groups: func(ctx context.Context) ([]GroupStats, error) {
			var out []GroupStats
			for _, topic := range Topics() {
				stream := opts.Prefix + topic
				groups, err := client.XInfoGroups(ctx, stream).Result()
				if err != nil {
					if strings.Contains(err.Error(), "no such key") {
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
		close: func() error {
			mu.Lock()
			defer mu.Unlock()
			for _, s := range subs {
				_ = s.Close()
			}
			return pub.Close()
		},
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

type prefixPublisher struct {
	message.Publisher
	prefix string
}

func (p prefixPublisher) Publish(topic string, msgs ...*message.Message) error {
	return p.Publisher.Publish(p.prefix+topic, msgs...)
}

type prefixSubscriber struct {
	message.Subscriber
	prefix string
}

func (s prefixSubscriber) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	return s.Subscriber.Subscribe(ctx, s.prefix+topic)
}
