package nestedmap

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/unumc/unumc/examples/internal/reference"
)

func TestLoadCatalogue(t *testing.T) {
	ctx := context.Background()
	got, err := LoadCatalogue(ctx, Catalogue{Categories: []Category{{Name: "Empty"}}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Catalogue{Categories: []Category{{Name: "Empty", Items: []Item{}}}}, got); diff != "" {
		t.Errorf("LoadCatalogue (-want +got):\n%s", diff)
	}
	if got, err := LoadCatalogue(ctx, Catalogue{}); err != nil || got.Categories == nil {
		t.Errorf("LoadCatalogue of no categories = %#v, %v; want an empty list", got, err)
	}
	for _, bad := range []Category{
		{Name: ""},
		{Name: "X", DiscountPercent: 101},
		{Name: "X", DiscountPercent: -1},
		{Name: "X", Items: []Item{{SKU: "", UnitPrice: 1, Quantity: 1}}},
		{Name: "X", Items: []Item{{SKU: "A", UnitPrice: -1, Quantity: 1}}},
		{Name: "X", Items: []Item{{SKU: "A", UnitPrice: 1, Quantity: -1}}},
	} {
		if _, err := LoadCatalogue(ctx, Catalogue{Categories: []Category{bad}}); err == nil {
			t.Errorf("LoadCatalogue(%+v): no error", bad)
		}
	}
}

func TestOpenCategory(t *testing.T) {
	in := Category{Name: "C", Items: []Item{{SKU: "b"}, {SKU: "c"}, {SKU: "a"}}}
	got, err := OpenCategory(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Category{Name: "C", Items: []Item{{SKU: "a"}, {SKU: "b"}, {SKU: "c"}}}, got); diff != "" {
		t.Errorf("OpenCategory (-want +got):\n%s", diff)
	}
	if in.Items[0].SKU != "b" {
		t.Error("OpenCategory changed its input")
	}
}

func TestBranches(t *testing.T) {
	ctx := context.Background()
	c := Category{Name: "Paint", DiscountPercent: 15, Items: []Item{{SKU: "P-1", Name: "Brush", UnitPrice: 649, Quantity: 4}}}
	h, err := Header(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if want := (CategoryHeader{Name: "Paint", DiscountPercent: 15}); h != want {
		t.Errorf("Header = %+v, want %+v", h, want)
	}
	list, err := ListItems(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ItemList{Items: []LineItem{{SKU: "P-1", Name: "Brush", UnitPrice: 649, Quantity: 4, DiscountPercent: 15}}}, list); diff != "" {
		t.Errorf("ListItems (-want +got):\n%s", diff)
	}
	if empty, _ := ListItems(ctx, Category{Name: "E", Items: []Item{}}); empty.Items == nil {
		t.Error("ListItems of an empty category gives null, not an empty list")
	}
}

func TestPricing(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		in   LineItem
		want Line
	}{
		{LineItem{SKU: "a", Name: "Tape", UnitPrice: 1299, Quantity: 1, DiscountPercent: 15}, Line{Discount: 195, Gross: 1299, Name: "Tape", Net: 1104, Quantity: 1, SKU: "a"}}, // 194.85
		{LineItem{SKU: "b", UnitPrice: 1850, Quantity: 3, DiscountPercent: 10}, Line{Discount: 555, Gross: 5550, Net: 4995, Quantity: 3, SKU: "b"}},
		{LineItem{SKU: "c", UnitPrice: 10, Quantity: 1, DiscountPercent: 5}, Line{Discount: 1, Gross: 10, Net: 9, Quantity: 1, SKU: "c"}}, // 0.5 rounds up
		{LineItem{SKU: "d", UnitPrice: 399, Quantity: 12}, Line{Gross: 4788, Net: 4788, Quantity: 12, SKU: "d"}},
	} {
		priced, err := PriceItem(ctx, tc.in)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ApplyDiscount(ctx, priced)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("ApplyDiscount(PriceItem(%+v)) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

func TestSumItems(t *testing.T) {
	ctx := context.Background()
	lines := []Line{{Discount: 1, Gross: 10, Net: 9, Quantity: 2, SKU: "a"}, {Gross: 5, Net: 5, Quantity: 1, SKU: "b"}}
	got, err := SumItems(ctx, lines)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ItemSums{Lines: lines, Discount: 1, Gross: 15, Items: 2, Net: 14, Units: 3}, got); diff != "" {
		t.Errorf("SumItems (-want +got):\n%s", diff)
	}
	empty, err := SumItems(ctx, []Line{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ItemSums{Lines: []Line{}}, empty); diff != "" {
		t.Errorf("SumItems of nothing (-want +got):\n%s", diff)
	}
}

func TestCloseCategory(t *testing.T) {
	ctx := context.Background()
	got, err := CloseCategory(ctx, []Part{
		{Name: "Seasonal", DiscountPercent: 25},
		{Lines: []Line{}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(CategoryTotal{DiscountPercent: 25, Lines: []Line{}, Name: "Seasonal"}, got); diff != "" {
		t.Errorf("CloseCategory (-want +got):\n%s", diff)
	}
	if _, err := CloseCategory(ctx, []Part{{Name: "X"}}); err == nil {
		t.Error("CloseCategory with one branch result: no error")
	}
}

func TestSummarize(t *testing.T) {
	in := []CategoryTotal{
		{Name: "A", Discount: 1, Gross: 10, Items: 1, Net: 9, Units: 2, Lines: []Line{}},
		{Name: "B", Gross: 9, Items: 1, Net: 9, Units: 1, Lines: []Line{}},
		{Name: "C", Lines: []Line{}},
	}
	got, err := Summarize(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	want := Summary{Categories: in, Largest: "A", Totals: Totals{Discount: 1, Gross: 19, Items: 2, Net: 18, Units: 3}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Summarize (-want +got):\n%s", diff)
	}
}

// TestWorkflow runs the workflow by hand:
//
//	start -> LoadCatalogue -> map .categories {
//		OpenCategory -> parallel {
//			Header
//			ListItems -> map .items { PriceItem -> ApplyDiscount } -> SumItems
//		} -> CloseCategory
//	} -> Summarize
//
// A map runs its branch once per element of the array at its path; a
// parallel gives both branches the same input; every join gets the list of
// results in order, an empty one for an empty map.
func TestWorkflow(t *testing.T) {
	ctx := context.Background()
	catalogue, err := LoadCatalogue(ctx, reference.Load[Catalogue](t, "input.json"))
	if err != nil {
		t.Fatal(err)
	}

	categories := []CategoryTotal{}
	emptyMaps := 0
	for _, elem := range reference.Elements(t, catalogue, ".categories") {
		opened, err := OpenCategory(ctx, reference.Via[Category](t, elem))
		if err != nil {
			t.Fatal(err)
		}

		// parallel branch 1
		header, err := Header(ctx, reference.Via[Category](t, opened))
		if err != nil {
			t.Fatal(err)
		}

		// parallel branch 2
		list, err := ListItems(ctx, reference.Via[Category](t, opened))
		if err != nil {
			t.Fatal(err)
		}
		lines := []Line{}
		items := reference.Elements(t, list, ".items")
		for _, item := range items {
			priced, err := PriceItem(ctx, reference.Via[LineItem](t, item))
			if err != nil {
				t.Fatal(err)
			}
			line, err := ApplyDiscount(ctx, reference.Via[Priced](t, priced))
			if err != nil {
				t.Fatal(err)
			}
			lines = append(lines, line)
		}
		if len(items) == 0 {
			emptyMaps++
		}
		sums, err := SumItems(ctx, reference.Via[[]Line](t, lines))
		if err != nil {
			t.Fatal(err)
		}

		total, err := CloseCategory(ctx, reference.Via[[]Part](t, []any{header, sums}))
		if err != nil {
			t.Fatal(err)
		}
		categories = append(categories, total)
	}
	if emptyMaps == 0 {
		t.Error("the bundled catalogue should have a category without items")
	}

	out, err := Summarize(ctx, reference.Via[[]CategoryTotal](t, categories))
	if err != nil {
		t.Fatal(err)
	}
	reference.CheckWant(t, out, "want.json")
}
