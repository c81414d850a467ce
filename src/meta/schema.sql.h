// Migrations of the SQLite schema (doc/format/metadata.md). Migration N brings user_version
// from N-1 to N. Never edit a migration that has shipped: add the next one.
#ifndef ATTEST_META_SCHEMA_SQL_H_
#define ATTEST_META_SCHEMA_SQL_H_

namespace attest::meta {

inline constexpr const char* kMigrations[] = {
    // 1: the whole data model of DESIGN.md.
    R"sql(
CREATE TABLE archive_info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE collections (
  id TEXT PRIMARY KEY, title TEXT, created TEXT NOT NULL);
CREATE TABLE witnesses (
  id TEXT PRIMARY KEY, name TEXT, languages TEXT, community TEXT,
  consent TEXT NOT NULL DEFAULT 'restricted', created TEXT NOT NULL);
CREATE TABLE records (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  collection_id TEXT REFERENCES collections(id),
  witness_id TEXT REFERENCES witnesses(id),
  consent TEXT NOT NULL CHECK (consent IN ('public','research','restricted','sealed','withdrawn')),
  sealed_until TEXT,
  created TEXT NOT NULL,
  withdrawn_at TEXT,
  salt BLOB);
CREATE TABLE versions (
  record_id TEXT NOT NULL REFERENCES records(id),
  version INTEGER NOT NULL,
  manifest BLOB NOT NULL,
  manifest_sha256 TEXT NOT NULL,
  private_json TEXT,
  lang TEXT NOT NULL,
  created TEXT NOT NULL,
  leaf_index INTEGER NOT NULL UNIQUE REFERENCES log_leaves(idx),
  derived_from INTEGER,
  PRIMARY KEY (record_id, version));
CREATE TABLE version_blobs (
  record_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  role TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  size INTEGER NOT NULL,
  PRIMARY KEY (record_id, version, role, sha256),
  FOREIGN KEY (record_id, version) REFERENCES versions(record_id, version));
CREATE INDEX version_blobs_sha256 ON version_blobs(sha256);
CREATE TABLE segments (
  id INTEGER PRIMARY KEY,
  record_id TEXT NOT NULL REFERENCES records(id),
  version INTEGER NOT NULL,
  start_ms INTEGER, end_ms INTEGER,
  page INTEGER, char_start INTEGER, char_end INTEGER,
  lang TEXT, speaker TEXT,
  consent TEXT CHECK (consent IN ('public','research','restricted','sealed','withdrawn')),
  text TEXT);
CREATE INDEX segments_record ON segments(record_id, version);
CREATE TABLE annotations (
  id INTEGER PRIMARY KEY,
  segment_id INTEGER NOT NULL REFERENCES segments(id),
  kind TEXT NOT NULL CHECK (kind IN ('place','date','person','event','topic')),
  value TEXT NOT NULL,
  source TEXT NOT NULL,
  provenance_json TEXT,
  created TEXT NOT NULL);
CREATE TABLE events (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, place TEXT, start_time TEXT, end_time TEXT);
CREATE TABLE event_segments (
  event_id TEXT NOT NULL REFERENCES events(id),
  segment_id INTEGER NOT NULL REFERENCES segments(id),
  PRIMARY KEY (event_id, segment_id));
CREATE TABLE consent_changes (
  id INTEGER PRIMARY KEY,
  record_id TEXT NOT NULL REFERENCES records(id),
  segment_id INTEGER REFERENCES segments(id),
  from_level TEXT, to_level TEXT NOT NULL, reason TEXT, at TEXT NOT NULL,
  leaf_index INTEGER REFERENCES log_leaves(idx));
CREATE TABLE withdrawals (
  record_id TEXT PRIMARY KEY REFERENCES records(id),
  reason TEXT NOT NULL, at TEXT NOT NULL,
  leaf_index INTEGER NOT NULL UNIQUE REFERENCES log_leaves(idx));
CREATE TABLE jobs (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  record_id TEXT REFERENCES records(id),
  version INTEGER,
  state TEXT NOT NULL DEFAULT 'queued'
    CHECK (state IN ('queued','running','done','failed','waiting','cancelled')),
  lease_until TEXT, attempts INTEGER NOT NULL DEFAULT 0, error TEXT,
  created TEXT NOT NULL, updated TEXT NOT NULL);
CREATE TABLE audit (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, target TEXT, detail TEXT,
  prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE TABLE log_leaves (idx INTEGER PRIMARY KEY, data BLOB NOT NULL);
)sql",
    // 2: the archive's list of names (places and people) that search matches across scripts;
    // annotations looked up by kind and value.
    R"sql(
CREATE TABLE names (
  name TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('place','person')),
  created TEXT NOT NULL);
CREATE INDEX annotations_segment ON annotations(segment_id);
CREATE INDEX annotations_kind_value ON annotations(kind, value);
)sql",
    // 3: ingestion (doc/format/metadata.md#jobs): derivation keys, leases, backoff, outcomes.
    R"sql(
ALTER TABLE versions ADD COLUMN derivation_key TEXT;
CREATE UNIQUE INDEX versions_derivation ON versions(record_id, derivation_key)
  WHERE derivation_key IS NOT NULL;
ALTER TABLE jobs ADD COLUMN not_before TEXT;
ALTER TABLE jobs ADD COLUMN lease_owner TEXT;
ALTER TABLE jobs ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN batch TEXT;
ALTER TABLE jobs ADD COLUMN outcome TEXT;
CREATE UNIQUE INDEX jobs_unique ON jobs(kind, record_id, version);
CREATE INDEX jobs_state ON jobs(state, not_before);
CREATE INDEX jobs_batch ON jobs(batch);
CREATE TABLE imports (
  source_id TEXT PRIMARY KEY,
  record_id TEXT NOT NULL REFERENCES records(id),
  created TEXT NOT NULL);
)sql",
    // 4: the model files the archive's tools read (`attest models`), registered by SHA-256.
    R"sql(
CREATE TABLE models (
  sha256 TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('whisper','embedding')),
  name TEXT NOT NULL,
  path TEXT NOT NULL,
  size INTEGER NOT NULL,
  info TEXT NOT NULL,
  added TEXT NOT NULL);
CREATE INDEX models_kind ON models(kind, added);
)sql",
    // 5: API tokens (`attest token`): only the SHA-256 of each token is kept.
    R"sql(
CREATE TABLE tokens (
  id TEXT PRIMARY KEY,
  sha256 TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('researcher','archivist','admin')),
  label TEXT NOT NULL,
  created TEXT NOT NULL,
  expires TEXT,
  revoked TEXT);
)sql",
    // 6: who changed a consent (`attest consent`), and changes looked up by record.
    R"sql(
ALTER TABLE consent_changes ADD COLUMN changed_by TEXT;
CREATE INDEX consent_changes_record ON consent_changes(record_id, leaf_index);
)sql",
    // 7: what a sealed record opens to on its day (`attest consent ID sealed --until --then`).
    R"sql(
ALTER TABLE records ADD COLUMN sealed_then TEXT
  CHECK (sealed_then IS NULL OR sealed_then IN ('public','research','restricted'));
CREATE INDEX records_sealed ON records(consent, sealed_until);
)sql",
    // 8: witnesses' own links (`attest witness link`), kept as SHA-256 like tokens, and what
    // witnesses ask through them.
    R"sql(
CREATE TABLE witness_links (
  id TEXT PRIMARY KEY,
  sha256 TEXT NOT NULL UNIQUE,
  witness_id TEXT NOT NULL,
  created TEXT NOT NULL,
  revoked TEXT);
CREATE TABLE witness_requests (
  id INTEGER PRIMARY KEY,
  witness_id TEXT NOT NULL,
  record_id TEXT NOT NULL REFERENCES records(id),
  kind TEXT NOT NULL CHECK (kind IN ('consent','withdraw')),
  level TEXT CHECK (level IS NULL OR level IN ('public','research','restricted')),
  message TEXT NOT NULL,
  link_id TEXT NOT NULL,
  created TEXT NOT NULL);
)sql",
    // 9: people's accounts for the portal (`attest user`), Argon2id-hashed, and their sessions,
    // kept as the SHA-256 of the cookie's secret.
    R"sql(
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('researcher','archivist','admin')),
  password TEXT NOT NULL,
  created TEXT NOT NULL,
  disabled TEXT);
CREATE TABLE sessions (
  sha256 TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  csrf TEXT NOT NULL,
  created TEXT NOT NULL,
  expires TEXT NOT NULL);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expires ON sessions(expires);
)sql",
    // 10: witnesses' consent forms (`attest witness ID --consent-form FILE`), kept as blobs
    // that are always encrypted, never logged or indexed.
    R"sql(
CREATE TABLE witness_forms (
  id INTEGER PRIMARY KEY,
  witness_id TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  size INTEGER NOT NULL,
  mime TEXT NOT NULL,
  file_name TEXT NOT NULL,
  added TEXT NOT NULL,
  added_by TEXT NOT NULL);
CREATE INDEX witness_forms_witness ON witness_forms(witness_id, id);
CREATE INDEX witness_forms_sha256 ON witness_forms(sha256);
)sql",
    // 11: redactions (`attest redact`): spans hidden from all but restricted readers, and from
    // the search index for everyone.
    R"sql(
CREATE TABLE redactions (
  id INTEGER PRIMARY KEY,
  record_id TEXT NOT NULL REFERENCES records(id),
  segment_id INTEGER NOT NULL REFERENCES segments(id),
  char_from INTEGER,
  char_to INTEGER,
  doc_from INTEGER,
  doc_to INTEGER,
  start_ms INTEGER,
  end_ms INTEGER,
  reason TEXT NOT NULL,
  by TEXT NOT NULL,
  at TEXT NOT NULL);
CREATE INDEX redactions_record ON redactions(record_id);
)sql",
    // 12: redactions follow their words into other versions; an archivist's confirmation that
    // one need not be placed in a version (doc/format/metadata.md, migration 12).
    R"sql(
ALTER TABLE redactions ADD COLUMN confirms INTEGER;
ALTER TABLE redactions ADD COLUMN confirms_version INTEGER;
)sql",
    // 13: the audit log's views by record (doc/format/metadata.md, migration 13), so that a
    // witness's `seen_by` reads a record's views without scanning the log.
    R"sql(
CREATE TABLE audit_views (
  record_id TEXT NOT NULL,
  entry INTEGER NOT NULL REFERENCES audit(id),
  PRIMARY KEY (record_id, entry)) WITHOUT ROWID;
INSERT OR IGNORE INTO audit_views(record_id, entry)
  SELECT target, id FROM audit WHERE action = 'view' AND target IS NOT NULL AND target != '';
INSERT OR IGNORE INTO audit_views(record_id, entry)
  SELECT j.value, a.id
  FROM audit a,
       json_each(CASE WHEN json_valid(a.detail) THEN a.detail ELSE '{}' END, '$.records') j
  WHERE a.action = 'view' AND (a.target IS NULL OR a.target = '') AND j.type = 'text';
)sql",
    // 14: a witness may ask for a seal (doc/format/metadata.md, migration 14). SQLite keeps a
    // CHECK with the table, so the table is made again with its rows.
    R"sql(
CREATE TABLE witness_requests_14 (
  id INTEGER PRIMARY KEY,
  witness_id TEXT NOT NULL,
  record_id TEXT NOT NULL REFERENCES records(id),
  kind TEXT NOT NULL CHECK (kind IN ('consent','withdraw')),
  level TEXT CHECK (level IS NULL OR level IN ('public','research','restricted','sealed')),
  message TEXT NOT NULL,
  link_id TEXT NOT NULL,
  created TEXT NOT NULL);
INSERT INTO witness_requests_14(id, witness_id, record_id, kind, level, message, link_id, created)
  SELECT id, witness_id, record_id, kind, level, message, link_id, created FROM witness_requests;
DROP TABLE witness_requests;
ALTER TABLE witness_requests_14 RENAME TO witness_requests;
)sql",
    // 15: volunteers, who added each record, researchers' access requests (doc/format/
    // metadata.md, migration 15). users and tokens are made again for their role's CHECK; this
    // migration runs with foreign keys off (kMigrationsWithoutForeignKeys) and checks them.
    R"sql(
CREATE TABLE users_15 (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('volunteer','researcher','archivist','admin')),
  password TEXT NOT NULL,
  created TEXT NOT NULL,
  disabled TEXT);
INSERT INTO users_15(id, name, role, password, created, disabled)
  SELECT id, name, role, password, created, disabled FROM users;
DROP TABLE users;
ALTER TABLE users_15 RENAME TO users;
CREATE TABLE tokens_15 (
  id TEXT PRIMARY KEY,
  sha256 TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('volunteer','researcher','archivist','admin')),
  label TEXT NOT NULL,
  created TEXT NOT NULL,
  expires TEXT,
  revoked TEXT);
INSERT INTO tokens_15(id, sha256, role, label, created, expires, revoked)
  SELECT id, sha256, role, label, created, expires, revoked FROM tokens;
DROP TABLE tokens;
ALTER TABLE tokens_15 RENAME TO tokens;
ALTER TABLE records ADD COLUMN added_by TEXT;
CREATE TABLE access_requests (
  id INTEGER PRIMARY KEY,
  requester TEXT NOT NULL,
  scope TEXT NOT NULL CHECK (scope IN ('collection','record')),
  scope_id TEXT NOT NULL,
  purpose TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('open','granted','refused','cancelled','ended')),
  asked TEXT NOT NULL,
  decided TEXT,
  decided_by TEXT,
  terms TEXT,
  reason TEXT,
  until TEXT);
CREATE INDEX access_requests_requester ON access_requests(requester, id);
CREATE INDEX access_requests_state ON access_requests(state, id);
ALTER TABLE jobs ADD COLUMN progress INTEGER;
CREATE INDEX witness_requests_record ON witness_requests(record_id, kind, created);
)sql",
    // 16: clips and the sessions composed of them (doc/format/metadata.md, migration 16).
    R"sql(
CREATE TABLE clips (
  id TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  record_id TEXT NOT NULL REFERENCES records(id),
  version INTEGER NOT NULL,
  start_ms INTEGER,
  end_ms INTEGER,
  char_start INTEGER,
  char_end INTEGER,
  title TEXT NOT NULL,
  note TEXT NOT NULL,
  created TEXT NOT NULL,
  CHECK ((start_ms IS NOT NULL AND end_ms > start_ms AND char_start IS NULL) OR
         (char_start IS NOT NULL AND char_end > char_start AND start_ms IS NULL)));
CREATE INDEX clips_owner ON clips(owner, created);
CREATE INDEX clips_record ON clips(record_id);
CREATE TABLE clip_sessions (
  id TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  title TEXT NOT NULL,
  audience TEXT NOT NULL,
  target_s INTEGER NOT NULL,
  languages TEXT NOT NULL,
  shared TEXT NOT NULL CHECK (shared IN ('private','researcher','archivist','public')),
  items TEXT NOT NULL,
  revision INTEGER NOT NULL,
  created TEXT NOT NULL,
  updated TEXT NOT NULL);
CREATE INDEX clip_sessions_owner ON clip_sessions(owner, updated);
)sql",
};

// Migrations that remake a table others refer to: run with foreign keys off (they cannot be
// turned off inside a transaction), checked with foreign_key_check before they commit.
inline constexpr int kMigrationsWithoutForeignKeys[] = {15};

}  // namespace attest::meta

#endif  // ATTEST_META_SCHEMA_SQL_H_
