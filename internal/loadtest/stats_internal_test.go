package loadtest

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

func TestClassify(t *testing.T) {
	quote := &call{rpc: "CatalogService/Quote", path: "/harness.builder.v1.CatalogService/Quote"}
	broken := &call{rpc: "CatalogService/Quote", path: quote.path, invalid: true}
	hook := &call{rpc: "Webhook/payments", path: WebhookPath}
	connectErr := func(code string, status uint16) *vegeta.Result {
		return &vegeta.Result{Code: status, Error: http.StatusText(int(status)), Body: []byte(`{"code":"` + code + `","message":"design.hardware: LEATHER needs ALUMINUM"}`)}
	}
	for _, tc := range []struct {
		name     string
		c        *call
		res      *vegeta.Result
		code     string
		expected bool
		changed  bool
		message  string
	}{
		{"ok", quote, &vegeta.Result{Code: 200}, CodeOK, true, false, ""},
		{"rule broken on purpose", broken, connectErr("invalid_argument", 400), "invalid_argument", true, false, "design.hardware: LEATHER needs ALUMINUM"},
		{"rule broken by mistake", quote, connectErr("invalid_argument", 400), "invalid_argument", false, false, "design.hardware: LEATHER needs ALUMINUM"},
		{"unavailable", quote, connectErr("unavailable", 503), "unavailable", false, true, "design.hardware: LEATHER needs ALUMINUM"},
		{"webhook refused", hook, &vegeta.Result{Code: 400, Body: []byte(`{"message":"invalid signature"}`)}, "http_400", false, false, "invalid signature"},
		{"proxy page", quote, &vegeta.Result{Code: 502, Error: "502 Bad Gateway", Body: []byte("<html>")}, "http_502", false, true, "502 Bad Gateway"},
		{"timeout", quote, &vegeta.Result{Error: `Post "http://127.0.0.1:4000/x#12": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`},
			CodeTransport, false, true, "context deadline exceeded (Client.Timeout exceeded while awaiting headers)"},
	} {
		out := classify(tc.c, tc.res)
		if out.code != tc.code || out.expected != tc.expected || out.changed() != tc.changed || out.message != tc.message {
			t.Errorf("%s: %+v (changed %v), want code %s expected %v changed %v message %q", tc.name, out, out.changed(), tc.code, tc.expected, tc.changed, tc.message)
		}
	}
}

// TestSummarize: per-code counts add up to the RPC's, the RPCs' to the
// total; quantiles are nearest-rank; unexpected codes and wrong answers
// are counted and listed.
func TestSummarize(t *testing.T) {
	start := time.Now()
	c := newCollector(start)
	for i := range 100 { // latencies 1..100 ms over 10 s
		c.add("A/Quote", outcome{code: CodeOK, expected: true}, start.Add(time.Duration(i)*100*time.Millisecond), time.Duration(i+1)*time.Millisecond)
	}
	c.add("A/Quote", outcome{code: "unavailable", status: 503, message: "down"}, start.Add(time.Second), 5*time.Millisecond)
	c.add("A/Quote", outcome{code: "unavailable", status: 503, message: "down"}, start.Add(2*time.Second), 7*time.Millisecond)
	c.add("B/Save", outcome{code: CodeOK, expected: true, wrong: "total 1 cents, the spec says 2"}, start.Add(3*time.Second), time.Millisecond)
	total, rpcs, errs := c.summarize()
	if total.Count != 103 || len(rpcs) != 2 || rpcs[0].RPC != "A/Quote" || rpcs[0].Count != 102 || rpcs[1].Count != 1 {
		t.Fatalf("total %+v, rpcs %+v", total, rpcs)
	}
	a := rpcs[0]
	if len(a.Codes) != 2 || a.Codes[0].Code != CodeOK || a.Codes[0].Count != 100 || a.Codes[1].Count != 2 || a.Codes[1].Expected {
		t.Errorf("A codes: %+v", a.Codes)
	}
	if l := a.Codes[0].Latency; l.P50 != 50 || l.P90 != 90 || l.P99 != 99 || l.Max != 100 {
		t.Errorf("ok latency %+v, want 50/90/99/100 ms", l)
	}
	if total.Unexpected != 2 || total.Wrong != 1 || a.Unexpected != 2 {
		t.Errorf("unexpected %d (A %d), wrong %d", total.Unexpected, a.Unexpected, total.Wrong)
	}
	if want := round2(100.0 / c.window().Seconds()); a.Codes[0].Throughput != want {
		t.Errorf("throughput %v, want %v", a.Codes[0].Throughput, want)
	}
	if len(errs) != 2 || errs[0].Count != 2 || errs[0].Message != "down" || errs[0].FirstSeconds != 1 || !strings.HasPrefix(errs[1].Message, "wrong answer: ") {
		t.Errorf("errors %+v", errs)
	}
}

// TestReportWriters: the Markdown names every RPC and check; the HTML is
// one file with every chart inline and nothing to fetch.
func TestReportWriters(t *testing.T) {
	start := time.Now()
	c := newCollector(start)
	for i := range 50 {
		c.add("CatalogService/Quote", outcome{code: CodeOK, expected: true}, start.Add(time.Duration(i)*50*time.Millisecond), time.Duration(1+i%7)*time.Millisecond)
	}
	c.add("Webhook/payments", outcome{code: "http_500", status: 500, message: "try again"}, start.Add(time.Second), 3*time.Millisecond)
	total, rpcs, errs := c.summarize()
	rep := &Report{
		Meta: Meta{Topology: "test", Targets: []string{"http://127.0.0.1:1"}}, Total: total, RPCs: rpcs, Errors: errs,
		Checks: []Check{{Name: "no 5xx", Detail: "1 answer", Failures: []string{"Webhook/payments: 500 try again"}}}, collector: c,
	}
	var md, html bytes.Buffer
	if err := rep.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"FAILED", "CatalogService/Quote", "Webhook/payments", "http_500 (unexpected)", "**FAIL** — no 5xx", "1 × Webhook/payments http_500: try again"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md.String())
		}
	}
	if err := rep.WriteHTML(&html); err != nil {
		t.Fatal(err)
	}
	h := html.String()
	if n := strings.Count(h, "<svg"); n != 3+2*2 {
		t.Errorf("%d inline charts, want 7", n)
	}
	if strings.Contains(h, "<script") || strings.Contains(h, "<?xml") || strings.Contains(h, `src="http`) || strings.Contains(h, `href="http`) {
		t.Error("the HTML is not self-contained")
	}
}
