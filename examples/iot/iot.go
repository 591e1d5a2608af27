// Package iot holds the functions of the iot workflow: the IoT pipeline of
// the Unum paper, which turns a batch of temperature and humidity readings
// into statistics and then into a command for the heating, ventilation and
// air conditioning (HVAC) unit.
package iot

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
)

// Batch is the workflow input: the readings of one site's sensors, and the
// comfort band the site should stay in.
type Batch struct {
	Site      string    `json:"site"`
	Setpoints Setpoints `json:"setpoints"`
	Readings  []Reading `json:"readings"`
}

// Setpoints is the comfort band of a site: temperatures in degrees Celsius,
// humidity in percent relative humidity.
type Setpoints struct {
	MinTemperature float64 `json:"minTemperature"`
	MaxTemperature float64 `json:"maxTemperature"`
	MaxHumidity    float64 `json:"maxHumidity"`
}

// Reading is one measurement of one sensor.
type Reading struct {
	Sensor      string  `json:"sensor"`
	Temperature float64 `json:"temperature"`
	Humidity    float64 `json:"humidity"`
}

// Checked is a batch whose implausible readings have been dropped.
type Checked struct {
	Site      string    `json:"site"`
	Setpoints Setpoints `json:"setpoints"`
	Readings  []Reading `json:"readings"`
	Rejected  int       `json:"rejected"` // how many readings were dropped
}

// Stats summarises a checked batch, overall and per sensor.
type Stats struct {
	Site        string        `json:"site"`
	Setpoints   Setpoints     `json:"setpoints"`
	Readings    int           `json:"readings"` // readings used
	Rejected    int           `json:"rejected"` // readings dropped
	Temperature Summary       `json:"temperature"`
	Humidity    Summary       `json:"humidity"`
	Sensors     []SensorStats `json:"sensors"` // sorted by sensor name
}

// SensorStats summarises the readings of one sensor.
type SensorStats struct {
	Sensor      string  `json:"sensor"`
	Readings    int     `json:"readings"`
	Temperature Summary `json:"temperature"`
	Humidity    Summary `json:"humidity"`
}

// Summary is the minimum, mean and maximum of some values, to 0.1.
type Summary struct {
	Min  float64 `json:"min"`
	Mean float64 `json:"mean"`
	Max  float64 `json:"max"`
}

// Decision is the action the HVAC unit should take, with the numbers behind it.
type Decision struct {
	Site        string    `json:"site"`
	Action      string    `json:"action"` // "heat", "cool" or "idle"
	Reason      string    `json:"reason"`
	Temperature float64   `json:"temperature"` // mean temperature
	Humidity    float64   `json:"humidity"`    // mean humidity
	Setpoints   Setpoints `json:"setpoints"`
}

// Command is the workflow result: what to send to the site's HVAC unit.
type Command struct {
	Device   string  `json:"device"`
	Fan      string  `json:"fan"`  // "auto", "low" or "high"
	Mode     string  `json:"mode"` // "heat", "cool" or "off"
	Reason   string  `json:"reason"`
	Setpoint float64 `json:"setpoint"` // target temperature
}

// Plausible ranges of the sensors; anything outside is a sensor fault (a
// disconnected probe typically reads -127 degrees).
const (
	minPlausibleTemperature = -40
	maxPlausibleTemperature = 60
)

// Validate drops the readings that no working sensor could produce.
func Validate(ctx context.Context, in Batch) (Checked, error) {
	if in.Site == "" {
		return Checked{}, errors.New("validate: batch has no site")
	}
	if in.Setpoints.MinTemperature >= in.Setpoints.MaxTemperature {
		return Checked{}, fmt.Errorf("validate: minimum temperature %g is not below maximum %g",
			in.Setpoints.MinTemperature, in.Setpoints.MaxTemperature)
	}
	out := Checked{Site: in.Site, Setpoints: in.Setpoints, Readings: make([]Reading, 0, len(in.Readings))}
	for _, r := range in.Readings {
		if r.Sensor == "" ||
			r.Temperature < minPlausibleTemperature || r.Temperature > maxPlausibleTemperature ||
			r.Humidity < 0 || r.Humidity > 100 {
			out.Rejected++
			continue
		}
		out.Readings = append(out.Readings, r)
	}
	return out, nil
}

// Aggregate computes temperature and humidity statistics over the whole
// batch and per sensor.
func Aggregate(ctx context.Context, in Checked) (Stats, error) {
	if len(in.Readings) == 0 {
		return Stats{}, fmt.Errorf("aggregate: no usable readings from %s (%d rejected)", in.Site, in.Rejected)
	}
	bySensor := map[string][]Reading{}
	var names []string
	for _, r := range in.Readings {
		if bySensor[r.Sensor] == nil {
			names = append(names, r.Sensor)
		}
		bySensor[r.Sensor] = append(bySensor[r.Sensor], r)
	}
	sort.Strings(names)
	out := Stats{
		Site:        in.Site,
		Setpoints:   in.Setpoints,
		Readings:    len(in.Readings),
		Rejected:    in.Rejected,
		Temperature: summarize(in.Readings, temperature),
		Humidity:    summarize(in.Readings, humidity),
		Sensors:     make([]SensorStats, 0, len(names)),
	}
	for _, name := range names {
		rs := bySensor[name]
		out.Sensors = append(out.Sensors, SensorStats{
			Sensor:      name,
			Readings:    len(rs),
			Temperature: summarize(rs, temperature),
			Humidity:    summarize(rs, humidity),
		})
	}
	return out, nil
}

func temperature(r Reading) float64 { return r.Temperature }
func humidity(r Reading) float64    { return r.Humidity }

// summarize computes the summary of one quantity over some readings.
func summarize(rs []Reading, value func(Reading) float64) Summary {
	s := Summary{Min: math.Inf(1), Max: math.Inf(-1)}
	sum := 0.0
	for _, r := range rs {
		v := value(r)
		s.Min = min(s.Min, v)
		s.Max = max(s.Max, v)
		sum += v
	}
	s.Mean = round1(sum / float64(len(rs)))
	s.Min, s.Max = round1(s.Min), round1(s.Max)
	return s
}

// round1 rounds to one decimal place.
func round1(x float64) float64 { return math.Round(x*10) / 10 }

// Decide picks the HVAC action from the mean temperature and humidity: heat
// below the comfort band, cool above it or when the air is too humid (the
// cooling coil dries the air), and otherwise stay idle.
func Decide(ctx context.Context, in Stats) (Decision, error) {
	t, h, sp := in.Temperature.Mean, in.Humidity.Mean, in.Setpoints
	d := Decision{Site: in.Site, Temperature: t, Humidity: h, Setpoints: sp}
	switch {
	case t < sp.MinTemperature:
		d.Action = "heat"
		d.Reason = fmt.Sprintf("mean temperature %.1f C is below the %.1f C minimum", t, sp.MinTemperature)
	case t > sp.MaxTemperature:
		d.Action = "cool"
		d.Reason = fmt.Sprintf("mean temperature %.1f C is above the %.1f C maximum", t, sp.MaxTemperature)
	case h > sp.MaxHumidity:
		d.Action = "cool"
		d.Reason = fmt.Sprintf("mean humidity %.1f%% is above the %.1f%% maximum", h, sp.MaxHumidity)
	default:
		d.Action = "idle"
		d.Reason = fmt.Sprintf("mean temperature %.1f C and humidity %.1f%% are within the comfort band", t, h)
	}
	return d, nil
}

// target is the temperature the unit aims for: the middle of the band.
func target(sp Setpoints) float64 { return round1((sp.MinTemperature + sp.MaxTemperature) / 2) }

// device names a site's HVAC unit.
func device(site string) string { return "hvac/" + site }

// Heat issues a heating command; the fan runs high when the site is more
// than 3 degrees too cold.
func Heat(ctx context.Context, in Decision) (Command, error) {
	fan := "low"
	if in.Setpoints.MinTemperature-in.Temperature > 3 {
		fan = "high"
	}
	return Command{Device: device(in.Site), Fan: fan, Mode: "heat", Reason: in.Reason, Setpoint: target(in.Setpoints)}, nil
}

// Cool issues a cooling command; the fan runs high when the site is more
// than 3 degrees too warm, and low when it only needs drying.
func Cool(ctx context.Context, in Decision) (Command, error) {
	fan := "low"
	if in.Temperature-in.Setpoints.MaxTemperature > 3 {
		fan = "high"
	}
	return Command{Device: device(in.Site), Fan: fan, Mode: "cool", Reason: in.Reason, Setpoint: target(in.Setpoints)}, nil
}

// Idle switches the unit off, leaving the fan to its thermostat.
func Idle(ctx context.Context, in Decision) (Command, error) {
	return Command{Device: device(in.Site), Fan: "auto", Mode: "off", Reason: in.Reason, Setpoint: target(in.Setpoints)}, nil
}
