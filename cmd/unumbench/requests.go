package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/unumc/unumc/internal/ir"
	"github.com/unumc/unumc/targets/local"
)

// rw counts store requests and invokes: per transition, or per branch.
type rw struct {
	Reads   float64 `json:"reads"`
	Writes  float64 `json:"writes"`
	Deletes float64 `json:"deletes"`
	Invokes float64 `json:"invokes"`
}

func countsOf(c *local.Counts) rw {
	if c == nil {
		return rw{}
	}
	return rw{float64(c.Reads), float64(c.Writes), float64(c.Deletes), float64(c.Invokes)}
}

func (a rw) plus(b rw) rw {
	return rw{a.Reads + b.Reads, a.Writes + b.Writes, a.Deletes + b.Deletes, a.Invokes + b.Invokes}
}

func (a rw) minus(b rw) rw { return a.plus(b.times(-1)) }

func (a rw) times(f float64) rw {
	return rw{a.Reads * f, a.Writes * f, a.Deletes * f, a.Invokes * f}
}

func (a rw) String() string {
	f := func(v float64, unit string) string {
		return strconv.FormatFloat(v, 'f', -1, 64) + unit
	}
	return strings.Join([]string{f(round2(a.Reads), "r"), f(round2(a.Writes), "w"), f(round2(a.Deletes), "d"), f(round2(a.Invokes), "i")}, " ")
}

func round2(v float64) float64 {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'f', 2, 64), 64)
	return r
}

// Requests compares what a pattern costs with the least it could cost
// and with Unum's published pattern.
type Requests struct {
	Measured rw  `json:"measured"`
	Min      rw  `json:"min"`
	Unum     *rw `json:"unum,omitempty"`
}

// The patterns' costs that are not measured. The minimum: a node instance
// must commit its result once, with one conditional write, and a transition
// is one invoke; a conditional write returns the item that won, so no read
// is needed to find duplicates, and expiry can collect what a delete would.
// A fan-in needs one write per branch to record its end where the join
// finds it. Unum (NSDI '23): one read, one conditional write, one delete
// and one invoke per chain transition, and a bitmap create plus an update
// per fan-in branch.
var (
	minTransition  = rw{Writes: 1, Invokes: 1}
	minFanIn       = rw{Writes: 1}
	unumTransition = rw{Reads: 1, Writes: 1, Deletes: 1, Invokes: 1}
	unumFanIn      = rw{Writes: 2}
)

// requests measures store requests per transition of each pattern from
// the Stats of real runs. In a chain, a node past the first two and before
// the last shows what a transition costs: its pre-check, its commit, the
// delete of its predecessor's checkpoint and its successor's invocation
// (the second node marks the entry's checkpoint consumed instead, and the
// last ends the execution). A loop and a fan-out run their nodes many
// times: there the difference between a run with more iterations or
// branches and one with fewer, divided by how many more, leaves out what
// the start and the end of the execution cost.
func (s *suite) requests(ctx context.Context) error {
	defer func(was bool) { s.expiry = was }(s.expiry)
	s.expiry = false
	if err := s.requestsOnce(ctx, ""); err != nil {
		return err
	}
	// Again as the AWS target's functions run by default: records left to
	// their expiry, nothing read before a run (docs/protocol.md).
	s.expiry = true
	return s.requestsOnce(ctx, " by expiry")
}

// requestsOnce adds the requests rows, their names ending in suffix.
func (s *suite) requestsOnce(ctx context.Context, suffix string) error {
	n := min(s.chain, 12)
	for _, p := range []struct {
		name string
		src  func(name, pkg string, n int) string
	}{{"chain", chainSource}, {"choice", choiceSource}} {
		name := fmt.Sprintf("bench_%s%d", p.name, n)
		w, bins, err := s.compile(ctx, name, p.src(name, benchImport, n))
		if err != nil {
			return err
		}
		x, err := s.execute(ctx, w, bins, json.RawMessage(`{"go": true}`))
		if err != nil {
			return err
		}
		var sum rw
		for i := 2; i < n-1; i++ {
			sum = sum.plus(countsOf(x.res.Stats.Nodes[identOf(w, fmt.Sprintf("N%d", i))]))
		}
		s.add(requestRow(p.name+", per transition"+suffix, sum.times(1/float64(n-3)), minTransition, &unumTransition,
			fmt.Sprintf("nodes 2 to %d of a chain of %d", n-2, n)))
	}

	lo, hi := s.marginal[0], s.marginal[1]
	w, bins, err := s.compile(ctx, "bench_loop", loopSource("bench_loop", benchImport))
	if err != nil {
		return err
	}
	var loops [2]*local.Stats
	for i, n := range []int{lo, hi} {
		input, _ := json.Marshal(map[string]int{"i": 0, "n": n})
		x, err := s.execute(ctx, w, bins, input)
		if err != nil {
			return err
		}
		loops[i] = x.res.Stats
	}
	per := countsOf(&loops[1].Counts).minus(countsOf(&loops[0].Counts)).times(1 / float64(hi-lo))
	s.add(requestRow("loop, per iteration"+suffix, per, minTransition, &unumTransition,
		fmt.Sprintf("loops of %d and %d iterations", lo, hi)))

	return s.fanRequests(ctx, 1, 1+hi-lo, suffix)
}

// fanRequests splits the requests a branch adds to a fan-out and its
// fan-in by node: the fan-out is the origin's share and the branch's
// pre-check, commit and invoke; the fan-in is the branch's addition to the
// fan-in set and its deletes, and the join's share.
func (s *suite) fanRequests(ctx context.Context, lo, hi int, suffix string) error {
	w, bins, err := s.compile(ctx, "bench_fan", fanSource("bench_fan", benchImport))
	if err != nil {
		return err
	}
	var runs [2]*local.Stats
	for i, n := range []int{lo, hi} {
		x, err := s.execute(ctx, w, bins, itemsInput(n))
		if err != nil {
			return err
		}
		runs[i] = x.res.Stats
	}
	extra := float64(hi - lo)
	// delta is what one more branch adds to a node's requests, and to its
	// creates among its writes.
	delta := func(node string) (rw, float64) {
		id := identOf(w, node)
		a, b := runs[0].Nodes[id], runs[1].Nodes[id]
		var creates float64
		if a != nil && b != nil {
			creates = float64(b.Creates-a.Creates) / extra
		}
		return countsOf(b).minus(countsOf(a)).times(1 / extra), creates
	}
	split, _ := delta("Split")
	branch, creates := delta("Branch")
	join, _ := delta("Join")
	out := split.plus(rw{Reads: branch.Reads, Writes: creates})
	in := join.plus(rw{Writes: branch.Writes - creates, Deletes: branch.Deletes, Invokes: branch.Invokes})
	note := fmt.Sprintf("maps of %d and %d branches", lo, hi)
	s.add(requestRow("fan-out, per branch"+suffix, out, minTransition, &unumTransition, note+"; Unum: a chain transition per branch"))
	s.add(requestRow("fan-in, per branch"+suffix, in, minFanIn, &unumFanIn, note+"; Unum: bitmap create + update"))
	return nil
}

func identOf(w *ir.Workflow, name string) string {
	if n := w.Node(name); n != nil {
		return n.Ident
	}
	return name
}

func requestRow(name string, measured, min rw, unum *rw, note string) Row {
	return Row{Group: "requests", Case: name, Unit: "requests", Samples: 1,
		Requests: &Requests{Measured: measured, Min: min, Unum: unum}, Note: note}
}
