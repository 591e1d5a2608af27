package rt

import "testing"

func TestCompare(t *testing.T) {
	v, err := Decode([]byte(`{"n": 3, "s": "abc", "b": true, "z": null, "a": [1, {"x": "y"}], "t": "2024-01-02T03:04:05Z", "u": "2024-01-02T03:04:06+00:00", "m": 3}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		kind  Kind
		left  Path
		op    Op
		right any
		want  bool
	}{
		{AnyKind, Path{"n"}, Eq, 3.0, true},
		{AnyKind, Path{"n"}, Ne, 3.0, false},
		{AnyKind, Path{"n"}, Lt, 4.0, true},
		{AnyKind, Path{"n"}, Ge, 3.0, true},
		{AnyKind, Path{"n"}, Gt, "2", false}, // number against string never orders
		{AnyKind, Path{"s"}, Lt, "abd", true},
		{AnyKind, Path{"s"}, Eq, "abc", true},
		{AnyKind, Path{"b"}, Eq, true, true},
		{AnyKind, Path{"z"}, Eq, nil, true},
		{AnyKind, Path{"missing"}, Eq, nil, false},
		{AnyKind, Path{"missing"}, Ne, 1.0, false},
		{AnyKind, Path{"a", 1, "x"}, Eq, "y", true},
		{AnyKind, Path{"a", 5}, Eq, "y", false},
		{AnyKind, Path{"n"}, Eq, Path{"m"}, true},
		{AnyKind, Path{"n"}, Lt, Path{"m"}, false},
		{NumberKind, Path{"s"}, Eq, "abc", false},
		{StringKind, Path{"s"}, Eq, "abc", true},
		{BoolKind, Path{"b"}, Ne, false, true},
		{TimestampKind, Path{"t"}, Lt, Path{"u"}, true},
		{TimestampKind, Path{"s"}, Lt, Path{"u"}, false},
	} {
		if got := CompareKind(tc.kind, v, tc.left, tc.op, tc.right); got != tc.want {
			t.Errorf("CompareKind(%v, %s, %v, %v) = %v, want %v", tc.kind, tc.left, tc.op, tc.right, got, tc.want)
		}
	}
	if !Has(v, Path{"z"}) || Has(v, Path{"nope"}) {
		t.Error("Has: null must count as present, a missing field as absent")
	}
	if !IsType(v, Path{"t"}, TimestampType) || IsType(v, Path{"s"}, TimestampType) || !IsType(v, Path{"a"}, ArrayType) {
		t.Error("IsType is wrong")
	}
}

func TestGlob(t *testing.T) {
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{"*.log", "a.log", true},
		{"*.log", "a.txt", false},
		{"log-*-2024", "log-jan-2024", true},
		{"a*b*c", "abc", true},
		{"a*b*c", "aXbYc", true},
		{"a*b*c", "acb", false},
		{`a\*b`, "a*b", true},
		{`a\*b`, "aXb", false},
		{"exact", "exact", true},
		{"*", "", true},
		{"ab*ba", "aba", false},
	} {
		if got := glob(tc.pattern, tc.s); got != tc.want {
			t.Errorf("glob(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
}

func TestItems(t *testing.T) {
	items, err := Items([]byte(`{"a": {"b": [1, "x", {"c": 2}]}}`), Path{"a", "b"})
	if err != nil || len(items) != 3 || string(items[1]) != `"x"` {
		t.Fatalf("Items = %s, %v", items, err)
	}
	if items, err := Items([]byte(`[]`), nil); err != nil || len(items) != 0 {
		t.Fatalf("empty array: %v, %v", items, err)
	}
	for _, doc := range []string{`{"a": 1}`, `{"b": []}`, `null`} {
		if _, err := Items([]byte(doc), Path{"a"}); err == nil {
			t.Errorf("Items(%s, .a) succeeded, want an error", doc)
		}
	}
}
