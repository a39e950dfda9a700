package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/countersign/countersign"
)

// LedgerHead returns the end of the integrated evidence log.
func (s *Store) LedgerHead(ctx context.Context) (countersign.LedgerHead, error) {
	// One statement, so one snapshot: an integrator committing meanwhile
	// cannot make the checkpoint newer than the leaves read.
	var (
		h                  countersign.LedgerHead
		size, last, cpSize sql.NullInt64
		note               sql.NullString
	)
	err := s.read.QueryRowContext(ctx, `SELECT (SELECT MAX(idx) + 1 FROM ledger_leaves),
		(SELECT seq FROM ledger_leaves ORDER BY idx DESC LIMIT 1),
		(SELECT size FROM ledger_checkpoints ORDER BY size DESC LIMIT 1),
		(SELECT note FROM ledger_checkpoints ORDER BY size DESC LIMIT 1)`).Scan(&size, &last, &cpSize, &note)
	if err != nil {
		return h, fmt.Errorf("ledger head: %w", err)
	}
	h.Size, h.LastSeq = uint64(size.Int64), last.Int64
	if note.Valid && cpSize.Valid {
		h.Checkpoint, h.CheckpointSize = []byte(note.String), uint64(cpSize.Int64)
	}
	return h, nil
}

// AppendLedger stores leaves, nodes and a checkpoint if the log still has
// p.From leaves. Errors: EConflict, EInvalid.
func (s *Store) AppendLedger(ctx context.Context, p countersign.AppendLedgerParams) error {
	for i, l := range p.Leaves {
		if l.Index != p.From+uint64(i) {
			return countersign.Errorf(countersign.EInvalid, "append ledger: leaf %d has index %d, want %d", i, l.Index, p.From+uint64(i))
		}
	}
	return s.inTx(ctx, func(ctx context.Context, tx *sql.Conn) error {
		var size int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger_leaves`).Scan(&size); err != nil {
			return fmt.Errorf("append ledger: %w", err)
		}
		if uint64(size) != p.From {
			return countersign.Errorf(countersign.EConflict, "append ledger: the log has %d leaves, not %d", size, p.From)
		}
		// Many rows per statement: the integrator writes hundreds at once.
		if err := insertRows(ctx, tx, "ledger_leaves (idx, seq, hash)", len(p.Leaves), func(i int) []any {
			l := p.Leaves[i]
			return []any{int64(l.Index), l.Seq, l.Hash}
		}); err != nil {
			return fmt.Errorf("append ledger: leaves: %w", err)
		}
		nodes := interiorNodes(p.Nodes)
		if err := insertRows(ctx, tx, "ledger_nodes (level, idx, hash)", len(nodes), func(i int) []any {
			n := nodes[i]
			return []any{n.ID.Level, int64(n.ID.Index), n.Hash}
		}); err != nil {
			return fmt.Errorf("append ledger: nodes: %w", err)
		}
		if p.Checkpoint != nil {
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO ledger_checkpoints (size, note, created_at) VALUES (?, ?, ?)`,
				int64(p.From)+int64(len(p.Leaves)), string(p.Checkpoint), nanos(time.Now())); err != nil {
				return fmt.Errorf("append ledger: checkpoint: %w", err)
			}
		}
		return nil
	})
}

// interiorNodes drops the level-0 nodes: they are the leaf hashes, kept
// once, in ledger_leaves.
func interiorNodes(nodes []countersign.LedgerNode) []countersign.LedgerNode {
	out := make([]countersign.LedgerNode, 0, len(nodes))
	for _, n := range nodes {
		if n.ID.Level > 0 {
			out = append(out, n)
		}
	}
	return out
}

// insertRows inserts n rows into table (with its column list), at most 200
// a statement.
func insertRows(ctx context.Context, tx *sql.Conn, table string, n int, row func(int) []any) error {
	const chunk = 200
	for start := 0; start < n; start += chunk {
		end := min(start+chunk, n)
		var q strings.Builder
		q.WriteString("INSERT INTO " + table + " VALUES ")
		args := make([]any, 0, 3*(end-start))
		for i := start; i < end; i++ {
			if i > start {
				q.WriteByte(',')
			}
			q.WriteString("(?, ?, ?)")
			args = append(args, row(i)...)
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// LedgerNodes returns the hashes of the nodes, in order; level-0 nodes are
// the leaf hashes. Errors: ENotFound.
func (s *Store) LedgerNodes(ctx context.Context, ids []countersign.LedgerNodeID) ([][]byte, error) {
	out := make([][]byte, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	where := []string{"0"}
	args := make([]any, 0, 2*len(ids)+1)
	for _, id := range ids {
		if id.Level > 0 {
			where = append(where, "(level = ? AND idx = ?)")
			args = append(args, id.Level, int64(id.Index))
		}
	}
	rows, err := s.read.QueryContext(ctx, `SELECT level, idx, hash FROM ledger_nodes WHERE `+strings.Join(where, " OR ")+
		` UNION ALL SELECT 0, idx, hash FROM ledger_leaves WHERE idx IN (SELECT value FROM json_each(?))`, append(args, level0(ids))...)
	if err != nil {
		return nil, fmt.Errorf("ledger nodes: %w", err)
	}
	defer rows.Close()
	found := make(map[countersign.LedgerNodeID][]byte, len(ids))
	for rows.Next() {
		var (
			id   countersign.LedgerNodeID
			idx  int64
			hash []byte
		)
		if err := rows.Scan(&id.Level, &idx, &hash); err != nil {
			return nil, fmt.Errorf("ledger nodes: %w", err)
		}
		id.Index = uint64(idx)
		found[id] = hash
	}
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
	return s.ledgerEntries(ctx, `WHERE l.idx >= ? AND l.idx < ?`, int64(start), int64(end))
}

// LedgerEntriesOf returns the integrated entries of one request.
func (s *Store) LedgerEntriesOf(ctx context.Context, actionID string) ([]countersign.LedgerEntry, error) {
	return s.ledgerEntries(ctx, `WHERE e.action_id = ?`, actionID)
}

func (s *Store) ledgerEntries(ctx context.Context, where string, args ...any) ([]countersign.LedgerEntry, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT l.idx, l.hash, e.seq, e.time, e.type, COALESCE(e.action_id, ''), e.actor, e.data
		FROM ledger_leaves l JOIN events e ON e.seq = l.seq `+where+` ORDER BY l.idx`, args...)
	if err != nil {
		return nil, fmt.Errorf("ledger entries: %w", err)
	}
	defer rows.Close()
	var out []countersign.LedgerEntry
	for rows.Next() {
		var (
			le   countersign.LedgerEntry
			idx  int64
			at   int64
			data []byte
		)
		if err := rows.Scan(&idx, &le.Hash, &le.Event.Seq, &at, &le.Event.Type, &le.Event.ActionID, &le.Event.Actor, &data); err != nil {
			return nil, fmt.Errorf("ledger entries: %w", err)
		}
		le.Index, le.Event.Time, le.Event.Data = uint64(idx), fromNanos(at), data
		out = append(out, le)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("ledger entries: %w", err)
	}
	return out, nil
}

// LedgerCheckpoint returns the stored checkpoint nearest to size. Errors:
// ENotFound.
func (s *Store) LedgerCheckpoint(ctx context.Context, size uint64, atOrBelow bool) (uint64, []byte, error) {
	q := `SELECT size, note FROM ledger_checkpoints WHERE size >= ? ORDER BY size LIMIT 1`
	if atOrBelow {
		q = `SELECT size, note FROM ledger_checkpoints WHERE size <= ? ORDER BY size DESC LIMIT 1`
	}
	var (
		got  int64
		note string
	)
	err := s.read.QueryRowContext(ctx, q, int64(size)).Scan(&got, &note)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, countersign.Errorf(countersign.ENotFound, "no checkpoint near size %d", size)
	}
	if err != nil {
		return 0, nil, fmt.Errorf("ledger checkpoint: %w", err)
	}
	return uint64(got), []byte(note), nil
}

// LedgerIndexAt returns the index of the first entry at or after t.
func (s *Store) LedgerIndexAt(ctx context.Context, t time.Time) (uint64, error) {
	var idx sql.NullInt64
	err := s.read.QueryRowContext(ctx, `SELECT MIN(l.idx) FROM ledger_leaves l JOIN events e ON e.seq = l.seq WHERE e.time >= ?`,
		nanos(t)).Scan(&idx)
	if err != nil {
		return 0, fmt.Errorf("ledger index at: %w", err)
	}
	if idx.Valid {
		return uint64(idx.Int64), nil
	}
	h, err := s.LedgerHead(ctx)
	return h.Size, err
}

// level0 returns the indexes of the level-0 ids as a JSON array.
func level0(ids []countersign.LedgerNodeID) string {
	var b strings.Builder
	b.WriteByte('[')
	n := 0
	for _, id := range ids {
		if id.Level == 0 {
			if n > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.FormatUint(id.Index, 10))
			n++
		}
	}
	b.WriteByte(']')
	return b.String()
}
