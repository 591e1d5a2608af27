package iot

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/unumc/unumc/examples/internal/reference"
)

var band = Setpoints{MinTemperature: 18, MaxTemperature: 24, MaxHumidity: 70}

func TestValidate(t *testing.T) {
	in := Batch{Site: "lab", Setpoints: band, Readings: []Reading{
		{Sensor: "a", Temperature: 20, Humidity: 50},
		{Sensor: "a", Temperature: -127, Humidity: 0},
		{Sensor: "b", Temperature: 21, Humidity: 101},
		{Sensor: "", Temperature: 21, Humidity: 50},
		{Sensor: "b", Temperature: 22, Humidity: 55},
	}}
	got, err := Validate(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	want := Checked{Site: "lab", Setpoints: band, Rejected: 3, Readings: []Reading{
		{Sensor: "a", Temperature: 20, Humidity: 50},
		{Sensor: "b", Temperature: 22, Humidity: 55},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Validate (-want +got):\n%s", diff)
	}

	bad := in
	bad.Setpoints = Setpoints{MinTemperature: 25, MaxTemperature: 20}
	if _, err := Validate(context.Background(), bad); err == nil {
		t.Error("Validate with an empty comfort band: no error")
	}
	if _, err := Validate(context.Background(), Batch{Setpoints: band}); err == nil {
		t.Error("Validate with no site: no error")
	}
}

func TestAggregate(t *testing.T) {
	in := Checked{Site: "lab", Setpoints: band, Rejected: 1, Readings: []Reading{
		{Sensor: "b", Temperature: 20, Humidity: 50},
		{Sensor: "a", Temperature: 19, Humidity: 60},
		{Sensor: "b", Temperature: 21, Humidity: 51},
	}}
	got, err := Aggregate(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	want := Stats{
		Site: "lab", Setpoints: band, Readings: 3, Rejected: 1,
		Temperature: Summary{Min: 19, Mean: 20, Max: 21},
		Humidity:    Summary{Min: 50, Mean: 53.7, Max: 60},
		Sensors: []SensorStats{
			{Sensor: "a", Readings: 1, Temperature: Summary{19, 19, 19}, Humidity: Summary{60, 60, 60}},
			{Sensor: "b", Readings: 2, Temperature: Summary{20, 20.5, 21}, Humidity: Summary{50, 50.5, 51}},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Aggregate (-want +got):\n%s", diff)
	}
	if _, err := Aggregate(context.Background(), Checked{Site: "lab", Rejected: 2}); err == nil {
		t.Error("Aggregate with no readings: no error")
	}
}

func TestDecide(t *testing.T) {
	for _, tc := range []struct {
		temperature, humidity float64
		action, reason        string
	}{
		{16.5, 50, "heat", "mean temperature 16.5 C is below the 18.0 C minimum"},
		{16.5, 90, "heat", "mean temperature 16.5 C is below the 18.0 C minimum"},
		{26, 50, "cool", "mean temperature 26.0 C is above the 24.0 C maximum"},
		{22, 80, "cool", "mean humidity 80.0% is above the 70.0% maximum"},
		{18, 70, "idle", "mean temperature 18.0 C and humidity 70.0% are within the comfort band"},
	} {
		in := Stats{Site: "lab", Setpoints: band, Temperature: Summary{Mean: tc.temperature}, Humidity: Summary{Mean: tc.humidity}}
		got, err := Decide(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		want := Decision{Site: "lab", Action: tc.action, Reason: tc.reason, Temperature: tc.temperature, Humidity: tc.humidity, Setpoints: band}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Decide(%g C, %g%%) (-want +got):\n%s", tc.temperature, tc.humidity, diff)
		}
	}
}

func TestCommands(t *testing.T) {
	ctx := context.Background()
	d := func(temperature float64) Decision {
		return Decision{Site: "lab", Reason: "why", Temperature: temperature, Setpoints: band}
	}
	for _, tc := range []struct {
		name string
		node func(context.Context, Decision) (Command, error)
		in   Decision
		want Command
	}{
		{"Heat", Heat, d(16), Command{Device: "hvac/lab", Fan: "low", Mode: "heat", Reason: "why", Setpoint: 21}},
		{"Heat", Heat, d(14.5), Command{Device: "hvac/lab", Fan: "high", Mode: "heat", Reason: "why", Setpoint: 21}},
		{"Cool", Cool, d(22), Command{Device: "hvac/lab", Fan: "low", Mode: "cool", Reason: "why", Setpoint: 21}},
		{"Cool", Cool, d(27.5), Command{Device: "hvac/lab", Fan: "high", Mode: "cool", Reason: "why", Setpoint: 21}},
		{"Idle", Idle, d(20), Command{Device: "hvac/lab", Fan: "auto", Mode: "off", Reason: "why", Setpoint: 21}},
	} {
		got, err := tc.node(ctx, tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("%s(%g C) = %+v, want %+v", tc.name, tc.in.Temperature, got, tc.want)
		}
	}
}

// TestWorkflow runs the workflow by hand:
//
//	start -> Validate -> Aggregate -> Decide -> choose {
//		when .action == "heat" -> Heat
//		when .action == "cool" -> Cool
//		else -> Idle
//	}
func TestWorkflow(t *testing.T) {
	ctx := context.Background()
	checked, err := Validate(ctx, reference.Load[Batch](t, "input.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(checked.Readings)+checked.Rejected != 20 || checked.Rejected != 1 {
		t.Fatalf("the bundled batch should hold 20 readings, one faulty; got %d good, %d rejected",
			len(checked.Readings), checked.Rejected)
	}
	stats, err := Aggregate(ctx, reference.Via[Checked](t, checked))
	if err != nil {
		t.Fatal(err)
	}
	decision, err := Decide(ctx, reference.Via[Stats](t, stats))
	if err != nil {
		t.Fatal(err)
	}

	// The choose looks at Decide's output and passes it on unchanged.
	action, _ := reference.Lookup(reference.Generic(t, decision), ".action")
	next := Idle
	switch {
	case action == "heat":
		next = Heat
	case action == "cool":
		next = Cool
	}
	out, err := next(ctx, reference.Via[Decision](t, decision))
	if err != nil {
		t.Fatal(err)
	}
	reference.CheckWant(t, out, "want.json")
}
