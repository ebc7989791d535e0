package events

import (
	"context"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill-redisstream/pkg/redisstream"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/redis/go-redis/v9"
)

// publishTimeout bounds one Publish on Redis.
const publishTimeout = 30 * time.Second

// redisPublisher publishes to Redis Streams in Watermill's redisstream
// format (what the consumers and Watermill's subscriber read), with the
// messages of one Publish sent in one pipeline: one round trip for a
// relay batch instead of one per event (Watermill's publisher sends one
// XADD at a time). It does not close the client.
type redisPublisher struct {
	client redis.UniversalClient
	prefix string
}

// Publish appends msgs to the stream of topic, in order. On an error some
// of them may have been appended: the caller publishes them all again
// (consumers apply an event once).
func (p redisPublisher) Publish(topic string, msgs ...*message.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), publishTimeout)
	defer cancel()
	stream := p.prefix + topic
	pipe := p.client.Pipeline()
	for _, msg := range msgs {
		values, err := redisstream.DefaultMarshallerUnmarshaller{}.Marshal(stream, msg)
		if err != nil {
			return fmt.Errorf("events: encode %s: %w", msg.UUID, err)
		}
		pipe.XAdd(ctx, &redis.XAddArgs{Stream: stream, Values: values})
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("events: publish to %s: %w", stream, err)
	}
	return nil
}

// Close does nothing: the client is the caller's.
func (redisPublisher) Close() error { return nil }
