// Package ir is the one model of a workflow that every front end lowers to
// and that code generation reads: the .unum language (package lang) and the
// Step Functions importer (package asl) both produce a *Workflow, and Check
// validates it once, whichever syntax it came from.
//
// A workflow is a graph of nodes. Each node optionally calls one user function
// and has exactly one Transition, which decides what runs after it: another
// node (Goto), the end of its scope (End, Fail), a choice among those, or a
// fan-out (FanOut) whose branches run concurrently and whose results are
// joined, in order, by a join node. The branches of a fan-out are scopes of
// their own; Check works out which node belongs to which scope and which
// edges are loops.
package ir
