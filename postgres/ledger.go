package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/countersign/countersign"
)

// LedgerHead returns the end of the integrated evidence log.
func (s *Store) LedgerHead(ctx context.Context) (countersign.LedgerHead, error) {
	var (
		h      countersign.LedgerHead
		size   *int64
		last   *int64
		note   *string
		cpSize *int64
	)
	err := s.pool.QueryRow(ctx, `SELECT (SELECT MAX(idx) + 1 FROM ledger_leaves),
		(SELECT seq FROM ledger_leaves ORDER BY idx DESC LIMIT 1),
		(SELECT note FROM ledger_checkpoints ORDER BY size DESC LIMIT 1),
		(SELECT MAX(size) FROM ledger_checkpoints)`).Scan(&size, &last, &note, &cpSize) // one statement, one snapshot
	if err != nil {
		return h, fmt.Errorf("ledger head: %w", err)
	}
	if size != nil {
		h.Size = uint64(*size)
	}
	if last != nil {
		h.LastSeq = *last
	}
	if note != nil && cpSize != nil {
		h.Checkpoint, h.CheckpointSize = []byte(*note), uint64(*cpSize)
	}
	return h, nil
}

// AppendLedger stores leaves, nodes and a checkpoint if the log still has
// p.From leaves; replicas integrating at once are serialized by an advisory
// lock, and the loser gets EConflict. Errors: EConflict, EInvalid.
func (s *Store) AppendLedger(ctx context.Context, p countersign.AppendLedgerParams) error {
	for i, l := range p.Leaves {
		if l.Index != p.From+uint64(i) {
			return countersign.Errorf(countersign.EInvalid, "append ledger: leaf %d has index %d, want %d", i, l.Index, p.From+uint64(i))
		}
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, 0)`, lockLedger); err != nil {
			return fmt.Errorf("append ledger: %w", err)
		}
		var size int64
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger_leaves`).Scan(&size); err != nil {
			return fmt.Errorf("append ledger: %w", err)
		}
		if uint64(size) != p.From {
			return countersign.Errorf(countersign.EConflict, "append ledger: the log has %d leaves, not %d", size, p.From)
		}
		// One statement per table: the integrator writes hundreds of rows.
		b := &pgx.Batch{}
		idx, seq, hash := make([]int64, len(p.Leaves)), make([]int64, len(p.Leaves)), make([][]byte, len(p.Leaves))
		for i, l := range p.Leaves {
			idx[i], seq[i], hash[i] = int64(l.Index), l.Seq, l.Hash
		}
		if len(p.Leaves) > 0 {
			b.Queue(`INSERT INTO ledger_leaves (idx, seq, hash) SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bytea[])`, idx, seq, hash)
		}
		var levels []int32
		var nidx []int64
		var nhash [][]byte
		for _, n := range p.Nodes {
			if n.ID.Level == 0 {
				continue // the leaf hashes, kept once in ledger_leaves
			}
			levels, nidx, nhash = append(levels, int32(n.ID.Level)), append(nidx, int64(n.ID.Index)), append(nhash, n.Hash)
		}
		if len(levels) > 0 {
			b.Queue(`INSERT INTO ledger_nodes (level, idx, hash) SELECT * FROM unnest($1::int[], $2::bigint[], $3::bytea[])`, levels, nidx, nhash)
		}
		if p.Checkpoint != nil {
			b.Queue(`INSERT INTO ledger_checkpoints (size, note, created_at) VALUES ($1, $2, $3) ON CONFLICT (size) DO NOTHING`,
				int64(p.From)+int64(len(p.Leaves)), string(p.Checkpoint), nanos(time.Now()))
		}
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("append ledger: %w", err)
		}
		return nil
	})
}

// LedgerNodes returns the hashes of the nodes, in order; level-0 nodes are
// the leaf hashes. Errors: ENotFound.
func (s *Store) LedgerNodes(ctx context.Context, ids []countersign.LedgerNodeID) ([][]byte, error) {
	out := make([][]byte, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	levels := make([]int32, len(ids))
	idxs := make([]int64, len(ids))
	for i, id := range ids {
		levels[i], idxs[i] = int32(id.Level), int64(id.Index)
	}
	rows, err := s.pool.Query(ctx, `SELECT n.level, n.idx, n.hash FROM ledger_nodes n
		JOIN unnest($1::int[], $2::bigint[]) AS w(level, idx) ON n.level = w.level AND n.idx = w.idx WHERE n.level > 0
		UNION ALL
		SELECT 0, l.idx, l.hash FROM ledger_leaves l
		JOIN unnest($1::int[], $2::bigint[]) AS w(level, idx) ON w.level = 0 AND l.idx = w.idx`, levels, idxs)
	if err != nil {
		return nil, fmt.Errorf("ledger nodes: %w", err)
	}
	found := make(map[countersign.LedgerNodeID][]byte, len(ids))
	for rows.Next() {
		var (
			level int32
			idx   int64
			hash  []byte
		)
		if err := rows.Scan(&level, &idx, &hash); err != nil {
			rows.Close()
			return nil, fmt.Errorf("ledger nodes: %w", err)
		}
		found[countersign.LedgerNodeID{Level: uint(level), Index: uint64(idx)}] = hash
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("ledger nodes: %w", err)
	}
	for i, id := range ids {
		h, ok := found[id]
		if !ok {
			return nil, countersign.Errorf(countersign.ENotFound, "ledger node %d/%d is not stored", id.Level, id.Index)
		}
		out[i] = h
	}
	return out, nil
}

// LedgerEntries returns the integrated entries with index in [start, end).
func (s *Store) LedgerEntries(ctx context.Context, start, end uint64) ([]countersign.LedgerEntry, error) {
	return s.ledgerEntries(ctx, `WHERE l.idx >= $1 AND l.idx < $2`, int64(start), int64(end))
}

// LedgerEntriesOf returns the integrated entries of one request.
func (s *Store) LedgerEntriesOf(ctx context.Context, actionID string) ([]countersign.LedgerEntry, error) {
	return s.ledgerEntries(ctx, `WHERE e.action_id = $1`, actionID)
}

func (s *Store) ledgerEntries(ctx context.Context, where string, args ...any) ([]countersign.LedgerEntry, error) {
	rows, err := s.pool.Query(ctx, `SELECT l.idx, l.hash, e.seq, e.time, e.type, COALESCE(e.action_id, ''), e.actor, e.data
		FROM ledger_leaves l JOIN events e ON e.seq = l.seq `+where+` ORDER BY l.idx`, args...)
	if err != nil {
		return nil, fmt.Errorf("ledger entries: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (countersign.LedgerEntry, error) {
		var (
			le   countersign.LedgerEntry
			idx  int64
			at   int64
			data []byte
		)
		err := row.Scan(&idx, &le.Hash, &le.Event.Seq, &at, &le.Event.Type, &le.Event.ActionID, &le.Event.Actor, &data)
		le.Index, le.Event.Time, le.Event.Data = uint64(idx), fromNanos(at), data
		return le, err
	})
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("ledger entries: %w", err)
	}
	return out, nil
}

// LedgerCheckpoint returns the stored checkpoint nearest to size. Errors:
// ENotFound.
func (s *Store) LedgerCheckpoint(ctx context.Context, size uint64, atOrBelow bool) (uint64, []byte, error) {
	q := `SELECT size, note FROM ledger_checkpoints WHERE size >= $1 ORDER BY size LIMIT 1`
	if atOrBelow {
		q = `SELECT size, note FROM ledger_checkpoints WHERE size <= $1 ORDER BY size DESC LIMIT 1`
	}
	var (
		got  int64
		note string
	)
	err := s.pool.QueryRow(ctx, q, int64(size)).Scan(&got, &note)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil, countersign.Errorf(countersign.ENotFound, "no checkpoint near size %d", size)
	}
	if err != nil {
		return 0, nil, fmt.Errorf("ledger checkpoint: %w", err)
	}
	return uint64(got), []byte(note), nil
}

// LedgerIndexAt returns the index of the first entry at or after t.
func (s *Store) LedgerIndexAt(ctx context.Context, t time.Time) (uint64, error) {
	var idx *int64
	err := s.pool.QueryRow(ctx, `SELECT MIN(l.idx) FROM ledger_leaves l JOIN events e ON e.seq = l.seq WHERE e.time >= $1`,
		nanos(t)).Scan(&idx)
	if err != nil {
		return 0, fmt.Errorf("ledger index at: %w", err)
	}
	if idx != nil {
		return uint64(*idx), nil
	}
	h, err := s.LedgerHead(ctx)
	return h.Size, err
}
