package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"
)

// checkpointInterval is how often the WAL is copied back into the database.
const checkpointInterval = time.Second

// checkpointer copies the WAL into the database file in the background, on a
// connection of its own, so that writers never stall on a checkpoint.
type checkpointer struct {
	db   *sql.DB
	quit chan struct{}
	done chan struct{}
	once sync.Once
}

func (s *Store) startCheckpointer(dsn string) error {
	db, err := sql.Open("sqlite", dsn+"&_synchronous=NORMAL")
	if err != nil {
		return fmt.Errorf("open checkpointer: %w", err)
	}
	db.SetMaxOpenConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	s.cp = checkpointer{db: db, quit: make(chan struct{}), done: make(chan struct{})}
	go s.checkpointLoop()
	return nil
}

func (s *Store) checkpointLoop() {
	defer close(s.cp.done)
	t := time.NewTicker(checkpointInterval)
	defer t.Stop()
	for {
		select {
		case <-s.cp.quit:
			return
		case <-t.C:
			// PASSIVE copies what it can without waiting for readers or
			// the writer; what it cannot copy now, it copies next time.
			// A failure is retried on the next tick; the WAL stays valid.
			_, _ = s.cp.db.ExecContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)")
		}
	}
}

// stopCheckpointer runs a last full checkpoint and stops the checkpointer.
func (s *Store) stopCheckpointer() {
	if s.cp.db == nil {
		return
	}
	s.cp.once.Do(func() {
		close(s.cp.quit)
		<-s.cp.done
		_, _ = s.cp.db.ExecContext(context.Background(), "PRAGMA wal_checkpoint(TRUNCATE)")
		s.cp.db.Close()
	})
}
