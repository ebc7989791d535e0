package events

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/ThreeDotsLabs/watermill-redisstream/pkg/redisstream"
	"github.com/redis/go-redis/v9"

	eventsv1 "github.com/harnesshero/platform/gen/harness/events/v1"
)

// tailStartTimeout bounds the first look at a stream's newest entry, which
// Run waits for: with Redis down the process starts anyway.
const tailStartTimeout = time.Second

// tail reads the entries added to topic's stream, without a consumer group,
// and hands each event to notify, until ctx ends. It starts after the
// stream's newest entry (found before started is closed, or once Redis is
// reachable), and reconnects with backoff when Redis fails.
func (b *redisBus) tail(ctx context.Context, topic string, logger *slog.Logger, notify func(*eventsv1.Envelope), started chan<- struct{}) {
	stream := b.opts.Prefix + topic
	last, err := b.newest(ctx, stream, tailStartTimeout)
	close(started)
	var backoff time.Duration
	failing := false
	for ctx.Err() == nil {
		if err == nil && last == "" {
			last, err = b.newest(ctx, stream, 0)
		}
		var msgs []redis.XMessage
		if err == nil {
			msgs, err = b.readAfter(ctx, stream, last)
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			if !failing {
				logger.Warn("event listener: redis failed; retrying", "stream", stream, "error", err)
				failing = true
			}
			backoff = min(max(2*backoff, 50*time.Millisecond), 2*time.Second)
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			err = nil
			continue
		}
		if failing {
			logger.Info("event listener: redis reachable again", "stream", stream)
			failing = false
		}
		backoff = 0
		for _, xm := range msgs {
			last = xm.ID
			if env, ok := decodeEntry(xm, logger, stream); ok {
				notify(env)
			}
		}
	}
}

// newest returns the id of the newest entry of stream, "0-0" when it has
// none. A positive timeout bounds the call.
func (b *redisBus) newest(ctx context.Context, stream string, timeout time.Duration) (string, error) {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	msgs, err := b.client.XRevRangeN(ctx, stream, "+", "-", 1).Result()
	if err != nil {
		return "", err
	}
	if len(msgs) == 0 {
		return "0-0", nil
	}
	return msgs[0].ID, nil
}

// readAfter reads up to Batch entries of stream after id, blocking for a
// second at most.
func (b *redisBus) readAfter(ctx context.Context, stream, id string) ([]redis.XMessage, error) {
	streams, err := b.client.XRead(ctx, &redis.XReadArgs{
		Streams: []string{stream, id}, Count: int64(b.opts.Batch), Block: time.Second,
	}).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil || len(streams) == 0 {
		return nil, err
	}
	return streams[0].Messages, nil
}

// decodeEntry decodes the event of a stream entry; one that does not decode
// is logged and skipped (the consumers dead-letter it).
func decodeEntry(xm redis.XMessage, logger *slog.Logger, stream string) (*eventsv1.Envelope, bool) {
	if xm.Values == nil {
		return nil, false
	}
	wm, err := redisstream.DefaultMarshallerUnmarshaller{}.Unmarshal(xm.Values)
	if err == nil {
		var env *eventsv1.Envelope
		if env, err = Unmarshal(wm.Payload); err == nil {
			return env, true
		}
	}
	logger.Warn("event listener: undecodable entry skipped", "stream", stream, "id", xm.ID, "error", err)
	return nil, false
}
