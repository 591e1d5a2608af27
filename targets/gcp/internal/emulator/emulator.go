// Package emulator starts the Cloud Firestore and Pub/Sub emulators for
// tests, on 127.0.0.1 with free ports, and stops them by pid; and
// PushSubscription is the push subscription tests can rely on the Pub/Sub
// emulator to deliver.
//
// The emulators are the Java programs that ship with the Google Cloud SDK;
// the SDK's wrapper scripts are not used because the Firestore one does not
// exec java, so stopping the script would leave the emulator running.
package emulator

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"time"
)

// Where the emulators are, overridable through the environment
// (.ci/setup.d/gcp.sh exports both).
const (
	EnvFirestoreJar = "UNUMC_FIRESTORE_EMULATOR_JAR"
	EnvPubSubJar    = "UNUMC_PUBSUB_EMULATOR_JAR"

	DefaultFirestoreJar = "/usr/lib/google-cloud-sdk/platform/cloud-firestore-emulator/cloud-firestore-emulator.jar"
	DefaultPubSubJar    = "/usr/lib/google-cloud-sdk/platform/pubsub-emulator/lib/cloud-pubsub-emulator-0.8.20-all.jar"
)

// ErrMissing is returned when java or an emulator is not installed.
var ErrMissing = errors.New("emulator not installed")

// Emulator is one running emulator.
type Emulator struct {
	Name string
	Host string // 127.0.0.1:port, for FIRESTORE_EMULATOR_HOST or PUBSUB_EMULATOR_HOST
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
}

// Paths returns the jars to run, or an error wrapping ErrMissing that says
// what is missing.
func Paths() (firestoreJar, pubsubJar string, err error) {
	firestoreJar, pubsubJar = os.Getenv(EnvFirestoreJar), os.Getenv(EnvPubSubJar)
	if firestoreJar == "" {
		firestoreJar = DefaultFirestoreJar
	}
	if pubsubJar == "" {
		pubsubJar = DefaultPubSubJar
	}
	var missing []string
	if _, err := exec.LookPath("java"); err != nil {
		missing = append(missing, "java (Java 17 or later)")
	}
	for _, p := range []string{firestoreJar, pubsubJar} {
		if _, err := os.Stat(p); err != nil {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		return "", "", fmt.Errorf("%w: %v (set %s and %s, or install google-cloud-cli-firestore-emulator and google-cloud-cli-pubsub-emulator)",
			ErrMissing, missing, EnvFirestoreJar, EnvPubSubJar)
	}
	return firestoreJar, pubsubJar, nil
}

// StartFirestore starts the Firestore emulator and waits until it serves.
func StartFirestore(jar string) (*Emulator, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	return start("firestore", "Dev App Server is now running", port,
		"-Duser.language=en", "-cp", jar, "com.google.cloud.datastore.emulator.firestore.CloudFirestore",
		"start", "--host=127.0.0.1", "--port="+strconv.Itoa(port))
}

// StartPubSub starts the Pub/Sub emulator and waits until it serves.
func StartPubSub(jar string) (*Emulator, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	return start("pubsub", "Server started, listening on", port,
		"-jar", jar, "--host=127.0.0.1", "--port="+strconv.Itoa(port))
}

func start(name, ready string, port int, args ...string) (*Emulator, error) {
	e := &Emulator{Name: name, Host: "127.0.0.1:" + strconv.Itoa(port), out: &syncBuffer{}, done: make(chan struct{})}
	e.cmd = exec.Command("java", args...)
	e.cmd.Stdout, e.cmd.Stderr = e.out, e.out
	if err := e.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the %s emulator: %w", name, err)
	}
	go func() { e.cmd.Wait(); close(e.done) }()
	deadline := time.After(90 * time.Second)
	for !bytes.Contains(e.out.Bytes(), []byte(ready)) {
		select {
		case <-e.done:
			return nil, fmt.Errorf("the %s emulator exited while starting:\n%s", name, e.out.Bytes())
		case <-deadline:
			e.Stop()
			return nil, fmt.Errorf("the %s emulator did not start in 90s:\n%s", name, e.out.Bytes())
		case <-time.After(50 * time.Millisecond):
		}
	}
	return e, nil
}

// Stop kills the emulator's process by its pid and waits for it to exit.
func (e *Emulator) Stop() {
	if e == nil {
		return
	}
	e.cmd.Process.Kill()
	<-e.done
}

// Output is what the emulator has printed so far.
func (e *Emulator) Output() string { return string(e.out.Bytes()) }

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.b.Bytes())
}
