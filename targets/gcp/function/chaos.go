package function

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"

	"github.com/unumc/unumc/rt"
	"github.com/unumc/unumc/targets/gcp/internal/config"
)

// chaos injects the faults of the local target's chaos mode into a node
// program on the emulators: a crash at a fault point, and a lost
// acknowledgement after a delivery succeeded, which makes Pub/Sub deliver
// the same message (same delivery id) again. Each fault strikes a delivery
// at most once, noted in a file in ChaosState that outlives the crashed
// process, so that redeliveries make progress.
type chaos struct{ cfg *config.Config }

// roll is a number in [0, 1) fixed by the seed and parts.
func (c *chaos) roll(parts ...any) float64 {
	h := sha256.Sum256(fmt.Append(nil, append([]any{c.cfg.ChaosSeed}, parts...)...))
	return float64(binary.BigEndian.Uint64(h[:8])>>11) / (1 << 53)
}

// once reports whether the fault named by parts has not struck before, and
// notes that it has now.
func (c *chaos) once(parts ...any) bool {
	h := sha256.Sum256(fmt.Append(nil, parts...))
	f, err := os.OpenFile(filepath.Join(c.cfg.ChaosState, hex.EncodeToString(h[:12])), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return false
	}
	return f.Close() == nil
}

func (c *chaos) fault(delivery, point string, env *rt.Envelope, step int) {
	if c.cfg.ChaosKill == 0 || c.roll("kill", delivery, point, step) >= c.cfg.ChaosKill || !c.once("kill", delivery) {
		return
	}
	fmt.Fprintf(os.Stderr, "chaos: crashing delivery %s of %s at %s/%d\n", delivery, env.Instance(), point, step)
	// Die as a crashed instance would: no reply, nothing flushed.
	if p, err := os.FindProcess(os.Getpid()); err == nil {
		p.Kill()
	}
	select {}
}

func (c *chaos) nack(delivery string) bool {
	return c.cfg.ChaosNack > 0 && c.roll("nack", delivery) < c.cfg.ChaosNack && c.once("nack", delivery)
}
