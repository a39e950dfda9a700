-- The evidence tree (docs/evidence-format.md): which event holds each leaf,
-- the node hashes for O(log n) proofs, and the signed checkpoints.
CREATE TABLE ledger_leaves (
	idx  bigint PRIMARY KEY,
	seq  bigint NOT NULL UNIQUE REFERENCES events (seq),
	hash bytea  NOT NULL
);
CREATE TABLE ledger_nodes (
	level integer NOT NULL,
	idx   bigint  NOT NULL,
	hash  bytea   NOT NULL,
	PRIMARY KEY (level, idx)
);
CREATE TABLE ledger_checkpoints (
	size       bigint PRIMARY KEY,
	note       text   NOT NULL,
	created_at bigint NOT NULL
);
