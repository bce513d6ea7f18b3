-- Sophia's first schema. Times are epoch milliseconds (INTEGER) so that they sort and compare
-- as numbers; JSON columns hold documents owned by the module that writes them.

CREATE TABLE api_keys (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  role        TEXT NOT NULL,
  prefix      TEXT NOT NULL,
  key_hash    TEXT NOT NULL UNIQUE,
  created_at  INTEGER NOT NULL,
  revoked_at  INTEGER
);

CREATE TABLE research_results (
  id             TEXT PRIMARY KEY,
  query          TEXT NOT NULL,
  engine         TEXT NOT NULL,
  mode           TEXT NOT NULL,
  quality_score  REAL NOT NULL,
  sources_found  INTEGER NOT NULL,
  result_json    TEXT NOT NULL,
  created_at     INTEGER NOT NULL
);
CREATE INDEX research_results_created_at ON research_results (created_at);

CREATE TABLE documents (
  collection      TEXT NOT NULL,
  url             TEXT NOT NULL,
  title           TEXT NOT NULL,
  text            TEXT NOT NULL,
  content_hash    TEXT NOT NULL,
  published_date  TEXT NOT NULL,
  fetched_at      INTEGER NOT NULL,
  PRIMARY KEY (collection, url)
);
CREATE INDEX documents_collection_hash ON documents (collection, content_hash);

CREATE TABLE task_executions (
  id           TEXT PRIMARY KEY,
  operation    TEXT NOT NULL,
  status       TEXT NOT NULL,
  started_at   INTEGER NOT NULL,
  finished_at  INTEGER NOT NULL,
  duration_ms  INTEGER NOT NULL,
  detail_json  TEXT NOT NULL
);
CREATE INDEX task_executions_started_at ON task_executions (started_at);

CREATE TABLE performance_metrics (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  name         TEXT NOT NULL,
  value        REAL NOT NULL,
  unit         TEXT NOT NULL,
  labels_json  TEXT NOT NULL,
  recorded_at  INTEGER NOT NULL
);
CREATE INDEX performance_metrics_name_time ON performance_metrics (name, recorded_at);
