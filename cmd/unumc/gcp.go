package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"cloud.google.com/go/firestore"
	"cloud.google.com/go/pubsub/v2"
	"github.com/urfave/cli/v2"

	"github.com/unumc/unumc/internal/build"
	"github.com/unumc/unumc/internal/ir"
	"github.com/unumc/unumc/targets/gcp"
)

func init() {
	registerCloud(&cloud{
		Target: gcp.Target,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "project", Usage: "gcp: the Google Cloud project (default: gcloud's configured project)"},
		},
		Package: gcpPackage,
		Deploy:  gcpDeploy,
		Start:   gcpStart,
		Status:  gcpStatus,
	})
}

// gcpProject is --project, or gcloud's configured project.
func gcpProject(c *cli.Context) string {
	if p := c.String("project"); p != "" {
		return p
	}
	if _, err := exec.LookPath("gcloud"); err != nil {
		return ""
	}
	out, err := exec.CommandContext(c.Context, "gcloud", "config", "get-value", "project").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// gcpRegion is --region, where the command has it, or us-central1. deploy.sh
// takes REGION from the environment too.
func gcpRegion(c *cli.Context) string {
	if r := c.String("region"); r != "" {
		return r
	}
	return "us-central1"
}

// gcpPackage writes the programs, Dockerfiles and deploy.sh of build -t gcp -o DIR.
func gcpPackage(c *cli.Context, w *ir.Workflow, mod *build.Module, out string) error {
	cache, err := cacheDir()
	if err != nil {
		return err
	}
	// The script's default project: deploy's, which is --project or
	// gcloud's; build has no --project, and writes nothing of this
	// machine's configuration into its artefacts.
	project := ""
	if c.Command.Name == "deploy" {
		project = gcpProject(c)
	}
	script, err := gcp.Package(c.Context, w, mod, project, gcpRegion(c), out, cache, c.App.ErrWriter)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.App.ErrWriter, "built %d Cloud Run services (linux/amd64) of workflow %q and %s\n", len(w.Nodes), w.Name, script)
	return nil
}

// gcpDeploy runs the deploy.sh of the build in out when gcloud is installed
// and has an account; otherwise it prints the script.
func gcpDeploy(c *cli.Context, w *ir.Workflow, out string) error {
	project := gcpProject(c)
	script := filepath.Join(out, "deploy.sh")
	if !gcloudReady(c.Context) || project == "" {
		data, err := os.ReadFile(script)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.App.ErrWriter, "gcloud is not installed or has no account and project configured; deploy with %s, which runs:\n", script)
		fmt.Fprintf(c.App.Writer, "%s", data)
		return nil
	}
	cmd := exec.CommandContext(c.Context, "bash", script)
	cmd.Env = append(os.Environ(), "PROJECT="+project, "REGION="+gcpRegion(c))
	cmd.Stdout, cmd.Stderr = c.App.Writer, c.App.ErrWriter
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %v", script, err)
	}
	return nil
}

// gcloudReady reports whether gcloud is installed with an active account.
func gcloudReady(ctx context.Context) bool {
	if _, err := exec.LookPath("gcloud"); err != nil {
		return false
	}
	out, err := exec.CommandContext(ctx, "gcloud", "config", "get-value", "account").Output()
	return err == nil && strings.TrimSpace(string(out)) != ""
}

func gcpStart(c *cli.Context) error {
	_, w, err := loadWorkflow(c)
	if err != nil {
		return err
	}
	input := json.RawMessage("{}")
	if c.IsSet("input") {
		if input, err = readInput(c); err != nil {
			return err
		}
	}
	name := c.String("name")
	if name == "" {
		name = freshName()
	}
	project := gcpProject(c)
	if project == "" {
		return usagef("start -t gcp needs --project (or a project configured in gcloud)")
	}
	ps, err := pubsub.NewClient(c.Context, project)
	if err != nil {
		return fmt.Errorf("pubsub: %v", err)
	}
	defer ps.Close()
	start := w.Node(w.Start).Ident
	if err := gcp.Start(c.Context, ps, gcp.NamesOf(w.Name).Topic(start), start, name, input); err != nil {
		return err
	}
	fmt.Fprintln(c.App.Writer, name)
	return nil
}

func gcpStatus(c *cli.Context, execution string) error {
	workflow := c.String("workflow")
	if workflow == "" {
		return usagef("status -t gcp needs --workflow, the workflow's name")
	}
	project := gcpProject(c)
	if project == "" {
		return usagef("status -t gcp needs --project (or a project configured in gcloud)")
	}
	names := gcp.NamesOf(workflow)
	fs, err := firestore.NewClientWithDatabase(c.Context, project, names.Database())
	if err != nil {
		return fmt.Errorf("firestore: %v", err)
	}
	defer fs.Close()
	st, err := gcp.Status(c.Context, fs, names.Collection(), execution)
	if err != nil {
		return err
	}
	out := struct {
		Execution string          `json:"execution"`
		State     string          `json:"state"`
		Output    json.RawMessage `json:"output,omitempty"`
		Error     string          `json:"error,omitempty"`
		Cause     string          `json:"cause,omitempty"`
	}{Execution: execution, State: "running"}
	if st != nil {
		out.State, out.Output, out.Error, out.Cause = st.State, st.Output, st.Error, st.Cause
	}
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	fmt.Fprintf(c.App.Writer, "%s\n", data)
	return nil
}
