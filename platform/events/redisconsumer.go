package events

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/ThreeDotsLabs/watermill-redisstream/pkg/redisstream"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/redis/go-redis/v9"

	eventsv1 "github.com/harnesshero/platform/gen/harness/events/v1"
)

// The Redis Streams consumer reads with go-redis rather than Watermill's
// redisstream subscriber, whose handler model is one message at a time
// (one transaction per event) and which neither recreates a vanished group
// nor starts without Redis. See docs/decisions (h-redis).

// redisBus is what the Redis bus's consumers share.
type redisBus struct {
	client redis.UniversalClient
	opts   RedisOptions
}

// applyFunc applies a batch (Router.apply): an event still failing after
// the retries is handed to failed, to dead-letter it, and the result has
// per event the error failed returned (nil when applied or dead-lettered).
type applyFunc func(ctx context.Context, envs []*eventsv1.Envelope, failed func(i int, err error) error) []error

// redisConsumer is one consumer group's reader of one stream.
type redisConsumer struct {
	*redisBus
	stream, group string
	logger        *slog.Logger
	apply         applyFunc
	deadLetters   message.Publisher

	claimCursor string
	lastClaim   time.Time
}

func (b *redisBus) consumer(group, topic string, logger *slog.Logger, apply applyFunc, deadLetters message.Publisher) *redisConsumer {
	return &redisConsumer{
		redisBus: b, stream: b.opts.Prefix + topic, group: group,
		logger: logger, apply: apply, deadLetters: deadLetters, claimCursor: "0-0",
	}
}

// run reads and applies until ctx ends. Redis being down (at start or
// later) is retried with backoff; a group that vanished (Redis restarted
// without its data: NOGROUP) is created again, reading the stream from its
// start.
func (c *redisConsumer) run(ctx context.Context) {
	var (
		backoff   time.Duration
		setUp     bool
		ownCursor = "0" // our own pending messages, left by a previous run
		failing   bool
	)
	for ctx.Err() == nil {
		var (
			msgs []redis.XMessage
			err  error
		)
		switch {
		case !setUp:
			if err = c.setUp(ctx); err == nil {
				setUp = true
				continue
			}
		case ownCursor != "":
			msgs, err = c.read(ctx, ownCursor, -1)
			switch {
			case err != nil:
			case len(msgs) == 0:
				ownCursor = "" // caught up: read new messages
			default:
				ownCursor = msgs[len(msgs)-1].ID
			}
		case time.Since(c.lastClaim) >= c.opts.ClaimInterval:
			msgs, err = c.claim(ctx)
		default:
			msgs, err = c.read(ctx, ">", time.Second)
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			if !failing {
				c.logger.Warn("event consumer: redis failed; retrying", "stream", c.stream, "group", c.group, "error", err)
				failing = true
			}
			// Whatever failed, check the group again before reading: the
			// Redis we reconnect to may have lost it.
			setUp, ownCursor = false, "0"
			backoff = min(max(2*backoff, 50*time.Millisecond), 2*time.Second)
			if isNoGroup(err) {
				backoff = 0
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			continue
		}
		if failing {
			c.logger.Info("event consumer: redis reachable again", "stream", c.stream, "group", c.group)
			failing = false
		}
		backoff = 0
		if len(msgs) > 0 {
			c.handle(ctx, msgs)
		}
	}
}

// setUp creates the group if it does not exist (reading from the stream's
// start, creating the stream if need be) and removes the group's consumers
// that are gone.
func (c *redisConsumer) setUp(ctx context.Context) error {
	err := c.client.XGroupCreateMkStream(ctx, c.stream, c.group, "0").Err()
	if err != nil && !redis.HasErrorPrefix(err, "BUSYGROUP") {
		return err
	}
	return c.forgetIdle(ctx)
}

// forgetIdle removes the group's other consumers that hold no pending
// message and have been idle for ForgetIdle: processes that are gone.
func (c *redisConsumer) forgetIdle(ctx context.Context) error {
	consumers, err := c.client.XInfoConsumers(ctx, c.stream, c.group).Result()
	if err != nil {
		return err
	}
	for _, other := range consumers {
		if other.Name == c.opts.ConsumerName || other.Pending > 0 || other.Idle < c.opts.ForgetIdle {
			continue
		}
		if err := c.client.XGroupDelConsumer(ctx, c.stream, c.group, other.Name).Err(); err != nil {
			return err
		}
		c.logger.Info("event consumer: removed an idle consumer", "stream", c.stream, "group", c.group, "consumer", other.Name)
	}
	return nil
}

// read reads up to Batch messages after id (">" for new ones), blocking
// for at most block (no blocking when negative).
func (c *redisConsumer) read(ctx context.Context, id string, block time.Duration) ([]redis.XMessage, error) {
	streams, err := c.client.XReadGroup(ctx, &redis.XReadGroupArgs{
		Group: c.group, Consumer: c.opts.ConsumerName,
		Streams: []string{c.stream, id}, Count: int64(c.opts.Batch), Block: block,
	}).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil || len(streams) == 0 {
		return nil, err
	}
	return streams[0].Messages, nil
}

// claim takes over messages another consumer left pending for longer than
// MaxIdle (it crashed), and every ForgetIdle-idle consumer without pending
// messages is removed.
func (c *redisConsumer) claim(ctx context.Context) ([]redis.XMessage, error) {
	msgs, next, err := c.client.XAutoClaim(ctx, &redis.XAutoClaimArgs{
		Stream: c.stream, Group: c.group, Consumer: c.opts.ConsumerName,
		MinIdle: c.opts.MaxIdle, Start: c.claimCursor, Count: int64(c.opts.Batch),
	}).Result()
	if err != nil {
		return nil, err
	}
	c.claimCursor = next
	if next == "0-0" || next == "" {
		c.claimCursor = "0-0"
		c.lastClaim = time.Now() // a full pass: rest until the next interval
		if err := c.forgetIdle(ctx); err != nil {
			return nil, err
		}
	}
	return msgs, nil
}

// handle applies msgs and acknowledges them: those applied, and those that
// failed every retry once dead-lettered. Nothing is acknowledged when ctx
// ended (shutdown): the messages stay pending and are taken over on the
// next start.
func (c *redisConsumer) handle(ctx context.Context, msgs []redis.XMessage) {
	ids := make([]string, 0, len(msgs))
	envs := make([]*eventsv1.Envelope, 0, len(msgs))
	wms := make([]*message.Message, 0, len(msgs))
	for _, xm := range msgs {
		if xm.Values == nil {
			ids = append(ids, xm.ID) // deleted from the stream: nothing to apply
			continue
		}
		wm, err := redisstream.DefaultMarshallerUnmarshaller{}.Unmarshal(xm.Values)
		if err != nil {
			c.logger.Error("event consumer: undecodable message acknowledged", "stream", c.stream, "id", xm.ID, "error", err)
			ids = append(ids, xm.ID)
			continue
		}
		env, err := Unmarshal(wm.Payload)
		if err != nil {
			if c.deadLetter(wm, err) {
				ids = append(ids, xm.ID)
			}
			continue
		}
		ids = append(ids, xm.ID)
		envs = append(envs, env)
		wms = append(wms, wm)
	}
	if len(envs) > 0 {
		errs := c.apply(ctx, envs, func(i int, err error) error {
			if !c.deadLetter(wms[i], err) {
				return err
			}
			return nil
		})
		if ctx.Err() != nil {
			return
		}
		for i, err := range errs {
			if err != nil { // not dead-lettered: left pending
				ids = remove(ids, msgs, wms[i].UUID)
			}
		}
	}
	if len(ids) > 0 {
		if err := c.client.XAck(ctx, c.stream, c.group, ids...).Err(); err != nil && ctx.Err() == nil {
			// Left pending: reapplied (a no-op) when claimed or read again.
			c.logger.Warn("event consumer: acknowledge failed", "stream", c.stream, "group", c.group, "error", err)
		}
	}
}

// deadLetter publishes msg, which failed with err, to the dead-letter
// topic, and reports whether it did.
func (c *redisConsumer) deadLetter(msg *message.Message, err error) bool {
	if perr := deadLetter(c.deadLetters, strings.TrimPrefix(c.stream, c.opts.Prefix), msg, err); perr != nil {
		c.logger.Error("event consumer: dead letter failed; the event stays pending", "event", msg.UUID, "error", perr)
		return false
	}
	return true
}

// remove drops from ids the stream id of the message whose Watermill uuid
// is uuid.
func remove(ids []string, msgs []redis.XMessage, uuid string) []string {
	for _, xm := range msgs {
		if xm.Values[redisstream.UUIDHeaderKey] == uuid {
			for i, id := range ids {
				if id == xm.ID {
					return append(ids[:i], ids[i+1:]...)
				}
			}
		}
	}
	return ids
}

// isNoGroup reports whether err is Redis's NOGROUP: the stream or the
// group does not exist (any more).
func isNoGroup(err error) bool { return redis.HasErrorPrefix(err, "NOGROUP") }
