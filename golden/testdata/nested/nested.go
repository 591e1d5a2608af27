// Package nested holds the functions of the nested golden case.
package nested

import (
	"context"
	"strings"
)

// Item is a product.
type Item struct {
	Name  string `json:"name"`
	Cents int    `json:"cents"`
}

// Cat is a category of products.
type Cat struct {
	Name  string `json:"name"`
	Items []Item `json:"items"`
}

// Catalog is the workflow input.
type Catalog struct {
	Categories []Cat `json:"categories"`
}

// CatalogFn passes the catalogue on.
func CatalogFn(_ context.Context, c Catalog) (Catalog, error) { return c, nil }

// Category passes one category on.
func Category(_ context.Context, c Cat) (Cat, error) { return c, nil }

// Price takes an item's price.
func Price(_ context.Context, it Item) (int, error) { return it.Cents, nil }

// Tax adds 10%, rounding down.
func Tax(_ context.Context, cents int) (int, error) { return cents + cents/10, nil }

// Subtotal sums prices.
func Subtotal(_ context.Context, cents []int) (int, error) {
	s := 0
	for _, c := range cents {
		s += c
	}
	return s, nil
}

// NameList is the list of a category's item names.
type NameList struct {
	Names []string `json:"names"`
}

// Names lists item names.
func Names(_ context.Context, c Cat) (NameList, error) {
	l := NameList{Names: []string{}}
	for _, it := range c.Items {
		l.Names = append(l.Names, it.Name)
	}
	return l, nil
}

// Upper upper-cases a name.
func Upper(_ context.Context, s string) (string, error) { return strings.ToUpper(s), nil }

// Listing joins names.
func Listing(_ context.Context, names []string) (string, error) { return strings.Join(names, ","), nil }

// Stats counts items.
func Stats(_ context.Context, c Cat) (int, error) { return len(c.Items), nil }

// Line is one category's summary.
type Line struct {
	Total   int    `json:"total"`
	Listing string `json:"listing"`
	Count   int    `json:"count"`
}

// Combine reads the three branch results: subtotal, listing, count.
func Combine(_ context.Context, parts [3]any) (Line, error) {
	l := Line{}
	if f, ok := parts[0].(float64); ok {
		l.Total = int(f)
	}
	l.Listing, _ = parts[1].(string)
	if f, ok := parts[2].(float64); ok {
		l.Count = int(f)
	}
	return l, nil
}

// Report is the final output.
type Report struct {
	Lines []Line `json:"lines"`
	Grand int    `json:"grand"`
}

// ReportFn sums the categories.
func ReportFn(_ context.Context, lines []Line) (Report, error) {
	r := Report{Lines: lines}
	for _, l := range lines {
		r.Grand += l.Total
	}
	return r, nil
}
