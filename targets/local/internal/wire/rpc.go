package wire

import (
	"bufio"
	"context"
	"encoding/gob"
	"errors"
	"io"
	"reflect"
	"sync"
)

// The calls between the runner and a node are a small RPC of this
// package's own, gob-encoded as net/rpc's were. net/rpc is not used: it
// brings net/http, crypto/tls and html/template (for its debugging page)
// into every node program, which made each program 6 MB, slowed its link,
// and added 2 ms to the start of every node process.
//
// On each pipe, a message is a gob-encoded header and, unless the header
// carries an error, a gob-encoded body: the arguments of a request or the
// reply to one. Replies carry the sequence number of their request and
// may come in any order.

// header precedes every message.
type header struct {
	Seq    uint64
	Method string // a request's method
	Error  string // a reply's error; no body follows
}

// RemoteError is an error the called method returned, as opposed to the
// failure of the connection.
type RemoteError string

func (e RemoteError) Error() string { return string(e) }

// ErrClosed is the error of calls on a connection that has ended.
var ErrClosed = errors.New("wire: connection closed")

// codec reads and writes the messages of one connection.
type codec struct {
	conn io.ReadWriteCloser
	dec  *gob.Decoder

	wmu sync.Mutex // one message at a time
	bw  *bufio.Writer
	enc *gob.Encoder
}

func newCodec(conn io.ReadWriteCloser) *codec {
	bw := bufio.NewWriter(conn)
	return &codec{conn: conn, dec: gob.NewDecoder(bufio.NewReader(conn)), bw: bw, enc: gob.NewEncoder(bw)}
}

func (c *codec) write(h *header, body any) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	err := c.enc.Encode(h)
	if err == nil && h.Error == "" {
		err = c.enc.Encode(body)
	}
	if err == nil {
		err = c.bw.Flush()
	}
	if err != nil {
		// The stream may hold half a message: nothing can follow it.
		c.conn.Close()
	}
	return err
}

// Call is a request in flight.
type Call struct {
	reply any
	Err   error
	Done  chan struct{} // closed when the reply, or the connection's end, has come
}

// Client makes calls over a connection.
type Client struct {
	c *codec

	mu      sync.Mutex
	seq     uint64
	pending map[uint64]*Call
	err     error // once set, the connection is over
}

// NewClient starts a client on conn, which it owns.
func NewClient(conn io.ReadWriteCloser) *Client {
	cl := &Client{c: newCodec(conn), pending: map[uint64]*Call{}}
	go cl.read()
	return cl
}

// Go starts a call of method with args; the reply is decoded into reply,
// a pointer.
func (cl *Client) Go(method string, args, reply any) *Call {
	call := &Call{reply: reply, Done: make(chan struct{})}
	cl.mu.Lock()
	if cl.err != nil {
		cl.mu.Unlock()
		call.Err = cl.err
		close(call.Done)
		return call
	}
	cl.seq++
	seq := cl.seq
	cl.pending[seq] = call
	cl.mu.Unlock()
	if err := cl.c.write(&header{Seq: seq, Method: method}, args); err != nil {
		cl.mu.Lock()
		if _, ok := cl.pending[seq]; ok { // else the reader failed it already
			delete(cl.pending, seq)
			call.Err = err
			close(call.Done)
		}
		cl.mu.Unlock()
	}
	return call
}

// Call makes a call and waits for its reply, or gives up when ctx ends
// (a reply that comes later is dropped).
func (cl *Client) Call(ctx context.Context, method string, args, reply any) error {
	call := cl.Go(method, args, reply)
	select {
	case <-call.Done:
		return call.Err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// read delivers replies until the connection ends, then fails the calls
// still waiting.
func (cl *Client) read() {
	var err error
	for err == nil {
		var h header
		if err = cl.c.dec.Decode(&h); err != nil {
			break
		}
		cl.mu.Lock()
		call := cl.pending[h.Seq]
		delete(cl.pending, h.Seq)
		cl.mu.Unlock()
		switch {
		case h.Error != "":
			if call != nil {
				call.Err = RemoteError(h.Error)
			}
		case call == nil:
			err = cl.c.dec.DecodeValue(reflect.Value{}) // a reply nobody waits for
		default:
			if err = cl.c.dec.Decode(call.reply); err != nil {
				call.Err = err
			}
		}
		if call != nil {
			close(call.Done)
		}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.ErrClosedPipe) {
		err = ErrClosed
	}
	cl.mu.Lock()
	if cl.err == nil {
		cl.err = err
	}
	for seq, call := range cl.pending {
		delete(cl.pending, seq)
		call.Err = cl.err
		close(call.Done)
	}
	cl.mu.Unlock()
}

// Close ends the connection: the other side reads its end, and calls in
// flight fail.
func (cl *Client) Close() error {
	cl.mu.Lock()
	if cl.err == nil {
		cl.err = ErrClosed
	}
	cl.mu.Unlock()
	return cl.c.conn.Close()
}

// Handler serves one method.
type Handler struct {
	args   func() any
	call   func(args any) (reply any, err error)
	inline bool
}

// Inline makes h answer its requests in Serve's own loop, in the order
// they come, instead of in a goroutine each: for a method that returns
// quickly, it saves waking another thread, most of a round trip's cost
// when the machine is otherwise idle. A request of a connection that comes
// while an inline one runs waits for it.
func Inline(h Handler) Handler {
	h.inline = true
	return h
}

// Method makes a Handler of a func in the style of net/rpc's methods:
// arguments by value, a pointer to fill in with the reply.
func Method[A, R any](f func(A, *R) error) Handler {
	return Handler{
		args: func() any { return new(A) },
		call: func(a any) (any, error) {
			r := new(R)
			err := f(*a.(*A), r)
			return r, err
		},
	}
}

// Serve answers the requests that come over conn, each in a goroutine of
// its own, until the other side closes it; then it waits for the
// answers under way and closes conn.
func Serve(conn io.ReadWriteCloser, methods map[string]Handler) {
	c := newCodec(conn)
	var wg sync.WaitGroup
	for {
		var h header
		if err := c.dec.Decode(&h); err != nil {
			break
		}
		m, ok := methods[h.Method]
		if !ok {
			if c.dec.DecodeValue(reflect.Value{}) != nil {
				break
			}
			c.write(&header{Seq: h.Seq, Error: "wire: unknown method " + h.Method}, nil)
			continue
		}
		args := m.args()
		if err := c.dec.Decode(args); err != nil {
			break
		}
		answer := func() {
			reply, err := m.call(args)
			rh := &header{Seq: h.Seq}
			if err != nil {
				rh.Error = err.Error()
				if rh.Error == "" {
					rh.Error = "error"
				}
			}
			c.write(rh, reply)
		}
		if m.inline {
			answer()
		} else {
			wg.Go(answer)
		}
	}
	wg.Wait()
	conn.Close()
}
