// Package pgtest gives tests a fresh, empty PostgreSQL database.
//
// The first call to Start in a test binary starts a throw-away cluster from
// the machine's PostgreSQL binaries (found with `pg_config --bindir`, then
// /usr/lib/postgresql/*/bin, then PATH) in a temporary directory, listening on
// a free port of 127.0.0.1; every call then creates its own database in it, so
// tests are isolated and may run in parallel. When COUNTERSIGN_TEST_POSTGRES
// holds a URL, that server is used instead and each database is dropped when
// its test ends.
//
// The cluster lives as long as the test binary: wrap the binary's testing.M
// with Main so that it is stopped and removed when the tests end.
//
//	func TestMain(m *testing.M) {
//		goleak.VerifyTestMain(pgtest.Main(m))
//	}
//
// When the binaries are missing, Start skips the test with a hint to install
// them, except under CI=true, where it fails the test.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the environment variable that points the tests at an existing
// server (a postgres:// URL of a role allowed to CREATE DATABASE).
const EnvURL = "COUNTERSIGN_TEST_POSTGRES"

// installHint is what a test that cannot run says the user should do.
const installHint = "install the postgresql Debian package (apt-get install postgresql) or set " + EnvURL + " to a server URL"

var (
	once     sync.Once
	shared   *cluster // nil when an external server is used
	adminURL string   // URL of a database to run CREATE DATABASE in
	startErr error
	missing  bool // the binaries are not installed
	dbSeq    atomic.Int64
)

// Start returns the URL of a new, empty database that belongs to the calling
// test. It starts the shared cluster on first use.
func Start(t testing.TB) string {
	t.Helper()
	once.Do(setup)
	if startErr != nil {
		if missing && os.Getenv("CI") != "true" {
			t.Skipf("pgtest: %v; %s", startErr, installHint)
		}
		t.Fatalf("pgtest: %v", startErr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name := fmt.Sprintf("test_%d_%d", os.Getpid(), dbSeq.Add(1))
	if err := adminExec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: create database %s: %v", name, err)
	}
	if shared == nil {
		// An external server outlives the test binary: leave nothing behind.
		// Cleanups run last-registered first, so stores closed in a later
		// t.Cleanup are closed before this runs.
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := adminExec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
				t.Errorf("pgtest: drop database %s: %v", name, err)
			}
		})
	}
	u, err := withDatabase(adminURL, name)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return u
}

// Stop stops and removes the cluster Start started, if any. It is safe to call
// more than once and when no cluster was started. Main calls it.
func Stop() error {
	if shared == nil {
		return nil
	}
	return shared.stop()
}

// Runner is what testing.M and goleak.VerifyTestMain have in common.
type Runner interface {
	Run() int
}

type mainRunner struct{ m Runner }

// Run runs the tests, then stops the cluster. A cluster that fails to stop
// fails the run.
func (r mainRunner) Run() int {
	code := r.m.Run()
	if err := Stop(); err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: stop cluster: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// Main wraps a test binary's testing.M so that its Run stops the shared
// cluster when the tests end. Use it as goleak.VerifyTestMain(pgtest.Main(m))
// or os.Exit(pgtest.Main(m).Run()).
func Main(m Runner) Runner { return mainRunner{m: m} }

func setup() {
	if u := os.Getenv(EnvURL); u != "" {
		adminURL = u
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := adminExec(ctx, "SELECT 1"); err != nil {
			startErr = fmt.Errorf("connect to %s: %w", EnvURL, err)
		}
		return
	}
	bin, err := findBinaries()
	if err != nil {
		startErr, missing = err, true
		return
	}
	c, err := startCluster(bin)
	if err != nil {
		startErr, missing = err, errors.Is(err, errNoUser)
		return
	}
	shared, adminURL = c, c.url
}

// adminExec runs one statement on a short-lived connection to adminURL.
func adminExec(ctx context.Context, sql string) error {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, sql)
	return err
}

// withDatabase returns u with its database replaced by name.
func withDatabase(u, name string) (string, error) {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "postgres" && p.Scheme != "postgresql") {
		return "", fmt.Errorf("%s must be a postgres:// URL", EnvURL)
	}
	p.Path = "/" + name
	return p.String(), nil
}
