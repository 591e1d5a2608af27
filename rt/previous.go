package rt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// A map whose FanOut names a Wait node orders that node across elements:
// its instance for element i runs only once element i-1 has ended, with
// element i-1's result, which makes a fold (the node starts the branch) and
// a partial fan-in (it follows another node of the branch, so it waits for
// that node of element i and the end of element i-1).
//
// Each element has a pair record, created by the map's origin with the
// fan-in set and collected with it by the join. It gathers two members: in,
// the key of the checkpoint whose output is the waiting node's input (or,
// when the node starts the branch, the input kept in the record itself),
// and prev, the outcome of element i-1 (none for element 0). Whoever adds
// the member that completes the record invokes the waiting node. The record
// proves the node's instance live until it commits and marks the record
// consumed, as the fan-in set proves a join live.

// PairKey is the key of the pair record of element index of the map whose
// fan-in set is at setKey.
func PairKey(setKey string, index int) string { return setKey + "/" + strconv.Itoa(index) }

// Members of a pair record.
const (
	pairIn   = "in"   // "in" alone: the input is in the record; "in\t<key>": the output of that checkpoint
	pairPrev = "prev" // "prev" alone: no previous element; then as a fan-in member without its index
)

// recordInput is the input of a branch's node that an origin keeps in a
// record (a pair record when the waiting node starts the branch, or an
// element record), with the variables of the origin's scope.
type recordInput struct {
	Input json.RawMessage `json:"input,omitempty"`
	Vars  []Variables     `json:"vars,omitempty"`
}

// pair is a parsed pair record: whether the input and the previous
// element's outcome are known, the input in the record itself (inline) or
// the key of the checkpoint that holds it (inKey), and the previous
// element's outcome (nil for none: element 0).
type pair struct {
	hasIn, hasPrev, inline bool
	inKey                  string
	prev                   *member
}

func parsePair(it Item) (pair, error) {
	var p pair
	for _, s := range it.Set {
		switch {
		case s == pairIn:
			p.hasIn, p.inline = true, true
		case strings.HasPrefix(s, pairIn+"\t"):
			p.hasIn, p.inKey = true, strings.TrimPrefix(s, pairIn+"\t")
		case s == pairPrev:
			p.hasPrev = true
		case strings.HasPrefix(s, pairPrev+"\t"):
			// The previous element's fan-in member without its index. The
			// record's key, when known, gives the index and the set, whose
			// key resolves the member to its result's.
			setKey, i := "", 1
			if it.Key != "" {
				slash := strings.LastIndexByte(it.Key, '/')
				n, err := strconv.Atoi(it.Key[slash+1:])
				if slash < 0 || err != nil || n < 1 {
					return p, fmt.Errorf("unum: pair record %q", it.Key)
				}
				setKey, i = it.Key[:slash], n
			}
			m, err := parseMember(strconv.Itoa(i-1) + "\t" + strings.TrimPrefix(s, pairPrev+"\t"))
			if err != nil {
				return p, fmt.Errorf("unum: malformed pair member %q", s)
			}
			if setKey != "" {
				m.key = resultKey(setKey, m.index, m.rel)
			}
			p.hasPrev, p.prev = true, &m
		case s == consumedMark:
		default:
			return p, fmt.Errorf("unum: malformed pair member %q", s)
		}
	}
	return p, nil
}

func (p pair) complete() bool { return p.hasIn && p.hasPrev }

// createPairs creates the pair records of a map whose node wait waits for
// the previous element, before any branch starts: element 0's knows there
// is no previous element, and when wait starts the branch every record
// holds its element's input. It returns the envelope that starts element
// 0 in that case, which then is the only branch the origin invokes.
func (x *Invocation) createPairs(ctx context.Context, f *FanOut, setKey string, inputs []json.RawMessage) (*Envelope, error) {
	head := f.Heads[0] == f.Wait
	items := make([]Item, len(inputs))
	for i := range inputs {
		it := Item{Key: PairKey(setKey, i), Expires: x.p.expiry(x.p.CheckpointTTL)}
		if i == 0 {
			it.Set = append(it.Set, pairPrev)
		}
		if head {
			it.Set = append(it.Set, pairIn)
			v, err := json.Marshal(recordInput{Input: inputs[i], Vars: x.vars})
			if err != nil {
				return nil, err
			}
			it.Value = v
		}
		items[i] = it
	}
	if err := x.createAll(ctx, items); err != nil || !head {
		return nil, err
	}
	return x.pairEnvelope(f.Wait, cloneFrames(x.Env.Frames), x.Env.Iter, Frame{Origin: x.Node.Ident, Index: 0, Width: len(inputs)}, setKey), nil
}

// createAll creates items concurrently, at most FanOutConcurrency at once:
// records an origin writes for its branches before it starts any.
func (x *Invocation) createAll(ctx context.Context, items []Item) error {
	sem := make(chan struct{}, max(x.p.FanOutConcurrency, 1))
	errs := make([]error, len(items))
	var wg sync.WaitGroup
	for i, it := range items {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			_, errs[i] = x.p.Store.Create(ctx, it)
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// pairEnvelope is the invocation of the waiting node of element frame.
func (x *Invocation) pairEnvelope(node string, parent []Frame, iter int, frame Frame, setKey string) *Envelope {
	key := PairKey(setKey, frame.Index)
	return &Envelope{Version: Version, Execution: x.Env.Execution, Node: node, Iter: iter,
		Frames: append(parent, frame), Pred: key, Ref: key, Pair: true}
}

// GotoAfterPrevious continues with next, the node of this map branch that
// waits for the previous element: it gives next this instance's output
// through the element's pair record, and invokes next if the previous
// element has ended. next collects this instance's checkpoint.
func (x *Invocation) GotoAfterPrevious(ctx context.Context, next string) error {
	env := x.Env
	depth := len(env.Frames) - 1
	if depth < 0 || x.Node.Scopes[depth].Wait != next {
		return fmt.Errorf("unum: %s is not the node of %s's map that waits for the previous element", next, x.Node.Name)
	}
	f, scope := env.Frames[depth], x.Node.Scopes[depth]
	parent := cloneFrames(env.Frames[:depth])
	setKey := JoinKey(env.Execution, instance(scope.Origin, env.Iter, parent))
	if err := x.flush(ctx); err != nil {
		return err
	}
	set, ok, err := x.p.Store.Add(ctx, PairKey(setKey, f.Index), pairIn+"\t"+x.key)
	if err != nil {
		return err
	}
	if !ok {
		// The map was joined and collected: a late run.
		return x.cleanup(ctx, x.key)
	}
	return x.meet(ctx, set, next, parent, f, setKey)
}

// meet invokes the waiting node when set, its pair record after an
// addition, is complete and not yet consumed.
func (x *Invocation) meet(ctx context.Context, set []string, next string, parent []Frame, f Frame, setKey string) error {
	for _, s := range set {
		if s == consumedMark {
			return nil // the waiting node has committed
		}
	}
	p, err := parsePair(Item{Set: set})
	if err != nil || !p.complete() {
		return err
	}
	f.Iter = 0
	x.p.fault(FaultInvoke, x.Env, 0)
	return x.dispatch(ctx, x.pairEnvelope(next, parent, x.Env.Iter, f, setKey))
}

// signalNext gives the outcome of this branch, the fan-in member m, to the
// pair record of the next element of a map with a waiting node.
func (x *Invocation) signalNext(ctx context.Context, scope *FanOut, parent []Frame, f Frame, setKey, m string) error {
	if !scope.Map || scope.Wait == "" || f.Index+1 >= f.Width {
		return nil
	}
	_, rest, _ := strings.Cut(m, "\t") // without the index
	set, ok, err := x.p.Store.Add(ctx, PairKey(setKey, f.Index+1), pairPrev+"\t"+rest)
	if err != nil || !ok {
		return err // !ok: the map was joined and collected
	}
	return x.meet(ctx, set, scope.Wait, parent, Frame{Origin: f.Origin, Index: f.Index + 1, Width: f.Width}, setKey)
}

// pairCollect lists what the waiting node collects once it has committed:
// the checkpoint that gave its input, which it marks consumed instead when
// that is the first instance of the branch (kept until the branch ends);
// and it marks its pair record consumed.
func (x *Invocation) pairCollect(rec Item) (collect, consume []string) {
	consume = []string{x.Env.Pred}
	p, err := parsePair(rec)
	if rec.Key == "" || err != nil || p.inKey == "" {
		return nil, consume
	}
	if p.inKey == x.headKey() {
		return nil, append(consume, p.inKey)
	}
	return []string{p.inKey}, consume
}

// pairInput builds the waiting node's input, {"input": X, "previous": R},
// from its complete pair record: X the output of the checkpoint it names
// (or the input it holds), R the previous element's result, null for the
// first element. When the previous element failed, so does this instance,
// with that failure. It also sets the variables the instance received.
func (x *Invocation) pairInput(ctx context.Context, rec Item) (json.RawMessage, *Failure, error) {
	p, err := parsePair(rec)
	if err != nil {
		return nil, nil, err
	}
	if !p.complete() {
		// Collected by the join and created again by a late re-run of the
		// origin; the re-run that completes it invokes this node again.
		return nil, nil, fmt.Errorf("%w: pair record %s", errIncomplete, rec.Key)
	}
	var keys []string
	if p.inKey != "" {
		keys = append(keys, p.inKey)
	}
	if p.prev != nil && p.prev.failure == nil {
		keys = append(keys, p.prev.key)
	}
	got := map[string]Item{}
	if len(keys) > 0 {
		if !x.p.CollectByExpiry {
			keys = append(keys, rec.Key)
		}
		if got, err = x.p.Store.Get(ctx, keys...); err != nil {
			return nil, nil, err
		}
		if r, ok := got[rec.Key]; (!ok || consumed(r)) && !x.p.CollectByExpiry {
			return nil, nil, errCollected // another run of this node committed
		}
	}
	read := func(key string) (*Result, error) {
		it, ok := got[key]
		if !ok {
			return nil, fmt.Errorf("unum: record %s of %s is missing", key, x.instance)
		}
		var r Result
		if err := json.Unmarshal(it.Value, &r); err != nil {
			return nil, fmt.Errorf("unum: record %s: %v", key, err)
		}
		return &r, nil
	}
	var in struct {
		Input    json.RawMessage `json:"input"`
		Previous json.RawMessage `json:"previous"`
	}
	if p.inline {
		var v recordInput
		if err := json.Unmarshal(rec.Value, &v); err != nil {
			return nil, nil, fmt.Errorf("unum: pair record %s: %v", rec.Key, err)
		}
		in.Input, x.Env.Vars = v.Input, v.Vars
	} else {
		r, err := read(p.inKey)
		if err != nil {
			return nil, nil, err
		}
		in.Input, x.Env.Vars = r.Output, r.Vars
	}
	var failure *Failure
	switch {
	case p.prev == nil:
	case p.prev.failure != nil:
		failure = p.prev.failure
	default:
		r, err := read(p.prev.key)
		if err != nil {
			return nil, nil, err
		}
		in.Previous, failure = r.Output, r.Failure
	}
	if len(in.Input) == 0 {
		in.Input = json.RawMessage("null")
	}
	if len(in.Previous) == 0 {
		in.Previous = json.RawMessage("null")
	}
	out, err := json.Marshal(in)
	return out, failure, err
}
