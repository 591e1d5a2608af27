package lang

import (
	"github.com/unumc/unumc/internal/ir"
)

// Load reads a workflow from .unum source: it parses, lowers and checks it.
// The error, if any, is a sorted diag.List holding every problem of the first
// phase that found one.
func Load(filename string, src []byte) (*ir.Workflow, error) {
	f, err := Parse(filename, src)
	if err != nil {
		return nil, err
	}
	w, errs := Lower(f)
	if len(errs) > 0 {
		return nil, errs.Err()
	}
	if errs := ir.Check(w); len(errs) > 0 {
		return nil, errs.Err()
	}
	return w, nil
}
