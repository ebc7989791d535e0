package catalog

import (
	"errors"
	"strconv"
	"strings"
)

// Sentinel errors. Match them with errors.Is; the errors returned wrap them
// with context.
var (
	// ErrInvalidDesign is matched by every *ValidationError.
	ErrInvalidDesign = errors.New("builder: invalid design")
	// ErrInvalidQuantity means a line quantity outside MinQuantity..MaxQuantity.
	ErrInvalidQuantity = errors.New("builder: invalid quantity")
	// ErrInvalidLineCount means an order with no lines or more than
	// MaxOrderLines.
	ErrInvalidLineCount = errors.New("builder: invalid line count")
)

// Violation is one broken rule of a design.
type Violation struct {
	// Field is the protobuf field path relative to the design, in
	// snake_case, e.g. "hardware" or "name_patch.thread_color".
	Field string
	// Rule is the stable rule id, e.g. "leather_hardware"; see the Rule*
	// constants.
	Rule string
	// Message is a human sentence, e.g. "LEATHER needs ALUMINUM or
	// STAINLESS hardware".
	Message string
}

// ValidationError lists every rule a design breaks, in rule-number order
// (1 to 11) and, within a rule, in the design's field order. It matches
// ErrInvalidDesign with errors.Is.
type ValidationError struct {
	Violations []Violation
}

// Error joins the violations as "field: message" with "; ", after the prefix
// "builder: invalid design: ".
func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString(ErrInvalidDesign.Error())
	for i, v := range e.Violations {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(v.Field + ": " + v.Message)
	}
	return b.String()
}

// Is reports whether target is ErrInvalidDesign.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidDesign }

// LineError is the error of one line of an order passed to [PriceOrder].
// It unwraps to the line's own error, so errors.Is and errors.As see through
// it (e.g. to ErrInvalidQuantity or a *ValidationError).
type LineError struct {
	// Index is the line's index in the slice given to PriceOrder, from 0.
	Index int
	// Err is the line's error.
	Err error
}

// Error returns e.g. "builder: line 2: invalid quantity: ...".
func (e *LineError) Error() string {
	return "builder: line " + strconv.Itoa(e.Index) + ": " +
		strings.TrimPrefix(e.Err.Error(), "builder: ")
}

// Unwrap returns the line's error.
func (e *LineError) Unwrap() error { return e.Err }
