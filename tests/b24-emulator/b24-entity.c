/* b24-entity.c: tables described once, used for storage, lists, reads and writes.
 *
 * The old CRM methods (crm.deal|contact|company|requisite.*) differ only in their fields and
 * a few rules, so they share these handlers; a descriptor's prepare and after hooks hold
 * the rules.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "b24-entity.h"
#include "b24-db.h"
#include "b24-envelope.h"
#include "b24-events.h"
#include "b24-filter.h"
#include "b24-params.h"
#include "b24-time.h"
#include "b24-userfield.h"

#include <string.h>

static const char *const multifield_types[] = { "PHONE", "EMAIL", "WEB", "IM", "LINK", NULL };

const B24Entity *const *
b24_entity_all (void)
{
  static const B24Entity *const all[] = {
    &b24_entity_deal, &b24_entity_contact, &b24_entity_company, &b24_entity_requisite,
    &b24_entity_user, &b24_entity_department, &b24_entity_timeline_comment,
    &b24_entity_task, &b24_entity_lead,
    NULL,
  };

  return all;
}

static gboolean
field_is_stored (const B24Field *field)
{
  return field->type != B24_FIELD_MULTI;
}

char *
b24_entity_create_sql (const B24Entity *entity)
{
  GString *sql = g_string_new (NULL);

  g_string_append_printf (sql, "CREATE TABLE \"%s\" (", entity->table);
  for (const B24Field *f = entity->fields; f->name != NULL; f++)
    {
      const char *sql_type = "TEXT";

      if (!field_is_stored (f))
        continue;
      if (f == entity->fields)
        {
          g_string_append_printf (sql, "\"%s\" INTEGER PRIMARY KEY AUTOINCREMENT", f->name);
          continue;
        }
      switch (f->type)
        {
        case B24_FIELD_ID:
        case B24_FIELD_INT:
        case B24_FIELD_INT_NATIVE:
        case B24_FIELD_DATETIME:
        case B24_FIELD_DATE:
        case B24_FIELD_BOOL_NATIVE:
          sql_type = "INTEGER";
          break;
        case B24_FIELD_MONEY:
          sql_type = "REAL";
          break;
        default:
          break;
        }
      g_string_append_printf (sql, ", \"%s\" %s", f->name, sql_type);
    }
  if (entity->uf_entity != NULL)
    g_string_append (sql, ", UF TEXT NOT NULL DEFAULT '{}'");
  g_string_append (sql, ");");
  return g_string_free (sql, FALSE);
}

const B24Field *
b24_entity_field (const B24Entity *entity,
                  const char      *name)
{
  for (const B24Field *f = entity->fields; f->name != NULL; f++)
    if (strcmp (f->name, name) == 0)
      return f;
  return NULL;
}

gboolean
b24_entity_exists (B24Emu          *emu,
                   const B24Entity *entity,
                   gint64           id)
{
  g_autofree char *sql = g_strdup_printf ("SELECT COUNT(*) FROM \"%s\" WHERE ID = ?",
                                          entity->table);

  return b24_db_query_int (emu, sql, id) > 0;
}

char *
b24_entity_select_sql (const B24Entity *entity)
{
  GString *sql = g_string_new ("SELECT ");
  gboolean first = TRUE;

  for (const B24Field *f = entity->fields; f->name != NULL; f++)
    {
      if (!field_is_stored (f))
        continue;
      g_string_append_printf (sql, "%s\"%s\"", first ? "" : ", ", f->name);
      first = FALSE;
    }
  if (entity->uf_entity != NULL)
    g_string_append (sql, ", UF");
  g_string_append_printf (sql, " FROM \"%s\"", entity->table);
  return g_string_free (sql, FALSE);
}

void
b24_select_init (B24Select       *select,
                 const B24Entity *entity,
                 JsonNode        *node)
{
  g_autoptr(GPtrArray) items = b24_node_list (node);

  *select = (B24Select) { 0 };
  if (items->len == 0)
    {
      /* The default is "*" + "UF_*". */
      select->all_std = TRUE;
      select->all_uf = TRUE;
      return;
    }
  select->names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_add (select->names, g_strdup ("ID"));
  for (guint i = 0; i < items->len; i++)
    {
      g_autofree char *name = b24_node_dup_string (items->pdata[i]);

      if (name == NULL)
        continue;
      if (strcmp (name, "*") == 0)
        select->all_std = TRUE;
      else if (strcmp (name, "UF_*") == 0)
        select->all_uf = TRUE;
      else
        g_hash_table_add (select->names, g_steal_pointer (&name));
    }
}

void
b24_select_clear (B24Select *select)
{
  g_clear_pointer (&select->names, g_hash_table_unref);
  g_clear_pointer (&select->uf_names, g_ptr_array_unref);
  g_clear_pointer (&select->picked, g_free);
}

static gboolean
select_has (const B24Select *select,
            const char      *name)
{
  return select->names != NULL && g_hash_table_contains (select->names, name);
}

static JsonNode *
multifield_json (B24Call         *call,
                 const B24Entity *entity,
                 gint64           id,
                 const char      *type)
{
  sqlite3_stmt *stmt = b24_db_prepare (call->emu,
                                       "SELECT ID, VALUE_TYPE, VALUE FROM multifield"
                                       " WHERE ENTITY_ID = ? AND ELEMENT_ID = ? AND TYPE_ID = ?"
                                       " ORDER BY ID");
  JsonArray *array = json_array_new ();

  sqlite3_bind_text (stmt, 1, entity->mf_entity, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, id);
  sqlite3_bind_text (stmt, 3, type, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      JsonObject *entry = json_object_new ();
      g_autofree char *entry_id = g_strdup_printf ("%lld", sqlite3_column_int64 (stmt, 0));

      json_object_set_string_member (entry, "ID", entry_id);
      json_object_set_string_member (entry, "VALUE_TYPE",
                                     (const char *) sqlite3_column_text (stmt, 1));
      json_object_set_string_member (entry, "VALUE", (const char *) sqlite3_column_text (stmt, 2));
      json_object_set_string_member (entry, "TYPE_ID", type);
      json_array_add_object_element (array, entry);
    }
  sqlite3_reset (stmt);
  if (json_array_get_length (array) == 0)
    {
      json_array_unref (array);
      return NULL;
    }
  return b24_node_take_array (array);
}

/* Whether the standard field @index of @entity is in @select: looked up by name once a
 * list, not once a row. */
static gboolean
select_picks (B24Select       *select,
              const B24Entity *entity,
              guint            index)
{
  if (select->all_std)
    return TRUE;
  if (select->picked == NULL)
    {
      guint n = 0;

      while (entity->fields[n].name != NULL)
        n++;
      select->picked = g_new0 (gboolean, n);
      for (guint i = 0; i < n; i++)
        select->picked[i] = select_has (select, entity->fields[i].name);
    }
  return select->picked[index];
}

/* An integer column as the portal writes it: a string. */
static JsonNode *
int_string (gint64 value)
{
  char text[24], *end = text + sizeof text - 1;
  guint64 left = value < 0 ? -(guint64) value : (guint64) value;

  *end = '\0';
  do
    *--end = '0' + left % 10;
  while ((left /= 10) > 0);
  if (value < 0)
    *--end = '-';
  return b24_node_string (end);
}

static JsonNode *
column_json (B24Call        *call,
             const B24Field *field,
             sqlite3_stmt   *stmt,
             int             col)
{
  int sql_type = sqlite3_column_type (stmt, col);

  if (sql_type == SQLITE_NULL)
    return json_node_new (JSON_NODE_NULL);
  switch (field->type)
    {
    case B24_FIELD_ID:
    case B24_FIELD_INT:
      return int_string (sqlite3_column_int64 (stmt, col));
    case B24_FIELD_INT_NATIVE:
      return json_node_init_int (json_node_alloc (), sqlite3_column_int64 (stmt, col));
    case B24_FIELD_MONEY:
      {
        g_autofree char *text = g_strdup_printf ("%.2f", sqlite3_column_double (stmt, col));

        return b24_node_string (text);
      }
    case B24_FIELD_DATETIME:
    case B24_FIELD_DATE:
      {
        g_autofree char *text = b24_time_format (call->emu, sqlite3_column_int64 (stmt, col));

        return b24_node_string (text);
      }
    case B24_FIELD_BOOL_NATIVE:
      return json_node_init_boolean (json_node_alloc (), sqlite3_column_int (stmt, col) != 0);
    case B24_FIELD_JSON:
      {
        JsonNode *node = json_from_string ((const char *) sqlite3_column_text (stmt, col), NULL);

        return node != NULL ? node : json_node_new (JSON_NODE_NULL);
      }
    default:
      return b24_node_string ((const char *) sqlite3_column_text (stmt, col));
    }
}

JsonObject *
b24_entity_row_to_json (B24Call         *call,
                        const B24Entity *entity,
                        sqlite3_stmt    *stmt,
                        B24Select       *select)
{
  JsonObject *row = json_object_new ();
  gint64 id = sqlite3_column_int64 (stmt, 0);
  int col = 0;

  for (const B24Field *f = entity->fields; f->name != NULL; f++)
    {
      guint index = f - entity->fields;
      const char *out_name = f->out_name != NULL ? f->out_name : f->name;

      if (f->type == B24_FIELD_MULTI)
        {
          JsonNode *value;

          if (!select->multi && !select_has (select, f->name))
            continue;
          value = multifield_json (call, entity, id, f->name);
          if (value != NULL)
            json_object_set_member (row, out_name, value);
          continue;
        }
      col++;
      if ((f->flags & B24_FIELD_HIDDEN) != 0)
        continue;
      if (!select_picks (select, entity, index))
        continue;
      if ((f->flags & B24_FIELD_OMIT_NULL) != 0 && sqlite3_column_type (stmt, col - 1) == SQLITE_NULL)
        continue;
      json_object_set_member (row, out_name, column_json (call, f, stmt, col - 1));
    }
  if (entity->uf_entity != NULL)
    {
      const char *stored = (const char *) sqlite3_column_text (stmt, col);
      /* Most rows have no user-field values: no parser made for them. */
      g_autoptr(JsonNode) uf = stored != NULL && strcmp (stored, "{}") != 0 ? json_from_string (stored, NULL)
                                                                             : NULL;
      JsonObject *values = uf != NULL && JSON_NODE_HOLDS_OBJECT (uf) ? json_node_get_object (uf) : NULL;
      /* Once a list, not once a row. */
      if (select->uf_names == NULL)
        select->uf_names = b24_userfield_names (call->emu, entity->uf_entity);
      for (guint i = 0; i < select->uf_names->len; i++)
        {
          const char *name = select->uf_names->pdata[i];
          JsonNode *value = values != NULL ? json_object_get_member (values, name) : NULL;

          if (!select->all_uf && !select_has (select, name))
            continue;
          json_object_set_member (row, name,
                                  value != NULL ? json_node_copy (value) : json_node_new (JSON_NODE_NULL));
        }
    }
  return row;
}

JsonObject *
b24_entity_get (B24Call         *call,
                const B24Entity *entity,
                gint64           id,
                B24Select       *select)
{
  g_autofree char *base = b24_entity_select_sql (entity);
  g_autofree char *sql = g_strconcat (base, " WHERE ID = ?", NULL);
  sqlite3_stmt *stmt = b24_db_prepare (call->emu, sql);
  JsonObject *row = NULL;

  sqlite3_bind_int64 (stmt, 1, id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    row = b24_entity_row_to_json (call, entity, stmt, select);
  sqlite3_reset (stmt);
  return row;
}

JsonNode *
b24_entity_value_in (B24Emu         *emu,
                     const B24Field *field,
                     JsonNode       *node)
{
  g_autofree char *text = NULL;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return json_node_new (JSON_NODE_NULL);
  if (field->type == B24_FIELD_JSON)
    {
      text = json_to_string (node, FALSE);
      return b24_node_string (text);
    }
  if (!JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  text = b24_node_dup_string (node);
  if (text[0] == '\0' && field->type != B24_FIELD_STRING)
    return json_node_new (JSON_NODE_NULL);
  switch (field->type)
    {
    case B24_FIELD_ID:
    case B24_FIELD_INT:
    case B24_FIELD_INT_NATIVE:
      {
        gint64 value;

        return b24_node_get_int (node, &value) ? json_node_init_int (json_node_alloc (), value) : NULL;
      }
    case B24_FIELD_MONEY:
      {
        double value;

        return b24_node_get_double (node, &value) ? json_node_init_double (json_node_alloc (), value) : NULL;
      }
    case B24_FIELD_DATETIME:
    case B24_FIELD_DATE:
      {
        gint64 value;

        if (!b24_time_parse (emu, text, &value))
          return NULL;
        if (field->type == B24_FIELD_DATE)
          value = b24_time_day_start (emu, value);
        return json_node_init_int (json_node_alloc (), value);
      }
    case B24_FIELD_CHAR:
      {
        gboolean value;

        if (!b24_node_get_bool (node, &value))
          return NULL;
        return b24_node_string (value ? "Y" : "N");
      }
    case B24_FIELD_BOOL_NATIVE:
      {
        gboolean value;

        return b24_node_get_bool (node, &value) ? json_node_init_int (json_node_alloc (), value) : NULL;
      }
    default:
      return b24_node_string (text);
    }
}

static void
write_multifields (B24Call         *call,
                   const B24Entity *entity,
                   gint64           id,
                   const char      *type,
                   JsonNode        *node,
                   gboolean         adding)
{
  g_autoptr(GPtrArray) entries = b24_node_list (node);

  for (guint i = 0; i < entries->len; i++)
    {
      JsonNode *entry_node = entries->pdata[i];
      JsonObject *entry;
      gint64 entry_id = 0;
      g_autofree char *value = NULL;
      g_autofree char *value_type = NULL;
      gboolean drop = FALSE;
      sqlite3_stmt *stmt;

      if (!JSON_NODE_HOLDS_OBJECT (entry_node))
        continue;
      entry = json_node_get_object (entry_node);
      /* A new record has no entries yet, so IDs given on add name nothing. */
      if (!adding)
        b24_node_get_int (json_object_get_member (entry, "ID"), &entry_id);
      value = b24_node_dup_string (json_object_get_member (entry, "VALUE"));
      value_type = b24_node_dup_string (json_object_get_member (entry, "VALUE_TYPE"));
      b24_node_get_bool (json_object_get_member (entry, "DELETE"), &drop);
      if (entry_id > 0)
        {
          /* Named entries change or go; entries not named stay as they are. */
          if (drop || (value != NULL && value[0] == '\0'))
            stmt = b24_db_prepare (call->emu,
                                   "DELETE FROM multifield WHERE ID = ?1 AND ENTITY_ID = ?2"
                                   " AND ELEMENT_ID = ?3");
          else
            stmt = b24_db_prepare (call->emu,
                                   "UPDATE multifield SET VALUE = COALESCE(?4, VALUE),"
                                   " VALUE_TYPE = COALESCE(?5, VALUE_TYPE)"
                                   " WHERE ID = ?1 AND ENTITY_ID = ?2 AND ELEMENT_ID = ?3");
          sqlite3_bind_int64 (stmt, 1, entry_id);
        }
      else
        {
          if (value == NULL || value[0] == '\0')
            continue;
          stmt = b24_db_prepare (call->emu,
                                 "INSERT INTO multifield (ENTITY_ID, ELEMENT_ID, TYPE_ID, VALUE,"
                                 " VALUE_TYPE) VALUES (?2, ?3, ?6, ?4, COALESCE(?5, 'WORK'))");
          sqlite3_bind_text (stmt, 6, type, -1, SQLITE_STATIC);
        }
      sqlite3_bind_text (stmt, 2, entity->mf_entity, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 3, id);
      if (sqlite3_bind_parameter_count (stmt) >= 4)
        {
          sqlite3_bind_text (stmt, 4, value, -1, SQLITE_TRANSIENT);
          sqlite3_bind_text (stmt, 5, value_type, -1, SQLITE_TRANSIENT);
        }
      sqlite3_step (stmt);
      sqlite3_reset (stmt);
    }
}

/* HAS_PHONE/HAS_EMAIL/HAS_IMOL follow the multi-fields. */
static void
update_has_flags (B24Call         *call,
                  const B24Entity *entity,
                  gint64           id)
{
  g_autofree char *sql = g_strdup_printf (
    "UPDATE \"%s\" SET"
    " HAS_PHONE = CASE WHEN EXISTS (SELECT 1 FROM multifield WHERE ENTITY_ID = ?1 AND ELEMENT_ID = ?2"
    " AND TYPE_ID = 'PHONE') THEN 'Y' ELSE 'N' END,"
    " HAS_EMAIL = CASE WHEN EXISTS (SELECT 1 FROM multifield WHERE ENTITY_ID = ?1 AND ELEMENT_ID = ?2"
    " AND TYPE_ID = 'EMAIL') THEN 'Y' ELSE 'N' END,"
    " HAS_IMOL = CASE WHEN EXISTS (SELECT 1 FROM multifield WHERE ENTITY_ID = ?1 AND ELEMENT_ID = ?2"
    " AND TYPE_ID = 'IM' AND VALUE LIKE 'imol|%%') THEN 'Y' ELSE 'N' END"
    " WHERE ID = ?2", entity->table);
  sqlite3_stmt *stmt = b24_db_prepare (call->emu, sql);

  sqlite3_bind_text (stmt, 1, entity->mf_entity, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, id);
  sqlite3_step (stmt);
  sqlite3_reset (stmt);
}

static JsonObject *
load_uf (B24Call         *call,
         const B24Entity *entity,
         gint64           id)
{
  g_autofree char *sql = g_strdup_printf ("SELECT UF FROM \"%s\" WHERE ID = ?", entity->table);
  sqlite3_stmt *stmt = b24_db_prepare (call->emu, sql);
  JsonObject *uf = NULL;

  sqlite3_bind_int64 (stmt, 1, id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autoptr(JsonNode) node = json_from_string ((const char *) sqlite3_column_text (stmt, 0), NULL);

      if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
        uf = json_object_ref (json_node_get_object (node));
    }
  sqlite3_reset (stmt);
  return uf != NULL ? uf : json_object_new ();
}

void
b24_values_default (GHashTable *values,
                    const char *column,
                    JsonNode   *node)
{
  JsonNode *old = g_hash_table_lookup (values, column);

  if (old == NULL || JSON_NODE_HOLDS_NULL (old))
    g_hash_table_replace (values, (gpointer) column, node);
  else
    json_node_unref (node);
}

static void
set_value (GHashTable *values,
           const char *column,
           JsonNode   *node)
{
  g_hash_table_replace (values, (gpointer) column, node);
}

static const char *
event_suffix (B24EntityOp op)
{
  return op == B24_ENTITY_ADD ? "ADD" : op == B24_ENTITY_UPDATE ? "UPDATE" : "DELETE";
}

/* What the portal does around a CRM row of its own accord: a default title, and a
 * deleted row's timeline comments go with it. */
static void
portal_after (B24Call         *call,
              const B24Entity *entity,
              gint64           id,
              B24EntityOp      op)
{
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;

  if (op == B24_ENTITY_ADD && entity->untitled != NULL)
    sql = g_strdup_printf ("UPDATE %s SET TITLE = '%s' || ID WHERE ID = ?"
                           " AND (TITLE IS NULL OR TITLE = '')", entity->table, entity->untitled);
  else if (op == B24_ENTITY_DELETE && entity->comment_type != NULL)
    sql = g_strdup_printf ("DELETE FROM timeline_comment WHERE ENTITY_TYPE = '%s'"
                           " AND ENTITY_ID = ?", entity->comment_type);
  if (sql == NULL)
    return;
  stmt = b24_db_prepare (call->emu, sql);
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_step (stmt);
  sqlite3_reset (stmt);
}

static void
notify_written (B24Call         *call,
                const B24Entity *entity,
                gint64           id,
                B24EntityOp      op)
{
  portal_after (call, entity, id, op);
  if (entity->after != NULL)
    entity->after (call, id, op);
  if (entity->event_prefix != NULL)
    {
      g_autofree char *event = g_strconcat (entity->event_prefix, event_suffix (op), NULL);

      b24_events_emit (call, event, id);
    }
}

gint64
b24_entity_write (B24Call         *call,
                  const B24Entity *entity,
                  gint64           id,
                  JsonObject      *fields,
                  B24Reply        *reply)
{
  g_autoptr(GHashTable) values = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                         (GDestroyNotify) json_node_unref);
  g_autoptr(JsonObject) uf = NULL;
  g_autoptr(GPtrArray) columns = g_ptr_array_new ();
  g_autoptr(GString) sql = g_string_new (NULL);
  GList *members = json_object_get_members (fields);
  gboolean adding = id == 0;
  gint64 now = (gint64) b24_time_now ();
  sqlite3_stmt *stmt;
  gboolean uf_changed = FALSE;

  if (entity->uf_entity != NULL)
    uf = adding ? json_object_new () : load_uf (call, entity, id);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *node = json_object_get_member (fields, name);
      const B24Field *field = b24_entity_field (entity, name);
      JsonNode *value;

      if (field != NULL)
        {
          if ((field->flags & B24_FIELD_READONLY) != 0
              || (!adding && (field->flags & B24_FIELD_IMMUTABLE) != 0)
              || field->type == B24_FIELD_MULTI)
            continue;
          value = b24_entity_value_in (call->emu, field, node);
          if (value != NULL)
            set_value (values, field->name, value);
        }
      else if (uf != NULL && g_str_has_prefix (name, "UF_")
               && b24_userfield_value_in (call, entity->uf_entity, name, node, &value))
        {
          json_object_set_member (uf, name, value);
          uf_changed = TRUE;
        }
    }
  g_list_free (members);

  if (b24_entity_field (entity, "DATE_CREATE") != NULL && adding)
    set_value (values, "DATE_CREATE", json_node_init_int (json_node_alloc (), now));
  if (b24_entity_field (entity, "CREATED_BY_ID") != NULL && adding)
    set_value (values, "CREATED_BY_ID", json_node_init_int (json_node_alloc (), call->user_id));
  /* Creating a record counts as its first activity. */
  if (b24_entity_field (entity, "LAST_ACTIVITY_TIME") != NULL && adding)
    set_value (values, "LAST_ACTIVITY_TIME", json_node_init_int (json_node_alloc (), now));
  if (b24_entity_field (entity, "LAST_ACTIVITY_BY") != NULL && adding)
    set_value (values, "LAST_ACTIVITY_BY", json_node_init_int (json_node_alloc (), call->user_id));
  if (b24_entity_field (entity, "DATE_MODIFY") != NULL)
    set_value (values, "DATE_MODIFY", json_node_init_int (json_node_alloc (), now));
  if (b24_entity_field (entity, "MODIFY_BY_ID") != NULL)
    set_value (values, "MODIFY_BY_ID", json_node_init_int (json_node_alloc (), call->user_id));
  if (entity->prepare != NULL && !entity->prepare (call, id, values, reply))
    return 0;

  /* Columns in descriptor order keep the SQL text, and so the cached statement, stable. */
  for (const B24Field *f = entity->fields; f->name != NULL; f++)
    if (g_hash_table_contains (values, f->name))
      g_ptr_array_add (columns, (gpointer) f->name);
  if (adding)
    {
      g_string_printf (sql, "INSERT INTO \"%s\" (", entity->table);
      for (guint i = 0; i < columns->len; i++)
        g_string_append_printf (sql, "%s\"%s\"", i > 0 ? ", " : "", (char *) columns->pdata[i]);
      if (uf != NULL)
        g_string_append_printf (sql, "%sUF", columns->len > 0 ? ", " : "");
      g_string_append (sql, ") VALUES (");
      for (guint i = 0; i < columns->len + (uf != NULL); i++)
        g_string_append (sql, i > 0 ? ", ?" : "?");
      g_string_append (sql, ")");
    }
  else
    {
      g_string_printf (sql, "UPDATE \"%s\" SET ", entity->table);
      for (guint i = 0; i < columns->len; i++)
        g_string_append_printf (sql, "%s\"%s\" = ?", i > 0 ? ", " : "", (char *) columns->pdata[i]);
      if (uf_changed)
        g_string_append_printf (sql, "%sUF = ?", columns->len > 0 ? ", " : "");
      if (columns->len == 0 && !uf_changed)
        g_string_append (sql, "ID = ID");
      g_string_append (sql, " WHERE ID = ?");
    }
  stmt = b24_db_prepare (call->emu, sql->str);
  for (guint i = 0; i < columns->len; i++)
    b24_db_bind_node (stmt, i + 1, g_hash_table_lookup (values, columns->pdata[i]));
  if (uf != NULL && (adding || uf_changed))
    {
      g_autoptr(JsonNode) uf_node = b24_node_take_object (json_object_ref (uf));
      g_autofree char *text = json_to_string (uf_node, FALSE);

      sqlite3_bind_text (stmt, columns->len + 1, text, -1, SQLITE_TRANSIENT);
    }
  if (!adding)
    sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_count (stmt), id);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      b24_reply_error (reply, 500, "INTERNAL_SERVER_ERROR", sqlite3_errmsg (call->emu->db));
      sqlite3_reset (stmt);
      return 0;
    }
  sqlite3_reset (stmt);
  if (adding)
    id = sqlite3_last_insert_rowid (call->emu->db);

  if (entity->mf_entity != NULL)
    {
      for (guint i = 0; multifield_types[i] != NULL; i++)
        {
          JsonNode *node = json_object_get_member (fields, multifield_types[i]);

          if (node != NULL)
            write_multifields (call, entity, id, multifield_types[i], node, adding);
        }
      update_has_flags (call, entity, id);
    }
  notify_written (call, entity, id, adding ? B24_ENTITY_ADD : B24_ENTITY_UPDATE);
  return id;
}

void
b24_entity_delete (B24Call         *call,
                   const B24Entity *entity,
                   gint64           id)
{
  g_autofree char *sql = g_strdup_printf ("DELETE FROM \"%s\" WHERE ID = ?", entity->table);
  sqlite3_stmt *stmt = b24_db_prepare (call->emu, sql);

  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (entity->mf_entity != NULL)
    {
      stmt = b24_db_prepare (call->emu, "DELETE FROM multifield WHERE ENTITY_ID = ? AND ELEMENT_ID = ?");
      sqlite3_bind_text (stmt, 1, entity->mf_entity, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, id);
      sqlite3_step (stmt);
      sqlite3_reset (stmt);
    }
  notify_written (call, entity, id, B24_ENTITY_DELETE);
}

/* The generic old-CRM handlers. */

static const B24Entity *
call_entity (B24Call *call)
{
  return call->method->data;
}

/* "id" is matched case-insensitively; a missing or non-positive one is the documented error. */
static gboolean
crm_id (B24Call  *call,
        B24Reply *reply,
        gint64   *id)
{
  if (!b24_node_get_int (b24_params_get (call->params, "id", TRUE), id) || *id <= 0)
    {
      b24_reply_crm_error (reply, "ID is not defined or invalid.");
      return FALSE;
    }
  if (!b24_entity_exists (call->emu, call_entity (call), *id))
    {
      b24_reply_crm_error (reply, "Not found");
      return FALSE;
    }
  return TRUE;
}

static JsonObject *
crm_fields (B24Call  *call,
            B24Reply *reply)
{
  JsonNode *node = b24_params_get (call->params, "fields", TRUE);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      b24_reply_crm_error (reply, "Parameter 'fields' must be array.");
      return NULL;
    }
  return json_node_get_object (node);
}

static gboolean
is_php_array (JsonNode *node)
{
  return node == NULL || JSON_NODE_HOLDS_OBJECT (node) || JSON_NODE_HOLDS_ARRAY (node)
         || (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
             && json_node_get_string (node)[0] == '\0');
}

void
b24_crm_list (B24Call  *call,
              B24Reply *reply)
{
  JsonNode *filter = b24_params_get (call->params, "filter", FALSE);
  JsonNode *order = b24_params_get (call->params, "order", FALSE);
  B24Page page;

  if (!is_php_array (filter))
    {
      b24_reply_crm_error (reply, "Parameter 'filter' must be array.");
      return;
    }
  if (!is_php_array (order))
    {
      b24_reply_crm_error (reply, "Parameter 'order' must be array.");
      return;
    }
  b24_list_query (call, call_entity (call), filter, order,
                  b24_params_get (call->params, "select", FALSE),
                  b24_params_get (call->params, "start", FALSE), NULL, &page);
  b24_page_to_reply (&page, reply);
}

void
b24_crm_get (B24Call  *call,
             B24Reply *reply)
{
  B24Select select = { .all_std = TRUE, .all_uf = TRUE, .multi = TRUE };
  gint64 id;

  if (crm_id (call, reply, &id))
    b24_reply_set_result (reply, b24_node_take_object (b24_entity_get (call, call_entity (call), id,
                                                                       &select)));
  b24_select_clear (&select);
}

void
b24_crm_add (B24Call  *call,
             B24Reply *reply)
{
  JsonObject *fields = crm_fields (call, reply);
  gint64 id;

  if (fields == NULL)
    return;
  id = b24_entity_write (call, call_entity (call), 0, fields, reply);
  if (id > 0)
    b24_reply_set_int (reply, id);
}

void
b24_crm_update (B24Call  *call,
                B24Reply *reply)
{
  JsonObject *fields;
  gint64 id;

  if (!crm_id (call, reply, &id) || (fields = crm_fields (call, reply)) == NULL)
    return;
  if (b24_entity_write (call, call_entity (call), id, fields, reply) > 0)
    b24_reply_set_true (reply);
}

void
b24_crm_delete (B24Call  *call,
                B24Reply *reply)
{
  gint64 id;

  if (!crm_id (call, reply, &id))
    return;
  b24_entity_delete (call, call_entity (call), id);
  b24_reply_set_true (reply);
}

void
b24_crm_fields (B24Call  *call,
                B24Reply *reply)
{
  const B24Entity *entity = call_entity (call);
  JsonObject *result = json_object_new ();

  for (const B24Field *f = entity->fields; f->name != NULL; f++)
    {
      JsonObject *desc = json_object_new ();

      if ((f->flags & B24_FIELD_HIDDEN) != 0)
        {
          json_object_unref (desc);
          continue;
        }
      json_object_set_string_member (desc, "type", f->rest_type);
      json_object_set_boolean_member (desc, "isRequired", (f->flags & B24_FIELD_REQUIRED) != 0);
      json_object_set_boolean_member (desc, "isReadOnly", (f->flags & B24_FIELD_READONLY) != 0);
      json_object_set_boolean_member (desc, "isImmutable", (f->flags & B24_FIELD_IMMUTABLE) != 0);
      json_object_set_boolean_member (desc, "isMultiple",
                                      (f->flags & B24_FIELD_MULTIPLE) != 0 || f->type == B24_FIELD_MULTI);
      json_object_set_boolean_member (desc, "isDynamic", FALSE);
      json_object_set_string_member (desc, "title", f->title != NULL ? f->title : f->name);
      if (f->status_type != NULL)
        json_object_set_string_member (desc, "statusType", f->status_type);
      json_object_set_object_member (result, f->name, desc);
    }
  if (entity->uf_entity != NULL)
    b24_userfield_describe (call->emu, entity->uf_entity, result);
  b24_reply_set_result (reply, b24_node_take_object (result));
}
