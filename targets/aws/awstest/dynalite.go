package awstest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/unumc/unumc/targets/aws/ddb"
)

// EnvDynalite names dynalite's cli.js, as .ci/setup.d/aws.sh exports it.
const EnvDynalite = "UNUMC_DYNALITE"

// Dynalite starts dynalite on a free port of 127.0.0.1 for the test and
// returns its endpoint; it is killed when the test ends. Without dynalite
// the test is skipped, or fails when CI is set.
func Dynalite(t testing.TB) string {
	t.Helper()
	cli := os.Getenv(EnvDynalite)
	if cli == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not set: .ci/setup.d/aws.sh installs dynalite", EnvDynalite)
		}
		t.Skipf("%s is not set: install dynalite (npm install dynalite) and set it to its cli.js to run the AWS target's protocol tests", EnvDynalite)
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatalf("%s is set but node is not installed", EnvDynalite)
	}
	for try := 0; ; try++ {
		port, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("node", cli, "--host", "127.0.0.1", "--port", strconv.Itoa(port),
			"--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0")
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatalf("starting dynalite: %v", err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		if err := waitListening(addr, exited, 20*time.Second); err != nil {
			cmd.Process.Kill()
			if try < 3 {
				continue // the port was taken between freePort and dynalite
			}
			t.Fatalf("dynalite on %s: %v", addr, err)
		}
		t.Cleanup(func() {
			cmd.Process.Kill()
			<-exited
		})
		return "http://" + addr
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func waitListening(addr string, exited chan error, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			exited <- err
			return fmt.Errorf("exited: %v", err)
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return errors.New("not listening after " + timeout.String())
}

// Client returns a DynamoDB client of endpoint with test credentials.
func Client(endpoint string) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:       Region,
		BaseEndpoint: aws.String(endpoint),
		Credentials:  aws.NewCredentialsCache(staticCreds{}),
	})
}

// Region is the region the tests pretend to be in.
const Region = "us-east-1"

type staticCreds struct{}

func (staticCreds) Retrieve(context.Context) (aws.Credentials, error) {
	return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test", Source: "awstest"}, nil
}

// CreateTable creates a table as the SAM template does: the string key
// ddb.AttrKey, on demand. (dynalite has no TTL, so none is set.)
func CreateTable(ctx context.Context, c *dynamodb.Client, name string) error {
	_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String(ddb.AttrKey), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String(ddb.AttrKey), KeyType: types.KeyTypeHash}},
	})
	if err != nil {
		return fmt.Errorf("dynamodb CreateTable %s: %w", name, err)
	}
	for range 100 {
		out, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
		if err == nil && out.Table.TableStatus == types.TableStatusActive {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("table %s did not become active", name)
}

// Keys lists every key in a table, with a scan.
func Keys(ctx context.Context, c *dynamodb.Client, table string) ([]string, error) {
	keys, _, err := Expiring(ctx, c, table)
	return keys, err
}

// Expiring lists the keys of a table's items, and of those the ones that
// have no expiry (the TTL attribute ddb.AttrExpires), which DynamoDB would
// keep for ever.
func Expiring(ctx context.Context, c *dynamodb.Client, table string) (keys, never []string, err error) {
	var start map[string]types.AttributeValue
	for {
		out, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(table), ExclusiveStartKey: start,
			ProjectionExpression:     aws.String("#k, #e"),
			ExpressionAttributeNames: map[string]string{"#k": ddb.AttrKey, "#e": ddb.AttrExpires}})
		if err != nil {
			return nil, nil, err
		}
		for _, it := range out.Items {
			if k, ok := it[ddb.AttrKey].(*types.AttributeValueMemberS); ok {
				keys = append(keys, k.Value)
				if _, ok := it[ddb.AttrExpires]; !ok {
					never = append(never, k.Value)
				}
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			return keys, never, nil
		}
		start = out.LastEvaluatedKey
	}
}
