// Package payments shows how a node guards an external side effect: a node
// may run more than once (after a crash, a timeout or a duplicate delivery),
// so Charge passes the node instance's idempotency key to the payment
// provider, which charges each key once, as real payment APIs do.
package payments

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/unumc/unumc/rt/unumctx"
)

// Order is one order to charge.
type Order struct {
	Customer string `json:"customer"`
	Cents    int    `json:"cents"`
}

// Batch is the workflow input.
type Batch struct {
	Orders []Order `json:"orders"`
}

// Validate passes the batch on, refusing negative amounts.
func Validate(_ context.Context, b Batch) (Batch, error) {
	for _, o := range b.Orders {
		if o.Cents < 0 {
			return b, fmt.Errorf("order of %s has a negative amount", o.Customer)
		}
	}
	return b, nil
}

// Charged is the outcome of charging one order.
type Charged struct {
	Customer string `json:"customer"`
	Cents    int    `json:"cents"`
}

// Charge charges one order through the provider, with the instance's
// idempotency key, so a second run of the same instance charges nothing.
func Charge(ctx context.Context, o Order) (Charged, error) {
	key := unumctx.IdempotencyKey(ctx)
	if key == "" {
		return Charged{}, errors.New("no idempotency key: not run by unumc")
	}
	if err := provider(ctx).charge(key, o); err != nil {
		return Charged{}, err
	}
	return Charged{Customer: o.Customer, Cents: o.Cents}, nil
}

// Receipt totals the charges.
type Receipt struct {
	Charges []Charged `json:"charges"`
	Total   int       `json:"total"`
}

// Total makes the receipt.
func Total(_ context.Context, cs []Charged) (Receipt, error) {
	r := Receipt{Charges: cs}
	for _, c := range cs {
		r.Total += c.Cents
	}
	return r, nil
}

// Ledger is a stand-in for a payment provider: a file of charges, one line
// per idempotency key, shared by every process of an execution.
type Ledger struct{ Path string }

// LedgerPath is where an execution's charges are recorded.
func LedgerPath(execution string) string {
	return filepath.Join(os.TempDir(), "unumc-payments-"+execution+".ledger")
}

func provider(ctx context.Context) Ledger {
	info, _ := unumctx.From(ctx)
	return Ledger{Path: LedgerPath(info.Execution)}
}

// charge records a charge unless its key has been charged, atomically
// across processes (an exclusive file lock around read-check-append).
func (l Ledger) charge(key string, o Order) error {
	f, err := os.OpenFile(l.Path, os.O_CREATE|os.O_RDWR|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return err
	}
	defer syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, _, _ := strings.Cut(sc.Text(), " "); k == key {
			return nil // charged before: the provider ignores the repeat
		}
	}
	_, err = fmt.Fprintf(f, "%s %s %d\n", key, o.Customer, o.Cents)
	return err
}

// Charges reads a ledger: the number of lines per idempotency key.
func (l Ledger) Charges() (map[string]int, error) {
	data, err := os.ReadFile(l.Path)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if k, _, ok := strings.Cut(line, " "); ok {
			out[k]++
		}
	}
	return out, nil
}
