package main

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/urfave/cli/v2"

	"github.com/unumc/unumc/internal/build"
	"github.com/unumc/unumc/internal/ir"
	"github.com/unumc/unumc/targets/aws"
	"github.com/unumc/unumc/targets/aws/ddb"
)

func init() {
	registerCloud(&cloud{
		Target: aws.Target,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "region", Usage: "the cloud region (default: the platform's configuration, e.g. AWS_REGION)"},
			&cli.StringFlag{Name: "stack", Usage: "the deployment's name (default: the workflow's name); aws: the CloudFormation stack"},
		},
		BuildFlags: []cli.Flag{
			&cli.StringFlag{Name: "arch", Value: aws.DefaultArchitecture, Usage: "aws: the Lambda architecture, arm64 or x86_64"},
		},
		Package: awsPackage,
		Deploy:  awsDeploy,
		Start:   awsStart,
		Status:  awsStatus,
	})
}

// awsPackage writes the zips and template.yaml of build -t aws -o DIR.
func awsPackage(c *cli.Context, w *ir.Workflow, mod *build.Module, out string) error {
	cache, err := cacheDir()
	if err != nil {
		return err
	}
	arch := c.String("arch")
	if arch == "" {
		arch = aws.DefaultArchitecture
	}
	if _, ok := aws.Architectures[arch]; !ok {
		return usagef("--arch %q: want arm64 or x86_64", arch)
	}
	zips, err := aws.Package(c.Context, w, mod, arch, out, cache, c.App.ErrWriter)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.App.ErrWriter, "built %d Lambda functions (%s) of workflow %q and %s\n", len(zips), arch, w.Name, filepath.Join(out, "template.yaml"))
	return nil
}

// awsDeploy runs sam deploy on the build in out, or prints the command when
// the SAM CLI is not installed.
func awsDeploy(c *cli.Context, w *ir.Workflow, out string) error {
	cmd := aws.DeployCommand(out, stackName(c, w.Name), c.String("region"))
	if !aws.HaveSAM() {
		fmt.Fprintf(c.App.ErrWriter, "The SAM CLI (sam) is not installed. Install it, or deploy with:\n")
		fmt.Fprintf(c.App.Writer, "%s\n", shellJoin(cmd))
		return nil
	}
	run := exec.CommandContext(c.Context, cmd[0], cmd[1:]...)
	run.Stdout, run.Stderr = c.App.Writer, c.App.ErrWriter
	if err := run.Run(); err != nil {
		return fmt.Errorf("%s: %v", shellJoin(cmd), err)
	}
	return nil
}

func awsStart(c *cli.Context) error {
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
	cfg, err := config.LoadDefaultConfig(c.Context, regionOption(c))
	if err != nil {
		return fmt.Errorf("AWS configuration: %v", err)
	}
	api := awslambda.NewFromConfig(cfg)
	if err := aws.Start(c.Context, api, stackName(c, w.Name), w.Node(w.Start).Ident, name, input); err != nil {
		return err
	}
	fmt.Fprintln(c.App.Writer, name)
	return nil
}

func awsStatus(c *cli.Context, execution string) error {
	stack := c.String("stack")
	if stack == "" {
		stack = c.String("workflow")
	}
	if stack == "" {
		return usagef("status -t aws needs --stack (or --workflow, the default stack name)")
	}
	cfg, err := config.LoadDefaultConfig(c.Context, regionOption(c))
	if err != nil {
		return fmt.Errorf("AWS configuration: %v", err)
	}
	store := ddb.New(dynamodb.NewFromConfig(cfg), aws.TableName(stack))
	st, err := aws.Status(c.Context, store, execution)
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(struct {
		Execution string          `json:"execution"`
		State     string          `json:"state"`
		Output    json.RawMessage `json:"output,omitempty"`
		Error     string          `json:"error,omitempty"`
		Cause     string          `json:"cause,omitempty"`
	}{execution, st.State, st.Output, st.Error, st.Cause}, "", "  ")
	if err != nil {
		return err
	}
	fmt.Fprintf(c.App.Writer, "%s\n", data)
	return nil
}

func stackName(c *cli.Context, workflow string) string {
	if s := c.String("stack"); s != "" {
		return s
	}
	return workflow
}

func regionOption(c *cli.Context) func(*config.LoadOptions) error {
	return func(o *config.LoadOptions) error {
		if r := c.String("region"); r != "" {
			o.Region = r
		}
		return nil
	}
}

// shellJoin quotes args for a POSIX shell.
func shellJoin(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if a != "" && strings.IndexFunc(a, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:@", r))
		}) < 0 {
			out[i] = a
		} else {
			out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(out, " ")
}
