package local

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/unumc/unumc/rt"
)

// Description is what the local target knows of an execution.
type Description struct {
	Workflow  string     `json:"workflow"`
	Execution string     `json:"execution"`
	State     string     `json:"state"` // rt.Running, rt.Succeeded or rt.Failed
	Status    *rt.Status `json:"-"`
	Queued    int        `json:"queued"` // invocations waiting to be delivered
	Items     int        `json:"items"`  // records of the execution in the store
	// InUse says another unumc run holds the workflow's state; its
	// execution may be this one, running now.
	InUse bool `json:"in_use,omitempty"`
}

// ErrUnknownExecution is an execution the state directory knows nothing of.
var ErrUnknownExecution = errors.New("unknown execution")

// Describe finds an execution in the state directory, in the state of the
// named workflow or, with workflow "", of every workflow there.
func Describe(stateDir, workflow, execution string) (*Description, error) {
	var dbs []string
	if workflow != "" {
		dbs = []string{StorePath(stateDir, workflow)}
	} else {
		dbs, _ = filepath.Glob(filepath.Join(stateDir, "*.db"))
		sort.Strings(dbs)
	}
	var busy []string
	for _, db := range dbs {
		if _, err := os.Stat(db); err != nil {
			continue
		}
		wf := strings.TrimSuffix(filepath.Base(db), ".db")
		d, err := describeIn(db, wf, execution)
		switch {
		case errors.Is(err, errInUse):
			busy = append(busy, wf)
		case errors.Is(err, ErrUnknownExecution):
		case err != nil:
			return nil, err
		default:
			return d, nil
		}
	}
	if len(busy) == 1 {
		return &Description{Workflow: busy[0], Execution: execution, State: rt.Running, InUse: true}, nil
	}
	return nil, ErrUnknownExecution
}

func describeIn(db, workflow, execution string) (*Description, error) {
	s, err := OpenStore(db)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	d := &Description{Workflow: workflow, Execution: execution, State: rt.Running}
	if d.Status, err = s.Status(execution); err != nil {
		return nil, err
	}
	queued, err := s.pending(execution)
	if err != nil {
		return nil, err
	}
	d.Queued = len(queued)
	if d.Items, _, err = s.Count(execution + "/"); err != nil {
		return nil, err
	}
	switch {
	case d.Status != nil:
		d.State = d.Status.State
	case d.Queued == 0 && d.Items == 0:
		return nil, ErrUnknownExecution
	}
	return d, nil
}
