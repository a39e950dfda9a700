// Package dlppeer benchmarks the Countersign DLP scanner (package dlp)
// against a peer, gitleaks' detector with its default rules, on the same
// bytes (dlpcorpus.Mixed). It is a module of its own so that the product
// never depends on gitleaks; see bench/dlp-peer.sh.
package dlppeer

import (
	"bytes"
	"context"

	"github.com/countersign/countersign/dlp"
	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/sources"
)

// Countersign is the product's scanner with its built-in detectors.
type Countersign struct{ s *dlp.Scanner }

// NewCountersign compiles dlp.DefaultDetectors.
func NewCountersign() (*Countersign, error) {
	s, err := dlp.NewScanner(dlp.DefaultDetectors())
	if err != nil {
		return nil, err
	}
	return &Countersign{s: s}, nil
}

// Scan scans in with one call, as the gateway does, and returns the number
// of findings.
func (c *Countersign) Scan(in []byte) int { return len(c.s.Scan(in)) }

// Gitleaks is gitleaks' detector built from its default configuration
// (detect.NewDetectorDefaultConfig: the rules of config/gitleaks.toml).
type Gitleaks struct {
	d *detect.Detector
}

// NewGitleaks builds the detector. decodeDepth is the number of decoding
// passes (base64, hex, percent-encoding) over the text: 0 is the library's
// default, 5 the default of the gitleaks command.
func NewGitleaks(decodeDepth int) (*Gitleaks, error) {
	d, err := detect.NewDetectorDefaultConfig()
	if err != nil {
		return nil, err
	}
	d.MaxDecodeDepth = decodeDepth
	return &Gitleaks{d: d}, nil
}

// Scan feeds in to the detector the way `gitleaks stdin` reads its input
// (sources.File: chunks of 100 kB, each extended to a blank line or 25 kB
// more), one fragment after the other on the calling goroutine, and returns
// the number of findings. Unlike Detector.DetectSource it does not keep the
// findings in the detector, so the detector can be reused.
//
// It does not call Detector.DetectBytes on the whole input: gitleaks locates
// every match by walking all the newlines of its fragment and compares the
// findings of a fragment pairwise, so one 64 MiB fragment takes time
// quadratic in its size, which is not how gitleaks scans anything.
func (g *Gitleaks) Scan(in []byte) (int, error) {
	n := 0
	src := &sources.File{Content: bytes.NewReader(in)}
	err := src.Fragments(context.Background(), func(f sources.Fragment, err error) error {
		if err != nil {
			return err
		}
		//lint:ignore SA1019 Detect takes a detect.Fragment; v8 has no other per-fragment entry point.
		n += len(g.d.Detect(detect.Fragment(f)))
		return nil
	})
	return n, err
}
