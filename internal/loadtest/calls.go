package loadtest

import (
	"fmt"
	"net/http"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/harnesshero/platform/domain/catalog"
	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	"github.com/harnesshero/platform/gen/harness/builder/v1/builderv1connect"
)

// call is one hit: its request, and what its answer does to the shop.
type call struct {
	action Action
	// rpc names it in the report: "CatalogService/Quote", or
	// "Webhook/payments" for the payment provider's webhook.
	rpc    string
	method string
	path   string
	// req is sent as Connect JSON, unless body is set.
	req    proto.Message
	body   []byte
	token  string
	header http.Header
	// res receives a successful answer's message; nil when the answer is
	// not read.
	res proto.Message
	// invalid: the request breaks a catalog rule on purpose, and
	// InvalidArgument is the expected answer.
	invalid bool
	// ok applies a successful answer to the shop (mu held); a non-empty
	// result says what was wrong with the answer.
	ok func(s *shop) string
	// failed gives back what the call took from the shop when it did not
	// succeed (mu held); changed reports whether the platform may have
	// applied it all the same (a timeout or a 5xx).
	failed func(s *shop, changed bool)
}

// rpcName is "Service/Method" of a procedure "/pkg.Service/Method".
func rpcName(procedure string) string {
	svc, method, _ := strings.Cut(strings.TrimPrefix(procedure, "/"), "/")
	return svc[strings.LastIndexByte(svc, '.')+1:] + "/" + method
}

// rpcCall is a Connect unary POST of req to procedure.
func rpcCall(a Action, procedure string, req, res proto.Message) *call {
	return &call{action: a, rpc: rpcName(procedure), method: http.MethodPost, path: procedure, req: req, res: res}
}

// next builds the call for action a, or for another action when a has
// nothing to act on yet (mu held).
func (s *shop) next(a Action) *call {
	switch a {
	case Catalog:
		return s.catalogCall()
	case Quote:
		return s.quoteCall()
	case Cart:
		return s.cartCall()
	case Size:
		return s.sizeCall()
	case Register:
		return s.registerCall()
	case SignIn:
		return s.signInCall()
	case Save:
		return s.saveCall()
	case List:
		return s.listCall()
	case Open:
		return s.openCall()
	case Checkout:
		return s.checkoutCall()
	case Pay:
		return s.payCall()
	case Cancel:
		return s.cancelCall()
	case Orders:
		return s.ordersCall()
	case Admin:
		return s.adminCall()
	default:
		return s.quoteCall()
	}
}

// catalogCall is GetCatalog as a cacheable GET, as a page load sends it.
func (s *shop) catalogCall() *call {
	return &call{
		action: Catalog, rpc: rpcName(builderv1connect.CatalogServiceGetCatalogProcedure), method: http.MethodGet,
		path: builderv1connect.CatalogServiceGetCatalogProcedure + "?encoding=json&message=%7B%7D",
	}
}

// quoteCall changes one option of an open builder page and quotes it; a
// share of the quotes break a rule instead.
func (s *shop) quoteCall() *call {
	i := s.rnd.IntN(len(s.sessions))
	s.sessions[i] = changeOption(s.rnd, s.sessions[i])
	d, qty := s.sessions[i], int32(1)
	if s.rnd.IntN(5) == 0 {
		qty = 2 + s.rnd.Int32N(4)
	}
	invalid := s.rnd.Float64() < s.cfg.InvalidShare
	if invalid {
		d = breakRule(s.rnd, d)
	}
	res := &builderv1.QuoteResponse{}
	c := rpcCall(Quote, builderv1connect.CatalogServiceQuoteProcedure,
		&builderv1.QuoteRequest{Design: toProto(d), Quantity: qty}, res)
	c.invalid = invalid
	c.ok = func(*shop) string {
		if invalid {
			return "accepted a design that breaks a rule: " + fmt.Sprint(catalog.Validate(d))
		}
		want, err := catalog.PriceLine(d, qty)
		if err != nil {
			return "the run drew an invalid design: " + err.Error()
		}
		if got := res.GetQuote().GetTotalCents(); int64(got) != want.TotalCents {
			return fmt.Sprintf("Quote total %d cents, the spec says %d", got, want.TotalCents)
		}
		return ""
	}
	return c
}

// cartCall quotes one to three new designs together, with shipping.
func (s *shop) cartCall() *call {
	n := 1 + s.rnd.IntN(3)
	req := &builderv1.QuoteCartRequest{}
	lines := make([]catalog.LineInput, n)
	for i := range lines {
		lines[i] = catalog.LineInput{Design: newDesign(s.rnd), Quantity: 1 + s.rnd.Int32N(3)}
		req.Lines = append(req.Lines, &builderv1.CartLine{Design: toProto(lines[i].Design), Quantity: lines[i].Quantity})
	}
	res := &builderv1.QuoteCartResponse{}
	c := rpcCall(Cart, builderv1connect.CatalogServiceQuoteCartProcedure, req, res)
	c.ok = func(*shop) string {
		want, err := catalog.PriceOrder(lines)
		if err != nil {
			return "the run drew an invalid cart: " + err.Error()
		}
		if got := res.GetTotalCents(); int64(got) != want.TotalCents {
			return fmt.Sprintf("QuoteCart total %d cents, the spec says %d", got, want.TotalCents)
		}
		return ""
	}
	return c
}

// sizeCall asks for the size that fits a pet.
func (s *shop) sizeCall() *call {
	m := newMeasurements(s.rnd)
	res := &builderv1.RecommendSizeResponse{}
	c := rpcCall(Size, builderv1connect.CatalogServiceRecommendSizeProcedure, &builderv1.RecommendSizeRequest{
		Measurements: &builderv1.Measurements{ChestGirthMm: m.ChestMM, NeckGirthMm: m.NeckMM},
	}, res)
	c.ok = func(*shop) string {
		if got, want := catalog.Size(res.GetSize()), catalog.Recommend(m).Size; got != want {
			return fmt.Sprintf("RecommendSize(%d, %d mm) = %v, the spec says %v", m.ChestMM, m.NeckMM, got, want)
		}
		return ""
	}
	return c
}
