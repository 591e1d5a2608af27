package local

import (
	"context"
	"fmt"

	"github.com/unumc/unumc/rt"
	"github.com/unumc/unumc/targets/local/internal/wire"
)

// nodeService answers one process's calls: its handshake, then its Store and
// Invoker. Each process has its own, so every call is counted for the node
// that made it. Its exported methods are exactly the RPCs (see spawn).
type nodeService struct {
	h *host
	p *process
}

// count counts for the execution whose invocation the process runs: a
// node makes its calls while it runs one.
func (s *nodeService) count(f func(*Counts)) { s.p.runner().counts.count(s.p.node, f) }

// fault applies the chaos schedule to one store request: op runs unless the
// request fails before taking effect, and a failure after it is reported as
// the request's error.
func (s *nodeService) fault(op func() error) error {
	before, after := s.h.chaos.storeFault(s.p.running())
	if before {
		return errInjected
	}
	if err := op(); err != nil {
		return err
	}
	if after {
		return errInjected
	}
	return nil
}

// trace logs a store request when UNUMC_TRACE is set, to explain a run.
func (s *nodeService) trace(format string, args ...any) {
	if s.h.trace {
		inst := "?"
		if env := s.p.running(); env != nil {
			inst = fmt.Sprintf("%s#a%d", env.Instance(), env.Attempt)
		}
		s.p.runner().log.note("trace %s: "+format, append([]any{inst}, args...)...)
	}
}

// Hello checks the handshake and returns the platform settings.
func (s *nodeService) Hello(h wire.HelloArgs, set *wire.Settings) error {
	if err := s.p.greet(s.h.opts.Workflow, h); err != nil {
		return err
	}
	*set = s.h.settings
	return nil
}

// Get is rt.Store.Get.
func (s *nodeService) Get(a wire.Keys, reply *wire.Items) error {
	s.p.runner().counts.roundTrip()
	var got map[string]rt.Item
	err := s.fault(func() (err error) {
		got, err = s.h.store.Get(context.Background(), a.Keys...)
		return err
	})
	if err != nil {
		return err
	}
	reply.Items = got
	s.trace("get %v -> %d items", a.Keys, len(got))
	s.count(func(c *Counts) {
		c.Reads++
		c.ItemsRead += len(got)
		for _, it := range got {
			c.Bytes += size(it)
		}
		m, bill := s.p.runner().counts.metering(s.p.node)
		bill.Add(m.Get(a.Keys, got))
	})
	return nil
}

// Create is rt.Store.Create.
func (s *nodeService) Create(it rt.Item, reply *wire.Existing) error {
	s.p.runner().counts.roundTrip()
	var existing *rt.Item
	err := s.fault(func() (err error) {
		var v uint64
		existing, v, err = s.h.store.create(it)
		s.p.needs(v)
		s.h.store.writeSoon(v)
		return err
	})
	if err != nil {
		return err
	}
	reply.Item = existing
	s.trace("create %s -> existed %v", it.Key, existing != nil)
	if env := s.p.running(); existing == nil && env != nil && it.Key == rt.CheckpointKey(env.Execution, env.Instance()) {
		s.p.runner().consumed(env)
	}
	s.count(func(c *Counts) {
		c.Writes++
		c.Creates++
		c.Bytes += size(it)
		if existing != nil {
			c.CreateConflicts++
			c.Bytes += size(*existing)
		}
		m, bill := s.p.runner().counts.metering(s.p.node)
		bill.Add(m.Create(it, existing))
	})
	return nil
}

// Add is rt.Store.Add.
func (s *nodeService) Add(a wire.AddArgs, reply *wire.AddReply) error {
	s.p.runner().counts.roundTrip()
	var set []string
	var ok bool
	err := s.fault(func() (err error) {
		var v uint64
		set, ok, v, err = s.h.store.add(a.Key, a.Member)
		s.p.needs(v)
		s.h.store.writeSoon(v)
		return err
	})
	if err != nil {
		return err
	}
	reply.Set, reply.OK = set, ok
	s.trace("add %s %q -> ok %v, %d members", a.Key, a.Member, ok, len(set))
	s.count(func(c *Counts) {
		c.Writes++
		c.Bytes += int64(len(a.Member)) + size(rt.Item{Set: set})
		m, bill := s.p.runner().counts.metering(s.p.node)
		bill.Add(m.Add(a.Key, a.Member, set, ok))
	})
	return nil
}

// Batch carries out the Deletes and Invokes a node held back (see wire.Op),
// in order, and stops at the first that fails.
func (s *nodeService) Batch(a wire.Ops, ok *bool) error {
	s.p.runner().counts.roundTrip()
	if err := s.apply(a.Ops); err != nil {
		return err
	}
	*ok = true
	return nil
}

func (s *nodeService) apply(ops []wire.Op) error {
	for _, op := range ops {
		var err error
		switch {
		case op.Invoke != nil:
			err = s.invoke(op.Invoke)
		default:
			err = s.delete(op.Delete)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// delete is rt.Store.Delete.
func (s *nodeService) delete(keys []string) error {
	var n int
	err := s.fault(func() (err error) {
		n, err = s.h.store.remove(keys)
		return err
	})
	if err != nil {
		return err
	}
	s.trace("delete %v -> %d", keys, n)
	s.count(func(c *Counts) {
		c.Deletes++
		c.ItemsDeleted += n
		m, bill := s.p.runner().counts.metering(s.p.node)
		bill.Add(m.Delete(keys))
	})
	return nil
}

// invoke is rt.Invoker.Invoke: the envelope is queued durably before the
// node's attempt counts as done, so an accepted invocation survives the
// runner.
func (s *nodeService) invoke(env *rt.Envelope) error {
	r := s.p.runner()
	switch {
	case env.Version != rt.Version:
		return fmt.Errorf("envelope version %d, runner version %d", env.Version, rt.Version)
	case env.Execution != r.execution:
		return fmt.Errorf("envelope for execution %q in a run of %q", env.Execution, r.execution)
	case s.h.opts.Binaries[env.Node] == "":
		return fmt.Errorf("invoke of node %q, which has no binary", env.Node)
	}
	env.Attempt = 0 // the platform's to set
	if err := r.accept(env, s.p.needs(0)); err != nil {
		return err
	}
	s.trace("invoke %s pred %s", env.Instance(), env.Pred)
	s.count(func(c *Counts) {
		c.Invokes++
		m, bill := s.p.runner().counts.metering(s.p.node)
		bill.Add(m.Invoke(env))
		if bill.Sent == nil {
			bill.Sent = map[string]int{}
		}
		bill.Sent[env.Node]++
	})
	return nil
}
