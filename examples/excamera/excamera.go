// Package excamera is the user code of an ExCamera-shaped video pipeline
// (Fouladi et al., NSDI '17), the pattern Step Functions cannot express:
// chunks of a video are encoded in parallel, each starting with a costly
// keyframe; then each chunk is rebased on the final state of the chunk
// before it, which turns its keyframe into a small interframe. Rebase of
// chunk i waits for Encode of chunk i and Rebase of chunk i-1 (a partial
// fan-in). Finally Stitch lays the chunks out in the output stream, each at
// the offset where the one before it ended (a fold).
//
// A "video" here is a list of frames, each a brightness value; a frame is
// coded as its difference from the frame before it, except a keyframe,
// which is coded whole and costs more.
package excamera

import (
	"context"
	"errors"
	"fmt"
)

// Sizes of coded frames, in bytes.
const (
	KeyframeSize   = 64
	InterframeSize = 4
)

// Video is the workflow's input.
type Video struct {
	Frames    []int  `json:"frames"`
	ChunkSize int    `json:"chunk_size"`
	Name      string `json:"name"`
}

// Chunk is a run of frames that one Encode codes on its own.
type Chunk struct {
	Frames []int `json:"frames"`
	Index  int   `json:"index"`
}

// Chunks is Split's output: the map iterates over Chunks.
type Chunks struct {
	Chunks []Chunk `json:"chunks"`
	Name   string  `json:"name"`
}

// Split cuts the video into chunks of ChunkSize frames.
func Split(_ context.Context, v Video) (Chunks, error) {
	if v.ChunkSize <= 0 {
		return Chunks{}, fmt.Errorf("chunk_size must be positive, not %d", v.ChunkSize)
	}
	if len(v.Frames) == 0 {
		return Chunks{}, errors.New("the video has no frames")
	}
	out := Chunks{Name: v.Name}
	for i := 0; i < len(v.Frames); i += v.ChunkSize {
		out.Chunks = append(out.Chunks, Chunk{Index: len(out.Chunks), Frames: v.Frames[i:min(i+v.ChunkSize, len(v.Frames))]})
	}
	return out, nil
}

// Coded is a coded chunk: its first frame, whole (a keyframe) or as a
// difference from the previous chunk's last frame, then the differences
// between its frames.
type Coded struct {
	Deltas   []int `json:"deltas"`
	First    int   `json:"first"`
	Index    int   `json:"index"`
	Keyframe bool  `json:"keyframe"`
	Last     int   `json:"last"` // the decoder's state at the end of the chunk
	Size     int   `json:"size"`
}

// Encode codes a chunk on its own: it must start with a keyframe.
func Encode(_ context.Context, c Chunk) (Coded, error) {
	if len(c.Frames) == 0 {
		return Coded{}, fmt.Errorf("chunk %d has no frames", c.Index)
	}
	out := Coded{Index: c.Index, First: c.Frames[0], Keyframe: true, Last: c.Frames[len(c.Frames)-1], Deltas: []int{}}
	for i := 1; i < len(c.Frames); i++ {
		out.Deltas = append(out.Deltas, c.Frames[i]-c.Frames[i-1])
	}
	out.Size = size(out)
	return out, nil
}

func size(c Coded) int {
	n := InterframeSize * len(c.Deltas)
	if c.Keyframe {
		return n + KeyframeSize
	}
	return n + InterframeSize
}

// RebaseInput is what Rebase, which waits for the previous chunk, receives:
// its own chunk's coding and the previous chunk's rebased coding (nil for
// the first chunk).
type RebaseInput struct {
	Input    Coded  `json:"input"`
	Previous *Coded `json:"previous"`
}

// Rebase recodes a chunk's keyframe as a difference from the state the
// decoder has after the previous chunk. The first chunk keeps its keyframe.
func Rebase(_ context.Context, in RebaseInput) (Coded, error) {
	c := in.Input
	if in.Previous == nil {
		if c.Index != 0 {
			return Coded{}, fmt.Errorf("chunk %d has no previous chunk", c.Index)
		}
		return c, nil
	}
	if in.Previous.Index != c.Index-1 {
		return Coded{}, fmt.Errorf("chunk %d rebased on chunk %d", c.Index, in.Previous.Index)
	}
	c.First -= in.Previous.Last
	c.Keyframe = false
	c.Size = size(c)
	return c, nil
}

// Layout is Plan's output: the chunks to lay out, in order.
type Layout struct {
	Segments []Coded `json:"segments"`
}

// Plan receives the rebased chunks, in order.
func Plan(_ context.Context, chunks []Coded) (Layout, error) {
	for i, c := range chunks {
		if c.Index != i {
			return Layout{}, fmt.Errorf("chunk %d in place %d", c.Index, i)
		}
	}
	return Layout{Segments: chunks}, nil
}

// Placed is a chunk placed in the output stream.
type Placed struct {
	Index    int  `json:"index"`
	Keyframe bool `json:"keyframe"`
	Offset   int  `json:"offset"`
	Size     int  `json:"size"`
}

// StitchInput is what Stitch, which waits for the previous chunk, receives.
type StitchInput struct {
	Input    Coded   `json:"input"`
	Previous *Placed `json:"previous"`
}

// Stitch places a chunk right after the previous one.
func Stitch(_ context.Context, in StitchInput) (Placed, error) {
	p := Placed{Index: in.Input.Index, Keyframe: in.Input.Keyframe, Size: in.Input.Size}
	if in.Previous != nil {
		p.Offset = in.Previous.Offset + in.Previous.Size
	}
	return p, nil
}

// Stream describes the output stream.
type Stream struct {
	Bytes     int   `json:"bytes"`
	Chunks    int   `json:"chunks"`
	Keyframes int   `json:"keyframes"`
	Offsets   []int `json:"offsets"`
	Saved     int   `json:"saved"` // bytes saved by rebasing, against keyframes in every chunk
}

// Publish sums up the stream.
func Publish(_ context.Context, placed []Placed) (Stream, error) {
	s := Stream{Chunks: len(placed), Offsets: []int{}}
	for i, p := range placed {
		if p.Index != i {
			return Stream{}, fmt.Errorf("chunk %d in place %d", p.Index, i)
		}
		if p.Keyframe {
			s.Keyframes++
		}
		s.Offsets = append(s.Offsets, p.Offset)
		s.Bytes = p.Offset + p.Size
	}
	s.Saved = (s.Chunks - s.Keyframes) * (KeyframeSize - InterframeSize)
	return s, nil
}
