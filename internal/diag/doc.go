// Package diag holds source positions and the sorted error lists that every
// phase of unumc reports, in the style of go/scanner: each error prints as
// "file:line:col: message", messages are lowercase with user names quoted,
// and a phase that collected any error stops the pipeline.
package diag
