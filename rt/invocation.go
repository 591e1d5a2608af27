package rt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Invocation is one delivery of an envelope to a node.
type Invocation struct {
	Node *Node
	Env  *Envelope

	p        *Platform
	instance string
	key      string          // this instance's checkpoint key
	res      *Result         // the committed result, once Call returned it
	collect  []string        // records to delete after the continuation
	consumes []string        // records to mark consumed after the commit, besides the envelope's
	entry    bool            // the instance that receives the workflow's input
	base     json.RawMessage // the input, or for a join with NeedsOrigin the origin's output
	exec     *Execution      // the execution's input and start, once read

	vars      []Variables       // what the continuation passes on, once Call returned
	mu        sync.Mutex        // guards assigned
	assigned  map[int]Variables // the Assign of each attempt of the function
	okAttempt int               // the attempt whose output Call commits
	forwarded bool              // the committed result is another run's: see Envelope.Forwarded
}

// Result is what a node instance committed: its output or its failure, and
// with a failure, when the node's Policy says KeepInput, its input.
type Result struct {
	Output  json.RawMessage `json:"output,omitempty"`
	Failure *Failure        `json:"failure,omitempty"`
	Input   json.RawMessage `json:"input,omitempty"`
	// Execution is kept by the entry instance of a workflow whose nodes
	// read the execution's input or start time.
	Execution *Execution `json:"execution,omitempty"`
	// Retries is, for the origin of a fan-out that runs again, the retry
	// counts its envelope carried.
	Retries []int `json:"retries,omitempty"`
	// JoinRetries and FanOutInput are kept by a join whose Policy has
	// FanOutRetry: the retry counts of the fan-out it joins, from the
	// origin's checkpoint, so that every run of the join decides the same;
	// and when it failed, the origin's output, which a retry gives the
	// origin again. (A join that also fans out has both kinds of counts.)
	JoinRetries []int           `json:"join_retries,omitempty"`
	FanOutInput json.RawMessage `json:"fanout_input,omitempty"`
	// Vars are the workflow variables the instance passes on: those its
	// envelope brought, with the node's Assign applied when it succeeded.
	Vars []Variables `json:"vars,omitempty"`
}

// Execution is what the context object of Step Functions tells about an
// execution beyond its name.
type Execution struct {
	Input json.RawMessage `json:"input"`
	Start time.Time       `json:"start"`
}

// Failed reports whether the instance failed.
func (r *Result) Failed() bool { return r.Failure != nil }

// Value decodes the output for conditions.
func (r *Result) Value() (any, error) { return Decode(r.Output) }

// Instance is the name of the node instance being run.
func (x *Invocation) Instance() string { return x.instance }

// Call runs fn on the instance's input, at most once as far as anything
// downstream can tell, and returns the committed result:
//
//   - if the instance already has a checkpoint (a retry or a duplicate), fn
//     is skipped and the stored result is returned, so the continuation is
//     carried out again with the value that won;
//   - if neither the checkpoint nor the record proving the invocation live
//     exists, the instance ran and was collected: Call returns nil, nil and
//     the invocation must do nothing more;
//   - otherwise fn runs (nil fn passes the input through) under the node's
//     Policy — each attempt bounded by its timeout, failures retried as its
//     retriers say — and the result of the last attempt is committed with a
//     conditional create; if another run of the instance committed first,
//     that run's result is returned instead.
//
// A user error is a committed failure, not an error of Call; Call's error is
// for the platform to retry. Retries happen within one invocation, before
// the commit: a crash or a cancelled ctx during them commits nothing, and
// the platform's retry of the invocation starts the retriers' counts again.
func (x *Invocation) Call(ctx context.Context, fn UserFunc) (*Result, error) {
	env := x.Env
	x.entry = env.Node == x.Node.Start && len(env.Frames) == 0 && env.Iter == 0 && env.Pred == ""
	status := StatusKey(env.Execution)
	keys := []string{x.key, status}
	switch {
	case x.entry:
	case env.Pred != "":
		keys = append(keys, env.Pred)
	default:
		return nil, fmt.Errorf("unum: envelope for %s proves nothing live", x.instance)
	}
	if env.Ref != "" && env.Ref != env.Pred {
		keys = append(keys, env.Ref)
	}
	if x.p.CollectByExpiry {
		// No pre-check: read only what the input needs, and the checkpoint
		// if a run that lost its commit sent the envelope.
		keys = nil
		if env.Forwarded {
			keys = append(keys, x.key)
		}
		if env.Ref != "" {
			keys = append(keys, env.Ref)
		}
	}
	originKey := ""
	retriesFanOut := x.Node.Policy != nil && len(x.Node.Policy.FanOutRetry) > 0
	if env.Join && (x.Node.NeedsOrigin || retriesFanOut) {
		originKey = CheckpointKey(env.Execution, instance(x.Node.JoinOf, env.Iter, env.Frames))
		keys = append(keys, originKey)
	}
	got := map[string]Item{}
	if len(keys) > 0 {
		var err error
		if got, err = x.p.Store.Get(ctx, keys...); err != nil {
			return nil, err
		}
	}
	if x.p.CollectByExpiry {
		if it, ok := got[x.key]; ok {
			if _, err := x.setResult(it.Value); err != nil {
				return nil, err
			}
			x.forwarded = true
			return x.res, nil
		}
		return x.execute(ctx, fn, got, originKey)
	}
	x.collect = env.Collect
	if env.Join {
		x.collect = x.joinCollect(got[env.Pred])
	}
	if env.Pair {
		x.collect, x.consumes = x.pairCollect(got[env.Pred])
	}
	if _, ended := got[status]; ended {
		// The execution has ended, so this is a late duplicate, or a re-run
		// it set off, or the retry of the instance that ended it: collect
		// what the execution's end and the re-run may have left, and stop.
		return nil, x.collectAfterEnd(ctx)
	}
	if it, ok := got[x.key]; ok {
		if consumed(it) {
			// Its successor has committed: the continuation is done, but
			// this instance's collection may not be.
			return nil, x.cleanup(ctx)
		}
		if _, err := x.setResult(it.Value); err != nil {
			return nil, err
		}
		x.forwarded = true
		return x.res, x.consume(ctx)
	}
	if !x.entry && !x.live(got[env.Pred]) {
		// Ran and was collected: a late duplicate.
		return nil, x.collectStale(ctx)
	}
	return x.execute(ctx, fn, got, originKey)
}

// execute runs the instance, after the pre-check found it must, and
// commits. got holds the records the input needs.
func (x *Invocation) execute(ctx context.Context, fn UserFunc, got map[string]Item, originKey string) (*Result, error) {
	env := x.Env
	retriesFanOut := x.Node.Policy != nil && len(x.Node.Policy.FanOutRetry) > 0
	res := &Result{Retries: env.Retries}
	keepInput := x.Node.Policy != nil && x.Node.Policy.KeepInput
	input, failure, err := x.input(ctx, got, keepInput)
	x.base = input
	var originOut json.RawMessage
	if err == nil && originKey != "" {
		originOut, res.JoinRetries, err = x.origin(got, originKey)
		if x.Node.NeedsOrigin {
			x.base = originOut
		}
	}
	if err == nil && x.entry && x.Node.KeepExecution {
		x.exec = &Execution{Input: input, Start: time.Now().UTC()}
		res.Execution = x.exec
	}
	switch {
	case errors.Is(err, errIncomplete):
		// The set was collected by the join and re-created by a late re-run
		// of the fan-out; the branch that completes it invokes the join again.
		return nil, nil
	case errors.Is(err, errCollected):
		// A concurrent run of this join committed and carries on; a
		// retry of this one finds its checkpoint, or nothing to do.
		return nil, nil
	case err != nil:
		return nil, err
	case failure != nil:
		res.Failure = failure // a branch of the fan-out this node joins failed
	case fn == nil, len(env.Retries) > 0:
		// A retry of the fan-out this node starts brings its own output
		// back: the fan-out runs again, not the function.
		res.Output = input
	default:
		x.p.fault(FaultBeforeCall, env, 0)
		out, failure, err := x.run(ctx, fn, input)
		if err != nil {
			return nil, err
		}
		x.p.fault(FaultAfterCall, env, 0)
		res.Output, res.Failure = out, failure
	}
	if res.Failure != nil && retriesFanOut {
		res.FanOutInput = originOut
	}
	res.Vars = x.committedVars(res)
	if res.Failure != nil && keepInput {
		res.Input = x.base
		if len(res.Input) == 0 {
			res.Input = json.RawMessage("null")
		}
	}
	value, err := json.Marshal(res)
	if err != nil {
		return nil, err
	}
	existing, err := x.p.Store.Create(ctx, Item{Key: x.key, Value: value, Expires: x.p.expiry(x.p.CheckpointTTL)})
	if err != nil {
		return nil, err
	}
	x.p.fault(FaultAfterCommit, env, 0)
	if existing != nil {
		if _, err := x.setResult(existing.Value); err != nil {
			return nil, err
		}
		x.forwarded = true
	} else {
		x.res, x.vars = res, res.Vars
	}
	return x.res, x.consume(ctx)
}

// flush collects the records the envelope lists (the predecessor's
// checkpoint) before a successor is invoked. This keeps the invariant that
// late duplicates rely on: when a checkpoint is collected, by a successor
// that committed, the record that proved its instance live is already gone
// or consumed, so the instance can never run again. (Collecting after the
// invocation, as the first version did, let a run that crashed in between
// find its own checkpoint collected and its predecessor's still there, and
// run again.) At the end of a branch nothing is invoked that could collect
// this instance's checkpoint but the join, and a re-run after the join ends
// at the collected set, so the end of a scope collects in one request.
func (x *Invocation) flush(ctx context.Context) error {
	if err := x.cleanup(ctx); err != nil {
		return err
	}
	x.collect = nil
	return nil
}

// consumedMark is the set member that marks a checkpoint consumed.
const consumedMark = "consumed"

func consumed(it Item) bool {
	for _, m := range it.Set {
		if m == consumedMark {
			return true
		}
	}
	return false
}

// consume marks consumed the checkpoints that this committed instance
// continues and that outlive it: the envelope's Consume, and for a join,
// an origin that is the entry instance or the first instance of a branch.
// Call runs it between the commit and the continuation, so that no
// successor of this instance can have committed, and collected this
// instance's checkpoint, while the record that proved this instance live
// still proves it. The records the envelope lists are collected later, by
// flush, before the first successor is invoked, or with the end of the scope.
func (x *Invocation) consume(ctx context.Context) error {
	if x.p.CollectByExpiry {
		return nil
	}
	keys := x.consumes
	if x.Env.Consume != "" {
		keys = append(keys, x.Env.Consume)
	}
	if x.Env.Join && x.originOutlives() {
		keys = append(keys, CheckpointKey(x.Env.Execution, instance(x.Node.JoinOf, x.Env.Iter, x.Env.Frames)))
	}
	for _, k := range keys {
		if _, _, err := x.p.Store.Add(ctx, k, consumedMark); err != nil {
			return err
		}
	}
	return nil
}

// outlives reports whether this instance's checkpoint must outlive its
// successors': it is the entry instance, whose checkpoint is kept until the
// end, or the first instance of a branch, proved live by the fan-in set
// until its branch ends (see live).
func (x *Invocation) outlives() bool {
	return x.entry || !x.Env.Join && x.branchHead()
}

// branchHead reports whether the envelope starts a branch: its Pred is the
// fan-in set of the innermost fan-out.
func (x *Invocation) branchHead() bool {
	env := x.Env
	if len(env.Frames) == 0 {
		return false
	}
	f := env.Frames[len(env.Frames)-1]
	return env.Pred == JoinKey(env.Execution, instance(f.Origin, env.Iter, env.Frames[:len(env.Frames)-1]))
}

// originOutlives reports whether a join's origin is an instance whose
// checkpoint outlives its successors: the entry instance, or the first
// instance (iteration 0) of the branch the join runs in.
func (x *Invocation) originOutlives() bool {
	env := x.Env
	if len(env.Frames) == 0 {
		return env.Iter == 0 && x.Node.JoinOf == x.Node.Start
	}
	f, scope := env.Frames[len(env.Frames)-1], x.Node.Scopes[len(env.Frames)-1]
	if f.Iter != 0 {
		return false
	}
	if scope.Map {
		return scope.Heads[0] == x.Node.JoinOf
	}
	return f.Index < len(scope.Heads) && scope.Heads[f.Index] == x.Node.JoinOf
}

// headKey is the checkpoint key of the first instance of the branch this
// instance runs in.
func (x *Invocation) headKey() string {
	return x.headKeyAt(len(x.Env.Frames) - 1)
}

// headKeyAt is the checkpoint key of the first instance of the enclosing
// branch at depth (0 for the outermost).
func (x *Invocation) headKeyAt(depth int) string {
	env := x.Env
	f, scope := env.Frames[depth], x.Node.Scopes[depth]
	head := scope.Heads[0]
	if !scope.Map && f.Index < len(scope.Heads) {
		head = scope.Heads[f.Index]
	}
	frames := cloneFrames(env.Frames[:depth+1])
	frames[depth].Iter = 0
	return CheckpointKey(env.Execution, instance(head, env.Iter, frames))
}

// origin reads the output and retry counts of a join's origin from its
// checkpoint, which the join collects only after it has committed.
func (x *Invocation) origin(got map[string]Item, key string) (json.RawMessage, []int, error) {
	it, ok := got[key]
	if !ok {
		return nil, nil, fmt.Errorf("unum: origin checkpoint %s of %s is missing", key, x.instance)
	}
	var r Result
	if err := json.Unmarshal(it.Value, &r); err != nil {
		return nil, nil, fmt.Errorf("unum: origin checkpoint %s: %v", key, err)
	}
	return r.Output, r.Retries, nil
}

// Base is the value a node's data flow merges its result into (Step
// Functions' ResultPath): the instance's input, or for a join whose node
// NeedsOrigin, the output of the fan-out's origin. It is set while the user
// function runs.
func (x *Invocation) Base() json.RawMessage { return x.base }

// Execution returns the execution's input and start time, which the entry
// instance of a workflow whose entry node has KeepExecution keeps in its
// checkpoint until the execution ends.
func (x *Invocation) Execution(ctx context.Context) (*Execution, error) {
	if x.exec != nil {
		return x.exec, nil
	}
	key := CheckpointKey(x.Env.Execution, x.Node.Start)
	got, err := x.p.Store.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	it, ok := got[key]
	if !ok {
		return nil, fmt.Errorf("unum: the entry checkpoint %s is gone", key)
	}
	var r Result
	if err := json.Unmarshal(it.Value, &r); err != nil {
		return nil, fmt.Errorf("unum: entry checkpoint %s: %v", key, err)
	}
	if r.Execution == nil {
		return nil, fmt.Errorf("unum: the entry checkpoint %s does not keep the execution (regenerate the entry node)", key)
	}
	x.exec = r.Execution
	return x.exec, nil
}

func (x *Invocation) setResult(value []byte) (*Result, error) {
	var r Result
	if err := json.Unmarshal(value, &r); err != nil {
		return nil, fmt.Errorf("unum: checkpoint %s: %v", x.key, err)
	}
	x.res = &r
	x.vars = r.Vars
	return &r, nil
}

// input returns the instance's input: inline, by reference, or, for a join,
// the ordered list of branch results. When a branch of the join failed, the
// failure is returned too, with the list only if full is set.
func (x *Invocation) input(ctx context.Context, got map[string]Item, full bool) (json.RawMessage, *Failure, error) {
	env := x.Env
	switch {
	case env.Join:
		return x.joinInput(ctx, got[env.Ref], full)
	case env.Pair:
		return x.pairInput(ctx, got[env.Ref])
	case env.Ref != "":
		it, ok := got[env.Ref]
		if !ok {
			return nil, nil, fmt.Errorf("unum: input record %s of %s is missing", env.Ref, x.instance)
		}
		var r Result
		if err := json.Unmarshal(it.Value, &r); err != nil {
			return nil, nil, fmt.Errorf("unum: input record %s: %v", env.Ref, err)
		}
		return r.Output, nil, nil
	}
	return env.Input, nil, nil
}

func (x *Invocation) members(set Item) ([]member, error) {
	ms := make([]member, 0, len(set.Set))
	seen := map[int]bool{}
	for _, s := range set.Set {
		m, err := parseMember(s)
		if err != nil {
			return nil, err
		}
		m.key = resultKey(set.Key, m.index, m.rel)
		if !seen[m.index] {
			seen[m.index] = true
			ms = append(ms, m)
		}
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].index < ms[j].index })
	return ms, nil
}

// joinInput reads the branch results named by a complete fan-in set. The
// first failed branch, by index, fails the join; with full set the list is
// still built, holding each failed branch's error object.
func (x *Invocation) joinInput(ctx context.Context, set Item, full bool) (json.RawMessage, *Failure, error) {
	meta, err := parseSetMeta(set)
	if err != nil {
		return nil, nil, err
	}
	ms, err := x.members(set)
	if err != nil {
		return nil, nil, err
	}
	if len(ms) != meta.N {
		return nil, nil, fmt.Errorf("%w: %s has %d of %d branches", errIncomplete, set.Key, len(ms), meta.N)
	}
	var keys []string
	var failure *Failure
	for _, m := range ms {
		if m.failure != nil {
			if !full {
				return nil, m.failure, nil // the first failed branch, by index, fails the join
			}
			failure = firstFailure(failure, m.failure)
			continue
		}
		keys = append(keys, m.key)
	}
	results := map[string]Item{}
	if len(keys) > 0 {
		// The set is read again with the results: if it is gone, another
		// run of this join committed and collected it while this one read.
		if !x.p.CollectByExpiry {
			keys = append(keys, set.Key)
		}
		if results, err = x.p.Store.Get(ctx, keys...); err != nil {
			return nil, nil, err
		}
		if _, ok := results[set.Key]; !ok && !x.p.CollectByExpiry {
			return nil, nil, errCollected
		}
	}
	list := make([]json.RawMessage, len(ms))
	for i, m := range ms {
		var r Result
		if m.failure != nil {
			r.Failure = m.failure
		} else {
			it, ok := results[m.key]
			if !ok {
				return nil, nil, fmt.Errorf("unum: result %s of branch %d is missing", m.key, m.index)
			}
			if err := json.Unmarshal(it.Value, &r); err != nil {
				return nil, nil, fmt.Errorf("unum: result %s: %v", m.key, err)
			}
		}
		if r.Failure != nil {
			if !full {
				return nil, r.Failure, nil
			}
			failure = firstFailure(failure, r.Failure)
			obj, err := json.Marshal(ErrorObject{Error: r.Failure.Error, Cause: r.Failure.Cause})
			if err != nil {
				return nil, nil, err
			}
			list[i] = obj
			continue
		}
		list[i] = r.Output
		if len(list[i]) == 0 {
			list[i] = json.RawMessage("null")
		}
	}
	out, err := json.Marshal(list)
	return out, failure, err
}

// firstFailure keeps the first failure found: the failure of the branch with
// the lowest index.
func firstFailure(first, f *Failure) *Failure {
	if first != nil {
		return first
	}
	return f
}

// joinCollect lists what a join deletes once it has committed: the origin's
// checkpoint (unless it outlives the join: the execution's entry, kept until
// the end, or a branch's first, kept until the branch ends), the fan-in set
// and the branch results it names.
func (x *Invocation) joinCollect(set Item) []string {
	env := x.Env
	var keys []string
	if !x.originOutlives() {
		keys = append(keys, CheckpointKey(env.Execution, instance(x.Node.JoinOf, env.Iter, env.Frames)))
	}
	if set.Key == "" {
		return keys // already collected
	}
	return append(keys, x.setRecords(set)...)
}

// setMeta is the value of a fan-in set, written by the origin: how many
// branches it waits for, and which records it has beside it that go when
// it goes — pair records (see FanOut.Wait), and element records from
// Limit on (see Platform.ElementRecords).
type setMeta struct {
	N     int  `json:"n"`
	Pairs bool `json:"pairs,omitempty"`
	Limit int  `json:"limit,omitempty"`
}

func parseSetMeta(set Item) (setMeta, error) {
	var m setMeta
	if err := json.Unmarshal(set.Value, &m); err != nil {
		return m, fmt.Errorf("unum: fan-in set %s: %v", set.Key, err)
	}
	return m, nil
}

// setRecords lists a fan-in set's key and the branch results it names: what
// goes when the set goes.
func (x *Invocation) setRecords(set Item) []string {
	keys := []string{set.Key}
	if meta, err := parseSetMeta(set); err == nil {
		if meta.Pairs {
			for i := range meta.N {
				keys = append(keys, PairKey(set.Key, i))
			}
		}
		for i := meta.Limit; meta.Limit > 0 && i < meta.N; i++ {
			keys = append(keys, ElementKey(set.Key, i))
		}
	}
	if ms, err := x.members(set); err == nil {
		for _, m := range ms {
			if m.key != "" {
				keys = append(keys, m.key)
			}
		}
	}
	return keys
}

// live tells whether the record that proves the invocation live, Pred, says
// so. For most instances it must just exist: it is the sender's checkpoint,
// which the receiver deletes once it has committed, or the fan-in set a
// join collects. The head of a branch is proved live by its fan-in set too,
// as long as the set does not yet name the branch: a branch that has ended
// must not start again, even though the set lives on until the join.
func (x *Invocation) live(pred Item) bool {
	if pred.Key == "" || consumed(pred) {
		return false
	}
	env := x.Env
	if env.Join || len(env.Frames) == 0 {
		return true
	}
	return !x.branchHead() || !x.names(pred)
}

// collectStale runs when a late duplicate is dropped. The instance committed
// once (its Pred is dead only after that) and its checkpoint is gone, so if
// it fanned out, the join has run and collected the fan-in set. A set found
// now was created again by a run of this instance that was forwarding its
// result when the join collected — and that crashed before invoking the
// branches that would have completed it — so nothing else will collect it.
//
// In a branch, it also deletes the branch's first checkpoint once the
// enclosing set names the branch or is gone: the run that ended the branch
// may have crashed before deleting it.
func (x *Invocation) collectStale(ctx context.Context) error {
	env := x.Env
	setKey := JoinKey(env.Execution, x.instance)
	keys := []string{setKey}
	enclosing := ""
	if depth := len(env.Frames) - 1; depth >= 0 {
		enclosing = JoinKey(env.Execution, instance(env.Frames[depth].Origin, env.Iter, env.Frames[:depth]))
		keys = append(keys, enclosing)
	}
	got, err := x.p.Store.Get(ctx, keys...)
	if err != nil {
		return err
	}
	var extra []string
	if set, ok := got[setKey]; ok {
		extra = append(extra, x.setRecords(set)...)
	}
	if enclosing != "" {
		if set, ok := got[enclosing]; !ok || x.names(set) {
			if head := x.headKey(); head != x.key {
				extra = append(extra, head)
			}
		}
	}
	if len(extra) == 0 {
		return nil
	}
	x.collect = nil // the envelope's records are not this run's to delete
	return x.cleanup(ctx, extra...)
}

// names reports whether a fan-in set names the branch this instance runs in.
func (x *Invocation) names(set Item) bool {
	f := x.Env.Frames[len(x.Env.Frames)-1]
	for _, s := range set.Set {
		if m, err := parseMember(s); err == nil && m.index == f.Index {
			return true
		}
	}
	return false
}

// collectAfterEnd deletes what may be left when an instance runs after the
// end of its execution. Such a run is a late duplicate, or part of a re-run
// a duplicate set off before the end, whose records nothing else will
// collect: its own checkpoint and fan-in set, the sender's checkpoint
// (Pred), the records its envelope lists, the entry checkpoint, and every
// fan-out it runs in — origin checkpoint, set and the first checkpoint of
// the branch — with the branch results each set names. All of it is dead once the execution has ended. This path
// is rare, so the extra read of the sets is only paid here.
func (x *Invocation) collectAfterEnd(ctx context.Context) error {
	env := x.Env
	exec := env.Execution
	keys := []string{x.key, CheckpointKey(exec, x.Node.Start)}
	if env.Pred != "" {
		keys = append(keys, env.Pred)
	}
	sets := []string{JoinKey(exec, x.instance)}
	for d := range env.Frames {
		origin := instance(env.Frames[d].Origin, env.Iter, env.Frames[:d])
		keys = append(keys, CheckpointKey(exec, origin), x.headKeyAt(d))
		sets = append(sets, JoinKey(exec, origin))
	}
	got, err := x.p.Store.Get(ctx, sets...)
	if err != nil {
		return err
	}
	for _, set := range got {
		keys = append(keys, x.setRecords(set)...)
	}
	return x.cleanup(ctx, keys...)
}

// errIncomplete is a fan-in set that does not yet name every branch.
var errIncomplete = errors.New("unum: incomplete fan-in set")

// errCollected is a fan-in set that another run of the join collected
// while this run read it.
var errCollected = errors.New("unum: fan-in set collected by another run of the join")

// Goto continues with node next in the same scope, passing the output.
func (x *Invocation) Goto(ctx context.Context, next string) error {
	return x.send(ctx, next, x.Env.Iter, cloneFrames(x.Env.Frames))
}

// Loop continues with node next as a new iteration of the current scope.
func (x *Invocation) Loop(ctx context.Context, next string) error {
	iter, frames := nextIteration(x.Env.Iter, cloneFrames(x.Env.Frames))
	return x.send(ctx, next, iter, frames)
}

// nextIteration advances the loop counter of the innermost scope.
func nextIteration(iter int, frames []Frame) (int, []Frame) {
	if len(frames) == 0 {
		return iter + 1, frames
	}
	frames[len(frames)-1].Iter++
	return iter, frames
}

// send invokes next with the output, by value or by reference.
func (x *Invocation) send(ctx context.Context, next string, iter int, frames []Frame) error {
	env := &Envelope{Version: Version, Execution: x.Env.Execution, Node: next, Iter: iter, Frames: frames, Pred: x.key,
		Vars: x.vars}
	x.attach(env, x.res.Output)
	return x.invoke(ctx, env)
}

// sendInput invokes next with input by value: a catcher's handler, whose
// input is not this instance's output.
func (x *Invocation) sendInput(ctx context.Context, next string, iter int, frames []Frame, input json.RawMessage) error {
	env := &Envelope{Version: Version, Execution: x.Env.Execution, Node: next, Iter: iter, Frames: frames, Pred: x.key, Input: input,
		Vars: x.vars}
	return x.invoke(ctx, env)
}

// invoke sends env, which continues this instance, and collects.
func (x *Invocation) invoke(ctx context.Context, env *Envelope) error {
	if x.outlives() {
		env.Consume = x.key
	} else {
		env.Collect = []string{x.key}
	}
	if err := x.flush(ctx); err != nil {
		return err
	}
	x.p.fault(FaultInvoke, x.Env, 0)
	return x.dispatch(ctx, env)
}

// dispatch invokes env, marked Forwarded when this run carries on with
// another run's result.
func (x *Invocation) dispatch(ctx context.Context, env *Envelope) error {
	env.Forwarded = env.Forwarded || x.forwarded
	return x.p.Invoker.Invoke(ctx, env)
}

// attach puts an output into an envelope by value, or by reference to this
// instance's checkpoint when it is larger than the platform's inline limit.
func (x *Invocation) attach(env *Envelope, out json.RawMessage) {
	if x.p.InlineLimit > 0 && len(out) > x.p.InlineLimit {
		env.Ref = x.key
		return
	}
	env.Input = out
}

func (x *Invocation) cleanup(ctx context.Context, extra ...string) error {
	if x.p.CollectByExpiry {
		return nil
	}
	keys := append(append([]string(nil), x.collect...), extra...)
	if len(keys) == 0 {
		return nil
	}
	x.p.fault(FaultBeforeCollect, x.Env, 0)
	return x.p.Store.Delete(ctx, keys...)
}

// End ends the instance's scope successfully with its output: the execution,
// at the top level, or the branch of the enclosing fan-out.
func (x *Invocation) End(ctx context.Context) error {
	if x.res.Failed() {
		return x.Fail(ctx, x.res.Failure)
	}
	if len(x.Env.Frames) == 0 {
		out := x.res.Output
		if len(out) == 0 {
			out = json.RawMessage("null")
		}
		return x.finish(ctx, &Status{State: Succeeded, Output: out})
	}
	f := x.Env.Frames[len(x.Env.Frames)-1]
	return x.endBranch(ctx, memberOK(f.Index, x.rel()))
}

// Fail ends the instance's scope with a failure.
func (x *Invocation) Fail(ctx context.Context, f *Failure) error {
	if len(x.Env.Frames) == 0 {
		return x.finish(ctx, &Status{State: Failed, Error: f.Error, Cause: f.Cause})
	}
	fr := x.Env.Frames[len(x.Env.Frames)-1]
	return x.endBranch(ctx, memberFailed(fr.Index, x.rel(), f))
}

// FailWith ends the scope with a named failure, for `fail` in a workflow.
func (x *Invocation) FailWith(ctx context.Context, name, cause string) error {
	return x.Fail(ctx, &Failure{Error: name, Cause: cause})
}

// finish records the outcome of the execution, first writer wins, then
// deletes the entry checkpoint and this instance's records.
func (x *Invocation) finish(ctx context.Context, st *Status) error {
	value, err := json.Marshal(st)
	if err != nil {
		return err
	}
	exec := x.Env.Execution
	if _, err := x.p.Store.Create(ctx, Item{Key: StatusKey(exec), Value: value, Expires: x.p.expiry(x.p.StatusTTL)}); err != nil {
		return err
	}
	return x.cleanup(ctx, CheckpointKey(exec, x.Node.Start), x.key)
}

// endBranch adds this branch's outcome to the fan-in set of the enclosing
// fan-out; the branch that completes the set invokes the join.
func (x *Invocation) endBranch(ctx context.Context, m string) error {
	env := x.Env
	depth := len(env.Frames) - 1
	f, scope := env.Frames[depth], x.Node.Scopes[depth]
	parent := cloneFrames(env.Frames[:depth])
	origin := instance(scope.Origin, env.Iter, parent)
	setKey := JoinKey(env.Execution, origin)
	// The next element learns the outcome before the set does: once the
	// set is complete, the join collects this branch's result, which the
	// next element's waiting node reads.
	if err := x.signalNext(ctx, scope, parent, f, setKey, m); err != nil {
		return err
	}
	set, ok, err := x.p.Store.Add(ctx, setKey, m)
	if err != nil {
		return err
	}
	if !ok {
		// The join has run and collected the set: this is a late rerun.
		return x.cleanup(ctx, x.key, x.headKey())
	}
	x.p.fault(FaultAfterJoinAdd, env, 0)
	if scope.Map && scope.Limit > 0 && f.Index+scope.Limit < f.Width {
		if err := x.startNext(ctx, scope, parent, origin, f); err != nil {
			return err
		}
	}
	if complete(set, f.Width) {
		join := &Envelope{Version: Version, Execution: env.Execution, Node: scope.Join, Iter: env.Iter,
			Frames: parent, Ref: setKey, Pred: setKey, Join: true, Vars: withScope(x.vars, depth, nil)}
		x.p.fault(FaultInvoke, env, 0)
		if err := x.dispatch(ctx, join); err != nil {
			return err
		}
	}
	// The set names the branch now, so its first instance proves nothing
	// live any more and its checkpoint can go.
	if head := x.headKey(); head != x.key {
		return x.cleanup(ctx, head)
	}
	return x.cleanup(ctx)
}

// FanOut starts the branches of f: each head of a parallel with the output,
// or the map's head once per element of its items, at most Limit at first.
// The fan-in set is created here, by the origin, before any branch can end.
func (x *Invocation) FanOut(ctx context.Context, f *FanOut) error {
	env := x.Env
	inputs, err := x.branchInputs(ctx, f, x.res.Output, -1)
	if err != nil {
		return x.Fail(ctx, FailureOf(err))
	}
	n := len(inputs)
	setKey := JoinKey(env.Execution, x.instance)
	pairs := f.Map && f.Wait != "" && n > 0
	elements := f.Map && f.Limit > 0 && n > f.Limit && x.p.ElementRecords
	var lanes [][]json.RawMessage
	var laneVars []Variables
	if elements {
		if lanes = x.lanes(f, inputs); lanes != nil {
			elements = false // the inputs travel inline instead
			laneVars = withScope(x.vars, len(env.Frames), nil)
		}
	}
	meta := setMeta{N: n, Pairs: pairs}
	if elements {
		meta.Limit = f.Limit
	}
	value, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	if _, err := x.p.Store.Create(ctx, Item{Key: setKey, Value: value, Expires: x.p.expiry(x.p.CheckpointTTL)}); err != nil {
		return err
	}
	if elements {
		if err := x.createElements(ctx, f, setKey, inputs); err != nil {
			return err
		}
	}
	var first *Envelope // when the map's first node waits for the previous element
	if pairs {
		// After the set, which collects them: a crash in between leaves
		// nothing that the set does not name.
		var err error
		if first, err = x.createPairs(ctx, f, setKey, inputs); err != nil {
			return err
		}
	}
	if err := x.flush(ctx); err != nil {
		return err
	}
	if n == 0 {
		join := &Envelope{Version: Version, Execution: env.Execution, Node: f.Join, Iter: env.Iter,
			Frames: cloneFrames(env.Frames), Ref: setKey, Pred: setKey, Join: true, Vars: x.vars}
		x.p.fault(FaultInvoke, env, 0)
		return x.dispatch(ctx, join)
	}
	if first != nil {
		x.p.fault(FaultInvoke, env, 0)
		return x.dispatch(ctx, first)
	}
	launch := n
	if f.Map && f.Limit > 0 && f.Limit < n {
		launch = f.Limit
	}
	envs := make([]*Envelope, launch)
	for i := range launch {
		head := f.Heads[0]
		if !f.Map {
			head = f.Heads[i]
		}
		fr := Frame{Origin: x.Node.Ident, Index: i, Width: n}
		if lanes != nil && len(lanes[i]) > 0 {
			fr.Lane, fr.LaneVars = lanes[i], laneVars
		}
		e := &Envelope{Version: Version, Execution: env.Execution, Node: head, Iter: env.Iter,
			Frames: append(cloneFrames(env.Frames), fr), Pred: setKey, Vars: x.vars}
		if f.Map || f.Prepare != nil || f.Select != nil {
			e.Input = inputs[i]
		} else {
			x.attach(e, x.res.Output)
		}
		envs[i] = e
	}
	return x.invokeAll(ctx, envs)
}

// branchInputs computes the inputs of the branches of f from the origin's
// output: of every branch, or with only >= 0 of that map element alone
// (the others are left as the bare elements), for starting the next
// element of a bounded map without element records. Its errors are failures of the origin's scope: a map over
// something that is not an array is States.Runtime, and the errors of
// Prepare and Select are named as they name themselves.
func (x *Invocation) branchInputs(ctx context.Context, f *FanOut, out json.RawMessage, only int) ([]json.RawMessage, error) {
	in := out
	if f.Prepare != nil {
		var err error
		if in, err = f.Prepare(ctx, x, out); err != nil {
			return nil, err
		}
	}
	if !f.Map {
		if f.Select != nil {
			var err error
			if in, err = f.Select(ctx, x, in, -1, nil); err != nil {
				return nil, err
			}
		}
		inputs := make([]json.RawMessage, len(f.Heads))
		for i := range inputs {
			inputs[i] = in
		}
		return inputs, nil
	}
	items, err := Items(in, f.Items)
	if err != nil {
		return nil, &runtimeError{fmt.Sprintf("map after %q: %v", x.Node.Name, err)}
	}
	if f.Select != nil {
		for i := range items {
			if only >= 0 && i != only {
				continue
			}
			if items[i], err = f.Select(ctx, x, in, i, items[i]); err != nil {
				return nil, err
			}
		}
	}
	return items, nil
}

// runtimeError is a States.Runtime failure of the runtime itself.
type runtimeError struct{ cause string }

func (e *runtimeError) Error() string     { return e.cause }
func (e *runtimeError) ErrorName() string { return ErrorRuntime }

// invokeAll invokes envelopes concurrently, at most FanOutConcurrency at once.
func (x *Invocation) invokeAll(ctx context.Context, envs []*Envelope) error {
	limit := x.p.FanOutConcurrency
	if limit <= 0 {
		limit = 16
	}
	sem := make(chan struct{}, limit)
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	for i, e := range envs {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			x.p.fault(FaultInvoke, x.Env, i)
			if err := x.dispatch(ctx, e); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func cloneFrames(f []Frame) []Frame {
	if len(f) == 0 {
		return nil
	}
	return append([]Frame(nil), f...)
}

// complete reports whether a fan-in set names all width branches. Members
// are counted by their index, read without parsing the rest: this runs at
// every branch's end on the whole set.
func complete(set []string, width int) bool {
	if len(set) < width {
		return false
	}
	seen := make([]bool, width)
	n := 0
	for _, s := range set {
		i, _, _ := strings.Cut(s, "\t")
		if k, err := strconv.Atoi(i); err == nil && k >= 0 && k < width && !seen[k] {
			seen[k] = true
			n++
		}
	}
	return n == width
}
