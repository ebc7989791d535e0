package server_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	validatepb "buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"
	"buf.build/go/protovalidate"
	connect "connectrpc.com/connect/v2"
	"google.golang.org/protobuf/proto"

	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	userv1 "github.com/harnesshero/platform/gen/harness/user/v1"
	"github.com/harnesshero/platform/gen/harness/user/v1/userv1connect"
	"github.com/harnesshero/platform/platform/auth"
	"github.com/harnesshero/platform/platform/storage"
)

// violation is one entry of a buf.validate.Violations error detail.
type violation struct{ field, rule, message string }

// postJSON posts body as Connect JSON to procedure, as token when it is
// not empty, and returns the status, the error code and the violations of
// the error's buf.validate.Violations details.
func postJSON(t *testing.T, in *instance, procedure, token, body string) (int, string, []violation) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, in.hs.URL+procedure, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := in.hs.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode == http.StatusOK {
		return res.StatusCode, "", nil
	}
	var wire struct {
		Code    string `json:"code"`
		Details []struct {
			Type  string `json:"type"`
			Value string `json:"value"`
		} `json:"details"`
	}
	if err := json.Unmarshal(raw, &wire); err != nil {
		t.Fatalf("%s: error body %q: %v", procedure, raw, err)
	}
	var out []violation
	for _, d := range wire.Details {
		if d.Type != "buf.validate.Violations" {
			continue
		}
		b, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(d.Value, "="))
		if err != nil {
			t.Fatalf("detail value %q: %v", d.Value, err)
		}
		var vs validatepb.Violations
		if err := proto.Unmarshal(b, &vs); err != nil {
			t.Fatal(err)
		}
		for _, v := range vs.GetViolations() {
			out = append(out, violation{protovalidate.FieldPathString(v.GetField()), v.GetRuleId(), v.GetMessage()})
		}
	}
	return res.StatusCode, wire.Code, out
}

// TestBadInput sends the bad inputs of issue 8 (items 4-7) as Connect JSON
// and expects each refused as invalid_argument with a violation naming the
// offending field, every violation at once, and nothing changed.
func TestBadInput(t *testing.T) {
	t.Parallel()
	in := start(t, storage.SQLite, nil)
	tr := in.httpTransport()
	alice, admin := signUp(t, tr), signUpAdmin(t, in, tr)
	designID := saveDesign(t, tr, alice, vest())

	const basic = `{"style":"STYLE_STEP_IN","size":"SIZE_M","material":"MATERIAL_NYLON","hardware":"HARDWARE_PLASTIC","webbingColor":"COLOR_BLACK"}`
	// Breaks a contract rule (LEATHER needs metal hardware) and rule 10
	// (size S does not fit chest 600 mm / neck 400 mm).
	const both = `{"style":"STYLE_STEP_IN","size":"SIZE_S","material":"MATERIAL_LEATHER","hardware":"HARDWARE_PLASTIC",` +
		`"webbingColor":"COLOR_BLACK","measurements":{"chestGirthMm":600,"neckGirthMm":400}}`
	const addr = `{"name":"A","line1":"1 Road","city":"X","postalCode":"12345","countryCode":"US"}`
	const (
		register     = "/harness.user.v1.UserService/Register"
		signIn       = "/harness.user.v1.UserService/SignIn"
		updateProf   = "/harness.user.v1.UserService/UpdateProfile"
		createDesign = "/harness.builder.v1.DesignService/CreateDesign"
		updateDesign = "/harness.builder.v1.DesignService/UpdateDesign"
		quote        = "/harness.builder.v1.CatalogService/Quote"
		quoteCart    = "/harness.builder.v1.CatalogService/QuoteCart"
		adminList    = "/harness.order.v1.OrderService/AdminListOrders"
		createOrder  = "/harness.order.v1.OrderService/CreateOrder"
	)
	tests := []struct {
		name, procedure, token, body string
		// want are the violations that must be among those returned; an
		// empty rule matches any.
		want []violation
	}{
		// Item 4: NUL in free text.
		{"4 Register.displayName NUL", register, "",
			`{"email":"nul-register@example.com","password":"correct horse battery","displayName":"Rex\u0000"}`,
			[]violation{{field: "display_name", rule: "string.no_nul"}}},
		{"4 SignIn.email NUL", signIn, "",
			fmt.Sprintf(`{"email":"%s\u0000","password":"correct horse battery"}`, alice.email),
			[]violation{{field: "email", rule: "string.no_nul"}}},
		{"4 UpdateProfile.displayName NUL", updateProf, alice.token, `{"displayName":"\u0000Rex"}`,
			[]violation{{field: "display_name", rule: "string.no_nul"}}},
		{"4 CreateDesign.name NUL", createDesign, alice.token, `{"name":"Rex\u0000","design":` + basic + `}`,
			[]violation{{field: "name", rule: "string.no_nul"}}},
		{"4 UpdateDesign.name NUL", updateDesign, alice.token,
			fmt.Sprintf(`{"id":%q,"name":"a\u0000b","design":%s}`, designID, basic),
			[]violation{{field: "name", rule: "string.no_nul"}}},
		// Item 5: an enum name the contract does not define.
		{"5 AdminListOrders unknown status", adminList, admin.token, `{"statuses":["ORDER_STATUS_PAYED"]}`,
			[]violation{{field: "statuses[0]", rule: "enum.defined_only"}}},
		{"5 AdminListOrders undefined status number", adminList, admin.token, `{"statuses":[99]}`,
			[]violation{{field: "statuses[0]", rule: "enum.defined_only"}}},
		{"5 Quote unknown style", quote, "", `{"design":{"style":"STYLE_CAPE"},"quantity":1}`,
			[]violation{{field: "design.style", rule: "enum.defined_only"}}},
		// Item 6: contract and size-fit violations at once.
		{"6 CreateDesign contract and fit", createDesign, alice.token, `{"name":"both","design":` + both + `}`,
			[]violation{{field: "design.hardware", rule: "hardware.leather_hardware"}, {field: "design.size", rule: "size.size_fit"}}},
		{"6 Quote contract and fit", quote, "", `{"design":` + both + `,"quantity":11}`,
			[]violation{{field: "design.hardware"}, {field: "design.size", rule: "size.size_fit"}, {field: "quantity"}}},
		{"6 QuoteCart contract and fit", quoteCart, "",
			`{"lines":[{"design":` + basic + `,"quantity":1},{"design":` + both + `,"quantity":1}]}`,
			[]violation{{field: "lines[1].design.hardware"}, {field: "lines[1].design.size", rule: "size.size_fit"}}},
		// Item 7: bodies that do not decode.
		{"7 design sent as text", createDesign, alice.token, `{"name":"x","design":"vest"}`,
			[]violation{{field: "design", rule: "json.type"}}},
		{"7 lines sent as an object", createOrder, alice.token,
			fmt.Sprintf(`{"lines":{"designId":%q,"quantity":1},"shippingAddress":%s}`, designID, addr),
			[]violation{{field: "lines", rule: "json.type"}}},
		{"7 invalid UTF-8", createDesign, alice.token, "{\"name\":\"Rex\xff\xfe\",\"design\":" + basic + "}",
			[]violation{{field: "name", rule: "json.syntax"}}},
		{"7 bad escape", createDesign, alice.token, `{"name":"a\qb","design":` + basic + `}`,
			[]violation{{field: "name", rule: "json.syntax"}}},
		{"7 bad escape in a nested field", createDesign, alice.token,
			`{"name":"x","design":{"style":"STYLE_STEP_IN","namePatch":{"text":"\x41"}}}`,
			[]violation{{field: "design.name_patch.text", rule: "json.syntax"}}},
		{"7 empty body", createDesign, alice.token, ``,
			[]violation{{field: "", rule: "json.syntax"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, code, got := postJSON(t, in, tt.procedure, tt.token, tt.body)
			if status != http.StatusBadRequest || code != "invalid_argument" {
				t.Fatalf("status %d code %q, want 400 invalid_argument", status, code)
			}
			for _, w := range tt.want {
				found := false
				for _, g := range got {
					found = found || g.field == w.field && (w.rule == "" || g.rule == w.rule)
				}
				if !found {
					t.Errorf("no violation on %q (rule %q) among %v", w.field, w.rule, got)
				}
			}
			for _, g := range got {
				if g.message == "" || strings.Contains(g.message, "(line ") {
					t.Errorf("violation %v: want a plain message without a line number", g)
				}
			}
		})
	}

	// Nothing changed.
	users := userv1connect.NewUserServiceClient(connect.NewClient(tr, auth.BearerToken(alice.token)))
	profile, err := users.GetProfile(t.Context(), &userv1.GetProfileRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if got := profile.GetUser().GetDisplayName(); got != "Test User" {
		t.Errorf("display name = %q, want it unchanged", got)
	}
	list, err := as(tr, alice).Designs.ListDesigns(t.Context(), &builderv1.ListDesignsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(list.GetDesigns()); n != 1 || list.GetDesigns()[0].GetName() != "for an order" || list.GetDesigns()[0].GetVersion() != 1 {
		t.Errorf("designs = %v, want the one saved design unchanged", list.GetDesigns())
	}
	mine, err := orders(tr, alice).ListOrders(t.Context(), &orderv1.ListOrdersRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(mine.GetOrders()); n != 0 {
		t.Errorf("%d orders, want none", n)
	}
	if _, err := users.Register(t.Context(), &userv1.RegisterRequest{
		Email: "nul-register@example.com", Password: "correct horse battery", DisplayName: "Rex",
	}); err != nil {
		t.Errorf("the refused registration took the email: %v", err)
	}
}

// TestDecodeUnknownFieldsStillIgnored: the strict decoding that refuses an
// unknown enum name still lets a newer client send fields this server does
// not know.
func TestDecodeUnknownFieldsStillIgnored(t *testing.T) {
	t.Parallel()
	in := start(t, storage.SQLite, nil)
	status, _, got := postJSON(t, in, "/harness.builder.v1.CatalogService/Quote", "",
		`{"design":{"style":"STYLE_STEP_IN","size":"SIZE_M","material":"MATERIAL_NYLON","hardware":"HARDWARE_PLASTIC",`+
			`"webbingColor":"COLOR_BLACK","glitter":true},"quantity":1,"coupon":{"code":"X"}}`)
	if status != http.StatusOK {
		t.Errorf("status %d %v, want 200", status, got)
	}
}
