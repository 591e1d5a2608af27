package states

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
)

// toFloat returns the value of a number: a json.Number, a float or a Go
// integer. A json.Number too large for a float64 is ±Inf.
func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(n), 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return 0, false
		}
		return f, true
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case int:
		return float64(n), true
	case int8:
		return float64(n), true
	case int16:
		return float64(n), true
	case int32:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint:
		return float64(n), true
	case uint8:
		return float64(n), true
	case uint16:
		return float64(n), true
	case uint32:
		return float64(n), true
	case uint64:
		return float64(n), true
	}
	return 0, false
}

// toInt64 returns the exact value of a number that is an integer and fits
// an int64.
func toInt64(v any) (int64, bool) {
	switch n := v.(type) {
	case json.Number:
		if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
			return i, true
		}
	case int:
		return int64(n), true
	case int8:
		return int64(n), true
	case int16:
		return int64(n), true
	case int32:
		return int64(n), true
	case int64:
		return n, true
	case uint:
		if uint64(n) <= math.MaxInt64 {
			return int64(n), true
		}
		return 0, false
	case uint8:
		return int64(n), true
	case uint16:
		return int64(n), true
	case uint32:
		return int64(n), true
	case uint64:
		if n <= math.MaxInt64 {
			return int64(n), true
		}
		return 0, false
	}
	f, ok := toFloat(v)
	if !ok || f != math.Trunc(f) || !inInt64(f) {
		return 0, false
	}
	return int64(f), true
}

// roundInt64 returns a number rounded to the nearest integer, halves up as
// Java's Math.round does (Step Functions runs on Java: 2.5 is 3, -2.5 is
// -2), if it fits an int64.
func roundInt64(v any) (int64, bool) {
	if i, ok := toInt64(v); ok {
		return i, true
	}
	f, ok := toFloat(v)
	if !ok {
		return 0, false
	}
	f = math.Floor(f + 0.5)
	if !inInt64(f) {
		return 0, false
	}
	return int64(f), true
}

// inInt64 reports whether the integral float f converts to an int64
// exactly: within [-2⁶³, 2⁶³).
func inInt64(f float64) bool {
	return f >= -(1<<63) && f < 1<<63
}

func number(i int64) json.Number {
	return json.Number(strconv.FormatInt(i, 10))
}

// equal is JSON equality: numbers by value (1 equals 1.0), objects and
// arrays element by element.
func equal(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok || !equal(xv, yv) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equal(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	if i, ok := toInt64(a); ok {
		if j, ok := toInt64(b); ok {
			return i == j
		}
	}
	f, ok1 := toFloat(a)
	g, ok2 := toFloat(b)
	return ok1 && ok2 && f == g
}
