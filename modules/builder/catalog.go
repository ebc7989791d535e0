package builder

import (
	"context"

	"github.com/harnesshero/platform/domain/catalog"
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
	line, err := catalog.PriceLine(designToDomain(req.GetDesign()), req.GetQuantity())
	if err != nil {
		return nil, err
	}
	return &builderv1.QuoteResponse{Quote: lineToProto(line)}, nil
}

func (s *catalogService) QuoteCart(_ context.Context, req *builderv1.QuoteCartRequest) (*builderv1.QuoteCartResponse, error) {
	inputs := make([]catalog.LineInput, len(req.GetLines()))
	for i, l := range req.GetLines() {
		inputs[i] = catalog.LineInput{Design: designToDomain(l.GetDesign()), Quantity: l.GetQuantity()}
	}
	order, err := catalog.PriceOrder(inputs)
	if err != nil {
		return nil, err
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
	rec := catalog.Recommend(catalog.Measurements{ChestMM: m.GetChestGirthMm(), NeckMM: m.GetNeckGirthMm()})
	return &builderv1.RecommendSizeResponse{
		Size:         builderv1.Size(rec.Size),
		Fits:         rec.Size != catalog.SizeUnspecified,
		FittingSizes: sizesToProto(rec.Fitting),
		ChestSizes:   sizesToProto(rec.ChestSizes),
		NeckSizes:    sizesToProto(rec.NeckSizes),
		Reason:       rec.Reason,
	}, nil
}

// colorHex are display colours for the palette.
var colorHex = map[catalog.Color]string{
	catalog.ColorBlack: "#1b1b1b", catalog.ColorBrown: "#6b4226", catalog.ColorNavy: "#1f2a44",
	catalog.ColorRed: "#c62828", catalog.ColorForest: "#2e5e3a", catalog.ColorTeal: "#00897b",
	catalog.ColorOrange: "#ef6c00", catalog.ColorPink: "#e91e63", catalog.ColorPurple: "#6a1b9a",
	catalog.ColorGrey: "#8a8d91", catalog.ColorYellow: "#f9c80e",
}

func buildCatalog() *builderv1.Catalog {
	c := &builderv1.Catalog{
		Options: &builderv1.OptionPrices{
			ReflectiveTrimCents:     int32(catalog.ReflectiveTrimCents),
			BackHandleCents:         int32(catalog.BackHandleCents),
			NamePatchBaseCents:      int32(catalog.NamePatchBaseCents),
			NamePatchIncludedChars:  catalog.NamePatchFreeChars,
			NamePatchExtraCharCents: int32(catalog.NamePatchExtraCharCents),
			NamePatchMaxChars:       catalog.NamePatchMaxChars,
			IdTagCents:              int32(catalog.IDTagCents),
			IdTagMaxChars:           catalog.IDTagMaxChars,
		},
		Pricing: &builderv1.PricingRules{
			MinQuantity:                catalog.MinQuantity,
			MaxQuantity:                catalog.MaxQuantity,
			DiscountMinQuantity:        catalog.DiscountMinQuantity,
			DiscountPercent:            catalog.DiscountPercent,
			MaxOrderLines:              catalog.MaxOrderLines,
			ShippingCents:              int32(catalog.ShippingCents),
			FreeShippingThresholdCents: int32(catalog.FreeShippingThresholdCents),
			MinGirthMm:                 catalog.MinGirthMM,
			MaxGirthMm:                 catalog.MaxGirthMM,
		},
	}
	for _, s := range catalog.AllStyles() {
		c.Styles = append(c.Styles, &builderv1.StyleOption{
			Style: builderv1.Style(s), Label: s.Label(), BasePriceCents: int32(catalog.StyleBaseCents(s)),
		})
	}
	for _, s := range catalog.SizeTable() {
		c.Sizes = append(c.Sizes, &builderv1.SizeOption{
			Size: builderv1.Size(s.Size), Label: s.Size.Label(),
			ChestMinMm: s.ChestMinMM, ChestMaxMm: s.ChestMaxMM,
			NeckMinMm: s.NeckMinMM, NeckMaxMm: s.NeckMaxMM,
			PriceAdjustmentCents: int32(s.AdjustmentCents),
		})
	}
	for _, m := range catalog.AllMaterials() {
		opt := &builderv1.MaterialOption{
			Material: builderv1.Material(m), Label: m.Label(), PriceCents: int32(catalog.MaterialCents(m)),
		}
		for _, h := range catalog.AllowedHardware(m) {
			opt.AllowedHardware = append(opt.AllowedHardware, builderv1.Hardware(h))
		}
		for _, col := range catalog.AllowedWebbing(m) {
			opt.AllowedWebbingColors = append(opt.AllowedWebbingColors, builderv1.Color(col))
		}
		opt.AllowedSizes = sizesToProto(catalog.AllowedSizes(m))
		for _, st := range catalog.AllowedStyles(m) {
			opt.AllowedStyles = append(opt.AllowedStyles, builderv1.Style(st))
		}
		c.Materials = append(c.Materials, opt)
	}
	for _, h := range catalog.AllHardware() {
		c.Hardware = append(c.Hardware, &builderv1.HardwareOption{
			Hardware: builderv1.Hardware(h), Label: h.Label(), PriceCents: int32(catalog.HardwareCents(h)),
		})
	}
	for _, col := range catalog.AllColors() {
		c.Colors = append(c.Colors, &builderv1.ColorOption{Color: builderv1.Color(col), Label: col.Label(), Hex: colorHex[col]})
	}
	for _, mm := range catalog.LeashLengthsMM() {
		price, _ := catalog.LeashCents(mm)
		c.Leashes = append(c.Leashes, &builderv1.LeashOption{LengthMm: mm, PriceCents: int32(price)})
	}
	for _, r := range catalog.Rules() {
		c.Rules = append(c.Rules, &builderv1.CatalogRule{Id: r.Field + "." + r.ID, Field: r.Field, Description: r.Description})
	}
	return c
}
