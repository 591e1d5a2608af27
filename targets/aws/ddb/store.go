package ddb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/unumc/unumc/rt"
)

// The attributes of an item. The table's partition key is AttrKey, a string;
// AttrExpires is its TTL attribute.
const (
	AttrKey     = "k"       // the record's key
	AttrValue   = "v"       // its value, binary; absent when empty or chunked
	AttrSet     = "s"       // its string set; absent when empty
	AttrExpires = "expires" // expiry in Unix seconds; absent for never
	attrChunks  = "n"       // the number of chunks of a chunked value
	attrWriter  = "w"       // the writer whose chunks they are
	attrSize    = "z"       // the size of a chunked value
)

// ChunkSize is the largest value stored in its item; larger values are
// split into chunks of this size, each an item of its own.
const ChunkSize = 350_000

// API is the part of the DynamoDB client Store uses; *dynamodb.Client
// implements it.
type API interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	BatchGetItem(context.Context, *dynamodb.BatchGetItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	BatchWriteItem(context.Context, *dynamodb.BatchWriteItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
}

// Store is rt.Store on one DynamoDB table.
type Store struct {
	api   API
	table string
	now   func() time.Time

	mu     sync.Mutex
	counts Counts
}

// New returns the store of table through api.
func New(api API, table string) *Store {
	return &Store{api: api, table: table, now: time.Now}
}

// Take returns the requests counted since the last Take and starts again.
func (s *Store) Take() Counts {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.counts
	s.counts = Counts{}
	return c
}

func (s *Store) count(f func(*Counts)) {
	s.mu.Lock()
	f(&s.counts)
	s.mu.Unlock()
}

// Get reads the unexpired items among keys with consistent reads.
func (s *Store) Get(ctx context.Context, keys ...string) (map[string]rt.Item, error) {
	raw, err := s.batchGet(ctx, keys)
	if err != nil {
		return nil, err
	}
	out := make(map[string]rt.Item, len(raw))
	var chunked []map[string]types.AttributeValue
	for k, av := range raw {
		if s.expired(av) {
			continue
		}
		if _, ok := av[attrChunks]; ok {
			chunked = append(chunked, av)
			continue
		}
		it, err := decode(av)
		if err != nil {
			return nil, err
		}
		out[k] = it
	}
	for _, av := range chunked {
		it, err := s.assemble(ctx, av)
		if err != nil {
			return nil, err
		}
		out[it.Key] = it
	}
	return out, nil
}

// batchGet reads keys in batches of 100, retrying unprocessed keys.
func (s *Store) batchGet(ctx context.Context, keys []string) (map[string]map[string]types.AttributeValue, error) {
	out := map[string]map[string]types.AttributeValue{}
	seen := map[string]bool{}
	var uniq []string
	for _, k := range keys {
		if !seen[k] {
			seen[k] = true
			uniq = append(uniq, k)
		}
	}
	for len(uniq) > 0 {
		n := min(len(uniq), 100)
		batch := make([]map[string]types.AttributeValue, n)
		for i, k := range uniq[:n] {
			batch[i] = keyAttr(k)
		}
		uniq = uniq[n:]
		req := map[string]types.KeysAndAttributes{s.table: {Keys: batch, ConsistentRead: aws.Bool(true)}}
		for attempt := 0; len(req) > 0 && len(req[s.table].Keys) > 0; attempt++ {
			if attempt > 0 {
				if err := backoff(ctx, attempt); err != nil {
					return nil, fmt.Errorf("dynamodb BatchGetItem: %d keys unprocessed: %w", len(req[s.table].Keys), err)
				}
			}
			res, err := s.api.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: req})
			s.count(func(c *Counts) { c.Reads++ })
			if err != nil {
				return nil, fmt.Errorf("dynamodb BatchGetItem: %w", err)
			}
			var bytes int64
			for _, av := range res.Responses[s.table] {
				k, err := keyOf(av)
				if err != nil {
					return nil, err
				}
				out[k] = av
				bytes += itemBytes(av)
			}
			items := len(res.Responses[s.table])
			s.count(func(c *Counts) { c.ItemsRead += items; c.Bytes += bytes })
			req = res.UnprocessedKeys
		}
	}
	return out, nil
}

// assemble reads the chunks a manifest names and returns the whole item.
func (s *Store) assemble(ctx context.Context, man map[string]types.AttributeValue) (rt.Item, error) {
	it, err := decode(man)
	if err != nil {
		return it, err
	}
	n, writer, size, err := manifest(man)
	if err != nil {
		return it, fmt.Errorf("item %q: %w", it.Key, err)
	}
	keys := make([]string, n)
	for i := range keys {
		keys[i] = chunkKey(it.Key, writer, i)
	}
	chunks, err := s.batchGet(ctx, keys)
	if err != nil {
		return it, err
	}
	value := make([]byte, 0, size)
	for _, k := range keys {
		b, ok := chunks[k][AttrValue].(*types.AttributeValueMemberB)
		if !ok {
			return it, fmt.Errorf("item %q: chunk %q is missing", it.Key, k)
		}
		value = append(value, b.Value...)
	}
	if len(value) != size {
		return it, fmt.Errorf("item %q: chunks hold %d bytes, manifest says %d", it.Key, len(value), size)
	}
	it.Value = value
	return it, nil
}

// Create writes it unless an unexpired item has its key, and otherwise
// returns that item.
func (s *Store) Create(ctx context.Context, it rt.Item) (*rt.Item, error) {
	av := encode(it, s.now)
	var writer string
	var chunkKeys []string
	if len(it.Value) > ChunkSize {
		writer = newWriter()
		var err error
		if chunkKeys, err = s.putChunks(ctx, it, writer); err != nil {
			return nil, err
		}
		delete(av, AttrValue)
		av[attrChunks] = num(int64((len(it.Value) + ChunkSize - 1) / ChunkSize))
		av[attrWriter] = &types.AttributeValueMemberS{Value: writer}
		av[attrSize] = num(int64(len(it.Value)))
	}
	// The existing item is gone between a failed put and the read that
	// looks for it only if it expired or was deleted: then write again.
	for range 3 {
		_, err := s.api.PutItem(ctx, &dynamodb.PutItemInput{
			TableName:                           aws.String(s.table),
			Item:                                av,
			ConditionExpression:                 aws.String("attribute_not_exists(#k) OR #e <= :now"),
			ExpressionAttributeNames:            map[string]string{"#k": AttrKey, "#e": AttrExpires},
			ExpressionAttributeValues:           map[string]types.AttributeValue{":now": num(s.now().Unix())},
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		})
		s.count(func(c *Counts) { c.Writes++; c.Creates++; c.Bytes += int64(len(it.Value)) + setSize(it.Set) })
		var cf *types.ConditionalCheckFailedException
		if err == nil {
			return nil, nil
		}
		if !errors.As(err, &cf) {
			return nil, fmt.Errorf("dynamodb PutItem %q: %w", it.Key, err)
		}
		s.count(func(c *Counts) { c.CreateConflicts++ })
		old := cf.Item
		if len(old) == 0 {
			if old, err = s.getItem(ctx, it.Key); err != nil {
				return nil, err
			}
		}
		if len(old) == 0 || s.expired(old) {
			continue
		}
		if len(chunkKeys) > 0 {
			if err := s.batchDelete(ctx, chunkKeys); err != nil {
				return nil, err
			}
		}
		var existing rt.Item
		if _, ok := old[attrChunks]; ok {
			existing, err = s.assemble(ctx, old)
		} else {
			existing, err = decode(old)
			s.count(func(c *Counts) { c.Bytes += int64(len(existing.Value)) + setSize(existing.Set) })
		}
		if err != nil {
			return nil, err
		}
		return &existing, nil
	}
	return nil, fmt.Errorf("dynamodb PutItem %q: the condition failed three times on an item that then could not be read", it.Key)
}

// getItem is a consistent GetItem, for the conditions that fail without
// returning the item.
func (s *Store) getItem(ctx context.Context, key string) (map[string]types.AttributeValue, error) {
	res, err := s.api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table), Key: keyAttr(key), ConsistentRead: aws.Bool(true),
	})
	s.count(func(c *Counts) { c.Reads++ })
	if err != nil {
		return nil, fmt.Errorf("dynamodb GetItem %q: %w", key, err)
	}
	if len(res.Item) > 0 {
		s.count(func(c *Counts) { c.ItemsRead++ })
	}
	return res.Item, nil
}

// putChunks writes the chunks of a large value under keys unique to writer.
func (s *Store) putChunks(ctx context.Context, it rt.Item, writer string) ([]string, error) {
	var keys []string
	var reqs []types.WriteRequest
	for i := 0; i*ChunkSize < len(it.Value); i++ {
		k := chunkKey(it.Key, writer, i)
		keys = append(keys, k)
		av := keyAttr(k)
		av[AttrValue] = &types.AttributeValueMemberB{Value: it.Value[i*ChunkSize : min(len(it.Value), (i+1)*ChunkSize)]}
		if !it.Expires.IsZero() {
			av[AttrExpires] = num(it.Expires.Unix())
		}
		reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: av}})
	}
	s.count(func(c *Counts) { c.Bytes += int64(len(it.Value)) })
	return keys, s.batchWrite(ctx, reqs, func(c *Counts) { c.Writes++ })
}

// batchWrite sends reqs in batches of 25, retrying unprocessed items; count
// counts each request.
func (s *Store) batchWrite(ctx context.Context, reqs []types.WriteRequest, count func(*Counts)) error {
	for len(reqs) > 0 {
		n := min(len(reqs), 25)
		req := map[string][]types.WriteRequest{s.table: reqs[:n]}
		reqs = reqs[n:]
		for attempt := 0; len(req[s.table]) > 0; attempt++ {
			if attempt > 0 {
				if err := backoff(ctx, attempt); err != nil {
					return fmt.Errorf("dynamodb BatchWriteItem: %d items unprocessed: %w", len(req[s.table]), err)
				}
			}
			res, err := s.api.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: req})
			s.count(count)
			if err != nil {
				return fmt.Errorf("dynamodb BatchWriteItem: %w", err)
			}
			req = res.UnprocessedItems
		}
	}
	return nil
}

func (s *Store) batchDelete(ctx context.Context, keys []string) error {
	reqs := make([]types.WriteRequest, len(keys))
	for i, k := range keys {
		reqs[i] = types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: keyAttr(k)}}
	}
	return s.batchWrite(ctx, reqs, func(c *Counts) { c.Deletes++; c.ItemsDeleted += len(keys) })
}

// Add adds member to the set of the unexpired item at key and returns the
// set; ok is false, and nothing is written, when there is no such item.
func (s *Store) Add(ctx context.Context, key, member string) ([]string, bool, error) {
	res, err := s.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       keyAttr(key),
		UpdateExpression:          aws.String("ADD #s :m"),
		ConditionExpression:       aws.String("attribute_exists(#k) AND (attribute_not_exists(#e) OR #e > :now)"),
		ExpressionAttributeNames:  map[string]string{"#k": AttrKey, "#s": AttrSet, "#e": AttrExpires},
		ExpressionAttributeValues: map[string]types.AttributeValue{":m": &types.AttributeValueMemberSS{Value: []string{member}}, ":now": num(s.now().Unix())},
		ReturnValues:              types.ReturnValueUpdatedNew,
	})
	s.count(func(c *Counts) { c.Writes++; c.Bytes += int64(len(member)) })
	var cf *types.ConditionalCheckFailedException
	if errors.As(err, &cf) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("dynamodb UpdateItem %q: %w", key, err)
	}
	ss, ok := res.Attributes[AttrSet].(*types.AttributeValueMemberSS)
	if !ok {
		return nil, false, fmt.Errorf("dynamodb UpdateItem %q: no string set %q in the reply", key, AttrSet)
	}
	s.count(func(c *Counts) { c.Bytes += setSize(ss.Value) })
	return ss.Value, true, nil
}

// Delete removes the items at keys, each with one DeleteItem (DynamoDB
// bills a batched delete per item all the same), concurrently. The delete
// is conditional on the item not being a chunked value, so that a chunked
// one is found without a read and its chunks deleted with it.
func (s *Store) Delete(ctx context.Context, keys ...string) error {
	if len(keys) == 1 {
		return s.delete(ctx, keys[0])
	}
	errs := make([]error, len(keys))
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for i, k := range keys {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			errs[i] = s.delete(ctx, k)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (s *Store) delete(ctx context.Context, key string) error {
	_, err := s.api.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                           aws.String(s.table),
		Key:                                 keyAttr(key),
		ConditionExpression:                 aws.String("attribute_not_exists(#n)"),
		ExpressionAttributeNames:            map[string]string{"#n": attrChunks},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	s.count(func(c *Counts) { c.Deletes++; c.ItemsDeleted++ })
	var cf *types.ConditionalCheckFailedException
	if err == nil {
		return nil
	}
	if !errors.As(err, &cf) {
		return fmt.Errorf("dynamodb DeleteItem %q: %w", key, err)
	}
	// A chunked value: delete the manifest, then its chunks, so that no
	// reader finds a manifest whose chunks are gone.
	man := cf.Item
	if len(man) == 0 {
		if man, err = s.getItem(ctx, key); err != nil {
			return err
		}
	}
	_, err = s.api.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(s.table), Key: keyAttr(key)})
	s.count(func(c *Counts) { c.Deletes++ })
	if err != nil {
		return fmt.Errorf("dynamodb DeleteItem %q: %w", key, err)
	}
	if len(man) == 0 {
		return nil
	}
	n, writer, _, err := manifest(man)
	if err != nil {
		return fmt.Errorf("item %q: %w", key, err)
	}
	chunks := make([]string, n)
	for i := range chunks {
		chunks[i] = chunkKey(key, writer, i)
	}
	return s.batchDelete(ctx, chunks)
}

func (s *Store) expired(av map[string]types.AttributeValue) bool {
	e, ok := av[AttrExpires].(*types.AttributeValueMemberN)
	if !ok {
		return false
	}
	sec, err := strconv.ParseInt(e.Value, 10, 64)
	return err == nil && s.now().Unix() >= sec
}

func encode(it rt.Item, now func() time.Time) map[string]types.AttributeValue {
	av := keyAttr(it.Key)
	if len(it.Value) > 0 {
		av[AttrValue] = &types.AttributeValueMemberB{Value: it.Value}
	}
	if len(it.Set) > 0 {
		av[AttrSet] = &types.AttributeValueMemberSS{Value: it.Set}
	}
	if !it.Expires.IsZero() {
		av[AttrExpires] = num(it.Expires.Unix())
	}
	return av
}

func decode(av map[string]types.AttributeValue) (rt.Item, error) {
	var it rt.Item
	var err error
	if it.Key, err = keyOf(av); err != nil {
		return it, err
	}
	if v, ok := av[AttrValue].(*types.AttributeValueMemberB); ok {
		it.Value = v.Value
	}
	if v, ok := av[AttrSet].(*types.AttributeValueMemberSS); ok {
		it.Set = v.Value
	}
	if v, ok := av[AttrExpires].(*types.AttributeValueMemberN); ok {
		sec, err := strconv.ParseInt(v.Value, 10, 64)
		if err != nil {
			return it, fmt.Errorf("item %q: expiry %q: %v", it.Key, v.Value, err)
		}
		it.Expires = time.Unix(sec, 0).UTC()
	}
	return it, nil
}

func manifest(av map[string]types.AttributeValue) (n int, writer string, size int, err error) {
	nv, _ := av[attrChunks].(*types.AttributeValueMemberN)
	wv, _ := av[attrWriter].(*types.AttributeValueMemberS)
	zv, _ := av[attrSize].(*types.AttributeValueMemberN)
	if nv == nil || wv == nil || zv == nil {
		return 0, "", 0, errors.New("malformed chunk manifest")
	}
	if n, err = strconv.Atoi(nv.Value); err != nil {
		return 0, "", 0, fmt.Errorf("chunk count: %v", err)
	}
	if size, err = strconv.Atoi(zv.Value); err != nil {
		return 0, "", 0, fmt.Errorf("chunked size: %v", err)
	}
	return n, wv.Value, size, nil
}

func keyOf(av map[string]types.AttributeValue) (string, error) {
	k, ok := av[AttrKey].(*types.AttributeValueMemberS)
	if !ok {
		return "", fmt.Errorf("dynamodb item without a string %q", AttrKey)
	}
	return k.Value, nil
}

func keyAttr(k string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{AttrKey: &types.AttributeValueMemberS{Value: k}}
}

func num(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

// chunkKey names chunk i of the value a writer wrote at key.
func chunkKey(key, writer string, i int) string {
	return key + "/x/" + writer + "/" + strconv.Itoa(i)
}

func newWriter() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func itemBytes(av map[string]types.AttributeValue) int64 {
	var n int64
	if v, ok := av[AttrValue].(*types.AttributeValueMemberB); ok {
		n += int64(len(v.Value))
	}
	if v, ok := av[AttrSet].(*types.AttributeValueMemberSS); ok {
		n += setSize(v.Value)
	}
	return n
}

func setSize(set []string) int64 {
	var n int64
	for _, m := range set {
		n += int64(len(m))
	}
	return n
}

// backoff waits before retry attempt (from 1) of unprocessed items, as
// DynamoDB asks: exponentially from 20ms, at most 10 retries.
func backoff(ctx context.Context, attempt int) error {
	if attempt > 10 {
		return errors.New("gave up after 10 retries")
	}
	t := time.NewTimer(min(20*time.Millisecond<<(attempt-1), 2*time.Second))
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
