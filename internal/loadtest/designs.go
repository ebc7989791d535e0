package loadtest

import (
	"math/rand/v2"
	"slices"

	"github.com/harnesshero/platform/domain/catalog"
	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
)

// Designs come from the catalog's own rules (domain/catalog): a valid one
// passes catalog.Validate, an invalid one fails it, and the price the
// platform must answer is catalog.PriceLine's. The numeric values of the
// domain's enums are the contract's (domain/catalog/enums.go).

var (
	petNames  = []string{"Biscuit", "Rex", "Luna", "Mochi", "Pepper", "Ziggy", "Bear", "O'Malley", "Coco-Bean", "Sir Wags"}
	tagTexts  = []string{"Call 555-0100", "If lost call Ada", "Biscuit", "Good Dog", "Reward"}
	leashesMM = catalog.LeashLengthsMM()
)

func pick[T any](r *rand.Rand, list []T) T { return list[r.IntN(len(list))] }

// otherColor draws a colour other than c.
func otherColor(r *rand.Rand, c catalog.Color) catalog.Color {
	colors := slices.DeleteFunc(catalog.AllColors(), func(x catalog.Color) bool { return x == c })
	return pick(r, colors)
}

// girthsFor draws measurements that fit size s.
func girthsFor(r *rand.Rand, s catalog.Size) *catalog.Measurements {
	spec, _ := catalog.SizeSpecFor(s)
	return &catalog.Measurements{
		ChestMM: spec.ChestMinMM + r.Int32N(spec.ChestMaxMM-spec.ChestMinMM+1),
		NeckMM:  spec.NeckMinMM + r.Int32N(spec.NeckMaxMM-spec.NeckMinMM+1),
	}
}

// newDesign draws a design that follows every rule of the catalog.
func newDesign(r *rand.Rand) catalog.Design {
	m := pick(r, catalog.AllMaterials())
	d := catalog.Design{
		Material: m,
		Style:    pick(r, catalog.AllowedStyles(m)),
		Size:     pick(r, catalog.AllowedSizes(m)),
		Hardware: pick(r, catalog.AllowedHardware(m)),
		Webbing:  pick(r, catalog.AllowedWebbing(m)),
	}
	if r.IntN(10) < 3 {
		d.Trim = otherColor(r, d.Webbing)
	}
	d.ReflectiveTrim = r.IntN(10) < 4
	d.BackHandle = d.Size != catalog.SizeXS && r.IntN(10) < 3
	if r.IntN(10) < 3 {
		d.NamePatch = &catalog.NamePatch{Text: pick(r, petNames), Thread: otherColor(r, d.Webbing)}
	}
	if r.IntN(4) == 0 {
		d.LeashMM = pick(r, leashesMM)
	}
	if r.IntN(7) == 0 {
		d.IDTag = &catalog.IDTag{Engraving: pick(r, tagTexts)}
	}
	if r.IntN(5) == 0 {
		d.Measurements = girthsFor(r, d.Size)
	}
	return d
}

// changeOption returns d with one option changed, as a shopper clicks
// through the builder, and still valid; after a few draws that all broke
// a rule it returns a new design.
func changeOption(r *rand.Rand, d catalog.Design) catalog.Design {
	for range 20 {
		c := d
		switch r.IntN(11) {
		case 0:
			c.Style = pick(r, catalog.AllStyles())
		case 1:
			c.Size = pick(r, catalog.AllSizes())
			if c.Measurements != nil {
				c.Measurements = girthsFor(r, c.Size)
			}
		case 2:
			c.Material = pick(r, catalog.AllMaterials())
		case 3:
			c.Hardware = pick(r, catalog.AllHardware())
		case 4:
			c.Webbing = pick(r, catalog.AllColors())
		case 5:
			c.Trim = catalog.ColorUnspecified
			if d.Trim == catalog.ColorUnspecified {
				c.Trim = otherColor(r, c.Webbing)
			}
		case 6:
			c.ReflectiveTrim = !c.ReflectiveTrim
		case 7:
			c.BackHandle = !c.BackHandle
		case 8:
			c.NamePatch = nil
			if d.NamePatch == nil {
				c.NamePatch = &catalog.NamePatch{Text: pick(r, petNames), Thread: otherColor(r, c.Webbing)}
			}
		case 9:
			c.LeashMM = pick(r, append([]int32{0}, leashesMM...))
		default:
			c.IDTag = nil
			if d.IDTag == nil {
				c.IDTag = &catalog.IDTag{Engraving: pick(r, tagTexts)}
			}
		}
		if catalog.Validate(c) == nil {
			return c
		}
	}
	return newDesign(r)
}

// breakRule returns d changed so that it breaks one of the catalog's rules
// (1 to 8 or 10), as a client that skipped the builder's checks would send.
func breakRule(r *rand.Rand, d catalog.Design) catalog.Design {
	c := d
	switch r.IntN(9) {
	case 0: // rule 1
		c.Material, c.Hardware = catalog.MaterialLeather, catalog.HardwarePlastic
	case 1: // rule 2
		c.Material, c.Size, c.Measurements = catalog.MaterialLeather, catalog.SizeXS, nil
	case 2: // rule 3
		c.Material, c.Style = catalog.MaterialLeather, catalog.StyleVest
	case 3: // rule 4
		c.Material, c.Webbing = catalog.MaterialLeather, catalog.ColorRed
	case 4: // rule 5
		c.Size, c.BackHandle, c.Measurements = catalog.SizeXS, true, nil
	case 5: // rule 6
		c.Trim = c.Webbing
	case 6: // rule 7
		c.NamePatch = &catalog.NamePatch{Text: "Biscuit", Thread: c.Webbing}
	case 7: // rule 8
		c.NamePatch = &catalog.NamePatch{Text: "Sir  Wags", Thread: otherColor(r, c.Webbing)}
	default: // rule 10
		c.Size, c.Measurements = catalog.SizeXS, &catalog.Measurements{ChestMM: 900, NeckMM: 600}
	}
	return c
}

// toProto is the contract's Design of d.
func toProto(d catalog.Design) *builderv1.Design {
	p := &builderv1.Design{
		Style:          builderv1.Style(d.Style),
		Size:           builderv1.Size(d.Size),
		Material:       builderv1.Material(d.Material),
		Hardware:       builderv1.Hardware(d.Hardware),
		WebbingColor:   builderv1.Color(d.Webbing),
		ReflectiveTrim: d.ReflectiveTrim,
		BackHandle:     d.BackHandle,
	}
	if d.Trim != catalog.ColorUnspecified {
		trim := builderv1.Color(d.Trim)
		p.TrimColor = &trim
	}
	if n := d.NamePatch; n != nil {
		p.NamePatch = &builderv1.NamePatch{Text: n.Text, ThreadColor: builderv1.Color(n.Thread)}
	}
	if d.LeashMM != 0 {
		p.Leash = &builderv1.Leash{LengthMm: d.LeashMM}
	}
	if t := d.IDTag; t != nil {
		p.IdTag = &builderv1.IdTag{Engraving: t.Engraving}
	}
	if m := d.Measurements; m != nil {
		p.Measurements = &builderv1.Measurements{ChestGirthMm: m.ChestMM, NeckGirthMm: m.NeckMM}
	}
	return p
}

// newMeasurements draws a pet's girths: mostly inside the size table, one
// in ten outside every size (the answer then says why none fits).
func newMeasurements(r *rand.Rand) catalog.Measurements {
	if r.IntN(10) == 0 {
		return catalog.Measurements{ChestMM: 120 + r.Int32N(100), NeckMM: 120 + r.Int32N(50)}
	}
	return *girthsFor(r, pick(r, catalog.AllSizes()))
}
