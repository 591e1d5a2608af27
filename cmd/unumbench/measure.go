package main

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// median is the middle of xs (the mean of the two middle values of an even
// count); 0 for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(xs))
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// percentile is the nearest-rank p-th percentile of xs (p in (0, 100]).
func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(xs))
	i := int(math.Ceil(p/100*float64(len(s)))) - 1
	return s[max(i, 0)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// rssSampler follows the resident memory of this process and its
// descendants — the runner and the node processes it starts — from /proc,
// and keeps the largest sum it saw. Sampling misses peaks shorter than its
// period; the period is short next to a node process's life in a pool.
type rssSampler struct {
	stop chan struct{}
	done chan struct{}

	mu        sync.Mutex
	peak      int64 // bytes
	peakProcs int   // node processes at that peak
	err       error
}

func sampleRSS(every time.Duration) *rssSampler {
	r := &rssSampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(r.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			r.sample()
			select {
			case <-r.stop:
				r.sample()
				return
			case <-t.C:
			}
		}
	}()
	return r
}

func (r *rssSampler) sample() {
	pids := append([]int{os.Getpid()}, descendants(os.Getpid())...)
	var total int64
	for _, pid := range pids {
		rss, err := residentBytes(pid)
		if err != nil {
			if pid == os.Getpid() {
				r.mu.Lock()
				r.err = err
				r.mu.Unlock()
			}
			continue // a node process that has exited since it was listed
		}
		total += rss
	}
	r.mu.Lock()
	if total > r.peak {
		r.peak, r.peakProcs = total, len(pids)-1
	}
	r.mu.Unlock()
}

// Stop ends the sampling and returns the peak, in bytes, and how many
// processes besides this one were alive then.
func (r *rssSampler) Stop() (peak int64, procs int, err error) {
	close(r.stop)
	<-r.done
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.peak, r.peakProcs, r.err
}

// descendants lists the processes below pid, from the children files of
// its threads (Linux 3.5 and later).
func descendants(pid int) []int {
	var out []int
	tasks, _ := filepath.Glob(filepath.Join("/proc", strconv.Itoa(pid), "task", "*", "children"))
	for _, t := range tasks {
		data, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(data)) {
			if c, err := strconv.Atoi(f); err == nil {
				out = append(out, c)
				out = append(out, descendants(c)...)
			}
		}
	}
	return out
}

var pageSize = int64(os.Getpagesize())

// residentBytes reads a process's resident set size from /proc/PID/statm.
func residentBytes(pid int) (int64, error) {
	data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "statm"))
	if err != nil {
		return 0, err
	}
	f := strings.Fields(string(data))
	if len(f) < 2 {
		return 0, os.ErrInvalid
	}
	pages, err := strconv.ParseInt(f[1], 10, 64)
	return pages * pageSize, err
}
