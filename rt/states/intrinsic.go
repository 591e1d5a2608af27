package states

// The intrinsic functions of the Amazon States Language, one Go function
// each, their arguments already evaluated. The comments cite the sections of
// the AWS Step Functions Developer Guide page "Intrinsic functions for
// JSONPath states in Step Functions"
// (https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html);
// where the page is silent, behaviour follows what Step Functions is observed
// to do, as recorded by LocalStack's tests validated against AWS.

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	mrand "math/rand/v2"
	"strings"
	"unicode/utf8"
)

// intrinsicError reports a failure of States.<fn>.
func intrinsicError(fn, format string, args ...any) error {
	return newError(IntrinsicFailure, "States."+fn+": "+fmt.Sprintf(format, args...))
}

// maxChars is the longest string Base64Encode, Base64Decode and Hash take
// ("up to 10,000 characters").
const maxChars = 10000

// maxRange is the most elements ArrayRange makes ("The new array can contain
// up to 1000 elements").
const maxRange = 1000

// Format is States.Format ("Intrinsic for generic operation"): the template
// with each "{}" replaced by the next argument. There must be as many
// arguments as placeholders. A string argument is inserted as it is; null,
// booleans and numbers as JSON; arrays and objects as Step Functions (a Java
// program) prints them, [a, b] and {k=v, k2=v2}, strings inside unquoted.
//
// The template's own backslash escapes (“Reserved characters in intrinsic
// functions”) are resolved here, so that an escaped brace is a brace and not
// a placeholder: \{ is {, \} is }, \' is ' and \\ is \; a backslash before
// any other character is itself. A { that does not open "{}" is an error, as
// in Step Functions ("matching '}' not found for '{'"). Code generation
// therefore passes a literal template with those four escapes as written.
func Format(template any, args ...any) (any, error) {
	t, ok := template.(string)
	if !ok {
		return nil, intrinsicError("Format", "the template must be a string, not %s", describe(template))
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(t); i++ {
		switch c := t[i]; {
		case c == '\\' && i+1 < len(t) && strings.IndexByte(`{}'\`, t[i+1]) >= 0:
			i++
			b.WriteByte(t[i])
		case c == '{':
			if i+1 == len(t) || t[i+1] != '}' {
				return nil, intrinsicError("Format", "invalid template %q: matching '}' not found for '{' at offset %d", t, i)
			}
			i++
			if n < len(args) {
				formatArg(&b, args[n])
			}
			n++
		default:
			b.WriteByte(c)
		}
	}
	if n != len(args) {
		return nil, intrinsicError("Format", "the template has %s but %s given", plural(n, "placeholder"), pluralWas(len(args), "argument"))
	}
	return b.String(), nil
}

func pluralWas(n int, what string) string {
	if n == 1 {
		return "1 " + what + " is"
	}
	return plural(n, what) + " are"
}

// formatArg writes an argument of Format.
func formatArg(b *strings.Builder, v any) {
	switch x := v.(type) {
	case string:
		b.WriteString(x)
	case map[string]any:
		b.WriteByte('{')
		for i, k := range sortedKeys(x) {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(k)
			b.WriteByte('=')
			formatArg(b, x[k])
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			formatArg(b, e)
		}
		b.WriteByte(']')
	default:
		j, err := Encode(v)
		if err != nil {
			fmt.Fprint(b, v)
			return
		}
		b.Write(j)
	}
}

// StringToJson is States.StringToJson ("Intrinsics for JSON data
// manipulation"): the JSON value a string holds. A string of only white
// space gives null.
func StringToJson(s any) (any, error) {
	str, ok := s.(string)
	if !ok {
		return nil, intrinsicError("StringToJson", "the argument must be a string, not %s", describe(s))
	}
	v, err := Decode([]byte(str))
	if err != nil {
		return nil, intrinsicError("StringToJson", "the argument is not JSON: %s", strings.TrimPrefix(err.Error(), "invalid JSON: "))
	}
	return v, nil
}

// JsonToString is States.JsonToString ("Intrinsics for JSON data
// manipulation"): a value as compact JSON text.
func JsonToString(v any) (any, error) {
	j, err := Encode(v)
	if err != nil {
		return nil, intrinsicError("JsonToString", "%v", err)
	}
	return string(j), nil
}

// Array is States.Array ("Intrinsics for arrays"): its arguments as an
// array, in order.
func Array(args ...any) (any, error) {
	a := make([]any, len(args))
	copy(a, args)
	return a, nil
}

// ArrayPartition is States.ArrayPartition ("Intrinsics for arrays"): the
// array cut into chunks of size elements, the last one possibly shorter. The
// size must be a positive integer; one that is not an integer is rounded to
// the nearest.
func ArrayPartition(a, size any) (any, error) {
	arr, ok := a.([]any)
	if !ok {
		return nil, intrinsicError("ArrayPartition", "the first argument must be an array, not %s", describe(a))
	}
	n, ok := roundInt64(size)
	if !ok || n <= 0 {
		return nil, intrinsicError("ArrayPartition", "the chunk size must be a positive integer, not %s", show(size))
	}
	chunks := []any{}
	for i := 0; i < len(arr); {
		end := len(arr)
		if int64(end-i) > n {
			end = i + int(n)
		}
		chunk := make([]any, end-i)
		copy(chunk, arr[i:end])
		chunks = append(chunks, chunk)
		i = end
	}
	return chunks, nil
}

// ArrayContains is States.ArrayContains ("Intrinsics for arrays"): whether
// the array has an element equal to v, comparing JSON values (numbers by
// value).
func ArrayContains(a, v any) (any, error) {
	arr, ok := a.([]any)
	if !ok {
		return nil, intrinsicError("ArrayContains", "the first argument must be an array, not %s", describe(a))
	}
	for _, e := range arr {
		if equal(e, v) {
			return true, nil
		}
	}
	return false, nil
}

// ArrayRange is States.ArrayRange ("Intrinsics for arrays"): the integers
// from first to last, both included, step apart. The arguments must be
// integers (others are rounded to the nearest), step not zero, and the
// array at most 1000 elements long. A step that leads away from last gives
// an empty array.
func ArrayRange(first, last, step any) (any, error) {
	var v [3]int64
	for i, x := range []any{first, last, step} {
		n, ok := roundInt64(x)
		if !ok || n < -(1<<53) || n > 1<<53 {
			return nil, intrinsicError("ArrayRange", "argument %d must be an integer, not %s", i+1, show(x))
		}
		v[i] = n
	}
	lo, hi, d := v[0], v[1], v[2]
	if d == 0 {
		return nil, intrinsicError("ArrayRange", "the step must not be zero")
	}
	count := int64(0)
	if d > 0 && hi >= lo || d < 0 && hi <= lo {
		count = (hi-lo)/d + 1
	}
	if count > maxRange {
		return nil, intrinsicError("ArrayRange", "the array would have %d elements, more than %d", count, maxRange)
	}
	a := make([]any, count)
	for i := range a {
		a[i] = number(lo + int64(i)*d)
	}
	return a, nil
}

// ArrayGetItem is States.ArrayGetItem ("Intrinsics for arrays"): the
// element at an index, which must be an integer within the array.
func ArrayGetItem(a, i any) (any, error) {
	arr, ok := a.([]any)
	if !ok {
		return nil, intrinsicError("ArrayGetItem", "the first argument must be an array, not %s", describe(a))
	}
	n, ok := toInt64(i)
	if !ok {
		return nil, intrinsicError("ArrayGetItem", "the index must be an integer, not %s", show(i))
	}
	if n < 0 || n >= int64(len(arr)) {
		return nil, intrinsicError("ArrayGetItem", "index %d out of range of an array of %s", n, plural(len(arr), "element"))
	}
	return arr[n], nil
}

// ArrayLength is States.ArrayLength ("Intrinsics for arrays"): the number
// of elements.
func ArrayLength(a any) (any, error) {
	arr, ok := a.([]any)
	if !ok {
		return nil, intrinsicError("ArrayLength", "the argument must be an array, not %s", describe(a))
	}
	return number(int64(len(arr))), nil
}

// ArrayUnique is States.ArrayUnique ("Intrinsics for arrays"): the array
// without duplicates, each value where it first occurs.
func ArrayUnique(a any) (any, error) {
	arr, ok := a.([]any)
	if !ok {
		return nil, intrinsicError("ArrayUnique", "the argument must be an array, not %s", describe(a))
	}
	out := []any{}
next:
	for _, e := range arr {
		for _, u := range out {
			if equal(e, u) {
				continue next
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// Base64Encode is States.Base64Encode ("Intrinsics for data encoding and
// decoding"): the MIME Base64 encoding of a string's UTF-8 bytes. The string
// may have up to 10,000 characters.
func Base64Encode(s any) (any, error) {
	str, err := shortString("Base64Encode", s)
	if err != nil {
		return nil, err
	}
	return base64.StdEncoding.EncodeToString([]byte(str)), nil
}

// Base64Decode is States.Base64Decode ("Intrinsics for data encoding and
// decoding"): the string that a Base64 string of up to 10,000 characters
// encodes. Padding is optional and line breaks are ignored, as in MIME;
// bytes that are not UTF-8 become U+FFFD.
func Base64Decode(s any) (any, error) {
	str, err := shortString("Base64Decode", s)
	if err != nil {
		return nil, err
	}
	str = strings.NewReplacer("\r", "", "\n", "").Replace(str)
	b, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(str, "="))
	if err != nil {
		return nil, intrinsicError("Base64Decode", "the argument is not Base64: %v", err)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD"), nil
}

// shortString checks an argument that must be a string of at most
// maxChars characters.
func shortString(fn string, s any) (string, error) {
	str, ok := s.(string)
	if !ok {
		return "", intrinsicError(fn, "the argument must be a string, not %s", describe(s))
	}
	if n := utf8.RuneCountInString(str); n > maxChars {
		return "", intrinsicError(fn, "the argument has %d characters, more than %d", n, maxChars)
	}
	return str, nil
}

// hashes are the algorithms of Hash.
var hashes = map[string]func() hash.Hash{
	"MD5":     md5.New,
	"SHA-1":   sha1.New,
	"SHA-256": sha256.New,
	"SHA-384": sha512.New384,
	"SHA-512": sha512.New,
}

// Hash is States.Hash ("Intrinsic for hash calculation"): the hash of a
// string of up to 10,000 characters (its UTF-8 bytes) in lowercase
// hexadecimal, by MD5, SHA-1, SHA-256, SHA-384 or SHA-512.
func Hash(data, algorithm any) (any, error) {
	alg, ok := algorithm.(string)
	if !ok || hashes[alg] == nil {
		return nil, intrinsicError("Hash", "the algorithm must be one of \"MD5\", \"SHA-1\", \"SHA-256\", \"SHA-384\", \"SHA-512\", not %s", show(algorithm))
	}
	if _, ok := data.(string); !ok {
		return nil, intrinsicError("Hash", "the data must be a string, not %s", describe(data))
	}
	str, err := shortString("Hash", data)
	if err != nil {
		return nil, err
	}
	h := hashes[alg]()
	h.Write([]byte(str))
	return hex.EncodeToString(h.Sum(nil)), nil
}

// JsonMerge is States.JsonMerge ("Intrinsics for JSON data manipulation"):
// the fields of a and b in one new object, b's where both have one. Step
// Functions merges only shallowly, so deep must be false.
func JsonMerge(a, b, deep any) (any, error) {
	x, ok := a.(map[string]any)
	if !ok {
		return nil, intrinsicError("JsonMerge", "the first argument must be an object, not %s", describe(a))
	}
	y, ok := b.(map[string]any)
	if !ok {
		return nil, intrinsicError("JsonMerge", "the second argument must be an object, not %s", describe(b))
	}
	d, ok := deep.(bool)
	if !ok {
		return nil, intrinsicError("JsonMerge", "the third argument must be a boolean, not %s", describe(deep))
	}
	if d {
		return nil, intrinsicError("JsonMerge", "only the shallow merge is supported: the third argument must be false")
	}
	m := make(map[string]any, len(x)+len(y))
	for k, v := range x {
		m[k] = v
	}
	for k, v := range y {
		m[k] = v
	}
	return m, nil
}

// MathRandom is States.MathRandom ("Intrinsics for Math operations"): a
// random integer from start (included) to end (excluded). The bounds must
// be integers (others are rounded to the nearest). With a seed, an integer,
// the number is always the same for the same arguments; it is never
// cryptographically secure.
func MathRandom(start, end any, seed ...any) (any, error) {
	lo, ok := roundInt64(start)
	if !ok {
		return nil, intrinsicError("MathRandom", "the start must be an integer, not %s", show(start))
	}
	hi, ok := roundInt64(end)
	if !ok {
		return nil, intrinsicError("MathRandom", "the end must be an integer, not %s", show(end))
	}
	if hi <= lo {
		return nil, intrinsicError("MathRandom", "the end (%d) must be greater than the start (%d)", hi, lo)
	}
	if len(seed) > 1 {
		return nil, intrinsicError("MathRandom", "takes 2 or 3 arguments, not %d", 2+len(seed))
	}
	span := uint64(hi) - uint64(lo)
	var r uint64
	if len(seed) == 1 {
		s, ok := roundInt64(seed[0])
		if !ok {
			return nil, intrinsicError("MathRandom", "the seed must be an integer, not %s", show(seed[0]))
		}
		r = mrand.New(mrand.NewPCG(uint64(s), 0)).Uint64N(span)
	} else {
		r = mrand.Uint64N(span)
	}
	return number(int64(uint64(lo) + r)), nil
}

// MathAdd is States.MathAdd ("Intrinsics for Math operations"): the sum of
// two integers from -2147483648 to 2147483647 (others are rounded to the
// nearest integer first).
func MathAdd(a, b any) (any, error) {
	var v [2]int64
	for i, x := range []any{a, b} {
		n, ok := roundInt64(x)
		if !ok || n < -1<<31 || n > 1<<31-1 {
			return nil, intrinsicError("MathAdd", "argument %d must be an integer from -2147483648 to 2147483647, not %s", i+1, show(x))
		}
		v[i] = n
	}
	return number(v[0] + v[1]), nil
}

// StringSplit is States.StringSplit ("Intrinsic for String operation"): the
// string cut at every occurrence of any of the characters of sep, without
// the empty pieces.
func StringSplit(s, sep any) (any, error) {
	str, ok := s.(string)
	if !ok {
		return nil, intrinsicError("StringSplit", "the first argument must be a string, not %s", describe(s))
	}
	d, ok := sep.(string)
	if !ok {
		return nil, intrinsicError("StringSplit", "the delimiting characters must be a string, not %s", describe(sep))
	}
	out := []any{}
	for _, f := range strings.FieldsFunc(str, func(r rune) bool { return strings.ContainsRune(d, r) }) {
		out = append(out, f)
	}
	return out, nil
}

// UUID is States.UUID ("Intrinsic for unique identifier generation"): a
// random version 4 UUID.
func UUID() (any, error) {
	var u [16]byte
	rand.Read(u[:]) // never fails since Go 1.24
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	h := hex.EncodeToString(u[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], nil
}

// show writes an argument for a message: its JSON, shortened.
func show(v any) string {
	j, err := Encode(v)
	if err != nil {
		return describe(v)
	}
	s := string(j)
	if utf8.RuneCountInString(s) > 40 {
		s = string([]rune(s)[:37]) + "..."
	}
	return s
}
