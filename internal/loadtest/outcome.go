package loadtest

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"

	vegeta "github.com/tsenart/vegeta/v12/lib"
	"google.golang.org/protobuf/encoding/protojson"
)

// Codes of the report besides Connect's ("invalid_argument", …).
const (
	// CodeOK is a successful answer (HTTP 200).
	CodeOK = "ok"
	// CodeTransport is no answer: refused, reset, or the timeout passed.
	CodeTransport = "transport"
)

// outcome is how one hit ended.
type outcome struct {
	// code is CodeOK, a Connect code, "http_<status>" for an answer that
	// is not Connect's (the webhook, a proxy), or CodeTransport.
	code string
	// status is the HTTP status; 0 without an answer.
	status int
	// expected: CodeOK, or InvalidArgument for a request that breaks a
	// rule on purpose.
	expected bool
	// message is the error's: Connect's message, the webhook's, or the
	// transport error.
	message string
	// wrong says what was wrong with a successful answer.
	wrong string
}

// requestPrefix is how Go's HTTP client starts an error: `Post "URL": `.
var requestPrefix = regexp.MustCompile(`^[A-Za-z]+ "[^"]*": `)

// classify reads a result's code and message.
func classify(c *call, res *vegeta.Result) outcome {
	out := outcome{status: int(res.Code)}
	switch res.Code {
	case 0:
		out.code, out.message = CodeTransport, requestPrefix.ReplaceAllString(res.Error, "")
	case http.StatusOK:
		out.code = CodeOK
	default:
		var body struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		}
		out.code = "http_" + strconv.Itoa(int(res.Code))
		if json.Unmarshal(res.Body, &body) == nil {
			out.message = body.Message
			if body.Code != "" && c.path != WebhookPath {
				out.code = body.Code
			}
		}
		if out.message == "" {
			out.message = res.Error
		}
		if len(out.message) > 200 {
			out.message = out.message[:200] + "…"
		}
	}
	out.expected = out.code == CodeOK || c.invalid && out.code == "invalid_argument"
	return out
}

// changed reports whether a failed call may have been applied: no answer,
// or a 5xx.
func (o outcome) changed() bool { return o.status == 0 || o.status >= 500 }

// settle classifies a result and applies it to the shop: a successful
// answer moves the shop's state on (and is checked against the catalog
// spec), a failed one gives back what the call took.
func (s *shop) settle(c *call, res *vegeta.Result) outcome {
	out := classify(c, res)
	if out.code == CodeOK && c.invalid {
		out.expected = false
	}
	var unreadable error
	if out.code == CodeOK && c.res != nil {
		unreadable = protojson.UnmarshalOptions{DiscardUnknown: true}.Unmarshal(res.Body, c.res)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case out.code == CodeOK && unreadable != nil:
		out.wrong = "unreadable answer: " + unreadable.Error()
		if c.failed != nil {
			c.failed(s, true)
		}
	case out.code == CodeOK:
		if c.ok != nil {
			out.wrong = c.ok(s)
		}
	case c.failed != nil:
		c.failed(s, out.changed())
	}
	return out
}
