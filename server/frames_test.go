package server_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"io"
	"net/http"
	"testing"
)

// brokenFrames are request bodies whose envelope (the 5-byte prefix of
// gRPC and of Connect streams: a flags byte, a big-endian length) is
// broken; connect-go answers each with internal, as grpc-go does.
var brokenFrames = []struct {
	name string
	body []byte
}{
	{"a frame promising more bytes than it sends", []byte{0, 0, 0, 0, 100, 0x08, 0x01}},
	{"the compressed flag without an encoding", []byte{1, 0, 0, 0, 2, 0x08, 0x01}},
	{"a partial envelope", []byte{0, 0, 0}},
}

// TestBrokenFramesAreTheClients sends each broken envelope over Connect
// streaming (WatchOrder) and gRPC (Quote, h2c) to a real server: the
// caller still hears internal, as the protocols expect, but the call is
// logged below error and counted as the client's fault (rpc_fault
// "client"), never as the server's, so HarnessRPCErrorRatioHigh (which
// sums rpc_fault="server") does not fire on a quiet method.
func TestBrokenFramesAreTheClients(t *testing.T) {
	t.Parallel()
	in, logs := startLogged(t, nil)
	token := signUp(t, in.httpTransport()).token
	const (
		watch = "/harness.order.v1.OrderService/WatchOrder"
		quote = "/harness.builder.v1.CatalogService/Quote"
	)
	protocols := []struct {
		name, procedure, method string
		send                    func(t *testing.T, url string, body []byte) string
	}{
		{"connect stream", watch, "WatchOrder", func(t *testing.T, url string, body []byte) string {
			return connectStreamCode(t, url, token, body)
		}},
		{"grpc", quote, "Quote", grpcCode},
	}
	for _, p := range protocols {
		for _, f := range brokenFrames {
			if code := p.send(t, in.hs.URL+p.procedure, f.body); code != "internal" {
				t.Errorf("%s, %s: code %q, want internal (as the protocol maps it)", p.name, f.name, code)
			}
		}
	}

	// Each call's line is written before its answer.
	var refused int
	for _, line := range logs.lines(t) {
		if line["level"] == "ERROR" {
			t.Errorf("logged at ERROR: %v", line)
		}
		if line["msg"] == "rpc" && line["code"] == "internal" {
			refused++
			if line["level"] != "INFO" || line["fault"] != "client" || line["error"] == nil {
				t.Errorf("broken frame logged as %v, want level INFO, fault client and the error", line)
			}
		}
	}
	if refused != len(protocols)*len(brokenFrames) {
		t.Errorf("%d rpc lines with code internal, want %d", refused, len(protocols)*len(brokenFrames))
	}

	families := scrape(t, in.hs.URL)
	for _, p := range protocols {
		labels := map[string]string{"rpc_method": p.method, "rpc_code": "internal", "rpc_fault": "client"}
		if n := value(families, "rpc_server_calls_total", labels); n != float64(len(brokenFrames)) {
			t.Errorf("rpc_server_calls_total%v = %v, want %d", labels, n, len(brokenFrames))
		}
		server := map[string]string{"rpc_method": p.method, "rpc_fault": "server"}
		if n := value(families, "rpc_server_calls_total", server); n > 0 {
			t.Errorf("rpc_server_calls_total%v = %v, want none", server, n)
		}
	}
}

// grpcCode posts body as a gRPC request over h2c and returns the code of
// its grpc-status, in Connect's spelling.
func grpcCode(t *testing.T, url string, body []byte) string {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/grpc")
	req.Header.Set("Te", "trailers")
	res, err := h2cClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if _, err := io.Copy(io.Discard, res.Body); err != nil {
		t.Fatal(err)
	}
	status := res.Trailer.Get("Grpc-Status")
	if status == "" {
		status = res.Header.Get("Grpc-Status") // a trailers-only answer
	}
	return grpcCodes[status]
}

// grpcCodes are the gRPC status numbers the test expects, by name.
var grpcCodes = map[string]string{"0": "ok", "3": "invalid_argument", "13": "internal", "2": "unknown", "16": "unauthenticated"}

// connectStreamCode posts body as a Connect streaming request (binary
// protobuf) as token and returns the error code of the end-of-stream
// message, "ok" when it has none.
func connectStreamCode(t *testing.T, url, token string, body []byte) string {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/connect+proto")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := h2cClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	for len(raw) >= 5 {
		flags, size := raw[0], int(binary.BigEndian.Uint32(raw[1:5]))
		if len(raw) < 5+size {
			t.Fatalf("answer cut off: %q", raw)
		}
		if flags&2 != 0 { // end of stream
			var end struct {
				Error *struct {
					Code string `json:"code"`
				} `json:"error"`
			}
			if err := json.Unmarshal(raw[5:5+size], &end); err != nil {
				t.Fatalf("end-of-stream message %q: %v", raw[5:5+size], err)
			}
			if end.Error == nil {
				return "ok"
			}
			return end.Error.Code
		}
		raw = raw[5+size:]
	}
	t.Fatalf("%s: %s without an end-of-stream message", url, res.Status)
	return ""
}
