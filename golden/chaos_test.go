package golden

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/unumc/unumc/internal/runtest"
	"github.com/unumc/unumc/targets/local"
)

// chaosRuns is how many fault schedules each case of each pattern sweeps:
// UNUMC_CHAOS_RUNS, or 12 in a normal test run (a few hundred over all the
// cases; 'make chaos' sets 1,000). UNUMC_CHAOS_SEED runs that one schedule
// alone.
func chaosRuns() int {
	if n, err := strconv.Atoi(os.Getenv("UNUMC_CHAOS_RUNS")); err == nil && n > 0 {
		return n
	}
	return 12
}

// TestChaos runs every golden case under seeded fault schedules — processes
// killed at every fault point of the protocol, duplicate and reordered
// deliveries, failed store requests — and checks that each run ends as the
// fault-free run does, with nothing left in the store but the status record.
func TestChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("runs generated programs")
	}
	runs := chaosRuns()
	total, faults := 0, 0
	for _, wf := range cases(t) {
		name := filepath.Base(filepath.Dir(wf))
		if only := os.Getenv("UNUMC_CHAOS_CASE"); only != "" && only != name {
			continue
		}
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			w, bins := runtest.Compile(ctx, t, wf)
			bundled, err := runtest.Load(wf)
			if err != nil {
				t.Fatal(err)
			}
			first := 1
			if n, err := strconv.Atoi(os.Getenv("UNUMC_CHAOS_SEED")); err == nil && n > 0 {
				first, runs = n, n // reproduce one schedule
			}
			for seed := first; seed <= runs; seed++ {
				// Each seed runs one of the case's inputs, in turn.
				c := bundled[(seed-1)%len(bundled)]
				state := t.TempDir()
				res, err := local.Run(ctx, local.Options{
					StateDir:  state,
					Workflow:  w.Name,
					Binaries:  bins.Paths,
					Start:     w.Node(w.Start).Ident,
					Execution: fmt.Sprintf("chaos-%d", seed),
					Input:     c.Input,
					Backoff:   5 * time.Millisecond,
					Chaos:     local.DefaultChaos(int64(seed)),
				})
				if err != nil {
					log := "none"
					if res != nil {
						log = keepLog(res.Log, name, seed)
					}
					t.Fatalf("seed %d, case %s: %v (log %s)", seed, c.Name, err, log)
				}
				runtest.Check(t, c, res.Status)
				if res.Stats.ItemsLeft != 1 || res.Stats.StatusItems != 1 {
					t.Errorf("seed %d, case %s: %d items left, %d status records; want the status record only: %v (log %s)",
						seed, c.Name, res.Stats.ItemsLeft, res.Stats.StatusItems, leftovers(t, state, w.Name), keepLog(res.Log, name, seed))
				}
				if res.Stats.DivergentResults != 0 {
					t.Errorf("seed %d, case %s: %d node instances passed on more than one result", seed, c.Name, res.Stats.DivergentResults)
				}
				total++
				faults += res.Stats.FailedAttempts
			}
		})
	}
	t.Logf("%d fault schedules, %d failed attempts injected or caused", total, faults)
}

// leftovers lists the keys left in a run's state.
func leftovers(t *testing.T, state, workflow string) []string {
	s, err := local.OpenStore(local.StorePath(state, workflow))
	if err != nil {
		return []string{err.Error()}
	}
	defer s.Close()
	items, err := s.List("")
	if err != nil {
		return []string{err.Error()}
	}
	var keys []string
	for _, it := range items {
		keys = append(keys, it.Key)
	}
	return keys
}

// keepLog copies a failed run's log out of the test's temporary directory,
// which is removed when the test ends. Run with UNUMC_TRACE=1 for every
// store request in it.
func keepLog(path, name string, seed int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return path
	}
	kept := filepath.Join(os.TempDir(), fmt.Sprintf("unumc-chaos-%s-%d.log", name, seed))
	if os.WriteFile(kept, data, 0o644) != nil {
		return path
	}
	return kept
}
