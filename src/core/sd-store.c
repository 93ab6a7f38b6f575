/* sd-store.c: opening the database, statements, transactions and change notifications.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-store"

#include "sd-store-private.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

typedef struct
{
  SdEntity   entity;
  gint64     id;
  SdChangeOp op;
} PendingChange;

struct _SdStore
{
  GObject     parent_instance;

  sqlite3    *db;
  char       *path;
  GHashTable *statements;     /* SQL text -> sqlite3_stmt */
  GHashTable *table_statements; /* TableQuery -> sqlite3_stmt, owned by statements */
  gint64      actor;
  char       *origin;
  gboolean    no_journal;
  gint64      fixed_time;
  gint64      iso_second;
  char       *iso_text;

  guint       depth;          /* open transaction levels */
  gboolean    bulk;           /* nested levels have no savepoints (sd_store_begin_bulk) */
  gboolean    bulk_failed;
  GArray     *pending;        /* PendingChange, emitted after the outermost commit */
  GArray     *pending_marks;  /* pending->len at each open level, to drop on rollback */

  GHashTable *access;         /* (role_id << 32 | stage_id) -> actions */
  GHashTable *user_roles;     /* user id -> role id */
  GHashTable *search_pending; /* index rowid of a row to re-index at commit -> SearchState */
};

/* What the search index may hold of a queued row. */
typedef enum {
  SEARCH_INDEXED = 1,   /* an entry, to be replaced */
  SEARCH_NEW,           /* nothing: the row was inserted in this transaction */
} SearchState;

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SdStore, sd_store, G_TYPE_OBJECT)

static void
sd_store_finalize (GObject *object)
{
  SdStore *self = (SdStore *) object;

  g_clear_pointer (&self->table_statements, g_hash_table_unref);
  g_clear_pointer (&self->statements, g_hash_table_unref);
  if (self->db != NULL)
    sqlite3_close_v2 (self->db);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->origin, g_free);
  g_clear_pointer (&self->iso_text, g_free);
  g_clear_pointer (&self->pending, g_array_unref);
  g_clear_pointer (&self->pending_marks, g_array_unref);
  g_clear_pointer (&self->access, g_hash_table_unref);
  g_clear_pointer (&self->user_roles, g_hash_table_unref);
  g_clear_pointer (&self->search_pending, g_hash_table_unref);

  G_OBJECT_CLASS (sd_store_parent_class)->finalize (object);
}

static void
sd_store_class_init (SdStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sd_store_finalize;

  /* SQLite's allocation figures take a process-wide mutex on every allocation, a few
   * million times in a first sync; nothing here reads them. Only possible before SQLite
   * starts, which the first store's opening does. */
  sqlite3_config (SQLITE_CONFIG_MEMSTATUS, 0);

  /**
   * SdStore::changed:
   * @entity: the #SdEntity of the row
   * @id: the row's local id
   * @op: the #SdChangeOp
   *
   * Emitted after a commit, once for each row the transaction changed.
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                                   G_TYPE_UINT, G_TYPE_INT64, G_TYPE_UINT);
}

static void
finalize_statement (gpointer data)
{
  sqlite3_finalize (data);
}

/* The statement cache is looked up a dozen times for every row a sync writes, with SQL
 * texts of a few hundred bytes: eight bytes a step rather than g_str_hash's one. */
static guint
sql_hash (gconstpointer key)
{
  const char *text = key;
  size_t length = strlen (text);
  guint64 hash = length * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15);

  for (size_t i = 0; i < length; i += 8)
    {
      guint64 word = 0;

      memcpy (&word, text + i, MIN (8, length - i));
      hash = (hash ^ word) * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15);
      hash ^= hash >> 29;
    }
  return (guint) (hash ^ (hash >> 32));
}

/* A statement whose SQL is a format with the table of an entity. */
typedef struct
{
  const char *format;
  SdEntity    entity;
} TableQuery;

static guint
table_query_hash (gconstpointer key)
{
  const TableQuery *query = key;

  return g_direct_hash (query->format) * 31 + query->entity;
}

static gboolean
table_query_equal (gconstpointer a,
                   gconstpointer b)
{
  const TableQuery *x = a, *y = b;

  return x->format == y->format && x->entity == y->entity;
}

static void
sd_store_init (SdStore *self)
{
  self->statements = g_hash_table_new_full (sql_hash, g_str_equal, g_free, finalize_statement);
  self->table_statements = g_hash_table_new_full (table_query_hash, table_query_equal, g_free, NULL);
  self->origin = g_strdup ("local");
  self->pending = g_array_new (FALSE, FALSE, sizeof (PendingChange));
  self->pending_marks = g_array_new (FALSE, FALSE, sizeof (guint));
  self->search_pending = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
}

void
sd_store_set_sqlite_error (SdStore    *self,
                           GError    **error,
                           const char *what)
{
  int code = sqlite3_extended_errcode (self->db);
  int primary = code & 0xff;
  SdStoreError kind;

  switch (primary)
    {
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_RANGE:
      kind = SD_STORE_ERROR_INVALID;
      break;
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      kind = SD_STORE_ERROR_CORRUPT;
      break;
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_IOERR:
    case SQLITE_FULL:
      kind = SD_STORE_ERROR_CANNOT_OPEN;
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      kind = SD_STORE_ERROR_BUSY;
      break;
    default:
      kind = SD_STORE_ERROR_FAILED;
    }
  g_set_error (error, SD_STORE_ERROR, kind, "%s: %s", what, sqlite3_errmsg (self->db));
}

sqlite3 *
sd_store_get_db (SdStore *self)
{
  return self->db;
}

/* A cached statement, ready to bind again. */
static sqlite3_stmt *
reused (sqlite3_stmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  return stmt;
}

sqlite3_stmt *
sd_store_prepare (SdStore     *self,
                  const char  *sql,
                  GError     **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->statements, sql);

  if (stmt != NULL)
    return reused (stmt);
  if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL)
      != SQLITE_OK)
    {
      sd_store_set_sqlite_error (self, error, "Cannot prepare a statement");
      return NULL;
    }
  g_hash_table_insert (self->statements, g_strdup (sql), stmt);
  return stmt;
}

sqlite3_stmt *
sd_store_prepare_table (SdStore     *self,
                        const char  *format,
                        SdEntity     entity,
                        GError     **error)
{
  TableQuery query = { format, entity };
  sqlite3_stmt *stmt = g_hash_table_lookup (self->table_statements, &query);
  const char *mark = strstr (format, "%s");
  g_autofree char *head = NULL;
  g_autofree char *sql = NULL;

  if (stmt != NULL)
    return reused (stmt);
  g_return_val_if_fail (mark != NULL, NULL);
  head = g_strndup (format, mark - format);
  sql = g_strconcat (head, sd_entity_info (entity)->table, mark + 2, NULL);
  stmt = sd_store_prepare (self, sql, error);
  if (stmt != NULL)
    g_hash_table_insert (self->table_statements, g_memdup2 (&query, sizeof query), stmt);
  return stmt;
}

gboolean
sd_store_exec (SdStore     *self,
               const char  *sql,
               GError     **error)
{
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    {
      sd_store_set_sqlite_error (self, error, "Database error");
      return FALSE;
    }
  return TRUE;
}

gboolean
sd_store_step_done (SdStore      *self,
                    sqlite3_stmt *stmt,
                    GError      **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      sd_store_set_sqlite_error (self, error, "Cannot write");
      sqlite3_reset (stmt);
      return FALSE;
    }
  sqlite3_reset (stmt);
  return TRUE;
}

static gboolean
read_user_version (SdStore  *self,
                   guint    *out_version,
                   GError  **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (sqlite3_prepare_v2 (self->db, "PRAGMA user_version", -1, &stmt, NULL) != SQLITE_OK)
    {
      sd_store_set_sqlite_error (self, error, "Cannot read the database");
      return FALSE;
    }
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      sd_store_set_sqlite_error (self, error, "Cannot read the database");
      sqlite3_finalize (stmt);
      return FALSE;
    }
  *out_version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return TRUE;
}

/* A new file needs a writable folder; an existing one a writable file and folder (WAL
 * keeps two files beside it). Checked first so a read-only place gets a clear message
 * and nothing is created or changed there. */
static gboolean
check_writable (const char  *path,
                GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, SD_STORE_ERROR, SD_STORE_ERROR_CANNOT_OPEN,
                   "Cannot open the database %s: the folder %s does not exist", path, dir);
      return FALSE;
    }
  if (g_access (dir, W_OK) != 0
      || (g_file_test (path, G_FILE_TEST_EXISTS) && g_access (path, R_OK | W_OK) != 0))
    {
      int saved = errno;
      g_set_error (error, SD_STORE_ERROR, SD_STORE_ERROR_CANNOT_OPEN,
                   "Cannot open the database %s for writing: %s", path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* After a migration: no row refers to one that is not there. */
static gboolean
check_references (SdStore  *self,
                  GError  **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (sqlite3_prepare_v2 (self->db, "PRAGMA foreign_key_check", -1, &stmt, NULL) != SQLITE_OK)
    {
      sd_store_set_sqlite_error (self, error, "Cannot check references");
      return FALSE;
    }
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    g_set_error (error, SD_STORE_ERROR, SD_STORE_ERROR_CORRUPT,
                 "a row of %s refers to a row of %s that is not there",
                 (const char *) sqlite3_column_text (stmt, 0), (const char *) sqlite3_column_text (stmt, 2));
  else if (rc != SQLITE_DONE)
    sd_store_set_sqlite_error (self, error, "Cannot check references");
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE;
}

static gboolean
open_database (SdStore  *self,
               guint     target,
               GError  **error)
{
  guint version = 0;
  gboolean in_memory = g_strcmp0 (self->path, ":memory:") == 0;

  if (!in_memory && !check_writable (self->path, error))
    return FALSE;
  if (sqlite3_open_v2 (self->path, &self->db,
                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                       NULL) != SQLITE_OK)
    {
      sd_store_set_sqlite_error (self, error, "Cannot open the database");
      g_prefix_error (error, "%s: ", self->path);
      return FALSE;
    }
  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, 5000);

  /* Read before writing anything: a foreign or newer file must be left as it was. */
  if (!read_user_version (self, &version, error))
    {
      g_prefix_error (error, "%s is not an Sdelka database or is damaged: ", self->path);
      return FALSE;
    }
  if (version > sd_store_schema_version ())
    {
      g_set_error (error, SD_STORE_ERROR, SD_STORE_ERROR_NEWER_SCHEMA,
                   "%s was made by a newer version of Sdelka (schema %u, this one knows %u); "
                   "it was not changed", self->path, version, sd_store_schema_version ());
      return FALSE;
    }

  if (!sd_store_exec (self, "PRAGMA journal_mode=WAL", error)
      || !sd_store_exec (self, "PRAGMA synchronous=NORMAL", error)
      || !sd_store_exec (self, "PRAGMA cache_size=-32768", error)
      /* Each write is a savepoint; its undo pages stay in memory, not a temp file. */
      || !sd_store_exec (self, "PRAGMA temp_store=MEMORY", error))
    return FALSE;

  if (version < target)
    {
      g_autofree char *set_version = g_strdup_printf ("PRAGMA user_version=%u", target);

      /* Foreign keys are still off: a migration that makes a table again drops the old
       * one, which would otherwise delete the rows that refer to it. They are checked as a
       * whole before the commit instead. */
      if (!sd_store_exec (self, "BEGIN IMMEDIATE", error))
        return FALSE;
      if (!sd_store_migrate (self, version, target, error) || !sd_store_exec (self, set_version, error)
          || !check_references (self, error) || !sd_store_exec (self, "COMMIT", error))
        {
          sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
          g_prefix_error (error, "Cannot upgrade %s: ", self->path);
          return FALSE;
        }
    }
  return sd_store_exec (self, "PRAGMA foreign_keys=ON", error);
}

SdStore *
sd_store_open_at_version (const char  *path,
                          guint        version,
                          GError     **error)
{
  g_autoptr(SdStore) self = g_object_new (SD_TYPE_STORE, NULL);

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (version <= sd_store_schema_version (), NULL);

  self->path = g_strdup (path);
  if (!open_database (self, version, error))
    return NULL;
  return g_steal_pointer (&self);
}

SdStore *
sd_store_open (const char  *path,
               GError     **error)
{
  return sd_store_open_at_version (path, sd_store_schema_version (), error);
}

const char *
sd_store_get_path (SdStore *self)
{
  return self->path;
}

void
sd_store_set_actor (SdStore *self,
                    gint64   user_id)
{
  self->actor = user_id;
}

gint64
sd_store_get_actor (SdStore *self)
{
  return self->actor;
}

void
sd_store_set_origin (SdStore    *self,
                     const char *origin)
{
  g_free (self->origin);
  self->origin = g_strdup (origin);
}

void
sd_store_set_journaling (SdStore  *self,
                         gboolean  journaling)
{
  g_return_if_fail (SD_IS_STORE (self));
  self->no_journal = !journaling;
}

gboolean
sd_store_get_journaling (SdStore *self)
{
  return !self->no_journal;
}

const char *
sd_store_get_origin (SdStore *self)
{
  return self->origin;
}

void
sd_store_set_time (SdStore *self,
                   gint64   unix_time)
{
  self->fixed_time = unix_time;
}

gint64
sd_store_now (SdStore *self)
{
  return self->fixed_time != 0 ? self->fixed_time : g_get_real_time () / G_USEC_PER_SEC;
}

char *
sd_store_now_iso (SdStore *self)
{
  gint64 now = sd_store_now (self);

  /* Every write stamps the time: format each second once. */
  if (now != self->iso_second)
    {
      g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (now);

      g_free (self->iso_text);
      self->iso_text = g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ");
      self->iso_second = now;
    }
  return g_strdup (self->iso_text);
}

static gboolean
begin (SdStore   *self,
       gboolean   bulk,
       GError   **error)
{
  g_autofree char *sql = NULL;

  if (self->depth == 0)
    {
      self->bulk = bulk;
      self->bulk_failed = FALSE;
      sql = g_strdup ("BEGIN IMMEDIATE");
    }
  else if (!self->bulk)
    sql = g_strdup_printf ("SAVEPOINT level%u", self->depth);

  /* A nested level of a bulk transaction has no statement of its own. */
  if (sql != NULL)
    {
      sqlite3_stmt *stmt = sd_store_prepare (self, sql, error);

      if (stmt == NULL || !sd_store_step_done (self, stmt, error))
        return FALSE;
    }
  g_array_append_val (self->pending_marks, self->pending->len);
  self->depth++;
  return TRUE;
}

gboolean
sd_store_begin (SdStore  *self,
                GError  **error)
{
  return begin (self, FALSE, error);
}

gboolean
sd_store_begin_bulk (SdStore  *self,
                     GError  **error)
{
  g_return_val_if_fail (self->depth == 0, FALSE);
  /* An import touches indexes all over a large file: a cache the size of a big database
   * saves re-reading their pages. Given back when the transaction ends. */
  return sd_store_exec (self, "PRAGMA cache_size=-262144", error) && begin (self, TRUE, error);
}

static int
compare_int64 (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* Rows are re-indexed once a transaction, however often they changed in it; a row since
 * deleted or rolled back only leaves the index. In index order: FTS5 starts a new segment
 * whenever a rowid is not above the last one it buffered, and hash order made a segment
 * of almost every row, a third of bulk-insert time. */
static gboolean
flush_search (SdStore  *self,
              GError  **error)
{
  g_autoptr(GArray) rows = g_array_sized_new (FALSE, FALSE, sizeof (gint64),
                                              g_hash_table_size (self->search_pending));
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, self->search_pending);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_array_append_val (rows, *(gint64 *) key);
  g_array_sort (rows, compare_int64);
  for (guint i = 0; i < rows->len; i++)
    {
      gint64 rowid = g_array_index (rows, gint64, i);
      SearchState state = GPOINTER_TO_INT (g_hash_table_lookup (self->search_pending, &rowid));

      if (!sd_search_reindex (self, sd_search_entity_of_rowid (rowid), rowid / 4, state != SEARCH_NEW, error))
        return FALSE;
    }
  g_hash_table_remove_all (self->search_pending);
  return TRUE;
}

void
sd_store_queue_search (SdStore  *self,
                       SdEntity  entity,
                       gint64    id,
                       gboolean  inserted)
{
  gint64 rowid = sd_search_rowid (entity, id);
  gint64 *key;

  /* Queued already: a row inserted after one of its id was deleted still has that one's
   * entry to remove, and a new row changed again still has none. */
  if (g_hash_table_contains (self->search_pending, &rowid))
    return;
  key = g_memdup2 (&rowid, sizeof rowid);
  g_hash_table_insert (self->search_pending, key, GINT_TO_POINTER (inserted ? SEARCH_NEW : SEARCH_INDEXED));
}

static void
end_bulk (SdStore *self)
{
  if (self->bulk)
    sqlite3_exec (self->db, "PRAGMA cache_size=-32768", NULL, NULL, NULL);
  self->bulk = FALSE;
}

static void
emit_pending (SdStore *self)
{
  g_autoptr(GArray) pending = g_steal_pointer (&self->pending);

  self->pending = g_array_new (FALSE, FALSE, sizeof (PendingChange));
  for (guint i = 0; i < pending->len; i++)
    {
      PendingChange *change = &g_array_index (pending, PendingChange, i);
      g_signal_emit (self, signals[CHANGED], 0, (guint) change->entity, change->id,
                     (guint) change->op);
    }
}

gboolean
sd_store_commit (SdStore  *self,
                 GError  **error)
{
  g_return_val_if_fail (self->depth > 0, FALSE);

  if (self->depth == 1 && self->bulk_failed)
    {
      g_set_error (error, SD_STORE_ERROR, SD_STORE_ERROR_FAILED,
                   "A write of the transaction failed; none of it was kept");
      sd_store_rollback (self);
      return FALSE;
    }
  if (self->depth == 1)
    {
      if (!flush_search (self, error) || !sd_store_exec (self, "COMMIT", error))
        {
          sd_store_rollback (self);
          return FALSE;
        }
    }
  else if (!self->bulk)
    {
      g_autofree char *release = g_strdup_printf ("RELEASE level%u", self->depth - 1);
      sqlite3_stmt *stmt = sd_store_prepare (self, release, error);

      if (stmt == NULL || !sd_store_step_done (self, stmt, error))
        {
          sd_store_rollback (self);
          return FALSE;
        }
    }
  self->depth--;
  g_array_set_size (self->pending_marks, self->depth);
  if (self->depth == 0)
    {
      end_bulk (self);
      emit_pending (self);
    }
  return TRUE;
}

void
sd_store_rollback (SdStore *self)
{
  g_return_if_fail (self->depth > 0);

  self->depth--;
  if (self->depth == 0)
    {
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      g_hash_table_remove_all (self->search_pending);
      end_bulk (self);
    }
  else if (self->bulk)
    self->bulk_failed = TRUE;
  else
    {
      g_autofree char *undo = g_strdup_printf ("ROLLBACK TO level%u; RELEASE level%u",
                                               self->depth, self->depth);
      sqlite3_exec (self->db, undo, NULL, NULL, NULL);
    }
  g_array_set_size (self->pending, g_array_index (self->pending_marks, guint, self->depth));
  g_array_set_size (self->pending_marks, self->depth);
  /* A rolled-back write may have changed the rules the cache holds. */
  sd_store_invalidate_access (self);
}

gboolean
sd_store_in_transaction (SdStore *self)
{
  return self->depth > 0;
}

void
sd_store_queue_change (SdStore    *self,
                       SdEntity    entity,
                       gint64      id,
                       SdChangeOp  op)
{
  g_array_append_val (self->pending, ((PendingChange) { entity, id, op }));
}

char *
sd_store_get_meta (SdStore    *self,
                   const char *key)
{
  sqlite3_stmt *stmt = sd_store_prepare (self, "SELECT value FROM meta WHERE key = ?", NULL);
  char *value = NULL;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  return value;
}

gboolean
sd_store_set_meta (SdStore     *self,
                   const char  *key,
                   const char  *value,
                   GError     **error)
{
  sqlite3_stmt *stmt = sd_store_prepare (self,
                                         "INSERT INTO meta (key, value) VALUES (?, ?) "
                                         "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                                         error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, value, -1, SQLITE_STATIC);
  return sd_store_step_done (self, stmt, error);
}

/* Access rules are read on every write and change rarely: keep them in memory. */
static void
load_access (SdStore *self)
{
  sqlite3_stmt *stmt;

  self->user_roles = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  stmt = sd_store_prepare (self, "SELECT role_id, stage_id, actions FROM access", NULL);
  self->access = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 *key = g_new (gint64, 1);
      gint64 *actions = g_new (gint64, 1);

      *key = (sqlite3_column_int64 (stmt, 0) << 32) | sqlite3_column_int64 (stmt, 1);
      *actions = sqlite3_column_int64 (stmt, 2);
      g_hash_table_insert (self->access, key, actions);
    }
  if (stmt != NULL)
    sqlite3_reset (stmt);

  stmt = sd_store_prepare (self, "SELECT id, role_id FROM users WHERE role_id IS NOT NULL",
                           NULL);
  while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 *user = g_new (gint64, 1);
      gint64 *role = g_new (gint64, 1);

      *user = sqlite3_column_int64 (stmt, 0);
      *role = sqlite3_column_int64 (stmt, 1);
      g_hash_table_insert (self->user_roles, user, role);
    }
  if (stmt != NULL)
    sqlite3_reset (stmt);
}

void
sd_store_invalidate_access (SdStore *self)
{
  g_clear_pointer (&self->access, g_hash_table_unref);
  g_clear_pointer (&self->user_roles, g_hash_table_unref);
}

SdAccessAction
sd_store_get_access (SdStore *self,
                     gint64   user_id,
                     gint64   stage_id)
{
  gint64 *role;
  gint64 key;
  gint64 *actions;

  if (user_id == SD_ACTOR_SYSTEM)
    return SD_ACCESS_ALL;
  if (self->access == NULL)
    load_access (self);
  role = g_hash_table_lookup (self->user_roles, &user_id);
  if (role == NULL)
    return SD_ACCESS_NONE;
  key = (*role << 32) | stage_id;
  actions = g_hash_table_lookup (self->access, &key);
  return actions != NULL ? (SdAccessAction) *actions : SD_ACCESS_NONE;
}

/* One whole sentence for each action, for translators. */
static char *
access_denied_message (SdAccessAction  action,
                       const char     *user,
                       const char     *stage)
{
  switch (action)
    {
    case SD_ACCESS_VIEW:
      /* Translators: "Петрова Анна may not see deals at the stage “Замер”" */
      return g_strdup_printf (_("%s may not see deals at the stage “%s”"), user, stage);
    case SD_ACCESS_EDIT:
      /* Translators: "Петрова Анна may not edit deals at the stage “Замер”" */
      return g_strdup_printf (_("%s may not edit deals at the stage “%s”"), user, stage);
    case SD_ACCESS_MOVE:
      /* Translators: "Петрова Анна may not move deals at the stage “Замер”" (on to
       * another stage) */
      return g_strdup_printf (_("%s may not move deals at the stage “%s”"), user, stage);
    case SD_ACCESS_CHAT:
      /* Translators: "Петрова Анна may not write in the chat of deals at the stage “Замер”" */
      return g_strdup_printf (_("%s may not write in the chat of deals at the stage “%s”"),
                              user, stage);
    case SD_ACCESS_ATTACH:
      /* Translators: "Петрова Анна may not attach files to deals at the stage “Замер”" */
      return g_strdup_printf (_("%s may not attach files to deals at the stage “%s”"),
                              user, stage);
    default:
      /* Translators: "Петрова Анна may not change deals at the stage “Замер”" */
      return g_strdup_printf (_("%s may not change deals at the stage “%s”"), user, stage);
    }
}

gboolean
sd_store_check_access (SdStore        *self,
                       gint64          stage_id,
                       SdAccessAction  action,
                       GError        **error)
{
  sqlite3_stmt *stmt;
  g_autofree char *user = NULL;
  g_autofree char *stage = NULL;
  g_autofree char *message = NULL;

  if ((sd_store_get_access (self, self->actor, stage_id) & action) == action)
    return TRUE;

  stmt = sd_store_prepare (self,
                           "SELECT (SELECT last_name || ' ' || first_name FROM users WHERE id = ?),"
                           "       (SELECT name FROM stages WHERE id = ?)", NULL);
  if (stmt != NULL)
    {
      sqlite3_bind_int64 (stmt, 1, self->actor);
      sqlite3_bind_int64 (stmt, 2, stage_id);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        {
          user = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
          stage = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
        }
      sqlite3_reset (stmt);
    }
  message = access_denied_message (action, user != NULL ? user : _("This user"),
                                   stage != NULL ? stage : "?");
  g_set_error_literal (error, SD_ACCESS_ERROR, SD_ACCESS_ERROR_DENIED, message);
  return FALSE;
}
