package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/unumc/unumc/targets/local"
)

// TestMain lets the test binary be unumc itself, so a test can run it as a
// separate process and kill it.
func TestMain(m *testing.M) {
	if os.Getenv("UNUMC_TEST_MAIN") == "1" {
		os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

func unumcProcess(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), "UNUMC_TEST_MAIN=1")
	cmd.Dir = "testdata/slow"
	return cmd
}

// TestKilledRunResumes kills unumc run with SIGKILL in the middle of an
// execution; the same command with the same name finishes it, with the
// output of an uninterrupted run and nothing left behind.
func TestKilledRunResumes(t *testing.T) {
	testEnv(t)
	want, err := unumcProcess(t, "run", "slow.unum", "--input", "0", "--name", "whole").Output()
	if err != nil {
		t.Fatalf("uninterrupted run: %v", err)
	}
	for _, after := range []time.Duration{50 * time.Millisecond, 300 * time.Millisecond, 600 * time.Millisecond} {
		name := "killed-" + after.String()
		cmd := unumcProcess(t, "run", "slow.unum", "--input", "0", "--name", name)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill it a while after the execution has started: once its log
		// says the invocations are queued.
		log := local.LogPath(os.Getenv("UNUMC_STATE"), name)
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(5 * time.Millisecond) {
			if data, _ := os.ReadFile(log); strings.Contains(string(data), "invocations queued") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the run did not start: %s", log)
			}
		}
		time.Sleep(after)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()

		st, _ := unumcProcess(t, "status", name).Output()
		var d struct{ State string }
		if json.Unmarshal(st, &d); d.State != "running" {
			t.Errorf("after SIGKILL at %v, status %s; want running", after, st)
		}
		stats := t.TempDir() + "/stats.json"
		got, err := unumcProcess(t, "run", "slow.unum", "--input", "0", "--name", name, "--stats", stats).Output()
		if err != nil {
			t.Fatalf("resumed run after SIGKILL at %v: %v", after, err)
		}
		if string(got) != string(want) {
			t.Errorf("resumed after SIGKILL at %v: output %q, want %q", after, got, want)
		}
		data, _ := os.ReadFile(stats)
		if !strings.Contains(string(data), `"items_left": 1,`) {
			t.Errorf("resumed after SIGKILL at %v: stats %s", after, data)
		}
		st, _ = unumcProcess(t, "status", name).Output()
		if json.Unmarshal(st, &d); d.State != "succeeded" {
			t.Errorf("after the resumed run, status %s", st)
		}
	}
	if out, err := unumcProcess(t, "status", "no-such-execution").CombinedOutput(); err == nil {
		t.Errorf("status of an unknown execution succeeded: %s", out)
	}
}
