package analytics

import (
	"errors"
	"strconv"

	connect "connectrpc.com/connect/v2"
	"google.golang.org/protobuf/proto"

	"github.com/harnesshero/platform/platform/rpc"
	"github.com/harnesshero/platform/platform/validation"
)

// errNoAdvice: the composition root gave no Deps.Advice.
var errNoAdvice = errors.New("extraction advice is not available in this process")

// toConnectError maps the module's errors to Connect errors: the one place
// where codes and public messages are chosen. req is the request message,
// used to name the field of a broken rule; its DateRange field is "range".
func toConnectError(req proto.Message, err error) error {
	if err == nil {
		return nil
	}
	invalid := func(path, rule, message string) error {
		return validation.Error(req, []validation.Violation{{Path: path, Rule: rule, Message: message}})
	}
	switch {
	case errors.Is(err, errNoRange):
		return invalid("range", "required", "Choose a date range")
	case errors.Is(err, errBadStartDate):
		return invalid("range.start_date", "start_date.date", "The start date must be a date such as 2026-11-30")
	case errors.Is(err, errBadEndDate):
		return invalid("range.end_date", "end_date.date", "The end date must be a date such as 2026-11-30")
	case errors.Is(err, errEndBeforeStart):
		return invalid("range.end_date", "end_date.not_before_start", "The end date must not be before the start date")
	case errors.Is(err, errNoAdvice):
		return connect.NewError(connect.CodeUnimplemented, err.Error())
	case errors.Is(err, errRangeTooLong):
		return invalid("range", "range.max_days", "A date range may span at most "+strconv.Itoa(maxDays)+" days")
	default:
		return rpc.Error(req, err)
	}
}
