package ddb_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/unumc/unumc/rt"
	"github.com/unumc/unumc/targets/aws/awstest"
	"github.com/unumc/unumc/targets/aws/ddb"
)

// dynalite returns a store on a fresh table of a dynalite for the test, and
// the client.
func dynalite(t *testing.T) (*ddb.Store, *dynamodb.Client, string) {
	t.Helper()
	c := awstest.Client(awstest.Dynalite(t))
	table := "store-test"
	if err := awstest.CreateTable(context.Background(), c, table); err != nil {
		t.Fatal(err)
	}
	return ddb.New(c, table), c, table
}

// TestStoreDynalite checks the rt.Store contract on dynalite, which speaks
// DynamoDB's protocol: Create is first-writer-wins and returns the winner
// (here through the fallback read: dynalite returns no item on a failed
// condition), Add adds only to existing items and returns the set, Get
// reads batches and skips expired items, Delete ignores missing keys.
func TestStoreDynalite(t *testing.T) {
	s, _, _ := dynalite(t)
	ctx := context.Background()
	exp := time.Now().Add(time.Hour).Truncate(time.Second).UTC()
	if old, err := s.Create(ctx, rt.Item{Key: "e/c/a", Value: []byte(`1`), Expires: exp}); err != nil || old != nil {
		t.Fatalf("first Create: %v, %v", old, err)
	}
	old, err := s.Create(ctx, rt.Item{Key: "e/c/a", Value: []byte(`2`)})
	if err != nil || old == nil || string(old.Value) != "1" || !old.Expires.Equal(exp) {
		t.Fatalf("second Create returned %+v, %v; want the first item", old, err)
	}
	c := s.Take()
	if c.Creates != 2 || c.CreateConflicts != 1 || c.Reads != 1 {
		t.Errorf("counts %+v: want 2 creates, 1 conflict and 1 fallback read", c)
	}

	if _, ok, err := s.Add(ctx, "e/j/x", "0\tk"); ok || err != nil {
		t.Fatalf("Add to a missing item: ok=%v err=%v", ok, err)
	}
	if _, err := s.Create(ctx, rt.Item{Key: "e/j/x", Value: []byte(`{"n":2}`)}); err != nil {
		t.Fatal(err)
	}
	s.Add(ctx, "e/j/x", "0\tk0")
	set, ok, err := s.Add(ctx, "e/j/x", "1\tk1")
	sort.Strings(set)
	if !ok || err != nil || strings.Join(set, ",") != "0\tk0,1\tk1" {
		t.Fatalf("Add: %q %v %v", set, ok, err)
	}
	if set, _, _ := s.Add(ctx, "e/j/x", "1\tk1"); len(set) != 2 {
		t.Fatalf("adding a member twice: %q", set)
	}

	if _, err := s.Create(ctx, rt.Item{Key: "e/c/gone", Value: []byte(`3`), Expires: time.Now().Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for i := range 150 { // more than one BatchGetItem
		keys = append(keys, fmt.Sprintf("e/c/missing%d", i))
	}
	got, err := s.Get(ctx, append(keys, "e/c/a", "e/j/x", "e/c/gone", "e/c/a")...)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || string(got["e/c/a"].Value) != "1" || len(got["e/j/x"].Set) != 2 || string(got["e/j/x"].Value) != `{"n":2}` {
		t.Fatalf("Get: %+v", got)
	}
	if old, err := s.Create(ctx, rt.Item{Key: "e/c/gone", Value: []byte(`4`)}); err != nil || old != nil {
		t.Fatalf("Create over an expired item: %v, %v; want it written", old, err)
	}
	if _, ok, _ := s.Add(ctx, "e/c/gone", "m"); !ok {
		t.Fatal("Add to the item that replaced an expired one failed")
	}

	s.Take()
	if err := s.Delete(ctx, "e/c/a", "e/j/x", "e/c/nothing"); err != nil {
		t.Fatal(err)
	}
	if c := s.Take(); c.Deletes != 3 {
		t.Errorf("%d delete requests, want 3", c.Deletes)
	}
	if got, _ := s.Get(ctx, "e/c/a", "e/j/x"); len(got) != 0 {
		t.Fatalf("after Delete: %v", got)
	}
}

// TestStoreLargeValues writes a 10 MB value, chunked under DynamoDB's item
// limit, reads it back, loses a race with it, and deletes it with its
// chunks.
func TestStoreLargeValues(t *testing.T) {
	s, c, table := dynalite(t)
	ctx := context.Background()
	big := make([]byte, 10<<20)
	rand.Read(big)
	if old, err := s.Create(ctx, rt.Item{Key: "e/c/big", Value: big}); err != nil || old != nil {
		t.Fatalf("Create: %v %v", old, err)
	}
	got, err := s.Get(ctx, "e/c/big")
	if err != nil || !bytes.Equal(got["e/c/big"].Value, big) {
		t.Fatalf("Get: %d bytes, %v; want the 10 MB written", len(got["e/c/big"].Value), err)
	}
	other := bytes.Repeat([]byte("x"), 1<<20)
	old, err := s.Create(ctx, rt.Item{Key: "e/c/big", Value: other})
	if err != nil || old == nil || !bytes.Equal(old.Value, big) {
		t.Fatalf("losing Create: %v; want the winner's 10 MB back", err)
	}
	keys, _ := awstest.Keys(ctx, c, table)
	if want := 1 + (len(big)+ddb.ChunkSize-1)/ddb.ChunkSize; len(keys) != want {
		t.Errorf("%d items after the losing Create, want the manifest and its %d chunks", len(keys), want-1)
	}
	if err := s.Delete(ctx, "e/c/big"); err != nil {
		t.Fatal(err)
	}
	if keys, _ := awstest.Keys(ctx, c, table); len(keys) != 0 {
		t.Errorf("left after Delete: %d items (%q...)", len(keys), keys[0])
	}
}

// fake is a DynamoDB API for the paths dynalite does not take: failed
// conditions that return the old item, and unprocessed keys.
type fake struct {
	ddb.API
	mu          sync.Mutex
	items       map[string]map[string]types.AttributeValue
	unprocessed int // BatchGetItem leaves its first key unprocessed this many times
	gets        int
}

func (f *fake) PutItem(ctx context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := in.Item[ddb.AttrKey].(*types.AttributeValueMemberS).Value
	if old, ok := f.items[k]; ok {
		if in.ReturnValuesOnConditionCheckFailure != types.ReturnValuesOnConditionCheckFailureAllOld {
			old = nil
		}
		return nil, &types.ConditionalCheckFailedException{Message: new(string), Item: old}
	}
	f.items[k] = in.Item
	return &dynamodb.PutItemOutput{}, nil
}

func (f *fake) GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	f.gets++
	return nil, fmt.Errorf("GetItem called: the old item came with the failed condition")
}

func (f *fake) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := &dynamodb.BatchGetItemOutput{Responses: map[string][]map[string]types.AttributeValue{}}
	for table, ka := range in.RequestItems {
		if !*ka.ConsistentRead {
			return nil, fmt.Errorf("an inconsistent read")
		}
		keys := ka.Keys
		if f.unprocessed > 0 {
			f.unprocessed--
			out.UnprocessedKeys = map[string]types.KeysAndAttributes{table: {Keys: keys[:1], ConsistentRead: ka.ConsistentRead}}
			keys = keys[1:]
		}
		for _, k := range keys {
			if it, ok := f.items[k[ddb.AttrKey].(*types.AttributeValueMemberS).Value]; ok {
				out.Responses[table] = append(out.Responses[table], it)
			}
		}
	}
	return out, nil
}

// TestCreateConflictReturnsOldItem checks the path DynamoDB takes: the
// failed conditional put carries the existing item, so a conflict costs one
// request and no read.
func TestCreateConflictReturnsOldItem(t *testing.T) {
	f := &fake{items: map[string]map[string]types.AttributeValue{}}
	s := ddb.New(f, "t")
	ctx := context.Background()
	if _, err := s.Create(ctx, rt.Item{Key: "e/c/a", Value: []byte(`"first"`)}); err != nil {
		t.Fatal(err)
	}
	old, err := s.Create(ctx, rt.Item{Key: "e/c/a", Value: []byte(`"second"`)})
	if err != nil || old == nil || string(old.Value) != `"first"` {
		t.Fatalf("Create returned %+v, %v; want the first item", old, err)
	}
	c := s.Take()
	if f.gets != 0 || c.Reads != 0 || c.Creates != 2 || c.Writes != 2 || c.CreateConflicts != 1 {
		t.Errorf("counts %+v, %d GetItems: want two conditional puts and no read", c, f.gets)
	}
}

// TestGetRetriesUnprocessedKeys checks that keys DynamoDB leaves
// unprocessed are read again, each retry a counted request.
func TestGetRetriesUnprocessedKeys(t *testing.T) {
	f := &fake{items: map[string]map[string]types.AttributeValue{}, unprocessed: 2}
	s := ddb.New(f, "t")
	ctx := context.Background()
	for _, k := range []string{"a", "b", "c"} {
		if _, err := s.Create(ctx, rt.Item{Key: k, Value: []byte(k)}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Get(ctx, "a", "b", "c")
	if err != nil || len(got) != 3 {
		t.Fatalf("Get: %v, %v; want all three", got, err)
	}
	if c := s.Take(); c.Reads != 3 || c.ItemsRead != 3 {
		t.Errorf("counts %+v: want 3 requests (two retries) for 3 items", c)
	}
}
