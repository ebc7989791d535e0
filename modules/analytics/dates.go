package analytics

import (
	"errors"
	"time"

	analyticsv1 "github.com/harnesshero/platform/gen/harness/analytics/v1"
)

// dayLayout is the form of a day: in requests, responses and the tables.
const dayLayout = "2006-01-02"

// maxDays is the most days GetDailyStats returns.
const maxDays = 366

// Range errors, reported by toConnectError on the field they name.
var (
	errNoRange        = errors.New("analytics: no range")
	errBadStartDate   = errors.New("analytics: start_date is not a date")
	errBadEndDate     = errors.New("analytics: end_date is not a date")
	errEndBeforeStart = errors.New("analytics: end_date is before start_date")
	errRangeTooLong   = errors.New("analytics: range is longer than 366 days")
)

// dayOf returns t's UTC day.
func dayOf(t time.Time) string { return t.UTC().Format(dayLayout) }

// dayRange is a parsed DateRange: UTC midnights, start <= end.
type dayRange struct {
	start, end time.Time
}

// parseRange parses r. The contract's pattern admits impossible dates such
// as 2026-02-30; they are refused here (errBadStartDate, errBadEndDate), as
// is an end before the start (errEndBeforeStart) and a nil r (errNoRange),
// in case the validation interceptor did not run.
func parseRange(r *analyticsv1.DateRange) (dayRange, error) {
	if r == nil {
		return dayRange{}, errNoRange
	}
	start, err := time.Parse(dayLayout, r.GetStartDate())
	if err != nil {
		return dayRange{}, errBadStartDate
	}
	end, err := time.Parse(dayLayout, r.GetEndDate())
	if err != nil {
		return dayRange{}, errBadEndDate
	}
	if end.Before(start) {
		return dayRange{}, errEndBeforeStart
	}
	return dayRange{start: start, end: end}, nil
}

// days is how many days r spans, both ends included.
func (r dayRange) days() int { return int(r.end.Sub(r.start)/(24*time.Hour)) + 1 }

// bounds returns r's first and last day as stored.
func (r dayRange) bounds() (start, end string) { return dayOf(r.start), dayOf(r.end) }
