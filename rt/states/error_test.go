package states

import (
	"fmt"
	"testing"

	"github.com/unumc/unumc/rt"
)

var _ rt.NamedError = (*Error)(nil)

// rt names a failure by the Error's name, also when it is wrapped.
func TestErrorNames(t *testing.T) {
	for _, tc := range []struct {
		err        error
		name, text string
	}{
		{newError(Runtime, "boom"), "States.Runtime", "boom"},
		{fmt.Errorf("node: %w", newError(IntrinsicFailure, "bad")), "States.IntrinsicFailure", "node: bad"},
		{&Error{Name: ResultPathMatchFailure, Cause: "no"}, "States.ResultPathMatchFailure", "no"},
		{&Error{Name: ParameterPathFailure}, "States.ParameterPathFailure", ""},
	} {
		f := rt.FailureOf(tc.err)
		if f.Error != tc.name || f.Cause != tc.text {
			t.Errorf("FailureOf(%v) = %+v, want %s: %q", tc.err, f, tc.name, tc.text)
		}
	}
	for field, want := range map[string]string{
		"Parameters": ParameterPathFailure, "ResultSelector": ParameterPathFailure, "ItemSelector": ParameterPathFailure,
		"InputPath": Runtime, "OutputPath": Runtime, "ItemsPath": Runtime, "SecondsPath": Runtime, "": Runtime,
	} {
		if got := pathErrorName(field); got != want {
			t.Errorf("pathErrorName(%q) = %s, want %s", field, got, want)
		}
	}
}
