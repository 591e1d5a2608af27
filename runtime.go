// Package unumc holds the sources of the runtime that generated programs
// import, embedded so that an installed unumc can wire them into any Go
// module without a published release. The compiler itself lives in the cmd,
// lang, asl, codegen and targets packages.
package unumc

import "embed"

// Module is the module path of unumc and of the runtime it embeds.
const Module = "github.com/unumc/unumc"

// Runtime holds the packages generated code imports: rt, its user-facing
// unumctx, the data flow of Step Functions definitions (rt/states), and the
// node side of each target with what it imports. None of them imports the
// compiler. Test files are not needed and are skipped when the runtime is
// written out.
//
//go:embed rt/*.go rt/unumctx/*.go rt/states/*.go
//go:embed targets/local/proc/*.go targets/local/internal/wire/*.go
//go:embed targets/aws/lambda/*.go targets/aws/ddb/*.go
//go:embed targets/gcp/function/*.go targets/gcp/fstore/*.go targets/gcp/internal/config/*.go
var Runtime embed.FS

// GoMod and GoSum are unumc's go.mod and go.sum. The runtime written into a
// module requires the modules its packages need at the versions GoMod
// pins, with the checksums GoSum holds.
var (
	//go:embed go.mod
	GoMod []byte
	//go:embed go.sum
	GoSum []byte
)
