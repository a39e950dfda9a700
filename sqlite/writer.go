package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sync"

	"github.com/countersign/countersign"
)

// maxBatch bounds how many write transactions share one commit.
const maxBatch = 128

// errClosed is returned for writes after Close: the server is going away,
// so callers are told to retry elsewhere (503).
var errClosed = countersign.Errorf(countersign.EUnavailable, "the store is closed")

// writer runs every write transaction on the one write connection, and
// commits the transactions that queued up while the previous commit ran
// together: group commit. Each transaction runs inside its own SAVEPOINT, so
// one that fails is rolled back alone and the others still commit; they run
// one after another, each seeing the writes of those before it, so the
// result is the same as running them one by one. A caller hears back only
// after the commit that holds its writes.
type writer struct {
	jobs chan *job
	quit chan struct{}
	done chan struct{}
	once sync.Once
}

type job struct {
	ctx  context.Context
	fn   func(context.Context, *sql.Conn) error
	done chan error
}

func (s *Store) startWriter() {
	s.w = writer{jobs: make(chan *job), quit: make(chan struct{}), done: make(chan struct{})}
	go s.writeLoop()
}

// stopWriter lets the batch in progress finish and stops the writer.
func (s *Store) stopWriter() {
	s.w.once.Do(func() {
		close(s.w.quit)
		<-s.w.done
	})
}

// inTx runs fn in a write transaction and returns once it has committed. fn's
// error is returned unchanged, and nothing fn wrote is kept. fn gets a context
// that is never cancelled: SQLite rolls back the whole transaction when a
// statement in it is interrupted, and the transaction is shared with other
// callers; a caller whose context ends while queued is refused before its fn
// starts.
func (s *Store) inTx(ctx context.Context, fn func(context.Context, *sql.Conn) error) error {
	j := &job{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case s.w.jobs <- j:
	case <-ctx.Done():
		return ctx.Err()
	case <-s.w.quit:
		return errClosed
	}
	return <-j.done
}

func (s *Store) writeLoop() {
	defer close(s.w.done)
	for {
		var batch []*job
		select {
		case j := <-s.w.jobs:
			batch = append(batch, j)
		case <-s.w.quit:
			return
		}
	more:
		for len(batch) < maxBatch {
			select {
			case j := <-s.w.jobs:
				batch = append(batch, j)
			default:
				break more
			}
		}
		s.commit(batch)
	}
}

// commit runs a batch in one transaction and tells each job its outcome.
func (s *Store) commit(batch []*job) {
	errs := make([]error, len(batch))
	fail := func(err error) {
		for i := range errs {
			if errs[i] == nil {
				errs[i] = err
			}
		}
	}
	ctx := context.Background()
	tx := s.wconn
	if _, err := s.stmt.begin.ExecContext(ctx); err != nil {
		fail(fmt.Errorf("begin: %w", err))
	} else {
		single := len(batch) == 1
		for i, j := range batch {
			if err := j.ctx.Err(); err != nil {
				errs[i] = err
				continue
			}
			if single {
				errs[i] = run(j, tx)
				break
			}
			if _, err := s.stmt.savepoint.ExecContext(ctx); err != nil {
				fail(fmt.Errorf("savepoint: %w", err))
				break
			}
			if errs[i] = run(j, tx); errs[i] != nil {
				if _, err := s.stmt.rollbackTo.ExecContext(ctx); err != nil {
					fail(fmt.Errorf("rollback to savepoint: %w", err))
					break
				}
			}
			if _, err := s.stmt.release.ExecContext(ctx); err != nil {
				fail(fmt.Errorf("release savepoint: %w", err))
				break
			}
		}
		switch {
		case single && errs[0] != nil:
			s.rollback(ctx)
		case anyNil(errs):
			if _, err := s.stmt.commit.ExecContext(ctx); err != nil {
				// A COMMIT that failed may leave the transaction open.
				s.rollback(ctx)
				commitErr := fmt.Errorf("commit: %w", err)
				for i := range errs {
					if errs[i] == nil {
						errs[i] = commitErr
					}
				}
			}
		default:
			s.rollback(ctx)
		}
	}
	for i, j := range batch {
		j.done <- errs[i]
	}
}

// rollback ends the transaction in progress, if any, undoing it. Its error
// is ignored, as database/sql's Tx.Rollback's was: the jobs already have
// theirs, and it fails above all when there is no transaction left to undo.
func (s *Store) rollback(ctx context.Context) {
	_, _ = s.stmt.rollback.ExecContext(ctx)
}

// run calls a job's fn with a context that is never cancelled, and turns a
// panic into an error so that the writer, and the other jobs, go on.
func run(j *job, tx *sql.Conn) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("write transaction panicked: %v", r)
		}
	}()
	return j.fn(context.WithoutCancel(j.ctx), tx)
}

func anyNil(errs []error) bool {
	for _, e := range errs {
		if e == nil {
			return true
		}
	}
	return false
}
