package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/unumc/unumc/internal/runtest"
)

// TestSmoke runs the whole suite at -quick sizes, as `make bench` runs it
// at full size, and checks that the table has every row with figures that
// make sense. Figures themselves are not checked: this machine is shared.
func TestSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs generated programs")
	}
	// The cloud targets' SDKs take minutes to compile into a cold Go
	// cache; their binaries are measured by make bench.
	var stdout, stderr bytes.Buffer
	cache := filepath.Join(runtest.CacheDir(), "unumbench")
	if code := run([]string{"-quick", "-json", "-targets", "local", "-cache", cache}, &stdout, &stderr); code != 0 {
		t.Fatalf("unumbench -quick exited %d:\n%s", code, stderr.String())
	}
	var rep Report
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("-json output: %v\n%s", err, stdout.String())
	}
	if rep.Machine.Cores < 1 || rep.Machine.Go == "" || rep.Machine.Date == "" {
		t.Errorf("machine %+v", rep.Machine)
	}

	q := quickSizes
	want := map[string]int{
		"transition": 3, // a cold chain, a warm chain, a loop
		"fan-out+in": len(q.fanOut),
		"executions": 2 * len(q.concurrent),
		"compiler":   len(q.unumToGo) + 1 + 1 + 1, // .unum to Go, go build, local binary, start
		"requests":   10,                          // each pattern collecting by delete, then by expiry
	}
	got := map[string]int{}
	for _, r := range rep.Rows {
		got[r.Group]++
		name := r.Group + " / " + r.Case
		if r.Samples < 1 {
			t.Errorf("%s: %d samples", name, r.Samples)
		}
		if q := r.Requests; q != nil {
			// Every pattern writes once per transition or branch at
			// least; the minimum never exceeds what is measured.
			if q.Measured.Writes < 1 || q.Measured.Writes < q.Min.Writes || q.Measured.Invokes < q.Min.Invokes {
				t.Errorf("%s: measured %v, least %v", name, q.Measured, q.Min)
			}
			// As on AWS: a chain transition is one conditional write and
			// one invoke, no reads, no deletes.
			if r.Case == "chain, per transition by expiry" && q.Measured != (rw{Writes: 1, Invokes: 1}) {
				t.Errorf("%s: measured %v, want one write and one invoke", name, q.Measured)
			}
			continue
		}
		// A chain run again in one Host finds every node's process warm.
		if strings.HasSuffix(r.Case, "no-op nodes, warm") && !strings.Contains(r.Note, ", 0 processes started") {
			t.Errorf("%s: %s; want no process started", name, r.Note)
		}
		if r.Median <= 0 || r.Unit == "" {
			t.Errorf("%s: median %v %s", name, r.Median, r.Unit)
		}
		if r.P99 != 0 && r.P99 < r.Median {
			t.Errorf("%s: p99 %v below the median %v", name, r.P99, r.Median)
		}
		if r.Met != nil && r.Target == "" {
			t.Errorf("%s: met, but no target", name)
		}
	}
	for g, n := range want {
		if got[g] != n {
			t.Errorf("group %s: %d rows, want %d", g, got[g], n)
		}
	}
	if len(got) != len(want) {
		t.Errorf("groups %v, want %v", got, want)
	}

	// The table has a line per row, under a header.
	var table bytes.Buffer
	if err := printTable(&table, rep.Rows); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(table.String(), "\n"); lines != len(rep.Rows)+1 {
		t.Errorf("table of %d lines for %d rows:\n%s", lines, len(rep.Rows), table.String())
	}
}

func TestStatistics(t *testing.T) {
	xs := []float64{5, 1, 4, 2, 3}
	if m := median(xs); m != 3 {
		t.Errorf("median %v", m)
	}
	if m := median([]float64{4, 1, 3, 2}); m != 2.5 {
		t.Errorf("median of an even count %v", m)
	}
	var hundred []float64
	for i := 100; i >= 1; i-- {
		hundred = append(hundred, float64(i))
	}
	if p := percentile(hundred, 99); p != 99 {
		t.Errorf("p99 of 1..100 = %v", p)
	}
	if p := percentile(xs, 99); p != 5 {
		t.Errorf("p99 of five = %v", p)
	}
}
