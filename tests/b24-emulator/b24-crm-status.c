/* b24-crm-status.c: pipelines (crm.category.list) and directories (crm.status.list).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "b24-emulator.h"
#include "b24-db.h"
#include "b24-envelope.h"
#include "b24-params.h"

#include <string.h>

static void
category_list (B24Call  *call,
               B24Reply *reply)
{
  gint64 entity_type = 0;
  JsonArray *categories;
  JsonObject *result;
  sqlite3_stmt *stmt;

  if (!b24_node_get_int (b24_params_get (call->params, "entityTypeId", FALSE), &entity_type)
      || entity_type != 2)
    {
      b24_reply_error (reply, 400, "NOT_FOUND", "Smart process not found");
      return;
    }
  categories = json_array_new ();
  stmt = b24_db_prepare (call->emu, "SELECT ID, NAME, SORT, IS_DEFAULT FROM category"
                                    " WHERE ENTITY_TYPE_ID = ? ORDER BY SORT, ID");
  sqlite3_bind_int64 (stmt, 1, entity_type);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      JsonObject *row = json_object_new ();
      gboolean is_default = strcmp ((const char *) sqlite3_column_text (stmt, 3), "Y") == 0;

      json_object_set_int_member (row, "id", sqlite3_column_int64 (stmt, 0));
      json_object_set_string_member (row, "name", (const char *) sqlite3_column_text (stmt, 1));
      json_object_set_int_member (row, "sort", sqlite3_column_int64 (stmt, 2));
      json_object_set_int_member (row, "entityTypeId", entity_type);
      json_object_set_string_member (row, "isDefault", is_default ? "Y" : "N");
      /* The default pipeline has no origin fields. */
      if (!is_default)
        {
          json_object_set_string_member (row, "originId", "");
          json_object_set_string_member (row, "originatorId", "");
        }
      json_array_add_object_element (categories, row);
    }
  sqlite3_reset (stmt);
  reply->total = json_array_get_length (categories);
  result = json_object_new ();
  json_object_set_array_member (result, "categories", categories);
  b24_reply_set_result (reply, b24_node_take_object (result));
}

static gboolean
is_stage_entity (const char *entity)
{
  return strcmp (entity, "STATUS") == 0 || g_str_has_prefix (entity, "DEAL_STAGE")
         || strcmp (entity, "QUOTE_STATUS") == 0;
}

static char *
int_text (sqlite3_stmt *stmt,
          int           col)
{
  if (sqlite3_column_type (stmt, col) == SQLITE_NULL)
    return NULL;
  return g_strdup_printf ("%lld", sqlite3_column_int64 (stmt, col));
}

static JsonObject *
status_row (sqlite3_stmt *stmt)
{
  JsonObject *row = json_object_new ();
  const char *entity = (const char *) sqlite3_column_text (stmt, 1);
  const char *color = (const char *) sqlite3_column_text (stmt, 8);
  g_autofree char *id = int_text (stmt, 0);
  g_autofree char *sort = int_text (stmt, 5);
  g_autofree char *category = int_text (stmt, 7);

  json_object_set_string_member (row, "ID", id);
  json_object_set_string_member (row, "ENTITY_ID", entity);
  json_object_set_string_member (row, "STATUS_ID", (const char *) sqlite3_column_text (stmt, 2));
  json_object_set_string_member (row, "NAME", (const char *) sqlite3_column_text (stmt, 3));
  json_object_set_string_member (row, "NAME_INIT", (const char *) sqlite3_column_text (stmt, 4));
  json_object_set_string_member (row, "SORT", sort);
  json_object_set_string_member (row, "SYSTEM", (const char *) sqlite3_column_text (stmt, 6));
  json_object_set_member (row, "CATEGORY_ID", b24_node_string (category));
  json_object_set_member (row, "COLOR", b24_node_string (color));
  json_object_set_member (row, "SEMANTICS", b24_node_string ((const char *) sqlite3_column_text (stmt, 9)));
  if (is_stage_entity (entity))
    {
      JsonObject *extra = json_object_new ();

      json_object_set_string_member (extra, "SEMANTICS", (const char *) sqlite3_column_text (stmt, 10));
      json_object_set_member (extra, "COLOR", b24_node_string (color));
      json_object_set_object_member (row, "EXTRA", extra);
    }
  return row;
}

/* crm.status.list has no start and no select: every matching row, plus total. */
static void
status_list (B24Call  *call,
             B24Reply *reply)
{
  static const char *const filter_keys[] = { "ID", "ENTITY_ID", "STATUS_ID", "CATEGORY_ID", NULL };
  JsonObject *filter = b24_params_get_object (call->params, "filter", FALSE);
  JsonObject *order = b24_params_get_object (call->params, "order", FALSE);
  g_autofree char *values[G_N_ELEMENTS (filter_keys)] = { NULL };
  const char *direction = "ASC";
  const char *order_column = "SORT";
  g_autofree char *sql = NULL;
  JsonArray *rows = json_array_new ();
  sqlite3_stmt *stmt;

  for (guint i = 0; filter != NULL && filter_keys[i] != NULL; i++)
    values[i] = b24_node_dup_string (json_object_get_member (filter, filter_keys[i]));
  if (order != NULL)
    {
      GList *members = json_object_get_members (order);

      if (members != NULL)
        {
          g_autofree char *dir = b24_node_dup_string (json_object_get_member (order, members->data));

          order_column = strcmp (members->data, "ID") == 0 ? "ID" : "SORT";
          direction = dir != NULL && g_ascii_strcasecmp (dir, "DESC") == 0 ? "DESC" : "ASC";
        }
      g_list_free (members);
    }
  sql = g_strdup_printf ("SELECT ID, ENTITY_ID, STATUS_ID, NAME, NAME_INIT, SORT, SYSTEM,"
                         " CATEGORY_ID, COLOR, SEMANTICS, EXTRA_SEMANTICS FROM status"
                         " WHERE (?1 IS NULL OR ID = ?1) AND (?2 IS NULL OR ENTITY_ID = ?2)"
                         " AND (?3 IS NULL OR STATUS_ID = ?3) AND (?4 IS NULL OR CATEGORY_ID = ?4)"
                         " ORDER BY %s %s, ID", order_column, direction);
  stmt = b24_db_prepare (call->emu, sql);
  for (guint i = 0; filter_keys[i] != NULL; i++)
    sqlite3_bind_text (stmt, i + 1, values[i], -1, SQLITE_TRANSIENT);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    json_array_add_object_element (rows, status_row (stmt));
  sqlite3_reset (stmt);
  reply->total = json_array_get_length (rows);
  b24_reply_set_result (reply, b24_node_take_array (rows));
  for (guint i = 0; filter_keys[i] != NULL; i++)
    g_free (values[i]);
}

/* The legacy stage list that fast_bitrix24 captured: NAME, SORT (a number), STATUS_ID. */
static void
dealcategory_stage_list (B24Call  *call,
                         B24Reply *reply)
{
  gint64 category = 0;
  g_autofree char *entity = NULL;
  JsonArray *rows = json_array_new ();
  sqlite3_stmt *stmt;

  b24_node_get_int (b24_params_get (call->params, "id", TRUE), &category);
  entity = category == 0 ? g_strdup ("DEAL_STAGE")
                         : g_strdup_printf ("DEAL_STAGE_%" G_GINT64_FORMAT, category);
  stmt = b24_db_prepare (call->emu, "SELECT NAME, SORT, STATUS_ID FROM status WHERE ENTITY_ID = ?"
                                    " ORDER BY SORT, ID");
  sqlite3_bind_text (stmt, 1, entity, -1, SQLITE_TRANSIENT);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      JsonObject *row = json_object_new ();

      json_object_set_string_member (row, "NAME", (const char *) sqlite3_column_text (stmt, 0));
      json_object_set_int_member (row, "SORT", sqlite3_column_int64 (stmt, 1));
      json_object_set_string_member (row, "STATUS_ID", (const char *) sqlite3_column_text (stmt, 2));
      json_array_add_object_element (rows, row);
    }
  sqlite3_reset (stmt);
  b24_reply_set_result (reply, b24_node_take_array (rows));
}

static JsonObject *
category_object (B24Call *call,
                 gint64   id)
{
  sqlite3_stmt *stmt = b24_db_prepare (call->emu, "SELECT ID, NAME, SORT, IS_DEFAULT FROM category"
                                                  " WHERE ENTITY_TYPE_ID = 2 AND ID = ?");
  JsonObject *row = NULL;

  sqlite3_bind_int64 (stmt, 1, id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gboolean is_default = strcmp ((const char *) sqlite3_column_text (stmt, 3), "Y") == 0;

      row = json_object_new ();
      json_object_set_int_member (row, "id", sqlite3_column_int64 (stmt, 0));
      json_object_set_string_member (row, "name", (const char *) sqlite3_column_text (stmt, 1));
      json_object_set_int_member (row, "sort", sqlite3_column_int64 (stmt, 2));
      json_object_set_int_member (row, "entityTypeId", 2);
      json_object_set_string_member (row, "isDefault", is_default ? "Y" : "N");
    }
  sqlite3_reset (stmt);
  return row;
}

/* crm.category.add {entityTypeId:2, fields:{name, sort}} → {"category":{…}}; the new
 * pipeline has no stages until crm.status.add gives it some (not documented: see README). */
static void
category_add (B24Call  *call,
              B24Reply *reply)
{
  gint64 entity_type = 0, sort = 500;
  JsonObject *fields = b24_params_get_object (call->params, "fields", FALSE);
  g_autofree char *name = fields != NULL ? b24_node_dup_string (json_object_get_member (fields, "name")) : NULL;
  JsonObject *result;
  sqlite3_stmt *stmt;

  if (!b24_node_get_int (b24_params_get (call->params, "entityTypeId", FALSE), &entity_type)
      || entity_type != 2)
    {
      b24_reply_error (reply, 400, "NOT_FOUND", "Smart process not found");
      return;
    }
  if (name == NULL || name[0] == '\0')
    {
      b24_reply_error (reply, 400, "ERROR_REQUIRED_PARAMETERS_MISSING", "Required fields: name");
      return;
    }
  if (fields != NULL)
    b24_node_get_int (json_object_get_member (fields, "sort"), &sort);
  stmt = b24_db_prepare (call->emu, "INSERT INTO category (ENTITY_TYPE_ID, NAME, SORT, IS_DEFAULT)"
                                    " VALUES (2, ?, ?, 'N')");
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, sort);
  sqlite3_step (stmt);
  sqlite3_reset (stmt);
  result = json_object_new ();
  json_object_set_object_member (result, "category",
                                 category_object (call, sqlite3_last_insert_rowid (call->emu->db)));
  b24_reply_set_result (reply, b24_node_take_object (result));
}

/* crm.category.update {entityTypeId:2, id, fields:{name, sort}} → {"category":{…}}. */
static void
category_update (B24Call  *call,
                 B24Reply *reply)
{
  gint64 entity_type = 0, id = -1, sort = 0;
  JsonObject *fields = b24_params_get_object (call->params, "fields", FALSE);
  g_autofree char *name = fields != NULL ? b24_node_dup_string (json_object_get_member (fields, "name")) : NULL;
  gboolean has_sort = fields != NULL && b24_node_get_int (json_object_get_member (fields, "sort"), &sort);
  JsonObject *row, *result;
  sqlite3_stmt *stmt;

  if (!b24_node_get_int (b24_params_get (call->params, "entityTypeId", FALSE), &entity_type)
      || entity_type != 2)
    {
      b24_reply_error (reply, 400, "NOT_FOUND", "Smart process not found");
      return;
    }
  b24_node_get_int (b24_params_get (call->params, "id", FALSE), &id);
  if ((row = category_object (call, id)) == NULL)
    {
      b24_reply_error (reply, 400, "NOT_FOUND", "Not found");
      return;
    }
  json_object_unref (row);
  stmt = b24_db_prepare (call->emu, "UPDATE category SET NAME = coalesce (?, NAME),"
                                    " SORT = CASE WHEN ? THEN ? ELSE SORT END WHERE ID = ?");
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 2, has_sort);
  sqlite3_bind_int64 (stmt, 3, sort);
  sqlite3_bind_int64 (stmt, 4, id);
  sqlite3_step (stmt);
  sqlite3_reset (stmt);
  result = json_object_new ();
  json_object_set_object_member (result, "category", category_object (call, id));
  b24_reply_set_result (reply, b24_node_take_object (result));
}

/* crm.status.add {fields:{ENTITY_ID, STATUS_ID, NAME, SORT, COLOR, SEMANTICS}} → the new ID.
 * A stage of DEAL_STAGE_N gets the "C{N}:" prefix when STATUS_ID lacks it. */
static void
status_add (B24Call  *call,
            B24Reply *reply)
{
  JsonObject *fields = b24_params_get_object (call->params, "fields", FALSE);
  g_autofree char *entity = NULL, *status = NULL, *name = NULL, *color = NULL, *semantics = NULL;
  g_autofree char *full = NULL;
  gint64 sort = 10, category = -1;
  const char *extra;
  sqlite3_stmt *stmt;

  if (fields != NULL)
    {
      entity = b24_node_dup_string (json_object_get_member (fields, "ENTITY_ID"));
      status = b24_node_dup_string (json_object_get_member (fields, "STATUS_ID"));
      name = b24_node_dup_string (json_object_get_member (fields, "NAME"));
      color = b24_node_dup_string (json_object_get_member (fields, "COLOR"));
      semantics = b24_node_dup_string (json_object_get_member (fields, "SEMANTICS"));
      b24_node_get_int (json_object_get_member (fields, "SORT"), &sort);
    }
  if (entity == NULL || status == NULL || name == NULL || status[0] == '\0')
    {
      b24_reply_error (reply, 400, "ERROR_CORE", "Required fields: ENTITY_ID, STATUS_ID, NAME");
      return;
    }
  if (g_str_has_prefix (entity, "DEAL_STAGE_"))
    {
      category = g_ascii_strtoll (entity + strlen ("DEAL_STAGE_"), NULL, 10);
      if (!g_str_has_prefix (status, "C"))
        full = g_strdup_printf ("C%" G_GINT64_FORMAT ":%s", category, status);
    }
  else if (strcmp (entity, "DEAL_STAGE") == 0)
    category = 0;
  stmt = b24_db_prepare (call->emu, "SELECT 1 FROM status WHERE ENTITY_ID = ? AND STATUS_ID = ?");
  sqlite3_bind_text (stmt, 1, entity, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, full != NULL ? full : status, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      b24_reply_error (reply, 400, "ERROR_CORE", "The status ID is already in use");
      return;
    }
  sqlite3_reset (stmt);
  extra = g_strcmp0 (semantics, "S") == 0 ? "success" : g_strcmp0 (semantics, "F") == 0 ? "failure" : "process";
  stmt = b24_db_prepare (call->emu, "INSERT INTO status (ENTITY_ID, STATUS_ID, NAME, NAME_INIT, SORT, SYSTEM,"
                                    " CATEGORY_ID, COLOR, SEMANTICS, EXTRA_SEMANTICS)"
                                    " VALUES (?, ?, ?, '', ?, 'N', ?, ?, ?, ?)");
  sqlite3_bind_text (stmt, 1, entity, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, full != NULL ? full : status, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 4, sort);
  if (category >= 0)
    sqlite3_bind_int64 (stmt, 5, category);
  sqlite3_bind_text (stmt, 6, color, -1, SQLITE_TRANSIENT);
  if (g_strcmp0 (semantics, "S") == 0 || g_strcmp0 (semantics, "F") == 0)
    sqlite3_bind_text (stmt, 7, semantics, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 8, extra, -1, SQLITE_STATIC);
  sqlite3_step (stmt);
  sqlite3_reset (stmt);
  b24_reply_set_result (reply, json_node_init_int (json_node_alloc (), sqlite3_last_insert_rowid (call->emu->db)));
}

/* crm.status.update {id, fields:{NAME, SORT, COLOR}} → true. */
static void
status_update (B24Call  *call,
               B24Reply *reply)
{
  JsonObject *fields = b24_params_get_object (call->params, "fields", FALSE);
  g_autofree char *name = NULL, *color = NULL;
  gint64 id = -1, sort = 0;
  gboolean has_sort = FALSE;
  sqlite3_stmt *stmt;

  b24_node_get_int (b24_params_get (call->params, "id", FALSE), &id);
  if (fields != NULL)
    {
      name = b24_node_dup_string (json_object_get_member (fields, "NAME"));
      color = b24_node_dup_string (json_object_get_member (fields, "COLOR"));
      has_sort = b24_node_get_int (json_object_get_member (fields, "SORT"), &sort);
    }
  stmt = b24_db_prepare (call->emu, "UPDATE status SET NAME = coalesce (?, NAME), COLOR = coalesce (?, COLOR),"
                                    " SORT = CASE WHEN ? THEN ? ELSE SORT END WHERE ID = ?");
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, color, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 3, has_sort);
  sqlite3_bind_int64 (stmt, 4, sort);
  sqlite3_bind_int64 (stmt, 5, id);
  sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (sqlite3_changes (call->emu->db) == 0)
    {
      b24_reply_error (reply, 400, "ERROR_CORE", "Not found");
      return;
    }
  b24_reply_set_true (reply);
}

static const B24Method status_methods[] = {
  { "crm.category.add", "crm", category_add },
  { "crm.category.update", "crm", category_update },
  { "crm.status.add", "crm", status_add },
  { "crm.status.update", "crm", status_update },
  { "crm.category.list", "crm", category_list },
  { "crm.status.list", "crm", status_list },
  { "crm.dealcategory.stage.list", "crm", dealcategory_stage_list },
};

void
b24_crm_status_register (B24Emu *emu)
{
  b24_emu_add_methods (emu, status_methods, G_N_ELEMENTS (status_methods));
}
