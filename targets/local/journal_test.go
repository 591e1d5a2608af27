package local

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/unumc/unumc/rt"
)

// The journal: what is durable before bbolt has it, and what a crash at any
// point leaves.

// crash stops s as the runner's death would: the files are closed with
// whatever bbolt has not been given yet left in the journal only. The
// caller holds s.amu, so that the applier has not given bbolt anything
// since; it then finds the database closed and stops.
func crash(t *testing.T, s *Store) {
	t.Helper()
	s.log.close()
	s.db.Close()
	s.amu.Unlock()
}

// journalled reports how many batches are durable but not in bbolt.
func (s *Store) journalled() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.unapplied)
}

func TestJournalReplay(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "wf.db")
	s := openAt(t, path)
	if _, err := s.Create(ctx, rt.Item{Key: "e/c/a", Value: []byte("1")}); err != nil {
		t.Fatal(err)
	}
	s.Flush()
	waitApplied(t, s)

	s.amu.Lock() // bbolt gets nothing from here on
	if _, err := s.Create(ctx, rt.Item{Key: "e/c/b", Value: []byte("2"), Expires: time.Now().Add(time.Hour).Truncate(time.Second)}); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.Add(ctx, "e/c/b", "consumed"); err != nil || !ok {
		t.Fatal(ok, err)
	}
	s.remove([]string{"e/c/a"})
	e, err := s.enqueue(&rt.Envelope{Version: rt.Version, Execution: "e", Node: "c", Input: []byte(`3`)})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	if n := s.journalled(); n < 2 {
		t.Fatalf("%d batches only in the journal, want at least 2", n)
	}
	want, _ := s.List("e/")
	crash(t, s)

	s2 := openAt(t, path)
	got, _ := s2.List("e/")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("items after replay (-before the crash +after):\n%s", diff)
	}
	q, _ := s2.pending("e")
	if len(q) != 1 || q[0].key != e.key || string(q[0].Env.Input) != "3" {
		t.Errorf("queue after replay: %v", q)
	}
	e2, _ := s2.enqueue(&rt.Envelope{Version: rt.Version, Execution: "e", Node: "d"})
	if e2.key <= e.key {
		t.Errorf("queue key %s after %s: the sequence went back", e2.key, e.key)
	}
	// Replayed batches are in bbolt once the store is open.
	if n := s2.journalled(); n != 0 {
		t.Errorf("%d batches left to apply after opening", n)
	}
	if err := s2.Close(); err != nil {
		t.Fatal(err)
	}
	s3 := openAt(t, path)
	defer s3.Close()
	if got3, _ := s3.List("e/"); !cmp.Equal(got, got3) {
		t.Errorf("after a clean close and reopening: %v, want %v", got3, got)
	}
}

// A record torn by the crash is lost with every request in it, and only
// those: the state is the one before its batch.
func TestJournalTornRecord(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "wf.db")
	s := openAt(t, path)
	s.amu.Lock()
	for i := range 3 {
		if _, err := s.Create(ctx, rt.Item{Key: fmt.Sprintf("e/c/k%d", i), Value: []byte("v")}); err != nil {
			t.Fatal(err)
		}
	}
	off := s.log.off
	crash(t, s)

	// Tear the last record: its last byte never reached the disk.
	f, err := os.OpenFile(JournalPath(path), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteAt([]byte{0xff}, off-1)
	f.Close()

	s2 := openAt(t, path)
	defer s2.Close()
	got, _ := s2.List("e/")
	if diff := cmp.Diff([]string{"e/c/k0", "e/c/k1"}, itemKeys(got)); diff != "" {
		t.Errorf("keys after a torn last record (-want +got):\n%s", diff)
	}
}

// Once bbolt has every record, the journal starts over at its beginning;
// the longer records of the pass before, beyond the new ones, are not
// replayed.
func TestJournalStartsOver(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "wf.db")
	s := openAt(t, path)
	big := bytes.Repeat([]byte("x"), 4000)
	for i := range 20 {
		if _, err := s.Create(ctx, rt.Item{Key: fmt.Sprintf("e/c/old%d", i), Value: big}); err != nil {
			t.Fatal(err)
		}
	}
	s.remove([]string{"e/c/old0"})
	s.Flush()
	waitApplied(t, s)
	s.wmu.Lock()
	restarted := s.log.off == 0
	s.wmu.Unlock()
	if !restarted {
		t.Fatal("the journal did not start over once bbolt had every record")
	}

	s.amu.Lock()
	if _, err := s.Create(ctx, rt.Item{Key: "e/c/new", Value: []byte("1")}); err != nil {
		t.Fatal(err)
	}
	s.remove([]string{"e/c/old1"})
	s.Flush()
	crash(t, s)

	s2 := openAt(t, path)
	defer s2.Close()
	n, _, _ := s2.Count("e/c/old")
	got, _ := s2.Get(ctx, "e/c/new", "e/c/old0", "e/c/old1", "e/c/old2")
	if n != 18 || len(got) != 2 || got["e/c/new"].Value == nil || got["e/c/old2"].Value == nil {
		t.Errorf("after starting over and a crash: %d old items (want 18), got %v", n, slices.Sorted(maps.Keys(got)))
	}
}

// The journal's size is bounded: a writer that finds it past its limit
// waits for bbolt and starts it over.
func TestJournalLimit(t *testing.T) {
	ctx := context.Background()
	s, path := openTestStore(t)
	s.amu.Lock() // bbolt takes nothing until the test lets it
	var unlock sync.Once
	release := func() { unlock.Do(s.amu.Unlock) }
	defer release() // before the store's Close, which needs it
	big := bytes.Repeat([]byte("y"), 1<<20)
	n := journalLimit/len(big) + 4
	var made atomic.Int32
	done := make(chan error, 1)
	go func() {
		var err error
		for i := 0; i < n && err == nil; i++ {
			_, err = s.Create(ctx, rt.Item{Key: fmt.Sprintf("e/c/%d", i), Value: big})
			made.Add(1)
		}
		done <- err
	}()
	// The writer stops at the limit: its next record waits for bbolt.
	for last := int32(-1); made.Load() != last; {
		last = made.Load()
		select {
		case err := <-done:
			t.Fatalf("all %d records of 1 MB were journalled while bbolt took none (%v)", n, err)
		case <-time.After(300 * time.Millisecond):
		}
	}
	if m := made.Load(); int(m) >= journalLimit/len(big) {
		t.Errorf("%d records of 1 MB journalled past a limit of %d bytes", m, journalLimit)
	}
	release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(JournalPath(path))
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() > journalLimit {
		t.Errorf("journal of %d bytes, limit %d", st.Size(), journalLimit)
	}
	if c, _, _ := s.Count("e/c/"); c != n {
		t.Errorf("%d items, want %d", c, n)
	}
}

func waitApplied(t *testing.T, s *Store) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for s.journalled() > 0 {
		if time.Now().After(deadline) {
			t.Fatal("bbolt did not get the journalled batches")
		}
		time.Sleep(time.Millisecond)
	}
	// The applier starts the journal over just after.
	time.Sleep(10 * time.Millisecond)
}

// A record of the new pass exactly as long as the old one it overwrites
// lands the next read on an old record boundary: that record is intact,
// but bbolt holds it already, and it is not replayed.
func TestJournalStartsOverAligned(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "wf.db")
	s := openAt(t, path)
	// Pass one: k0's record, then k1's.
	if _, err := s.Create(ctx, rt.Item{Key: "e/c/k0", Value: []byte("vvvvvvvvvv")}); err != nil {
		t.Fatal(err)
	}
	s.wmu.Lock()
	first := s.log.off
	s.wmu.Unlock()
	if _, err := s.Create(ctx, rt.Item{Key: "e/c/k1", Value: []byte("v")}); err != nil {
		t.Fatal(err)
	}
	waitApplied(t, s)

	// Pass two: one record, k1's delete and n0's create, as long as k0's
	// (a delete is 6 bytes shorter than a create, and k0's value 9 longer
	// than n0's); then the crash. Replaying k1's old record would bring
	// k1 back.
	s.amu.Lock()
	s.remove([]string{"e/c/k1"})
	if _, err := s.Create(ctx, rt.Item{Key: "e/c/n0", Value: []byte("v")}); err != nil {
		t.Fatal(err)
	}
	s.wmu.Lock()
	second := s.log.off
	s.wmu.Unlock()
	crash(t, s)
	if first != second {
		t.Fatalf("the new record ends at %d, the old one at %d: the test needs them aligned", second, first)
	}

	s2 := openAt(t, path)
	defer s2.Close()
	got, _ := s2.Get(ctx, "e/c/k0", "e/c/k1", "e/c/n0")
	if diff := cmp.Diff([]string{"e/c/k0", "e/c/n0"}, slices.Sorted(maps.Keys(got))); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
}

// A journal whose records do not follow the last one the state file holds
// (another file's, or one whose records were lost) is refused rather than
// replayed out of order.
func TestJournalGap(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.db"), filepath.Join(dir, "b.db")
	sa := openAt(t, a)
	sa.amu.Lock()
	for i := range 3 {
		if _, err := sa.Create(ctx, rt.Item{Key: fmt.Sprintf("e/c/%d", i), Value: []byte("v")}); err != nil {
			t.Fatal(err)
		}
	}
	crash(t, sa)
	// b's file holds no record; a's journal starts at record 1, so use
	// only its third record: write it at the start of b's journal.
	data, err := os.ReadFile(JournalPath(a))
	if err != nil {
		t.Fatal(err)
	}
	rec := func(data []byte) int { return 8 + int(binary.LittleEndian.Uint32(data)) }
	first := rec(data)
	second := rec(data[first:])
	if err := os.WriteFile(JournalPath(b), data[first+second:], 0o644); err != nil {
		t.Fatal(err)
	}
	if s, err := OpenStore(b); err == nil {
		s.Close()
		t.Fatal("a journal starting at record 3 was replayed onto an empty state file")
	}
}

// A clean Close leaves an empty journal, so a state file removed to start
// afresh opens empty.
func TestJournalEmptyAfterClose(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "wf.db")
	s := openAt(t, path)
	if _, err := s.Create(ctx, rt.Item{Key: "e/c/a", Value: []byte("1")}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	s2 := openAt(t, path)
	defer s2.Close()
	if items, _ := s2.List("e/"); len(items) != 0 {
		t.Errorf("a removed state file came back from its journal: %v", items)
	}
}

// openAt opens the store at path; the test closes it, or crashes it.
func openAt(t *testing.T, path string) *Store {
	t.Helper()
	s, err := OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
