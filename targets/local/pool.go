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
	h     *host
	max   int
	fresh bool // a new process for every invocation

	stopping sync.WaitGroup // processes let go and not yet stopped

	mu       sync.Mutex
	n        int // processes alive or starting
	idle     map[string][]*process
	live     map[*process]bool
	starting map[string]chan struct{} // nodes whose process prestart is starting, closed once it is idle
	closed   bool
}

func newPool(h *host, max int, fresh bool) *pool {
	return &pool{h: h, max: max, fresh: fresh, idle: map[string][]*process{}, live: map[*process]bool{},
		starting: map[string]chan struct{}{}}
}

var errPoolClosed = errors.New("the runner is shutting down")

// get returns a process of node to run one invocation of r in.
func (pl *pool) get(ctx context.Context, r *runner, node string) (*process, error) {
	pl.mu.Lock()
	for {
		if pl.closed {
			pl.mu.Unlock()
			return nil, errPoolClosed
		}
		if ps := pl.idle[node]; len(ps) > 0 {
			p := ps[len(ps)-1] // the most recently used: the warmest
			pl.idle[node] = ps[:len(ps)-1]
			if p.ahead {
				p.ahead = false
				r.prestarted++
			}
			pl.mu.Unlock()
			return p, nil
		}
		// A process of node starting ahead of this invocation is waited
		// for rather than another started; and with no room, a process
		// starting for another node takes a place that frees once it is
		// idle (the runner delivers at most max invocations at once, so
		// every other place is an idle process or one that will be).
		wait := pl.starting[node]
		if wait == nil && pl.room(node) {
			break
		}
		if wait == nil {
			for _, ch := range pl.starting {
				wait = ch
				break
			}
		}
		if wait == nil {
			pl.mu.Unlock()
			return nil, errors.New("internal error: no process to evict") // the runner bounds deliveries by max
		}
		pl.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		pl.mu.Lock()
	}
	pl.mu.Unlock()
	p, err := pl.h.spawn(ctx, r, node)
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
	r.processes++
	return p, nil
}

// room makes room for a process of node, under mu: a place under max, or
// the place of an idle process of another node, which stops in the
// background. It reports whether there was any.
func (pl *pool) room(node string) bool {
	if pl.n < pl.max {
		pl.n++
		return true
	}
	for other, ps := range pl.idle {
		if other != node && len(ps) > 0 {
			evict := ps[0] // the least recently used
			pl.idle[other] = ps[1:]
			delete(pl.live, evict)
			pl.stopping.Add(1) // under mu: close waits for it
			go func() {
				defer pl.stopping.Done()
				evict.stop()
			}()
			return true // the evicted process's place goes to the new one
		}
	}
	return false
}

// prestart starts a process of node ahead of an invocation that is likely
// to come (the successor of a node being invoked), so that starting it,
// most of a cold invocation's cost, overlaps the invocation before it. It
// does nothing when node has a process idle or starting, when there is no
// room, or in Fresh mode.
func (pl *pool) prestart(ctx context.Context, r *runner, node string) {
	pl.mu.Lock()
	if pl.closed || pl.fresh || len(pl.idle[node]) > 0 || pl.starting[node] != nil || !pl.room(node) {
		pl.mu.Unlock()
		return
	}
	done := make(chan struct{})
	pl.starting[node] = done
	pl.mu.Unlock()
	go func() {
		p, err := pl.h.spawn(ctx, r, node)
		pl.mu.Lock()
		defer pl.mu.Unlock()
		delete(pl.starting, node)
		close(done)
		switch {
		case err != nil:
			pl.n-- // the invocation, if it comes, starts one and reports why not
		case pl.closed:
			pl.n--
			go p.stop()
		default:
			p.ahead = true
			r.processes++
			pl.live[p] = true
			pl.idle[node] = append(pl.idle[node], p)
		}
	}()
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

// counts returns how many processes r started, and how many of them were
// started ahead and then used (by any run).
func (pl *pool) counts(r *runner) (started, prestarted int) {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	return r.processes, r.prestarted
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
