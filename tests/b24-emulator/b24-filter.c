/* b24-filter.c: list requests: filter, order, select and pages of 50.
 *
 * Filter keys carry an operator prefix (">=DATE_MODIFY", "!@ID", "%TITLE"…). Field names
 * come from the entity descriptor or the user-field table and are never taken from the
 * request as SQL; values are always bound. Unknown fields are ignored, like the portal's
 * old CRM lists do.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "b24-filter.h"
#include "b24-db.h"
#include "b24-envelope.h"
#include "b24-params.h"
#include "b24-time.h"
#include "b24-userfield.h"

#include <string.h>

/* Longest first, so that "!=%" wins over "!=" and "!". */
static const char *const operators[] = {
  "!=%", "!@", "!%", "=%", "%=", ">=", "<=", "!=", ">", "<", "@", "%", "=", "!", NULL,
};

typedef struct {
  GString *where;
  GPtrArray *binds; /* JsonNode * */
} B24Query;

/* Substring and LIKE matches fold case for Cyrillic too, as MySQL collations do. */
static void
sql_contains (sqlite3_context *ctx,
              int              argc,
              sqlite3_value  **argv)
{
  const char *hay = (const char *) sqlite3_value_text (argv[0]);
  const char *needle = (const char *) sqlite3_value_text (argv[1]);
  g_autofree char *hay_fold = NULL;
  g_autofree char *needle_fold = NULL;

  if (hay == NULL || needle == NULL)
    {
      sqlite3_result_int (ctx, 0);
      return;
    }
  hay_fold = g_utf8_casefold (hay, -1);
  needle_fold = g_utf8_casefold (needle, -1);
  sqlite3_result_int (ctx, strstr (hay_fold, needle_fold) != NULL);
}

static void
sql_like (sqlite3_context *ctx,
          int              argc,
          sqlite3_value  **argv)
{
  const char *hay = (const char *) sqlite3_value_text (argv[0]);
  const char *pattern = (const char *) sqlite3_value_text (argv[1]);
  g_autofree char *hay_fold = NULL;
  g_autofree char *glob = NULL;
  g_autoptr(GPatternSpec) spec = NULL;

  if (hay == NULL || pattern == NULL)
    {
      sqlite3_result_int (ctx, 0);
      return;
    }
  hay_fold = g_utf8_casefold (hay, -1);
  glob = g_utf8_casefold (pattern, -1);
  g_strdelimit (glob, "%", '*');
  g_strdelimit (glob, "_", '?');
  spec = g_pattern_spec_new (glob);
  sqlite3_result_int (ctx, g_pattern_spec_match_string (spec, hay_fold));
}

void
b24_filter_register_functions (sqlite3 *db)
{
  sqlite3_create_function (db, "b24_contains", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                           sql_contains, NULL, NULL);
  sqlite3_create_function (db, "b24_like", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                           sql_like, NULL, NULL);
}

static void
query_bind (B24Query *query,
            JsonNode *node)
{
  g_ptr_array_add (query->binds, node);
}

/* The comparable form of a filter value; NULL when it cannot match anything. */
static JsonNode *
filter_value (B24Emu         *emu,
              const B24Field *field,
              JsonNode       *node)
{
  if (field == NULL)
    {
      g_autofree char *text = b24_node_dup_string (node);

      return text != NULL ? b24_node_string (text) : NULL;
    }
  switch (field->type)
    {
    case B24_FIELD_JSON:
    case B24_FIELD_MULTI:
      {
        g_autofree char *text = b24_node_dup_string (node);

        if (text == NULL)
          return NULL;
        if (field->type == B24_FIELD_JSON)
          {
            gint64 value;

            if (b24_node_get_int (node, &value))
              return json_node_init_int (json_node_alloc (), value);
          }
        return b24_node_string (text);
      }
    default:
      {
        JsonNode *value = b24_entity_value_in (emu, field, node);

        if (value != NULL && JSON_NODE_HOLDS_NULL (value))
          g_clear_pointer (&value, json_node_unref);
        return value;
      }
    }
}

/* The SQL expression of a field; user fields live in the UF JSON column. */
static char *
field_expression (const B24Field *field,
                  const char     *uf_name)
{
  if (field != NULL)
    return g_strdup_printf ("\"%s\"", field->name);
  return g_strdup_printf ("json_extract(UF, '$.\"%s\"')", uf_name);
}

static gboolean
known_user_field (B24Call         *call,
                  const B24Entity *entity,
                  const char      *name)
{
  g_autoptr(GPtrArray) names = NULL;

  if (entity->uf_entity == NULL || !g_str_has_prefix (name, "UF_"))
    return FALSE;
  names = b24_userfield_names (call->emu, entity->uf_entity);
  for (guint i = 0; i < names->len; i++)
    if (strcmp (names->pdata[i], name) == 0)
      return TRUE;
  return FALSE;
}

static void
add_condition (B24Call         *call,
               const B24Entity *entity,
               B24Query        *query,
               const char      *key,
               JsonNode        *node)
{
  const char *op = "=";
  const char *name = key;
  const B24Field *field;
  g_autofree char *expr = NULL;
  g_autoptr(GPtrArray) items = NULL;
  gboolean list_op, negate;
  const char *close = ")))";
  GString *where = query->where;

  for (guint i = 0; operators[i] != NULL; i++)
    if (g_str_has_prefix (key, operators[i]))
      {
        op = operators[i];
        name = key + strlen (op);
        break;
      }
  field = b24_entity_field (entity, name);
  if (field == NULL && !known_user_field (call, entity, name))
    return;
  if (field != NULL && (field->flags & B24_FIELD_HIDDEN) != 0)
    return;
  expr = field_expression (field, name);
  negate = op[0] == '!';
  list_op = strcmp (op, "@") == 0 || strcmp (op, "!@") == 0 || strcmp (op, "=") == 0
            || strcmp (op, "!=") == 0 || strcmp (op, "!") == 0;
  items = b24_node_list (node);
  if (!list_op && items->len != 1)
    return;

  g_string_append (where, " AND ");
  if (field != NULL && field->type == B24_FIELD_MULTI)
    {
      /* A multi-field matches one of its values exactly. */
      g_string_append_printf (where,
                              "%s(ID IN (SELECT ELEMENT_ID FROM multifield WHERE ENTITY_ID = '%s'"
                              " AND TYPE_ID = '%s' AND VALUE IN (",
                              negate ? "NOT " : "", entity->mf_entity, field->name);
    }
  else if (field != NULL && field->type == B24_FIELD_JSON)
    g_string_append_printf (where, "%s(EXISTS (SELECT 1 FROM json_each(%s) WHERE value IN (",
                            negate ? "NOT " : "", expr);
  else if (list_op)
    {
      gboolean empty = items->len == 1 && b24_node_is_scalar (items->pdata[0])
                       && json_node_get_value_type (items->pdata[0]) == G_TYPE_STRING
                       && json_node_get_string (items->pdata[0])[0] == '\0';

      if (items->len == 0 || empty)
        {
          /* An empty value means "not set". */
          g_string_append_printf (where, negate ? "(%s IS NOT NULL AND %s <> '')"
                                                : "(%s IS NULL OR %s = '')", expr, expr);
          return;
        }
      if (negate)
        g_string_append_printf (where, "(%s IS NULL OR %s NOT IN (", expr, expr);
      else
        g_string_append_printf (where, "(%s IN (", expr);
      close = "))";
    }
  else
    {
      JsonNode *value = filter_value (call->emu, field, items->pdata[0]);

      if (value == NULL)
        {
          g_string_append (where, "0");
          return;
        }
      query_bind (query, value);
      if (strcmp (op, "%") == 0 || strcmp (op, "!%") == 0)
        g_string_append_printf (where, "%sb24_contains(%s, ?)", negate ? "NOT " : "", expr);
      else if (strchr (op, '%') != NULL)
        g_string_append_printf (where, "%sb24_like(%s, ?)", negate ? "NOT " : "", expr);
      else
        g_string_append_printf (where, "%s %s ?", expr, op);
      return;
    }

  for (guint i = 0; i < items->len; i++)
    {
      JsonNode *value = filter_value (call->emu, field, items->pdata[i]);

      g_string_append (where, i > 0 ? ", ?" : "?");
      query_bind (query, value != NULL ? value : json_node_new (JSON_NODE_NULL));
    }
  g_string_append (where, close);
}

static char *
order_clause (B24Call         *call,
              const B24Entity *entity,
              JsonNode        *order)
{
  GString *clause = g_string_new (NULL);
  gboolean by_id = FALSE;

  if (order != NULL && JSON_NODE_HOLDS_OBJECT (order))
    {
      JsonObject *object = json_node_get_object (order);
      GList *members = json_object_get_members (object);

      for (GList *l = members; l != NULL; l = l->next)
        {
          const char *name = l->data;
          const B24Field *field = b24_entity_field (entity, name);
          g_autofree char *dir = b24_node_dup_string (json_object_get_member (object, name));
          g_autofree char *expr = NULL;

          if ((field == NULL && !known_user_field (call, entity, name))
              || (field != NULL && field->type == B24_FIELD_MULTI))
            continue;
          expr = field_expression (field, name);
          g_string_append_printf (clause, "%s%s %s", clause->len > 0 ? ", " : "", expr,
                                  dir != NULL && g_ascii_strcasecmp (dir, "DESC") == 0 ? "DESC" : "ASC");
          by_id |= field == entity->fields;
        }
      g_list_free (members);
    }
  if (clause->len == 0 && entity->default_order != NULL)
    {
      g_string_append (clause, entity->default_order);
      by_id = TRUE;
    }
  /* A stable tie-breaker, so that pages never overlap. */
  if (!by_id)
    g_string_append_printf (clause, "%sID ASC", clause->len > 0 ? ", " : "");
  return g_string_free (clause, FALSE);
}

static void
bind_all (sqlite3_stmt *stmt,
          GPtrArray    *binds)
{
  for (guint i = 0; i < binds->len; i++)
    b24_db_bind_node (stmt, i + 1, binds->pdata[i]);
}

void
b24_list_query (B24Call         *call,
                const B24Entity *entity,
                JsonNode        *filter,
                JsonNode        *order,
                JsonNode        *select_node,
                JsonNode        *start_node,
                const char      *fixed_where,
                B24Page         *page)
{
  B24Query query = {
    .where = g_string_new (fixed_where != NULL ? fixed_where : "1"),
    .binds = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref),
  };
  g_autofree char *order_sql = order_clause (call, entity, order);
  g_autofree char *base = b24_entity_select_sql (entity);
  g_autofree char *sql = NULL;
  B24Select select;
  gint64 start = 0;
  sqlite3_stmt *stmt;

  b24_node_get_int (start_node, &start);
  if (start < -1)
    start = 0;
  if (filter != NULL && JSON_NODE_HOLDS_OBJECT (filter))
    {
      JsonObject *object = json_node_get_object (filter);
      GList *members = json_object_get_members (object);

      for (GList *l = members; l != NULL; l = l->next)
        add_condition (call, entity, &query, l->data, json_object_get_member (object, l->data));
      g_list_free (members);
    }

  page->rows = json_array_new ();
  page->total = 0;
  page->next = -1;
  if (start >= 0)
    {
      g_autofree char *count_sql = g_strdup_printf ("SELECT COUNT(*) FROM \"%s\" WHERE %s",
                                                    entity->table, query.where->str);

      stmt = b24_db_prepare (call->emu, count_sql);
      bind_all (stmt, query.binds);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        page->total = sqlite3_column_int64 (stmt, 0);
      sqlite3_reset (stmt);
      if (start + B24_PAGE_SIZE < page->total)
        page->next = start + B24_PAGE_SIZE;
    }

  sql = g_strdup_printf ("%s WHERE %s ORDER BY %s LIMIT %d OFFSET %" G_GINT64_FORMAT, base,
                         query.where->str, order_sql, B24_PAGE_SIZE, MAX (start, 0));
  b24_select_init (&select, entity, select_node);
  stmt = b24_db_prepare (call->emu, sql);
  bind_all (stmt, query.binds);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    json_array_add_object_element (page->rows,
                                   b24_entity_row_to_json (call, entity, stmt, &select));
  sqlite3_reset (stmt);
  b24_select_clear (&select);
  g_string_free (query.where, TRUE);
  g_ptr_array_unref (query.binds);
}

void
b24_page_clear (B24Page *page)
{
  g_clear_pointer (&page->rows, json_array_unref);
}

void
b24_page_to_reply (B24Page  *page,
                   B24Reply *reply)
{
  b24_reply_set_result (reply, b24_node_take_array (g_steal_pointer (&page->rows)));
  reply->total = page->total;
  reply->next = page->next;
}
