package local

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// LogPath is the log of an execution: <stateDir>/logs/<execution>.log. It
// holds every line the node processes wrote to stdout or stderr, prefixed by
// the node instance that was running, and the runner's notes on failed
// attempts, prefixed by "unumc".
func LogPath(stateDir, execution string) string {
	return filepath.Join(stateDir, "logs", execution+".log")
}

// logFile is an execution's log, shared by all its processes. Lines written
// after Close are dropped: a warm process of a Host may write after the
// execution it last ran has ended.
type logFile struct {
	path   string
	mu     sync.Mutex
	f      *os.File
	closed bool
}

func openLog(path string) (*logFile, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	// Append: a rerun of an execution continues its story.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	return &logFile{path: path, f: f}, nil
}

func (l *logFile) line(prefix string, text []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.closed {
		fmt.Fprintf(l.f, "%s | %s\n", prefix, text)
	}
}

// note writes a line of the runner's own.
func (l *logFile) note(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	for _, s := range strings.Split(msg, "\n") {
		l.line("unumc", []byte(time.Now().UTC().Format("15:04:05.000 ")+s))
	}
}

func (l *logFile) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	return l.f.Close()
}

// output is one stream of a process: it cuts the stream into lines for the
// log and keeps, for stderr, the tail of the current invocation's lines for
// error messages.
type output struct {
	dest func() (*logFile, string) // the log and the line prefix
	keep bool

	mu      sync.Mutex
	partial []byte
	tail    [][]byte
}

const tailLines = 20

func (o *output) Write(b []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.partial = append(o.partial, b...)
	for {
		i := bytes.IndexByte(o.partial, '\n')
		if i < 0 {
			break
		}
		o.emit(o.partial[:i])
		o.partial = o.partial[i+1:]
	}
	return len(b), nil
}

func (o *output) emit(line []byte) {
	log, prefix := o.dest()
	log.line(prefix, line)
	if o.keep {
		o.tail = append(o.tail, bytes.Clone(line))
		if len(o.tail) > tailLines {
			o.tail = o.tail[len(o.tail)-tailLines:]
		}
	}
}

// flush logs an unterminated last line, once the process has exited.
func (o *output) flush() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.partial) > 0 {
		o.emit(o.partial)
		o.partial = nil
	}
}

// reset forgets the tail, at the start of an invocation.
func (o *output) reset() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.tail = nil
}

func (o *output) Tail() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return string(bytes.Join(o.tail, []byte("\n")))
}
