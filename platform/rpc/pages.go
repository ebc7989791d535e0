package rpc

import (
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/google/uuid"
)

// Lists are keyset-paginated: ordered by UUIDv7 id (creation order), a
// page token is the opaque encoding of the last id of the previous page,
// so pages stay right while items are added or removed between calls.

// ErrInvalidPageToken is ParsePage's error for a page token the platform
// did not make (InvalidArgument on page_token, see Error).
var ErrInvalidPageToken = errors.New("rpc: invalid page token")

// The page sizes of every list RPC: a request's page_size of 0 means
// DefaultPageSize, and no page holds more than MaxPageSize items.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// Page is a list request's page: the id it continues after ("" for the
// first page) and how many items it holds.
type Page struct {
	After string
	Size  int
}

// ParsePage reads a list request's page_size and page_token; a token this
// platform did not make is ErrInvalidPageToken.
func ParsePage(size int32, token string) (Page, error) {
	after, err := afterToken(token)
	if err != nil {
		return Page{}, err
	}
	n := int(size)
	if n <= 0 {
		n = DefaultPageSize
	}
	return Page{After: after, Size: min(n, MaxPageSize)}, nil
}

// NextToken is the next_page_token of a page whose last item is lastID.
func NextToken(lastID string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(lastID))
}

// afterToken is the id a page token continues after: "" for the empty
// token (the first page), or ErrInvalidPageToken.
func afterToken(token string) (string, error) {
	if token == "" {
		return "", nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return "", ErrInvalidPageToken
	}
	id, err := uuid.ParseBytes(raw)
	if err != nil {
		return "", ErrInvalidPageToken
	}
	return id.String(), nil
}

// InvalidIDError is ParseID's error for an id that is not a UUID; Error
// maps it to InvalidArgument on Field.
type InvalidIDError struct {
	// Field is the request field that holds the id, e.g. "id" or
	// "lines[0].design_id".
	Field string
	Err   error
}

func (e *InvalidIDError) Error() string {
	return fmt.Sprintf("rpc: %s is not a UUID: %v", e.Field, e.Err)
}

func (e *InvalidIDError) Unwrap() error { return e.Err }

// ParseID returns id in the canonical lower-case form ids are stored in, so
// an id sent in upper case names the same item, or an *InvalidIDError
// naming field when id is not a UUID. The contracts' uuid rules make the
// error rare: it guards a call that skipped validation.
func ParseID(field, id string) (string, error) {
	u, err := uuid.Parse(id)
	if err != nil {
		return "", &InvalidIDError{Field: field, Err: err}
	}
	return u.String(), nil
}
