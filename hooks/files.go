package hooks

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// maxPreview bounds the text of a file change shown to reviewers; the
// whole change is bound by its SHA-256.
const maxPreview = 4096

// fileChange is the payload of a Write, Edit or MultiEdit call: a custom
// action whose path policy can protect (for example
// action.payload.path.startsWith(".github/workflows/")).
type fileChange struct {
	Tool string `json:"tool"`
	// Path is relative to the session's project (see projectRoot; not the
	// cwd, which a Bash cd moves) when the file is inside it, else
	// absolute; FilePath is always absolute.
	Path     string     `json:"path"`
	FilePath string     `json:"file_path"`
	Edits    []fileEdit `json:"edits"`
	Added    int        `json:"lines_added"`
	Removed  int        `json:"lines_removed"`
	// SHA256 binds the whole change (the written content, or every edit's
	// old and new text) whatever the previews cut.
	SHA256 string `json:"sha256"`
}

// fileEdit is one replacement, or for Write the new content (Old empty).
type fileEdit struct {
	Old        string `json:"old,omitempty"`
	New        string `json:"new"`
	ReplaceAll bool   `json:"replace_all,omitempty"`
	Truncated  bool   `json:"truncated,omitempty"`
}

func (f *fileChange) summary() string {
	return fmt.Sprintf("%s %s (+%d -%d lines)", f.Tool, f.Path, f.Added, f.Removed)
}

// parseFileChange reads a Write ({file_path, content}), Edit ({file_path,
// old_string, new_string, replace_all}) or MultiEdit ({file_path, edits})
// input. A relative file_path is taken from cwd; path is relative to root
// (the project, see projectRoot) when the file is inside it.
func parseFileChange(tool, cwd, root string, resolve func(string) string, raw json.RawMessage) (*fileChange, error) {
	type edit struct {
		Old        string `json:"old_string"`
		New        string `json:"new_string"`
		ReplaceAll bool   `json:"replace_all"`
	}
	var t struct {
		FilePath string `json:"file_path"`
		Content  string `json:"content"`
		edit
		Edits []edit `json:"edits"`
	}
	if err := strict(raw, &t); err != nil {
		return nil, err
	}
	if t.FilePath == "" {
		return nil, fmt.Errorf("no file_path")
	}
	var edits []edit
	switch tool {
	case "Write":
		edits = []edit{{New: t.Content}}
	case "Edit":
		edits = []edit{t.edit}
	default:
		if len(t.Edits) == 0 {
			return nil, fmt.Errorf("MultiEdit without edits")
		}
		edits = t.Edits
	}
	abs := t.FilePath
	if !filepath.IsAbs(abs) && cwd != "" {
		abs = filepath.Join(cwd, abs)
	}
	abs = filepath.Clean(abs)
	if resolve != nil {
		abs = resolve(abs)
		if root != "" {
			root = resolve(filepath.Clean(root))
		}
	}
	fc := &fileChange{Tool: tool, Path: abs, FilePath: abs}
	if root != "" && within(filepath.Clean(root), abs) {
		if rel, err := filepath.Rel(filepath.Clean(root), abs); err == nil {
			fc.Path = filepath.ToSlash(rel)
		}
	}
	h := sha256.New()
	for _, e := range edits {
		for _, s := range []string{e.Old, e.New} {
			fmt.Fprintf(h, "%d:%s", len(s), s) // length-prefixed: no two changes hash alike
		}
		fmt.Fprintf(h, "%t;", e.ReplaceAll)
		fc.Removed += lines(e.Old)
		fc.Added += lines(e.New)
		old, oc := preview(e.Old)
		nw, nc := preview(e.New)
		fc.Edits = append(fc.Edits, fileEdit{Old: old, New: nw, ReplaceAll: e.ReplaceAll, Truncated: oc || nc})
	}
	fc.SHA256 = hex.EncodeToString(h.Sum(nil))
	return fc, nil
}

func lines(s string) int {
	if s == "" {
		return 0
	}
	return strings.Count(strings.TrimSuffix(s, "\n"), "\n") + 1
}

// preview cuts s to maxPreview bytes on a rune boundary.
func preview(s string) (string, bool) {
	if len(s) <= maxPreview {
		return s, false
	}
	cut := maxPreview
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut], true
}

// ResolveExisting resolves the symbolic links of the longest part of an
// absolute path that exists, and keeps the rest as written: the file a
// Write creates, or the file an Edit changes, as the filesystem sees it
// now. (A link made after the hook answered is not seen; policy on paths
// is a guard against mistakes more than against an agent set on evasion.)
func ResolveExisting(path string) string {
	rest := ""
	for dir := filepath.Clean(path); ; dir = filepath.Dir(dir) {
		if real, err := filepath.EvalSymlinks(dir); err == nil {
			return filepath.Join(real, rest)
		}
		if parent := filepath.Dir(dir); parent == dir {
			return filepath.Clean(path)
		}
		rest = filepath.Join(filepath.Base(dir), rest)
	}
}
