package catalog_test

import (
	"errors"
	"testing"

	"github.com/harnesshero/platform/domain/catalog"
)

// enumFrom maps v onto -1..n+1: every defined value of an enum with n values,
// plus UNSPECIFIED and one unknown value on each side.
func enumFrom(v int64, n int64) int32 {
	r := v % (n + 3)
	if r < 0 {
		r += n + 3
	}
	return int32(r - 1)
}

// leashFrom maps sel onto none, the two lengths on sale, or a raw length.
func leashFrom(sel uint8, raw int32) int32 {
	switch sel % 4 {
	case 0:
		return 0
	case 1:
		return 1200
	case 2:
		return 1800
	}
	return raw
}

func FuzzPriceLine(f *testing.F) {
	// style, size, material, hardware, webbing, trim, thread, flags, patch,
	// leashSel, leashRaw, engraving, chest, neck, quantity
	f.Add(int64(1), int64(3), int64(1), int64(1), int64(1), int64(0), int64(4), uint8(0), "", uint8(0), int32(0), "", int32(0), int32(0), int32(1))
	f.Add(int64(3), int64(4), int64(2), int64(3), int64(3), int64(7), int64(11), uint8(0xff), "Biscuit", uint8(2), int32(0), "Call 555-0100", int32(650), int32(450), int32(3))
	f.Add(int64(4), int64(6), int64(3), int64(3), int64(2), int64(1), int64(4), uint8(0xff), "Maximilian J", uint8(2), int32(0), "Call 555-0100 O'Neil", int32(1000), int32(700), int32(10))
	f.Add(int64(3), int64(1), int64(3), int64(1), int64(4), int64(4), int64(4), uint8(0xff), " bad  text ", uint8(3), int32(1500), "Zoë", int32(50), int32(2000), int32(0))
	f.Add(int64(-1), int64(99), int64(-7), int64(5), int64(13), int64(12), int64(0), uint8(0x0f), "O'Neil-2", uint8(3), int32(-1800), "-", int32(345), int32(250), int32(11))
	f.Fuzz(func(t *testing.T, style, size, material, hardware, webbing, trim, thread int64, flags uint8,
		patchText string, leashSel uint8, leashRaw int32, engraving string, chest, neck, quantity int32) {
		d := catalog.Design{
			Style:          catalog.Style(enumFrom(style, 4)),
			Size:           catalog.Size(enumFrom(size, 6)),
			Material:       catalog.Material(enumFrom(material, 3)),
			Hardware:       catalog.Hardware(enumFrom(hardware, 3)),
			Webbing:        catalog.Color(enumFrom(webbing, 11)),
			Trim:           catalog.Color(enumFrom(trim, 11)),
			ReflectiveTrim: flags&1 != 0,
			BackHandle:     flags&2 != 0,
			LeashMM:        leashFrom(leashSel, leashRaw),
		}
		if flags&4 != 0 {
			d.NamePatch = &catalog.NamePatch{Text: patchText, Thread: catalog.Color(enumFrom(thread, 11))}
		}
		if flags&8 != 0 {
			d.IDTag = &catalog.IDTag{Engraving: engraving}
		}
		if flags&16 != 0 {
			d.Measurements = &catalog.Measurements{ChestMM: chest, NeckMM: neck}
		}

		lp, err := catalog.PriceLine(d, quantity)
		if err != nil {
			if !errors.Is(err, catalog.ErrInvalidQuantity) && !errors.Is(err, catalog.ErrInvalidDesign) {
				t.Fatalf("unexpected error %v", err)
			}
			var ve *catalog.ValidationError
			if errors.As(err, &ve) && len(ve.Violations) == 0 {
				t.Fatal("ValidationError with no violations")
			}
			if quantity >= catalog.MinQuantity && quantity <= catalog.MaxQuantity && catalog.Validate(d) == nil {
				t.Fatalf("valid design and quantity %d refused: %v", quantity, err)
			}
			return
		}
		checkLine(t, lp, quantity)

		// Line totals never fall as the quantity rises.
		prev := int64(-1)
		for q := int32(catalog.MinQuantity); q <= catalog.MaxQuantity; q++ {
			lp, err := catalog.PriceLine(d, q)
			if err != nil {
				t.Fatalf("quantity %d: %v", q, err)
			}
			checkLine(t, lp, q)
			if lp.TotalCents < prev {
				t.Fatalf("total at quantity %d is %d, below %d at %d", q, lp.TotalCents, prev, q-1)
			}
			prev = lp.TotalCents
		}
	})
}

func checkLine(t *testing.T, lp catalog.LinePrice, q int32) {
	t.Helper()
	var sum int64
	for _, p := range lp.Unit.Parts {
		sum += p.AmountCents
	}
	switch {
	case lp.Quantity != q:
		t.Fatalf("Quantity = %d, want %d", lp.Quantity, q)
	case sum != lp.Unit.TotalCents:
		t.Fatalf("parts sum %d != unit total %d", sum, lp.Unit.TotalCents)
	case lp.Unit.TotalCents < 0 || lp.SubtotalCents < 0 || lp.DiscountCents < 0 || lp.TotalCents < 0:
		t.Fatalf("negative figure: %+v", lp)
	case lp.SubtotalCents != lp.Unit.TotalCents*int64(q):
		t.Fatalf("subtotal %d != %d × %d", lp.SubtotalCents, lp.Unit.TotalCents, q)
	case lp.TotalCents != lp.SubtotalCents-lp.DiscountCents:
		t.Fatalf("total %d != %d - %d", lp.TotalCents, lp.SubtotalCents, lp.DiscountCents)
	case q < catalog.DiscountMinQuantity && lp.DiscountCents != 0:
		t.Fatalf("discount %d below %d pieces", lp.DiscountCents, catalog.DiscountMinQuantity)
	}
}

func FuzzRecommend(f *testing.F) {
	f.Add(int32(300), int32(200))
	f.Add(int32(345), int32(250))
	f.Add(int32(1100), int32(300))
	f.Add(int32(1200), int32(800))
	f.Add(int32(-2147483648), int32(2147483647))
	f.Fuzz(func(t *testing.T, chest, neck int32) {
		m := catalog.Measurements{ChestMM: chest, NeckMM: neck}
		r := catalog.Recommend(m)
		if r.Size == catalog.SizeUnspecified {
			if r.Reason == "" || len(r.Fitting) != 0 {
				t.Fatalf("no size but Reason %q, Fitting %v", r.Reason, r.Fitting)
			}
			return
		}
		spec, ok := catalog.SizeSpecFor(r.Size)
		if !ok || !spec.Fits(m) {
			t.Fatalf("recommended %v does not fit %+v", r.Size, m)
		}
		if r.Reason != "" {
			t.Fatalf("Reason %q with a recommended size", r.Reason)
		}
		for i, s := range r.Fitting {
			if spec, _ := catalog.SizeSpecFor(s); !spec.Fits(m) || (i > 0 && r.Fitting[i-1] >= s) {
				t.Fatalf("Fitting %v is wrong for %+v", r.Fitting, m)
			}
		}
	})
}
