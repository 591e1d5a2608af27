// Package nestedmap holds the functions of the nestedmap workflow, which
// prices a shop's stock: per item, per category and overall. Amounts are in
// cents.
package nestedmap

import (
	"context"
	"errors"
	"fmt"
	"sort"
)

// Catalogue is the workflow input.
type Catalogue struct {
	Categories []Category `json:"categories"`
}

// Category is a group of items sold with the same discount.
type Category struct {
	Name            string `json:"name"`
	DiscountPercent int    `json:"discountPercent"`
	Items           []Item `json:"items"`
}

// Item is an article and how many of it are in stock.
type Item struct {
	SKU       string `json:"sku"`
	Name      string `json:"name"`
	UnitPrice int    `json:"unitPrice"`
	Quantity  int    `json:"quantity"`
}

// CategoryHeader is the first parallel branch's result: which category
// this is.
type CategoryHeader struct {
	Name            string `json:"name"`
	DiscountPercent int    `json:"discountPercent"`
}

// ItemList is ListItems' output: the items to price, each with the discount
// of its category, since an inner map branch sees only its own item.
type ItemList struct {
	Items []LineItem `json:"items"`
}

// LineItem is an item to price.
type LineItem struct {
	SKU             string `json:"sku"`
	Name            string `json:"name"`
	UnitPrice       int    `json:"unitPrice"`
	Quantity        int    `json:"quantity"`
	DiscountPercent int    `json:"discountPercent"`
}

// Priced is an item priced before its discount.
type Priced struct {
	SKU             string `json:"sku"`
	Name            string `json:"name"`
	Quantity        int    `json:"quantity"`
	Gross           int    `json:"gross"`
	DiscountPercent int    `json:"discountPercent"`
}

// Line is a priced item after its discount. (Its fields, like those of all
// the types in the result, are in alphabetical order of their JSON names.)
type Line struct {
	Discount int    `json:"discount"`
	Gross    int    `json:"gross"`
	Name     string `json:"name"`
	Net      int    `json:"net"`
	Quantity int    `json:"quantity"`
	SKU      string `json:"sku"`
}

// ItemSums is the second parallel branch's result: a category's lines and
// their sums.
type ItemSums struct {
	Lines    []Line `json:"lines"`
	Discount int    `json:"discount"`
	Gross    int    `json:"gross"`
	Items    int    `json:"items"`
	Net      int    `json:"net"`
	Units    int    `json:"units"`
}

// Part is one result of the parallel, as CloseCategory receives it: a
// CategoryHeader (branch 1) or an ItemSums (branch 2). It has the fields of both.
type Part struct {
	Name            string `json:"name"`
	DiscountPercent int    `json:"discountPercent"`
	Lines           []Line `json:"lines"`
	Discount        int    `json:"discount"`
	Gross           int    `json:"gross"`
	Items           int    `json:"items"`
	Net             int    `json:"net"`
	Units           int    `json:"units"`
}

// CategoryTotal is a category, priced.
type CategoryTotal struct {
	Discount        int    `json:"discount"`
	DiscountPercent int    `json:"discountPercent"`
	Gross           int    `json:"gross"`
	Items           int    `json:"items"` // distinct articles
	Lines           []Line `json:"lines"`
	Name            string `json:"name"`
	Net             int    `json:"net"`
	Units           int    `json:"units"` // articles counted with their quantity
}

// Summary is the workflow result.
type Summary struct {
	Categories []CategoryTotal `json:"categories"`
	Largest    string          `json:"largest"` // the category with the highest net value
	Totals     Totals          `json:"totals"`
}

// Totals adds up the whole catalogue.
type Totals struct {
	Discount int `json:"discount"`
	Gross    int `json:"gross"`
	Items    int `json:"items"`
	Net      int `json:"net"`
	Units    int `json:"units"`
}

// LoadCatalogue checks a catalogue, so that the branches can trust it.
func LoadCatalogue(ctx context.Context, in Catalogue) (Catalogue, error) {
	out := Catalogue{Categories: make([]Category, 0, len(in.Categories))}
	for _, c := range in.Categories {
		if c.Name == "" {
			return Catalogue{}, errors.New("load: a category has no name")
		}
		if c.DiscountPercent < 0 || c.DiscountPercent > 100 {
			return Catalogue{}, fmt.Errorf("load: category %s: discount of %d%%", c.Name, c.DiscountPercent)
		}
		for _, it := range c.Items {
			if it.SKU == "" || it.UnitPrice < 0 || it.Quantity < 0 {
				return Catalogue{}, fmt.Errorf("load: category %s: bad item %+v", c.Name, it)
			}
		}
		if c.Items == nil {
			c.Items = []Item{}
		}
		out.Categories = append(out.Categories, c)
	}
	return out, nil
}

// OpenCategory starts on one category: it puts the items in SKU order.
func OpenCategory(ctx context.Context, in Category) (Category, error) {
	out := in
	out.Items = append([]Item{}, in.Items...)
	sort.SliceStable(out.Items, func(i, j int) bool { return out.Items[i].SKU < out.Items[j].SKU })
	return out, nil
}

// Header keeps a category's name and discount while the items are priced.
func Header(ctx context.Context, in Category) (CategoryHeader, error) {
	return CategoryHeader{Name: in.Name, DiscountPercent: in.DiscountPercent}, nil
}

// ListItems lists a category's items for pricing.
func ListItems(ctx context.Context, in Category) (ItemList, error) {
	out := ItemList{Items: make([]LineItem, 0, len(in.Items))}
	for _, it := range in.Items {
		out.Items = append(out.Items, LineItem{SKU: it.SKU, Name: it.Name, UnitPrice: it.UnitPrice, Quantity: it.Quantity, DiscountPercent: in.DiscountPercent})
	}
	return out, nil
}

// PriceItem prices one item before discount.
func PriceItem(ctx context.Context, in LineItem) (Priced, error) {
	return Priced{SKU: in.SKU, Name: in.Name, Quantity: in.Quantity, Gross: in.UnitPrice * in.Quantity, DiscountPercent: in.DiscountPercent}, nil
}

// ApplyDiscount takes the discount off one priced item, rounding the
// discount to the nearest cent (half a cent up).
func ApplyDiscount(ctx context.Context, in Priced) (Line, error) {
	discount := (in.Gross*in.DiscountPercent + 50) / 100
	return Line{Discount: discount, Gross: in.Gross, Name: in.Name, Net: in.Gross - discount, Quantity: in.Quantity, SKU: in.SKU}, nil
}

// SumItems joins the inner map: it adds up a category's lines, given in item
// order. A category without items gets an empty list and zero sums.
func SumItems(ctx context.Context, in []Line) (ItemSums, error) {
	out := ItemSums{Lines: append([]Line{}, in...), Items: len(in)}
	for _, l := range in {
		out.Discount += l.Discount
		out.Gross += l.Gross
		out.Net += l.Net
		out.Units += l.Quantity
	}
	return out, nil
}

// CloseCategory joins the parallel, given its two results in branch order:
// the header and the item sums.
func CloseCategory(ctx context.Context, in []Part) (CategoryTotal, error) {
	if len(in) != 2 {
		return CategoryTotal{}, fmt.Errorf("close category: want 2 branch results, got %d", len(in))
	}
	h, s := in[0], in[1]
	lines := s.Lines
	if lines == nil {
		lines = []Line{}
	}
	return CategoryTotal{
		Discount:        s.Discount,
		DiscountPercent: h.DiscountPercent,
		Gross:           s.Gross,
		Items:           s.Items,
		Lines:           lines,
		Name:            h.Name,
		Net:             s.Net,
		Units:           s.Units,
	}, nil
}

// Summarize joins the outer map: it adds up the categories, given in
// catalogue order, and names the one with the highest net value (the first
// of them, on a tie).
func Summarize(ctx context.Context, in []CategoryTotal) (Summary, error) {
	out := Summary{Categories: append([]CategoryTotal{}, in...)}
	best := -1
	for _, c := range in {
		out.Totals.Discount += c.Discount
		out.Totals.Gross += c.Gross
		out.Totals.Items += c.Items
		out.Totals.Net += c.Net
		out.Totals.Units += c.Units
		if c.Net > best {
			best, out.Largest = c.Net, c.Name
		}
	}
	return out, nil
}
