package payments_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/unumc/unumc/examples/payments"
	"github.com/unumc/unumc/internal/runtest"
	"github.com/unumc/unumc/targets/local"
)

// TestChargedOnceUnderChaos runs the workflow under fault schedules that kill
// Charge's processes before and after the charge and deliver invocations
// twice: every order is charged exactly once.
func TestChargedOnceUnderChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("runs generated programs")
	}
	ctx := context.Background()
	w, bins := runtest.Compile(ctx, t, "payments.unum")
	cases, err := runtest.Load("payments.unum")
	if err != nil {
		t.Fatal(err)
	}
	reruns := 0
	for seed := int64(1); seed <= 6; seed++ {
		exec := fmt.Sprintf("pay-%d-%d", os.Getpid(), seed)
		ledger := payments.Ledger{Path: payments.LedgerPath(exec)}
		defer os.Remove(ledger.Path)
		chaos := local.DefaultChaos(seed)
		chaos.Kill = 0.15
		res, err := local.Run(ctx, local.Options{
			StateDir: t.TempDir(), Workflow: w.Name, Binaries: bins.Paths, Start: w.Node(w.Start).Ident,
			Execution: exec, Input: cases[0].Input, Backoff: 5 * time.Millisecond, Chaos: chaos,
		})
		if err != nil {
			t.Fatal(err)
		}
		runtest.Check(t, cases[0], res.Status)
		charges, err := ledger.Charges()
		if err != nil {
			t.Fatal(err)
		}
		if len(charges) != 5 {
			t.Errorf("seed %d: %d keys charged, want 5: %v", seed, len(charges), charges)
		}
		for k, n := range charges {
			if n != 1 {
				t.Errorf("seed %d: key %s charged %d times", seed, k, n)
			}
		}
		reruns += res.Stats.Nodes["charge"].Invocations - 5
	}
	t.Logf("Charge ran %d more times than there are orders; no order was charged twice", reruns)
}

func TestValidateRefusesNegativeAmounts(t *testing.T) {
	if _, err := payments.Validate(context.Background(), payments.Batch{Orders: []payments.Order{{Customer: "x", Cents: -1}}}); err == nil {
		t.Error("a negative amount was accepted")
	}
}
