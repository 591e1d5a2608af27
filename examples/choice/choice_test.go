package choice

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/unumc/unumc/examples/internal/reference"
)

func TestAssess(t *testing.T) {
	ctx := context.Background()
	in := Order{
		ID:       "o1",
		Customer: Customer{Name: "X", Tier: "silver", CreditLimit: 100},
		Lines:    []Line{{SKU: "mug", Quantity: 3}, {SKU: "paint-thinner", Quantity: 1}},
		Shipping: "standard",
		Coupon:   "WELCOME5",
	}
	got, err := Assess(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	want := Assessment{OrderID: "o1", Tier: "silver", CreditLimit: 100, Total: 36, ItemCount: 4, Hazardous: true, Shipping: "standard", Coupon: "WELCOME5"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Assess (-want +got):\n%s", diff)
	}

	in.Coupon = "FREESTUFF"
	if got, _ := Assess(ctx, in); got.Coupon != "" {
		t.Errorf("Assess kept the unknown coupon %q", got.Coupon)
	}
	for _, bad := range []Order{
		{Lines: []Line{{SKU: "mug", Quantity: 1}}},
		{ID: "o2"},
		{ID: "o3", Lines: []Line{{SKU: "yacht", Quantity: 1}}},
		{ID: "o4", Lines: []Line{{SKU: "mug", Quantity: 0}}},
	} {
		if _, err := Assess(ctx, bad); err == nil {
			t.Errorf("Assess(%+v): no error", bad)
		}
	}
}

func TestRoutes(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		node func(context.Context, Assessment) (Outcome, error)
		in   Assessment
		want Outcome
	}{
		{"Reject", Reject, Assessment{OrderID: "o", Total: 500, CreditLimit: 300},
			Outcome{Note: "total 500 exceeds the credit limit of 300", OrderID: "o", Status: "rejected"}},
		{"Hold", Hold, Assessment{OrderID: "o", ItemCount: 30, Hazardous: true},
			Outcome{Note: "held for review: 30 articles, hazardous goods", OrderID: "o", Status: "held"}},
		{"Hold", Hold, Assessment{OrderID: "o", ItemCount: 2, Hazardous: true},
			Outcome{Note: "held for review: hazardous goods", OrderID: "o", Status: "held"}},
		{"Express", Express, Assessment{OrderID: "o", Tier: "silver", Total: 100},
			Outcome{Charge: 115, Note: "express shipping fee 15", OrderID: "o", Shipping: "express", Status: "accepted"}},
		{"Express", Express, Assessment{OrderID: "o", Tier: "gold", Total: 100},
			Outcome{Charge: 100, Note: "express shipping fee 0", OrderID: "o", Shipping: "express", Status: "accepted"}},
		{"Discount", Discount, Assessment{OrderID: "o", Total: 95, Coupon: "SPRING10"},
			Outcome{Charge: 86, Discount: 9, Note: "coupon SPRING10: 10% off", OrderID: "o", Shipping: "standard", Status: "accepted"}},
		{"Standard", Standard, Assessment{OrderID: "o", Total: 49},
			Outcome{Charge: 54, Note: "standard shipping fee 5", OrderID: "o", Shipping: "standard", Status: "accepted"}},
		{"Standard", Standard, Assessment{OrderID: "o", Total: 50},
			Outcome{Charge: 50, Note: "standard shipping fee 0", OrderID: "o", Shipping: "standard", Status: "accepted"}},
	} {
		got, err := tc.node(ctx, tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("%s(%+v) = %+v, want %+v", tc.name, tc.in, got, tc.want)
		}
	}
	if _, err := Discount(ctx, Assessment{OrderID: "o", Total: 60}); err == nil {
		t.Error("Discount without a coupon: no error")
	}
}

// The fail at the end of the Reject route, as choice.unum has it.
const (
	failError = "OrderRejected"
	failCause = "order total exceeds the customer's credit limit"
)

func TestFailIsInUnum(t *testing.T) {
	src := reference.Unum(t, "choice.unum")
	if want := "-> Reject -> fail " + failError + ` "` + failCause + `"`; !strings.Contains(src, want) {
		t.Errorf("choice.unum does not contain %s", want)
	}
}

// choose picks the route for Assess's output, trying the cases of
// choice.unum in order on the output as JSON:
//
//	when .total > .creditLimit -> Reject -> fail OrderRejected "..."
//	when .itemCount >= 20 or (.hazardous == true and .tier != "gold") -> Hold
//	when .shipping == "express" and not (.tier == "basic") -> Express
//	when has .coupon and .total >= 50 -> Discount
//	else -> Standard
func choose(t *testing.T, out Assessment) string {
	v := reference.Generic(t, out)
	at := func(path string) any { x, _ := reference.Lookup(v, path); return x }
	has := func(path string) bool { _, ok := reference.Lookup(v, path); return ok }
	is := reference.Cmp
	switch {
	case is(at(".total"), ">", at(".creditLimit")):
		return "Reject"
	case is(at(".itemCount"), ">=", 20.0) || (is(at(".hazardous"), "==", true) && is(at(".tier"), "!=", "gold")):
		return "Hold"
	case is(at(".shipping"), "==", "express") && !is(at(".tier"), "==", "basic"):
		return "Express"
	case has(".coupon") && is(at(".total"), ">=", 50.0):
		return "Discount"
	default:
		return "Standard"
	}
}

var routes = map[string]func(context.Context, Assessment) (Outcome, error){
	"Reject":   Reject,
	"Hold":     Hold,
	"Express":  Express,
	"Discount": Discount,
	"Standard": Standard,
}

// run runs the workflow by hand on one input:
//
//	start -> Assess -> choose { ... }
//
// The choose passes Assess's output on unchanged to the node of the route it
// picks. The Reject route fails after Reject runs. run compares the result or
// the failure with the want file and returns the route taken.
func run(t *testing.T, input, want string) string {
	ctx := context.Background()
	a, err := Assess(ctx, reference.Load[Order](t, input))
	if err != nil {
		t.Fatal(err)
	}
	route := choose(t, a)
	out, err := routes[route](ctx, reference.Via[Assessment](t, a))
	if err != nil {
		t.Fatal(err)
	}
	if route == "Reject" {
		reference.CheckError(t, failError, failCause, want)
	} else {
		reference.CheckWant(t, out, want)
	}
	return route
}

func TestWorkflow(t *testing.T) {
	if route := run(t, "input.json", "want.json"); route != "Express" {
		t.Errorf("the main input takes the %s route, want Express", route)
	}
}

// TestCases runs the workflow on every cases/<case>.input.json and compares
// the result with cases/<case>.want.json, or the failure with
// cases/<case>.error.txt. Together with the main input they take every route.
func TestCases(t *testing.T) {
	wantRoute := map[string]string{
		"rejected":       "Reject",
		"bulk":           "Hold",
		"hazardous":      "Hold",
		"gold-hazardous": "Express",
		"coupon":         "Discount",
		"standard":       "Standard",
	}
	inputs, err := filepath.Glob("cases/*.input.json")
	if err != nil {
		t.Fatal(err)
	}
	taken := map[string]bool{"Express": true} // by input.json
	for _, input := range inputs {
		name := strings.TrimSuffix(filepath.Base(input), ".input.json")
		t.Run(name, func(t *testing.T) {
			want := "cases/" + name + ".want.json"
			if wantRoute[name] == "Reject" {
				want = "cases/" + name + ".error.txt"
			}
			route := run(t, input, want)
			if route != wantRoute[name] {
				t.Errorf("case %s takes the %s route, want %q", name, route, wantRoute[name])
			}
			taken[route] = true
		})
	}
	if len(inputs) != len(wantRoute) {
		t.Errorf("found %d cases, want %d", len(inputs), len(wantRoute))
	}
	for route := range routes {
		if !taken[route] {
			t.Errorf("no input takes the %s route", route)
		}
	}
}
