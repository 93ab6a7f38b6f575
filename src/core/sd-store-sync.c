/* sd-store-sync.c: server ids, the outbox and conflicts for the sync.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-store"

#include "sd-store-sync.h"
#include "sd-store-private.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

void
sd_conflict_free (SdConflict *conflict)
{
  g_free (conflict->entity);
  g_free (conflict->field);
  g_free (conflict->local_value);
  g_free (conflict->remote_value);
  g_free (conflict->remote_author);
  g_free (conflict->remote_at);
  g_free (conflict->created_at);
  g_free (conflict);
}

gint64
sd_store_find_b24 (SdStore  *self,
                   SdEntity  entity,
                   gint64    b24_id)
{
  sqlite3_stmt *stmt = sd_store_prepare_table (self, "SELECT id FROM %s WHERE b24_id = ?", entity, NULL);
  gint64 id = 0;

  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, b24_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return id;
}

gboolean
sd_store_get_b24_id (SdStore  *self,
                     SdEntity  entity,
                     gint64    id,
                     gint64   *out_b24_id)
{
  sqlite3_stmt *stmt = sd_store_prepare_table (self, "SELECT b24_id FROM %s WHERE id = ? AND b24_id IS NOT NULL",
                                               entity, NULL);
  gboolean found = FALSE;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      *out_b24_id = sqlite3_column_int64 (stmt, 0);
      found = TRUE;
    }
  sqlite3_reset (stmt);
  return found;
}

char *
sd_store_get_remote_modified (SdStore  *self,
                              SdEntity  entity,
                              gint64    id)
{
  sqlite3_stmt *stmt = sd_store_prepare_table (self, "SELECT remote_modified FROM %s WHERE id = ?", entity,
                                               NULL);
  char *value = NULL;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  return value;
}

gboolean
sd_store_set_b24_state (SdStore     *self,
                        SdEntity     entity,
                        gint64       id,
                        gint64       b24_id,
                        const char  *remote_modified,
                        GError     **error)
{
  sqlite3_stmt *stmt;

  if (b24_id >= 0)
    {
      if ((stmt = sd_store_prepare_table (self, "UPDATE %s SET b24_id = ? WHERE id = ?", entity, error)) == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, b24_id);
      sqlite3_bind_int64 (stmt, 2, id);
      if (!sd_store_step_done (self, stmt, error))
        return FALSE;
    }
  if (remote_modified != NULL)
    {
      if ((stmt = sd_store_prepare_table (self, "UPDATE %s SET remote_modified = ? WHERE id = ?", entity,
                                          error)) == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, remote_modified, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 2, id);
      if (!sd_store_step_done (self, stmt, error))
        return FALSE;
    }
  return TRUE;
}

GArray *
sd_store_list_unlinked_pipelines (SdStore  *self,
                                  GError  **error)
{
  sqlite3_stmt *stmt = sd_store_prepare (self, "SELECT DISTINCT d.pipeline_id FROM journal j "
                                         "JOIN deals d ON d.id = j.entity_id "
                                         "JOIN pipelines p ON p.id = d.pipeline_id "
                                         "WHERE j.entity = 'deal' AND j.op = 'insert' AND j.origin = 'local' "
                                         "AND j.pushed_at IS NULL AND p.b24_id IS NULL "
                                         "ORDER BY d.pipeline_id", error);

  return stmt != NULL ? sd_store_collect_ids (self, stmt, error) : NULL;
}

gboolean
sd_store_renamed_here (SdStore  *self,
                       SdEntity  entity,
                       gint64    id)
{
  sqlite3_stmt *stmt = sd_store_prepare (self, "SELECT 1 FROM journal WHERE entity = ? AND entity_id = ? "
                                         "AND op = 'update' AND origin = 'local' "
                                         "AND json_extract (changes, '$.name') IS NOT NULL LIMIT 1", NULL);
  gboolean renamed;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, sd_entity_info (entity)->name, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, id);
  renamed = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_reset (stmt);
  return renamed;
}

GArray *
sd_store_list_b24_ids (SdStore  *self,
                       SdEntity  entity,
                       GError  **error)
{
  sqlite3_stmt *stmt = sd_store_prepare_table (self, "SELECT b24_id FROM %s WHERE b24_id IS NOT NULL "
                                               "ORDER BY b24_id", entity, error);

  return stmt != NULL ? sd_store_collect_ids (self, stmt, error) : NULL;
}

gint64
sd_store_find_stage_b24 (SdStore    *self,
                         gint64      pipeline_id,
                         const char *status_id)
{
  sqlite3_stmt *stmt = sd_store_prepare (self, "SELECT id FROM stages WHERE pipeline_id = ? "
                                         "AND b24_status_id = ?", NULL);
  gint64 id = 0;

  if (stmt == NULL || status_id == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, pipeline_id);
  sqlite3_bind_text (stmt, 2, status_id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return id;
}

char *
sd_store_get_stage_b24 (SdStore *self,
                        gint64   stage_id)
{
  sqlite3_stmt *stmt = sd_store_prepare (self, "SELECT b24_status_id FROM stages WHERE id = ?", NULL);
  char *status = NULL;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, stage_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    status = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  return status;
}

/* "… AND entity IN (?, ?, …)" with one parameter for each of @entities, from ?@first on. */
static char *
outbox_sql (const char         *head,
            const char * const *entities,
            const char         *tail)
{
  GString *sql = g_string_new (head);

  g_string_append (sql, " WHERE origin = 'local' AND pushed_at IS NULL AND entity IN (");
  for (guint i = 0; entities[i] != NULL; i++)
    g_string_append (sql, i > 0 ? ", ?" : "?");
  g_string_append (sql, ")");
  g_string_append (sql, tail);
  return g_string_free (sql, FALSE);
}

static gpointer
make_entry (sqlite3_stmt *stmt)
{
  SdJournalEntry *entry = g_new0 (SdJournalEntry, 1);

  entry->id = sqlite3_column_int64 (stmt, 0);
  entry->entity = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  entry->entity_id = sqlite3_column_int64 (stmt, 2);
  entry->deal_id = sqlite3_column_int64 (stmt, 3);
  entry->op = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
  entry->changes = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
  entry->author_id = sqlite3_column_int64 (stmt, 6);
  entry->at = g_strdup ((const char *) sqlite3_column_text (stmt, 7));
  entry->origin = g_strdup ((const char *) sqlite3_column_text (stmt, 8));
  return entry;
}

GPtrArray *
sd_store_list_outbox (SdStore             *self,
                      const char * const  *entities,
                      guint                limit,
                      GError             **error)
{
  g_autofree char *sql = outbox_sql ("SELECT id, entity, entity_id, deal_id, op, changes, "
                                     "author_id, at, origin FROM journal", entities,
                                     " ORDER BY id LIMIT ?");
  sqlite3_stmt *stmt = sd_store_prepare (self, sql, error);
  guint n = 0;

  if (stmt == NULL)
    return NULL;
  for (; entities[n] != NULL; n++)
    sqlite3_bind_text (stmt, n + 1, entities[n], -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, n + 1, limit);
  return sd_store_collect_rows (self, stmt, make_entry,
                                (GDestroyNotify) sd_journal_entry_free, error);
}

guint
sd_store_count_outbox (SdStore            *self,
                       const char * const *entities)
{
  g_autofree char *sql = outbox_sql ("SELECT count(*) FROM journal", entities, "");
  sqlite3_stmt *stmt = sd_store_prepare (self, sql, NULL);
  guint count = 0;

  if (stmt == NULL)
    return 0;
  for (guint i = 0; entities[i] != NULL; i++)
    sqlite3_bind_text (stmt, i + 1, entities[i], -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    count = sqlite3_column_int (stmt, 0);
  sqlite3_reset (stmt);
  return count;
}

static gboolean
set_journal_time (SdStore    *self,
                  const char *sql,
                  gint64      journal_id,
                  GError    **error)
{
  g_autofree char *now = sd_store_now_iso (self);
  sqlite3_stmt *stmt = sd_store_prepare (self, sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, journal_id);
  return sd_store_step_done (self, stmt, error);
}

gboolean
sd_store_mark_pushed (SdStore  *self,
                      gint64    journal_id,
                      GError  **error)
{
  return set_journal_time (self, "UPDATE journal SET pushed_at = ? WHERE id = ?", journal_id, error);
}

gboolean
sd_store_mark_push_attempted (SdStore  *self,
                              gint64    journal_id,
                              GError  **error)
{
  return set_journal_time (self, "UPDATE journal SET push_attempted_at = ? WHERE id = ?",
                           journal_id, error);
}

gboolean
sd_store_get_push_attempted (SdStore *self,
                             gint64   journal_id)
{
  sqlite3_stmt *stmt = sd_store_prepare (self, "SELECT push_attempted_at IS NOT NULL FROM journal "
                                         "WHERE id = ?", NULL);
  gboolean attempted = FALSE;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, journal_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    attempted = sqlite3_column_int (stmt, 0) != 0;
  sqlite3_reset (stmt);
  return attempted;
}

static void
value_free (SdValue *value)
{
  sd_value_clear (value);
  g_free (value);
}

static void
node_to_value (JsonNode *node,
               SdValue  *value)
{
  memset (value, 0, sizeof *value);
  if (node == NULL || JSON_NODE_HOLDS_NULL (node) || !JSON_NODE_HOLDS_VALUE (node))
    value->kind = SD_VALUE_NULL;
  else if (json_node_get_value_type (node) == G_TYPE_STRING)
    {
      value->kind = SD_VALUE_STRING;
      value->text = g_strdup (json_node_get_string (node));
    }
  else
    {
      value->kind = SD_VALUE_NUMBER;
      value->number = json_node_get_int (node);
    }
}

GHashTable *
sd_store_outbox_base (SdStore  *self,
                      SdEntity  entity,
                      gint64    id,
                      GError  **error)
{
  sqlite3_stmt *stmt = sd_store_prepare (self, "SELECT changes FROM journal WHERE entity = ? "
                                         "AND entity_id = ? AND pushed_at IS NULL "
                                         "AND origin = 'local' ORDER BY id", error);
  GHashTable *base;
  int rc;

  if (stmt == NULL)
    return NULL;
  base = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) value_free);
  sqlite3_bind_text (stmt, 1, sd_entity_info (entity)->name, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(JsonParser) parser = json_parser_new_immutable ();
      JsonObject *changes;
      GList *members;

      if (!json_parser_load_from_data (parser, (const char *) sqlite3_column_text (stmt, 0), -1, NULL)
          || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        continue;
      changes = json_node_get_object (json_parser_get_root (parser));
      members = json_object_get_members (changes);
      for (GList *l = members; l != NULL; l = l->next)
        {
          JsonNode *pair = json_object_get_member (changes, l->data);
          SdValue *value;

          /* The first change of a field holds the value the portal last agreed on. */
          if (g_hash_table_contains (base, l->data) || !JSON_NODE_HOLDS_ARRAY (pair))
            continue;
          value = g_new0 (SdValue, 1);
          node_to_value (json_array_get_element (json_node_get_array (pair), 0), value);
          g_hash_table_insert (base, g_strdup (l->data), value);
        }
      g_list_free (members);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      sd_store_set_sqlite_error (self, error, "Cannot read");
      g_hash_table_unref (base);
      return NULL;
    }
  return base;
}

gboolean
sd_store_read_value (SdStore     *self,
                     SdEntity     entity,
                     gint64       id,
                     const char  *field,
                     SdValue     *out_value,
                     GError     **error)
{
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (sd_entity_find_column (entity, field) != NULL, FALSE);

  sql = g_strdup_printf ("SELECT %s FROM %s WHERE id = ?", field, sd_entity_info (entity)->table);
  if ((stmt = sd_store_prepare (self, sql, error)) == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  memset (out_value, 0, sizeof *out_value);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      switch (sqlite3_column_type (stmt, 0))
        {
        case SQLITE_NULL:
          out_value->kind = SD_VALUE_NULL;
          break;
        case SQLITE_INTEGER:
          out_value->kind = SD_VALUE_NUMBER;
          out_value->number = sqlite3_column_int64 (stmt, 0);
          break;
        default:
          out_value->kind = SD_VALUE_STRING;
          out_value->text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
        }
    }
  else if (rc == SQLITE_DONE)
    g_set_error (error, SD_STORE_ERROR, SD_STORE_ERROR_NOT_FOUND,
                 _("The row to read is gone"));
  else
    sd_store_set_sqlite_error (self, error, "Cannot read");
  sqlite3_reset (stmt);
  return rc == SQLITE_ROW;
}

char *
sd_value_to_json (const SdValue *value)
{
  g_autoptr(JsonNode) node = json_node_alloc ();

  if (value->kind == SD_VALUE_NUMBER)
    json_node_init_int (node, value->number);
  else if (value->kind == SD_VALUE_STRING)
    json_node_init_string (node, value->text);
  else
    json_node_init_null (node);
  return json_to_string (node, FALSE);
}

gboolean
sd_value_from_json (const char *json,
                    SdValue    *out_value)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();

  if (json == NULL || !json_parser_load_from_data (parser, json, -1, NULL))
    return FALSE;
  node_to_value (json_parser_get_root (parser), out_value);
  return TRUE;
}

gboolean
sd_store_add_conflict (SdStore        *self,
                       SdEntity        entity,
                       gint64          id,
                       const char     *field,
                       const SdValue  *local_value,
                       const SdValue  *remote_value,
                       gint64          remote_author_id,
                       const char     *remote_at,
                       GError        **error)
{
  g_autofree char *local_json = sd_value_to_json (local_value);
  g_autofree char *remote_json = sd_value_to_json (remote_value);
  g_autofree char *now = sd_store_now_iso (self);
  sqlite3_stmt *stmt;

  stmt = sd_store_prepare (self,
                           "INSERT INTO sync_conflicts (entity, entity_id, field, local_value, "
                           "remote_value, remote_author_id, remote_at, created_at) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
                           "ON CONFLICT (entity, entity_id, field) WHERE resolved_at IS NULL "
                           "DO UPDATE SET local_value = ?4, remote_value = ?5, "
                           "remote_author_id = ?6, remote_at = ?7", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, sd_entity_info (entity)->name, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, id);
  sqlite3_bind_text (stmt, 3, field, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, local_json, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, remote_json, -1, SQLITE_TRANSIENT);
  if (remote_author_id > 0)
    sqlite3_bind_int64 (stmt, 6, remote_author_id);
  sqlite3_bind_text (stmt, 7, remote_at, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 8, now, -1, SQLITE_TRANSIENT);
  return sd_store_step_done (self, stmt, error);
}

static gpointer
make_conflict (sqlite3_stmt *stmt)
{
  SdConflict *conflict = g_new0 (SdConflict, 1);

  conflict->id = sqlite3_column_int64 (stmt, 0);
  conflict->entity = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  conflict->entity_id = sqlite3_column_int64 (stmt, 2);
  conflict->field = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  conflict->local_value = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
  conflict->remote_value = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
  conflict->remote_author_id = sqlite3_column_int64 (stmt, 6);
  conflict->remote_author = g_strdup ((const char *) sqlite3_column_text (stmt, 7));
  conflict->remote_at = g_strdup ((const char *) sqlite3_column_text (stmt, 8));
  conflict->created_at = g_strdup ((const char *) sqlite3_column_text (stmt, 9));
  return conflict;
}

GPtrArray *
sd_store_list_conflicts (SdStore  *self,
                         SdEntity  entity,
                         gint64    id,
                         GError  **error)
{
  sqlite3_stmt *stmt;

  stmt = sd_store_prepare (self,
                           "SELECT c.id, c.entity, c.entity_id, c.field, c.local_value, "
                           " c.remote_value, c.remote_author_id, u.last_name || ' ' || u.first_name,"
                           " c.remote_at, c.created_at "
                           "FROM sync_conflicts c LEFT JOIN users u ON u.b24_id = c.remote_author_id "
                           "WHERE c.resolved_at IS NULL AND c.entity = ?1 AND (?2 = 0 OR c.entity_id = ?2) "
                           "ORDER BY c.id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, sd_entity_info (entity)->name, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, id);
  return sd_store_collect_rows (self, stmt, make_conflict,
                                (GDestroyNotify) sd_conflict_free, error);
}

GPtrArray *
sd_store_list_deal_conflicts (SdStore  *self,
                              gint64    deal_id,
                              GError  **error)
{
  sqlite3_stmt *stmt;

  stmt = sd_store_prepare (self,
                           "SELECT k.id, k.entity, k.entity_id, k.field, k.local_value, "
                           " k.remote_value, k.remote_author_id, u.last_name || ' ' || u.first_name,"
                           " k.remote_at, k.created_at "
                           "FROM sync_conflicts k LEFT JOIN users u ON u.b24_id = k.remote_author_id "
                           "WHERE " SD_DEAL_CONFLICT_SQL ("?1") " ORDER BY k.id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, deal_id);
  return sd_store_collect_rows (self, stmt, make_conflict,
                                (GDestroyNotify) sd_conflict_free, error);
}

GArray *
sd_store_list_conflicted_deals (SdStore  *self,
                                GError  **error)
{
  sqlite3_stmt *stmt;

  stmt = sd_store_prepare (self,
                           "SELECT d.id FROM deals d WHERE EXISTS (SELECT 1 FROM sync_conflicts k "
                           "WHERE " SD_DEAL_CONFLICT_SQL ("d.id") ") ORDER BY d.id", error);
  if (stmt == NULL)
    return NULL;
  return sd_store_collect_ids (self, stmt, error);
}

gboolean
sd_store_kept_against (SdStore       *self,
                       SdEntity       entity,
                       gint64         id,
                       const char    *field,
                       const SdValue *remote_value)
{
  g_autofree char *remote_json = sd_value_to_json (remote_value);
  sqlite3_stmt *stmt = sd_store_prepare (self, "SELECT remote_value = ?4 FROM sync_conflicts "
                                         "WHERE entity = ?1 AND entity_id = ?2 AND field = ?3 "
                                         "AND resolution = 'local' ORDER BY id DESC LIMIT 1", NULL);
  gboolean kept = FALSE;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, sd_entity_info (entity)->name, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, id);
  sqlite3_bind_text (stmt, 3, field, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, remote_json, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    kept = sqlite3_column_int (stmt, 0) != 0;
  sqlite3_reset (stmt);
  return kept;
}

gboolean
sd_store_has_conflict (SdStore    *self,
                       SdEntity    entity,
                       gint64      id,
                       const char *field)
{
  sqlite3_stmt *stmt = sd_store_prepare (self, "SELECT 1 FROM sync_conflicts WHERE resolved_at IS NULL "
                                         "AND entity = ?1 AND entity_id = ?2 "
                                         "AND (?3 IS NULL OR field = ?3) LIMIT 1", NULL);
  gboolean found;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, sd_entity_info (entity)->name, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, id);
  if (field != NULL)
    sqlite3_bind_text (stmt, 3, field, -1, SQLITE_TRANSIENT);
  found = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_reset (stmt);
  return found;
}

guint
sd_store_count_conflicts (SdStore *self)
{
  return sd_store_query_int (self, "SELECT count(*) FROM sync_conflicts WHERE resolved_at IS NULL", 0, 0);
}

static gboolean
mark_resolved (SdStore   *self,
               gint64     conflict_id,
               gboolean   keep_local,
               GError   **error)
{
  g_autofree char *now = sd_store_now_iso (self);
  sqlite3_stmt *stmt = sd_store_prepare (self, "UPDATE sync_conflicts SET resolved_at = ?, resolution = ? "
                                         "WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, keep_local ? "local" : "remote", -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, conflict_id);
  return sd_store_step_done (self, stmt, error);
}

/* Writes the portal's values, taken in a conflict: a remote change, not one to send back. */
static gboolean
update_as_remote (SdStore    *self,
                  SdEntity    entity,
                  gint64      id,
                  SdChanges  *changes,
                  GError    **error)
{
  g_autofree char *origin = g_strdup (sd_store_get_origin (self));
  gboolean written;

  sd_store_set_origin (self, "remote");
  written = sd_store_update (self, entity, id, changes, error);
  sd_store_set_origin (self, origin);
  return written;
}

/* The row's changes made here and not sent leave the outbox. */
static gboolean
drop_unsent (SdStore  *self,
             SdEntity  entity,
             gint64    id,
             GError  **error)
{
  g_autofree char *now = sd_store_now_iso (self);
  sqlite3_stmt *stmt = sd_store_prepare (self, "UPDATE journal SET pushed_at = ? WHERE entity = ? "
                                         "AND entity_id = ? AND origin = 'local' AND pushed_at IS NULL",
                                         error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, sd_entity_info (entity)->name, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, id);
  return sd_store_step_done (self, stmt, error);
}

static void announce_settled (SdStore *self, SdEntity entity, gint64 id);

/* The portal refused the row's unsent changes (SD_CONFLICT_REFUSED): kept, they go out
 * again with the next sync; given up, they leave the outbox and the row takes the portal's
 * columns, as a remote change. */
static gboolean
resolve_refused (SdStore     *self,
                 gint64       conflict_id,
                 SdEntity     entity,
                 gint64       id,
                 const char  *remote_json,
                 gboolean     keep_local,
                 GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(SdChanges) changes = sd_changes_new ();
  SdValue remote = { 0 };

  if (!sd_store_begin (self, error))
    return FALSE;
  if (!keep_local)
    {
      sd_value_from_json (remote_json, &remote);
      if (remote.kind == SD_VALUE_STRING && json_parser_load_from_data (parser, remote.text, -1, NULL)
          && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        {
          JsonObject *columns = json_node_get_object (json_parser_get_root (parser));
          GList *members = json_object_get_members (columns);

          for (GList *l = members; l != NULL; l = l->next)
            {
              SdValue value;

              if (sd_entity_find_column (entity, l->data) == NULL)
                continue;
              node_to_value (json_object_get_member (columns, l->data), &value);
              sd_changes_set_value (changes, l->data, &value);
              sd_value_clear (&value);
            }
          g_list_free (members);
        }
      sd_value_clear (&remote);
      if (!drop_unsent (self, entity, id, error)
          || (sd_changes_get_size (changes) > 0 && !update_as_remote (self, entity, id, changes, error)))
        goto failed;
    }
  if (!mark_resolved (self, conflict_id, keep_local, error))
    goto failed;
  announce_settled (self, entity, id);
  if (!sd_store_commit (self, error))
    goto failed;
  return TRUE;

failed:
  sd_store_rollback (self);
  return FALSE;
}

/* A row the portal deleted while it had changes here (SD_CONFLICT_DELETED). Either way its
 * unsent changes leave the outbox: kept, they ride in the creation queued in their place
 * (the creation sends every field's current value); given up, the row goes. */
static gboolean
resolve_deleted (SdStore   *self,
                 gint64     conflict_id,
                 SdEntity   entity,
                 gint64     id,
                 gboolean   keep_local,
                 GError   **error)
{
  const SdEntityInfo *info = sd_entity_info (entity);
  g_autofree char *now = sd_store_now_iso (self);
  g_autofree char *sql = NULL;
  g_autofree char *origin = g_strdup (sd_store_get_origin (self));
  sqlite3_stmt *stmt;

  if (!sd_store_begin (self, error))
    return FALSE;
  if (!drop_unsent (self, entity, id, error))
    goto failed;
  if (keep_local)
    {
      /* Comments and tasks keep no remote time. */
      sql = g_strdup_printf ("UPDATE %s SET b24_id = NULL%s WHERE id = ?", info->table,
                             sd_entity_find_column (entity, "remote_modified") != NULL
                             ? ", remote_modified = NULL" : "");
      if ((stmt = sd_store_prepare (self, sql, error)) == NULL)
        goto failed;
      sqlite3_bind_int64 (stmt, 1, id);
      if (!sd_store_step_done (self, stmt, error))
        goto failed;
      /* The creation the push sends: it reads the row's current values itself. */
      stmt = sd_store_prepare (self, "INSERT INTO journal (entity, entity_id, deal_id, op, changes, "
                               "author_id, at, origin) VALUES (?, ?, ?, 'insert', '{}', ?, ?, 'local')",
                               error);
      if (stmt == NULL)
        goto failed;
      sqlite3_bind_text (stmt, 1, info->name, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, id);
      if (entity == SD_ENTITY_DEAL)
        sqlite3_bind_int64 (stmt, 3, id);
      else if (sd_entity_find_column (entity, "deal_id") != NULL)
        {
          SdValue deal = { 0 };

          /* A comment's or task's creation belongs to its deal's history. */
          if (sd_store_read_value (self, entity, id, "deal_id", &deal, NULL) && deal.kind == SD_VALUE_NUMBER)
            sqlite3_bind_int64 (stmt, 3, deal.number);
          sd_value_clear (&deal);
        }
      if (sd_store_get_actor (self) != SD_ACTOR_SYSTEM)
        sqlite3_bind_int64 (stmt, 4, sd_store_get_actor (self));
      sqlite3_bind_text (stmt, 5, now, -1, SQLITE_TRANSIENT);
      if (!sd_store_step_done (self, stmt, error))
        goto failed;
    }
  else
    {
      const char *column = entity == SD_ENTITY_CONTACT ? "contact_id"
                           : entity == SD_ENTITY_COMPANY ? "company_id" : NULL;
      gboolean written = TRUE;

      /* The portal's deletion: not a change to send back. Deals lose the client, as there. */
      sd_store_set_origin (self, "remote");
      if (column != NULL)
        {
          g_autoptr(GArray) deals = sd_store_list_referencing (self, SD_ENTITY_DEAL, column, id, error);

          written = deals != NULL;
          for (guint i = 0; written && i < deals->len; i++)
            {
              g_autoptr(SdChanges) changes = sd_changes_new ();

              sd_changes_set_null (changes, column);
              written = sd_store_update (self, SD_ENTITY_DEAL, g_array_index (deals, gint64, i), changes,
                                         error);
            }
        }
      written = written && sd_store_delete (self, entity, id, error);
      sd_store_set_origin (self, origin);
      if (!written)
        goto failed;
    }
  if (!mark_resolved (self, conflict_id, keep_local, error) || !sd_store_commit (self, error))
    goto failed;
  return TRUE;

failed:
  sd_store_rollback (self);
  return FALSE;
}

/* What shows a settled conflict looks again: the row, and the cards and board badges of
 * the deals it concerns (SD_DEAL_CONFLICT_SQL). */
static void
announce_settled (SdStore  *self,
                  SdEntity  entity,
                  gint64    id)
{
  sd_store_queue_change (self, entity, id, SD_CHANGE_UPDATE);
  if (sd_entity_info (entity)->parent == SD_ENTITY_DEAL && entity != SD_ENTITY_DEAL)
    {
      SdValue deal = { 0 };

      if (sd_store_read_value (self, entity, id, "deal_id", &deal, NULL) && deal.kind == SD_VALUE_NUMBER)
        sd_store_queue_change (self, SD_ENTITY_DEAL, deal.number, SD_CHANGE_UPDATE);
      sd_value_clear (&deal);
    }
  else if (entity == SD_ENTITY_CONTACT || entity == SD_ENTITY_COMPANY)
    {
      g_autoptr(GArray) deals = sd_store_list_referencing (self, SD_ENTITY_DEAL,
                                                           entity == SD_ENTITY_CONTACT ? "contact_id" : "company_id",
                                                           id, NULL);

      for (guint i = 0; deals != NULL && i < deals->len; i++)
        sd_store_queue_change (self, SD_ENTITY_DEAL, g_array_index (deals, gint64, i), SD_CHANGE_UPDATE);
    }
}

gboolean
sd_store_replace_channels (SdStore            *self,
                           gint64              contact,
                           const char         *kind,
                           const char * const *entries,
                           GError            **error)
{
  g_autoptr(GArray) rows = NULL;

  if (!sd_store_begin (self, error))
    return FALSE;
  if ((rows = sd_store_list_referencing (self, SD_ENTITY_CONTACT_CHANNEL, "contact_id", contact, error)) == NULL)
    goto failed;
  for (guint i = 0; i < rows->len; i++)
    {
      SdValue row_kind = { 0 };
      gint64 row = g_array_index (rows, gint64, i);
      gboolean ok = sd_store_read_value (self, SD_ENTITY_CONTACT_CHANNEL, row, "kind", &row_kind, error)
                    && (g_strcmp0 (row_kind.text, kind) != 0
                        || sd_store_delete (self, SD_ENTITY_CONTACT_CHANNEL, row, error));

      sd_value_clear (&row_kind);
      if (!ok)
        goto failed;
    }
  for (guint i = 0; entries[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_strsplit (entries[i], "\t", 2);
      g_autoptr(SdChanges) changes = sd_changes_new ();

      if (parts[0] == NULL || *parts[0] == '\0')
        continue;
      sd_changes_set_int (changes, "contact_id", contact);
      sd_changes_set_text (changes, "kind", kind);
      sd_changes_set_text (changes, "value", parts[0]);
      sd_changes_set_text (changes, "value_type", parts[1] != NULL ? parts[1] : "WORK");
      if (sd_store_insert (self, SD_ENTITY_CONTACT_CHANNEL, changes, error) == 0)
        goto failed;
    }
  return sd_store_commit (self, error);

failed:
  sd_store_rollback (self);
  return FALSE;
}

/* A contact's phones or e-mails both sides changed: taking the portal's list replaces
 * this kind of the contact's channels as a remote change; keeping ours leaves its unsent
 * channel edits to the push. */
static gboolean
resolve_channels (SdStore     *self,
                  gint64       conflict_id,
                  gint64       contact,
                  const char  *kind,
                  const char  *remote_json,
                  gboolean     keep_local,
                  GError     **error)
{
  g_autofree char *origin = g_strdup (sd_store_get_origin (self));
  gboolean written = TRUE;

  if (!sd_store_begin (self, error))
    return FALSE;
  if (!keep_local)
    {
      g_auto(GStrv) entries = NULL;
      SdValue remote = { 0 };

      sd_value_from_json (remote_json, &remote);
      entries = g_strsplit (remote.kind == SD_VALUE_STRING ? remote.text : "", "\n", -1);
      sd_value_clear (&remote);
      sd_store_set_origin (self, "remote");
      written = sd_store_replace_channels (self, contact, kind, (const char * const *) entries, error);
      sd_store_set_origin (self, origin);
    }
  if (!written || !mark_resolved (self, conflict_id, keep_local, error))
    goto failed;
  announce_settled (self, SD_ENTITY_CONTACT, contact);
  if (!sd_store_commit (self, error))
    goto failed;
  return TRUE;

failed:
  sd_store_rollback (self);
  return FALSE;
}

gboolean
sd_store_resolve_conflict (SdStore   *self,
                           gint64     conflict_id,
                           gboolean   keep_local,
                           GError   **error)
{
  g_autofree char *entity_name = NULL;
  g_autofree char *field = NULL;
  g_autofree char *remote_json = NULL;
  g_autofree char *now = sd_store_now_iso (self);
  gint64 entity_id = 0;
  SdEntity entity;
  sqlite3_stmt *stmt;
  gboolean found = FALSE;

  stmt = sd_store_prepare (self, "SELECT entity, entity_id, field, remote_value FROM sync_conflicts "
                           "WHERE id = ? AND resolved_at IS NULL", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, conflict_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      entity_name = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      entity_id = sqlite3_column_int64 (stmt, 1);
      field = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      remote_json = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      found = TRUE;
    }
  sqlite3_reset (stmt);
  if (found && strcmp (field, SD_CONFLICT_DELETED) == 0 && sd_entity_from_name (entity_name, &entity))
    return resolve_deleted (self, conflict_id, entity, entity_id, keep_local, error);
  if (found && strcmp (field, SD_CONFLICT_REFUSED) == 0 && sd_entity_from_name (entity_name, &entity))
    return resolve_refused (self, conflict_id, entity, entity_id, remote_json, keep_local, error);
  if (found && strcmp (entity_name, "contact") == 0
      && (strcmp (field, "phone") == 0 || strcmp (field, "email") == 0))
    return resolve_channels (self, conflict_id, entity_id, field, remote_json, keep_local, error);
  if (!found || !sd_entity_from_name (entity_name, &entity)
      || sd_entity_find_column (entity, field) == NULL)
    {
      g_set_error (error, SD_STORE_ERROR, SD_STORE_ERROR_NOT_FOUND,
                   _("This conflict is already settled"));
      return FALSE;
    }

  if (!sd_store_begin (self, error))
    return FALSE;
  if (!keep_local)
    {
      g_autoptr(SdChanges) changes = sd_changes_new ();
      SdValue value;

      sd_value_from_json (remote_json, &value);
      sd_changes_set_value (changes, field, &value);
      sd_value_clear (&value);
      if (!update_as_remote (self, entity, entity_id, changes, error))
        goto failed;
    }
  stmt = sd_store_prepare (self, "UPDATE sync_conflicts SET resolved_at = ?, resolution = ? "
                           "WHERE id = ?", error);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_text (stmt, 1, now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, keep_local ? "local" : "remote", -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, conflict_id);
  if (!sd_store_step_done (self, stmt, error))
    goto failed;
  announce_settled (self, entity, entity_id);
  if (!sd_store_commit (self, error))
    goto failed;
  return TRUE;

failed:
  sd_store_rollback (self);
  return FALSE;
}

GArray *
sd_store_list_referencing (SdStore     *self,
                           SdEntity     entity,
                           const char  *column,
                           gint64       id,
                           GError     **error)
{
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (sd_entity_find_column (entity, column) != NULL, NULL);

  sql = g_strdup_printf ("SELECT id FROM %s WHERE %s = ?", sd_entity_info (entity)->table, column);
  if ((stmt = sd_store_prepare (self, sql, error)) == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  return sd_store_collect_ids (self, stmt, error);
}

void
sd_b24_field_free (SdB24Field *field)
{
  g_free (field->kind);
  g_free (field->b24_field);
  g_free (field);
}

GPtrArray *
sd_store_list_b24_fields (SdStore  *self,
                          GError  **error)
{
  sqlite3_stmt *stmt = sd_store_prepare (self, "SELECT id, coalesce(pipeline_id, 0), kind, b24_field "
                                         "FROM custom_fields WHERE entity = 'deal' "
                                         "AND b24_field IS NOT NULL ORDER BY id", error);
  GPtrArray *fields;
  int rc;

  if (stmt == NULL)
    return NULL;
  fields = g_ptr_array_new_with_free_func ((GDestroyNotify) sd_b24_field_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SdB24Field *field = g_new0 (SdB24Field, 1);

      field->field_id = sqlite3_column_int64 (stmt, 0);
      field->pipeline_id = sqlite3_column_int64 (stmt, 1);
      field->kind = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      field->b24_field = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      g_ptr_array_add (fields, field);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      sd_store_set_sqlite_error (self, error, "Cannot read");
      g_ptr_array_unref (fields);
      return NULL;
    }
  return fields;
}

gint64
sd_store_find_deal_field (SdStore *self,
                          gint64   deal_id,
                          gint64   field_id)
{
  return sd_store_query_int (self, "SELECT id FROM deal_fields WHERE deal_id = ?1 AND field_id = ?2",
                             deal_id, field_id);
}

static char *
option_lookup (SdStore    *self,
               const char *sql,
               gint64      field_id,
               const char *key)
{
  sqlite3_stmt *stmt = sd_store_prepare (self, sql, NULL);
  char *value = NULL;

  if (stmt == NULL || key == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, field_id);
  sqlite3_bind_text (stmt, 2, key, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  return value;
}

char *
sd_store_option_code_for_b24 (SdStore    *self,
                              gint64      field_id,
                              const char *b24_id)
{
  return option_lookup (self, "SELECT code FROM custom_field_options WHERE field_id = ? AND b24_id = ?",
                        field_id, b24_id);
}

char *
sd_store_option_b24_for_code (SdStore    *self,
                              gint64      field_id,
                              const char *code)
{
  return option_lookup (self, "SELECT b24_id FROM custom_field_options WHERE field_id = ? AND code = ? "
                        "AND b24_id IS NOT NULL", field_id, code);
}

GArray *
sd_store_list_deals_modified_since (SdStore    *self,
                                    const char *since,
                                    GError    **error)
{
  sqlite3_stmt *stmt = sd_store_prepare (self, "SELECT b24_id FROM deals WHERE b24_id IS NOT NULL"
                                               " AND remote_modified >= ? ORDER BY b24_id", error);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, since, -1, SQLITE_TRANSIENT);
  return sd_store_collect_ids (self, stmt, error);
}

GArray *
sd_store_list_deals_after (SdStore  *self,
                           gint64    after,
                           guint     limit,
                           GError  **error)
{
  sqlite3_stmt *stmt = sd_store_prepare (self, "SELECT b24_id FROM deals WHERE b24_id > ?"
                                               " ORDER BY b24_id LIMIT ?", error);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, after);
  sqlite3_bind_int64 (stmt, 2, limit);
  return sd_store_collect_ids (self, stmt, error);
}

gboolean
sd_store_has_outbox_part (SdStore  *self,
                          SdEntity  part,
                          gint64    deal_id)
{
  sqlite3_stmt *stmt = sd_store_prepare (self, "SELECT 1 FROM journal WHERE deal_id = ? AND entity = ?"
                                         " AND origin = 'local' AND pushed_at IS NULL LIMIT 1", NULL);
  gboolean found;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, deal_id);
  sqlite3_bind_text (stmt, 2, sd_entity_info (part)->name, -1, SQLITE_STATIC);
  found = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_reset (stmt);
  return found;
}

gboolean
sd_store_has_outbox_entry (SdStore  *self,
                           SdEntity  entity,
                           gint64    id,
                           gboolean  attempted)
{
  sqlite3_stmt *stmt = sd_store_prepare (self, attempted
                                         ? "SELECT 1 FROM journal WHERE entity = ? AND entity_id = ?"
                                           " AND origin = 'local' AND op = 'insert'"
                                           " AND push_attempted_at IS NOT NULL LIMIT 1"
                                         : "SELECT 1 FROM journal WHERE entity = ? AND entity_id = ?"
                                           " AND origin = 'local' AND pushed_at IS NULL LIMIT 1",
                                         NULL);
  gboolean found;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, sd_entity_info (entity)->name, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, id);
  found = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_reset (stmt);
  return found;
}
