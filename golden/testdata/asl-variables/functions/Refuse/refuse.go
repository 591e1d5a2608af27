// Package refuse is the function Refuse of the variables case: it always
// fails, so that its catcher's Assign runs.
package refuse

import (
	"context"
	"encoding/json"
)

// Refused is the error it fails with.
type Refused struct{}

func (Refused) Error() string { return "not today" }

func Handle(context.Context, json.RawMessage) (json.RawMessage, error) {
	return nil, Refused{}
}
