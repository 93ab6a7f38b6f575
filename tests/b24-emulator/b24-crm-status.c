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

static const B24Method status_methods[] = {
  { "crm.category.list", "crm", category_list },
  { "crm.status.list", "crm", status_list },
  { "crm.dealcategory.stage.list", "crm", dealcategory_stage_list },
};

void
b24_crm_status_register (B24Emu *emu)
{
  b24_emu_add_methods (emu, status_methods, G_N_ELEMENTS (status_methods));
}
