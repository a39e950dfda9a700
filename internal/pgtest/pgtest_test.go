package pgtest_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"go.uber.org/goleak"

	"github.com/countersign/countersign/internal/pgtest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(pgtest.Main(m))
}

func TestStartGivesFreshDatabases(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	urls := []string{pgtest.Start(t), pgtest.Start(t)}
	if urls[0] == urls[1] {
		t.Fatalf("Start twice gave the same URL %q", urls[0])
	}
	names := make([]string, 2)
	for i, u := range urls {
		conn, err := pgx.Connect(ctx, u)
		if err != nil {
			t.Fatalf("connect %s: %v", u, err)
		}
		defer conn.Close(ctx)
		if err := conn.QueryRow(ctx, "SELECT current_database()").Scan(&names[i]); err != nil {
			t.Fatalf("current_database: %v", err)
		}
		var tables int
		err = conn.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").Scan(&tables)
		if err != nil {
			t.Fatalf("count tables: %v", err)
		}
		if tables != 0 {
			t.Errorf("database %s has %d tables, want 0", names[i], tables)
		}
	}
	if names[0] == names[1] {
		t.Errorf("both URLs name database %q, want two databases", names[0])
	}
	// A table in one database is not seen by the other.
	conn, err := pgx.Connect(ctx, urls[0])
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE TABLE only_here (x int)"); err != nil {
		t.Fatalf("create table: %v", err)
	}
	other, err := pgx.Connect(ctx, urls[1])
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(ctx)
	var n int
	if err := other.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE tablename = 'only_here'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("second database sees the first's table: count %d, want 0", n)
	}
}

func TestStartParallel(t *testing.T) {
	t.Parallel()
	for i := range 4 {
		t.Run("db", func(t *testing.T) {
			t.Parallel()
			conn, err := pgx.Connect(context.Background(), pgtest.Start(t))
			if err != nil {
				t.Fatalf("connect %d: %v", i, err)
			}
			defer conn.Close(context.Background())
			var one int
			if err := conn.QueryRow(context.Background(), "SELECT 1").Scan(&one); err != nil || one != 1 {
				t.Errorf("SELECT 1 = %d, %v; want 1, nil", one, err)
			}
		})
	}
}
