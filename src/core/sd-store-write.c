/* sd-store-write.c: the write API — access check, write and journal entry in one
 * transaction.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-store"

#include "sd-store-private.h"
#include "sd-store-sync.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <string.h>

/* The row as it was before a write, journaled columns only. */
typedef struct
{
  const SdEntityInfo *info;
  SdValue            *values;  /* one a column of info */
} RowValues;

static void
row_values_clear (RowValues *row)
{
  for (guint i = 0; row->values != NULL && i < row->info->n_columns; i++)
    sd_value_clear (&row->values[i]);
  g_clear_pointer (&row->values, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RowValues, row_values_clear)

static void
column_value (sqlite3_stmt *stmt,
              int           index,
              SdValue      *value)
{
  switch (sqlite3_column_type (stmt, index))
    {
    case SQLITE_NULL:
      value->kind = SD_VALUE_NULL;
      break;
    case SQLITE_INTEGER:
      value->kind = SD_VALUE_NUMBER;
      value->number = sqlite3_column_int64 (stmt, index);
      break;
    default:
      value->kind = SD_VALUE_STRING;
      value->text = g_strdup ((const char *) sqlite3_column_text (stmt, index));
    }
}

static void
bind_value (sqlite3_stmt  *stmt,
            int            index,
            const SdValue *value)
{
  switch (value->kind)
    {
    case SD_VALUE_NULL:
      sqlite3_bind_null (stmt, index);
      break;
    case SD_VALUE_NUMBER:
      sqlite3_bind_int64 (stmt, index, value->number);
      break;
    default:
      sqlite3_bind_text (stmt, index, value->text, -1, SQLITE_STATIC);
    }
}

static const SdValue null_value = { SD_VALUE_NULL, 0, NULL };

static gboolean
validate_changes (SdEntity    entity,
                  SdChanges  *changes,
                  GError    **error)
{
  const SdEntityInfo *info = sd_entity_info (entity);

  for (guint i = 0; i < sd_changes_get_size (changes); i++)
    {
      const SdChange *change = sd_changes_get (changes, i);
      const SdColumnInfo *column = sd_entity_find_column (entity, change->field);
      SdValueKind expected;

      if (column == NULL)
        {
          g_set_error (error, SD_STORE_ERROR, SD_STORE_ERROR_INVALID,
                       "A %s has no field “%s”", info->name, change->field);
          return FALSE;
        }
      expected = column->type == SD_COLUMN_INTEGER ? SD_VALUE_NUMBER : SD_VALUE_STRING;
      if (change->value.kind != SD_VALUE_NULL && change->value.kind != expected)
        {
          g_set_error (error, SD_STORE_ERROR, SD_STORE_ERROR_INVALID,
                       "The field “%s” of a %s takes %s", change->field, info->name,
                       column->type == SD_COLUMN_INTEGER ? "a number" : "text");
          return FALSE;
        }
    }
  return TRUE;
}

/* A whole sentence for the rows people name by number; the others by their journal name. */
static void
set_not_found (GError   **error,
               SdEntity   entity,
               gint64     id)
{
  switch (entity)
    {
    case SD_ENTITY_DEAL:
      g_set_error (error, SD_STORE_ERROR, SD_STORE_ERROR_NOT_FOUND,
                   _("There is no deal with the number %" PRId64), id);
      break;
    case SD_ENTITY_CONTACT:
      g_set_error (error, SD_STORE_ERROR, SD_STORE_ERROR_NOT_FOUND,
                   _("There is no contact with the number %" PRId64), id);
      break;
    case SD_ENTITY_COMPANY:
      g_set_error (error, SD_STORE_ERROR, SD_STORE_ERROR_NOT_FOUND,
                   _("There is no company with the number %" PRId64), id);
      break;
    case SD_ENTITY_USER:
      g_set_error (error, SD_STORE_ERROR, SD_STORE_ERROR_NOT_FOUND,
                   _("There is no user with the number %" PRId64), id);
      break;
    case SD_ENTITY_PAYMENT:
      g_set_error (error, SD_STORE_ERROR, SD_STORE_ERROR_NOT_FOUND,
                   _("There is no payment with the number %" PRId64), id);
      break;
    case SD_ENTITY_TASK:
      g_set_error (error, SD_STORE_ERROR, SD_STORE_ERROR_NOT_FOUND,
                   _("There is no task with the number %" PRId64), id);
      break;
    default:
      g_set_error (error, SD_STORE_ERROR, SD_STORE_ERROR_NOT_FOUND,
                   /* Translators: %s is a table's name as the journal writes it, in
                    * English: "stage", "contact_field", … */
                   _("There is no %s with the number %" PRId64), sd_entity_info (entity)->name,
                   id);
      break;
    }
}

static gboolean
read_row (SdStore     *self,
          SdEntity     entity,
          gint64       id,
          RowValues   *row,
          GError     **error)
{
  const SdEntityInfo *info = sd_entity_info (entity);
  g_autoptr(GString) sql = g_string_new ("SELECT ");
  sqlite3_stmt *stmt;
  int rc;

  row->info = info;
  for (guint i = 0; i < info->n_columns; i++)
    {
      if (i > 0)
        g_string_append (sql, ", ");
      g_string_append (sql, info->columns[i].name);
    }
  g_string_append_printf (sql, " FROM %s WHERE id = ?", info->table);

  stmt = sd_store_prepare (self, sql->str, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        set_not_found (error, entity, id);
      else
        sd_store_set_sqlite_error (self, error, "Cannot read");
      sqlite3_reset (stmt);
      return FALSE;
    }
  row->values = g_new0 (SdValue, info->n_columns);
  for (guint i = 0; i < info->n_columns; i++)
    column_value (stmt, i, &row->values[i]);
  sqlite3_reset (stmt);
  return TRUE;
}

static const SdValue *
row_lookup (const RowValues *row,
            const char      *column)
{
  for (guint i = 0; i < row->info->n_columns; i++)
    if (strcmp (row->info->columns[i].name, column) == 0)
      return &row->values[i];
  return &null_value;
}

static gint64
value_int (const SdValue *value)
{
  return value != NULL && value->kind == SD_VALUE_NUMBER ? value->number : 0;
}

static const SdValue *
change_value (SdChanges  *changes,
              const char *field)
{
  const SdChange *change = changes != NULL ? sd_changes_lookup (changes, field) : NULL;

  return change != NULL ? &change->value : &null_value;
}

static gint64
deal_stage (SdStore *self,
            gint64   deal_id)
{
  sqlite3_stmt *stmt = sd_store_prepare (self, "SELECT stage_id FROM deals WHERE id = ?", NULL);
  gint64 stage = 0;

  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, deal_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    stage = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return stage;
}

/* Contacts, companies and deal-less rows: any role that may edit deals somewhere. */
static gboolean
check_party_access (SdStore  *self,
                    GError  **error)
{
  sqlite3_stmt *stmt;
  gboolean allowed = FALSE;

  if (sd_store_get_actor (self) == SD_ACTOR_SYSTEM)
    return TRUE;
  stmt = sd_store_prepare (self,
                           "SELECT 1 FROM access JOIN users ON users.role_id = access.role_id "
                           "WHERE users.id = ? AND (access.actions & ?) != 0 LIMIT 1",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, sd_store_get_actor (self));
  sqlite3_bind_int (stmt, 2, SD_ACCESS_EDIT);
  allowed = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_reset (stmt);
  if (!allowed)
    g_set_error (error, SD_ACCESS_ERROR, SD_ACCESS_ERROR_DENIED,
                 _("This user may not change clients"));
  return allowed;
}

/* @old is the row before the write (NULL for an insert), @changes what is written. */
static gboolean
check_write_access (SdStore          *self,
                    SdEntity          entity,
                    const RowValues  *old,
                    SdChanges        *changes,
                    GError          **error)
{
  const SdEntityInfo *info = sd_entity_info (entity);
  const SdChange *stage_change;
  gint64 deal_id;

  if (sd_store_get_actor (self) == SD_ACTOR_SYSTEM)
    return TRUE;

  switch (info->scope)
    {
    case SD_SCOPE_CONFIG:
      if (sd_store_get_actor (self) == SD_ACTOR_SYSTEM)
        return TRUE;
      g_set_error (error, SD_ACCESS_ERROR, SD_ACCESS_ERROR_DENIED,
                   _("Only the set-up may change the %s list"), info->name);
      return FALSE;

    case SD_SCOPE_PARTY:
      return check_party_access (self, error);

    case SD_SCOPE_DEAL:
      stage_change = changes != NULL ? sd_changes_lookup (changes, "stage_id") : NULL;
      if (old == NULL)
        return sd_store_check_access (self, value_int (change_value (changes, "stage_id")),
                                      SD_ACCESS_EDIT, error);
      {
        gint64 current = value_int (row_lookup (old, "stage_id"));
        gboolean moves = stage_change != NULL
                         && !sd_value_equal (&stage_change->value, row_lookup (old, "stage_id"));
        gboolean edits = changes == NULL || sd_changes_get_size (changes) > (moves ? 1u : 0u);

        if (moves && !sd_store_check_access (self, current, SD_ACCESS_MOVE, error))
          return FALSE;
        return !edits || sd_store_check_access (self, current, SD_ACCESS_EDIT, error);
      }

    case SD_SCOPE_DEAL_PART:
      deal_id = value_int (old != NULL ? row_lookup (old, info->parent_column)
                                       : change_value (changes, info->parent_column));
      if (deal_id == 0)
        return check_party_access (self, error);
      return sd_store_check_access (self, deal_stage (self, deal_id), info->write_action, error);

    default:
      g_assert_not_reached ();
    }
}

static const char *
format_int64 (char   buffer[24],
              gint64 value)
{
  guint64 magnitude = value < 0 ? -(guint64) value : (guint64) value;
  char *p = buffer + 23;

  *p = '\0';
  do
    *--p = '0' + magnitude % 10;
  while ((magnitude /= 10) != 0);
  if (value < 0)
    *--p = '-';
  return p;
}

/* The journal's changes object, written directly: this is on the path of every write. */
static void
append_json_value (GString       *json,
                   const SdValue *value)
{
  char digits[24];

  if (value->kind == SD_VALUE_NULL)
    {
      g_string_append (json, "null");
      return;
    }
  if (value->kind == SD_VALUE_NUMBER)
    {
      g_string_append (json, format_int64 (digits, value->number));
      return;
    }
  g_string_append_c (json, '"');
  for (const char *p = value->text, *run = value->text;; p++)
    {
      /* Plain runs go in whole; only quotes, backslashes and controls are escaped. */
      if (*p != '\0' && *p != '"' && *p != '\\' && (guchar) *p >= 0x20)
        continue;
      g_string_append_len (json, run, p - run);
      run = p + 1;
      switch (*p)
        {
        case '\0':
          g_string_append_c (json, '"');
          return;
        case '"':
          g_string_append (json, "\\\"");
          break;
        case '\\':
          g_string_append (json, "\\\\");
          break;
        case '\n':
          g_string_append (json, "\\n");
          break;
        default:
          g_string_append_printf (json, "\\u%04x", (guint) (guchar) *p);
        }
    }
}

/* Adds "field":[old,new] to a changes object being written. */
static void
append_json_change (GString       *json,
                    const char    *field,
                    const SdValue *old_value,
                    const SdValue *new_value)
{
  if (json->len > 1)
    g_string_append_c (json, ',');
  g_string_append_c (json, '"');
  g_string_append (json, field);
  g_string_append (json, "\":[");
  append_json_value (json, old_value);
  g_string_append_c (json, ',');
  append_json_value (json, new_value);
  g_string_append_c (json, ']');
}

static gboolean
append_journal (SdStore      *self,
                SdEntity      entity,
                gint64        id,
                gint64        deal_id,
                SdChangeOp    op,
                GString      *json,
                GError      **error)
{
  static const char *const op_names[] = { "insert", "update", "delete" };
  g_autofree char *now = NULL;
  sqlite3_stmt *stmt;

  if (!sd_store_get_journaling (self))
    return TRUE;
  now = sd_store_now_iso (self);

  stmt = sd_store_prepare (self,
                           "INSERT INTO journal (entity, entity_id, deal_id, op, changes, "
                           "author_id, at, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, sd_entity_info (entity)->name, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, id);
  if (deal_id != 0)
    sqlite3_bind_int64 (stmt, 3, deal_id);
  sqlite3_bind_text (stmt, 4, op_names[op], -1, SQLITE_STATIC);
  g_string_append_c (json, '}');
  sqlite3_bind_text (stmt, 5, json->str, json->len, SQLITE_STATIC);
  if (sd_store_get_actor (self) != SD_ACTOR_SYSTEM)
    sqlite3_bind_int64 (stmt, 6, sd_store_get_actor (self));
  sqlite3_bind_text (stmt, 7, now, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 8, sd_store_get_origin (self), -1, SQLITE_STATIC);
  return sd_store_step_done (self, stmt, error);
}

static gint64
owning_deal (SdEntity         entity,
             gint64           id,
             const RowValues *old,
             SdChanges       *changes)
{
  const SdEntityInfo *info = sd_entity_info (entity);

  if (entity == SD_ENTITY_DEAL)
    return id;
  if (info->scope != SD_SCOPE_DEAL_PART)
    return 0;
  return value_int (old != NULL ? row_lookup (old, info->parent_column)
                                : change_value (changes, info->parent_column));
}

/* The search index and listeners of the owning row hear of a change to a part of it. */
static gboolean
after_write (SdStore          *self,
             SdEntity          entity,
             gint64            id,
             SdChangeOp        op,
             const RowValues  *old,
             SdChanges        *changes,
             GError          **error)
{
  const SdEntityInfo *info = sd_entity_info (entity);
  gint64 parent_id = 0;

  if (info->parent_column != NULL && entity != SD_ENTITY_DEAL)
    parent_id = value_int (old != NULL ? row_lookup (old, info->parent_column)
                                       : change_value (changes, info->parent_column));

  switch (entity)
    {
    case SD_ENTITY_DEAL:
    case SD_ENTITY_CONTACT:
    case SD_ENTITY_COMPANY:
      sd_store_queue_search (self, entity, id, op == SD_CHANGE_INSERT);
      break;
    case SD_ENTITY_CONTACT_CHANNEL:
      sd_store_queue_search (self, SD_ENTITY_CONTACT, parent_id, FALSE);
      break;
    case SD_ENTITY_ACCESS:
    case SD_ENTITY_USER:
    case SD_ENTITY_ROLE:
      sd_store_invalidate_access (self);
      break;
    default:
      break;
    }

  sd_store_queue_change (self, entity, id, op);
  if (parent_id != 0)
    sd_store_queue_change (self, info->parent, parent_id, SD_CHANGE_UPDATE);
  return TRUE;
}

static void
set_housekeeping_text (SdChanges  *changes,
                       SdEntity    entity,
                       const char *column,
                       const char *value)
{
  if (sd_entity_find_column (entity, column) != NULL && sd_changes_lookup (changes, column) == NULL)
    sd_changes_set_text (changes, column, value);
}

gint64
sd_store_insert (SdStore    *self,
                 SdEntity    entity,
                 SdChanges  *changes,
                 GError    **error)
{
  return sd_store_insert_remote (self, entity, changes, 0, NULL, error);
}

gint64
sd_store_insert_remote (SdStore     *self,
                        SdEntity     entity,
                        SdChanges   *changes,
                        gint64       b24_id,
                        const char  *remote_modified,
                        GError     **error)
{
  const SdEntityInfo *info = sd_entity_info (entity);
  g_autoptr(GString) sql = NULL;
  g_autoptr(GString) json = NULL;
  g_autofree char *now = NULL;
  sqlite3_stmt *stmt;
  gint64 id;

  g_return_val_if_fail (SD_IS_STORE (self), 0);

  if (!validate_changes (entity, changes, error)
      || !check_write_access (self, entity, NULL, changes, error))
    return 0;

  now = sd_store_now_iso (self);
  set_housekeeping_text (changes, entity, "created_at", now);
  set_housekeeping_text (changes, entity, "updated_at", now);
  set_housekeeping_text (changes, entity, "stage_changed_at", now);

  sql = g_string_new (NULL);
  g_string_printf (sql, "INSERT INTO %s (", info->table);
  for (guint i = 0; i < sd_changes_get_size (changes); i++)
    {
      if (i > 0)
        g_string_append (sql, ", ");
      g_string_append (sql, sd_changes_get (changes, i)->field);
    }
  /* The server's bookkeeping (no journal entry of its own): in the same statement. */
  if (b24_id > 0)
    g_string_append (sql, sd_changes_get_size (changes) > 0 ? ", b24_id, remote_modified" : "b24_id, remote_modified");
  g_string_append (sql, ") VALUES (");
  for (guint i = 0; i < sd_changes_get_size (changes); i++)
    g_string_append (sql, i > 0 ? ", ?" : "?");
  if (b24_id > 0)
    g_string_append (sql, sd_changes_get_size (changes) > 0 ? ", ?, ?" : "?, ?");
  g_string_append (sql, ")");
  if (sd_changes_get_size (changes) == 0 && b24_id <= 0)
    g_string_printf (sql, "INSERT INTO %s DEFAULT VALUES", info->table);

  if (!sd_store_begin (self, error))
    return 0;
  stmt = sd_store_prepare (self, sql->str, error);
  if (stmt == NULL)
    goto failed;
  for (guint i = 0; i < sd_changes_get_size (changes); i++)
    bind_value (stmt, i + 1, &sd_changes_get (changes, i)->value);
  if (b24_id > 0)
    {
      sqlite3_bind_int64 (stmt, sd_changes_get_size (changes) + 1, b24_id);
      sqlite3_bind_text (stmt, sd_changes_get_size (changes) + 2, remote_modified, -1, SQLITE_TRANSIENT);
    }
  if (!sd_store_step_done (self, stmt, error))
    goto failed;
  id = sqlite3_last_insert_rowid (sd_store_get_db (self));

  json = g_string_new ("{");
  for (guint i = 0; sd_store_get_journaling (self) && i < sd_changes_get_size (changes); i++)
    {
      const SdChange *change = sd_changes_get (changes, i);
      if (!(sd_entity_find_column (entity, change->field)->flags & SD_COLUMN_HOUSEKEEPING))
        append_json_change (json, change->field, &null_value, &change->value);
    }

  if (!append_journal (self, entity, id, owning_deal (entity, id, NULL, changes),
                       SD_CHANGE_INSERT, json, error)
      || !after_write (self, entity, id, SD_CHANGE_INSERT, NULL, changes, error)
      || !sd_store_commit (self, error))
    goto failed;
  return id;

failed:
  sd_store_rollback (self);
  return 0;
}

gboolean
sd_store_update (SdStore    *self,
                 SdEntity    entity,
                 gint64      id,
                 SdChanges  *changes,
                 GError    **error)
{
  const SdEntityInfo *info = sd_entity_info (entity);
  g_auto(RowValues) old = { NULL, NULL };
  g_autoptr(GString) sql = NULL;
  g_autoptr(GString) json = g_string_new ("{");
  g_autofree char *now = NULL;
  sqlite3_stmt *stmt;
  guint n_changed = 0;
  gboolean moves = FALSE;

  g_return_val_if_fail (SD_IS_STORE (self), FALSE);

  if (!validate_changes (entity, changes, error))
    return FALSE;
  if (!sd_store_begin (self, error))
    return FALSE;
  if (!read_row (self, entity, id, &old, error)
      || !check_write_access (self, entity, &old, changes, error))
    goto failed;

  sql = g_string_new (NULL);
  g_string_printf (sql, "UPDATE %s SET ", info->table);
  for (guint i = 0; i < sd_changes_get_size (changes); i++)
    {
      const SdChange *change = sd_changes_get (changes, i);
      const SdValue *before = row_lookup (&old, change->field);

      if (sd_value_equal (before, &change->value))
        continue;
      g_string_append_printf (sql, "%s%s = ?%u", n_changed > 0 ? ", " : "", change->field, i + 1);
      n_changed++;
      if (entity == SD_ENTITY_DEAL && strcmp (change->field, "stage_id") == 0)
        moves = TRUE;
      if (!(sd_entity_find_column (entity, change->field)->flags & SD_COLUMN_HOUSEKEEPING))
        append_json_change (json, change->field, before, &change->value);
    }

  if (n_changed == 0)
    return sd_store_commit (self, error);

  now = sd_store_now_iso (self);
  if (sd_entity_find_column (entity, "updated_at") != NULL)
    g_string_append (sql, ", updated_at = ?1000");
  if (moves)
    g_string_append (sql, ", stage_changed_at = ?1000");
  g_string_append (sql, " WHERE id = ?1001");

  stmt = sd_store_prepare (self, sql->str, error);
  if (stmt == NULL)
    goto failed;
  for (guint i = 0; i < sd_changes_get_size (changes); i++)
    bind_value (stmt, i + 1, &sd_changes_get (changes, i)->value);
  sqlite3_bind_text (stmt, 1000, now, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 1001, id);
  if (!sd_store_step_done (self, stmt, error))
    goto failed;

  if (!append_journal (self, entity, id, owning_deal (entity, id, &old, changes),
                       SD_CHANGE_UPDATE, json, error)
      || !after_write (self, entity, id, SD_CHANGE_UPDATE, &old, changes, error)
      || !sd_store_commit (self, error))
    goto failed;
  return TRUE;

failed:
  sd_store_rollback (self);
  return FALSE;
}

gboolean
sd_store_delete (SdStore  *self,
                 SdEntity  entity,
                 gint64    id,
                 GError  **error)
{
  const SdEntityInfo *info = sd_entity_info (entity);
  g_auto(RowValues) old = { NULL, NULL };
  g_autoptr(GString) json = g_string_new ("{");
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (SD_IS_STORE (self), FALSE);

  if (!sd_store_begin (self, error))
    return FALSE;
  if (!read_row (self, entity, id, &old, error)
      || !check_write_access (self, entity, &old, NULL, error))
    goto failed;

  sql = g_strdup_printf ("DELETE FROM %s WHERE id = ?", info->table);
  stmt = sd_store_prepare (self, sql, error);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!sd_store_step_done (self, stmt, error))
    goto failed;

  for (guint i = 0; i < info->n_columns; i++)
    {
      const SdColumnInfo *column = &info->columns[i];
      if (!(column->flags & SD_COLUMN_HOUSEKEEPING))
        append_json_change (json, column->name, &old.values[i], &null_value);
    }

  if (!append_journal (self, entity, id, owning_deal (entity, id, &old, NULL),
                       SD_CHANGE_DELETE, json, error)
      || !after_write (self, entity, id, SD_CHANGE_DELETE, &old, NULL, error)
      || !sd_store_commit (self, error))
    goto failed;
  return TRUE;

failed:
  sd_store_rollback (self);
  return FALSE;
}

gboolean
sd_store_move_deal (SdStore  *self,
                    gint64    deal_id,
                    gint64    stage_id,
                    GError  **error)
{
  g_autoptr(SdChanges) changes = sd_changes_new ();

  sd_changes_set_int (changes, "stage_id", stage_id);
  return sd_store_update (self, SD_ENTITY_DEAL, deal_id, changes, error);
}
