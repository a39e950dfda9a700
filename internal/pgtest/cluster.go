package pgtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// binaries are the paths of the PostgreSQL programs pgtest runs.
type binaries struct {
	initdb, postgres string
}

// findBinaries looks for initdb and postgres in `pg_config --bindir`, then in
// the newest /usr/lib/postgresql/*/bin, then on PATH.
func findBinaries() (binaries, error) {
	var dirs []string
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		dirs = append(dirs, strings.TrimSpace(string(out)))
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(found, func(a, b string) int { return versionOf(b) - versionOf(a) })
	dirs = append(dirs, found...)
	if p, err := exec.LookPath("initdb"); err == nil {
		if p, err = filepath.EvalSymlinks(p); err == nil {
			dirs = append(dirs, filepath.Dir(p))
		}
	}
	for _, d := range dirs {
		b := binaries{initdb: filepath.Join(d, "initdb"), postgres: filepath.Join(d, "postgres")}
		if isExecutable(b.initdb) && isExecutable(b.postgres) {
			return b, nil
		}
	}
	return binaries{}, errors.New("PostgreSQL server binaries (initdb, postgres) not found")
}

// versionOf reads the major version out of /usr/lib/postgresql/NN/bin.
func versionOf(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// cluster is a running throw-away PostgreSQL server.
type cluster struct {
	dir  string // temporary directory holding data, socket and log
	url  string // URL of its postgres database
	cmd  *exec.Cmd
	done <-chan struct{} // closed when the server process has exited
	once sync.Once
	err  error
}

// startCluster initialises a cluster in a new temporary directory and starts
// it. PostgreSQL refuses to run as root, so under root both programs run as
// the postgres user, which owns the directory.
func startCluster(bin binaries) (*cluster, error) {
	cred, err := serverCredential()
	if err != nil {
		return nil, err
	}
	removeStale()
	dir, err := os.MkdirTemp("", dirPrefix)
	if err != nil {
		return nil, fmt.Errorf("start cluster: %w", err)
	}
	// Whoever finds this directory after this process died removes it.
	if err := os.WriteFile(filepath.Join(dir, ownerFile), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start cluster: %w", err)
	}
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("start cluster: %w", err)
		}
	}
	data := filepath.Join(dir, "data")
	initdb := command(cred, dir, bin.initdb, "-D", data, "-U", "postgres", "-A", "trust",
		"-E", "UTF8", "--no-locale", "--no-sync")
	var out bytes.Buffer
	initdb.Stdout, initdb.Stderr = &out, &out
	done, err := start(initdb)
	if err == nil {
		<-done
		if !initdb.ProcessState.Success() {
			err = errors.New(initdb.ProcessState.String())
		}
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %v: %s", err, lastLines(out.String(), 10))
	}
	// A free port can be taken by someone else before the server binds it;
	// try a few.
	for attempt := 0; ; attempt++ {
		c, err := runServer(cred, dir, bin, data)
		if err == nil {
			return c, nil
		}
		if attempt == 2 || !strings.Contains(err.Error(), "could not bind") {
			os.RemoveAll(dir)
			return nil, err
		}
	}
}

// errNoUser means that PostgreSQL cannot be run: the tests run as root and
// there is no postgres user to run it as.
var errNoUser = errors.New("running as root and no postgres user to run PostgreSQL as")

// Names in the temporary directory.
const (
	dirPrefix = "countersign-pgtest-"
	ownerFile = "owner.pid" // the test process's pid
)

// removeStale removes the directories of clusters whose test process died
// without stopping them (killed, say, by SIGKILL). Their servers died with
// them (see command).
func removeStale() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), dirPrefix+"*"))
	for _, dir := range dirs {
		b, err := os.ReadFile(filepath.Join(dir, ownerFile))
		if err != nil {
			continue // not ours, or still being set up
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || pid <= 0 {
			continue
		}
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			os.RemoveAll(dir)
		}
	}
}

// serverCredential returns the postgres user's credential when running as
// root, nil otherwise.
func serverCredential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errNoUser, err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("postgres user has a non-numeric uid or gid")
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// command prepares a program to run as cred (when not nil). Pdeathsig makes
// the kernel send SIGQUIT (PostgreSQL's immediate shutdown) to the program if
// the test binary dies without stopping it, so no server outlives its tests.
// Go sets it after switching user, so the switch does not clear it.
func command(cred *syscall.Credential, dir, name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGQUIT}
	return cmd
}

// start starts cmd and returns a channel closed when it has exited. The
// kernel sends the parent-death signal when the thread that started the
// process exits, not the process (golang.org/issue/27505), so cmd is started
// from a goroutine locked to its thread that lives until cmd exits.
func start(cmd *exec.Cmd) (<-chan struct{}, error) {
	done := make(chan struct{})
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with cmd
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		cmd.Wait()
		close(done)
	}()
	if err := <-started; err != nil {
		return nil, err
	}
	return done, nil
}

// runServer starts postgres on a free port and waits until it answers.
func runServer(cred *syscall.Credential, dir string, bin binaries, data string) (*cluster, error) {
	port, err := freePort()
	if err != nil {
		return nil, fmt.Errorf("start cluster: %w", err)
	}
	logPath := filepath.Join(dir, "server.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("start cluster: %w", err)
	}
	defer logFile.Close()
	cmd := command(cred, dir, bin.postgres, "-D", data, "-p", strconv.Itoa(port), "-k", dir,
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off",
		"-c", "full_page_writes=off", "-c", "max_connections=300")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	done, err := start(cmd)
	if err != nil {
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	c := &cluster{
		dir:  dir,
		url:  fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port),
		cmd:  cmd,
		done: done,
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for {
		conn, err := pgx.Connect(ctx, c.url)
		if err == nil {
			conn.Close(ctx)
			return c, nil
		}
		select {
		case <-c.done:
			log, _ := os.ReadFile(logPath)
			return nil, fmt.Errorf("postgres exited: %s", lastLines(string(log), 10))
		case <-ctx.Done():
			c.stop()
			return nil, fmt.Errorf("postgres did not accept connections within a minute: %w", err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// stop shuts the server down (fast mode, then kill) and removes its directory.
func (c *cluster) stop() error {
	c.once.Do(func() {
		c.cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-c.done:
		case <-time.After(30 * time.Second):
			c.cmd.Process.Kill()
			<-c.done
		}
		c.err = os.RemoveAll(c.dir)
	})
	return c.err
}

// freePort asks the kernel for a port of 127.0.0.1 nobody listens on.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
