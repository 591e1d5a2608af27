package rt

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/unumc/unumc/rt/unumctx"
)

// Node describes the node a generated program implements. Generated code
// declares it as a literal; everything in it is fixed at compile time.
type Node struct {
	Workflow string    // the workflow's name
	Name     string    // the node's name as written
	Ident    string    // the node's identifier, used in envelopes and keys
	Start    string    // the identifier of the workflow's start node
	Scopes   []*FanOut // the fan-outs whose branches this node runs in, outermost first
	JoinOf   string    // for a join, the identifier of the node whose fan-out it joins
	Policy   *Policy   // the timeout and retriers of the user function; nil for none
	// NeedsOrigin makes a join read the output of its fan-out's origin, the
	// value its data flow's ResultPath merges into (see Invocation.Base).
	NeedsOrigin bool
	// KeepExecution makes the entry node keep the execution's input and
	// start time in its checkpoint, which lives until the execution ends,
	// for nodes that read them (see Invocation.Execution).
	KeepExecution bool
	// AfterPrevious marks the node that waits for the previous element of
	// the map it runs in (its scope's FanOut.Wait): every invocation of it
	// comes through its element's pair record.
	AfterPrevious bool
	// Handle runs one invocation: generated code that calls Call and then
	// one continuation.
	Handle func(ctx context.Context, x *Invocation) error
}

// FanOut describes one fan-out and the join of its branches.
type FanOut struct {
	Origin string   // identifier of the node that fans out
	Join   string   // identifier of the node that receives the results
	Heads  []string // identifiers of the branches' first nodes; one for a map
	Map    bool     // one branch per element of the array at Items
	Items  Path     // for a map, the array in the origin's output
	Limit  int      // for a map, the most branches running at once; 0 for no bound
	// Wait, for a map, is the identifier of the node of its branch whose
	// instance for element i waits for element i-1 to end, and receives
	// {"input": its input, "previous": element i-1's result}; "" for none.
	// Such a map has no Limit. See GotoAfterPrevious.
	Wait string
	// Prepare, when set, computes the fan-out's effective input from the
	// origin's output (a Step Functions InputPath); Items applies to it.
	Prepare func(ctx context.Context, x *Invocation, out json.RawMessage) (json.RawMessage, error)
	// Select, when set, builds each branch's input from the effective input
	// (a Step Functions ItemSelector): for a map, of element index whose
	// value is item; for a parallel, once with index -1 and no item.
	Select func(ctx context.Context, x *Invocation, in json.RawMessage, index int, item json.RawMessage) (json.RawMessage, error)
}

// Handle runs one invocation of node on platform p.
func Handle(ctx context.Context, node *Node, p *Platform, env *Envelope) error {
	if env.Node != node.Ident {
		return fmt.Errorf("unum: envelope for node %q delivered to node %q", env.Node, node.Ident)
	}
	if env.Version != Version {
		return fmt.Errorf("unum: envelope version %d, runtime version %d: regenerate", env.Version, Version)
	}
	if len(env.Frames) != len(node.Scopes) {
		return fmt.Errorf("unum: node %q runs %d fan-outs deep, envelope has %d frames", node.Name, len(node.Scopes), len(env.Frames))
	}
	if err := ValidExecutionName(env.Execution); err != nil {
		return fmt.Errorf("unum: %w", err)
	}
	for i, f := range env.Frames {
		if f.Origin != node.Scopes[i].Origin || f.Index < 0 || f.Index >= f.Width {
			return fmt.Errorf("unum: frame %d of envelope does not match node %q", i, node.Name)
		}
	}
	// A join that also fans out gets its own output back, not a join's
	// input, when a later join retries that fan-out.
	if env.Join != (node.JoinOf != "") && !(len(env.Retries) > 0 && !env.Join) {
		return fmt.Errorf("unum: node %q got an envelope with join=%v", node.Name, env.Join)
	}
	if env.Pair != node.AfterPrevious {
		return fmt.Errorf("unum: node %q got an envelope with pair=%v", node.Name, env.Pair)
	}
	x := &Invocation{Node: node, Env: env, p: p}
	x.instance = env.Instance()
	x.key = CheckpointKey(env.Execution, x.instance)
	ctx = unumctx.With(ctx, unumctx.Info{
		Workflow: node.Workflow, Execution: env.Execution, Node: node.Name,
		Instance: x.instance, Attempt: max(env.Attempt, 1), Retry: retryCount(env.Retries),
	})
	return node.Handle(ctx, x)
}

// retryCount is how many times a fan-out has been retried, which the
// origin's data flow reads as Step Functions' $$.State.RetryCount.
func retryCount(counts []int) int {
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}

// memberOK and memberFailed build the set members of a fan-in: the branch
// index and the instance whose checkpoint holds the branch's result (the
// branch's last), relative to the branch, then for a failed branch the
// failure. Relative, "count" or "step#2", not the checkpoint's key: every
// addition to a set is billed by the set's size (DynamoDB bills an
// UpdateItem by the larger of the item before and after), so a map's set
// costs what its members add up to at every branch's end; resultKey gives
// the key back from the set's.
func memberOK(index int, rel string) string { return strconv.Itoa(index) + "\t" + rel }

func memberFailed(index int, rel string, f *Failure) string {
	return strconv.Itoa(index) + "\t" + rel + "\t" + f.Error + "\t" + f.Cause
}

type member struct {
	index   int
	rel     string
	key     string // resolved by the reader, which knows the set (resultKey)
	failure *Failure
}

func parseMember(s string) (member, error) {
	var m member
	parts := strings.SplitN(s, "\t", 4)
	i, err := strconv.Atoi(parts[0])
	if err != nil || i < 0 || len(parts) < 2 || len(parts) == 3 {
		return m, fmt.Errorf("unum: malformed fan-in member %q", s)
	}
	m.index, m.rel = i, parts[1]
	if len(parts) == 4 {
		m.failure = &Failure{Error: parts[2], Cause: parts[3]}
	}
	return m, nil
}

// resultKey is the checkpoint key of the instance rel ("node" or
// "node#k") of branch index of the fan-out whose set is at setKey: the
// set's key names the execution and the origin's instance, whose name past
// its node's identifier places the fan-out (see instance).
func resultKey(setKey string, index int, rel string) string {
	exec, origin, _ := strings.Cut(setKey, "/j/")
	place := ""
	if i := strings.IndexAny(origin, "#["); i >= 0 {
		place = origin[i:]
	}
	node, iter, _ := strings.Cut(rel, "#")
	key := CheckpointKey(exec, node+place+"["+strconv.Itoa(index)+"]")
	if iter != "" {
		key += "#" + iter
	}
	return key
}

// rel names this instance relative to its innermost branch, for a fan-in
// member.
func (x *Invocation) rel() string {
	f := x.Env.Frames[len(x.Env.Frames)-1]
	if f.Iter > 0 {
		return x.Node.Ident + "#" + strconv.Itoa(f.Iter)
	}
	return x.Node.Ident
}
