package catalog_test

import (
	"errors"
	"fmt"

	"github.com/harnesshero/platform/domain/catalog"
)

func ExamplePriceLine() {
	d := catalog.Design{
		Style:     catalog.StyleVest,
		Size:      catalog.SizeL,
		Material:  catalog.MaterialPaddedMesh,
		Hardware:  catalog.HardwareStainless,
		Webbing:   catalog.ColorNavy,
		NamePatch: &catalog.NamePatch{Text: "Biscuit", Thread: catalog.ColorOrange},
	}
	line, err := catalog.PriceLine(d, 3)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range line.Unit.Parts {
		fmt.Printf("%-12s %-26s %6d\n", p.Code, p.Label, p.AmountCents)
	}
	fmt.Println("unit", line.Unit.TotalCents)
	fmt.Println("subtotal", line.SubtotalCents)
	fmt.Println("discount", line.DiscountCents)
	fmt.Println("total", line.TotalCents)
	// Output:
	// style        Vest harness                 4600
	// size         Size L                        300
	// material     Padded mesh                   800
	// hardware     Stainless steel hardware     1100
	// name_patch   Name patch (7 characters)     750
	// unit 7550
	// subtotal 22650
	// discount 2265
	// total 20385
}

func ExampleValidate() {
	err := catalog.Validate(catalog.Design{
		Style:    catalog.StyleVest,
		Size:     catalog.SizeM,
		Material: catalog.MaterialLeather,
		Hardware: catalog.HardwarePlastic,
		Webbing:  catalog.ColorBlack,
	})
	var ve *catalog.ValidationError
	if errors.As(err, &ve) {
		for _, v := range ve.Violations {
			fmt.Printf("%s (%s): %s\n", v.Field, v.Rule, v.Message)
		}
	}
	fmt.Println(errors.Is(err, catalog.ErrInvalidDesign))
	// Output:
	// hardware (leather_hardware): Leather needs aluminum or stainless steel hardware
	// style (leather_style): Leather is not made for the vest style
	// true
}

func ExampleRecommend() {
	fmt.Println(catalog.Recommend(catalog.Measurements{ChestMM: 440, NeckMM: 320}).Size)
	fmt.Println(catalog.Recommend(catalog.Measurements{ChestMM: 1200, NeckMM: 600}).Reason)
	// Output:
	// S
	// chest girth 1200 mm is outside every size's range (250–1100 mm)
}
