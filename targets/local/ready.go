package local

import (
	"context"
	"os"
	"time"
)

// Ready starts the program bin as Run starts node processes, waits for its
// handshake — the moment it could serve an invocation — and lets it go. It
// returns how long the start took, from exec to the handshake, and fails if
// bin is not node node of workflow. Benchmarks measure process starts with
// it; nothing is read or written in any state.
func Ready(ctx context.Context, bin, workflow, node string) (time.Duration, error) {
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return 0, err
	}
	log := &logFile{path: os.DevNull, f: devnull}
	defer log.Close()
	h := &host{opts: Options{Workflow: workflow, Binaries: map[string]string{node: bin}}}
	began := time.Now()
	p, err := h.spawn(ctx, &runner{host: h, log: log}, node)
	if err != nil {
		return 0, err
	}
	took := time.Since(began)
	p.stop()
	return took, nil
}
