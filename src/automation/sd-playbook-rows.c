/* sd-playbook-rows.c: reading what an earlier install left, through a read-only
 * connection (see sd-playbook-rows.h for why).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-playbook-rows.h"
#include "sd-records.h"

#include <sqlite3.h>
#include <string.h>

typedef struct
{
  gint64  id;
  gint64  owner;   /* pipeline (0: none), field, or role */
  gint64  other;   /* stage, for access rows */
  char   *code;
} Row;

struct _SdPlaybookRows
{
  GArray *fields;
  GArray *options;
  GArray *access;
};

static void
row_clear (gpointer data)
{
  g_free (((Row *) data)->code);
}

static GArray *
new_rows (void)
{
  GArray *rows = g_array_new (FALSE, TRUE, sizeof (Row));
  g_array_set_clear_func (rows, row_clear);
  return rows;
}

void
sd_playbook_rows_free (SdPlaybookRows *rows)
{
  if (rows == NULL)
    return;
  g_array_unref (rows->fields);
  g_array_unref (rows->options);
  g_array_unref (rows->access);
  g_free (rows);
}

/* Runs @sql with @pipeline_id as ?1; each result row is (id, owner, other-or-code). */
static gboolean
collect (sqlite3     *db,
         const char  *sql,
         gint64       pipeline_id,
         gboolean     third_is_code,
         GArray      *out,
         GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    goto failed;
  sqlite3_bind_int64 (stmt, 1, pipeline_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      Row row = { 0 };

      row.id = sqlite3_column_int64 (stmt, 0);
      row.owner = sqlite3_column_int64 (stmt, 1);
      if (third_is_code)
        row.code = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      else
        row.other = sqlite3_column_int64 (stmt, 2);
      g_array_append_val (out, row);
    }
  if (rc != SQLITE_DONE)
    goto failed;
  sqlite3_finalize (stmt);
  return TRUE;

failed:
  g_set_error (error, SD_STORE_ERROR, SD_STORE_ERROR_FAILED,
               "Cannot read the installed playbook rows: %s", sqlite3_errmsg (db));
  sqlite3_finalize (stmt);
  return FALSE;
}

SdPlaybookRows *
sd_playbook_rows_read (SdStore     *store,
                       const char  *code,
                       GError     **error)
{
  g_autoptr(SdPlaybookRows) rows = g_new0 (SdPlaybookRows, 1);
  gint64 pipeline_id = sd_store_find_pipeline (store, code);
  const char *path = sd_store_get_path (store);
  sqlite3 *db = NULL;
  gboolean ok;

  rows->fields = new_rows ();
  rows->options = new_rows ();
  rows->access = new_rows ();

  /* A second connection to a memory database sees another, empty database. */
  if (g_strcmp0 (path, ":memory:") == 0)
    {
      g_autoptr(GPtrArray) pipelines = sd_store_list_pipelines (store, NULL);

      if (pipelines != NULL && pipelines->len == 0)
        return g_steal_pointer (&rows);
      g_set_error (error, SD_STORE_ERROR, SD_STORE_ERROR_FAILED,
                   "An in-memory store takes playbooks only while it has no pipeline");
      return NULL;
    }

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    {
      g_set_error (error, SD_STORE_ERROR, SD_STORE_ERROR_CANNOT_OPEN, "Cannot read %s: %s",
                   path, sqlite3_errmsg (db));
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_busy_timeout (db, 5000);
  ok = collect (db,
                "SELECT id, IFNULL(pipeline_id, 0), code FROM custom_fields "
                "WHERE pipeline_id = ?1 OR pipeline_id IS NULL",
                pipeline_id, TRUE, rows->fields, error)
       && collect (db,
                   "SELECT o.id, o.field_id, o.code FROM custom_field_options o "
                   "JOIN custom_fields f ON f.id = o.field_id "
                   "WHERE f.pipeline_id = ?1 OR f.pipeline_id IS NULL",
                   pipeline_id, TRUE, rows->options, error)
       && collect (db,
                   "SELECT a.id, a.role_id, a.stage_id FROM access a "
                   "JOIN stages s ON s.id = a.stage_id WHERE s.pipeline_id = ?1",
                   pipeline_id, FALSE, rows->access, error);
  sqlite3_close (db);
  return ok ? g_steal_pointer (&rows) : NULL;
}

static gint64
find (GArray     *rows,
      gint64      owner,
      gint64      other,
      const char *code)
{
  for (guint i = 0; i < rows->len; i++)
    {
      const Row *row = &g_array_index (rows, Row, i);
      if (row->owner == owner && row->other == other && g_strcmp0 (row->code, code) == 0)
        return row->id;
    }
  return 0;
}

gint64
sd_playbook_rows_find_field (SdPlaybookRows *rows,
                             gint64          pipeline_id,
                             const char     *code)
{
  return find (rows->fields, pipeline_id, 0, code);
}

gint64
sd_playbook_rows_find_option (SdPlaybookRows *rows,
                              gint64          field_id,
                              const char     *code)
{
  return find (rows->options, field_id, 0, code);
}

gint64
sd_playbook_rows_find_access (SdPlaybookRows *rows,
                              gint64          role_id,
                              gint64          stage_id)
{
  return find (rows->access, role_id, stage_id, NULL);
}

GArray *
sd_playbook_rows_options_except (SdPlaybookRows *rows,
                                 gint64          field_id,
                                 GHashTable     *codes)
{
  GArray *stale = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; i < rows->options->len; i++)
    {
      const Row *row = &g_array_index (rows->options, Row, i);
      if (row->owner == field_id && !g_hash_table_contains (codes, row->code))
        g_array_append_val (stale, row->id);
    }
  return stale;
}

GArray *
sd_playbook_rows_access_except (SdPlaybookRows *rows,
                                GArray         *kept)
{
  GArray *stale = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; i < rows->access->len; i++)
    {
      const Row *row = &g_array_index (rows->access, Row, i);
      gboolean found = FALSE;

      for (guint k = 0; k < kept->len && !found; k++)
        found = g_array_index (kept, gint64, k) == row->id;
      if (!found)
        g_array_append_val (stale, row->id);
    }
  return stale;
}
