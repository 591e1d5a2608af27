package awstest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/unumc/unumc/targets/aws/ddb"
)

// Function is a function the Lambda peer runs: a bootstrap and its
// environment, besides what the peer sets (the Runtime API's address, the
// region, credentials, and the endpoints of the peers).
type Function struct {
	Name      string
	Bootstrap string
	Env       []string
}

// Options configure a Lambda peer.
type Options struct {
	// DynamoDB is the endpoint the functions' DynamoDB clients use.
	DynamoDB string
	// MaxProcs bounds the processes (execution environments) of one
	// function; default 3.
	MaxProcs int
	// Timeout bounds one invocation; the process is killed after it, as
	// Lambda does; default 60s.
	Timeout time.Duration
	// Backoff is the wait before the first retry of an asynchronous
	// invocation, doubled before the second; default 50ms (Lambda waits
	// about one and two minutes).
	Backoff time.Duration
	// Fresh runs every invocation in a new process, killed after it.
	Fresh bool
	// ChaosKill, on the first attempt of an asynchronous invocation, makes
	// the process die at each of the protocol's fault points with this
	// probability (UNUMC_CHAOS_KILL); retries run without. Implies Fresh.
	ChaosKill float64
	// Duplicate is the probability that an asynchronous invocation is
	// delivered twice, the copy up to 300ms later.
	Duplicate float64
	// Seed makes the chaos schedule.
	Seed uint64
}

// Lambda is a peer of the AWS Lambda service on 127.0.0.1: the Invoke API
// (asynchronous Event invocations queued and retried twice, as Lambda does,
// and synchronous RequestResponse ones) in front of functions whose
// bootstraps it runs as processes speaking the Runtime API to it.
type Lambda struct {
	URL string // the endpoint of the Invoke API and of the Runtime API

	opts  Options
	srv   *http.Server
	ln    net.Listener
	funcs map[string]*fn

	mu      sync.Mutex
	cond    *sync.Cond
	pending int // asynchronous invocations not yet done or dropped
	procs   map[int]*proc
	nextPID int
	closed  bool
	rng     *rand.Rand
	stats   map[string]*Stats // by execution
	logs    bytes.Buffer
	dropped []string
}

// Stats are what the peer saw of one execution: deliveries, and the counts
// the functions reported.
type Stats struct {
	ddb.Counts                        // totals: Invocations and FailedAttempts as delivered, the rest as reported
	Nodes      map[string]*ddb.Counts `json:"nodes"`
	Killed     int                    `json:"killed"`     // processes that died in an invocation
	Duplicates int                    `json:"duplicates"` // asynchronous events delivered twice on purpose
}

type proc struct {
	pid     int
	fn      *fn
	cmd     *exec.Cmd
	next    chan *delivery // the invocation for this process's pending /next
	current *delivery
	exited  chan struct{}
	first   bool // has not yet asked for an invocation
}

type fn struct {
	Function
	idle     []*proc
	procs    int
	starting int // processes that have not yet asked for an invocation
}

type delivery struct {
	id      string
	payload []byte
	attempt int
	done    chan result
}

type result struct {
	payload []byte
	err     string // the function's error, or why the attempt failed
}

// NewLambda starts a Lambda peer for functions; Close stops it and every
// process.
func NewLambda(funcs []Function, opts Options) (*Lambda, error) {
	if opts.MaxProcs <= 0 {
		opts.MaxProcs = 3
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 60 * time.Second
	}
	if opts.Backoff <= 0 {
		opts.Backoff = 50 * time.Millisecond
	}
	if opts.ChaosKill > 0 {
		opts.Fresh = true
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	l := &Lambda{
		URL: "http://" + ln.Addr().String(), opts: opts, ln: ln, funcs: map[string]*fn{},
		procs: map[int]*proc{}, stats: map[string]*Stats{}, rng: rand.New(rand.NewPCG(opts.Seed, 1)),
	}
	l.cond = sync.NewCond(&l.mu)
	for _, f := range funcs {
		l.funcs[f.Name] = &fn{Function: f}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2015-03-31/functions/{name}/invocations", l.invokeAPI)
	mux.HandleFunc("GET /p/{pid}/2018-06-01/runtime/invocation/next", l.next)
	mux.HandleFunc("POST /p/{pid}/2018-06-01/runtime/invocation/{id}/response", l.respond)
	mux.HandleFunc("POST /p/{pid}/2018-06-01/runtime/invocation/{id}/error", l.respond)
	mux.HandleFunc("POST /p/{pid}/2018-06-01/runtime/init/error", l.initError)
	l.srv = &http.Server{Handler: mux}
	go l.srv.Serve(ln)
	return l, nil
}

// Close kills every process and stops the server.
func (l *Lambda) Close() {
	l.mu.Lock()
	l.closed = true
	var ps []*proc
	for _, p := range l.procs {
		ps = append(ps, p)
	}
	l.cond.Broadcast()
	l.mu.Unlock()
	for _, p := range ps {
		p.cmd.Process.Kill()
		<-p.exited
	}
	l.srv.Close()
}

// Wait waits until every asynchronous invocation is done or dropped, or ctx
// ends.
func (l *Lambda) Wait(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() {
		l.mu.Lock()
		l.cond.Broadcast()
		l.mu.Unlock()
	})
	defer stop()
	l.mu.Lock()
	defer l.mu.Unlock()
	for l.pending > 0 && ctx.Err() == nil {
		l.cond.Wait()
	}
	return ctx.Err()
}

// Stats returns what the peer saw of execution.
func (l *Lambda) Stats(execution string) Stats {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.stat(execution)
	out := *s
	out.Nodes = map[string]*ddb.Counts{}
	for k, v := range s.Nodes {
		c := *v
		out.Nodes[k] = &c
	}
	return out
}

func (l *Lambda) stat(execution string) *Stats {
	s := l.stats[execution]
	if s == nil {
		s = &Stats{Nodes: map[string]*ddb.Counts{}}
		l.stats[execution] = s
	}
	return s
}

// Logs returns what the functions wrote, but their reports, and the
// invocations dropped after their last retry.
func (l *Lambda) Logs() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.logs.String() + strings.Join(l.dropped, "")
}

// Dropped counts the asynchronous invocations that failed every attempt.
func (l *Lambda) Dropped() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.dropped)
}

// invokeAPI is Lambda's Invoke: POST /2015-03-31/functions/NAME/invocations.
func (l *Lambda) invokeAPI(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if i := strings.LastIndex(name, ":function:"); i >= 0 {
		name = name[i+len(":function:"):]
	}
	f := l.funcs[name]
	if f == nil {
		apiError(w, http.StatusNotFound, "ResourceNotFoundException", "Function not found: "+name)
		return
	}
	payload, err := io.ReadAll(r.Body)
	if err != nil {
		apiError(w, http.StatusBadRequest, "InvalidRequestContentException", err.Error())
		return
	}
	switch typ := r.Header.Get("X-Amz-Invocation-Type"); typ {
	case "Event":
		if len(payload) > 256*1024 {
			apiError(w, http.StatusRequestEntityTooLarge, "RequestTooLargeException", "Request must be smaller than 262144 bytes for the InvokeAsync operation")
			return
		}
		l.mu.Lock()
		dup := l.opts.Duplicate > 0 && l.rng.Float64() < l.opts.Duplicate
		delay := time.Duration(l.rng.IntN(300)) * time.Millisecond
		l.pending++
		if dup {
			l.pending++
			l.stat(executionOf(payload)).Duplicates++
		}
		l.mu.Unlock()
		go l.async(f, payload, 0)
		if dup {
			go l.async(f, payload, delay)
		}
		w.WriteHeader(http.StatusAccepted)
	case "", "RequestResponse":
		res := l.run(f, &delivery{payload: payload, attempt: 1})
		w.Header().Set("X-Amz-Executed-Version", "$LATEST")
		if res.err != "" {
			w.Header().Set("X-Amz-Function-Error", "Unhandled")
			w.Write([]byte(res.err))
			return
		}
		w.Write(res.payload)
	default:
		apiError(w, http.StatusBadRequest, "InvalidParameterValueException", "unsupported invocation type "+typ)
	}
}

func apiError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("X-Amzn-Errortype", typ)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"Type": "User", "message": msg})
}

// async delivers an event as Lambda does: up to three attempts, the retries
// after a backoff.
func (l *Lambda) async(f *fn, payload []byte, delay time.Duration) {
	defer func() {
		l.mu.Lock()
		l.pending--
		l.cond.Broadcast()
		l.mu.Unlock()
	}()
	time.Sleep(delay)
	var last result
	for attempt := 1; attempt <= 3; attempt++ {
		if attempt > 1 {
			time.Sleep(l.opts.Backoff << (attempt - 2))
		}
		last = l.run(f, &delivery{payload: payload, attempt: attempt})
		if last.err == "" {
			return
		}
	}
	l.mu.Lock()
	l.dropped = append(l.dropped, fmt.Sprintf("dropped after 3 attempts: %s %s: %s\n", f.Name, payload, last.err))
	l.mu.Unlock()
}

// run runs one attempt of an invocation in a process of f.
func (l *Lambda) run(f *fn, d *delivery) result {
	d.id = fmt.Sprintf("%016x", rand.Uint64())
	d.done = make(chan result, 1)
	execution := executionOf(d.payload)
	l.mu.Lock()
	st := l.stat(execution)
	st.Invocations++
	node := st.Nodes[f.Name]
	if node == nil {
		node = &ddb.Counts{}
		st.Nodes[f.Name] = node
	}
	node.Invocations++
	var p *proc
	for p == nil && !l.closed {
		switch {
		case l.opts.Fresh:
			// A process of its own, which the next handler does not
			// offer to others.
			var err error
			if p, err = l.spawn(f, l.opts.ChaosKill > 0 && d.attempt == 1); err != nil {
				l.mu.Unlock()
				return l.failed(f, execution, result{err: err.Error()}, false)
			}
		case len(f.idle) > 0:
			p = f.idle[len(f.idle)-1]
			f.idle = f.idle[:len(f.idle)-1]
		case f.procs < l.opts.MaxProcs && f.starting == 0:
			if _, err := l.spawn(f, false); err != nil {
				l.mu.Unlock()
				return l.failed(f, execution, result{err: err.Error()}, false)
			}
			f.starting++
		default:
			l.cond.Wait()
		}
	}
	if l.closed {
		l.mu.Unlock()
		return result{err: "closed"}
	}
	l.mu.Unlock()

	timer := time.NewTimer(l.opts.Timeout)
	defer timer.Stop()
	select {
	case p.next <- d:
	case <-p.exited:
		return l.failed(f, execution, result{err: "the process exited before taking the invocation"}, true)
	case <-timer.C:
		p.cmd.Process.Kill()
		return l.failed(f, execution, result{err: "Task timed out"}, false)
	}
	var res result
	select {
	case res = <-d.done:
	case <-p.exited:
		select {
		case res = <-d.done: // responded, then exited
		default:
			return l.failed(f, execution, result{err: "Runtime exited: the process died in the invocation"}, true)
		}
	case <-timer.C:
		p.cmd.Process.Kill()
		return l.failed(f, execution, result{err: "Task timed out"}, false)
	}
	if l.opts.Fresh {
		p.cmd.Process.Kill()
	}
	if res.err != "" {
		return l.failed(f, execution, res, false)
	}
	return res
}

func (l *Lambda) failed(f *fn, exec string, res result, killed bool) result {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := l.stat(exec)
	st.FailedAttempts++
	st.Nodes[f.Name].FailedAttempts++
	if killed {
		st.Killed++
	}
	return res
}

// spawn starts a process of f; l.mu is held.
func (l *Lambda) spawn(f *fn, chaos bool) (*proc, error) {
	l.nextPID++
	p := &proc{pid: l.nextPID, fn: f, next: make(chan *delivery), exited: make(chan struct{}), first: !l.opts.Fresh}
	cmd := exec.Command(f.Bootstrap)
	cmd.Env = append(os.Environ(),
		"AWS_LAMBDA_RUNTIME_API="+strings.TrimPrefix(l.URL, "http://")+"/p/"+strconv.Itoa(p.pid),
		"AWS_LAMBDA_FUNCTION_NAME="+f.Name, "AWS_LAMBDA_FUNCTION_VERSION=$LATEST", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256",
		"AWS_REGION="+Region, "AWS_DEFAULT_REGION="+Region,
		"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_SESSION_TOKEN=test",
		"AWS_ENDPOINT_URL_DYNAMODB="+l.opts.DynamoDB, "AWS_ENDPOINT_URL_LAMBDA="+l.URL,
	)
	cmd.Env = append(cmd.Env, f.Env...)
	if chaos {
		cmd.Env = append(cmd.Env, fmt.Sprintf("UNUMC_CHAOS_KILL=%d:%g", l.rng.Uint64(), l.opts.ChaosKill))
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = cmd.Stdout
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %v", f.Bootstrap, err)
	}
	p.cmd = cmd
	l.procs[p.pid] = p
	f.procs++
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
		for sc.Scan() {
			l.output(f, sc.Bytes())
		}
		io.Copy(io.Discard, stdout)
		cmd.Wait()
		l.mu.Lock()
		delete(l.procs, p.pid)
		f.procs--
		if p.first {
			f.starting--
		}
		for i, q := range f.idle {
			if q == p {
				f.idle = append(f.idle[:i], f.idle[i+1:]...)
				break
			}
		}
		l.cond.Broadcast()
		l.mu.Unlock()
		close(p.exited)
	}()
	return p, nil
}

// output takes one line a function wrote: a report, or a log line.
func (l *Lambda) output(f *fn, line []byte) {
	var r ddb.Report
	l.mu.Lock()
	defer l.mu.Unlock()
	if json.Unmarshal(line, &r) == nil && r.Stats == ddb.ReportVersion {
		st := l.stat(r.Execution)
		c := r.Counts
		c.Invocations, c.FailedAttempts = 0, 0 // counted as delivered
		st.Counts.Add(c)
		node := st.Nodes[f.Name]
		if node == nil {
			node = &ddb.Counts{}
			st.Nodes[f.Name] = node
		}
		node.Add(c)
		return
	}
	fmt.Fprintf(&l.logs, "%s: %s\n", f.Name, line)
}

func (l *Lambda) proc(r *http.Request) *proc {
	pid, _ := strconv.Atoi(r.PathValue("pid"))
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.procs[pid]
}

// next is the Runtime API's next: the process waits for an invocation.
func (l *Lambda) next(w http.ResponseWriter, r *http.Request) {
	p := l.proc(r)
	if p == nil {
		http.Error(w, "unknown process", http.StatusForbidden)
		return
	}
	l.mu.Lock()
	p.current = nil
	if !l.opts.Fresh {
		if p.first {
			p.first = false
			p.fn.starting--
		}
		p.fn.idle = append(p.fn.idle, p)
		l.cond.Broadcast()
	}
	l.mu.Unlock()
	select {
	case d := <-p.next:
		l.mu.Lock()
		p.current = d
		l.mu.Unlock()
		h := w.Header()
		h.Set("Lambda-Runtime-Aws-Request-Id", d.id)
		h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(l.opts.Timeout).UnixMilli(), 10))
		h.Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:"+Region+":000000000000:function:"+p.fn.Name)
		h.Set("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000")
		h.Set("Content-Type", "application/json")
		w.Write(d.payload)
	case <-r.Context().Done():
	case <-p.exited:
	}
}

// respond is the Runtime API's response and error.
func (l *Lambda) respond(w http.ResponseWriter, r *http.Request) {
	p := l.proc(r)
	body, _ := io.ReadAll(r.Body)
	l.mu.Lock()
	var d *delivery
	if p != nil {
		d = p.current
	}
	l.mu.Unlock()
	if d == nil || d.id != r.PathValue("id") {
		http.Error(w, "unknown invocation", http.StatusBadRequest)
		return
	}
	res := result{payload: body}
	if strings.HasSuffix(r.URL.Path, "/error") {
		res = result{err: string(body)}
		if res.err == "" {
			res.err = "error " + r.Header.Get("Lambda-Runtime-Function-Error-Type")
		}
	}
	d.done <- res
	w.WriteHeader(http.StatusAccepted)
}

func (l *Lambda) initError(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if p := l.proc(r); p != nil {
		l.mu.Lock()
		fmt.Fprintf(&l.logs, "%s: init error: %s\n", p.fn.Name, body)
		l.mu.Unlock()
		p.cmd.Process.Kill()
	}
	w.WriteHeader(http.StatusAccepted)
}

func executionOf(payload []byte) string {
	var e struct {
		Execution string `json:"execution"`
	}
	json.Unmarshal(payload, &e)
	return e.Execution
}
