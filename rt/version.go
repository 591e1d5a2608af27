package rt

// IsVersion1 is referenced by generated code. If the reference fails to
// compile, the generated code was made by a different version of unumc than
// the runtime it is built with: regenerate it.
const IsVersion1 = true

// Version is the protocol version carried in envelopes.
const Version = 1
