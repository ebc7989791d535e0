package server

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	connect "connectrpc.com/connect/v2"
)

// Envelope flags of the enveloped protocols (gRPC, gRPC-Web and Connect
// streaming): every message is a 5-byte prefix (flags, big-endian length)
// and its bytes.
const (
	flagCompressed = 0x01
	flagEndStream  = 0x02 // Connect streaming: the end-of-stream message (JSON)
	flagTrailers   = 0x80 // gRPC-Web: the trailers, as HTTP/1 header lines
	maxEndBytes    = 16 << 10
)

// envelopes passes a forwarded response's body through unchanged while it
// follows the envelopes, so that a forwarder knows two things without
// decoding a message: the code the stream ended with (in its end-of-stream
// message or gRPC-Web trailers), and whether a body that broke off did so
// between two messages. Such a body reads as a clean end here (cut holds
// the failure), and the forwarder ends the caller's stream with an error of
// its own; one broken inside a message is passed on as the failure it is.
type envelopes struct {
	body io.ReadCloser

	head  [5]byte
	nhead int    // prefix bytes of the current envelope seen
	left  uint32 // its bytes still to come
	keep  bool   // whether its bytes are the end message, kept in end
	end   []byte // the end message (or gRPC-Web trailers)
	ended bool   // the end message is complete
	cut   error  // the body's failure, between two messages
}

func (e *envelopes) Read(p []byte) (int, error) {
	n, err := e.body.Read(p)
	e.scan(p[:n])
	if err != nil && !errors.Is(err, io.EOF) && e.nhead == 0 && e.left == 0 {
		e.cut = err
		return n, io.EOF
	}
	return n, err
}

func (e *envelopes) Close() error { return e.body.Close() }

// scan follows the envelopes through b.
func (e *envelopes) scan(b []byte) {
	for len(b) > 0 {
		if e.left == 0 && e.nhead < len(e.head) {
			k := copy(e.head[e.nhead:], b)
			e.nhead += k
			b = b[k:]
			if e.nhead < len(e.head) {
				return
			}
			e.left = binary.BigEndian.Uint32(e.head[1:])
			flags := e.head[0]
			e.keep = flags&flagCompressed == 0 && flags&(flagEndStream|flagTrailers) != 0
			if e.keep {
				e.end = e.end[:0]
			}
			if e.left == 0 {
				e.next()
			}
			continue
		}
		k := min(int(e.left), len(b))
		if e.keep && len(e.end)+k <= maxEndBytes {
			e.end = append(e.end, b[:k]...)
		}
		e.left -= uint32(k)
		b = b[k:]
		if e.left == 0 {
			e.next()
		}
	}
}

// next moves past a complete envelope.
func (e *envelopes) next() {
	if e.keep {
		e.ended = true
	}
	e.nhead, e.keep = 0, false
}

// code is the code the stream ended with, as its end message or trailers
// say; ok is false when they said nothing readable.
func (e *envelopes) code(res *http.Response) (code connect.Code, ok bool, failed bool) {
	if status := res.Trailer.Get("Grpc-Status"); status != "" { // gRPC
		return grpcCode(status)
	}
	if status := res.Header.Get("Grpc-Status"); status != "" { // trailers only
		return grpcCode(status)
	}
	if !e.ended {
		return 0, false, false
	}
	if isGRPC(res.Header.Get("Content-Type")) { // gRPC-Web trailers
		for line := range strings.SplitSeq(string(e.end), "\n") {
			name, value, _ := strings.Cut(line, ":")
			if strings.EqualFold(strings.TrimSpace(name), "grpc-status") {
				return grpcCode(strings.TrimSpace(value))
			}
		}
		return 0, false, false
	}
	return connectEndCode(e.end)
}

// grpcCode reads a grpc-status value: 0 is success (failed false).
func grpcCode(status string) (connect.Code, bool, bool) {
	n, err := strconv.ParseUint(status, 10, 32)
	if err != nil {
		return 0, false, false
	}
	return connect.Code(n), true, n != 0
}

// connectEndCode reads the code of a Connect end-of-stream message or
// unary error body: {"error": {"code": "…"}} or, unary, {"code": "…"}.
func connectEndCode(b []byte) (connect.Code, bool, bool) {
	var msg struct {
		Code  string `json:"code"`
		Error *struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	if err := json.NewDecoder(bytes.NewReader(b)).Decode(&msg); err != nil {
		return 0, false, false
	}
	name := msg.Code
	if msg.Error != nil {
		name = msg.Error.Code
	}
	if name == "" {
		return 0, true, false
	}
	var code connect.Code
	if err := code.UnmarshalText([]byte(name)); err != nil {
		return connect.CodeUnknown, true, true
	}
	return code, true, true
}

// writeStreamEnd ends with err a stream whose headers have gone out, in
// the caller's protocol: gRPC's trailers, gRPC-Web's trailers message or
// Connect's end-of-stream message.
func writeStreamEnd(w http.ResponseWriter, r *http.Request, err error) {
	code, msg := connect.CodeOf(err), err.Error()
	if cerr, ok := errors.AsType[*connect.Error](err); ok {
		msg = cerr.Message()
	}
	var flags byte
	var body []byte
	switch ctype := r.Header.Get("Content-Type"); {
	case strings.HasPrefix(ctype, "application/grpc-web"):
		flags = flagTrailers
		body = fmt.Appendf(nil, "grpc-status: %d\r\ngrpc-message: %s\r\n", code, grpcMessage(msg))
	case isGRPC(ctype):
		w.Header().Set(http.TrailerPrefix+"Grpc-Status", strconv.Itoa(int(code)))
		w.Header().Set(http.TrailerPrefix+"Grpc-Message", grpcMessage(msg))
		return
	default:
		flags = flagEndStream
		var end struct {
			Error struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		end.Error.Code, end.Error.Message = code.String(), msg
		body, _ = json.Marshal(end)
	}
	frame := make([]byte, 5, 5+len(body))
	frame[0] = flags
	binary.BigEndian.PutUint32(frame[1:], uint32(len(body)))
	if _, err := w.Write(append(frame, body...)); err == nil {
		_ = http.NewResponseController(w).Flush()
	}
}

// grpcMessage percent-encodes a grpc-message value, as gRPC requires.
func grpcMessage(msg string) string {
	var b strings.Builder
	for i := range len(msg) {
		c := msg[i]
		if c < ' ' || c > '~' || c == '%' {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
