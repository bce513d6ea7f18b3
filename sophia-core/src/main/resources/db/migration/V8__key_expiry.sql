-- API keys that expire (a key made to last a while, or a rotated key's old secret during its grace
-- period), and the key a rotated one replaced.
ALTER TABLE api_keys ADD COLUMN expires_at INTEGER;
ALTER TABLE api_keys ADD COLUMN rotated_from TEXT;
