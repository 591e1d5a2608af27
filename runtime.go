// Package unumc holds the sources of the runtime that generated programs
// import, embedded so that an installed unumc can wire them into any Go
// module without network access or a published release. The compiler
// itself lives in the cmd, lang, asl, codegen and targets packages.
package unumc

import "embed"

// Module is the module path of unumc and of the runtime it embeds.
const Module = "github.com/unumc/unumc"

// Runtime holds the packages generated code imports: rt, its user-facing
// unumctx, and the node side of each target. Test files are not needed and
// are skipped when the runtime is written out.
//
//go:embed rt/*.go rt/unumctx/*.go targets/local/proc/*.go targets/local/internal/wire/*.go
var Runtime embed.FS
