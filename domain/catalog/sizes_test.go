package catalog_test

import (
	"slices"
	"testing"

	"github.com/harnesshero/platform/domain/catalog"
)

// specTable is the spec's size table, typed in by hand.
var specTable = []catalog.SizeSpec{
	{Size: catalog.SizeXS, ChestMinMM: 250, ChestMaxMM: 350, NeckMinMM: 180, NeckMaxMM: 260, AdjustmentCents: -400},
	{Size: catalog.SizeS, ChestMinMM: 330, ChestMaxMM: 450, NeckMinMM: 240, NeckMaxMM: 340, AdjustmentCents: -200},
	{Size: catalog.SizeM, ChestMinMM: 430, ChestMaxMM: 580, NeckMinMM: 300, NeckMaxMM: 420, AdjustmentCents: 0},
	{Size: catalog.SizeL, ChestMinMM: 560, ChestMaxMM: 740, NeckMinMM: 380, NeckMaxMM: 520, AdjustmentCents: 300},
	{Size: catalog.SizeXL, ChestMinMM: 710, ChestMaxMM: 900, NeckMinMM: 480, NeckMaxMM: 620, AdjustmentCents: 600},
	{Size: catalog.SizeXXL, ChestMinMM: 860, ChestMaxMM: 1100, NeckMinMM: 580, NeckMaxMM: 750, AdjustmentCents: 900},
}

func TestSizeTable(t *testing.T) {
	t.Parallel()
	got := catalog.SizeTable()
	if !slices.Equal(got, specTable) {
		t.Fatalf("SizeTable() =\n%+v\nwant\n%+v", got, specTable)
	}
	got[0].ChestMinMM = 1 // a fresh copy each call
	if catalog.SizeTable()[0].ChestMinMM != 250 {
		t.Error("SizeTable returns shared storage")
	}
	for _, want := range specTable {
		spec, ok := catalog.SizeSpecFor(want.Size)
		if !ok || spec != want {
			t.Errorf("SizeSpecFor(%v) = %+v, %v", want.Size, spec, ok)
		}
		if got := catalog.SizeAdjustmentCents(want.Size); got != want.AdjustmentCents {
			t.Errorf("SizeAdjustmentCents(%v) = %d, want %d", want.Size, got, want.AdjustmentCents)
		}
	}
	if _, ok := catalog.SizeSpecFor(catalog.SizeUnspecified); ok {
		t.Error("SizeSpecFor(UNSPECIFIED) ok")
	}
	if _, ok := catalog.SizeSpecFor(7); ok {
		t.Error("SizeSpecFor(7) ok")
	}
}

func TestSizeSpecFitsBoundsInclusive(t *testing.T) {
	t.Parallel()
	for _, s := range catalog.SizeTable() {
		want := specTable[s.Size-1]
		tests := []struct {
			m    catalog.Measurements
			fits bool
		}{
			{catalog.Measurements{ChestMM: want.ChestMinMM, NeckMM: want.NeckMinMM}, true},
			{catalog.Measurements{ChestMM: want.ChestMaxMM, NeckMM: want.NeckMaxMM}, true},
			{catalog.Measurements{ChestMM: want.ChestMinMM, NeckMM: want.NeckMaxMM}, true},
			{catalog.Measurements{ChestMM: want.ChestMinMM - 1, NeckMM: want.NeckMinMM}, false},
			{catalog.Measurements{ChestMM: want.ChestMaxMM + 1, NeckMM: want.NeckMinMM}, false},
			{catalog.Measurements{ChestMM: want.ChestMinMM, NeckMM: want.NeckMinMM - 1}, false},
			{catalog.Measurements{ChestMM: want.ChestMinMM, NeckMM: want.NeckMaxMM + 1}, false},
		}
		for _, tt := range tests {
			if got := s.Fits(tt.m); got != tt.fits {
				t.Errorf("%v.Fits(%+v) = %v, want %v", s.Size, tt.m, got, tt.fits)
			}
		}
	}
}

func TestRecommend(t *testing.T) {
	t.Parallel()
	const (
		XS, S, M, L, XL, XXL = catalog.SizeXS, catalog.SizeS, catalog.SizeM, catalog.SizeL, catalog.SizeXL, catalog.SizeXXL
	)
	// Chest midpoints: XS 300, S 390, M 505, L 650, XL 805, XXL 980. Only
	// XS/S can tie exactly (at 345, the mean of 300 and 390, inside both
	// chest ranges); the other neighbours' means end in .5 mm, so the tests
	// around them pin the nearest rule one millimetre either side.
	tests := []struct {
		name       string
		chest      int32
		neck       int32
		want       catalog.Size
		fitting    []catalog.Size
		chestSizes []catalog.Size
		neckSizes  []catalog.Size
	}{
		{"XS only", 300, 200, XS, []catalog.Size{XS}, []catalog.Size{XS}, []catalog.Size{XS}},
		{"XS lower bounds", 250, 180, XS, []catalog.Size{XS}, []catalog.Size{XS}, []catalog.Size{XS}},
		{"XXL upper bounds", 1100, 750, XXL, []catalog.Size{XXL}, []catalog.Size{XXL}, []catalog.Size{XXL}},
		{"XS nearer (340: 40 vs 50)", 340, 250, XS, []catalog.Size{XS, S}, []catalog.Size{XS, S}, []catalog.Size{XS, S}},
		{"XS/S exact tie goes to S (345: 45 vs 45)", 345, 250, S, []catalog.Size{XS, S}, []catalog.Size{XS, S}, []catalog.Size{XS, S}},
		{"S nearer (346)", 346, 250, S, []catalog.Size{XS, S}, []catalog.Size{XS, S}, []catalog.Size{XS, S}},
		{"tie chest but neck only XS", 345, 200, XS, []catalog.Size{XS}, []catalog.Size{XS, S}, []catalog.Size{XS}},
		{"S nearer (447: 57 vs 58)", 447, 320, S, []catalog.Size{S, M}, []catalog.Size{S, M}, []catalog.Size{S, M}},
		{"M nearer (448: 58 vs 57)", 448, 320, M, []catalog.Size{S, M}, []catalog.Size{S, M}, []catalog.Size{S, M}},
		{"fits S and M, S recommended", 440, 320, S, []catalog.Size{S, M}, []catalog.Size{S, M}, []catalog.Size{S, M}},
		{"M nearer (577: 72 vs 73)", 577, 400, M, []catalog.Size{M, L}, []catalog.Size{M, L}, []catalog.Size{M, L}},
		{"L nearer (578: 73 vs 72)", 578, 400, L, []catalog.Size{M, L}, []catalog.Size{M, L}, []catalog.Size{M, L}},
		{"L nearer (727: 77 vs 78)", 727, 500, L, []catalog.Size{L, XL}, []catalog.Size{L, XL}, []catalog.Size{L, XL}},
		{"XL nearer (728: 78 vs 77)", 728, 500, XL, []catalog.Size{L, XL}, []catalog.Size{L, XL}, []catalog.Size{L, XL}},
		{"XL nearer (892: 87 vs 88)", 892, 600, XL, []catalog.Size{XL, XXL}, []catalog.Size{XL, XXL}, []catalog.Size{XL, XXL}},
		{"XXL nearer (893: 88 vs 87)", 893, 600, XXL, []catalog.Size{XL, XXL}, []catalog.Size{XL, XXL}, []catalog.Size{XL, XXL}},
		{"neck restricts to the farther size", 570, 500, L, []catalog.Size{L}, []catalog.Size{M, L}, []catalog.Size{L, XL}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := catalog.Recommend(catalog.Measurements{ChestMM: tt.chest, NeckMM: tt.neck})
			if got.Size != tt.want || got.Reason != "" {
				t.Errorf("Size = %v, Reason = %q; want %v", got.Size, got.Reason, tt.want)
			}
			if !slices.Equal(got.Fitting, tt.fitting) || !slices.Equal(got.ChestSizes, tt.chestSizes) ||
				!slices.Equal(got.NeckSizes, tt.neckSizes) {
				t.Errorf("Fitting %v ChestSizes %v NeckSizes %v; want %v %v %v",
					got.Fitting, got.ChestSizes, got.NeckSizes, tt.fitting, tt.chestSizes, tt.neckSizes)
			}
		})
	}
}

func TestRecommendNoFit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		chest  int32
		neck   int32
		reason string
	}{
		{"chest too small", 249, 200, "chest girth 249 mm is outside every size's range (250–1100 mm)"},
		{"chest too large", 1200, 700, "chest girth 1200 mm is outside every size's range (250–1100 mm)"},
		{"neck too small", 300, 179, "neck girth 179 mm is outside every size's range (180–750 mm)"},
		{"neck too large", 1000, 751, "neck girth 751 mm is outside every size's range (180–750 mm)"},
		{"both outside", 100, 1500, "chest girth 100 mm is outside every size's range (250–1100 mm); " +
			"neck girth 1500 mm is outside every size's range (180–750 mm)"},
		{"disjoint sizes", 1100, 300, "chest girth 1100 mm fits size XXL and neck girth 300 mm fits sizes S, M, but no size fits both"},
		{"disjoint sizes, several each", 345, 400, "chest girth 345 mm fits sizes XS, S and neck girth 400 mm fits sizes M, L, but no size fits both"},
		{"negative girths", -5, -5, "chest girth -5 mm is outside every size's range (250–1100 mm); " +
			"neck girth -5 mm is outside every size's range (180–750 mm)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := catalog.Recommend(catalog.Measurements{ChestMM: tt.chest, NeckMM: tt.neck})
			if got.Size != catalog.SizeUnspecified || len(got.Fitting) != 0 {
				t.Errorf("Size = %v, Fitting = %v; want none", got.Size, got.Fitting)
			}
			if got.Reason != tt.reason {
				t.Errorf("Reason =\n%q\nwant\n%q", got.Reason, tt.reason)
			}
		})
	}
}

// TestRecommendExhaustive checks every chest girth from 100 to 1500 mm against
// neck girths at and inside each size's neck range: the recommendation fits, and no
// other fitting size's chest midpoint is nearer (halves avoided by doubling),
// nor as near and larger. It also proves 345 mm is the only exact tie.
func TestRecommendExhaustive(t *testing.T) {
	t.Parallel()
	dist := func(s catalog.SizeSpec, chest int32) int32 {
		d := 2*chest - (s.ChestMinMM + s.ChestMaxMM)
		return max(d, -d)
	}
	// Each size's neck bounds and middle: the bounds reach into the
	// neighbours' neck ranges, so every pair of overlapping sizes is tried.
	var necks []int32
	for _, s := range specTable {
		necks = append(necks, s.NeckMinMM, (s.NeckMinMM+s.NeckMaxMM)/2, s.NeckMaxMM)
	}
	var ties []int32
	for chest := int32(catalog.MinGirthMM); chest <= catalog.MaxGirthMM; chest++ {
		for _, neck := range necks {
			m := catalog.Measurements{ChestMM: chest, NeckMM: neck}
			r := catalog.Recommend(m)
			if r.Size == catalog.SizeUnspecified {
				continue
			}
			rec := specTable[r.Size-1]
			if !rec.Fits(m) {
				t.Fatalf("%+v: recommended %v does not fit", m, r.Size)
			}
			for _, other := range specTable {
				if other.Size == r.Size || !other.Fits(m) {
					continue
				}
				switch d, dr := dist(other, chest), dist(rec, chest); {
				case d < dr, d == dr && other.Size > r.Size:
					t.Fatalf("%+v: recommended %v, but %v is at least as good", m, r.Size, other.Size)
				case d == dr && !slices.Contains(ties, chest):
					ties = append(ties, chest)
				}
			}
		}
	}
	if !slices.Equal(ties, []int32{345}) {
		t.Errorf("exact ties at %v, want only 345", ties)
	}
}
