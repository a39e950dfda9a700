package ledger

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// Size limits for the files of a bundle read by ReadBundle: they refuse a
// tar bomb before it fills memory.
const (
	MaxEventsBytes = 4 << 30 // events.jsonl
	maxSmallBytes  = 1 << 20 // every other file
)

// bundleFiles lists the files of a bundle, in the order they are written.
var bundleFiles = []string{pathManifest, pathEvents, pathFirst, pathLast, pathPrefix, pathConsistency, pathAfter, pathAfterProof, pathControls}

func isBundleFile(name string) bool {
	for _, f := range bundleFiles {
		if f == name {
			return true
		}
	}
	return false
}

func limitOf(name string) int64 {
	if name == pathEvents {
		return MaxEventsBytes
	}
	return maxSmallBytes
}

func isTarGz(p string) bool { return strings.HasSuffix(p, ".tar.gz") || strings.HasSuffix(p, ".tgz") }

// files returns the bundle's files by path; the optional ones are absent
// when b has no After.
func (b *Bundle) files() (map[string][]byte, error) {
	m, err := json.MarshalIndent(b.Manifest, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pathManifest, err)
	}
	events, err := formatEvents(b.Leaves)
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{
		pathManifest: append(m, '\n'), pathEvents: events, pathFirst: b.First, pathLast: b.Last,
		pathPrefix: formatHashes(b.Prefix), pathConsistency: formatHashes(b.Consistency), pathControls: b.Controls,
	}
	switch {
	case b.After != nil && b.AfterProof != nil:
		out[pathAfter], out[pathAfterProof] = b.After, formatHashes(b.AfterProof)
	case b.After != nil || b.AfterProof != nil:
		return nil, errNoAfterProof
	}
	return out, nil
}

// WriteBundle writes b to p: a gzip-compressed tar file when p ends in
// .tar.gz or .tgz (refusing to overwrite a file), otherwise a directory,
// created if need be and refused if it exists and is not empty.
func WriteBundle(p string, b *Bundle) error {
	files, err := b.files()
	if err != nil {
		return fmt.Errorf("write bundle: %w", err)
	}
	if isTarGz(p) {
		if err := writeTarGz(p, files); err != nil {
			return fmt.Errorf("write bundle: %w", err)
		}
		return nil
	}
	if err := writeDir(p, files); err != nil {
		return fmt.Errorf("write bundle: %w", err)
	}
	return nil
}

func writeDir(dir string, files map[string][]byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		return fmt.Errorf("%s is not empty", dir)
	}
	for _, name := range bundleFiles {
		data, ok := files[name]
		if !ok {
			continue
		}
		full := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(full, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func writeTarGz(p string, files map[string][]byte) (err error) {
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(p)
		}
	}()
	zw := gzip.NewWriter(f)
	tw := tar.NewWriter(zw)
	for _, name := range bundleFiles {
		data, ok := files[name]
		if !ok {
			continue
		}
		hdr := &tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: int64(len(data)), ModTime: time.Unix(0, 0), Format: tar.FormatPAX}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if _, err := tw.Write(data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return zw.Close()
}

// ReadBundle reads a bundle written by WriteBundle: a directory, or a
// .tar.gz/.tgz file. It refuses absolute paths, "..", links, unknown or
// duplicate entries, missing files and files over the size limits, and
// checks each file's syntax; VerifyBundle checks its content.
func ReadBundle(p string) (*Bundle, error) {
	var files map[string][]byte
	var err error
	if isTarGz(p) {
		files, err = readTarGz(p)
	} else {
		files, err = readDir(p)
	}
	if err != nil {
		return nil, fmt.Errorf("read bundle %s: %w", p, err)
	}
	b, err := fromFiles(files)
	if err != nil {
		return nil, fmt.Errorf("read bundle %s: %w", p, err)
	}
	return b, nil
}

// entryName checks a tar entry's name and returns it cleaned.
func entryName(name string) (string, error) {
	clean := path.Clean(strings.TrimSuffix(name, "/"))
	switch {
	case strings.HasPrefix(name, "/") || filepath.IsAbs(name) || strings.Contains(name, `\`):
		return "", fmt.Errorf("entry %q: absolute or non-portable path", name)
	case clean == ".." || strings.HasPrefix(clean, "../") || strings.Contains(name, "/../") || strings.HasSuffix(name, "/.."):
		return "", fmt.Errorf("entry %q: path leaves the bundle", name)
	}
	return strings.TrimPrefix(clean, "./"), nil
}

func readTarGz(p string) (map[string][]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(zr)
	files := map[string][]byte{}
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		name, err := entryName(hdr.Name)
		if err != nil {
			return nil, err
		}
		switch hdr.Typeflag {
		case tar.TypeDir:
			if name != "checkpoints" && name != "proofs" {
				return nil, fmt.Errorf("entry %q: unknown directory", hdr.Name)
			}
			continue
		case tar.TypeReg:
		default:
			return nil, fmt.Errorf("entry %q: not a regular file", hdr.Name)
		}
		if !isBundleFile(name) {
			return nil, fmt.Errorf("entry %q: not a file of a bundle", hdr.Name)
		}
		if _, dup := files[name]; dup {
			return nil, fmt.Errorf("entry %q: duplicate", hdr.Name)
		}
		if hdr.Size > limitOf(name) {
			return nil, fmt.Errorf("entry %q: %d bytes, over the limit of %d", hdr.Name, hdr.Size, limitOf(name))
		}
		data, err := io.ReadAll(io.LimitReader(tr, hdr.Size))
		if err != nil {
			return nil, fmt.Errorf("entry %q: %w", hdr.Name, err)
		}
		files[name] = data
	}
	// Drain the gzip stream so that its checksum is verified.
	if _, err := io.Copy(io.Discard, io.LimitReader(zr, maxSmallBytes)); err != nil {
		return nil, err
	}
	return files, nil
}

func readDir(dir string) (map[string][]byte, error) {
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(full string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, full)
		if err != nil {
			return err
		}
		name := filepath.ToSlash(rel)
		switch {
		case name == ".":
			return nil
		case d.IsDir() && (name == "checkpoints" || name == "proofs"):
			return nil
		case d.IsDir() || !d.Type().IsRegular() || !isBundleFile(name):
			return fmt.Errorf("%s: not a file of a bundle", name)
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if info.Size() > limitOf(name) {
			return fmt.Errorf("%s: %d bytes, over the limit of %d", name, info.Size(), limitOf(name))
		}
		f, err := os.Open(full)
		if err != nil {
			return err
		}
		defer f.Close()
		data, err := io.ReadAll(io.LimitReader(f, limitOf(name)+1))
		if err != nil {
			return err
		}
		if int64(len(data)) > limitOf(name) {
			return fmt.Errorf("%s: over the limit of %d bytes", name, limitOf(name))
		}
		files[name] = data
		return nil
	})
	return files, err
}

// fromFiles parses the files of a bundle.
func fromFiles(files map[string][]byte) (*Bundle, error) {
	for _, name := range []string{pathManifest, pathEvents, pathFirst, pathLast, pathPrefix, pathConsistency, pathControls} {
		if _, ok := files[name]; !ok {
			return nil, fmt.Errorf("%s: missing", name)
		}
	}
	b := &Bundle{First: files[pathFirst], Last: files[pathLast], Controls: files[pathControls]}
	dec := json.NewDecoder(bytes.NewReader(files[pathManifest]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b.Manifest); err != nil {
		return nil, fmt.Errorf("%s: %w", pathManifest, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%s: data after the manifest", pathManifest)
	}
	var err error
	if b.Leaves, err = parseEvents(files[pathEvents]); err != nil {
		return nil, err
	}
	if b.Prefix, err = parseHashes(pathPrefix, files[pathPrefix]); err != nil {
		return nil, err
	}
	if b.Consistency, err = parseHashes(pathConsistency, files[pathConsistency]); err != nil {
		return nil, err
	}
	after, hasAfter := files[pathAfter]
	proof, hasProof := files[pathAfterProof]
	switch {
	case hasAfter && hasProof:
		b.After = after
		if b.AfterProof, err = parseHashes(pathAfterProof, proof); err != nil {
			return nil, err
		}
	case hasAfter || hasProof:
		return nil, errNoAfterProof
	}
	return b, nil
}
