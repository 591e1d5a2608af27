package textproc

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/unumc/unumc/examples/internal/reference"
)

func TestReceive(t *testing.T) {
	got, err := Receive(context.Background(), Post{Author: "ada", Text: "  hello \n\t world  "})
	if err != nil {
		t.Fatal(err)
	}
	if want := (Post{Author: "ada", Text: "hello world"}); got != want {
		t.Errorf("Receive = %+v, want %+v", got, want)
	}
	for _, bad := range []Post{
		{Author: "", Text: "hi"},
		{Author: "ada", Text: " \n "},
		{Author: "ada", Text: strings.Repeat("x", MaxSubmitted+1)},
	} {
		if _, err := Receive(context.Background(), bad); err == nil {
			t.Errorf("Receive(%.20q): no error", bad.Text)
		}
	}
}

func TestFindMentions(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"no mentions, mail ada@example.org", []string{}},
		{"@Grace and @alan, then @grace again (@bob_2).", []string{"grace", "alan", "bob_2"}},
		{"a lone @ sign", []string{}},
	} {
		got, err := FindMentions(context.Background(), Post{Author: "x", Text: tc.text})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(Mentions{Handles: tc.want}, got); diff != "" {
			t.Errorf("FindMentions(%q) (-want +got):\n%s", tc.text, diff)
		}
	}
}

func TestResolveUsers(t *testing.T) {
	got, err := ResolveUsers(context.Background(), Mentions{Handles: []string{"grace", "linus", "alan"}})
	if err != nil {
		t.Fatal(err)
	}
	want := Resolved{
		Mentions: []User{directory["grace"], directory["alan"]},
		Unknown:  []string{"linus"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ResolveUsers (-want +got):\n%s", diff)
	}
}

func TestShortenURLs(t *testing.T) {
	a, b := "https://a.example/x?y=1", "http://b.example"
	in := Post{Author: "ada", Text: "see " + a + ", and (" + b + "). Again: " + a}
	got, err := ShortenURLs(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	want := Shortened{
		Author: "ada",
		Text:   "see " + ShortLink(a) + ", and (" + ShortLink(b) + "). Again: " + ShortLink(a),
		Links:  []Link{{Short: ShortLink(a), URL: a}, {Short: ShortLink(b), URL: b}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ShortenURLs (-want +got):\n%s", diff)
	}
	if s := ShortLink(a); s != ShortLink(a) || len(s) != len(ShortLinkBase)+7 || s == ShortLink(b) {
		t.Errorf("ShortLink(%q) = %q: not a stable 7-character code", a, s)
	}
}

func TestCreatePost(t *testing.T) {
	users := []User{directory["grace"]}
	links := []Link{{Short: "s", URL: "u"}}
	got, err := CreatePost(context.Background(), []Part{
		{Mentions: users, Unknown: []string{"linus"}},
		{Author: "ada", Text: "hi @grace @linus s", Links: links},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := Draft{Author: "ada", Text: "hi @grace @linus s", Mentions: users, Links: links}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CreatePost (-want +got):\n%s", diff)
	}
	if _, err := CreatePost(context.Background(), []Part{{}}); err == nil {
		t.Error("CreatePost with one branch result: no error")
	}
	long := []Part{{}, {Author: "ada", Text: strings.Repeat("x", MaxPublished+1)}}
	if _, err := CreatePost(context.Background(), long); err == nil {
		t.Error("CreatePost with an overlong post: no error")
	}
}

func TestPublish(t *testing.T) {
	in := Draft{Author: "ada", Text: "hi", Mentions: []User{}, Links: []Link{}}
	got, err := Publish(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.ID) != 12 || got.URL != PostBase+"ada/"+got.ID || got.Status != "published" || got.Text != "hi" {
		t.Errorf("Publish = %+v", got)
	}
	again, _ := Publish(context.Background(), in)
	other, _ := Publish(context.Background(), Draft{Author: "ada", Text: "hi!"})
	if again.ID != got.ID || other.ID == got.ID {
		t.Errorf("post IDs are not derived from the post: %s, %s, %s", got.ID, again.ID, other.ID)
	}
}

// TestWorkflow runs the workflow by hand:
//
//	start -> Receive -> parallel {
//		FindMentions -> ResolveUsers
//		ShortenURLs
//	} -> CreatePost -> Publish
//
// Both branches get Receive's output; CreatePost gets their results as a
// list, in branch order.
func TestWorkflow(t *testing.T) {
	ctx := context.Background()
	post, err := Receive(ctx, reference.Load[Post](t, "input.json"))
	if err != nil {
		t.Fatal(err)
	}

	mentions, err := FindMentions(ctx, reference.Via[Post](t, post))
	if err != nil {
		t.Fatal(err)
	}
	resolved, err := ResolveUsers(ctx, reference.Via[Mentions](t, mentions))
	if err != nil {
		t.Fatal(err)
	}
	shortened, err := ShortenURLs(ctx, reference.Via[Post](t, post))
	if err != nil {
		t.Fatal(err)
	}

	draft, err := CreatePost(ctx, reference.Via[[]Part](t, []any{resolved, shortened}))
	if err != nil {
		t.Fatal(err)
	}
	out, err := Publish(ctx, reference.Via[Draft](t, draft))
	if err != nil {
		t.Fatal(err)
	}
	if len(post.Text) <= MaxPublished {
		t.Errorf("the bundled post (%d characters) should need its links shortened to fit in %d", len(post.Text), MaxPublished)
	}
	reference.CheckWant(t, out, "want.json")
}
