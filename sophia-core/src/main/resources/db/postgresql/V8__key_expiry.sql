-- API keys that expire and the key a rotated one replaced, as db/migration/V8 on SQLite.
ALTER TABLE api_keys ADD COLUMN expires_at BIGINT;
ALTER TABLE api_keys ADD COLUMN rotated_from TEXT;
-- A second factor for signing in with an admin key (TOTP), as db/migration/V8 on SQLite.
CREATE TABLE key_totp (
  key_id        TEXT PRIMARY KEY,
  secret        TEXT NOT NULL,
  created_at    BIGINT NOT NULL,
  confirmed_at  BIGINT,
  last_step     BIGINT NOT NULL DEFAULT 0
);
