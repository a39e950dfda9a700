package main

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/transparency-dev/merkle/compact"
	"golang.org/x/mod/sumdb/note"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/client"
	"github.com/countersign/countersign/ledger"
)

// evidenceEnv is a server with a few requests of every kind, integrated.
func evidenceEnv(t *testing.T, dsn string) (*env, note.Verifier) {
	t.Helper()
	e := newEnv(t, dsn)
	agent := e.key(countersign.KeyInput{Kind: "agent", Name: "report-bot", Owner: "olive@example.com"})
	dana := e.key(countersign.KeyInput{Kind: "human", Name: "dana@example.com"})
	dave := e.key(countersign.KeyInput{Kind: "human", Name: "dave@example.com"})
	v := e.submit(agent, sqlAction("production", "COPY orders TO STDOUT"))
	for _, k := range []string{dana, dave} {
		e.call(k, "POST", "/v1/actions/"+v.ID+"/reviews", countersign.ReviewInput{Verdict: "approve", Reason: "ok"}, nil)
	}
	e.call(agent, "POST", "/v1/actions/"+v.ID+"/execute", countersign.ExecuteInput{Digest: v.Digest}, nil)
	e.submit(agent, sqlAction("production", "DROP TABLE orders"))
	e.submit(agent, sqlAction("staging", "select 1"))
	r := e.submit(agent, sqlAction("production", "COPY refunds TO STDOUT"))
	e.call(dana, "POST", "/v1/actions/"+r.ID+"/reviews", countersign.ReviewInput{Verdict: "reject", Reason: "no"}, nil)
	if _, err := e.m.Integrator.Integrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	verifier, err := note.NewVerifier(e.m.evidence.verifier)
	if err != nil {
		t.Fatal(err)
	}
	return e, verifier
}

// export collects a bundle from the server and verifies it.
func export(t *testing.T, e *env, after string) (*ledger.Bundle, error) {
	t.Helper()
	ctx := context.Background()
	if _, err := e.m.Integrator.Integrate(ctx); err != nil {
		// A tampered tree stops the integrator; the signed checkpoints
		// already stored still say what the log was.
		t.Logf("integrator: %v", err)
	}
	b, err := exportBundle(ctx, client.New(e.url, e.admin), "", "", after)
	if err != nil {
		return nil, err
	}
	return b, nil
}

// db runs statements on the server's store behind its back, with foreign
// keys unchecked, as a forger with the database's credentials would.
func db(t *testing.T, e *env, stmts ...string) {
	t.Helper()
	ctx := context.Background()
	if e.cfg.Store == "" {
		d, err := sql.Open("sqlite", filepath.Join(e.cfg.Data, "countersign.db")+"?_pragma=foreign_keys(0)&_pragma=busy_timeout(10000)")
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		for _, stmt := range stmts {
			if _, err := d.ExecContext(ctx, stmt); err != nil {
				t.Fatalf("%s: %v", stmt, err)
			}
		}
		return
	}
	c, err := pgx.Connect(ctx, e.cfg.Store)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, "SET session_replication_role = replica"); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range stmts {
		if _, err := c.Exec(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
}

// seqOf returns the seq of the event at leaf index i.
func seqOf(t *testing.T, e *env, i uint64) int64 {
	t.Helper()
	en, err := e.m.Store.LedgerEntries(context.Background(), i, i+1)
	if err != nil || len(en) != 1 {
		t.Fatalf("entry %d: %v", i, err)
	}
	return en[0].Event.Seq
}

// The tamper tests of issue 3: each tampers with the store directly, then
// exports and verifies; verification must fail and say why.
func TestEvidenceTamper(t *testing.T) {
	for name, dsn := range stores(t) {
		t.Run(name, func(t *testing.T) {
			e, v := evidenceEnv(t, dsn())
			good, err := export(t, e, "")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ledger.VerifyBundle(good, v); err != nil {
				t.Fatalf("untampered bundle: %v", err)
			}
			size := good.Manifest.LastSize
			if size < 10 {
				t.Fatalf("log of %d entries is too small for the tests", size)
			}
			k := size / 2
			cases := []struct {
				name  string
				stmts func(e *env) []string
			}{
				{"edited event", func(*env) []string {
					return []string{fmt.Sprintf(`UPDATE events SET actor = 'human:mallory@example.com' WHERE seq = (SELECT seq FROM ledger_leaves WHERE idx = %d)`, k)}
				}},
				{"deleted event", func(*env) []string {
					return []string{fmt.Sprintf(`DELETE FROM ledger_leaves WHERE idx = %d`, k),
						fmt.Sprintf(`UPDATE ledger_leaves SET idx = idx + 1000000 WHERE idx > %d`, k),
						`UPDATE ledger_leaves SET idx = idx - 1000000 - 1 WHERE idx >= 1000000`}
				}},
				{"reordered events", func(e *env) []string {
					a, b := seqOf(t, e, k), seqOf(t, e, k+1)
					return []string{fmt.Sprintf(`UPDATE ledger_leaves SET seq = -1 WHERE idx = %d`, k),
						fmt.Sprintf(`UPDATE ledger_leaves SET seq = %d WHERE idx = %d`, a, k+1),
						fmt.Sprintf(`UPDATE ledger_leaves SET seq = %d WHERE idx = %d`, b, k)}
				}},
				{"inserted event", func(*env) []string {
					return []string{`INSERT INTO events (time, type, action_id, actor, data) VALUES (0, 'review.recorded', 'act_x', 'human:mallory@example.com', '{}')`,
						fmt.Sprintf(`UPDATE ledger_leaves SET idx = idx + 1000000 WHERE idx >= %d`, k),
						`UPDATE ledger_leaves SET idx = idx - 1000000 + 1 WHERE idx >= 1000000`,
						fmt.Sprintf(`INSERT INTO ledger_leaves (idx, seq, hash) SELECT %d, MAX(seq), (SELECT hash FROM ledger_leaves WHERE idx = 0) FROM events`, k)}
				}},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					e, v := evidenceEnv(t, dsn())
					db(t, e, c.stmts(e)...)
					b, err := export(t, e, "")
					if err != nil {
						t.Logf("export refused: %v", err)
						return // a server that cannot even export the tampered log has detected it
					}
					if _, err := ledger.VerifyBundle(b, v); err == nil {
						t.Fatalf("%s went unnoticed", c.name)
					} else {
						t.Logf("detected: %v", err)
					}
				})
			}
			t.Run("checkpoint signed by another key", func(t *testing.T) {
				e, v := evidenceEnv(t, dsn())
				b, err := export(t, e, "")
				if err != nil {
					t.Fatal(err)
				}
				cp, err := ledger.Open(b.Last, v)
				if err != nil {
					t.Fatal(err)
				}
				skey, _, _ := ledger.GenerateKey(nil, cp.Origin)
				other, _ := note.NewSigner(skey)
				b.Last, _ = ledger.Sign(other, cp)
				if _, err := ledger.VerifyBundle(b, v); err == nil {
					t.Fatal("a checkpoint signed by another key went unnoticed")
				}
			})
			t.Run("log rolled back and forked", func(t *testing.T) {
				e, v := evidenceEnv(t, dsn())
				first, err := export(t, e, "")
				if err != nil {
					t.Fatal(err)
				}
				// Roll the tree back to half its size, rewrite an event
				// there, and let the integrator build and sign a new tree.
				half := first.Manifest.LastSize / 2
				db(t, e,
					fmt.Sprintf(`UPDATE events SET actor = 'human:mallory@example.com' WHERE seq = (SELECT seq FROM ledger_leaves WHERE idx = %d)`, half),
					fmt.Sprintf(`DELETE FROM ledger_checkpoints WHERE size > %d`, half),
					fmt.Sprintf(`DELETE FROM ledger_leaves WHERE idx >= %d`, half),
					`DELETE FROM ledger_nodes`)
				rebuildNodes(t, e, half)
				dir := t.TempDir()
				earlier := filepath.Join(dir, "first")
				if err := ledger.WriteBundle(earlier, first); err != nil {
					t.Fatal(err)
				}
				second, err := export(t, e, earlier)
				if err != nil {
					t.Logf("export refused: %v", err)
					return
				}
				if _, err := ledger.VerifyBundle(second, v); err == nil {
					t.Fatal("a forked log went unnoticed by the consistency proof to the earlier bundle")
				} else if !strings.Contains(err.Error(), "after") {
					t.Logf("detected (not by the after proof): %v", err)
				}
			})
		})
	}
}

// rebuildNodes recomputes the node table of the first n leaves, as a
// forger who rolled the log back would, so that the integrator extends it.
func rebuildNodes(t *testing.T, e *env, n uint64) {
	t.Helper()
	ctx := context.Background()
	entries, err := e.m.Store.LedgerEntries(ctx, 0, n)
	if err != nil {
		t.Fatal(err)
	}
	tree := ledger.NewMemoryTree()
	var stmts []string
	for _, en := range entries {
		leaf, _ := ledger.Leaf(en.Index, en.Event)
		h := ledger.LeafHash(leaf)
		tree.Append(h)
		stmts = append(stmts, fmt.Sprintf(`UPDATE ledger_leaves SET hash = %s WHERE idx = %d`, hexLit(e, h), en.Index))
	}
	a, err := ledger.NewAppender(0, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, en := range entries {
		leaf, _ := ledger.Leaf(en.Index, en.Event)
		a.Append(ledger.LeafHash(leaf), func(id compact.NodeID, hash []byte) {
			stmts = append(stmts, fmt.Sprintf(`INSERT INTO ledger_nodes (level, idx, hash) VALUES (%d, %d, %s)`, id.Level, id.Index, hexLit(e, hash)))
		})
	}
	db(t, e, stmts...)
	e.restart() // a new integrator, which loads the forged tree
}

// hexLit writes bytes as an SQL literal of the store's dialect.
func hexLit(e *env, b []byte) string {
	if e.cfg.Store == "" {
		return fmt.Sprintf("X'%x'", b)
	}
	return fmt.Sprintf(`'\x%x'::bytea`, b)
}

// Bundles for a period: --since starts at a stored checkpoint before the
// period, --until ends at one after it, and each verifies on its own and
// chained (--after) to the one before.
func TestEvidenceExportPeriods(t *testing.T) {
	e, v := evidenceEnv(t, "")
	ctx := context.Background()
	start := e.clock.Now()
	e.clock.Advance(time.Hour)
	agent := e.key(countersign.KeyInput{Kind: "agent", Name: "later-bot", Owner: "olive@example.com"})
	for range 3 {
		e.submit(agent, sqlAction("staging", "select 2"))
	}
	if _, err := e.m.Integrator.Integrate(ctx); err != nil {
		t.Fatal(err)
	}
	c := client.New(e.url, e.admin)
	mid := start.Add(30 * time.Minute).Format(time.RFC3339)

	early, err := exportBundle(ctx, c, "", mid, "")
	if err != nil {
		t.Fatal(err)
	}
	late, err := exportBundle(ctx, c, mid, "", "")
	if err != nil {
		t.Fatal(err)
	}
	all, err := exportBundle(ctx, c, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if early.Manifest.FirstSize != 0 || early.Manifest.LastSize >= all.Manifest.LastSize {
		t.Fatalf("--until: sizes %d..%d of %d", early.Manifest.FirstSize, early.Manifest.LastSize, all.Manifest.LastSize)
	}
	if late.Manifest.FirstSize == 0 || late.Manifest.FirstSize > early.Manifest.LastSize || late.Manifest.LastSize != all.Manifest.LastSize {
		t.Fatalf("--since: sizes %d..%d, the early bundle ends at %d of %d", late.Manifest.FirstSize, late.Manifest.LastSize,
			early.Manifest.LastSize, all.Manifest.LastSize)
	}
	for name, b := range map[string]*ledger.Bundle{"early": early, "late": late, "all": all} {
		if _, err := ledger.VerifyBundle(b, v); err != nil {
			t.Errorf("%s bundle: %v", name, err)
		}
	}
	dir := t.TempDir()
	if err := ledger.WriteBundle(filepath.Join(dir, "early"), early); err != nil {
		t.Fatal(err)
	}
	chained, err := exportBundle(ctx, c, mid, "", filepath.Join(dir, "early"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ledger.VerifyBundle(chained, v); err != nil || string(chained.After) != string(early.Last) {
		t.Fatalf("bundle chained to the early one: %v", err)
	}
}
