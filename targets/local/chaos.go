package local

import (
	"errors"
	"math/rand"
	"sync"
	"time"

	"github.com/unumc/unumc/rt"
	"github.com/unumc/unumc/targets/local/internal/wire"
)

// Chaos is a schedule of faults for a run, determined by its seed: the
// platform misbehaving in every way the protocol must survive. Faults happen
// only in attempts before the last, so a run under chaos still finishes, and
// must finish with the output of a run without.
type Chaos struct {
	Seed int64
	// Kill is the chance that a node process kills itself (SIGKILL) at each
	// fault point of rt: before the user function, after it, after the
	// commit, before each invoke, after the fan-in set update, before the
	// collection.
	Kill float64
	// Duplicate is the chance that an accepted invocation is delivered a
	// second time, after a delay of up to DuplicateDelay: out of order, and
	// sometimes after the execution has ended.
	Duplicate      float64
	DuplicateDelay time.Duration
	// Shuffle delivers queued invocations in a random order, not oldest first.
	Shuffle bool
	// StoreFail is the chance that a store request fails; half of the
	// failures happen after the request took effect, as a timeout does.
	StoreFail float64
}

// DefaultChaos is the schedule `unumc run --chaos SEED` uses.
func DefaultChaos(seed int64) *Chaos {
	return &Chaos{Seed: seed, Kill: 0.04, Duplicate: 0.15, DuplicateDelay: 150 * time.Millisecond, Shuffle: true, StoreFail: 0.02}
}

// errInjected is a store failure chaos mode made up.
var errInjected = errors.New("chaos: injected store failure")

// chaos is a run's view of its schedule.
type chaos struct {
	c       *Chaos
	last    int // the last attempt, which no fault touches
	mu      sync.Mutex
	rng     *rand.Rand
	storeOp map[string]int // per instance and attempt, the store requests made so far
}

func newChaos(c *Chaos, attempts int) *chaos {
	if c == nil {
		return nil
	}
	return &chaos{c: c, last: attempts, rng: rand.New(rand.NewSource(c.Seed)), storeOp: map[string]int{}}
}

// pick chooses the index of the next ready invocation.
func (ch *chaos) pick(n int) int {
	if ch == nil || !ch.c.Shuffle || n < 2 {
		return 0
	}
	ch.mu.Lock()
	defer ch.mu.Unlock()
	return ch.rng.Intn(n)
}

// duplicate reports whether to deliver env a second time, and after how long.
func (ch *chaos) duplicate(env *rt.Envelope) (time.Duration, bool) {
	if ch == nil || ch.c.Duplicate <= 0 {
		return 0, false
	}
	id := []any{"dup", env.Execution, env.Instance(), env.Pred, env.Ref}
	if wire.Roll(ch.c.Seed, id...) >= ch.c.Duplicate {
		return 0, false
	}
	return time.Duration(wire.Roll(ch.c.Seed, append(id, "delay")...) * float64(ch.c.DuplicateDelay)), true
}

// storeFault decides the fate of a store request made while env runs: fail
// it before it takes effect, after, or not at all.
func (ch *chaos) storeFault(env *rt.Envelope) (before, after bool) {
	if ch == nil || ch.c.StoreFail <= 0 || env == nil || env.Attempt >= ch.last {
		return false, false
	}
	key := env.Execution + "\x00" + env.Instance() + "\x00" + env.Ref
	ch.mu.Lock()
	n := ch.storeOp[key]
	ch.storeOp[key] = n + 1
	ch.mu.Unlock()
	r := wire.Roll(ch.c.Seed, "store", env.Execution, key, env.Attempt, n)
	if r >= ch.c.StoreFail {
		return false, false
	}
	return r < ch.c.StoreFail/2, r >= ch.c.StoreFail/2
}

// settings adds the node side of the schedule to the platform settings.
func (ch *chaos) settings(s wire.Settings) wire.Settings {
	if ch != nil && ch.c.Kill > 0 {
		s.Kill, s.KillSeed, s.LastAttempt = ch.c.Kill, ch.c.Seed, ch.last
	}
	return s
}
