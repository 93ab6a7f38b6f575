/* sd-migrations.c: the numbered schema migrations of the local store.
 *
 * Migration N brings a database from user_version N-1 to N. They run at open, all pending
 * ones in one transaction, so a crash leaves either the old or the new schema. Never edit a
 * migration that has shipped: add the next one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-store-private.h"

/* The columns of deals, as migration 1 made them and migration 5 made them again. */
#define DEALS_COLUMNS \
  "  id INTEGER PRIMARY KEY," \
  "  b24_id INTEGER," \
  "  remote_modified TEXT," \
  "  dirty INTEGER NOT NULL DEFAULT 0," \
  "  title TEXT NOT NULL CHECK (length(title) > 0)," \
  "  pipeline_id INTEGER NOT NULL REFERENCES pipelines(id)," \
  "  stage_id INTEGER NOT NULL REFERENCES stages(id)," \
  "  amount INTEGER NOT NULL DEFAULT 0 CHECK (amount >= 0),"  /* kopecks */ \
  "  currency TEXT NOT NULL DEFAULT 'RUB'," \
  "  contact_id INTEGER REFERENCES contacts(id)," \
  "  company_id INTEGER REFERENCES companies(id)," \
  "  source TEXT," \
  "  comments TEXT," \
  "  measurement_at TEXT,"        /* local date-time, ISO 8601 */ \
  "  measurement_address TEXT," \
  "  next_contact_on TEXT,"       /* date, ISO 8601 */ \
  "  closed_on TEXT," \
  "  created_by INTEGER REFERENCES users(id)," \
  "  created_at TEXT NOT NULL," \
  "  updated_at TEXT NOT NULL," \
  "  stage_changed_at TEXT NOT NULL"

#define DEALS_STAGE_INDEX "CREATE INDEX deals_stage ON deals(stage_id, id);"
#define DEALS_INDEXES \
  "CREATE INDEX deals_pipeline ON deals(pipeline_id, stage_id, amount);"  /* covers the board totals */ \
  "CREATE INDEX deals_contact ON deals(contact_id);" \
  "CREATE INDEX deals_company ON deals(company_id);"
#define DEALS_B24_INDEX "CREATE UNIQUE INDEX deals_b24 ON deals(b24_id) WHERE b24_id IS NOT NULL;"

/* CHECKs are written as OR chains: SQLite builds a temporary b-tree for each row for an
 * IN list of three or more values, which showed as a seventh of bulk-insert time. */
static const char migration_1[] =
  "CREATE TABLE roles ("
  "  id INTEGER PRIMARY KEY,"
  "  code TEXT NOT NULL UNIQUE,"
  "  name TEXT NOT NULL);"

  "CREATE TABLE departments ("
  "  id INTEGER PRIMARY KEY,"
  "  b24_id INTEGER,"
  "  parent_id INTEGER REFERENCES departments(id),"
  "  name TEXT NOT NULL,"
  "  head_user_id INTEGER REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED);"

  "CREATE TABLE users ("
  "  id INTEGER PRIMARY KEY,"
  "  b24_id INTEGER,"
  "  login TEXT UNIQUE,"
  "  first_name TEXT NOT NULL,"
  "  last_name TEXT NOT NULL,"
  "  second_name TEXT,"
  "  email TEXT,"
  "  phone TEXT,"
  "  position TEXT,"
  "  department_id INTEGER REFERENCES departments(id),"
  "  role_id INTEGER REFERENCES roles(id),"
  "  sales_plan INTEGER NOT NULL DEFAULT 0,"     /* kopecks a month */
  "  active INTEGER NOT NULL DEFAULT 1);"

  "CREATE TABLE pipelines ("
  "  id INTEGER PRIMARY KEY,"
  "  b24_id INTEGER,"
  "  code TEXT NOT NULL UNIQUE,"
  "  name TEXT NOT NULL,"
  "  sort INTEGER NOT NULL DEFAULT 0,"
  "  currency TEXT NOT NULL DEFAULT 'RUB');"

  "CREATE TABLE stages ("
  "  id INTEGER PRIMARY KEY,"
  "  pipeline_id INTEGER NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,"
  "  code TEXT NOT NULL,"
  "  name TEXT NOT NULL,"
  "  sort INTEGER NOT NULL,"
  "  color TEXT NOT NULL DEFAULT '#3584e4',"
  "  semantics TEXT NOT NULL DEFAULT 'process' CHECK (semantics = 'process' OR semantics = 'won' OR semantics = 'lost'),"
  "  b24_status_id TEXT,"
  "  UNIQUE (pipeline_id, code));"

  /* role x stage (the stage names its pipeline) -> SdAccessAction bits; no row = no access */
  "CREATE TABLE access ("
  "  id INTEGER PRIMARY KEY,"
  "  role_id INTEGER NOT NULL REFERENCES roles(id) ON DELETE CASCADE,"
  "  stage_id INTEGER NOT NULL REFERENCES stages(id) ON DELETE CASCADE,"
  "  actions INTEGER NOT NULL,"
  "  UNIQUE (role_id, stage_id));"

  /* A field without a pipeline is shared by every pipeline; "entity" says whose values
   * it holds: a deal's (deal_fields) or a contact's (contact_fields). */
  "CREATE TABLE custom_fields ("
  "  id INTEGER PRIMARY KEY,"
  "  pipeline_id INTEGER REFERENCES pipelines(id) ON DELETE CASCADE,"
  "  entity TEXT NOT NULL DEFAULT 'deal' CHECK (entity = 'deal' OR entity = 'contact'),"
  "  code TEXT NOT NULL,"
  "  name TEXT NOT NULL,"
  "  kind TEXT NOT NULL CHECK (kind = 'string' OR kind = 'number' OR kind = 'date' OR kind = 'bool' OR kind = 'list'),"
  "  required INTEGER NOT NULL DEFAULT 0,"
  "  b24_field TEXT,"
  "  sort INTEGER NOT NULL DEFAULT 0);"
  /* UNIQUE (pipeline_id, code) would let shared fields repeat a code: NULLs differ. */
  "CREATE UNIQUE INDEX custom_fields_code ON custom_fields(coalesce(pipeline_id, 0), code);"

  "CREATE TABLE custom_field_options ("
  "  id INTEGER PRIMARY KEY,"
  "  field_id INTEGER NOT NULL REFERENCES custom_fields(id) ON DELETE CASCADE,"
  "  code TEXT NOT NULL,"
  "  label TEXT NOT NULL,"
  "  sort INTEGER NOT NULL DEFAULT 0,"
  "  b24_id TEXT,"
  "  UNIQUE (field_id, code));"

  "CREATE TABLE contacts ("
  "  id INTEGER PRIMARY KEY,"
  "  b24_id INTEGER,"
  "  remote_modified TEXT,"
  "  dirty INTEGER NOT NULL DEFAULT 0,"
  "  first_name TEXT NOT NULL,"
  "  last_name TEXT,"
  "  second_name TEXT,"
  "  client_type TEXT,"
  "  priority INTEGER NOT NULL DEFAULT 0,"
  "  address TEXT,"
  "  comments TEXT,"
  "  created_at TEXT NOT NULL,"
  "  updated_at TEXT NOT NULL);"

  "CREATE TABLE contact_channels ("
  "  id INTEGER PRIMARY KEY,"
  "  contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,"
  "  kind TEXT NOT NULL CHECK (kind = 'phone' OR kind = 'email' OR kind = 'im'),"
  "  value TEXT NOT NULL,"
  "  value_type TEXT NOT NULL DEFAULT 'WORK');"
  "CREATE INDEX contact_channels_contact ON contact_channels(contact_id);"

  "CREATE TABLE contact_fields ("
  "  id INTEGER PRIMARY KEY,"
  "  contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,"
  "  field_id INTEGER NOT NULL REFERENCES custom_fields(id),"
  "  value TEXT,"
  "  UNIQUE (contact_id, field_id));"

  "CREATE TABLE companies ("
  "  id INTEGER PRIMARY KEY,"
  "  b24_id INTEGER,"
  "  remote_modified TEXT,"
  "  dirty INTEGER NOT NULL DEFAULT 0,"
  "  title TEXT NOT NULL,"
  "  inn TEXT,"
  "  kpp TEXT,"
  "  ogrn TEXT,"
  "  address TEXT,"
  "  bank_name TEXT,"
  "  bik TEXT,"
  "  account TEXT,"
  "  corr_account TEXT,"
  "  phone TEXT,"
  "  email TEXT,"
  "  created_at TEXT NOT NULL,"
  "  updated_at TEXT NOT NULL);"

  "CREATE TABLE deals (" DEALS_COLUMNS ");"
  DEALS_STAGE_INDEX
  "CREATE TRIGGER deals_stage_in_pipeline BEFORE INSERT ON deals"
  "  WHEN (SELECT pipeline_id FROM stages WHERE id = NEW.stage_id) IS NOT NEW.pipeline_id"
  "  BEGIN SELECT RAISE(ABORT, 'the stage belongs to another pipeline'); END;"
  "CREATE TRIGGER deals_stage_in_pipeline_update BEFORE UPDATE OF stage_id, pipeline_id ON deals"
  "  WHEN (SELECT pipeline_id FROM stages WHERE id = NEW.stage_id) IS NOT NEW.pipeline_id"
  "  BEGIN SELECT RAISE(ABORT, 'the stage belongs to another pipeline'); END;"
  DEALS_INDEXES

  /* "part" says what the person is responsible for, e.g. before / after the order */
  "CREATE TABLE deal_responsibles ("
  "  id INTEGER PRIMARY KEY,"
  "  deal_id INTEGER NOT NULL REFERENCES deals(id) ON DELETE CASCADE,"
  "  user_id INTEGER NOT NULL REFERENCES users(id),"
  "  part TEXT NOT NULL DEFAULT 'main',"
  "  UNIQUE (deal_id, part));"
  "CREATE INDEX deal_responsibles_user ON deal_responsibles(user_id);"

  "CREATE TABLE deal_fields ("
  "  id INTEGER PRIMARY KEY,"
  "  deal_id INTEGER NOT NULL REFERENCES deals(id) ON DELETE CASCADE,"
  "  field_id INTEGER NOT NULL REFERENCES custom_fields(id),"
  "  value TEXT,"
  "  UNIQUE (deal_id, field_id));"

  "CREATE TABLE deal_answers ("
  "  id INTEGER PRIMARY KEY,"
  "  deal_id INTEGER NOT NULL REFERENCES deals(id) ON DELETE CASCADE,"
  "  question TEXT NOT NULL,"
  "  answer TEXT,"
  "  sort INTEGER NOT NULL DEFAULT 0);"
  "CREATE INDEX deal_answers_deal ON deal_answers(deal_id);"

  "CREATE TABLE payments ("
  "  id INTEGER PRIMARY KEY,"
  "  b24_id INTEGER,"
  "  deal_id INTEGER NOT NULL REFERENCES deals(id) ON DELETE CASCADE,"
  "  amount INTEGER NOT NULL CHECK (amount > 0),"
  "  currency TEXT NOT NULL DEFAULT 'RUB',"
  "  status TEXT NOT NULL CHECK (status = 'paid' OR status = 'planned'),"
  "  due_on TEXT NOT NULL,"       /* planned date, or the date it was paid */
  "  method TEXT NOT NULL DEFAULT 'transfer' CHECK (method = 'cash' OR method = 'card' OR method = 'transfer' OR method = 'online'),"
  "  prepayment INTEGER NOT NULL DEFAULT 0,"
  "  note TEXT);"
  "CREATE INDEX payments_deal ON payments(deal_id, status);"
  "CREATE INDEX payments_due ON payments(due_on);"

  "CREATE TABLE files ("
  "  id INTEGER PRIMARY KEY,"
  "  b24_id INTEGER,"
  "  deal_id INTEGER REFERENCES deals(id) ON DELETE CASCADE,"
  "  kind TEXT NOT NULL DEFAULT 'document' CHECK (kind = 'photo' OR kind = 'document' OR kind = 'plan' OR kind = 'invoice' OR kind = 'act' OR kind = 'estimate' OR kind = 'contract'),"
  "  name TEXT NOT NULL,"
  "  mime_type TEXT,"
  "  size INTEGER NOT NULL DEFAULT 0,"
  "  sha256 TEXT,"
  "  local_path TEXT,"
  "  created_by INTEGER REFERENCES users(id),"
  "  created_at TEXT NOT NULL);"
  "CREATE INDEX files_deal ON files(deal_id, kind);"

  "CREATE TABLE timeline ("
  "  id INTEGER PRIMARY KEY,"
  "  b24_id INTEGER,"
  "  deal_id INTEGER NOT NULL REFERENCES deals(id) ON DELETE CASCADE,"
  "  kind TEXT NOT NULL CHECK (kind = 'comment' OR kind = 'call' OR kind = 'message' OR kind = 'email' OR kind = 'automation'),"
  "  text TEXT NOT NULL,"
  "  author_id INTEGER REFERENCES users(id),"
  "  created_at TEXT NOT NULL);"
  "CREATE INDEX timeline_deal ON timeline(deal_id, created_at);"

  "CREATE TABLE tasks ("
  "  id INTEGER PRIMARY KEY,"
  "  b24_id INTEGER,"
  "  deal_id INTEGER REFERENCES deals(id) ON DELETE CASCADE,"
  "  title TEXT NOT NULL,"
  "  description TEXT,"
  "  responsible_id INTEGER REFERENCES users(id),"
  "  creator_id INTEGER REFERENCES users(id),"
  "  status TEXT NOT NULL DEFAULT 'pending' CHECK (status = 'pending' OR status = 'in_progress' OR status = 'awaiting_control' OR status = 'completed' OR status = 'deferred'),"
  "  needs_acceptance INTEGER NOT NULL DEFAULT 0,"
  "  deadline TEXT,"
  "  start_plan TEXT,"
  "  end_plan TEXT,"
  "  created_at TEXT NOT NULL,"
  "  closed_at TEXT);"
  "CREATE INDEX tasks_deal ON tasks(deal_id);"
  "CREATE INDEX tasks_responsible ON tasks(responsible_id, status);"

  /* Server ids are unique once known; rows made here have none yet and stay out of the
   * index, so inserting them costs no index write. */
  "CREATE UNIQUE INDEX departments_b24 ON departments(b24_id) WHERE b24_id IS NOT NULL;"
  "CREATE UNIQUE INDEX users_b24 ON users(b24_id) WHERE b24_id IS NOT NULL;"
  "CREATE UNIQUE INDEX pipelines_b24 ON pipelines(b24_id) WHERE b24_id IS NOT NULL;"
  "CREATE UNIQUE INDEX contacts_b24 ON contacts(b24_id) WHERE b24_id IS NOT NULL;"
  "CREATE UNIQUE INDEX companies_b24 ON companies(b24_id) WHERE b24_id IS NOT NULL;"
  DEALS_B24_INDEX
  "CREATE UNIQUE INDEX payments_b24 ON payments(b24_id) WHERE b24_id IS NOT NULL;"
  "CREATE UNIQUE INDEX files_b24 ON files(b24_id) WHERE b24_id IS NOT NULL;"
  "CREATE UNIQUE INDEX timeline_b24 ON timeline(b24_id) WHERE b24_id IS NOT NULL;"
  "CREATE UNIQUE INDEX tasks_b24 ON tasks(b24_id) WHERE b24_id IS NOT NULL;"

  /* The outbox: one row a change made through the write API, in the same transaction. */
  "CREATE TABLE journal ("
  "  id INTEGER PRIMARY KEY,"
  "  entity TEXT NOT NULL,"
  "  entity_id INTEGER NOT NULL,"
  "  deal_id INTEGER,"             /* the deal a row belongs to, for its timeline */
  "  op TEXT NOT NULL CHECK (op = 'insert' OR op = 'update' OR op = 'delete'),"
  "  changes TEXT NOT NULL,"      /* JSON object: field -> [old, new] */
  "  author_id INTEGER,"
  "  at TEXT NOT NULL,"
  "  origin TEXT NOT NULL DEFAULT 'local',"
  "  pushed_at TEXT);"
  /* Only what is waiting to be sent is looked up by row (the sync's conflict check); the
   * history of a deal by its deal. Fewer indexes: every write pays for each one. */
  "CREATE INDEX journal_deal ON journal(deal_id) WHERE deal_id IS NOT NULL;"
  "CREATE INDEX journal_outbox ON journal(entity, entity_id)"
  "  WHERE pushed_at IS NULL AND origin = 'local';"

  "CREATE TABLE meta ("
  "  key TEXT PRIMARY KEY,"
  "  value TEXT) WITHOUT ROWID;"

  /* Search text is folded by the store (case, ё, phone digits, words split by single
   * spaces) before it gets here, so the tokenizer only splits at spaces. The rowid packs
   * the entity kind and id (see sd-search.c) so that re-indexing one row is a rowid lookup. */
  "CREATE VIRTUAL TABLE search USING fts5("
  "  body, tokenize = 'ascii', prefix = '2 3',"
  "  detail = none, columnsize = 0);";

/* The sync with Bitrix24 (src/bitrix): a creation sent but never confirmed is looked up
 * by its client key before it is sent again, so the journal remembers the attempt; a
 * field both sides changed waits in sync_conflicts (values as JSON literals) for the
 * user's choice; deals find their stage by the portal's STATUS_ID. */
static const char migration_2[] =
  "ALTER TABLE journal ADD COLUMN push_attempted_at TEXT;"

  "CREATE TABLE sync_conflicts ("
  "  id INTEGER PRIMARY KEY,"
  "  entity TEXT NOT NULL,"
  "  entity_id INTEGER NOT NULL,"
  "  field TEXT NOT NULL,"
  "  local_value TEXT NOT NULL,"
  "  remote_value TEXT NOT NULL,"
  "  remote_author_id INTEGER,"     /* the portal's user id of who changed it there */
  "  remote_at TEXT,"               /* the portal's DATE_MODIFY of that change */
  "  created_at TEXT NOT NULL,"
  "  resolved_at TEXT,"
  "  resolution TEXT CHECK (resolution IS NULL OR resolution = 'local' OR resolution = 'remote'));"
  "CREATE UNIQUE INDEX sync_conflicts_open ON sync_conflicts(entity, entity_id, field)"
  "  WHERE resolved_at IS NULL;"

  "CREATE INDEX stages_b24 ON stages(pipeline_id, b24_status_id) WHERE b24_status_id IS NOT NULL;";

/* Automation (issue 6). Numbered 3: migration 2 is the sync's, merged beside this one.
 * These tables are the engine's own state and queues, written in the same transaction as
 * the store writes a rule makes, but not journaled: they are not synced as rows. */
static const char migration_3[] =
  /* One row a rule run: the key (rule, deal, trigger instance) makes replays no-ops. */
  "CREATE TABLE automation_runs ("
  "  key TEXT PRIMARY KEY,"
  "  deal_id INTEGER,"
  "  rule TEXT NOT NULL,"
  "  at TEXT NOT NULL) WITHOUT ROWID;"

  /* Delayed and repeating robots; a stage-bound one lapses when the deal leaves the stage
   * it entered at entered_at. due_at is UTC seconds, so the scan is one index range. */
  "CREATE TABLE automation_timers ("
  "  id INTEGER PRIMARY KEY,"
  "  key TEXT NOT NULL UNIQUE,"
  "  deal_id INTEGER REFERENCES deals(id) ON DELETE CASCADE,"
  "  rule TEXT NOT NULL,"
  "  stage_id INTEGER,"
  "  entered_at TEXT,"
  "  due_at INTEGER NOT NULL,"
  "  repeat_every INTEGER NOT NULL DEFAULT 0,"
  "  occurrence INTEGER NOT NULL DEFAULT 0);"
  "CREATE INDEX automation_timers_due ON automation_timers(due_at, id);"

  /* The bell: in-app notifications for a user, unread until read_at is set. */
  "CREATE TABLE notifications ("
  "  id INTEGER PRIMARY KEY,"
  "  user_id INTEGER NOT NULL REFERENCES users(id),"
  "  deal_id INTEGER REFERENCES deals(id) ON DELETE CASCADE,"
  "  text TEXT NOT NULL,"
  "  rule TEXT,"
  "  created_at TEXT NOT NULL,"
  "  read_at TEXT);"
  "CREATE INDEX notifications_unread ON notifications(user_id, id) WHERE read_at IS NULL;"

  /* Messages waiting for the sync to hand them to the portal: to clients (e-mail, SMS,
   * messenger), to staff (e-mail, SMS, the portal's own notifications) and feed posts. */
  "CREATE TABLE automation_outbox ("
  "  id INTEGER PRIMARY KEY,"
  "  deal_id INTEGER REFERENCES deals(id) ON DELETE CASCADE,"
  "  channel TEXT NOT NULL CHECK (channel = 'email' OR channel = 'sms' OR channel = 'messenger' OR channel = 'im' OR channel = 'feed'),"
  "  user_id INTEGER REFERENCES users(id),"
  "  contact_id INTEGER REFERENCES contacts(id),"
  "  address TEXT,"
  "  subject TEXT,"
  "  body TEXT NOT NULL,"
  "  attachments TEXT,"            /* JSON array of file ids */
  "  rule TEXT,"
  "  created_at TEXT NOT NULL,"
  "  sent_at TEXT);"
  "CREATE INDEX automation_outbox_pending ON automation_outbox(id) WHERE sent_at IS NULL;"

  /* Lead distribution (R-AUTO-3): each candidate's weight, measured once a day, and its
   * smooth weighted round-robin credit. */
  "CREATE TABLE automation_rotation ("
  "  pool TEXT NOT NULL,"
  "  user_id INTEGER NOT NULL REFERENCES users(id),"
  "  weight REAL NOT NULL,"
  "  credit REAL NOT NULL DEFAULT 0,"
  "  measured_on TEXT NOT NULL,"
  "  PRIMARY KEY (pool, user_id)) WITHOUT ROWID;";

/* Automation, R-AUTO-11: the promotion of a seller after a vote of their group. Like
 * migration 3, the engine's own state, not journaled; the position it changes is a user's
 * column, written through the store. */
static const char migration_4[] =
  "CREATE TABLE automation_votes ("
  "  id INTEGER PRIMARY KEY,"
  "  rule TEXT NOT NULL,"                 /* "b2b_sales/$rating" */
  "  candidate_id INTEGER NOT NULL REFERENCES users(id),"
  "  period TEXT NOT NULL,"               /* "2026-01" */
  "  position TEXT NOT NULL,"             /* what the candidate becomes */
  "  question TEXT NOT NULL,"
  "  voters INTEGER NOT NULL,"            /* how many may vote */
  "  share INTEGER NOT NULL,"             /* percent for it needed, exclusive */
  "  opened_at TEXT NOT NULL,"
  "  closes_at INTEGER NOT NULL,"         /* UTC seconds */
  "  closed_at TEXT,"
  "  outcome TEXT CHECK (outcome = 'promoted' OR outcome = 'rejected'),"
  "  UNIQUE (rule, candidate_id, period));"
  "CREATE TABLE automation_ballots ("
  "  vote_id INTEGER NOT NULL REFERENCES automation_votes(id) ON DELETE CASCADE,"
  "  voter_id INTEGER NOT NULL REFERENCES users(id),"
  "  yes INTEGER NOT NULL,"
  "  at TEXT NOT NULL,"
  "  PRIMARY KEY (vote_id, voter_id)) WITHOUT ROWID;";

/* A deal's stage belongs to its pipeline: a foreign key on both columns instead of the
 * triggers that checked it. A trigger makes SQLite keep a statement journal for every
 * insert into deals (each page the insert touches copied first): the deals of a first
 * sync took twice as long to write. SQLite cannot add a constraint to a table, so the
 * table is made again (sqlite.org/lang_altertable.html, "other kinds of changes"), which
 * needs foreign keys off while migrating (sd_store_open). */
static const char migration_5[] =
  "CREATE UNIQUE INDEX stages_in_pipeline ON stages(id, pipeline_id);"
  "CREATE TABLE deals_rebuilt (" DEALS_COLUMNS ","
  "  FOREIGN KEY (stage_id, pipeline_id) REFERENCES stages(id, pipeline_id));"
  "INSERT INTO deals_rebuilt SELECT * FROM deals;"
  "DROP TABLE deals;"
  "ALTER TABLE deals_rebuilt RENAME TO deals;"
  DEALS_STAGE_INDEX
  DEALS_INDEXES
  DEALS_B24_INDEX;

static const char *const migrations[] = {
  migration_1,
  migration_2,
  migration_3,
  migration_4,
  migration_5,
};

guint
sd_store_schema_version (void)
{
  return G_N_ELEMENTS (migrations);
}

gboolean
sd_store_migrate (SdStore  *self,
                  guint     from_version,
                  guint     to_version,
                  GError  **error)
{
  g_return_val_if_fail (to_version <= G_N_ELEMENTS (migrations), FALSE);

  for (guint v = from_version; v < to_version; v++)
    {
      if (!sd_store_exec (self, migrations[v], error))
        {
          g_prefix_error (error, "Migration %u: ", v + 1);
          return FALSE;
        }
    }
  return TRUE;
}
