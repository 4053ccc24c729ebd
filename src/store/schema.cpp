#include "store/schema.hpp"

#include <array>

namespace sb::store {
namespace {

// Conventions of the schema:
// - Times are integer Unix milliseconds (core::toUnixMillis).
// - Text compares with SQLite's default BINARY collation: org names, agent IDs and
//   numbers are exact and case-sensitive, as people type them.
// - STRICT tables, so a wrong type is an error instead of a silently stored string.
// - No deferred constraints: a violation must fail the statement (and so the one job
//   that made it), never the shared COMMIT of a whole batch of writes.
// - Which menus an agent may serve is checked in code: agent_menus cannot express
//   "the menu belongs to the agent's org".
constexpr std::string_view kDirectoryAndSessions = R"sql(
CREATE TABLE orgs (
  id                    INTEGER PRIMARY KEY,
  name                  TEXT NOT NULL UNIQUE,
  domain                TEXT NOT NULL UNIQUE,
  timezone              TEXT NOT NULL,
  country_code          TEXT NOT NULL,
  after_login           TEXT NOT NULL,
  after_call            TEXT NOT NULL,
  ring_timeout_s        INTEGER NOT NULL,
  service_level_s       INTEGER NOT NULL,
  password_max_age_days INTEGER NOT NULL,
  created_at            INTEGER NOT NULL,
  updated_at            INTEGER NOT NULL
) STRICT;

-- A number belongs to at most one org; position keeps the order the admin gave.
CREATE TABLE org_numbers (
  number   TEXT PRIMARY KEY,
  org_id   INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  position INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX org_numbers_by_org ON org_numbers (org_id, position);

CREATE TABLE categories (
  org_id   INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  name     TEXT NOT NULL,
  PRIMARY KEY (org_id, position),
  UNIQUE (org_id, name)
) STRICT, WITHOUT ROWID;

CREATE TABLE menus (
  id     INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  digit  TEXT NOT NULL,
  name   TEXT NOT NULL,
  UNIQUE (org_id, digit)
) STRICT;

CREATE TABLE agents (
  key                  INTEGER PRIMARY KEY,
  org_id               INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  agent_id             TEXT NOT NULL,
  name                 TEXT NOT NULL,
  password_hash        TEXT NOT NULL DEFAULT '',
  password_changed_at  INTEGER NOT NULL,
  must_change_password INTEGER NOT NULL DEFAULT 0,
  sip_secret           TEXT NOT NULL DEFAULT '',
  admin                INTEGER NOT NULL DEFAULT 0,
  enabled              INTEGER NOT NULL DEFAULT 1,
  created_at           INTEGER NOT NULL,
  updated_at           INTEGER NOT NULL,
  UNIQUE (org_id, agent_id)
) STRICT;

CREATE TABLE agent_menus (
  agent_key INTEGER NOT NULL REFERENCES agents(key) ON DELETE CASCADE,
  menu_id   INTEGER NOT NULL REFERENCES menus(id) ON DELETE CASCADE,
  PRIMARY KEY (agent_key, menu_id)
) STRICT, WITHOUT ROWID;
-- Deleting a menu looks up its agent_menus rows by menu_id.
CREATE INDEX agent_menus_by_menu ON agent_menus (menu_id);

CREATE TABLE trunks (
  name     TEXT PRIMARY KEY,
  address  TEXT NOT NULL,
  outbound TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- Only SHA-256 hashes of tokens are kept.
CREATE TABLE sessions (
  token_hash BLOB PRIMARY KEY CHECK (length(token_hash) = 32),
  org_id     INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  agent_key  INTEGER NOT NULL REFERENCES agents(key) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  client     TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX sessions_by_agent ON sessions (agent_key);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
)sql";

// C4: the current state of each agent with its start, and every change. States are
// the API's names (acd::toString(AgentState)), causes acd::toString(StateCause). An
// agent without a row has never logged in (Offline).
constexpr std::string_view kAgentStates = R"sql(
CREATE TABLE agent_states (
  agent_key INTEGER PRIMARY KEY REFERENCES agents(key) ON DELETE CASCADE,
  org_id    INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  state     TEXT NOT NULL,
  since     INTEGER NOT NULL
) STRICT;
CREATE INDEX agent_states_by_org ON agent_states (org_id);

CREATE TABLE agent_state_changes (
  id         INTEGER PRIMARY KEY,
  org_id     INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  agent_key  INTEGER NOT NULL REFERENCES agents(key) ON DELETE CASCADE,
  from_state TEXT NOT NULL,
  to_state   TEXT NOT NULL,
  cause      TEXT NOT NULL,
  at         INTEGER NOT NULL
) STRICT;
CREATE INDEX agent_state_changes_by_agent ON agent_state_changes (agent_key, at);
CREATE INDEX agent_state_changes_by_org ON agent_state_changes (org_id, at);
)sql";

// N4/N5, I1–I3, K1: one row per call (written at arrival with result 'in_progress',
// completed at the end), the agents it rang in order, and callback requests.
constexpr std::string_view kCallRecords = R"sql(
CREATE TABLE calls (
  id          INTEGER PRIMARY KEY,
  org_id      INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  caller      TEXT NOT NULL,
  called      TEXT NOT NULL,
  menu        INTEGER,
  agent_key   INTEGER REFERENCES agents(key) ON DELETE SET NULL,
  arrived     INTEGER NOT NULL,
  queued      INTEGER,
  answered    INTEGER,
  ended       INTEGER,
  result      TEXT NOT NULL,
  ended_by    TEXT NOT NULL DEFAULT '',
  recording   TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX calls_by_org ON calls (org_id, arrived);
CREATE INDEX calls_open ON calls (result) WHERE result = 'in_progress';

CREATE TABLE call_offers (
  call_id   INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
  seq       INTEGER NOT NULL,
  agent_key INTEGER NOT NULL,
  PRIMARY KEY (call_id, seq)
) STRICT;

CREATE TABLE callbacks (
  id        INTEGER PRIMARY KEY,
  org_id    INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  call_id   INTEGER NOT NULL,
  number    TEXT NOT NULL,
  menu      INTEGER NOT NULL,
  requested INTEGER NOT NULL,
  done      INTEGER
) STRICT;
CREATE INDEX callbacks_pending ON callbacks (org_id, requested) WHERE done IS NULL;
)sql";

// Issue 5 item 4: a call's direction, hold time and why it ended; each offer's start and
// outcome. closeInterrupted sets end_reason 'interrupted' from now on.
constexpr std::string_view kCallDetails = R"sql(
ALTER TABLE calls ADD COLUMN direction TEXT NOT NULL DEFAULT 'inbound';
ALTER TABLE calls ADD COLUMN hold_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE calls ADD COLUMN end_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE call_offers ADD COLUMN offered INTEGER;
ALTER TABLE call_offers ADD COLUMN outcome TEXT NOT NULL DEFAULT '';
CREATE INDEX calls_by_agent ON calls (agent_key, arrived);
)sql";

// Issue 6: the customer of a call (D2: earlier contacts by number), what a call was
// dialled from (E4), after-call notes (G1–G5), callbacks done or deleted (K1–K2), and
// the audit log of recording access (I4).
constexpr std::string_view kAgentOperations = R"sql(
ALTER TABLE calls ADD COLUMN customer TEXT NOT NULL DEFAULT '';
UPDATE calls SET customer = CASE direction WHEN 'inbound' THEN caller WHEN 'outbound' THEN called ELSE '' END;
ALTER TABLE calls ADD COLUMN callback_id INTEGER;
ALTER TABLE calls ADD COLUMN from_call INTEGER;
CREATE INDEX calls_by_customer ON calls (org_id, customer, arrived) WHERE customer != '';
-- Calls an agent took over by a transfer (an answered offer after the first): `mine`.
CREATE INDEX call_offers_taken_over ON call_offers (agent_key, call_id) WHERE outcome = 'answered' AND seq > 0;

CREATE TABLE call_notes (
  call_id  INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
  author   INTEGER NOT NULL,
  category TEXT NOT NULL,
  text     TEXT NOT NULL,
  created  INTEGER NOT NULL,
  updated  INTEGER NOT NULL,
  PRIMARY KEY (call_id, author)
) STRICT;

-- A callback's id is the id of the call that asked for it (one per call): the event
-- that announces it can name it before the row exists.
CREATE TABLE callbacks_v5 (
  id         INTEGER PRIMARY KEY,
  org_id     INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  call_id    INTEGER NOT NULL UNIQUE,
  number     TEXT NOT NULL,
  menu       INTEGER NOT NULL,
  requested  INTEGER NOT NULL,
  done       INTEGER,
  done_by    INTEGER,
  done_call  INTEGER,
  deleted    INTEGER,
  deleted_by INTEGER
) STRICT;
INSERT OR IGNORE INTO callbacks_v5 (id, org_id, call_id, number, menu, requested, done)
  SELECT call_id, org_id, call_id, number, menu, requested, done FROM callbacks ORDER BY id;
DROP TABLE callbacks;
ALTER TABLE callbacks_v5 RENAME TO callbacks;
CREATE INDEX callbacks_pending ON callbacks (org_id, requested, id) WHERE done IS NULL AND deleted IS NULL;
CREATE INDEX callbacks_done ON callbacks (org_id, done, id) WHERE done IS NOT NULL AND deleted IS NULL;

CREATE TABLE recording_access (
  id         INTEGER PRIMARY KEY,
  org_id     INTEGER NOT NULL,
  call_id    INTEGER NOT NULL,
  agent_key  INTEGER NOT NULL,
  at         INTEGER NOT NULL,
  client_ip  TEXT NOT NULL,
  byte_range TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX recording_access_by_call ON recording_access (call_id, at);
)sql";

// Issue 7: when each answered offer's agent started talking and how long it held the
// customer (per-agent talk and hold time of a transferred call).
constexpr std::string_view kOfferTimes = R"sql(
ALTER TABLE call_offers ADD COLUMN answered INTEGER;
ALTER TABLE call_offers ADD COLUMN hold_ms INTEGER NOT NULL DEFAULT 0;
)sql";

// Issue 7 item 5: the statistics kept per quarter hour (docs/statistics.md, "Roll-ups").
// What each closed call, note and finished state span adds to the buckets its instants
// fall in, written in the same transaction as the record. A bucket is the unix
// milliseconds of its start, a multiple of 900 000: every zone's midnight falls on one.
// The org's figures are the sum of its menus'. An org listed in stats_rollups_pending
// (calls recorded before this migration, or a changed service level) is read from its
// records until a rebuild, day by day from `next_from`, has recounted its buckets.
constexpr std::string_view kStatsRollups = R"sql(
CREATE TABLE stats_menu_buckets (
  org_id               INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  bucket               INTEGER NOT NULL,
  menu                 INTEGER NOT NULL,
  inflow               INTEGER NOT NULL DEFAULT 0,
  answered             INTEGER NOT NULL DEFAULT 0,
  abandoned            INTEGER NOT NULL DEFAULT 0,
  callback             INTEGER NOT NULL DEFAULT 0,
  no_agent             INTEGER NOT NULL DEFAULT 0,
  other                INTEGER NOT NULL DEFAULT 0,
  within_sl            INTEGER NOT NULL DEFAULT 0,
  wait_ms              INTEGER NOT NULL DEFAULT 0,
  wait_answered_ms     INTEGER NOT NULL DEFAULT 0,
  max_wait_ms          INTEGER,
  max_wait_answered_ms INTEGER,
  PRIMARY KEY (org_id, bucket, menu)
) STRICT, WITHOUT ROWID;

CREATE TABLE stats_agent_buckets (
  org_id            INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  bucket            INTEGER NOT NULL,
  agent_key         INTEGER NOT NULL,
  answered          INTEGER NOT NULL DEFAULT 0,
  outbound          INTEGER NOT NULL DEFAULT 0,
  outbound_answered INTEGER NOT NULL DEFAULT 0,
  talk_ms           INTEGER NOT NULL DEFAULT 0,
  talked_calls      INTEGER NOT NULL DEFAULT 0,
  hold_ms           INTEGER NOT NULL DEFAULT 0,
  acw_ms            INTEGER NOT NULL DEFAULT 0,
  break_ms          INTEGER NOT NULL DEFAULT 0,
  missed            INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (org_id, bucket, agent_key)
) STRICT, WITHOUT ROWID;
CREATE INDEX stats_agent_buckets_by_agent ON stats_agent_buckets (agent_key, bucket);

CREATE TABLE stats_category_buckets (
  org_id   INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  bucket   INTEGER NOT NULL,
  category TEXT NOT NULL,
  notes    INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (org_id, bucket, category)
) STRICT, WITHOUT ROWID;

CREATE TABLE stats_rollups_pending (
  org_id    INTEGER PRIMARY KEY REFERENCES orgs(id) ON DELETE CASCADE,
  next_from INTEGER
) STRICT;
INSERT INTO stats_rollups_pending (org_id)
  SELECT id FROM orgs WHERE EXISTS (SELECT 1 FROM calls WHERE calls.org_id = orgs.id)
                         OR EXISTS (SELECT 1 FROM agent_state_changes s WHERE s.org_id = orgs.id);
)sql";

// Issue 8 item 2: the app's "More" screen (L1). Notices and FAQ entries come from the
// import file, matched by `key` within the org, so a re-import keeps their ids; an FAQ
// entry's position is its place in the file. Inquiries are what agents send to support;
// the index by agent serves both their list and the per-agent rate limit.
constexpr std::string_view kContent = R"sql(
CREATE TABLE notices (
  id           INTEGER PRIMARY KEY,
  org_id       INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  key          TEXT NOT NULL,
  title        TEXT NOT NULL,
  body         TEXT NOT NULL,
  published_at INTEGER NOT NULL,
  pinned       INTEGER NOT NULL DEFAULT 0,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  UNIQUE (org_id, key)
) STRICT;
CREATE INDEX notices_listed ON notices (org_id, pinned DESC, published_at DESC, id DESC);

CREATE TABLE faq_entries (
  id       INTEGER PRIMARY KEY,
  org_id   INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  key      TEXT NOT NULL,
  position INTEGER NOT NULL,
  question TEXT NOT NULL,
  answer   TEXT NOT NULL,
  category TEXT NOT NULL DEFAULT '',
  UNIQUE (org_id, key)
) STRICT;
CREATE INDEX faq_entries_in_order ON faq_entries (org_id, position);

CREATE TABLE inquiries (
  id         INTEGER PRIMARY KEY,
  org_id     INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  agent_key  INTEGER NOT NULL REFERENCES agents(key) ON DELETE CASCADE,
  subject    TEXT NOT NULL,
  body       TEXT NOT NULL,
  contact    TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX inquiries_by_org ON inquiries (org_id, created_at, id);
CREATE INDEX inquiries_by_agent ON inquiries (agent_key, created_at, id);
)sql";

constexpr std::array kMigrations{
    Migration{1, kDirectoryAndSessions},
    Migration{2, kAgentStates},
    Migration{3, kCallRecords},
    Migration{4, kCallDetails},
    Migration{5, kAgentOperations},
    Migration{6, kOfferTimes},
    Migration{7, kStatsRollups},
    Migration{8, kContent},
};

}  // namespace

std::span<const Migration> schemaMigrations() {
  return kMigrations;
}

}  // namespace sb::store
