// Package textproc holds the functions of the textproc workflow: the
// text-processing application of the Unum paper, which resolves the users a
// social-media post mentions and shortens its links before publishing it.
package textproc

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Post is a social-media post: the workflow input, and Receive's output.
type Post struct {
	Author string `json:"author"`
	Text   string `json:"text"`
}

// Mentions lists the handles a post mentions, in order of first mention.
type Mentions struct {
	Handles []string `json:"handles"`
}

// User is a registered user.
type User struct {
	Handle string `json:"handle"`
	ID     string `json:"id"`
	Name   string `json:"name"`
}

// Resolved is the result of the first parallel branch: the mentioned users
// that exist, and the handles that do not.
type Resolved struct {
	Mentions []User   `json:"mentions"`
	Unknown  []string `json:"unknown"`
}

// Link is a shortened link.
type Link struct {
	Short string `json:"short"`
	URL   string `json:"url"`
}

// Shortened is the result of the second parallel branch: the post with its
// links replaced by short ones.
type Shortened struct {
	Author string `json:"author"`
	Text   string `json:"text"`
	Links  []Link `json:"links"`
}

// Part is one result of the parallel, as CreatePost receives it: a Resolved
// (branch 1) or a Shortened (branch 2). It has the fields of both.
type Part struct {
	Author   string   `json:"author"`
	Text     string   `json:"text"`
	Links    []Link   `json:"links"`
	Mentions []User   `json:"mentions"`
	Unknown  []string `json:"unknown"`
}

// Draft is a post ready to publish.
type Draft struct {
	Author   string `json:"author"`
	Text     string `json:"text"`
	Mentions []User `json:"mentions"`
	Links    []Link `json:"links"`
}

// Published is the workflow result: the post as published.
type Published struct {
	Author   string `json:"author"`
	ID       string `json:"id"`
	Links    []Link `json:"links"`
	Mentions []User `json:"mentions"`
	Status   string `json:"status"`
	Text     string `json:"text"`
	URL      string `json:"url"`
}

// Limits on the length of a post, in characters: what may be submitted, and
// what may be published once links are shortened.
const (
	MaxSubmitted = 1000
	MaxPublished = 280
)

// ShortLinkBase and PostBase are where short links and posts live.
const (
	ShortLinkBase = "https://sho.example/"
	PostBase      = "https://social.example/"
)

// directory is the user directory ResolveUsers looks handles up in.
var directory = map[string]User{
	"ada":     {Handle: "ada", ID: "u-1815", Name: "Ada Lovelace"},
	"alan":    {Handle: "alan", ID: "u-1912", Name: "Alan Turing"},
	"barbara": {Handle: "barbara", ID: "u-1939", Name: "Barbara Liskov"},
	"edsger":  {Handle: "edsger", ID: "u-1930", Name: "Edsger Dijkstra"},
	"grace":   {Handle: "grace", ID: "u-1906", Name: "Grace Hopper"},
}

// Receive checks a submitted post and collapses its white space.
func Receive(ctx context.Context, in Post) (Post, error) {
	if in.Author == "" {
		return Post{}, errors.New("receive: post has no author")
	}
	text := strings.Join(strings.Fields(in.Text), " ")
	if text == "" {
		return Post{}, errors.New("receive: post is empty")
	}
	if n := utf8.RuneCountInString(text); n > MaxSubmitted {
		return Post{}, fmt.Errorf("receive: post has %d characters, more than %d", n, MaxSubmitted)
	}
	return Post{Author: in.Author, Text: text}, nil
}

// FindMentions lists the @handles in a post, lower-cased, each once. An @
// inside a word, as in an e-mail address, is not a mention.
func FindMentions(ctx context.Context, in Post) (Mentions, error) {
	out := Mentions{Handles: []string{}}
	seen := map[string]bool{}
	text := in.Text
	for i := 0; i < len(text); i++ {
		if text[i] != '@' || i > 0 && isHandleByte(text[i-1]) {
			continue
		}
		j := i + 1
		for j < len(text) && isHandleByte(text[j]) {
			j++
		}
		if h := strings.ToLower(text[i+1 : j]); h != "" && !seen[h] {
			seen[h] = true
			out.Handles = append(out.Handles, h)
		}
		i = j - 1
	}
	return out, nil
}

func isHandleByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// ResolveUsers looks the mentioned handles up in the user directory.
func ResolveUsers(ctx context.Context, in Mentions) (Resolved, error) {
	out := Resolved{Mentions: []User{}, Unknown: []string{}}
	for _, h := range in.Handles {
		if u, ok := directory[h]; ok {
			out.Mentions = append(out.Mentions, u)
		} else {
			out.Unknown = append(out.Unknown, h)
		}
	}
	return out, nil
}

// ShortenURLs replaces each http(s) link in a post by a short link whose
// code is derived from a hash of the link, so the same link always gets the
// same short link. Punctuation around a link is not part of it.
func ShortenURLs(ctx context.Context, in Post) (Shortened, error) {
	out := Shortened{Author: in.Author, Links: []Link{}}
	seen := map[string]bool{}
	words := strings.Fields(in.Text)
	for i, w := range words {
		start := len(w) - len(strings.TrimLeft(w, `("'`))
		url := strings.TrimRight(w[start:], `.,;:!?)'"`)
		if !strings.HasPrefix(url, "https://") && !strings.HasPrefix(url, "http://") {
			continue
		}
		short := ShortLink(url)
		words[i] = w[:start] + short + w[start+len(url):]
		if !seen[url] {
			seen[url] = true
			out.Links = append(out.Links, Link{Short: short, URL: url})
		}
	}
	out.Text = strings.Join(words, " ")
	return out, nil
}

// ShortLink is the short link for a URL: a 7-character code from its SHA-256.
func ShortLink(url string) string {
	sum := sha256.Sum256([]byte(url))
	return ShortLinkBase + hex.EncodeToString(sum[:])[:7]
}

// CreatePost joins the two parallel branches, given in branch order: the
// resolved mentions and the shortened post. Mentions of unknown users stay
// in the text but notify nobody.
func CreatePost(ctx context.Context, in []Part) (Draft, error) {
	if len(in) != 2 {
		return Draft{}, fmt.Errorf("create post: want 2 branch results, got %d", len(in))
	}
	resolved, shortened := in[0], in[1]
	if n := utf8.RuneCountInString(shortened.Text); n > MaxPublished {
		return Draft{}, fmt.Errorf("create post: post has %d characters after shortening links, more than %d", n, MaxPublished)
	}
	d := Draft{Author: shortened.Author, Text: shortened.Text, Mentions: resolved.Mentions, Links: shortened.Links}
	if d.Mentions == nil {
		d.Mentions = []User{}
	}
	if d.Links == nil {
		d.Links = []Link{}
	}
	return d, nil
}

// Publish publishes a post under an ID derived from its author and text.
func Publish(ctx context.Context, in Draft) (Published, error) {
	sum := sha256.Sum256([]byte(in.Author + "\n" + in.Text))
	id := hex.EncodeToString(sum[:])[:12]
	return Published{
		Author:   in.Author,
		ID:       id,
		Links:    in.Links,
		Mentions: in.Mentions,
		Status:   "published",
		Text:     in.Text,
		URL:      PostBase + in.Author + "/" + id,
	}, nil
}
