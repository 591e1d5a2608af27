// Package wire is the protocol between the local runner and the node
// processes it starts: the file descriptors, the RPC method names and their
// argument types. Both sides import it, so they cannot drift apart.
//
// A node process gets four pipes besides stdin, stdout and stderr:
//
//	fd 3  runner -> node  requests to the node  (Node.Invoke)
//	fd 4  node -> runner  the node's replies
//	fd 5  node -> runner  requests to the runner (Runner.Hello, Runner.Get, ...)
//	fd 6  runner -> node  the runner's replies
//
// Each pair carries the package's own small RPC (rpc.go), gob-encoded. The
// node first calls
// Runner.Hello, which checks that the binary is the node the runner meant
// to start and returns the platform settings; then it serves Node.Invoke,
// one invocation at a time, until the runner closes fd 3.
package wire
