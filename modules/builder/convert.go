package builder

import (
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/harnesshero/platform/domain/catalog"
	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
)

// The domain enums share the contract's numbers, so conversions are casts.

func designToDomain(d *builderv1.Design) catalog.Design {
	out := catalog.Design{
		Style:          catalog.Style(d.GetStyle()),
		Size:           catalog.Size(d.GetSize()),
		Material:       catalog.Material(d.GetMaterial()),
		Hardware:       catalog.Hardware(d.GetHardware()),
		Webbing:        catalog.Color(d.GetWebbingColor()),
		Trim:           catalog.Color(d.GetTrimColor()),
		ReflectiveTrim: d.GetReflectiveTrim(),
		BackHandle:     d.GetBackHandle(),
	}
	if d.TrimColor != nil && d.GetTrimColor() == builderv1.Color_COLOR_UNSPECIFIED {
		// A trim colour sent as UNSPECIFIED is a broken rule 11, not "no trim".
		out.Trim = catalog.Color(-1)
	}
	if p := d.GetNamePatch(); p != nil {
		out.NamePatch = &catalog.NamePatch{Text: p.GetText(), Thread: catalog.Color(p.GetThreadColor())}
	}
	if l := d.GetLeash(); l != nil {
		out.LeashMM = l.GetLengthMm()
		if out.LeashMM == 0 {
			out.LeashMM = -1 // a leash without a length is invalid, not "no leash"
		}
	}
	if t := d.GetIdTag(); t != nil {
		out.IDTag = &catalog.IDTag{Engraving: t.GetEngraving()}
	}
	if m := d.GetMeasurements(); m != nil {
		out.Measurements = &catalog.Measurements{ChestMM: m.GetChestGirthMm(), NeckMM: m.GetNeckGirthMm()}
	}
	return out
}

func lineToProto(l catalog.LinePrice) *builderv1.LineQuote {
	parts := make([]*builderv1.PricePart, 0, len(l.Unit.Parts))
	for _, p := range l.Unit.Parts {
		parts = append(parts, &builderv1.PricePart{Code: p.Code, Label: p.Label, AmountCents: int32(p.AmountCents)})
	}
	return &builderv1.LineQuote{
		UnitPriceCents: int32(l.Unit.TotalCents),
		Parts:          parts,
		Quantity:       l.Quantity,
		SubtotalCents:  int32(l.SubtotalCents),
		DiscountCents:  int32(l.DiscountCents),
		TotalCents:     int32(l.TotalCents),
	}
}

func sizesToProto(sizes []catalog.Size) []builderv1.Size {
	out := make([]builderv1.Size, len(sizes))
	for i, s := range sizes {
		out[i] = builderv1.Size(s)
	}
	return out
}

func savedToProto(d savedDesign) *builderv1.SavedDesign {
	return &builderv1.SavedDesign{
		Id:         d.ID,
		OwnerId:    d.OwnerID,
		Name:       d.Name,
		Design:     d.Design,
		Quote:      d.Quote,
		Version:    d.Version,
		CreateTime: timestamppb.New(d.CreatedAt),
		UpdateTime: timestamppb.New(d.UpdatedAt),
	}
}
