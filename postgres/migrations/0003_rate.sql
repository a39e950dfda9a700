-- Rate-limit hits (Store.Hit): one row per hit; at is Unix nanoseconds, UTC,
-- like every other time. A Hit deletes its key's hits that have left the
-- window, so a key keeps about as many rows as it has hits in its window.
-- seq is there only as a primary key, which logical replication needs to
-- replicate those deletes.
CREATE TABLE rate_hits (
	seq bigserial PRIMARY KEY,
	key text      NOT NULL,
	at  bigint    NOT NULL
);
CREATE INDEX rate_hits_key_at ON rate_hits (key, at);
