package local

import (
	"context"
	"errors"
	"sync"
)

// pool keeps node processes warm between invocations, as a FaaS platform
// keeps its instances: an idle process of the node is reused, else one is
// started, while at most max processes exist. When the bound is reached an
// idle process of another node makes room. The runner delivers at most max
// invocations at once, so a busy pool always has an idle process to evict.
//
// A process let go (evicted, or after an invocation in Fresh mode) stops in
// the background, so that its exit is not on the path of the invocation
// that made room: for a moment it may be one more than max.
type pool struct {
	r     *runner
	max   int
	fresh bool // a new process for every invocation

	stopping sync.WaitGroup // processes let go and not yet stopped

	mu     sync.Mutex
	n      int // processes alive or starting
	idle   map[string][]*process
	live   map[*process]bool
	closed bool
}

func newPool(r *runner, max int, fresh bool) *pool {
	return &pool{r: r, max: max, fresh: fresh, idle: map[string][]*process{}, live: map[*process]bool{}}
}

var errPoolClosed = errors.New("the runner is shutting down")

// get returns a process of node to run one invocation in.
func (pl *pool) get(ctx context.Context, node string) (*process, error) {
	pl.mu.Lock()
	if pl.closed {
		pl.mu.Unlock()
		return nil, errPoolClosed
	}
	if ps := pl.idle[node]; len(ps) > 0 {
		p := ps[len(ps)-1] // the most recently used: the warmest
		pl.idle[node] = ps[:len(ps)-1]
		pl.mu.Unlock()
		return p, nil
	}
	var evict *process
	if pl.n >= pl.max {
		for other, ps := range pl.idle {
			if len(ps) > 0 {
				evict = ps[0] // the least recently used
				pl.idle[other] = ps[1:]
				delete(pl.live, evict)
				pl.stopping.Add(1) // under mu: close waits for it
				break
			}
		}
		if evict == nil {
			pl.mu.Unlock()
			return nil, errors.New("internal error: no process to evict") // the runner bounds deliveries by max
		}
	} else {
		pl.n++ // the evicted process's place goes to the new one
	}
	pl.mu.Unlock()

	if evict != nil {
		go func() {
			defer pl.stopping.Done()
			evict.stop()
		}()
	}
	p, err := pl.r.spawn(ctx, node)
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if err != nil {
		pl.n--
		return nil, err
	}
	if pl.closed { // closed while it started
		pl.n--
		go p.stop()
		return nil, errPoolClosed
	}
	pl.live[p] = true
	return p, nil
}

// put returns a process after an invocation; one that is not reusable, or
// any in Fresh mode, is stopped.
func (pl *pool) put(p *process, reusable bool) {
	pl.mu.Lock()
	if reusable && !pl.fresh && !pl.closed {
		pl.idle[p.node] = append(pl.idle[p.node], p)
		pl.mu.Unlock()
		return
	}
	if pl.live[p] {
		delete(pl.live, p)
		pl.n--
	}
	if pl.closed {
		pl.mu.Unlock()
		p.stop()
		return
	}
	pl.stopping.Add(1) // under mu: close waits for it
	pl.mu.Unlock()
	go func() {
		defer pl.stopping.Done()
		p.stop()
	}()
}

// close stops every process, killing the busy ones if kill is set, and
// waits for them.
func (pl *pool) close(kill bool) {
	pl.mu.Lock()
	pl.closed = true
	var ps []*process
	for p := range pl.live {
		ps = append(ps, p)
	}
	pl.live = map[*process]bool{}
	pl.idle = map[string][]*process{}
	pl.n = 0
	pl.mu.Unlock()
	var wg sync.WaitGroup
	for _, p := range ps {
		wg.Go(func() {
			if kill {
				p.kill()
			}
			p.stop()
		})
	}
	wg.Wait()
	pl.stopping.Wait()
}
