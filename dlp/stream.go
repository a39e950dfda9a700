package dlp

import (
	"bytes"
	"context"
	"fmt"
	"io"
)

// Streams mask input of any size with bounded memory. Input is scanned in
// windows of chunk+overlap bytes; each round emits the first chunk bytes
// (less, if a finding straddles that point: the cut moves to the finding's
// start) and keeps the rest, plus lookBehind bytes already emitted as
// context, for the next round. A finding is never longer than overlap (the
// longest detector window, a private-key block, is 16 KiB), so every
// finding that starts before the cut is seen whole, and detectors see the
// same context on both sides of a cut that they would see in one scan.
const (
	streamChunk      = 64 << 10
	streamOverlap    = 32 << 10
	streamLookBehind = 4 << 10
)

// streamer is the state shared by Reader and Writer.
type streamer struct {
	ctx context.Context
	m   *Masker
	// buf[:done] was emitted already and is kept as look-behind context.
	buf    []byte
	done   int
	counts Counts
	err    error
	// stuck is the pending size of the last round that emitted nothing
	// (a finding straddled it); the next waits for a chunk more.
	stuck int

	chunk, overlap, lookBehind int
}

func newStreamer(ctx context.Context, m *Masker) streamer {
	return streamer{ctx: ctx, m: m, counts: Counts{},
		chunk: streamChunk, overlap: streamOverlap, lookBehind: streamLookBehind}
}

// ready reports whether enough input is pending for a round.
func (s *streamer) ready() bool {
	p := len(s.buf) - s.done
	return p >= s.chunk+s.overlap && p >= s.stuck+s.chunk
}

// round scans the buffer and returns the masked bytes that can be emitted:
// all pending input if final, else up to the cut. It may return nothing if
// a finding straddles the whole round; more input then follows.
func (s *streamer) round(final bool) ([]byte, error) {
	hold := 0
	if !final {
		hold = s.overlap
	}
	return s.roundHolding(hold)
}

// roundHolding is round keeping at least the last hold bytes for later.
func (s *streamer) roundHolding(hold int) ([]byte, error) {
	if s.err != nil {
		return nil, s.err
	}
	if len(s.buf)-s.done > 2*(s.chunk+s.overlap) {
		return nil, s.fail(fmt.Errorf("%w: a finding did not end within %d bytes", ErrWithheld, len(s.buf)-s.done))
	}
	fs, err := s.m.Scan(s.ctx, s.buf)
	if err != nil {
		return nil, s.fail(err)
	}
	cut := len(s.buf) - hold
	final := hold == 0
	for _, f := range fs {
		if f.Start < cut && f.End > cut {
			cut = f.Start
		}
	}
	cut = max(cut, s.done)
	if s.stuck = 0; cut == s.done && !final {
		s.stuck = len(s.buf) - s.done
	}
	var mine []Finding
	for _, f := range fs {
		if f.End <= s.done || f.Start >= cut {
			continue
		}
		// A finding that began in bytes already emitted (which a scan with
		// more context before them did not report) is masked from there.
		f.Start = max(f.Start, s.done) - s.done
		f.End = min(f.End, cut) - s.done
		mine = append(mine, f)
	}
	out, counts, err := Mask(s.buf[s.done:cut], mine, s.m.policy)
	if err != nil {
		return nil, s.fail(fmt.Errorf("%w: %w", ErrWithheld, err))
	}
	s.counts.Add(counts)
	keep := max(0, cut-s.lookBehind)
	n := copy(s.buf, s.buf[keep:])
	s.buf, s.done = s.buf[:n], cut-keep
	return out, nil
}

func (s *streamer) fail(err error) error {
	s.err = err
	s.buf = nil
	return err
}

// Writer masks what is written to it and writes the result to an
// underlying writer. Close flushes what is pending. If a scan fails, the
// Writer writes WithheldNotice in place of the rest of the content and
// every later call returns the error.
type Writer struct {
	w      io.Writer
	s      streamer
	closed bool
}

// NewWriter returns a Writer that masks into w under ctx.
func (m *Masker) NewWriter(ctx context.Context, w io.Writer) *Writer {
	return &Writer{w: w, s: newStreamer(ctx, m)}
}

// Write buffers p and writes out every round that is ready.
func (w *Writer) Write(p []byte) (int, error) {
	if w.s.err != nil {
		return 0, w.s.err
	}
	if w.closed {
		return 0, fmt.Errorf("dlp: write to a closed Writer")
	}
	// Append at most a chunk at a time so a large write does not grow the
	// buffer beyond a round.
	for rest := p; len(rest) > 0; {
		n := min(len(rest), w.s.chunk)
		w.s.buf = append(w.s.buf, rest[:n]...)
		rest = rest[n:]
		for w.s.ready() {
			if err := w.emit(w.s.round(false)); err != nil {
				return 0, err
			}
		}
	}
	return len(p), nil
}

// Flush masks and writes the pending complete lines, for output that
// pauses (a command's log): it keeps back the last incomplete line and an
// unfinished private-key block, and a finding that would straddle the cut
// moves it to the finding's start, so no secret is split. What it emits
// has seen the context of its own lines only, not the lines that follow.
func (w *Writer) Flush() error {
	if w.closed || w.s.err != nil {
		return w.s.err
	}
	pending := w.s.buf[w.s.done:]
	safe := bytes.LastIndexByte(pending, '\n') + 1
	if begin := bytes.LastIndex(pending[:safe], []byte("-----BEGIN ")); begin >= 0 &&
		!bytes.Contains(pending[begin:safe], []byte("-----END ")) {
		safe = begin
	}
	if safe == 0 {
		return nil
	}
	return w.emit(w.s.roundHolding(len(pending) - safe))
}

// Close masks and writes what is pending. It does not close the
// underlying writer.
func (w *Writer) Close() error {
	if w.closed || w.s.err != nil {
		return w.s.err
	}
	w.closed = true
	return w.emit(w.s.round(true))
}

// emit writes the output of a round.
func (w *Writer) emit(out []byte, err error) error {
	if err != nil {
		// Best effort: the reader of the output learns why it stops.
		_, _ = io.WriteString(w.w, "\n"+WithheldNotice+"\n")
		return err
	}
	if _, err := w.w.Write(out); err != nil {
		return w.s.fail(err)
	}
	return nil
}

// Counts returns the masked values per type so far.
func (w *Writer) Counts() Counts { return w.s.counts }

// Reader masks what it reads from an underlying reader. If a scan fails,
// it returns WithheldNotice in place of the rest of the content, then the
// error.
type Reader struct {
	r   io.Reader
	s   streamer
	out []byte
	eof bool
	tmp []byte
}

// NewReader returns a Reader that masks what it reads from r under ctx.
func (m *Masker) NewReader(ctx context.Context, r io.Reader) *Reader {
	return &Reader{r: r, s: newStreamer(ctx, m)}
}

// Read returns masked bytes.
func (r *Reader) Read(p []byte) (int, error) {
	for len(r.out) == 0 {
		if r.s.err != nil {
			return 0, r.s.err
		}
		if r.eof {
			return 0, io.EOF
		}
		if err := r.fill(); err != nil {
			r.out = []byte("\n" + WithheldNotice + "\n")
			r.s.fail(err)
			break
		}
	}
	n := copy(p, r.out)
	r.out = r.out[n:]
	return n, nil
}

// fill reads until a round is ready or the input ends, then runs it.
func (r *Reader) fill() error {
	if r.tmp == nil {
		r.tmp = make([]byte, 32<<10)
	}
	for !r.s.ready() {
		n, err := r.r.Read(r.tmp)
		r.s.buf = append(r.s.buf, r.tmp[:n]...)
		if err == io.EOF {
			r.eof = true
			out, err := r.s.round(true)
			r.out = out
			return err
		}
		if err != nil {
			return fmt.Errorf("%w: read: %w", ErrWithheld, err)
		}
	}
	out, err := r.s.round(false)
	r.out = out
	return err
}

// Counts returns the masked values per type so far.
func (r *Reader) Counts() Counts { return r.s.counts }
