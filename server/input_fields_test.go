package server_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connecthttp"
	"connectrpc.com/connect/v2/connectproto"
	"google.golang.org/protobuf/proto"

	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	"github.com/harnesshero/platform/modules/builder/buildertest"
	"github.com/harnesshero/platform/platform/auth"
	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/platform/validation"
)

// TestDecodeErrorsNameTheField sends bodies that do not decode (issue 18
// item 6) to a real server over Connect and gRPC, each in JSON and, where
// the wire format can carry the fault, in binary protobuf: every one
// answers invalid_argument with a violation on the offending field.
func TestDecodeErrorsNameTheField(t *testing.T) {
	t.Parallel()
	in := start(t, storage.SQLite, nil)
	alice := signUp(t, in.httpTransport())
	const (
		quote        = "/harness.builder.v1.CatalogService/Quote"
		quoteCart    = "/harness.builder.v1.CatalogService/QuoteCart"
		createDesign = "/harness.builder.v1.DesignService/CreateDesign"
		updateDesign = "/harness.builder.v1.DesignService/UpdateDesign"
		id           = "0192f0c8-7b7a-7c3e-8a1e-3f0c2b1a9d00"
		design       = `{"style":"STYLE_STEP_IN","size":"SIZE_M","material":"MATERIAL_NYLON","hardware":"HARDWARE_PLASTIC","webbingColor":"COLOR_BLACK"`
	)
	// patched is a Quote whose name patch text is marshaled as "Rex" and
	// then replaced by raw, three bytes that need not be UTF-8.
	patched := func(raw string) []byte {
		d := buildertest.Basic()
		d.NamePatch = &builderv1.NamePatch{Text: "Rex", ThreadColor: builderv1.Color_COLOR_BLACK}
		return replaceOnce(t, marshal(t, &builderv1.QuoteRequest{Design: d, Quantity: 1}), "Rex", raw)
	}
	tests := []struct {
		name, procedure string
		json            string // sent as Connect JSON and gRPC JSON; "" for none
		binary          []byte // sent as Connect proto and gRPC proto; nil for none
		field, contains string
	}{
		{"a lone high surrogate", quote,
			`{"design":` + design + `,"namePatch":{"text":"\ud800","threadColor":"COLOR_BLACK"}},"quantity":1}`,
			patched("\xed\xa0\x80"), // U+D800 in UTF-8's form: not UTF-8
			"design.name_patch.text", "UTF-8"},
		{"a lone low surrogate", quote,
			`{"design":` + design + `,"namePatch":{"text":"a\udc00","threadColor":"COLOR_BLACK"}},"quantity":1}`, nil,
			"design.name_patch.text", "UTF-8"},
		{"int64 overflow as text", updateDesign,
			`{"id":"` + id + `","name":"x","design":` + design + `},"expectedVersion":"9223372036854775808"}`,
			// field 4, a varint of ten bytes whose last carries past 64 bits
			append(marshal(t, &builderv1.UpdateDesignRequest{Id: id, Name: "x", Design: buildertest.Basic()}),
				0x20, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f),
			"expected_version", "to 9223372036854775807"},
		{"int64 overflow as a number", updateDesign,
			`{"id":"` + id + `","name":"x","design":` + design + `},"expectedVersion":9223372036854775808}`, nil,
			"expected_version", "from -9223372036854775808 to 9223372036854775807, not 9223372036854775808"},
		{"int64 underflow", updateDesign,
			`{"id":"` + id + `","name":"x","design":` + design + `},"expectedVersion":"-9223372036854775809"}`, nil,
			"expected_version", "whole number"},
		{"a duplicate key", quote, `{"quantity":1,"design":` + design + `},"quantity":2}`, nil,
			"quantity", "more than once"},
		{"a field under its JSON and its proto name", quote,
			`{"design":` + design + `,"webbing_color":"COLOR_RED"},"quantity":1}`, nil,
			"design.webbing_color", "more than once"},
		{"invalid UTF-8 in a nested field", quote,
			`{"design":` + design + `,"namePatch":{"text":"R` + "\xff" + `x"}},"quantity":1}`, patched("R\xffx"),
			"design.name_patch.text", "UTF-8"},
		{"invalid UTF-8 in a list element", quoteCart, "",
			replaceOnce(t, marshal(t, &builderv1.QuoteCartRequest{Lines: []*builderv1.CartLine{
				{Design: buildertest.Basic(), Quantity: 1},
				{Design: withPatch(buildertest.Basic(), "Rex"), Quantity: 1},
			}}), "Rex", "R\xffx"),
			"lines[1].design.name_patch.text", "UTF-8"},
		{"invalid UTF-8 at the top", createDesign, "",
			replaceOnce(t, marshal(t, &builderv1.CreateDesignRequest{Name: "Rex", Design: buildertest.Basic()}), "Rex", "\xc3\x28x"),
			"name", "UTF-8"},
	}
	type protocol struct {
		name   string
		json   bool
		client *connect.Client
	}
	newClient := func(codec string, grpc bool) *connect.Client {
		opts := []connecthttp.Option{connecthttp.WithCodecs(rawCodec(codec))}
		hc := in.hs.Client()
		if grpc {
			opts, hc = append(opts, connecthttp.WithGRPC()), h2cClient()
		}
		return connect.NewClient(connecthttp.NewTransport(hc, in.hs.URL, opts...), auth.BearerToken(alice.token))
	}
	protocols := []protocol{
		{"connect json", true, newClient("json", false)},
		{"grpc json", true, newClient("json", true)},
		{"connect proto", false, newClient("proto", false)},
		{"grpc proto", false, newClient("proto", true)},
	}
	for _, tt := range tests {
		for _, p := range protocols {
			body := tt.binary
			if p.json {
				body = []byte(tt.json)
			}
			if len(body) == 0 {
				continue
			}
			t.Run(tt.name+"/"+p.name, func(t *testing.T) {
				t.Parallel()
				var res rawBody
				err := p.client.CallUnary(t.Context(), connect.Spec{Procedure: tt.procedure, StreamType: connect.StreamTypeUnary}, rawBody(body), &res)
				if connect.CodeOf(err) != connect.CodeInvalidArgument {
					t.Fatalf("error %v, want invalid_argument", err)
				}
				got := validation.ViolationsOf(err)
				if len(got) != 1 || got[0].Path != tt.field || !strings.Contains(got[0].Message, tt.contains) || strings.Contains(got[0].Message, "(line ") {
					t.Errorf("violations %+v, want one on %q saying %q", got, tt.field, tt.contains)
				}
			})
		}
	}
}

func withPatch(d *builderv1.Design, text string) *builderv1.Design {
	d.NamePatch = &builderv1.NamePatch{Text: text, ThreadColor: builderv1.Color_COLOR_BLACK}
	return d
}

func marshal(t *testing.T, m proto.Message) []byte {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// replaceOnce replaces the one occurrence of old in b by a text of the
// same length.
func replaceOnce(t *testing.T, b []byte, old, new string) []byte {
	t.Helper()
	if bytes.Count(b, []byte(old)) != 1 || len(old) != len(new) {
		t.Fatalf("%q occurs %d times in the message; want once, replaced by as many bytes", old, bytes.Count(b, []byte(old)))
	}
	return bytes.Replace(b, []byte(old), []byte(new), 1)
}

// rawBody is a request body sent as it is, or an answer's bytes.
type rawBody []byte

// rawCodec sends a rawBody under its name ("json", "proto") without
// checking it, so a test can send what no marshaler writes, and reads
// answers as bytes; other messages (gRPC's error details) are binary
// protobuf.
type rawCodec string

func (c rawCodec) Name() string { return string(c) }

func (rawCodec) MarshalWrite(ctx context.Context, dst io.Writer, msg any) error {
	if b, ok := msg.(rawBody); ok {
		_, err := dst.Write(b)
		return err
	}
	return connectproto.NewBinaryCodec().MarshalWrite(ctx, dst, msg)
}

func (rawCodec) UnmarshalRead(ctx context.Context, src io.Reader, msg any) error {
	if b, ok := msg.(*rawBody); ok {
		var err error
		*b, err = io.ReadAll(src)
		return err
	}
	return connectproto.NewBinaryCodec().UnmarshalRead(ctx, src, msg)
}
