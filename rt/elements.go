package rt

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/unumc/unumc/rt/unumctx"
)

// A map with a Limit starts its first Limit elements at once; the end of
// element i starts element i+Limit. With Platform.ElementRecords the origin
// hands each element it starts the inputs of the elements its lane will
// start (Frame.Lane): they travel inline in the envelopes of the element's
// branch, so that starting the next reads and writes nothing. When a lane
// is too large for envelopes, the origin writes the input of each element
// it does not start into a record of its own, with the fan-in set, so that
// starting one reads a record the size of one element rather than the
// origin's whole output (which, for a map over a large array, was most of
// a workflow's reads). The join collects them with the set. Without
// ElementRecords, starting an element reads the origin's output.

// lanes returns, for each of the first Limit elements of f, the inputs of
// the elements its lane starts after it, or nil when a lane would make the
// envelopes of its branch too large: more than a quarter of InlineLimit
// (64 KiB by default) beside the lanes of enclosing maps, which every
// envelope of the branch carries too.
func (x *Invocation) lanes(f *FanOut, inputs []json.RawMessage) [][]json.RawMessage {
	budget := x.p.InlineLimit / 4
	if x.p.InlineLimit <= 0 {
		budget = 64 << 10
	}
	for _, fr := range x.Env.Frames {
		for _, in := range fr.Lane {
			budget -= len(in)
		}
	}
	lanes := make([][]json.RawMessage, f.Limit)
	size := make([]int, f.Limit)
	for i := f.Limit; i < len(inputs); i++ {
		l := i % f.Limit
		lanes[l] = append(lanes[l], inputs[i])
		if size[l] += len(inputs[i]) + 1; size[l] > budget {
			return nil
		}
	}
	return lanes
}

// ElementKey is the key of the record holding the input of element index
// of the bounded map whose fan-in set is at setKey.
func ElementKey(setKey string, index int) string { return setKey + "/e/" + strconv.Itoa(index) }

// createElements writes the inputs of the elements from Limit on.
func (x *Invocation) createElements(ctx context.Context, f *FanOut, setKey string, inputs []json.RawMessage) error {
	vars := withScope(x.vars, len(x.Env.Frames), nil)
	var items []Item
	for i := f.Limit; i < len(inputs); i++ {
		v, err := json.Marshal(recordInput{Input: inputs[i], Vars: vars})
		if err != nil {
			return err
		}
		items = append(items, Item{Key: ElementKey(setKey, i), Value: v, Expires: x.p.expiry(x.p.CheckpointTTL)})
	}
	return x.createAll(ctx, items)
}

// startNext starts the map element Limit places after this one, keeping at
// most Limit branches running.
func (x *Invocation) startNext(ctx context.Context, scope *FanOut, parent []Frame, origin string, f Frame) error {
	next := f.Index + scope.Limit
	var in recordInput
	var lane []json.RawMessage
	if len(f.Lane) > 0 {
		in, lane = recordInput{Input: f.Lane[0], Vars: f.LaneVars}, f.Lane[1:]
	} else {
		read := x.nextFromRecord
		if !x.p.ElementRecords {
			read = x.nextFromOrigin
		}
		var ok bool
		var err error
		if in, ok, err = read(ctx, scope, parent, origin, f, next); err != nil || !ok {
			return err // !ok: the map has been joined and collected
		}
	}
	fr := Frame{Origin: scope.Origin, Index: next, Width: f.Width}
	if len(lane) > 0 {
		fr.Lane, fr.LaneVars = lane, f.LaneVars
	}
	env := &Envelope{Version: Version, Execution: x.Env.Execution, Node: scope.Heads[0], Iter: x.Env.Iter,
		Frames: append(parent, fr), Input: in.Input, Pred: JoinKey(x.Env.Execution, origin), Vars: in.Vars}
	x.p.fault(FaultInvoke, x.Env, 1)
	return x.dispatch(ctx, env)
}

// nextFromRecord reads element next's input from its element record.
func (x *Invocation) nextFromRecord(ctx context.Context, _ *FanOut, _ []Frame, origin string, _ Frame, next int) (recordInput, bool, error) {
	var in recordInput
	key := ElementKey(JoinKey(x.Env.Execution, origin), next)
	got, err := x.p.Store.Get(ctx, key)
	if err != nil {
		return in, false, err
	}
	it, ok := got[key]
	if !ok {
		return in, false, nil
	}
	return in, true, json.Unmarshal(it.Value, &in)
}

// nextFromOrigin selects element next's input from the origin's output,
// read from its checkpoint, when the origin wrote no element records.
func (x *Invocation) nextFromOrigin(ctx context.Context, scope *FanOut, parent []Frame, origin string, f Frame, next int) (recordInput, bool, error) {
	var in recordInput
	okey := CheckpointKey(x.Env.Execution, origin)
	got, err := x.p.Store.Get(ctx, okey)
	if err != nil {
		return in, false, err
	}
	it, ok := got[okey]
	if !ok {
		return in, false, nil
	}
	var r Result
	if err := json.Unmarshal(it.Value, &r); err != nil {
		return in, false, err
	}
	if info, ok := unumctx.From(ctx); ok {
		// The element's input is the origin's to select, in the origin's run.
		info.Retry = retryCount(r.Retries)
		ctx = unumctx.With(ctx, info)
	}
	in.Vars = withScope(r.Vars, len(parent), nil)
	own := x.vars
	x.vars = in.Vars // the origin's variables
	items, err := x.branchInputs(ctx, scope, r.Output, next)
	x.vars = own
	if err != nil {
		return in, false, fmt.Errorf("unum: map items of %s: %v", origin, err)
	}
	if next >= len(items) {
		return in, false, fmt.Errorf("unum: map of %s has %d items, its branches say %d", origin, len(items), f.Width)
	}
	in.Input = items[next]
	return in, true, nil
}
