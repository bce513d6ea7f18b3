-- The audit log (issue 17): every change and every refused authentication or authorization,
-- append-only and hash-chained. Each row's hash covers its fields and the previous row's hash;
-- audit_head holds the last row's sequence number and hash, so a removed last row is seen too.
-- Appends lock the audit_head row, so nodes sharing the database extend one chain in turn.

CREATE TABLE audit_log (
  seq          BIGINT PRIMARY KEY,
  at           BIGINT NOT NULL,
  actor_id     TEXT NOT NULL,
  actor_name   TEXT NOT NULL,
  actor_role   TEXT NOT NULL,
  action       TEXT NOT NULL,
  target       TEXT NOT NULL,
  source       TEXT NOT NULL,
  status       INTEGER NOT NULL,
  outcome      TEXT NOT NULL,
  request_id   TEXT NOT NULL,
  prev_hash    TEXT NOT NULL,
  hash         TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TABLE audit_head (
  id    INTEGER PRIMARY KEY CHECK (id = 1),
  seq   BIGINT NOT NULL,
  hash  TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');

CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
