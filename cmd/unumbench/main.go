package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run runs the suite as the command line says and prints the table, or
// the JSON, on stdout; progress goes to stderr. It returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("unumbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: unumbench [flags]\n\nRuns unumc's benchmark suite on the local target and prints one table.\n\n")
		fs.PrintDefaults()
	}
	asJSON := fs.Bool("json", false, "print the results as JSON")
	quick := fs.Bool("quick", false, "tiny sizes and one run each: checks that every benchmark works, in seconds")
	runs := fs.Int("runs", 3, "runs of the chain and the loop, and batches of concurrent executions, per median")
	cache := fs.String("cache", "", "where compiled node programs are kept between runs (default: the user cache directory's unumbench)")
	only := fs.String("only", "", "comma-separated groups to run (default all: "+strings.Join(groups, ",")+")")
	keep := fs.Bool("keep", false, "keep the temporary directory of generated workflows and state, and say where")
	chain := fs.Int("chain", 0, "nodes of the chain (default 1,000; -quick 4)")
	loop := fs.Int("loop", 0, "iterations of the loop (default 1,000; -quick 4)")
	fanOut := fs.String("fanout", "", "comma-separated branch counts of the fan-outs (default 1,16,128,1024,4096)")
	targetList := fs.String("targets", "local,aws,gcp", "comma-separated targets whose binary size to measure; the cloud targets' SDKs take minutes to compile into a cold Go cache")
	procs := fs.Int("procs", 0, "invocations a runner runs at once (default: the runner's, 2*GOMAXPROCS+2)")
	expiry := fs.Bool("expiry", false, "run the workflows collecting records by expiry, as the AWS target's functions do, instead of the local target's collecting protocol (the requests group does both either way)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of this process (the runner, the compiler) to `FILE`")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "unumbench: unexpected arguments %q\n", fs.Args())
		return 2
	}
	s := &suite{sizes: fullSizes, quick: *quick, runs: *runs, cache: *cache, procs: *procs, expiry: *expiry, progress: stderr}
	if s.quick {
		s.sizes, s.runs = quickSizes, 1
	}
	if *chain > 0 {
		s.chain = *chain
	}
	if *loop > 0 {
		s.loop = *loop
	}
	if *fanOut != "" {
		s.fanOut = nil
		for _, f := range strings.Split(*fanOut, ",") {
			n, err := strconv.Atoi(f)
			if err != nil || n < 0 {
				fmt.Fprintf(stderr, "unumbench: -fanout: %q is not a branch count\n", f)
				return 2
			}
			s.fanOut = append(s.fanOut, n)
		}
	}
	for _, t := range strings.Split(*targetList, ",") {
		if t == "" {
			continue
		}
		if !slices.ContainsFunc(sizeTargets, func(st sizeTarget) bool { return st.name == t }) {
			fmt.Fprintf(stderr, "unumbench: -targets: unknown target %q\n", t)
			return 2
		}
		s.targets = append(s.targets, t)
	}
	if s.runs < 1 {
		fmt.Fprintln(stderr, "unumbench: -runs must be at least 1")
		return 2
	}
	if *only != "" {
		s.groups = map[string]bool{}
		for _, g := range strings.Split(*only, ",") {
			if !known(g) {
				fmt.Fprintf(stderr, "unumbench: unknown group %q (groups: %s)\n", g, strings.Join(groups, ", "))
				return 2
			}
			s.groups[g] = true
		}
	}
	if s.cache == "" {
		d, err := os.UserCacheDir()
		if err != nil {
			fmt.Fprintf(stderr, "unumbench: %v\n", err)
			return 1
		}
		s.cache = filepath.Join(d, "unumbench")
	}
	tmp, err := os.MkdirTemp("", "unumbench-")
	if err != nil {
		fmt.Fprintf(stderr, "unumbench: %v\n", err)
		return 1
	}
	s.tmp = tmp
	if *keep {
		fmt.Fprintf(stderr, "unumbench: generated workflows and state in %s\n", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintf(stderr, "unumbench: %v\n", err)
			return 1
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(stderr, "unumbench: %v\n", err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	began := time.Now()
	err = s.run(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "unumbench: %v\n", err)
		return 1
	}
	if len(s.groups) == 0 && !s.quick {
		s.prune() // a full run knows every program the suite needs
	}
	s.say("done in %v", time.Since(began).Round(time.Second))
	rep := Report{Machine: thisMachine(), Rows: s.rows}
	if *asJSON {
		err = printJSON(stdout, rep)
	} else {
		fmt.Fprintf(stdout, "# %s\n", rep.Machine)
		err = printTable(stdout, rep.Rows)
	}
	if err != nil {
		fmt.Fprintf(stderr, "unumbench: %v\n", err)
		return 1
	}
	return 0
}

func known(g string) bool {
	for _, k := range groups {
		if g == k {
			return true
		}
	}
	return false
}

// Machine is where the suite ran.
type Machine struct {
	CPU    string `json:"cpu"`
	Cores  int    `json:"cores"`
	Go     string `json:"go"`
	OSArch string `json:"os_arch"`
	Date   string `json:"date"`
}

func (m Machine) String() string {
	return fmt.Sprintf("%d cores, %s, %s %s, %s", m.Cores, m.CPU, m.Go, m.OSArch, m.Date)
}

func thisMachine() Machine {
	m := Machine{CPU: "unknown CPU", Cores: runtime.NumCPU(), Go: runtime.Version(),
		OSArch: runtime.GOOS + "/" + runtime.GOARCH, Date: time.Now().UTC().Format("2006-01-02")}
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	return m
}
