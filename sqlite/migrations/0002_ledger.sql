-- The evidence tree (docs/evidence-format.md): which event holds each leaf,
-- the node hashes for O(log n) proofs, and the signed checkpoints.
CREATE TABLE ledger_leaves (
	idx  INTEGER PRIMARY KEY,
	seq  INTEGER NOT NULL UNIQUE REFERENCES events (seq),
	hash BLOB    NOT NULL
);
CREATE TABLE ledger_nodes (
	level INTEGER NOT NULL,
	idx   INTEGER NOT NULL,
	hash  BLOB    NOT NULL,
	PRIMARY KEY (level, idx)
) WITHOUT ROWID;
CREATE TABLE ledger_checkpoints (
	size       INTEGER PRIMARY KEY,
	note       TEXT    NOT NULL,
	created_at INTEGER NOT NULL
);
