package codec_test

import (
	"bytes"
	"errors"
	"testing"

	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connectproto"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"

	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	"github.com/harnesshero/platform/platform/codec"
)

// quoteJSON is a valid QuoteRequest with a nested message, enums, a list
// of nothing and an integer: the shape of a typical request.
const quoteJSON = `{"design":{"style":"STYLE_VEST","size":"SIZE_M","material":"MATERIAL_NYLON",
	"hardware":"HARDWARE_PLASTIC","webbingColor":"COLOR_TEAL","trimColor":"COLOR_RED","backHandle":true,
	"namePatch":{"text":"Rex","threadColor":"COLOR_BLACK"},"measurements":{"chestGirthMm":650,"neckGirthMm":400}},
	"quantity":2}`

func quote() *builderv1.QuoteRequest {
	return &builderv1.QuoteRequest{
		Design: &builderv1.Design{
			Style: builderv1.Style_STYLE_VEST, Size: builderv1.Size_SIZE_M, Material: builderv1.Material_MATERIAL_NYLON,
			Hardware: builderv1.Hardware_HARDWARE_PLASTIC, WebbingColor: builderv1.Color_COLOR_TEAL,
			TrimColor: builderv1.Color_COLOR_RED.Enum(), BackHandle: true,
			NamePatch:    &builderv1.NamePatch{Text: "Rex", ThreadColor: builderv1.Color_COLOR_BLACK},
			Measurements: &builderv1.Measurements{ChestGirthMm: 650, NeckGirthMm: 400},
		},
		Quantity: 2,
	}
}

func TestJSONCodecDecodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		into proto.Message
		want proto.Message
	}{
		{"valid", quoteJSON, &builderv1.QuoteRequest{}, quote()},
		{
			"unknown fields are ignored",
			`{"quantity":2,"future":{"a":[1,"x",null,{"b":true}]},"design":{"style":"STYLE_VEST","extra":"x"}}`,
			&builderv1.QuoteRequest{},
			&builderv1.QuoteRequest{Quantity: 2, Design: &builderv1.Design{Style: builderv1.Style_STYLE_VEST}},
		},
		{
			"proto names and enum numbers",
			`{"statuses":[2,"ORDER_STATUS_PAID"],"page_size":"5"}`,
			&orderv1.AdminListOrdersRequest{},
			&orderv1.AdminListOrdersRequest{
				Statuses: []orderv1.OrderStatus{2, orderv1.OrderStatus_ORDER_STATUS_PAID}, PageSize: 5,
			},
		},
		{"null leaves a field unset", `{"design":null,"quantity":null}`, &builderv1.QuoteRequest{}, &builderv1.QuoteRequest{}},
	}
	c := codec.NewJSONCodec()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := c.UnmarshalRead(t.Context(), bytes.NewBufferString(tt.body), tt.into); err != nil {
				t.Fatalf("UnmarshalRead: %v", err)
			}
			if diff := cmp.Diff(tt.want, tt.into, protocmp.Transform()); diff != "" {
				t.Errorf("decoded (-want +got):\n%s", diff)
			}
		})
	}
}

func TestJSONCodecNamesTheField(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		body     string
		into     proto.Message
		path     string
		rule     string
		contains string
	}{
		{"unknown enum name in a list", `{"statuses":["ORDER_STATUS_PAID","ORDER_STATUS_PAYED"]}`,
			&orderv1.AdminListOrdersRequest{}, "statuses[1]", codec.RuleEnumDefined, `"ORDER_STATUS_PAYED" is not a known value`},
		{"unknown enum name beside an unknown field", `{"future":1,"statuses":["ORDER_STATUS_PAYED"]}`,
			&orderv1.AdminListOrdersRequest{}, "statuses[0]", codec.RuleEnumDefined, "ORDER_STATUS_PAID"},
		{"unknown enum name in a nested message", `{"design":{"namePatch":{"threadColor":"COLOR_PLAID"}}}`,
			&builderv1.QuoteRequest{}, "design.name_patch.thread_color", codec.RuleEnumDefined, "COLOR_PLAID"},
		{"design sent as text", `{"design":"vest","quantity":1}`,
			&builderv1.QuoteRequest{}, "design", codec.RuleJSONType, "must be an object, not text"},
		{"lines sent as an object", `{"lines":{"designId":"x","quantity":1}}`,
			&orderv1.CreateOrderRequest{}, "lines", codec.RuleJSONType, "must be a list, not an object"},
		{"a list element of the wrong type", `{"lines":[{"quantity":1},"x"]}`,
			&orderv1.CreateOrderRequest{}, "lines[1]", codec.RuleJSONType, "must be an object"},
		{"invalid UTF-8", "{\"name\":\"Rex\xff\"}",
			&builderv1.CreateDesignRequest{}, "name", codec.RuleJSONSyntax, "UTF-8"},
		{"bad escape", `{"name":"a\qb"}`,
			&builderv1.CreateDesignRequest{}, "name", codec.RuleJSONSyntax, `invalid escape sequence \q`},
		{"bad escape in a nested field", `{"design":{"namePatch":{"text":"\x41"}}}`,
			&builderv1.CreateDesignRequest{}, "design.name_patch.text", codec.RuleJSONSyntax, "invalid escape"},
		{"a raw line break in text", "{\"name\":\"a\nb\"}",
			&builderv1.CreateDesignRequest{}, "name", codec.RuleJSONSyntax, "control character"},
		{"text for a number", `{"quantity":"two"}`,
			&builderv1.QuoteRequest{}, "quantity", codec.RuleJSONNumber, "whole number"},
		{"a number out of range", `{"quantity":1e20}`,
			&builderv1.QuoteRequest{}, "quantity", codec.RuleJSONNumber, "whole number"},
		{"a fraction", `{"quantity":1.5}`,
			&builderv1.QuoteRequest{}, "quantity", codec.RuleJSONNumber, "whole number"},
		{"cut off", `{"design":{"style":"STYLE_VEST"`,
			&builderv1.QuoteRequest{}, "design", codec.RuleJSONSyntax, "ends too early"},
		{"empty body", ``, &builderv1.QuoteRequest{}, "", codec.RuleJSONSyntax, "empty"},
		{"blank body", " \n", &builderv1.QuoteRequest{}, "", codec.RuleJSONSyntax, "empty"},
		{"a list for a body", `[1]`, &builderv1.QuoteRequest{}, "", codec.RuleJSONType, "must be a JSON object, not a list"},
		{"text after the object", `{"quantity":1} x`, &builderv1.QuoteRequest{}, "", codec.RuleJSONSyntax, "after the JSON object"},
		// Issue 18 item 6.
		{"a lone high surrogate", `{"name":"a\ud800b"}`,
			&builderv1.CreateDesignRequest{}, "name", codec.RuleJSONSyntax, `lone UTF-16 surrogate \ud800`},
		{"a high surrogate before a non-surrogate escape", `{"name":"\ud800\u0041"}`,
			&builderv1.CreateDesignRequest{}, "name", codec.RuleJSONSyntax, "surrogate"},
		{"a lone low surrogate", `{"design":{"namePatch":{"text":"\uDC00"}}}`,
			&builderv1.CreateDesignRequest{}, "design.name_patch.text", codec.RuleJSONSyntax, `lone UTF-16 surrogate \udc00`},
		{"int64 one past the top", `{"expectedVersion":"9223372036854775808"}`,
			&builderv1.UpdateDesignRequest{}, "expected_version", codec.RuleJSONNumber, "from -9223372036854775808 to 9223372036854775807, not"},
		{"int64 one past the top as a number", `{"expectedVersion":9223372036854775808}`,
			&builderv1.UpdateDesignRequest{}, "expected_version", codec.RuleJSONNumber, "to 9223372036854775807,"},
		{"int64 one below the bottom", `{"expectedVersion":-9223372036854775809}`,
			&builderv1.UpdateDesignRequest{}, "expected_version", codec.RuleJSONNumber, "whole number"},
		{"int64 as an exponent too large", `{"expectedVersion":1e19}`,
			&builderv1.UpdateDesignRequest{}, "expected_version", codec.RuleJSONNumber, "whole number"},
		{"int32 one past the top", `{"quantity":2147483648}`,
			&builderv1.QuoteRequest{}, "quantity", codec.RuleJSONNumber, "from -2147483648 to 2147483647, not 2147483648"},
		{"a key twice", `{"quantity":1,"quantity":1}`,
			&builderv1.QuoteRequest{}, "quantity", codec.RuleJSONDuplicate, "more than once"},
		{"a field under both names", `{"design":{"backHandle":true,"back_handle":false}}`,
			&builderv1.QuoteRequest{}, "design.back_handle", codec.RuleJSONDuplicate, `("backHandle", then "back_handle")`},
		{"a key twice in a list element", `{"lines":[{"quantity":1},{"quantity":1,"quantity":2}]}`,
			&orderv1.CreateOrderRequest{}, "lines[1].quantity", codec.RuleJSONDuplicate, "more than once"},
	}
	c := codec.NewJSONCodec()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := c.UnmarshalRead(t.Context(), bytes.NewBufferString(tt.body), tt.into)
			var derr *codec.DecodeError
			if !errors.As(err, &derr) {
				t.Fatalf("UnmarshalRead = %v, want a *DecodeError", err)
			}
			if derr.Path != tt.path || derr.Rule != tt.rule || !bytes.Contains([]byte(derr.Message), []byte(tt.contains)) {
				t.Errorf("got path %q rule %q message %q, want path %q rule %q message containing %q",
					derr.Path, derr.Rule, derr.Message, tt.path, tt.rule, tt.contains)
			}
		})
	}
}

// TestJSONCodecAcceptsTheEdges: the edges of what the diagnosis refuses
// still decode: a surrogate pair, the int64 extremes, an unknown key twice.
func TestJSONCodecAcceptsTheEdges(t *testing.T) {
	t.Parallel()
	c := codec.NewJSONCodec()
	for _, body := range []string{
		`{"name":"dog \ud83d\udc36"}`,
		`{"expectedVersion":"9223372036854775807"}`,
		`{"expectedVersion":-9223372036854775808}`,
		`{"name":"x","future":1,"future":2}`,
	} {
		into := &builderv1.UpdateDesignRequest{}
		if err := c.UnmarshalRead(t.Context(), bytes.NewBufferString(body), into); err != nil {
			t.Errorf("%s: %v", body, err)
		}
	}
}

// TestConnectCodecDropsUnknownEnumNames documents why the codec exists: the
// lenient decoding of connect's codec turns a misspelt filter into no
// filter. If it ever refuses, JSONCodec's strict-first decoding may go.
func TestConnectCodecDropsUnknownEnumNames(t *testing.T) {
	t.Parallel()
	var req orderv1.AdminListOrdersRequest
	err := connectproto.NewJSONCodec().UnmarshalRead(t.Context(), bytes.NewBufferString(`{"statuses":["ORDER_STATUS_PAYED"]}`), &req)
	if err != nil || len(req.GetStatuses()) != 0 {
		t.Errorf("connect's codec: err %v, statuses %v; it now refuses, see JSONCodec", err, req.GetStatuses())
	}
}

// BenchmarkJSONDecode compares the success path of JSONCodec with
// connect's codec on a typical request, given the body as connect gives it
// (a *bytes.Buffer); and JSONCodec on the same request with an unknown
// field, which takes its slow path (strict, diagnose, lenient).
func BenchmarkJSONDecode(b *testing.B) {
	known := []byte(quoteJSON)
	unknown := []byte(`{"future":1,` + quoteJSON[1:])
	for _, bc := range []struct {
		name  string
		codec connect.Codec
		data  []byte
	}{
		{"connect", connectproto.NewJSONCodec(), known},
		{"validation", codec.NewJSONCodec(), known},
		{"connect/unknown_field", connectproto.NewJSONCodec(), unknown},
		{"validation/unknown_field", codec.NewJSONCodec(), unknown},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			ctx := b.Context()
			for b.Loop() {
				var msg builderv1.QuoteRequest
				if err := bc.codec.UnmarshalRead(ctx, bytes.NewBuffer(bc.data), &msg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
