package states

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// n is a JSON number for a test.
func n(s string) json.Number { return json.Number(s) }

// The examples are those of the Developer Guide's page "Intrinsic functions
// for JSONPath states in Step Functions", section by section, then the
// input validation each section asks for.
func TestIntrinsics(t *testing.T) {
	arr := func(doc string) any { return decode(t, doc) }
	long := strings.Repeat("é", maxChars)
	for _, tc := range []struct {
		name string
		call func() (any, error)
		want string // JSON of the result
		err  string // a part of the IntrinsicFailure's message
	}{
		// Intrinsics for arrays.
		{name: "Array: the doc's example", call: func() (any, error) { return Array(n("123456")) }, want: `[123456]`},
		{name: "Array: no arguments", call: func() (any, error) { return Array() }, want: `[]`},
		{name: "Array: any values", call: func() (any, error) { return Array("a", nil, true, arr(`{"b":[1]}`)) }, want: `["a",null,true,{"b":[1]}]`},
		{name: "ArrayPartition: the doc's example", call: func() (any, error) { return ArrayPartition(arr(`[1,2,3,4,5,6,7,8,9]`), n("4")) }, want: `[[1,2,3,4],[5,6,7,8],[9]]`},
		{name: "ArrayPartition: exact chunks", call: func() (any, error) { return ArrayPartition(arr(`[1,2,3,4]`), n("2")) }, want: `[[1,2],[3,4]]`},
		{name: "ArrayPartition: a chunk larger than the array", call: func() (any, error) { return ArrayPartition(arr(`[1,2]`), n("5")) }, want: `[[1,2]]`},
		{name: "ArrayPartition: an empty array", call: func() (any, error) { return ArrayPartition(arr(`[]`), n("3")) }, want: `[]`},
		{name: "ArrayPartition: a size rounded to the nearest integer", call: func() (any, error) { return ArrayPartition(arr(`[1,2,3]`), n("1.6")) }, want: `[[1,2],[3]]`},
		{name: "ArrayPartition: a float64 size", call: func() (any, error) { return ArrayPartition(arr(`[1,2,3]`), 2.0) }, want: `[[1,2],[3]]`},
		{name: "ArrayPartition: size zero", call: func() (any, error) { return ArrayPartition(arr(`[1]`), n("0")) }, err: `States.ArrayPartition: the chunk size must be a positive integer, not 0`},
		{name: "ArrayPartition: a size that rounds to zero", call: func() (any, error) { return ArrayPartition(arr(`[1]`), n("0.4")) }, err: `positive integer`},
		{name: "ArrayPartition: a negative size", call: func() (any, error) { return ArrayPartition(arr(`[1]`), n("-2")) }, err: `positive integer`},
		{name: "ArrayPartition: a string size", call: func() (any, error) { return ArrayPartition(arr(`[1]`), "2") }, err: `not "2"`},
		{name: "ArrayPartition: not an array", call: func() (any, error) { return ArrayPartition(arr(`{}`), n("2")) }, err: `the first argument must be an array, not an object`},
		{name: "ArrayContains: the doc's example", call: func() (any, error) { return ArrayContains(arr(`[1,2,3,4,5,6,7,8,9]`), n("5")) }, want: `true`},
		{name: "ArrayContains: absent", call: func() (any, error) { return ArrayContains(arr(`[1,2,3]`), n("5")) }, want: `false`},
		{name: "ArrayContains: numbers by value", call: func() (any, error) { return ArrayContains(arr(`[1,2.0,3]`), n("2")) }, want: `true`},
		{name: "ArrayContains: an object", call: func() (any, error) { return ArrayContains(arr(`[{"a":[1,null]},"x"]`), arr(`{"a":[1.0,null]}`)) }, want: `true`},
		{name: "ArrayContains: types differ", call: func() (any, error) { return ArrayContains(arr(`["1",true,null]`), n("1")) }, want: `false`},
		{name: "ArrayContains: null", call: func() (any, error) { return ArrayContains(arr(`["1",true,null]`), nil) }, want: `true`},
		{name: "ArrayContains: not an array", call: func() (any, error) { return ArrayContains("abc", "a") }, err: `the first argument must be an array, not a string`},
		{name: "ArrayRange: the doc's example", call: func() (any, error) { return ArrayRange(n("1"), n("9"), n("2")) }, want: `[1,3,5,7,9]`},
		{name: "ArrayRange: last not reached exactly", call: func() (any, error) { return ArrayRange(n("1"), n("10"), n("4")) }, want: `[1,5,9]`},
		{name: "ArrayRange: counting down", call: func() (any, error) { return ArrayRange(n("5"), n("-1"), n("-2")) }, want: `[5,3,1,-1]`},
		{name: "ArrayRange: one element", call: func() (any, error) { return ArrayRange(n("7"), n("7"), n("3")) }, want: `[7]`},
		{name: "ArrayRange: a step away from last", call: func() (any, error) { return ArrayRange(n("1"), n("9"), n("-1")) }, want: `[]`},
		{name: "ArrayRange: rounded arguments", call: func() (any, error) { return ArrayRange(n("0.5"), n("3.4"), n("1.2")) }, want: `[1,2,3]`},
		{name: "ArrayRange: 1000 elements", call: func() (any, error) {
			a, err := ArrayRange(n("1"), n("1000"), n("1"))
			if err != nil {
				return nil, err
			}
			return ArrayLength(a)
		}, want: `1000`},
		{name: "ArrayRange: 1001 elements", call: func() (any, error) { return ArrayRange(n("0"), n("1000"), n("1")) }, err: `the array would have 1001 elements, more than 1000`},
		{name: "ArrayRange: a huge range", call: func() (any, error) { return ArrayRange(n("-9000000000000000"), n("9000000000000000"), n("1")) }, err: `more than 1000`},
		{name: "ArrayRange: step zero", call: func() (any, error) { return ArrayRange(n("1"), n("9"), n("0")) }, err: `the step must not be zero`},
		{name: "ArrayRange: a step that rounds to zero", call: func() (any, error) { return ArrayRange(n("1"), n("9"), n("0.2")) }, err: `zero`},
		{name: "ArrayRange: not a number", call: func() (any, error) { return ArrayRange(n("1"), "9", n("1")) }, err: `argument 2 must be an integer, not "9"`},
		{name: "ArrayRange: too large", call: func() (any, error) { return ArrayRange(n("1e300"), n("1"), n("1")) }, err: `argument 1 must be an integer`},
		{name: "ArrayGetItem: the doc's example", call: func() (any, error) { return ArrayGetItem(arr(`[1,2,3,4,5,6,7,8,9]`), n("5")) }, want: `6`},
		{name: "ArrayGetItem: the first", call: func() (any, error) { return ArrayGetItem(arr(`[{"a":1}]`), n("0")) }, want: `{"a":1}`},
		{name: "ArrayGetItem: past the end", call: func() (any, error) { return ArrayGetItem(arr(`[1,2]`), n("2")) }, err: `index 2 out of range of an array of 2 elements`},
		{name: "ArrayGetItem: negative", call: func() (any, error) { return ArrayGetItem(arr(`[1,2]`), n("-1")) }, err: `index -1 out of range`},
		{name: "ArrayGetItem: not an integer", call: func() (any, error) { return ArrayGetItem(arr(`[1,2]`), n("0.5")) }, err: `the index must be an integer, not 0.5`},
		{name: "ArrayGetItem: not an array", call: func() (any, error) { return ArrayGetItem(nil, n("0")) }, err: `not null`},
		{name: "ArrayLength: the doc's example", call: func() (any, error) { return ArrayLength(arr(`[1,2,3,4,5,6,7,8,9]`)) }, want: `9`},
		{name: "ArrayLength: empty", call: func() (any, error) { return ArrayLength(arr(`[]`)) }, want: `0`},
		{name: "ArrayLength: not an array", call: func() (any, error) { return ArrayLength("abc") }, err: `States.ArrayLength: the argument must be an array, not a string`},
		{name: "ArrayUnique: the doc's example", call: func() (any, error) { return ArrayUnique(arr(`[1,2,3,3,3,3,3,3,4]`)) }, want: `[1,2,3,4]`},
		{name: "ArrayUnique: first occurrences, in order", call: func() (any, error) { return ArrayUnique(arr(`["b",{"x":1},"a","b",{"x":1.0},null,null]`)) }, want: `["b",{"x":1},"a",null]`},
		{name: "ArrayUnique: empty", call: func() (any, error) { return ArrayUnique(arr(`[]`)) }, want: `[]`},
		{name: "ArrayUnique: not an array", call: func() (any, error) { return ArrayUnique(n("1")) }, err: `not a number`},

		// Intrinsics for data encoding and decoding.
		{name: "Base64Encode: the doc's example", call: func() (any, error) { return Base64Encode("Data to encode") }, want: `"RGF0YSB0byBlbmNvZGU="`},
		{name: "Base64Encode: UTF-8", call: func() (any, error) { return Base64Encode("héllo ✓") }, want: `"aMOpbGxvIOKckw=="`},
		{name: "Base64Encode: empty", call: func() (any, error) { return Base64Encode("") }, want: `""`},
		{name: "Base64Encode: 10,000 characters", call: func() (any, error) {
			s, err := Base64Encode(long)
			if err != nil {
				return nil, err
			}
			return ArrayLength([]any{s})
		}, want: `1`},
		// Ten thousand "é" encode to 26,668 characters, too many to decode.
		{name: "Base64Decode: 26,668 characters", call: func() (any, error) {
			s, err := Base64Encode(long)
			if err != nil {
				return nil, err
			}
			return Base64Decode(s)
		}, err: `States.Base64Decode: the argument has 26668 characters, more than 10000`},
		{name: "Base64Encode: 10,001 characters", call: func() (any, error) { return Base64Encode(long + "x") }, err: `States.Base64Encode: the argument has 10001 characters, more than 10000`},
		{name: "Base64Encode: not a string", call: func() (any, error) { return Base64Encode(arr(`["a"]`)) }, err: `the argument must be a string, not an array`},
		// The page's example decodes to "Data to encode", though its text says "Decoded data".
		{name: "Base64Decode: the doc's example", call: func() (any, error) { return Base64Decode("RGF0YSB0byBlbmNvZGU=") }, want: `"Data to encode"`},
		{name: "Base64Decode: without padding", call: func() (any, error) { return Base64Decode("RGF0YSB0byBlbmNvZGU") }, want: `"Data to encode"`},
		{name: "Base64Decode: with MIME line breaks", call: func() (any, error) { return Base64Decode("RGF0YSB0\r\nbyBlbmNvZGU=") }, want: `"Data to encode"`},
		{name: "Base64Decode: UTF-8", call: func() (any, error) { return Base64Decode("aMOpbGxvIOKckw==") }, want: `"héllo ✓"`},
		{name: "Base64Decode: bytes that are not UTF-8", call: func() (any, error) { return Base64Decode("/w==") }, want: `"\ufffd"`},
		{name: "Base64Decode: not Base64", call: func() (any, error) { return Base64Decode("not base64!") }, err: `States.Base64Decode: the argument is not Base64`},
		{name: "Base64Decode: not a string", call: func() (any, error) { return Base64Decode(true) }, err: `not a boolean`},

		// Intrinsic for hash calculation. The page prints the SHA-1 of
		// "input data" with a digit missing: aaff4a450a104cd177d28d18d7485e8cae074b7.
		{name: "Hash: the doc's example", call: func() (any, error) { return Hash("input data", "SHA-1") }, want: `"aaff4a450a104cd177d28d18d74485e8cae074b7"`},
		{name: "Hash: MD5", call: func() (any, error) { return Hash("input data", "MD5") }, want: `"812f45842bc6d66ee14572ce20db8e86"`},
		{name: "Hash: SHA-256", call: func() (any, error) { return Hash("input data", "SHA-256") }, want: `"b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3"`},
		{name: "Hash: SHA-384", call: func() (any, error) { return Hash("input data", "SHA-384") },
			want: `"d28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b87525bdc835ebb27e1fb9e9374a15562"`},
		{name: "Hash: SHA-512", call: func() (any, error) { return Hash("input data", "SHA-512") },
			want: `"6ce4adb348546d4f449c4d25aad9a7c9cb711d9e91982d3f0b29ca2f3f47d4ce2deba23bf2954f0f1d593fc50283731a533d30d425402d4f91316d871303aac4"`},
		{name: "Hash: an unknown algorithm", call: func() (any, error) { return Hash("input data", "sha-1") }, err: `the algorithm must be one of "MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512", not "sha-1"`},
		{name: "Hash: not a string", call: func() (any, error) { return Hash(arr(`{"a":1}`), "MD5") }, err: `the data must be a string, not an object`},
		{name: "Hash: too long", call: func() (any, error) { return Hash(long+"x", "MD5") }, err: `more than 10000`},

		// Intrinsics for JSON data manipulation.
		{name: "JsonMerge: the doc's example", call: func() (any, error) {
			return JsonMerge(arr(`{"a": {"a1": 1, "a2": 2}, "b": 2}`), arr(`{"a": {"a3": 1, "a4": 2}, "c": 3}`), false)
		}, want: `{"a":{"a3":1,"a4":2},"b":2,"c":3}`},
		{name: "JsonMerge: empty objects", call: func() (any, error) { return JsonMerge(arr(`{}`), arr(`{}`), false) }, want: `{}`},
		{name: "JsonMerge: deep", call: func() (any, error) { return JsonMerge(arr(`{}`), arr(`{}`), true) }, err: `only the shallow merge is supported: the third argument must be false`},
		{name: "JsonMerge: not a boolean", call: func() (any, error) { return JsonMerge(arr(`{}`), arr(`{}`), "false") }, err: `the third argument must be a boolean, not a string`},
		{name: "JsonMerge: the first not an object", call: func() (any, error) { return JsonMerge(arr(`[]`), arr(`{}`), false) }, err: `the first argument must be an object, not an array`},
		{name: "JsonMerge: the second not an object", call: func() (any, error) { return JsonMerge(arr(`{}`), nil, false) }, err: `the second argument must be an object, not null`},
		{name: "StringToJson: the doc's example", call: func() (any, error) { return StringToJson(`{"foo": "bar"}`) }, want: `{"foo":"bar"}`},
		{name: "StringToJson: numbers as written", call: func() (any, error) { return StringToJson(`[1.50, 12345678901234567890123]`) }, want: `[1.50,12345678901234567890123]`},
		{name: "StringToJson: a string", call: func() (any, error) { return StringToJson(`"x"`) }, want: `"x"`},
		{name: "StringToJson: blank", call: func() (any, error) { return StringToJson(`  `) }, want: `null`},
		{name: "StringToJson: not JSON", call: func() (any, error) { return StringToJson(`{foo}`) }, err: `States.StringToJson: the argument is not JSON`},
		{name: "StringToJson: not a string", call: func() (any, error) { return StringToJson(arr(`{}`)) }, err: `the argument must be a string, not an object`},
		{name: "JsonToString: the doc's example", call: func() (any, error) { return JsonToString(arr(`{"foo": "bar"}`)) }, want: `"{\"foo\":\"bar\"}"`},
		{name: "JsonToString: keys sorted, numbers as written", call: func() (any, error) { return JsonToString(arr(`{"b": 1.0, "a": [null, "<&>"]}`)) }, want: `"{\"a\":[null,\"<&>\"],\"b\":1.0}"`},
		{name: "JsonToString: a string", call: func() (any, error) { return JsonToString("x") }, want: `"\"x\""`},
		{name: "JsonToString: not JSON", call: func() (any, error) { return JsonToString(make(chan int)) }, err: `States.JsonToString: cannot encode`},

		// Intrinsics for Math operations.
		{name: "MathRandom: with a seed", call: func() (any, error) {
			a, err1 := MathRandom(n("1"), n("999"), n("42"))
			b, err2 := MathRandom(n("1"), n("999"), n("42"))
			if err1 != nil || err2 != nil || a != b {
				t.Errorf("MathRandom with a seed: %v, %v; %v, %v", a, err1, b, err2)
			}
			return nil, nil
		}, want: `null`},
		{name: "MathRandom: a range of one", call: func() (any, error) { return MathRandom(n("7"), n("8")) }, want: `7`},
		{name: "MathRandom: rounded bounds", call: func() (any, error) { return MathRandom(n("6.5"), n("7.6"), n("1")) }, want: `7`},
		{name: "MathRandom: an empty range", call: func() (any, error) { return MathRandom(n("5"), n("5")) }, err: `the end (5) must be greater than the start (5)`},
		{name: "MathRandom: not a number", call: func() (any, error) { return MathRandom("1", n("5")) }, err: `the start must be an integer, not "1"`},
		{name: "MathRandom: end not a number", call: func() (any, error) { return MathRandom(n("1"), true) }, err: `the end must be an integer, not true`},
		{name: "MathRandom: a bad seed", call: func() (any, error) { return MathRandom(n("1"), n("5"), "s") }, err: `the seed must be an integer, not "s"`},
		{name: "MathRandom: too many arguments", call: func() (any, error) { return MathRandom(n("1"), n("5"), n("1"), n("2")) }, err: `takes 2 or 3 arguments, not 4`},
		{name: "MathAdd: the doc's example", call: func() (any, error) { return MathAdd(n("111"), n("-1")) }, want: `110`},
		{name: "MathAdd: the limits", call: func() (any, error) { return MathAdd(n("2147483647"), n("2147483647")) }, want: `4294967294`},
		{name: "MathAdd: halves round up, as in Java", call: func() (any, error) { return MathAdd(n("2.5"), n("-2.5")) }, want: `1`},
		{name: "MathAdd: Go numbers", call: func() (any, error) { return MathAdd(3, 4.0) }, want: `7`},
		{name: "MathAdd: above the range", call: func() (any, error) { return MathAdd(n("2147483648"), n("0")) }, err: `States.MathAdd: argument 1 must be an integer from -2147483648 to 2147483647, not 2147483648`},
		{name: "MathAdd: below the range", call: func() (any, error) { return MathAdd(n("0"), n("-2147483649")) }, err: `argument 2 must be an integer`},
		{name: "MathAdd: not a number", call: func() (any, error) { return MathAdd(n("1"), "1") }, err: `not "1"`},
		{name: "MathAdd: not a valid number", call: func() (any, error) { return MathAdd(n("1"), n("one")) }, err: `argument 2`},

		// Intrinsic for String operation.
		{name: "StringSplit: the doc's first example", call: func() (any, error) { return StringSplit("1,2,3,4,5", ",") }, want: `["1","2","3","4","5"]`},
		{name: "StringSplit: the doc's second example", call: func() (any, error) { return StringSplit("This.is+a,test=string", ".+,=") }, want: `["This","is","a","test","string"]`},
		{name: "StringSplit: empty pieces dropped", call: func() (any, error) { return StringSplit(",a,,b,", ",") }, want: `["a","b"]`},
		{name: "StringSplit: an empty string", call: func() (any, error) { return StringSplit("", ",") }, want: `[]`},
		{name: "StringSplit: no delimiter", call: func() (any, error) { return StringSplit("a,b", "") }, want: `["a,b"]`},
		{name: "StringSplit: multi-byte delimiters", call: func() (any, error) { return StringSplit("a→b✓c", "✓→") }, want: `["a","b","c"]`},
		{name: "StringSplit: not a string", call: func() (any, error) { return StringSplit(n("1"), ",") }, err: `the first argument must be a string, not a number`},
		{name: "StringSplit: delimiters not a string", call: func() (any, error) { return StringSplit("a", nil) }, err: `the delimiting characters must be a string, not null`},

		// Intrinsic for generic operation, and reserved characters.
		{name: "Format: the doc's example", call: func() (any, error) { return Format("Hello, my name is {}.", "Arnav") }, want: `"Hello, my name is Arnav."`},
		{name: "Format: no placeholders", call: func() (any, error) { return Format("plain") }, want: `"plain"`},
		{name: "Format: the doc's nested example", call: func() (any, error) {
			arn := "arn:aws:imagebuilder:us-east-1:123456789012:image/my-recipe/1.2.3/4"
			get := func(s, sep string, i int) any {
				parts, err := StringSplit(s, sep)
				if err != nil {
					t.Fatal(err)
				}
				item, err := ArrayGetItem(parts, n(string(rune('0'+i))))
				if err != nil {
					t.Fatal(err)
				}
				return item
			}
			version := get(arn, "/", 2).(string)
			return Format("{}.{}.{}", get(version, ".", 0), get(version, ".", 1), get(version, ".", 2))
		}, want: `"1.2.3"`},
		{name: "Format: values as JSON", call: func() (any, error) { return Format("{} {} {} {} {}", nil, true, n("1.50"), 2.5, "s") }, want: `"null true 1.50 2.5 s"`},
		{name: "Format: containers as Java prints them", call: func() (any, error) {
			return Format("{} and {}", arr(`{"Arg2": [], "Arg1": 1}`), arr(`["a", {"b": null}, [1, 2]]`))
		}, want: `"{Arg1=1, Arg2=[]} and [a, {b=null}, [1, 2]]"`},
		{name: "Format: escaped braces are not placeholders", call: func() (any, error) {
			return Format(`Hello {}, answer in JSON, for example: \{ "name": "Bob" \}`, "Ann")
		}, want: `"Hello Ann, answer in JSON, for example: { \"name\": \"Bob\" }"`},
		{name: "Format: escaped quote and backslash", call: func() (any, error) { return Format(`it\'s {} C:\\dir \n`, "x") }, want: `"it's x C:\\dir \\n"`},
		{name: "Format: escaped placeholder", call: func() (any, error) { return Format(`\{\} {}`, "x") }, want: `"{} x"`},
		{name: "Format: arguments keep their backslashes", call: func() (any, error) { return Format("{}", `a\{b`) }, want: `"a\\{b"`},
		{name: "Format: a lone }", call: func() (any, error) { return Format("a } {}", "b") }, want: `"a } b"`},
		{name: "Format: too few arguments", call: func() (any, error) { return Format("{} and {}", "a") }, err: `States.Format: the template has 2 placeholders but 1 argument is given`},
		{name: "Format: too many arguments", call: func() (any, error) { return Format("{}", "a", "b") }, err: `the template has 1 placeholder but 2 arguments are given`},
		{name: "Format: an unmatched {", call: func() (any, error) { return Format(`{ "name": {} }`, "x") }, err: `matching '}' not found for '{' at offset 0`},
		{name: "Format: a { at the end", call: func() (any, error) { return Format(`a{`) }, err: `matching '}' not found`},
		{name: "Format: the template not a string", call: func() (any, error) { return Format(n("1")) }, err: `the template must be a string, not a number`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.call()
			if tc.err != "" {
				if name := errorName(t, err); name != IntrinsicFailure || !strings.Contains(err.Error(), tc.err) {
					t.Errorf("error %v (%s), want a %s containing %q", err, name, IntrinsicFailure, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(decode(t, tc.want), got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestMathRandom(t *testing.T) {
	seen := map[json.Number]bool{}
	for range 2000 {
		v, err := MathRandom(n("-3"), n("3"))
		if err != nil {
			t.Fatal(err)
		}
		i, _ := v.(json.Number).Int64()
		if i < -3 || i >= 3 {
			t.Fatalf("MathRandom(-3, 3) = %v, outside [-3, 3)", v)
		}
		seen[v.(json.Number)] = true
	}
	if len(seen) != 6 {
		t.Errorf("MathRandom(-3, 3) gave only %v", seen)
	}
	// Different seeds give (here) different numbers; the same seed the same.
	a, _ := MathRandom(n("0"), n("1000000"), n("1"))
	b, _ := MathRandom(n("0"), n("1000000"), n("2"))
	c, _ := MathRandom(n("0"), n("1000000"), n("1"))
	if a == b || a != c {
		t.Errorf("seeds 1, 2, 1 gave %v, %v, %v", a, b, c)
	}
	// The whole int64 range.
	if v, err := MathRandom(n("-9223372036854775808"), n("9223372036854775807")); err != nil || v == nil {
		t.Errorf("the widest range: %v, %v", v, err)
	}
}

func TestUUID(t *testing.T) {
	v4 := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[any]bool{}
	for range 100 {
		u, err := UUID()
		if err != nil {
			t.Fatal(err)
		}
		if s, ok := u.(string); !ok || !v4.MatchString(s) {
			t.Fatalf("UUID() = %#v, not a v4 UUID", u)
		}
		seen[u] = true
	}
	if len(seen) != 100 {
		t.Errorf("100 UUIDs, %d different", len(seen))
	}
}

// No intrinsic mutates its arguments.
func TestIntrinsicsDoNotMutate(t *testing.T) {
	a := decode(t, `[3,1,{"x":[1]},1,3]`)
	o1 := decode(t, `{"a":{"a1":1},"b":2}`)
	o2 := decode(t, `{"a":{"a3":1},"c":3}`)
	ba, bo1, bo2 := encode(t, a), encode(t, o1), encode(t, o2)
	args := []any{"x", a}
	calls := []func() (any, error){
		func() (any, error) { return Array(args...) },
		func() (any, error) { return ArrayPartition(a, n("2")) },
		func() (any, error) { return ArrayContains(a, n("1")) },
		func() (any, error) { return ArrayUnique(a) },
		func() (any, error) { return JsonMerge(o1, o2, false) },
		func() (any, error) { return JsonToString(a) },
		func() (any, error) { return Format("{} {}", a, o1) },
	}
	for _, call := range calls {
		v, err := call()
		if err != nil {
			t.Fatal(err)
		}
		// Changing a new array or object does not change the arguments.
		switch r := v.(type) {
		case []any:
			for i := range r {
				r[i] = "changed"
			}
		case map[string]any:
			for k := range r {
				r[k] = "changed"
			}
		}
	}
	if _, err := ArrayGetItem(a, n("2")); err != nil {
		t.Fatal(err)
	}
	unchanged(t, "the array", ba, a)
	unchanged(t, "the first object", bo1, o1)
	unchanged(t, "the second object", bo2, o2)
	if args[0] != "x" {
		t.Error("Array changed its arguments")
	}
}
