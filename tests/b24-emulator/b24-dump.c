/* b24-dump.c: the whole portal state as canonical JSON.
 *
 * CRM rows are dumped as crm.*.get prints them (every field, user fields and multi-fields),
 * other tables column by column. Object keys are sorted and rows come in primary-key order,
 * so two dumps of the same state are byte-identical.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "b24-control.h"
#include "b24-db.h"
#include "b24-entity.h"
#include "b24-envelope.h"

#include <string.h>

/* Tables dumped raw, with the column that orders their rows. */
static const struct {
  const char *name;
  const char *order;
} raw_tables[] = {
  { "category", "ID" },
  { "status", "ID" },
  { "userfield", "ID" },
  { "userfield_enum", "ID" },
  { "event_binding", "ID" },
  { "offline_event", "ID" },
  { "task_dependence", "TASK_ID_FROM, TASK_ID_TO" },
  { "disk_storage", "ID" },
  { "disk_object", "ID" },
  { "im_chat", "ID" },
  { "im_chat_user", "CHAT_ID, USER_ID" },
  { "im_message", "ID" },
  { "im_notify", "ID" },
  { "document_signature", "ID" },
};

static gint
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static void
write_canonical (GString  *out,
                 JsonNode *node)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *object = json_node_get_object (node);
        GList *members = json_object_get_members (object);
        g_autoptr(GPtrArray) keys = g_ptr_array_new ();

        for (GList *l = members; l != NULL; l = l->next)
          g_ptr_array_add (keys, l->data);
        g_list_free (members);
        g_ptr_array_sort (keys, compare_strings);
        g_string_append_c (out, '{');
        for (guint i = 0; i < keys->len; i++)
          {
            g_autoptr(JsonNode) key = json_node_init_string (json_node_alloc (), keys->pdata[i]);

            if (i > 0)
              g_string_append_c (out, ',');
            write_canonical (out, key);
            g_string_append_c (out, ':');
            write_canonical (out, json_object_get_member (object, keys->pdata[i]));
          }
        g_string_append_c (out, '}');
        break;
      }
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);

        g_string_append_c (out, '[');
        for (guint i = 0; i < json_array_get_length (array); i++)
          {
            if (i > 0)
              g_string_append_c (out, ',');
            write_canonical (out, json_array_get_element (array, i));
          }
        g_string_append_c (out, ']');
        break;
      }
    default:
      {
        g_autofree char *text = json_to_string (node, FALSE);

        g_string_append (out, text);
        break;
      }
    }
}

static JsonArray *
dump_entity (B24Emu          *emu,
             const B24Entity *entity)
{
  B24Select select = { .all_std = TRUE, .all_uf = TRUE, .multi = TRUE };
  B24Call call = { .emu = emu };
  g_autofree char *base = b24_entity_select_sql (entity);
  g_autofree char *sql = g_strconcat (base, " ORDER BY ID", NULL);
  sqlite3_stmt *stmt = b24_db_prepare (emu, sql);
  JsonArray *rows = json_array_new ();

  while (sqlite3_step (stmt) == SQLITE_ROW)
    json_array_add_object_element (rows, b24_entity_row_to_json (&call, entity, stmt, &select));
  sqlite3_reset (stmt);
  b24_select_clear (&select);
  return rows;
}

static JsonArray *
dump_table (B24Emu     *emu,
            const char *table,
            const char *order)
{
  g_autofree char *sql = g_strdup_printf ("SELECT * FROM \"%s\" ORDER BY %s", table, order);
  sqlite3_stmt *stmt = b24_db_prepare (emu, sql);
  JsonArray *rows = json_array_new ();

  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      JsonObject *row = json_object_new ();

      for (int i = 0; i < sqlite3_column_count (stmt); i++)
        {
          const char *name = sqlite3_column_name (stmt, i);

          switch (sqlite3_column_type (stmt, i))
            {
            case SQLITE_INTEGER:
              json_object_set_int_member (row, name, sqlite3_column_int64 (stmt, i));
              break;
            case SQLITE_FLOAT:
              json_object_set_double_member (row, name, sqlite3_column_double (stmt, i));
              break;
            case SQLITE_NULL:
              json_object_set_null_member (row, name);
              break;
            case SQLITE_BLOB:
              {
                g_autofree char *b64 = g_base64_encode (sqlite3_column_blob (stmt, i), sqlite3_column_bytes (stmt, i));

                json_object_set_string_member (row, name, b64);
                break;
              }
            default:
              json_object_set_string_member (row, name, (const char *) sqlite3_column_text (stmt, i));
              break;
            }
        }
      json_array_add_object_element (rows, row);
    }
  sqlite3_reset (stmt);
  return rows;
}

char *
b24_dump (B24Emu *emu,
          gsize  *length)
{
  JsonObject *root = json_object_new ();
  g_autoptr(JsonNode) node = NULL;
  GString *out = g_string_new (NULL);

  for (const B24Entity *const *e = b24_entity_all (); *e != NULL; e++)
    json_object_set_array_member (root, (*e)->table, dump_entity (emu, *e));
  for (guint i = 0; i < G_N_ELEMENTS (raw_tables); i++)
    json_object_set_array_member (root, raw_tables[i].name, dump_table (emu, raw_tables[i].name, raw_tables[i].order));
  node = b24_node_take_object (root);
  write_canonical (out, node);
  g_string_append_c (out, '\n');
  *length = out->len;
  return g_string_free (out, FALSE);
}
