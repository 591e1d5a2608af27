package meter

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"

	"github.com/unumc/unumc/rt"
	"github.com/unumc/unumc/targets/aws/ddb"
	"github.com/unumc/unumc/targets/gcp/fstore"
)

// TestConstants ties the model to the code it models.
func TestConstants(t *testing.T) {
	if chunkSize != ddb.ChunkSize {
		t.Errorf("chunkSize %d, ddb.ChunkSize %d", chunkSize, ddb.ChunkSize)
	}
	got := []string{attrKey, attrValue, attrSet, attrExpires}
	want := []string{ddb.AttrKey, ddb.AttrValue, ddb.AttrSet, ddb.AttrExpires}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("attribute names (-ddb +meter):\n%s", diff)
	}
	for n := range 70 {
		keys := make([]string, n)
		for i := range keys {
			keys[i] = "k" + strconv.Itoa(i)
		}
		var m Meter
		if got, want := m.Delete(keys).Firestore.Requests, fstore.DeleteRequests(n); got != want {
			t.Errorf("Firestore requests to delete %d keys: %d, fstore makes %d", n, got, want)
		}
	}
}

// TestUnits works out the units of a few requests by hand.
func TestUnits(t *testing.T) {
	exp := time.Unix(1767225600, 0)
	// "exec/c/a" is 8 bytes. The item is k (1+8), v (1+1,500) and expires
	// (7 + 1767225600 as a number: 8 significant digits in 4 bytes, plus 1):
	// 1,522 bytes, so 2 write units and 1 read unit.
	big := rt.Item{Key: "exec/c/a", Value: make([]byte, 1500), Expires: exp}
	if got := itemOf(big).size(); got != 1522 {
		t.Fatalf("size %d, want 1522", got)
	}
	var m Meter
	check := func(what string, got Bill, want DynamoDB, wantFS Firestore) {
		t.Helper()
		if diff := cmp.Diff(want, got.DynamoDB); diff != "" {
			t.Errorf("%s: DynamoDB (-want +got):\n%s", what, diff)
		}
		if diff := cmp.Diff(wantFS, got.Firestore); diff != "" {
			t.Errorf("%s: Firestore (-want +got):\n%s", what, diff)
		}
	}
	// A checkpoint's units are counted apart too.
	check("create", m.Create(big, nil), DynamoDB{Requests: 1, WriteUnits: 2, CheckpointUnits: 2}, Firestore{Requests: 1, Writes: 1})
	// The conflict is billed by the existing item; Firestore reads it back.
	check("conflict", m.Create(rt.Item{Key: "exec/c/a"}, &big), DynamoDB{Requests: 1, WriteUnits: 2},
		Firestore{Requests: 2, Writes: 1, Reads: 1})
	// One BatchGetItem: the item (1 unit) and a missing key (1 unit); the
	// repeated key is sent once.
	got := m.Get([]string{"exec/c/a", "exec/status", "exec/c/a"}, map[string]rt.Item{"exec/c/a": big})
	check("get", got, DynamoDB{Requests: 1, ReadUnits: 2}, Firestore{Requests: 1, Reads: 2})
	if got.Largest != 1500 {
		t.Errorf("get carried %d bytes, want the 1,500 of the value", got.Largest)
	}
	// The set item "exec/j/o" (8 bytes) with 1,100 bytes of members after
	// the addition: 1+8 + 1+1,100 = 1,110 bytes, 2 units.
	set := rt.Item{Key: "exec/j/o"}
	check("create set", m.Create(set, nil), DynamoDB{Requests: 1, WriteUnits: 1}, Firestore{Requests: 1, Writes: 1})
	check("add", m.Add("exec/j/o", "0", []string{"0", strings.Repeat("x", 1099)}, true),
		DynamoDB{Requests: 1, WriteUnits: 2}, Firestore{Requests: 2, Writes: 1, Reads: 1})
	check("add to nothing", m.Add("exec/j/gone", "0", nil, false), DynamoDB{Requests: 1, WriteUnits: 1},
		Firestore{Requests: 1, Writes: 1})
	// Three DeleteItems: 2 units for the big item, 2 for the set, 1 for a
	// missing key; one Firestore BatchWrite of three deletes.
	check("delete", m.Delete([]string{"exec/c/a", "exec/j/o", "exec/c/b"}), DynamoDB{Requests: 3, WriteUnits: 5},
		Firestore{Requests: 1, Deletes: 3})
	// Deleted items are forgotten: deleting again bills a missing key.
	check("delete again", m.Delete([]string{"exec/c/a"}), DynamoDB{Requests: 1, WriteUnits: 1}, Firestore{Requests: 1, Deletes: 1})
}

func TestMessageBytes(t *testing.T) {
	small := &rt.Envelope{Version: 1, Execution: "e", Node: "a", Input: []byte(`{}`)}
	if got := MessageBytes(small); got != MinMessageBytes {
		t.Errorf("small message: %d bytes, want the minimum %d", got, MinMessageBytes)
	}
	big := &rt.Envelope{Version: 1, Execution: "e", Node: "a", Input: []byte(`"` + strings.Repeat("x", 5000) + `"`)}
	// {"v":1,"execution":"e","node":"a","input":"xxx…"}: 43 bytes around the
	// 5,002 of the input, plus the timestamp and message ID.
	if got, want := MessageBytes(big), int64(43+5002+36); got != want {
		t.Errorf("big message: %d bytes, want %d", got, want)
	}
}

// TestDynamoDBAgreesWithDDB drives targets/aws/ddb's Store against a fake
// DynamoDB that bills each request by the documented rules, on the items
// ddb actually encodes, and checks after every rt.Store call that the Meter,
// fed what the call returned, predicts the same requests and units.
func TestDynamoDBAgreesWithDDB(t *testing.T) {
	ctx := context.Background()
	fake := &fakeDDB{items: map[string]map[string]types.AttributeValue{}}
	s := ddb.New(fake, "t")
	var m Meter
	var got DynamoDB
	step := func(what string, b Bill) {
		t.Helper()
		got.add(b.DynamoDB)
		if diff := cmp.Diff(fake.billed, got); diff != "" {
			t.Fatalf("after %s (-fake DynamoDB +meter):\n%s", what, diff)
		}
	}
	exp := time.Now().Add(time.Hour).Truncate(time.Second).UTC()
	create := func(it rt.Item) {
		t.Helper()
		old, err := s.Create(ctx, it)
		if err != nil {
			t.Fatal(err)
		}
		step(fmt.Sprintf("Create %s (%d bytes)", it.Key, len(it.Value)), m.Create(it, old))
	}
	get := func(keys ...string) {
		t.Helper()
		items, err := s.Get(ctx, keys...)
		if err != nil {
			t.Fatal(err)
		}
		step(fmt.Sprintf("Get of %d keys", len(keys)), m.Get(keys, items))
	}
	add := func(key, member string) {
		t.Helper()
		set, ok, err := s.Add(ctx, key, member)
		if err != nil {
			t.Fatal(err)
		}
		step("Add to "+key, m.Add(key, member, set, ok))
	}
	del := func(keys ...string) {
		t.Helper()
		if err := s.Delete(ctx, keys...); err != nil {
			t.Fatal(err)
		}
		step(fmt.Sprintf("Delete of %v", keys), m.Delete(keys))
	}

	create(rt.Item{Key: "e/c/a", Value: []byte(`{"n":1}`), Expires: exp})
	create(rt.Item{Key: "e/c/a", Value: []byte(`{"n":2}`)}) // conflict
	create(rt.Item{Key: "e/c/big", Value: make([]byte, 3000), Expires: exp})
	create(rt.Item{Key: "e/c/big", Value: []byte(`1`)}) // conflict, billed by the 3 KB item
	create(rt.Item{Key: "e/j/x", Value: []byte(`{"n":2}`), Expires: exp})
	add("e/j/y", "0\te/c/b[0]")
	add("e/j/x", "0\te/c/b[0]")
	add("e/j/x", "1\t"+strings.Repeat("k", 1500))
	get("e/c/a", "e/j/x", "e/c/none", "e/c/a", "e/c/big")
	create(rt.Item{Key: "e/c/huge", Value: make([]byte, 800_000), Expires: exp}) // three chunks
	get("e/c/huge", "e/c/a")
	create(rt.Item{Key: "e/c/huge", Value: make([]byte, 400_000)}) // conflict: its chunks are deleted
	var many []string
	for i := range 150 {
		many = append(many, "e/c/m"+strconv.Itoa(i))
	}
	get(append(many, "e/c/a")...) // two BatchGetItems
	del("e/c/a", "e/j/x", "e/c/none", "e/c/a", "e/c/big")
	del("e/c/huge")
	if len(fake.items) != 0 {
		t.Errorf("items left in the fake: %d", len(fake.items))
	}
}

// fakeDDB is a DynamoDB table that implements the requests and conditions
// ddb.Store makes and bills them as the DynamoDB Developer Guide says
// ("Capacity unit consumption", "Capacity units consumed by conditional
// writes").
type fakeDDB struct {
	mu     sync.Mutex // ddb deletes keys concurrently
	items  map[string]map[string]types.AttributeValue
	billed DynamoDB
}

func keyOf(key map[string]types.AttributeValue) string {
	return key[ddb.AttrKey].(*types.AttributeValueMemberS).Value
}

// avSize is an item's size: its attribute names and values.
func avSize(av map[string]types.AttributeValue) int {
	n := 0
	for name, v := range av {
		n += len(name)
		switch v := v.(type) {
		case *types.AttributeValueMemberS:
			n += len(v.Value)
		case *types.AttributeValueMemberB:
			n += len(v.Value)
		case *types.AttributeValueMemberN:
			digits := strings.TrimRight(strings.TrimLeft(v.Value, "-0"), "0")
			n += (len(digits)+1)/2 + 1
		case *types.AttributeValueMemberSS:
			for _, s := range v.Value {
				n += len(s)
			}
		default:
			panic(fmt.Sprintf("attribute %s: type %T", name, v))
		}
	}
	return n
}

func wcu(av map[string]types.AttributeValue) int {
	if av == nil {
		return 1
	}
	return max(1, (avSize(av)+1023)/1024)
}

func rcu(av map[string]types.AttributeValue) int {
	if av == nil {
		return 1
	}
	return (avSize(av) + 4095) / 4096
}

func (f *fakeDDB) GetItem(_ context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if in.ConsistentRead == nil || !*in.ConsistentRead {
		return nil, errors.New("fake: GetItem is not consistent")
	}
	it := f.items[keyOf(in.Key)]
	f.billed.Requests++
	f.billed.ReadUnits += rcu(it)
	return &dynamodb.GetItemOutput{Item: it}, nil
}

func (f *fakeDDB) BatchGetItem(_ context.Context, in *dynamodb.BatchGetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.billed.Requests++
	out := &dynamodb.BatchGetItemOutput{Responses: map[string][]map[string]types.AttributeValue{}}
	for table, ka := range in.RequestItems {
		if ka.ConsistentRead == nil || !*ka.ConsistentRead {
			return nil, errors.New("fake: BatchGetItem is not consistent")
		}
		if len(ka.Keys) > 100 {
			return nil, errors.New("fake: more than 100 keys")
		}
		for _, k := range ka.Keys {
			it := f.items[keyOf(k)]
			f.billed.ReadUnits += rcu(it)
			if it != nil {
				out.Responses[table] = append(out.Responses[table], it)
			}
		}
	}
	return out, nil
}

// live reports whether an item exists and has not expired by now.
func live(it map[string]types.AttributeValue, now int64) bool {
	if it == nil {
		return false
	}
	e, ok := it[ddb.AttrExpires].(*types.AttributeValueMemberN)
	if !ok {
		return true
	}
	sec, _ := strconv.ParseInt(e.Value, 10, 64)
	return sec > now
}

func now(in map[string]types.AttributeValue) int64 {
	sec, _ := strconv.ParseInt(in[":now"].(*types.AttributeValueMemberN).Value, 10, 64)
	return sec
}

func (f *fakeDDB) PutItem(_ context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.billed.Requests++
	k := keyOf(in.Item)
	old := f.items[k]
	if cond := *in.ConditionExpression; cond != "attribute_not_exists(#k) OR #e <= :now" {
		return nil, fmt.Errorf("fake: PutItem condition %q", cond)
	}
	if live(old, now(in.ExpressionAttributeValues)) {
		f.billed.WriteUnits += wcu(old)
		return nil, &types.ConditionalCheckFailedException{Item: old}
	}
	f.billed.WriteUnits += max(wcu(in.Item), wcuOr0(old))
	f.items[k] = in.Item
	return &dynamodb.PutItemOutput{}, nil
}

func wcuOr0(av map[string]types.AttributeValue) int {
	if av == nil {
		return 0
	}
	return wcu(av)
}

func (f *fakeDDB) UpdateItem(_ context.Context, in *dynamodb.UpdateItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.billed.Requests++
	if *in.UpdateExpression != "ADD #s :m" || *in.ConditionExpression != "attribute_exists(#k) AND (attribute_not_exists(#e) OR #e > :now)" {
		return nil, fmt.Errorf("fake: UpdateItem %q if %q", *in.UpdateExpression, *in.ConditionExpression)
	}
	k := keyOf(in.Key)
	old := f.items[k]
	if !live(old, now(in.ExpressionAttributeValues)) {
		f.billed.WriteUnits++
		return nil, &types.ConditionalCheckFailedException{}
	}
	next := map[string]types.AttributeValue{}
	for name, v := range old {
		next[name] = v
	}
	var set []string
	if ss, ok := old[ddb.AttrSet].(*types.AttributeValueMemberSS); ok {
		set = append(set, ss.Value...)
	}
	for _, m := range in.ExpressionAttributeValues[":m"].(*types.AttributeValueMemberSS).Value {
		if !contains(set, m) {
			set = append(set, m)
		}
	}
	next[ddb.AttrSet] = &types.AttributeValueMemberSS{Value: set}
	f.billed.WriteUnits += max(wcu(old), wcu(next))
	f.items[k] = next
	return &dynamodb.UpdateItemOutput{Attributes: map[string]types.AttributeValue{ddb.AttrSet: next[ddb.AttrSet]}}, nil
}

func contains(set []string, m string) bool {
	for _, s := range set {
		if s == m {
			return true
		}
	}
	return false
}

func (f *fakeDDB) DeleteItem(_ context.Context, in *dynamodb.DeleteItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.billed.Requests++
	k := keyOf(in.Key)
	old := f.items[k]
	if in.ConditionExpression != nil {
		if *in.ConditionExpression != "attribute_not_exists(#n)" {
			return nil, fmt.Errorf("fake: DeleteItem condition %q", *in.ConditionExpression)
		}
		if _, chunked := old["n"]; chunked {
			f.billed.WriteUnits += wcu(old)
			return nil, &types.ConditionalCheckFailedException{Item: old}
		}
	}
	f.billed.WriteUnits += wcu(old)
	delete(f.items, k)
	return &dynamodb.DeleteItemOutput{}, nil
}

func (f *fakeDDB) BatchWriteItem(_ context.Context, in *dynamodb.BatchWriteItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.billed.Requests++
	for _, reqs := range in.RequestItems {
		if len(reqs) > 25 {
			return nil, errors.New("fake: more than 25 writes")
		}
		for _, r := range reqs {
			switch {
			case r.PutRequest != nil:
				k := keyOf(r.PutRequest.Item)
				f.billed.WriteUnits += max(wcu(r.PutRequest.Item), wcuOr0(f.items[k]))
				f.items[k] = r.PutRequest.Item
			case r.DeleteRequest != nil:
				k := keyOf(r.DeleteRequest.Key)
				f.billed.WriteUnits += wcu(f.items[k])
				delete(f.items, k)
			}
		}
	}
	return &dynamodb.BatchWriteItemOutput{}, nil
}
