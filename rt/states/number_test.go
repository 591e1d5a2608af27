package states

import (
	"encoding/json"
	"math"
	"testing"
)

func TestNumbers(t *testing.T) {
	for _, tc := range []struct {
		v       any
		f       float64 // NaN: not a number
		i       int64
		isInt   bool
		rounded int64
		rounds  bool
	}{
		{v: json.Number("42"), f: 42, i: 42, isInt: true, rounded: 42, rounds: true},
		{v: json.Number("-7.0"), f: -7, i: -7, isInt: true, rounded: -7, rounds: true},
		{v: json.Number("1e3"), f: 1000, i: 1000, isInt: true, rounded: 1000, rounds: true},
		{v: json.Number("2.5"), f: 2.5, rounded: 3, rounds: true},
		{v: json.Number("-2.5"), f: -2.5, rounded: -2, rounds: true},
		{v: json.Number("-2.6"), f: -2.6, rounded: -3, rounds: true},
		{v: json.Number("9223372036854775807"), f: 9223372036854775807, i: math.MaxInt64, isInt: true, rounded: math.MaxInt64, rounds: true},
		{v: json.Number("9223372036854775808"), f: 9223372036854775808},
		{v: json.Number("1e400"), f: math.Inf(1)},
		{v: json.Number("x"), f: math.NaN()},
		{v: 1.5, f: 1.5, rounded: 2, rounds: true},
		{v: float32(2), f: 2, i: 2, isInt: true, rounded: 2, rounds: true},
		{v: 3, f: 3, i: 3, isInt: true, rounded: 3, rounds: true},
		{v: int8(-4), f: -4, i: -4, isInt: true, rounded: -4, rounds: true},
		{v: int16(5), f: 5, i: 5, isInt: true, rounded: 5, rounds: true},
		{v: int32(6), f: 6, i: 6, isInt: true, rounded: 6, rounds: true},
		{v: int64(7), f: 7, i: 7, isInt: true, rounded: 7, rounds: true},
		{v: uint(8), f: 8, i: 8, isInt: true, rounded: 8, rounds: true},
		{v: uint8(9), f: 9, i: 9, isInt: true, rounded: 9, rounds: true},
		{v: uint16(10), f: 10, i: 10, isInt: true, rounded: 10, rounds: true},
		{v: uint32(11), f: 11, i: 11, isInt: true, rounded: 11, rounds: true},
		{v: uint64(12), f: 12, i: 12, isInt: true, rounded: 12, rounds: true},
		{v: uint64(math.MaxUint64), f: math.MaxUint64},
		{v: uint(math.MaxUint64), f: math.MaxUint64},
		{v: "1", f: math.NaN()},
		{v: true, f: math.NaN()},
		{v: nil, f: math.NaN()},
	} {
		f, ok := toFloat(tc.v)
		if math.IsNaN(tc.f) {
			if ok {
				t.Errorf("toFloat(%#v) = %v, want not a number", tc.v, f)
			}
		} else if !ok || f != tc.f {
			t.Errorf("toFloat(%#v) = %v, %v, want %v", tc.v, f, ok, tc.f)
		}
		if i, ok := toInt64(tc.v); ok != tc.isInt || ok && i != tc.i {
			t.Errorf("toInt64(%#v) = %v, %v, want %v, %v", tc.v, i, ok, tc.i, tc.isInt)
		}
		if r, ok := roundInt64(tc.v); ok != tc.rounds || ok && r != tc.rounded {
			t.Errorf("roundInt64(%#v) = %v, %v, want %v, %v", tc.v, r, ok, tc.rounded, tc.rounds)
		}
	}
}

func TestEqual(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{`1`, `1.0`, true},
		{`1e2`, `100`, true},
		{`12345678901234567890123`, `12345678901234567890123`, true},
		{`9007199254740993`, `9007199254740992`, false},
		{`1`, `"1"`, false},
		{`null`, `false`, false},
		{`null`, `null`, true},
		{`true`, `true`, true},
		{`"a"`, `"a"`, true},
		{`[1,[2]]`, `[1,[2.0]]`, true},
		{`[1,2]`, `[2,1]`, false},
		{`[1]`, `[1,1]`, false},
		{`[]`, `{}`, false},
		{`{"a":1,"b":[null]}`, `{"b":[null],"a":1.0}`, true},
		{`{"a":1}`, `{"b":1}`, false},
		{`{"a":1}`, `{"a":1,"b":1}`, false},
		{`{"a":1}`, `[1]`, false},
	} {
		if got := equal(decode(t, tc.a), decode(t, tc.b)); got != tc.want {
			t.Errorf("equal(%s, %s) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
		if got := equal(decode(t, tc.b), decode(t, tc.a)); got != tc.want {
			t.Errorf("equal(%s, %s) = %v, want %v", tc.b, tc.a, got, tc.want)
		}
	}
}
