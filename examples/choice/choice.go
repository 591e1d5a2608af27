// Package choice holds the functions of the choice workflow: an order is
// assessed once, and a choose sends it down one of five routes.
package choice

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Order is the workflow input.
type Order struct {
	ID       string   `json:"id"`
	Customer Customer `json:"customer"`
	Lines    []Line   `json:"lines"`
	Shipping string   `json:"shipping"`         // "standard" or "express"
	Coupon   string   `json:"coupon,omitempty"` // a coupon code, if any
}

// Customer is who placed an order.
type Customer struct {
	Name        string `json:"name"`
	Tier        string `json:"tier"`        // "basic", "silver" or "gold"
	CreditLimit int    `json:"creditLimit"` // in euros
}

// Line is one line of an order.
type Line struct {
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
}

// Assessment is what the choose looks at: the order's facts, flattened.
type Assessment struct {
	OrderID     string `json:"orderId"`
	Tier        string `json:"tier"`
	CreditLimit int    `json:"creditLimit"`
	Total       int    `json:"total"`     // in euros
	ItemCount   int    `json:"itemCount"` // number of articles
	Hazardous   bool   `json:"hazardous"` // holds an article that needs special handling
	Shipping    string `json:"shipping"`
	Coupon      string `json:"coupon,omitempty"` // a known coupon code, if any
}

// Outcome is the workflow result: what becomes of the order.
type Outcome struct {
	Charge   int    `json:"charge,omitempty"`   // what the customer pays, in euros
	Discount int    `json:"discount,omitempty"` // in euros
	Note     string `json:"note"`
	OrderID  string `json:"orderId"`
	Shipping string `json:"shipping,omitempty"`
	Status   string `json:"status"` // "accepted", "held" or "rejected"
}

// Article is an entry of the catalogue.
type Article struct {
	Price     int  // in euros
	Hazardous bool // needs special handling in transport
}

// Catalogue lists what can be ordered, by SKU.
var Catalogue = map[string]Article{
	"battery-pack":  {Price: 45, Hazardous: true},
	"chair":         {Price: 120},
	"desk":          {Price: 340},
	"kettle":        {Price: 29},
	"lamp":          {Price: 35},
	"mug":           {Price: 8},
	"notebook":      {Price: 4},
	"paint-thinner": {Price: 12, Hazardous: true},
}

// Coupons maps the known coupon codes to their discount in percent.
var Coupons = map[string]int{
	"SPRING10": 10,
	"WELCOME5": 5,
}

// Shipping fees, in euros: express is free for gold customers, standard is
// free from FreeShippingFrom euros on.
const (
	ExpressFee       = 15
	StandardFee      = 5
	FreeShippingFrom = 50
)

// Assess prices an order from the catalogue and flattens the facts the
// routing depends on. An unknown coupon is dropped.
func Assess(ctx context.Context, in Order) (Assessment, error) {
	if in.ID == "" {
		return Assessment{}, errors.New("assess: order has no id")
	}
	if len(in.Lines) == 0 {
		return Assessment{}, fmt.Errorf("assess: order %s has no lines", in.ID)
	}
	a := Assessment{OrderID: in.ID, Tier: in.Customer.Tier, CreditLimit: in.Customer.CreditLimit, Shipping: in.Shipping}
	for _, l := range in.Lines {
		art, ok := Catalogue[l.SKU]
		if !ok {
			return Assessment{}, fmt.Errorf("assess: order %s: unknown article %q", in.ID, l.SKU)
		}
		if l.Quantity < 1 {
			return Assessment{}, fmt.Errorf("assess: order %s: quantity %d of %q", in.ID, l.Quantity, l.SKU)
		}
		a.Total += art.Price * l.Quantity
		a.ItemCount += l.Quantity
		a.Hazardous = a.Hazardous || art.Hazardous
	}
	if _, ok := Coupons[in.Coupon]; ok {
		a.Coupon = in.Coupon
	}
	return a, nil
}

// Reject writes the rejection notice; the workflow then fails.
func Reject(ctx context.Context, in Assessment) (Outcome, error) {
	return Outcome{
		Note:    fmt.Sprintf("total %d exceeds the credit limit of %d", in.Total, in.CreditLimit),
		OrderID: in.OrderID,
		Status:  "rejected",
	}, nil
}

// Hold puts an order aside for a person to check: bulk orders, and
// hazardous goods for customers below gold.
func Hold(ctx context.Context, in Assessment) (Outcome, error) {
	why := []string{}
	if in.ItemCount >= 20 {
		why = append(why, fmt.Sprintf("%d articles", in.ItemCount))
	}
	if in.Hazardous {
		why = append(why, "hazardous goods")
	}
	note := "held for review"
	if len(why) > 0 {
		note += ": " + strings.Join(why, ", ")
	}
	return Outcome{Note: note, OrderID: in.OrderID, Status: "held"}, nil
}

// Express accepts an order for express shipping.
func Express(ctx context.Context, in Assessment) (Outcome, error) {
	fee := ExpressFee
	if in.Tier == "gold" {
		fee = 0
	}
	return Outcome{
		Charge:   in.Total + fee,
		Note:     fmt.Sprintf("express shipping fee %d", fee),
		OrderID:  in.OrderID,
		Shipping: "express",
		Status:   "accepted",
	}, nil
}

// Discount accepts an order with a coupon, for standard shipping, which is
// free at the totals it is reached with.
func Discount(ctx context.Context, in Assessment) (Outcome, error) {
	pct, ok := Coupons[in.Coupon]
	if !ok {
		return Outcome{}, fmt.Errorf("discount: order %s: unknown coupon %q", in.OrderID, in.Coupon)
	}
	off := in.Total * pct / 100
	return Outcome{
		Charge:   in.Total - off,
		Discount: off,
		Note:     fmt.Sprintf("coupon %s: %d%% off", in.Coupon, pct),
		OrderID:  in.OrderID,
		Shipping: "standard",
		Status:   "accepted",
	}, nil
}

// Standard accepts an order for standard shipping.
func Standard(ctx context.Context, in Assessment) (Outcome, error) {
	fee := StandardFee
	if in.Total >= FreeShippingFrom {
		fee = 0
	}
	return Outcome{
		Charge:   in.Total + fee,
		Note:     fmt.Sprintf("standard shipping fee %d", fee),
		OrderID:  in.OrderID,
		Shipping: "standard",
		Status:   "accepted",
	}, nil
}
