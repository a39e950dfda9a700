package hooks

import (
	"encoding/json"
	"os"
	"path/filepath"

	"github.com/countersign/countersign/client"
)

// FileGenerations is a client.Generations kept in a JSON file, for hooks that run
// as a new process per call. Writes replace the file atomically; two hooks
// racing may lose a bump, which costs a round trip later.
type FileGenerations struct {
	Path string
}

// DefaultGenerationsPath is $COUNTERSIGN_STATE_DIR/hook-generations.json,
// else under the user's cache directory.
func DefaultGenerationsPath() string {
	dir := os.Getenv("COUNTERSIGN_STATE_DIR")
	if dir == "" {
		if c, err := os.UserCacheDir(); err == nil {
			dir = filepath.Join(c, "countersign")
		} else {
			dir = filepath.Join(os.TempDir(), "countersign-"+os.Getenv("USER"))
		}
	}
	return filepath.Join(dir, "hook-generations.json")
}

func (f FileGenerations) load() map[string]client.GenEntry {
	m := map[string]client.GenEntry{}
	raw, err := os.ReadFile(f.Path)
	if err == nil {
		_ = json.Unmarshal(raw, &m) // a damaged file only costs round trips
	}
	return m
}

func (f FileGenerations) Get(base string) int { return f.load()[base].Gen }

func (f FileGenerations) Bump(base string, used int) {
	m := f.load()
	client.BumpIn(m, base, used)
	if raw, err := json.Marshal(m); err == nil {
		_ = writeState(f.Path, raw) // a lost bump costs a round trip later
	}
}

// writeState writes a hook's state file, in a directory private to the user.
func writeState(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return WriteFileAtomic(path, data, 0o600)
}

// WriteFileAtomic replaces path with data through a temporary file in the
// same directory and a rename, so that a reader sees the old file or the new.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}
