package builder

import (
	"context"

	"github.com/harnesshero/platform/domain/builder"
	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	"github.com/harnesshero/platform/gen/harness/builder/v1/builderv1connect"
)

// catalogService implements the public CatalogService: pure functions of
// the domain, no storage.
type catalogService struct {
	catalog *builderv1.Catalog // built once; never mutated
}

var _ builderv1connect.CatalogServiceHandler = (*catalogService)(nil)

func newCatalogService() *catalogService {
	return &catalogService{catalog: buildCatalog()}
}

func (s *catalogService) GetCatalog(context.Context, *builderv1.GetCatalogRequest) (*builderv1.GetCatalogResponse, error) {
	return &builderv1.GetCatalogResponse{Catalog: s.catalog}, nil
}

func (s *catalogService) Quote(_ context.Context, req *builderv1.QuoteRequest) (*builderv1.QuoteResponse, error) {
	line, err := builder.PriceLine(designToDomain(req.GetDesign()), req.GetQuantity())
	if err != nil {
		return nil, toConnectError(req, "design", err)
	}
	return &builderv1.QuoteResponse{Quote: lineToProto(line)}, nil
}

func (s *catalogService) QuoteCart(_ context.Context, req *builderv1.QuoteCartRequest) (*builderv1.QuoteCartResponse, error) {
	inputs := make([]builder.LineInput, len(req.GetLines()))
	for i, l := range req.GetLines() {
		inputs[i] = builder.LineInput{Design: designToDomain(l.GetDesign()), Quantity: l.GetQuantity()}
	}
	order, err := builder.PriceOrder(inputs)
	if err != nil {
		return nil, toConnectError(req, "lines", err)
	}
	res := &builderv1.QuoteCartResponse{
		SubtotalCents: int32(order.SubtotalCents),
		ShippingCents: int32(order.ShippingCents),
		TotalCents:    int32(order.TotalCents),
	}
	for _, l := range order.Lines {
		res.Lines = append(res.Lines, lineToProto(l))
	}
	return res, nil
}

func (s *catalogService) RecommendSize(_ context.Context, req *builderv1.RecommendSizeRequest) (*builderv1.RecommendSizeResponse, error) {
	m := req.GetMeasurements()
	rec := builder.Recommend(builder.Measurements{ChestMM: m.GetChestGirthMm(), NeckMM: m.GetNeckGirthMm()})
	return &builderv1.RecommendSizeResponse{
		Size:         builderv1.Size(rec.Size),
		Fits:         rec.Size != builder.SizeUnspecified,
		FittingSizes: sizesToProto(rec.Fitting),
		ChestSizes:   sizesToProto(rec.ChestSizes),
		NeckSizes:    sizesToProto(rec.NeckSizes),
		Reason:       rec.Reason,
	}, nil
}

// colorHex are display colours for the palette.
var colorHex = map[builder.Color]string{
	builder.ColorBlack: "#1b1b1b", builder.ColorBrown: "#6b4226", builder.ColorNavy: "#1f2a44",
	builder.ColorRed: "#c62828", builder.ColorForest: "#2e5e3a", builder.ColorTeal: "#00897b",
	builder.ColorOrange: "#ef6c00", builder.ColorPink: "#e91e63", builder.ColorPurple: "#6a1b9a",
	builder.ColorGrey: "#8a8d91", builder.ColorYellow: "#f9c80e",
}

func buildCatalog() *builderv1.Catalog {
	c := &builderv1.Catalog{
		Options: &builderv1.OptionPrices{
			ReflectiveTrimCents:     int32(builder.ReflectiveTrimCents),
			BackHandleCents:         int32(builder.BackHandleCents),
			NamePatchBaseCents:      int32(builder.NamePatchBaseCents),
			NamePatchIncludedChars:  builder.NamePatchFreeChars,
			NamePatchExtraCharCents: int32(builder.NamePatchExtraCharCents),
			NamePatchMaxChars:       builder.NamePatchMaxChars,
			IdTagCents:              int32(builder.IDTagCents),
			IdTagMaxChars:           builder.IDTagMaxChars,
		},
		Pricing: &builderv1.PricingRules{
			MinQuantity:                builder.MinQuantity,
			MaxQuantity:                builder.MaxQuantity,
			DiscountMinQuantity:        builder.DiscountMinQuantity,
			DiscountPercent:            builder.DiscountPercent,
			MaxOrderLines:              builder.MaxOrderLines,
			ShippingCents:              int32(builder.ShippingCents),
			FreeShippingThresholdCents: int32(builder.FreeShippingThresholdCents),
			MinGirthMm:                 builder.MinGirthMM,
			MaxGirthMm:                 builder.MaxGirthMM,
		},
	}
	for _, s := range builder.AllStyles() {
		c.Styles = append(c.Styles, &builderv1.StyleOption{
			Style: builderv1.Style(s), Label: s.Label(), BasePriceCents: int32(builder.StyleBaseCents(s)),
		})
	}
	for _, s := range builder.SizeTable() {
		c.Sizes = append(c.Sizes, &builderv1.SizeOption{
			Size: builderv1.Size(s.Size), Label: s.Size.Label(),
			ChestMinMm: s.ChestMinMM, ChestMaxMm: s.ChestMaxMM,
			NeckMinMm: s.NeckMinMM, NeckMaxMm: s.NeckMaxMM,
			PriceAdjustmentCents: int32(s.AdjustmentCents),
		})
	}
	for _, m := range builder.AllMaterials() {
		opt := &builderv1.MaterialOption{
			Material: builderv1.Material(m), Label: m.Label(), PriceCents: int32(builder.MaterialCents(m)),
		}
		for _, h := range builder.AllowedHardware(m) {
			opt.AllowedHardware = append(opt.AllowedHardware, builderv1.Hardware(h))
		}
		for _, col := range builder.AllowedWebbing(m) {
			opt.AllowedWebbingColors = append(opt.AllowedWebbingColors, builderv1.Color(col))
		}
		opt.AllowedSizes = sizesToProto(builder.AllowedSizes(m))
		for _, st := range builder.AllowedStyles(m) {
			opt.AllowedStyles = append(opt.AllowedStyles, builderv1.Style(st))
		}
		c.Materials = append(c.Materials, opt)
	}
	for _, h := range builder.AllHardware() {
		c.Hardware = append(c.Hardware, &builderv1.HardwareOption{
			Hardware: builderv1.Hardware(h), Label: h.Label(), PriceCents: int32(builder.HardwareCents(h)),
		})
	}
	for _, col := range builder.AllColors() {
		c.Colors = append(c.Colors, &builderv1.ColorOption{Color: builderv1.Color(col), Label: col.Label(), Hex: colorHex[col]})
	}
	for _, mm := range builder.LeashLengthsMM() {
		price, _ := builder.LeashCents(mm)
		c.Leashes = append(c.Leashes, &builderv1.LeashOption{LengthMm: mm, PriceCents: int32(price)})
	}
	for _, r := range builder.Rules() {
		c.Rules = append(c.Rules, &builderv1.CatalogRule{Id: r.Field + "." + r.ID, Field: r.Field, Description: r.Description})
	}
	return c
}
