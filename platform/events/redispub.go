package events

import (
	"fmt"

	"github.com/ThreeDotsLabs/watermill-redisstream/pkg/redisstream"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/redis/go-redis/v9"
)

// RedisPublisher publishes to Redis Streams in the format of Watermill's
// redisstream publisher (its subscribers read what it writes), but sends
// all the messages of one Publish in one pipeline: one round trip for a
// relay batch instead of one per event.
//
// Redis runs the XADDs of a pipeline in order. When Publish fails, some
// of the messages may have been added: the relay publishes them all again,
// and consumers, which are idempotent, see duplicates after the first
// copies, never an event before an earlier one.
type RedisPublisher struct {
	client     redis.UniversalClient
	marshaller redisstream.DefaultMarshallerUnmarshaller
}

// NewRedisPublisher returns a publisher to client's streams, one per topic.
// Closing it leaves client open.
func NewRedisPublisher(client redis.UniversalClient) *RedisPublisher {
	return &RedisPublisher{client: client}
}

// Publish adds msgs to the stream topic, in order. It is safe for
// concurrent use.
func (p *RedisPublisher) Publish(topic string, msgs ...*message.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	ctx := msgs[0].Context()
	_, err := p.client.Pipelined(ctx, func(pipe redis.Pipeliner) error {
		for _, msg := range msgs {
			values, err := p.marshaller.Marshal(topic, msg)
			if err != nil {
				return fmt.Errorf("events: encode %s: %w", msg.UUID, err)
			}
			pipe.XAdd(ctx, &redis.XAddArgs{Stream: topic, Values: values})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("events: publish to %s: %w", topic, err)
	}
	return nil
}

// Close does nothing: the client belongs to the caller.
func (p *RedisPublisher) Close() error { return nil }

var _ message.Publisher = (*RedisPublisher)(nil)
