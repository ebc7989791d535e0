package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ErrUnavailable is what Classify wraps around a driver error that says the
// database cannot be reached or did not answer in time: a refused, reset or
// closed connection, a failed connect, a query cut by the storage timeout
// (ErrQueryTimeout), a server shutting down, SQLite still busy after its
// wait. Such a call may succeed when retried later; callers test for it
// with errors.Is. A caller's own deadline or cancellation is not one.
var ErrUnavailable = errors.New("storage: the database is unavailable")

// Classify returns err wrapped with ErrUnavailable when it says the database
// is unavailable, and err unchanged otherwise (nil stays nil). The cause is
// kept: errors.Is and errors.As still see the driver's error.
func Classify(err error) error {
	if err == nil || errors.Is(err, ErrUnavailable) || !unavailable(err) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrUnavailable, err)
}

// unavailable reports whether err is one of the errors Classify wraps.
func unavailable(err error) bool {
	if pgErr, ok := errors.AsType[*pgconn.PgError](err); ok {
		switch {
		case pgErr.Code[:2] == "08": // connection exception
			return true
		case pgErr.Code == "57P01", pgErr.Code == "57P02", pgErr.Code == "57P03": // admin or crash shutdown, cannot connect now
			return true
		case pgErr.Code == "53300": // too many connections
			return true
		}
		return false
	}
	if _, ok := errors.AsType[*pgconn.ConnectError](err); ok {
		return true
	}
	if sqliteErr, ok := errors.AsType[*sqlite.Error](err); ok {
		code := sqliteErr.Code() & 0xff
		return code == sqlite3.SQLITE_BUSY || code == sqlite3.SQLITE_LOCKED
	}
	// A caller's own deadline (context.DeadlineExceeded, also a net.Error)
	// is not the database's failure; the storage timeout is ErrQueryTimeout,
	// matched above by Classify.
	callerDeadline := errors.Is(err, context.DeadlineExceeded)
	switch {
	case pgconn.Timeout(err) && !callerDeadline, // pgx gave up waiting for the server
		pgconn.SafeToRetry(err), // failed before anything was sent
		errors.Is(err, pgconn.ErrConnClosed),
		errors.Is(err, driver.ErrBadConn),
		errors.Is(err, sql.ErrConnDone),
		errors.Is(err, net.ErrClosed),
		errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, io.EOF),
		errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE):
		return true
	}
	if netErr, ok := errors.AsType[net.Error](err); ok && netErr.Timeout() && !callerDeadline {
		return true
	}
	_, isOpErr := errors.AsType[*net.OpError](err)
	return isOpErr
}
