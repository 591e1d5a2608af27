package gcp

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/unumc/unumc/internal/build"
	"github.com/unumc/unumc/internal/ir"
)

func load(t *testing.T, wf string) *ir.Workflow {
	t.Helper()
	w, err := build.Load(wf, "")
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func flag(args []string, name string) string {
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, "--"+name+"="); ok {
			return v
		}
	}
	return ""
}

// TestLeastPrivilege checks the grants of the deployment: each node's
// account may publish to its successors' topics and no others, and use the
// workflow's database through the custom role only; Pub/Sub's account may
// only invoke the services; nothing is granted a broad role.
func TestLeastPrivilege(t *testing.T) {
	for _, wf := range []string{"../../golden/testdata/branches/branches.unum", "../../golden/testdata/nested/nested.unum", "../../examples/iot/iot.unum"} {
		w := load(t, wf)
		n := NamesOf(w.Name)
		succ := Successors(w)
		published := map[string][]string{} // account -> topics
		steps := Plan{Region: "europe-west1", W: w, Dir: "."}.Steps()
		var ttl, custom bool
		for _, s := range steps {
			a := s.Args
			cmd := strings.Join(a[:min(len(a), 4)], " ")
			role := flag(a, "role")
			member := flag(a, "member")
			switch {
			case strings.HasPrefix(cmd, "gcloud pubsub topics add-iam-policy-binding"):
				if role != "roles/pubsub.publisher" {
					t.Errorf("topic grant %v", a)
				}
				published[member] = append(published[member], a[4])
			case strings.HasPrefix(cmd, "gcloud projects add-iam-policy-binding"):
				if role != "projects/$PROJECT/roles/"+n.Role() || !strings.Contains(flag(a, "condition"), `resource.name == "projects/$PROJECT/databases/`+n.Database()+`"`) {
					t.Errorf("project-level grant without the custom role and the database condition: %v", a)
				}
			case strings.HasPrefix(cmd, "gcloud run services add-iam-policy-binding"):
				if role != "roles/run.invoker" || member != "serviceAccount:"+n.PushAccount()+"@$PROJECT.iam.gserviceaccount.com" {
					t.Errorf("service grant %v", a)
				}
			case strings.HasPrefix(cmd, "gcloud firestore fields ttls"):
				ttl = a[5] == "expires" && slices.Contains(a, "--enable-ttl") && flag(a, "database") == n.Database()
			case strings.HasPrefix(cmd, "gcloud iam roles create"):
				custom = true
				perms := strings.Split(flag(a, "permissions"), ",")
				for _, p := range perms {
					if !strings.HasPrefix(p, "datastore.entities.") && p != "datastore.databases.getMetadata" {
						t.Errorf("the node role holds %s", p)
					}
				}
			}
			for _, x := range a {
				for _, broad := range []string{"roles/owner", "roles/editor", "roles/datastore.user", "roles/datastore.owner", "roles/pubsub.editor", "roles/pubsub.admin"} {
					if strings.Contains(x, broad) {
						t.Errorf("broad role %s in %v", broad, a)
					}
				}
			}
			if a[1] == "run" && a[2] == "deploy" {
				ident := filepath.Base(flag(a, "source"))
				if flag(a, "service-account") != n.NodeAccount(ident)+"@$PROJECT.iam.gserviceaccount.com" || flag(a, "ingress") != "internal" || !slices.Contains(a, "--no-allow-unauthenticated") {
					t.Errorf("service of %s: %v", ident, a)
				}
				env := flag(a, "set-env-vars")
				if !strings.Contains(env, "UNUMC_TOPIC_PREFIX="+n.TopicPrefix()) || !strings.Contains(env, "UNUMC_DATABASE="+n.Database()) {
					t.Errorf("service of %s has environment %s", ident, env)
				}
			}
		}
		if !ttl {
			t.Errorf("%s: no TTL policy on expires", w.Name)
		}
		if !custom {
			t.Errorf("%s: no custom role", w.Name)
		}
		for _, node := range w.Nodes {
			var want []string
			for _, to := range succ[node.Ident] {
				want = append(want, n.Topic(to))
			}
			got := published["serviceAccount:"+n.NodeAccount(node.Ident)+"@$PROJECT.iam.gserviceaccount.com"]
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("%s: node %s may publish to %v, want %v", w.Name, node.Ident, got, want)
			}
		}
	}
}

// TestScriptRuns runs deploy.sh with a gcloud that records its arguments:
// the script is valid bash, needs PROJECT, and passes each service's URL to
// its push subscription.
func TestScriptRuns(t *testing.T) {
	w := load(t, "../../golden/testdata/chain/chain.unum")
	dir := t.TempDir()
	script := filepath.Join(dir, "deploy.sh")
	if err := os.WriteFile(script, []byte(Plan{Region: "europe-west1", W: w, Dir: "."}.Script()), 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "fakebin")
	os.Mkdir(bin, 0o755)
	fake := "#!/bin/sh\nprintf '%s\\n' \"$*\" >> \"$GCLOUD_LOG\"\ncase \"$*\" in *'services describe'*) echo https://$4.run.app;; esac\n"
	if err := os.WriteFile(filepath.Join(bin, "gcloud"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	logf := filepath.Join(dir, "log")
	env := append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "GCLOUD_LOG="+logf)
	cmd := exec.Command("bash", script)
	cmd.Env = append(env, "PROJECT=")
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "set PROJECT") {
		t.Errorf("without PROJECT the script ran: %v\n%s", err, out)
	}
	cmd = exec.Command("bash", script)
	cmd.Env = append(env, "PROJECT=my-proj")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	data, _ := os.ReadFile(logf)
	log := string(data)
	n := NamesOf(w.Name)
	for _, want := range []string{
		"run deploy " + n.Service("double") + " --source=gcp/double --region=europe-west1",
		"pubsub subscriptions create " + n.Subscription("double") + " --topic=" + n.Topic("double") +
			" --push-endpoint=https://" + n.Service("double") + ".run.app/projects/my-proj/topics/" + n.Topic("double"),
		"pubsub topics add-iam-policy-binding " + n.Topic("label") + " --member=serviceAccount:" + n.NodeAccount("double") + "@my-proj.iam.gserviceaccount.com --role=roles/pubsub.publisher",
		`--condition=expression=resource.name == "projects/my-proj/databases/` + n.Database() + `"`,
	} {
		if !strings.Contains(log, want) {
			t.Errorf("gcloud was not run with %q; it ran:\n%s", want, log)
		}
	}
}

func TestNames(t *testing.T) {
	n := NamesOf("My_Very.Long-workflow-name-that-goes-on")
	for _, id := range []string{"a", "b_c", "some_really_long_node_identifier"} {
		if a := n.NodeAccount(id); len(a) > 30 || len(a) < 6 {
			t.Errorf("account %q has %d characters", a, len(a))
		}
		if s := n.Service(id); len(s) > 49 || strings.Contains(s, "_") {
			t.Errorf("service %q", s)
		}
	}
	if n.NodeAccount("some_really_long_node_identifier") == n.NodeAccount("some_really_long_node_identifier2") {
		t.Error("shortened accounts collide")
	}
	if d := n.Database(); len(d) > 63 {
		t.Errorf("database %q", d)
	}
}
