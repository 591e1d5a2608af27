package emulator

import (
	"fmt"
	"os"
	"testing"
)

var (
	missing error // why the emulators are not running, if they are not
	// Firestore and PubSub are the running emulators, once Main started them.
	Firestore, PubSub *Emulator
)

// Main runs a test binary's tests with both emulators started once for all
// of them (they take seconds to start), their hosts in
// FIRESTORE_EMULATOR_HOST and PUBSUB_EMULATOR_HOST, and stops them after.
// When they are not installed the tests run anyway, and Need decides.
func Main(m *testing.M) int {
	fsJar, psJar, err := Paths()
	if err != nil {
		missing = err
		return m.Run()
	}
	type result struct {
		e   *Emulator
		err error
	}
	fsc, psc := make(chan result), make(chan result)
	go func() { e, err := StartFirestore(fsJar); fsc <- result{e, err} }()
	go func() { e, err := StartPubSub(psJar); psc <- result{e, err} }()
	fs, ps := <-fsc, <-psc
	defer fs.e.Stop()
	defer ps.e.Stop()
	if fs.err != nil || ps.err != nil {
		fmt.Fprintf(os.Stderr, "emulators: firestore: %v; pubsub: %v\n", fs.err, ps.err)
		return 1
	}
	Firestore, PubSub = fs.e, ps.e
	os.Setenv("FIRESTORE_EMULATOR_HOST", fs.e.Host)
	os.Setenv("PUBSUB_EMULATOR_HOST", ps.e.Host)
	return m.Run()
}

// Need skips the test when the emulators are not installed, or fails it
// when CI is set: CI must run every test.
func Need(t testing.TB) {
	t.Helper()
	if missing == nil {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("CI is set and the Google Cloud emulators are missing: %v", missing)
	}
	t.Skipf("skipping: %v", missing)
}
