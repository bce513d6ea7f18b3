-- The audit log (issue 17): every change and every refused authentication or authorization,
-- append-only and hash-chained. Each row's hash covers its fields and the previous row's hash;
-- audit_head holds the last row's sequence number and hash, so a removed last row is seen too.

CREATE TABLE audit_log (
  seq          INTEGER PRIMARY KEY,   -- 1, 2, 3… without gaps
  at           INTEGER NOT NULL,      -- epoch milliseconds
  actor_id     TEXT NOT NULL,         -- the API key's id; '-' when none was valid
  actor_name   TEXT NOT NULL,
  actor_role   TEXT NOT NULL,
  action       TEXT NOT NULL,         -- e.g. 'POST /api/v1/keys', 'keys create (CLI)'
  target       TEXT NOT NULL,         -- the path or object acted on
  source       TEXT NOT NULL,         -- the client's address, or 'local' for the CLI
  status       INTEGER NOT NULL,      -- the HTTP status, 0 for the CLI
  outcome      TEXT NOT NULL,         -- succeeded, failed, denied
  request_id   TEXT NOT NULL,
  prev_hash    TEXT NOT NULL,
  hash         TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TABLE audit_head (
  id    INTEGER PRIMARY KEY CHECK (id = 1),
  seq   INTEGER NOT NULL,
  hash  TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'the audit log is append-only');
END;
