package gcp

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/unumc/unumc/codegen"
	"github.com/unumc/unumc/internal/ir"
)

// Target builds node programs whose main is function.Main.
var Target = codegen.Target{Name: "gcp", MainPath: "github.com/unumc/unumc/targets/gcp/function"}

// Names are the names of a workflow's resources on Google Cloud.
type Names struct {
	Workflow string
	// Base is the workflow's name as resource names allow it: lower case
	// letters, digits and '-', starting with a letter.
	Base string
}

var notName = regexp.MustCompile(`[^a-z0-9-]+`)

// NamesOf returns the resource names of workflow w.
func NamesOf(workflow string) Names {
	b := strings.Trim(notName.ReplaceAllString(strings.ToLower(workflow), "-"), "-")
	if b == "" || b[0] < 'a' || b[0] > 'z' {
		b = "w-" + b
	}
	return Names{Workflow: workflow, Base: b}
}

// TopicPrefix is the prefix of the workflow's topics: a node's topic is the
// prefix and the node's identifier.
func (n Names) TopicPrefix() string { return "unum-" + n.Base + "-" }

// Topic is the topic of the node with identifier ident.
func (n Names) Topic(ident string) string { return n.TopicPrefix() + ident }

// Subscription is the push subscription that delivers a node's topic.
func (n Names) Subscription(ident string) string { return n.Topic(ident) + "-push" }

// Service is the Cloud Run service of a node (at most 49 characters).
func (n Names) Service(ident string) string { return clip("unum-"+n.Base+"-"+dash(ident), 49) }

// Database is the Firestore database of the workflow (4 to 63 characters).
func (n Names) Database() string { return clip("unum-"+n.Base, 63) }

// Collection is the Firestore collection of the workflow's records.
func (n Names) Collection() string { return "unum" }

// NodeAccount is the service account a node's program runs as: the
// account ID (6 to 30 characters), unique per node.
func (n Names) NodeAccount(ident string) string {
	return accountID("un-"+n.Base, dash(ident))
}

// PushAccount is the service account Pub/Sub authenticates its pushes as,
// allowed only to invoke the workflow's services.
func (n Names) PushAccount() string { return accountID("un-"+n.Base, "push") }

// Role is the ID of the custom role granting the Firestore operations the
// node programs make, and nothing else (no queries, no listing).
func (n Names) Role() string { return "unumcNode" }

// accountID joins base and suffix into a service account ID of at most 30
// characters, shortening base and adding a hash when needed so that IDs of
// different nodes stay different.
func accountID(base, suffix string) string {
	id := base + "-" + suffix
	if len(id) <= 30 {
		return id
	}
	h := fmt.Sprintf("%08x", fnv32(id))
	keep := 30 - len(h) - 1
	return strings.TrimRight(id[:keep], "-") + "-" + h
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	h := fmt.Sprintf("%08x", fnv32(s))
	return strings.TrimRight(s[:n-len(h)-1], "-") + "-" + h
}

func dash(ident string) string {
	return strings.Trim(notName.ReplaceAllString(strings.ToLower(ident), "-"), "-")
}

func fnv32(s string) uint32 {
	h := uint32(2166136261)
	for i := range len(s) {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

// Successors returns, for every node identifier, the identifiers of the
// nodes its program may invoke (ir.Invokes): what each function's
// service account may publish to.
func Successors(w *ir.Workflow) map[string][]string { return ir.Invokes(w) }
