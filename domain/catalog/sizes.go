package catalog

import (
	"strconv"
	"strings"
)

// SizeSpec is one row of the size table: the girths a size fits (inclusive,
// millimetres) and its price adjustment in cents (may be negative).
type SizeSpec struct {
	Size            Size
	ChestMinMM      int32
	ChestMaxMM      int32
	NeckMinMM       int32
	NeckMaxMM       int32
	AdjustmentCents int64
}

// sizeTable is the spec's size table, XS to XXL; index i holds Size(i+1).
var sizeTable = [...]SizeSpec{
	{SizeXS, 250, 350, 180, 260, -400},
	{SizeS, 330, 450, 240, 340, -200},
	{SizeM, 430, 580, 300, 420, 0},
	{SizeL, 560, 740, 380, 520, 300},
	{SizeXL, 710, 900, 480, 620, 600},
	{SizeXXL, 860, 1100, 580, 750, 900},
}

// SizeTable returns the size table, XS to XXL, as a fresh slice.
func SizeTable() []SizeSpec { return append([]SizeSpec(nil), sizeTable[:]...) }

// SizeSpecFor returns the size table row of s, and false for an invalid size.
func SizeSpecFor(s Size) (SizeSpec, bool) {
	if !s.Valid() {
		return SizeSpec{}, false
	}
	return sizeTable[s-1], true
}

// SizeAdjustmentCents returns the price adjustment of a size (negative for
// the small sizes), or 0 for an invalid size.
func SizeAdjustmentCents(s Size) int64 {
	spec, _ := SizeSpecFor(s)
	return spec.AdjustmentCents
}

// Fits reports whether both girths of m fall inside the size's ranges,
// bounds included.
func (s SizeSpec) Fits(m Measurements) bool {
	return s.fitsChest(m.ChestMM) && s.fitsNeck(m.NeckMM)
}

func (s SizeSpec) fitsChest(mm int32) bool { return s.ChestMinMM <= mm && mm <= s.ChestMaxMM }
func (s SizeSpec) fitsNeck(mm int32) bool  { return s.NeckMinMM <= mm && mm <= s.NeckMaxMM }

// chestDistance returns twice the distance from mm to the middle of the
// chest range, so the comparison stays in integers without halves.
func (s SizeSpec) chestDistance(mm int32) int64 {
	d := 2*int64(mm) - (int64(s.ChestMinMM) + int64(s.ChestMaxMM))
	if d < 0 {
		return -d
	}
	return d
}

// Recommendation is the outcome of [Recommend].
type Recommendation struct {
	// Size is the recommended size, or SizeUnspecified when none fits.
	Size Size
	// Fitting lists every size that fits both girths, ascending.
	Fitting []Size
	// ChestSizes lists the sizes whose chest range holds the chest girth.
	ChestSizes []Size
	// NeckSizes lists the sizes whose neck range holds the neck girth.
	NeckSizes []Size
	// Reason is empty when a size fits; otherwise it says why none does:
	// which girth is outside every size's range, or which sizes each girth
	// fits when no size fits both.
	Reason string
}

// Recommend returns the size to recommend for a pet's measurements: among
// the sizes that fit both girths, the one whose chest range midpoint is
// nearest the chest girth, a tie going to the larger size. When no size fits
// it never guesses: Size is SizeUnspecified and Reason says why.
//
// Recommend accepts any girths, including ones [Validate] refuses.
func Recommend(m Measurements) Recommendation {
	var r Recommendation
	var bestDistance int64
	for _, spec := range sizeTable {
		chest, neck := spec.fitsChest(m.ChestMM), spec.fitsNeck(m.NeckMM)
		if chest {
			r.ChestSizes = append(r.ChestSizes, spec.Size)
		}
		if neck {
			r.NeckSizes = append(r.NeckSizes, spec.Size)
		}
		if !chest || !neck {
			continue
		}
		r.Fitting = append(r.Fitting, spec.Size)
		// The table is ascending, so "<=" hands a tie to the larger size.
		if d := spec.chestDistance(m.ChestMM); r.Size == SizeUnspecified || d <= bestDistance {
			r.Size, bestDistance = spec.Size, d
		}
	}
	if r.Size == SizeUnspecified {
		r.Reason = noFitReason(m, r)
	}
	return r
}

// noFitReason explains why no size fits m.
func noFitReason(m Measurements, r Recommendation) string {
	first, last := sizeTable[0], sizeTable[len(sizeTable)-1]
	var reasons []string
	if len(r.ChestSizes) == 0 {
		reasons = append(reasons, outsideReason("chest", m.ChestMM, first.ChestMinMM, last.ChestMaxMM))
	}
	if len(r.NeckSizes) == 0 {
		reasons = append(reasons, outsideReason("neck", m.NeckMM, first.NeckMinMM, last.NeckMaxMM))
	}
	if len(reasons) > 0 {
		return strings.Join(reasons, "; ")
	}
	return "chest girth " + mm(m.ChestMM) + " fits " + sizeList(r.ChestSizes) +
		" and neck girth " + mm(m.NeckMM) + " fits " + sizeList(r.NeckSizes) +
		", but no size fits both"
}

func outsideReason(girth string, got, lo, hi int32) string {
	return girth + " girth " + mm(got) + " is outside every size's range (" +
		strconv.Itoa(int(lo)) + "–" + mm(hi) + ")"
}

// mm formats a length such as "600 mm".
func mm(v int32) string { return strconv.Itoa(int(v)) + " mm" }

// sizeList formats sizes as "XS, S" ("size M" for one).
func sizeList(sizes []Size) string {
	names := make([]string, len(sizes))
	for i, s := range sizes {
		names[i] = s.String()
	}
	if len(names) == 1 {
		return "size " + names[0]
	}
	return "sizes " + strings.Join(names, ", ")
}
