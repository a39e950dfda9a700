// Package npmtest finds the npm test peers of the repository: the real MCP
// servers and clients (@modelcontextprotocol/server-postgres,
// server-everything and inspector) pinned in testdata/mcp/package.json and
// package-lock.json and installed into testdata/mcp/node_modules by
//
//	npm ci --prefix testdata/mcp
//
// which `make test` and .ci/run do. When a peer or node itself is missing,
// Bin and Node skip the test with that command, except under CI=true, where
// they fail it: in CI a missing dependency is a failure, not a skip.
package npmtest

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// InstallCommand is the command, run from the repository root, that installs
// the npm test peers.
const InstallCommand = "npm ci --prefix testdata/mcp"

// Dir is the directory of the npm test peers, relative to the repository root.
const Dir = "testdata/mcp"

// Root returns the absolute path of the repository root: the nearest
// directory holding go.mod, walking up from the test's working directory.
func Root(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("npmtest: %v", err)
	}
	for {
		if fi, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil && !fi.IsDir() {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("npmtest: no go.mod above the working directory")
		}
		dir = parent
	}
}

// Bin returns the absolute path of testdata/mcp/node_modules/.bin/NAME, for
// example "mcp-server-everything", "mcp-server-postgres" or "mcp-inspector".
// When it is missing the test is skipped with the install command, or failed
// under CI=true.
func Bin(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(Root(t), Dir, "node_modules", ".bin", name)
	if !isExecutable(p) {
		missing(t, "npm test peer "+name+" is not installed ("+p+" is missing); run from the repository root: "+InstallCommand)
	}
	return p
}

// Node returns the absolute path of the node binary on PATH. When there is
// none the test is skipped, or failed under CI=true.
func Node(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("node")
	if err == nil {
		p, err = filepath.Abs(p)
	}
	if err != nil {
		missing(t, "node is not on PATH ("+err.Error()+"); install Node.js 20 or later, then run from the repository root: "+InstallCommand)
	}
	return p
}

// Command returns a command running NAME (a path from Bin or Node) with ARGS
// in its own process group, so that the whole group (an npm bin and the
// servers it starts) is killed when ctx is done or the test ends. Bound ctx
// with a timeout.
func Command(ctx context.Context, t testing.TB, name string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return killGroup(cmd) }
	cmd.WaitDelay = 5 * time.Second
	t.Cleanup(func() { _ = killGroup(cmd) })
	return cmd
}

// killGroup kills the process group of a started command; it does nothing
// when the command was not started.
func killGroup(cmd *exec.Cmd) error {
	if cmd.Process == nil {
		return nil
	}
	err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	if errors.Is(err, syscall.ESRCH) {
		return os.ErrProcessDone
	}
	return err
}

func missing(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal("npmtest: " + msg)
	}
	t.Skip("npmtest: " + msg)
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}
