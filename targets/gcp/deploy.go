package gcp

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/unumc/unumc/internal/ir"
	"github.com/unumc/unumc/targets/gcp/fstore"
	"github.com/unumc/unumc/targets/gcp/internal/config"
)

// Plan is a deployment of one workflow. The commands name the project and
// region as $PROJECT and $REGION, which the script sets from the
// environment, defaulting to Project and Region when given.
type Plan struct {
	Project string // default of $PROJECT; "" for none
	Region  string // default of $REGION
	W       *ir.Workflow
	// Dir holds the build: a directory per node under Dir/gcp with its
	// program and Dockerfile (see Dockerfile).
	Dir string // relative to the script's directory, or absolute
}

// Dockerfile is the image of every node program: the static binary on a
// distroless base, which has the CA certificates the clients need.
const Dockerfile = `# Written by unumc build -t gcp. The node program is a static linux/amd64 binary.
FROM gcr.io/distroless/static-debian12:nonroot
COPY node /node
ENTRYPOINT ["/node"]
`

// Step is one command of a deployment, with why it is there.
type Step struct {
	Why  string
	Args []string // argv; "$URL" in an argument is the service URL of the step before
}

// Steps are the gcloud commands that deploy the plan, in order. Each node
// runs as its own service account, which may publish only to the topics of
// its successors (Successors) and use only the workflow's database, through
// a custom role holding the four Firestore operations of the store; Pub/Sub
// pushes as one more account, which may only invoke the workflow's
// services.
func (p Plan) Steps() []Step {
	n := NamesOf(p.W.Name)
	const project, region = "$PROJECT", "$REGION"
	proj := []string{"--project=" + project}
	db := n.Database()
	sa := func(id string) string { return id + "@" + project + ".iam.gserviceaccount.com" }
	dbCond := fmt.Sprintf(`--condition=expression=resource.name == "projects/%s/databases/%s",title=unumc-%s,description=only the database of workflow %s`, project, db, db, n.Base)
	var s []Step
	add := func(why string, args ...string) { s = append(s, Step{why, append(args, proj...)}) }

	add("the APIs the deployment uses",
		"gcloud", "services", "enable", "run.googleapis.com", "pubsub.googleapis.com", "firestore.googleapis.com",
		"cloudbuild.googleapis.com", "artifactregistry.googleapis.com", "iam.googleapis.com")
	add("the workflow's own Firestore database: IAM conditions can name a database, not a collection",
		"gcloud", "firestore", "databases", "create", "--database="+db, "--location="+region, "--type=firestore-native")
	add("the TTL policy that deletes records past their "+fstore.FieldExpires+" time, a backstop for records the protocol would lose only if Pub/Sub dropped a message",
		"gcloud", "firestore", "fields", "ttls", "update", fstore.FieldExpires, "--collection-group="+n.Collection(),
		"--enable-ttl", "--database="+db, "--async")
	add("a role with just the Firestore operations of the node programs (batched get, create, update, delete; no queries or listing)",
		"gcloud", "iam", "roles", "create", n.Role(), "--title=unumc node program",
		"--permissions=datastore.entities.get,datastore.entities.create,datastore.entities.update,datastore.entities.delete,datastore.databases.getMetadata",
		"--stage=GA")
	for _, node := range p.W.Nodes {
		add("topic of node "+node.Ident, "gcloud", "pubsub", "topics", "create", n.Topic(node.Ident))
	}
	succ := Successors(p.W)
	for _, node := range p.W.Nodes {
		id := n.NodeAccount(node.Ident)
		add("service account of node "+node.Ident, "gcloud", "iam", "service-accounts", "create", id,
			"--display-name=unumc "+n.Base+" "+node.Ident)
		add("node "+node.Ident+" reads and writes the workflow's database only",
			"gcloud", "projects", "add-iam-policy-binding", project, "--member=serviceAccount:"+sa(id),
			"--role=projects/"+project+"/roles/"+n.Role(), dbCond)
		for _, to := range succ[node.Ident] {
			add("node "+node.Ident+" invokes "+to+" by publishing to its topic",
				"gcloud", "pubsub", "topics", "add-iam-policy-binding", n.Topic(to),
				"--member=serviceAccount:"+sa(id), "--role=roles/pubsub.publisher")
		}
	}
	push := n.PushAccount()
	add("the account Pub/Sub pushes as: it may invoke the workflow's services and nothing else",
		"gcloud", "iam", "service-accounts", "create", push, "--display-name=unumc "+n.Base+" push")
	for _, node := range p.W.Nodes {
		cfg := config.Config{Project: project, Database: db, Collection: n.Collection(), TopicPrefix: n.TopicPrefix()}
		svc := n.Service(node.Ident)
		add("the service of node "+node.Ident+": its program on the functions framework, as its own account, reachable only from inside the project (Pub/Sub push)",
			"gcloud", "run", "deploy", svc, "--source="+filepath.Join(p.Dir, "gcp", node.Ident), "--region="+region,
			"--service-account="+sa(n.NodeAccount(node.Ident)), "--no-allow-unauthenticated", "--ingress=internal",
			"--concurrency=1", "--timeout=540", "--set-env-vars="+strings.Join(cfg.Env(), ","))
		add("Pub/Sub may invoke the service of node "+node.Ident,
			"gcloud", "run", "services", "add-iam-policy-binding", svc, "--region="+region,
			"--member=serviceAccount:"+sa(push), "--role=roles/run.invoker")
		topic := n.Topic(node.Ident)
		add("deliver the topic of node "+node.Ident+" to its service, redelivering until a delivery succeeds",
			"gcloud", "pubsub", "subscriptions", "create", n.Subscription(node.Ident), "--topic="+topic,
			"--push-endpoint=$URL/projects/"+project+"/topics/"+topic, "--push-auth-service-account="+sa(push),
			"--ack-deadline=600", "--min-retry-delay=1s", "--max-retry-delay=60s",
			"--message-retention-duration=7d", "--expiration-period=never")
	}
	return s
}

// Script is Steps as a bash script, for review and for deploy to run.
func (p Plan) Script() string {
	var b strings.Builder
	n := NamesOf(p.W.Name)
	fmt.Fprintf(&b, "#!/usr/bin/env bash\n# Deploys workflow %s to Google Cloud: run it with PROJECT (and REGION) set,\n", p.W.Name)
	b.WriteString("# or through unumc deploy -t gcp. Start an execution with\n")
	b.WriteString("#   unumc start -t gcp --project=PROJECT WORKFLOW --input JSON\n")
	fmt.Fprintf(&b, "# which needs roles/pubsub.publisher on topic %s, and read it with\n", n.Topic(p.W.Node(p.W.Start).Ident))
	fmt.Fprintf(&b, "#   unumc status -t gcp --project=PROJECT --workflow=%s EXECUTION\n", p.W.Name)
	b.WriteString("# which needs read access to the workflow's Firestore database.\nset -euo pipefail\n")
	fmt.Fprintf(&b, "PROJECT=\"${PROJECT:-%s}\"\nREGION=\"${REGION:-%s}\"\n", p.Project, p.Region)
	b.WriteString(": \"${PROJECT:?set PROJECT to the Google Cloud project to deploy to}\"\n")
	b.WriteString("cd \"$(dirname \"$0\")\"\n")
	for _, st := range p.Steps() {
		fmt.Fprintf(&b, "\n# %s\n%s\n", st.Why, shellJoin(st.Args))
		if st.Args[1] == "run" && st.Args[2] == "deploy" {
			fmt.Fprintf(&b, "URL=$(gcloud run services describe %s --region=\"$REGION\" --project=\"$PROJECT\" --format='value(status.url)')\n", st.Args[3])
		}
	}
	return b.String()
}

// shellJoin quotes args for bash, leaving $PROJECT, $REGION and $URL to
// expand.
func shellJoin(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		switch {
		case a != "" && strings.Trim(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=./:@,") == "":
			out[i] = a
		case strings.Contains(a, "$"):
			out[i] = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "`", "\\`").Replace(a) + `"`
		default:
			out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(out, " ")
}
