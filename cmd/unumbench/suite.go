package main

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/unumc/unumc/codegen"
	"github.com/unumc/unumc/internal/build"
	"github.com/unumc/unumc/internal/ir"
	"github.com/unumc/unumc/lang"
	"github.com/unumc/unumc/rt"
	"github.com/unumc/unumc/targets/local"
)

// nopSource is package nop, written into the bench module.
//
//go:embed nop/nop.go
var nopSource []byte

// benchImport is the import path of package nop in the bench module.
const benchImport = "unumbench.local/nop"

// sizes are the workloads of a suite.
type sizes struct {
	chain      int   // nodes in the chain of the transition benchmark, at least 4
	execChain  int   // nodes in the chain run by many executions at once
	loop       int   // iterations of the loop
	fanOut     []int // branches of the fan-out benchmarks
	concurrent []int // executions at once
	unumToGo   []int // nodes of the compiler benchmark
	buildNodes int   // nodes compiled by go build for the per-node figure
	starts     int   // process starts measured
	marginal   [2]int
}

var (
	fullSizes = sizes{chain: 1000, execChain: 3, loop: 1000, fanOut: []int{1, 16, 128, 1024, 4096},
		concurrent: []int{1, 8, 32}, unumToGo: []int{10, 100, 1000}, buildNodes: 10, starts: 30, marginal: [2]int{2, 12}}
	quickSizes = sizes{chain: 4, execChain: 4, loop: 4, fanOut: []int{1, 4},
		concurrent: []int{1, 2}, unumToGo: []int{10}, buildNodes: 4, starts: 3, marginal: [2]int{2, 4}}
)

// suite runs the benchmarks and gathers their rows.
type suite struct {
	sizes
	quick    bool
	runs     int    // runs of each workflow where medians are taken over runs
	cache    string // compiled programs, as unumc run's cache
	tmp      string // generated workflows, state directories
	groups   map[string]bool
	targets  []string // whose binary size to measure
	procs    int      // Options.MaxProcs; 0 for the runner's default
	expiry   bool     // run as the AWS target's functions do (Options.CollectByExpiry, ElementRecords)
	progress io.Writer

	bench *build.Module // the module of package nop the workflows import
	unumc *build.Module // unumc's own, for the targets' binaries; nil outside it

	rows []Row
	seq  int             // executions started, for their names
	used map[string]bool // the cache entries of the programs compiled
}

// The groups of the suite, in the order of the table.
var groups = []string{"transition", "fan-out+in", "executions", "compiler", "requests"}

func (s *suite) run(ctx context.Context) error {
	var err error
	if s.bench, err = benchModule(filepath.Join(s.cache, "module")); err != nil {
		return err
	}
	if mod, err := build.FindModule("."); err == nil && mod.IsUnumc() {
		s.unumc = mod
	}
	steps := map[string]func(context.Context) error{
		"transition": s.transitions,
		"fan-out+in": s.fanOuts,
		"executions": s.executions,
		"compiler":   s.compiler,
		"requests":   s.requests,
	}
	for _, g := range groups {
		if len(s.groups) > 0 && !s.groups[g] {
			continue
		}
		s.say("== %s", g)
		if err := steps[g](ctx); err != nil {
			return fmt.Errorf("%s: %w", g, err)
		}
	}
	return nil
}

func (s *suite) say(format string, args ...any) {
	fmt.Fprintf(s.progress, "unumbench: "+format+"\n", args...)
}

func (s *suite) add(r Row) {
	if s.expiry && r.Group != "requests" && r.Group != "compiler" {
		r.Case += ", by expiry" // -expiry; the requests group names its own
	}
	s.rows = append(s.rows, r)
	s.say("%s", r.text())
}

// benchModule writes a module holding package nop under dir, leaving files
// that are already there untouched: compiled programs are cached by the
// module's files and their modification times. The workflows the suite
// runs live in this module rather than in unumc's, whose files change as
// unumc is worked on and would make every run rebuild a thousand programs.
func benchModule(dir string) (*build.Module, error) {
	files := map[string][]byte{
		"go.mod":     []byte("// Written by unumbench: the functions of its workflows.\n\nmodule unumbench.local\n\ngo 1.26.0\n"),
		"nop/nop.go": nopSource,
	}
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if old, err := os.ReadFile(p); err == nil && bytes.Equal(old, data) {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return nil, err
		}
	}
	return build.FindModule(dir)
}

// load writes a generated workflow into the temporary directory and loads
// it. Its name in positions is fixed, so that its programs are the same in
// every run and stay cached.
func (s *suite) load(name, src string) (*ir.Workflow, error) {
	if err := os.WriteFile(filepath.Join(s.tmp, name+".unum"), []byte(src), 0o644); err != nil {
		return nil, err
	}
	return lang.Load("unumbench/"+name+".unum", []byte(src))
}

// compile loads a workflow over the bench module and compiles its programs
// for the local target.
func (s *suite) compile(ctx context.Context, name, src string) (*ir.Workflow, *build.Binaries, error) {
	w, err := s.load(name, src)
	if err != nil {
		return nil, nil, err
	}
	began := time.Now()
	bins, err := build.Compile(ctx, w, s.bench, codegen.Local, s.cache, nil)
	if err != nil {
		return nil, nil, err
	}
	if s.used == nil {
		s.used = map[string]bool{}
	}
	s.used[bins.Dir] = true
	if d := time.Since(began); d > time.Second {
		s.say("compiled %d programs of %s in %v (cached for later runs)", len(w.Nodes), name, d.Round(time.Millisecond))
	}
	return w, bins, nil
}

// compileChain compiles the chain of n no-op nodes.
func (s *suite) compileChain(ctx context.Context, n int) (*ir.Workflow, *build.Binaries, error) {
	name := fmt.Sprintf("bench_chain%d", n)
	return s.compile(ctx, name, chainSource(name, benchImport, n))
}

// execution is one run of a workflow on the local target.
type execution struct {
	res        *local.Result
	deliveries []local.Delivery
	wall       time.Duration
}

// execute runs a workflow once, in a state directory of its own, and
// fails unless it succeeds.
func (s *suite) execute(ctx context.Context, w *ir.Workflow, bins *build.Binaries, input json.RawMessage) (*execution, error) {
	s.seq++
	name := fmt.Sprintf("bench-%d", s.seq)
	return s.runOnce(ctx, name, w, bins, input)
}

func (s *suite) runOnce(ctx context.Context, name string, w *ir.Workflow, bins *build.Binaries, input json.RawMessage) (*execution, error) {
	h, err := s.openHost(w, bins, 0, true)
	if err != nil {
		return nil, err
	}
	defer h.close()
	return h.run(ctx, name, input)
}

// benchHost is a local.Host of one workflow in a state directory of its
// own, which records its deliveries when asked to.
type benchHost struct {
	s    *suite
	w    *ir.Workflow
	h    *local.Host
	dir  string
	mu   sync.Mutex
	seen []local.Delivery
}

// openHost opens a Host of w in a new state directory, keeping up to warm
// processes alive (0: the runner's default). With record, each run's
// execution has the deliveries the host saw while it ran, which are its
// own only if runs go one at a time.
func (s *suite) openHost(w *ir.Workflow, bins *build.Binaries, warm int, record bool) (*benchHost, error) {
	dir, err := os.MkdirTemp(s.tmp, "state-")
	if err != nil {
		return nil, err
	}
	b := &benchHost{s: s, w: w, dir: dir}
	opts := local.Options{
		StateDir:   dir,
		Workflow:   w.Name,
		Binaries:   bins.Paths,
		Successors: ir.Invokes(w),
		Start:      w.Node(w.Start).Ident,
		MaxProcs:   s.procs,
		Warm:       warm,
		// The AWS target's way of collecting records, for the requests
		// group's rows that say "by expiry".
		CollectByExpiry: s.expiry,
		ElementRecords:  s.expiry,
	}
	if record {
		opts.Observe = func(d local.Delivery) {
			b.mu.Lock()
			b.seen = append(b.seen, d)
			b.mu.Unlock()
		}
	}
	b.h, err = local.Open(opts)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return b, nil
}

func (b *benchHost) close() {
	b.h.Close()
	os.RemoveAll(b.dir)
}

// run runs one execution in the host and fails unless it succeeds and
// leaves what the protocol leaves.
func (b *benchHost) run(ctx context.Context, name string, input json.RawMessage) (*execution, error) {
	b.mu.Lock()
	b.seen = nil
	b.mu.Unlock()
	w := b.w
	began := time.Now()
	res, err := b.h.Run(ctx, name, input)
	x := &execution{wall: time.Since(began)}
	b.mu.Lock()
	x.deliveries = b.seen
	b.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("run of %s: %w", w.Name, err)
	}
	if res.Status.State != rt.Succeeded {
		return nil, fmt.Errorf("run of %s: %s: %s: %s", w.Name, res.Status.State, res.Status.Error, res.Status.Cause)
	}
	// Collecting by expiry leaves every record; otherwise only the status.
	if res.Stats.FailedAttempts > 0 || res.Stats.ItemsLeft != 1 && !b.s.expiry {
		return nil, fmt.Errorf("run of %s: %d failed attempts, %d items left (want 0 and the status)", w.Name, res.Stats.FailedAttempts, res.Stats.ItemsLeft)
	}
	x.res = res
	return x, nil
}

// gaps returns, in milliseconds, the time between the starts of
// consecutive deliveries of the nodes keep admits, in the order they
// began: in a sequential workflow, the time each transition took.
func gaps(ds []local.Delivery, keep func(node string) bool) []float64 {
	var starts []time.Time
	for _, d := range ds {
		if keep == nil || keep(d.Node) {
			starts = append(starts, d.Began)
		}
	}
	slices.SortFunc(starts, time.Time.Compare)
	var out []float64
	for i := 1; i < len(starts); i++ {
		out = append(out, ms(starts[i].Sub(starts[i-1])))
	}
	return out
}

// output decodes a successful execution's output.
func (x *execution) output(v any) error {
	return json.Unmarshal(x.res.Status.Output, v)
}

// transitions measures the time per transition of a chain of no-op nodes,
// where every node runs once and so in a process started for it, and of a
// loop, where one node runs again and again in a warm process.
func (s *suite) transitions(ctx context.Context) error {
	w, bins, err := s.compileChain(ctx, s.chain)
	if err != nil {
		return err
	}
	var samples, walls []float64
	for range s.runs {
		x, err := s.execute(ctx, w, bins, json.RawMessage(`{"x": 1}`))
		if err != nil {
			return err
		}
		samples = append(samples, gaps(x.deliveries, nil)...)
		walls = append(walls, ms(x.wall))
	}
	s.add(Row{Group: "transition", Case: fmt.Sprintf("chain of %d no-op nodes, cold", s.chain),
		Median: median(samples), P99: percentile(samples, 99), Unit: "ms", Samples: len(samples),
		Target: "< 1 ms", Met: met(median(samples) < 1),
		Note: fmt.Sprintf("per transition; each node in a process started for it; run %.2f s", median(walls)/1000)})

	// The same chain run again in one Host, which keeps a process of every
	// node warm, as a FaaS platform keeps a deployed workflow's functions:
	// the first execution starts them, the ones after it find them.
	h, err := s.openHost(w, bins, s.chain+1, true)
	if err != nil {
		return err
	}
	samples, walls = nil, nil
	var started int
	for i := range s.runs + 1 {
		x, err := h.run(ctx, fmt.Sprintf("warm-%d", i), json.RawMessage(`{"x": 1}`))
		if err != nil {
			h.close()
			return err
		}
		if i == 0 {
			continue // the cold one
		}
		started += x.res.Stats.Processes
		samples = append(samples, gaps(x.deliveries, nil)...)
		walls = append(walls, ms(x.wall))
	}
	h.close()
	s.add(Row{Group: "transition", Case: fmt.Sprintf("chain of %d no-op nodes, warm", s.chain),
		Median: median(samples), P99: percentile(samples, 99), Unit: "ms", Samples: len(samples),
		Target: "< 1 ms", Met: met(median(samples) < 1),
		Note: fmt.Sprintf("per transition; executions after the first in one Host, %d processes started; run %.2f s", started, median(walls)/1000)})

	w, bins, err = s.compile(ctx, "bench_loop", loopSource("bench_loop", benchImport))
	if err != nil {
		return err
	}
	samples, walls = nil, nil
	step := w.Node("Step").Ident
	input, _ := json.Marshal(map[string]int{"i": 0, "n": s.loop})
	for range s.runs {
		x, err := s.execute(ctx, w, bins, input)
		if err != nil {
			return err
		}
		var out struct{ I int }
		if err := x.output(&out); err != nil || out.I != s.loop {
			return fmt.Errorf("loop ran %d times, want %d (%v)", out.I, s.loop, err)
		}
		samples = append(samples, gaps(x.deliveries, func(n string) bool { return n == step })...)
		walls = append(walls, ms(x.wall))
	}
	s.add(Row{Group: "transition", Case: fmt.Sprintf("loop of %d iterations", s.loop),
		Median: median(samples), P99: percentile(samples, 99), Unit: "ms", Samples: len(samples),
		Target: "< 1 ms", Met: met(median(samples) < 1),
		Note: fmt.Sprintf("per iteration; one warm process; run %.2f s", median(walls)/1000)})
	return nil
}

// fanOutRuns is how many runs the median of a fan-out of n branches takes.
func (s *suite) fanOutRuns(n int) int {
	switch {
	case s.quick:
		return 1
	case n <= 128:
		return 5
	case n <= 1024:
		return 3
	}
	return 1
}

// fanOuts measures a map of n no-op branches and its join, end to end.
func (s *suite) fanOuts(ctx context.Context) error {
	w, bins, err := s.compile(ctx, "bench_fan", fanSource("bench_fan", benchImport))
	if err != nil {
		return err
	}
	for _, n := range s.fanOut {
		var walls []float64
		var st *local.Stats
		for range s.fanOutRuns(n) {
			x, err := s.execute(ctx, w, bins, itemsInput(n))
			if err != nil {
				return err
			}
			var got int
			if err := x.output(&got); err != nil || got != n {
				return fmt.Errorf("the join of %d branches got %d results (%v)", n, got, err)
			}
			walls = append(walls, ms(x.wall))
			st = x.res.Stats
		}
		r := Row{Group: "fan-out+in", Case: fmt.Sprintf("%d branches", n), Median: median(walls), Unit: "ms",
			Samples: len(walls), Note: fmt.Sprintf("wall time of the run; %d invocations, %d store requests",
				st.Invocations, st.Reads+st.Writes+st.Deletes)}
		if n == 1024 {
			r.Target, r.Met = "< 2 s", met(r.Median < 2000)
		}
		s.add(r)
	}
	return nil
}

// executions runs many executions of a three-node chain at once in one
// Host, as unumc run --inputs does, and measures the throughput and the
// peak memory of this process and every node process.
func (s *suite) executions(ctx context.Context) error {
	w, bins, err := s.compileChain(ctx, s.execChain)
	if err != nil {
		return err
	}
	batches := 3
	if s.quick {
		batches = 1
	}
	for _, k := range s.concurrent {
		total := 4 * k
		var rates, peaks []float64
		var procs, started int
		for range batches {
			h, err := s.openHost(w, bins, 0, false)
			if err != nil {
				return err
			}
			sampler := sampleRSS(10 * time.Millisecond)
			began := time.Now()
			errs := make(chan error, total)
			work := make(chan int, total)
			for i := range total {
				work <- i
			}
			close(work)
			var wg sync.WaitGroup
			var mu sync.Mutex
			for range k {
				wg.Go(func() {
					for i := range work {
						x, err := h.run(ctx, fmt.Sprintf("bench-%d", i), json.RawMessage(`{"x": 1}`))
						if err != nil {
							errs <- err
							continue
						}
						mu.Lock()
						started += x.res.Stats.Processes
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			h.close()
			wall := time.Since(began)
			peak, n, err := sampler.Stop()
			close(errs)
			for e := range errs {
				return e
			}
			if err != nil {
				return err
			}
			rates = append(rates, float64(total)/wall.Seconds())
			peaks = append(peaks, float64(peak)/(1<<20))
			procs = max(procs, n)
		}
		s.add(Row{Group: "executions", Case: fmt.Sprintf("%d at once: throughput", k), Median: median(rates),
			Unit: "exec/s", Samples: len(rates), Note: fmt.Sprintf("%d executions of a %d-node chain per sample in one Host; %d processes started in all",
				total, s.execChain, started)})
		s.add(Row{Group: "executions", Case: fmt.Sprintf("%d at once: peak memory", k), Median: median(peaks),
			Unit: "MB", Samples: len(peaks), Note: fmt.Sprintf("RSS of the bench's process and up to %d node processes, sampled every 10 ms", procs)})
	}
	return nil
}

func met(ok bool) *bool { return &ok }

// loadOnly is what the compiler does before go build: parse, lower and
// check .unum source, and generate every node's program.
func loadOnly(src []byte) (int, error) {
	w, err := lang.Load("unumbench/compiler.unum", src)
	if err != nil {
		return 0, err
	}
	files, err := codegen.Generate(w, codegen.Local)
	return len(files), err
}

func (s *suite) compiler(ctx context.Context) error {
	for _, n := range s.unumToGo {
		src := []byte(compilerSource("bench_compiler", benchImport, n))
		var samples []float64
		var total time.Duration
		for len(samples) < 3 || total < time.Second && len(samples) < 50 {
			began := time.Now()
			files, err := loadOnly(src)
			d := time.Since(began)
			if err != nil {
				return err
			}
			if files != n {
				return fmt.Errorf("%d programs for %d nodes", files, n)
			}
			samples = append(samples, ms(d))
			total += d
			if s.quick {
				break
			}
		}
		r := Row{Group: "compiler", Case: fmt.Sprintf(".unum to Go, %d nodes", n), Median: median(samples),
			P99: percentile(samples, 99), Unit: "ms", Samples: len(samples), Note: "parse, lower, check, generate; no go build"}
		if n == 1000 {
			r.Target, r.Met = "< 1 s", met(r.Median < 1000)
		}
		s.add(r)
	}

	// go build per node: a chain compiled into an empty cache of unumc's
	// own, with Go's build cache warm from a first build (which -quick
	// counts, its chain having been built by the transition benchmark).
	name := fmt.Sprintf("bench_chain%d", s.buildNodes)
	w, err := s.load(name, chainSource(name, benchImport, s.buildNodes))
	if err != nil {
		return err
	}
	var perNode []float64
	builds, warmup := 4, 1
	if s.quick {
		builds, warmup = 1, 0
	}
	for i := range builds {
		root, err := os.MkdirTemp(s.tmp, "cache-")
		if err != nil {
			return err
		}
		began := time.Now()
		_, err = build.Compile(ctx, w, s.bench, codegen.Local, root, nil)
		d := time.Since(began)
		os.RemoveAll(root)
		if err != nil {
			return err
		}
		if i >= warmup {
			perNode = append(perNode, ms(d)/float64(s.buildNodes))
		}
	}
	s.add(Row{Group: "compiler", Case: "go build, per node (warm Go cache)", Median: median(perNode), Unit: "ms",
		Samples: len(perNode), Note: fmt.Sprintf("one go build of %d programs, divided by %d; link-bound", s.buildNodes, s.buildNodes)})

	if err := s.binarySizes(ctx); err != nil {
		return err
	}

	// Start to ready: exec of a node program to its handshake.
	w, bins, err := s.compileChain(ctx, s.execChain)
	if err != nil {
		return err
	}
	ident := w.Node(w.Start).Ident
	var starts []float64
	for range s.starts {
		d, err := local.Ready(ctx, bins.Paths[ident], w.Name, ident)
		if err != nil {
			return err
		}
		starts = append(starts, ms(d))
	}
	s.add(Row{Group: "compiler", Case: "process start to ready", Median: median(starts), P99: percentile(starts, 99),
		Unit: "ms", Samples: len(starts), Note: "exec of a node program to its handshake with the runner"})
	return nil
}

// binarySizes builds a one-node workflow for every target. The cloud
// targets build only inside unumc's module, whose go.mod has their SDKs.
func (s *suite) binarySizes(ctx context.Context) error {
	if s.unumc == nil {
		s.say("binary sizes skipped: run unumbench in unumc's module")
		return nil
	}
	src := header("bench_size", "github.com/unumc/unumc/cmd/unumbench/nop").String() + "node Hello = nop.Nop\n\nstart -> Hello\n"
	w, err := s.load("bench_size", src)
	if err != nil {
		return err
	}
	// Their cache is temporary: unumc's files change, and each change
	// would leave a stale entry.
	cache := filepath.Join(s.tmp, "cache")
	for _, t := range sizeTargets {
		if !slices.Contains(s.targets, t.name) {
			continue
		}
		size, note, err := t.size(ctx, w, s.unumc, cache, filepath.Join(s.tmp, "size-"+t.name))
		if err != nil {
			return fmt.Errorf("binary for %s: %w", t.name, err)
		}
		s.add(Row{Group: "compiler", Case: "binary size, " + t.name, Median: float64(size) / (1 << 20), Unit: "MB",
			Samples: 1, Note: note})
	}
	return nil
}

func sizeOf(path string) (int64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// prune removes the compiled workflows of earlier runs that this run did
// not use: a thousand-node chain takes gigabytes, and a new one is built
// whenever the runtime changes.
func (s *suite) prune() {
	root := filepath.Join(s.cache, "build")
	entries, _ := os.ReadDir(root)
	for _, e := range entries {
		if dir := filepath.Join(root, e.Name()); !s.used[dir] {
			os.RemoveAll(dir)
		}
	}
}
