package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/uptrace/bun"

	"github.com/harnesshero/platform/platform/events"
)

// EventSources are the parts of the event pipeline a process runs; a nil
// field exports nothing for it.
type EventSources struct {
	// Outboxes are the databases whose events_outbox is reported, summed
	// (a process keeps one per database of its modules).
	Outboxes []*bun.DB
	// Bus reports the Redis consumer groups (none in process).
	Bus *events.Bus
	// Relays count the events they published, summed.
	Relays []*events.Relay
	// Router counts the events its consumers applied and dead-lettered.
	Router *events.Router
	// Timeout bounds the queries of one scrape (default 2s).
	Timeout time.Duration
}

// RegisterEvents exports the event pipeline. The outbox and the consumer
// groups are read when Prometheus scrapes; when a read fails, its metrics
// are left out of that scrape and harness_event_source_up is 0.
func (m *Metrics) RegisterEvents(src EventSources) error {
	if src.Timeout == 0 {
		src.Timeout = 2 * time.Second
	}
	return m.registry.Register(&eventCollector{src: src, m: m})
}

var (
	outboxPendingDesc = prometheus.NewDesc("harness_outbox_pending_events",
		"Events recorded in the outbox and not yet published.", nil, nil)
	outboxAgeDesc = prometheus.NewDesc("harness_outbox_oldest_pending_age_seconds",
		"Age of the oldest event not yet published; 0 when none is pending.", nil, nil)
	publishedDesc = prometheus.NewDesc("harness_events_published_total",
		"Events the outbox relay published to the bus.", nil, nil)
	processedDesc = prometheus.NewDesc("harness_events_processed_total",
		"Events a consumer applied.", []string{"consumer"}, nil)
	deadLetteredDesc = prometheus.NewDesc("harness_events_dead_lettered_total",
		"Events a consumer gave up on and sent to the dead-letter queue.", []string{"consumer"}, nil)
	lagDesc = prometheus.NewDesc("harness_event_consumer_lag",
		"Events in a Redis stream not yet delivered to a consumer group (XINFO GROUPS lag).", []string{"stream", "group"}, nil)
	groupPendingDesc = prometheus.NewDesc("harness_event_consumer_pending",
		"Events delivered to a Redis consumer group and not yet acknowledged.", []string{"stream", "group"}, nil)
	sourceUpDesc = prometheus.NewDesc("harness_event_source_up",
		"Whether the last scrape could read the source: outbox or redis_groups.", []string{"source"}, nil)
)

// eventCollector reads the pipeline at scrape time.
type eventCollector struct {
	src EventSources
	m   *Metrics
}

func (c *eventCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{outboxPendingDesc, outboxAgeDesc, publishedDesc, processedDesc, deadLetteredDesc, lagDesc, groupPendingDesc, sourceUpDesc} {
		ch <- d
	}
}

func (c *eventCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.src.Timeout)
	defer cancel()
	if len(c.src.Outboxes) > 0 {
		var (
			pending int64
			oldest  time.Time
			failed  error
		)
		for _, db := range c.src.Outboxes {
			stats, err := events.PendingStats(ctx, db)
			if err != nil {
				failed = err
				break
			}
			pending += stats.Pending
			if !stats.OldestPending.IsZero() && (oldest.IsZero() || stats.OldestPending.Before(oldest)) {
				oldest = stats.OldestPending
			}
		}
		ch <- up("outbox", failed)
		if failed != nil {
			c.m.logger.Warn("metrics: read the outbox", "error", failed)
		} else {
			age := 0.0
			if !oldest.IsZero() {
				age = max(time.Since(oldest).Seconds(), 0)
			}
			ch <- prometheus.MustNewConstMetric(outboxPendingDesc, prometheus.GaugeValue, float64(pending))
			ch <- prometheus.MustNewConstMetric(outboxAgeDesc, prometheus.GaugeValue, age)
		}
	}
	if len(c.src.Relays) > 0 {
		var published int64
		for _, r := range c.src.Relays {
			published += r.Published()
		}
		ch <- prometheus.MustNewConstMetric(publishedDesc, prometheus.CounterValue, float64(published))
	}
	if c.src.Router != nil {
		for consumer, n := range c.src.Router.Counts() {
			ch <- prometheus.MustNewConstMetric(processedDesc, prometheus.CounterValue, float64(n.Processed), consumer)
			ch <- prometheus.MustNewConstMetric(deadLetteredDesc, prometheus.CounterValue, float64(n.DeadLettered), consumer)
		}
	}
	if c.src.Bus != nil && c.src.Bus.Name == "redis-streams" {
		groups, err := c.src.Bus.Groups(ctx)
		ch <- up("redis_groups", err)
		if err != nil {
			c.m.logger.Warn("metrics: read the consumer groups", "error", err)
			return
		}
		for _, g := range groups {
			ch <- prometheus.MustNewConstMetric(groupPendingDesc, prometheus.GaugeValue, float64(g.Pending), g.Stream, g.Group)
			if g.Lag >= 0 {
				ch <- prometheus.MustNewConstMetric(lagDesc, prometheus.GaugeValue, float64(g.Lag), g.Stream, g.Group)
			}
		}
	}
}

func up(source string, err error) prometheus.Metric {
	v := 1.0
	if err != nil {
		v = 0
	}
	return prometheus.MustNewConstMetric(sourceUpDesc, prometheus.GaugeValue, v, source)
}
