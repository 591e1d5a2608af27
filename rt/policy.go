package rt

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/unumc/unumc/rt/unumctx"
)

// Policy is how a node handles the errors of its user function, as a Step
// Functions Task state's TimeoutSeconds and Retry. Generated code declares
// it as a literal in the node's descriptor; Call applies it before the
// commit, so the committed result is that of the last attempt. Catching
// happens after the commit, in generated code (Failure.Matches, Catch).
type Policy struct {
	// Timeout bounds each attempt; 0 for none. An attempt still running at
	// its deadline fails with States.Timeout.
	Timeout time.Duration
	// Retry lists the retriers in order: after a failed attempt, the first
	// whose Errors match the failure decides whether to try again, counting
	// its own retries. A failure that no retrier matches is final.
	Retry []Retrier
	// KeepInput makes Call keep a failed instance's input in its checkpoint,
	// for a catcher that puts the error into the input (Catch with a path).
	KeepInput bool
	// FanOutRetry, for a join that calls no function, lists the retriers of
	// its fan-out, as Step Functions' Retry on a Parallel or Map state: a
	// failure they match runs the whole fan-out again (see RetryFanOut).
	// Such a join reads its origin's checkpoint, and a failed run keeps the
	// origin's output.
	FanOutRetry []Retrier
}

// Retrier is one retry rule: after a failure that one of Errors matches, at
// most MaxAttempts retries, the retry n (from 0) after waiting
// Interval × Backoffⁿ, capped at MaxDelay (when positive), and with Jitter
// drawn uniformly from [0, that wait] (Step Functions' JitterStrategy FULL).
type Retrier struct {
	Errors      []string
	Interval    time.Duration
	MaxAttempts int
	Backoff     float64
	MaxDelay    time.Duration
	Jitter      bool
}

// Delay is the wait before retry n (from 0) of r. u is a uniform random
// number in [0, 1], used only with Jitter: the wait is then u times the
// capped backoff.
func (r *Retrier) Delay(n int, u float64) time.Duration {
	d := float64(r.Interval) * math.Pow(max(r.Backoff, 1), float64(n))
	if r.MaxDelay > 0 {
		d = min(d, float64(r.MaxDelay))
	}
	d = min(d, 1<<62) // about 146 years: a long backoff overflows nothing
	if r.Jitter {
		d *= min(max(u, 0), 1)
	}
	return time.Duration(d)
}

// The predefined error names a retrier or catcher may list, as in Step
// Functions.
const (
	// ErrorAll matches every error but the terminal ones.
	ErrorAll = "States.ALL"
	// ErrorTaskFailed matches every error but States.Timeout and the
	// terminal ones.
	ErrorTaskFailed = "States.TaskFailed"
	// ErrorTimeout is an attempt that ran past the node's timeout.
	ErrorTimeout = "States.Timeout"
	// ErrorRuntime is a terminal error: the workflow cannot go on (a map
	// over something that is not an array). Nothing matches it.
	ErrorRuntime = "States.Runtime"
	// ErrorDataLimitExceeded is a terminal error: a value too large to
	// pass on. Nothing matches it.
	ErrorDataLimitExceeded = "States.DataLimitExceeded"
	// ErrorResultPathMatchFailure is a catcher's path that cannot be set in
	// the node's input.
	ErrorResultPathMatchFailure = "States.ResultPathMatchFailure"
)

// Matches reports whether one of errors matches the failure, as the
// ErrorEquals of a Step Functions retrier or catcher: an error name equal
// to the failure's, States.ALL for any failure, States.TaskFailed for any
// failure but States.Timeout. The terminal errors States.Runtime and
// States.DataLimitExceeded match nothing.
func (f *Failure) Matches(errors ...string) bool {
	if f == nil || f.Error == ErrorRuntime || f.Error == ErrorDataLimitExceeded {
		return false
	}
	for _, e := range errors {
		switch {
		case e == f.Error, e == ErrorAll:
			return true
		case e == ErrorTaskFailed && f.Error != ErrorTimeout:
			return true
		}
	}
	return false
}

// run calls fn on input under the node's policy: each attempt bounded by
// the timeout, failures retried as the retriers say. It returns the output
// or the failure of the last attempt, or an error when ctx ends first, which
// leaves nothing to commit.
func (x *Invocation) run(ctx context.Context, fn UserFunc, input json.RawMessage) (json.RawMessage, *Failure, error) {
	p := x.Node.Policy
	if p == nil {
		p = &Policy{}
	}
	retries := make([]int, len(p.Retry)) // each retrier counts its own
	info, _ := unumctx.From(ctx)
	for attempt := 0; ; attempt++ {
		info.Retry = attempt
		out, f := x.attempt(unumctx.With(ctx, info), fn, input, p.Timeout)
		if f == nil {
			x.mu.Lock()
			x.okAttempt = attempt
			x.mu.Unlock()
			return out, nil, nil
		}
		if err := ctx.Err(); err != nil {
			return nil, nil, err // the invocation is cancelled, not the function failed: commit nothing
		}
		i := matchingRetrier(p.Retry, f)
		if i < 0 || retries[i] >= p.Retry[i].MaxAttempts {
			return nil, f, nil
		}
		wait := p.Retry[i].Delay(retries[i], rand.Float64())
		retries[i]++
		if err := sleep(ctx, wait); err != nil {
			return nil, nil, err
		}
	}
}

// matchingRetrier returns the index of the first retrier matching f, or -1.
func matchingRetrier(rs []Retrier, f *Failure) int {
	for i := range rs {
		if f.Matches(rs[i].Errors...) {
			return i
		}
	}
	return -1
}

// attempt calls fn once. With a timeout, fn runs with a context that ends at
// the deadline, and if it has not returned by then the attempt fails with
// States.Timeout at once: a function that ignores its context goes on
// running in its goroutine, its result discarded, until it returns or the
// process exits.
func (x *Invocation) attempt(ctx context.Context, fn UserFunc, input json.RawMessage, timeout time.Duration) (json.RawMessage, *Failure) {
	if timeout <= 0 {
		return outcome(call(ctx, fn, input))
	}
	tctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	type result struct {
		out json.RawMessage
		err error
	}
	done := make(chan result, 1) // never blocks a late function
	go func() {
		out, err := call(tctx, fn, input)
		done <- result{out, err}
	}()
	returned := func(r result) (json.RawMessage, *Failure) {
		if r.err != nil && tctx.Err() == context.DeadlineExceeded {
			return nil, x.timedOut(timeout) // an error the deadline caused, most likely
		}
		return outcome(r.out, r.err)
	}
	select {
	case r := <-done:
		return returned(r)
	case <-tctx.Done():
		select {
		case r := <-done: // returned at the deadline: an output counts
			return returned(r)
		default:
		}
		return nil, x.timedOut(timeout)
	}
}

func (x *Invocation) timedOut(timeout time.Duration) *Failure {
	return &Failure{Error: ErrorTimeout, Cause: fmt.Sprintf("node %q timed out after %s", x.Node.Name, timeout)}
}

// call calls fn, turning a panic into an error: a UserFunc not made by Func
// may panic, and in attempt's goroutine a panic would end the process.
func call(ctx context.Context, fn UserFunc, input json.RawMessage) (out json.RawMessage, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &PanicError{Value: r}
		}
	}()
	return fn(ctx, input)
}

func outcome(out json.RawMessage, err error) (json.RawMessage, *Failure) {
	if err != nil {
		return nil, FailureOf(err)
	}
	return out, nil
}

// sleep waits for d, or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Catch continues with node next in the same scope after a failure that one
// of its catchers matched, as Goto does, passing the handler the error
// object {"Error": name, "Cause": cause}; with a path into, the node's input
// with the error object set at that path (Step Functions' Catch ResultPath).
// If the path cannot be set (a field of something that is not an object, an
// index past the end of an array), the scope fails with
// States.ResultPathMatchFailure; if the handler's input is larger than the
// platform's inline limit, with States.DataLimitExceeded.
func (x *Invocation) Catch(ctx context.Context, next string, into Path) error {
	return x.catch(ctx, next, into, false)
}

// CatchLoop is Catch to a handler that runs as a new iteration of the
// current scope: the catch closes a loop.
func (x *Invocation) CatchLoop(ctx context.Context, next string, into Path) error {
	return x.catch(ctx, next, into, true)
}

func (x *Invocation) catch(ctx context.Context, next string, into Path, loop bool) error {
	f := x.res.Failure
	if f == nil {
		return fmt.Errorf("unum: catch in %s, which did not fail", x.instance)
	}
	input, err := x.caught(f, into)
	if err != nil {
		return x.Fail(ctx, &Failure{Error: ErrorResultPathMatchFailure,
			Cause: fmt.Sprintf("catch in node %q cannot set %s in its input: %v", x.Node.Name, into, err)})
	}
	if x.p.InlineLimit > 0 && len(input) > x.p.InlineLimit {
		return x.Fail(ctx, &Failure{Error: ErrorDataLimitExceeded,
			Cause: fmt.Sprintf("catch in node %q: the handler's input has %d bytes, more than %d", x.Node.Name, len(input), x.p.InlineLimit)})
	}
	iter, frames := x.Env.Iter, cloneFrames(x.Env.Frames)
	if loop {
		iter, frames = nextIteration(iter, frames)
	}
	return x.sendInput(ctx, next, iter, frames, input)
}

// RetryFanOut runs the fan-out that this join joins again, as a new
// iteration of the scope, when one of the policy's FanOutRetry retriers
// matches the committed failure and has retries left: it waits the
// retrier's delay, then invokes the origin with its output, which the
// failed join keeps, and the retry counts, which the origin keeps for the
// next run of the join. It reports whether it did; if not, the generated code
// goes on to the catchers. Each retrier counts its own retries, and a
// fan-out entered anew (not by a retry) starts from zero.
func (x *Invocation) RetryFanOut(ctx context.Context) (bool, error) {
	f := x.res.Failure
	var rs []Retrier
	if x.Node.Policy != nil {
		rs = x.Node.Policy.FanOutRetry
	}
	i := matchingRetrier(rs, f)
	if f == nil || x.Node.JoinOf == "" || i < 0 {
		return false, nil
	}
	counts := make([]int, len(rs))
	copy(counts, x.res.JoinRetries)
	if counts[i] >= rs[i].MaxAttempts {
		return false, nil
	}
	in := x.res.FanOutInput
	if in == nil {
		return true, x.Fail(ctx, &Failure{Error: ErrorRuntime,
			Cause: fmt.Sprintf("join %q did not keep its fan-out's input (regenerate the node)", x.Node.Name)})
	}
	if x.p.InlineLimit > 0 && len(in) > x.p.InlineLimit {
		return true, x.Fail(ctx, &Failure{Error: ErrorDataLimitExceeded,
			Cause: fmt.Sprintf("retry of the fan-out of %q: its input has %d bytes, more than %d", x.Node.JoinOf, len(in), x.p.InlineLimit)})
	}
	if err := sleep(ctx, rs[i].Delay(counts[i], rand.Float64())); err != nil {
		return true, err
	}
	counts[i]++
	iter, frames := nextIteration(x.Env.Iter, cloneFrames(x.Env.Frames))
	env := &Envelope{Version: Version, Execution: x.Env.Execution, Node: x.Node.JoinOf, Iter: iter, Frames: frames,
		Pred: x.key, Input: in, Retries: counts, Vars: x.vars}
	return true, x.invoke(ctx, env)
}

// ErrorObject is the error output a catcher's handler receives.
type ErrorObject struct {
	Error string `json:"Error"`
	Cause string `json:"Cause"`
}

// caught builds a handler's input from the committed failure and, with a
// path, the input kept in the checkpoint: every run of the instance builds
// the same.
func (x *Invocation) caught(f *Failure, into Path) (json.RawMessage, error) {
	obj, err := json.Marshal(ErrorObject{Error: f.Error, Cause: f.Cause})
	if err != nil || len(into) == 0 {
		return obj, err
	}
	if x.res.Input == nil {
		return nil, fmt.Errorf("the input was not kept (regenerate the node)")
	}
	return SetPath(x.res.Input, into, obj)
}
