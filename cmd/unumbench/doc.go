// Command unumbench runs unumc's benchmark suite on the local target and
// prints one table of its figures (or, with -json, the same as JSON):
//
//   - transition: the time per transition of a chain of 1,000 no-op nodes
//     and of a loop of 1,000 iterations, median and p99;
//   - fan-out+in: a map of 1, 16, 128, 1,024 and 4,096 no-op branches and
//     its join, end to end, median wall time;
//   - executions: many executions at once, executions per second and the
//     peak memory of the runners and their node processes;
//   - compiler: .unum to Go for 10, 100 and 1,000 nodes, go build per node
//     with a warm cache, the binary size per target, and the start of a
//     node program to its handshake;
//   - requests: store requests and invokes per transition of each pattern,
//     from real runs, next to the least possible and Unum's.
//
// Run it from unumc's module: `make bench`, or `go run ./cmd/unumbench`.
// Every node of the generated workflows calls a function of package nop,
// from a small module written into the cache, so that the programs are
// compiled once and not again whenever a file of unumc changes; only
// the binary sizes of the targets are built in unumc's own module, as the
// cloud targets require. -quick runs everything at tiny sizes, as the
// smoke test does; docs/performance.md has the figures and what they mean.
package main
