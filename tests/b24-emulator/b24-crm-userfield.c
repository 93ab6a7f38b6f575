/* b24-crm-userfield.c: crm.{deal,contact,company}.userfield.* and UF value formats.
 *
 * Values are stored in the form crm.*.get prints them (see the emulator rule in §7.4 of the
 * reference): strings, "amount|CUR" money, enumeration item IDs, ISO datetimes, and files as
 * {"id","showUrl","downloadUrl"}.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "b24-userfield.h"
#include "b24-db.h"
#include "b24-envelope.h"
#include "b24-params.h"
#include "b24-time.h"

#include <string.h>

static const char *const uf_types[] = {
  "string", "integer", "double", "boolean", "datetime", "date", "enumeration", "money", "url",
  "address", "file", "employee", "crm_status", "crm", "iblock_section", "iblock_element", NULL,
};

GPtrArray *
b24_userfield_names (B24Emu     *emu,
                     const char *entity_id)
{
  sqlite3_stmt *stmt = b24_db_prepare (emu, "SELECT FIELD_NAME FROM userfield WHERE ENTITY_ID = ?"
                                            " ORDER BY ID");
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);

  sqlite3_bind_text (stmt, 1, entity_id, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (names, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_reset (stmt);
  return names;
}

static JsonNode *
file_value (B24Call  *call,
            JsonNode *node)
{
  JsonObject *object = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  JsonNode *data = object != NULL ? json_object_get_member (object, "fileData") : NULL;
  g_autoptr(GPtrArray) parts = b24_node_list (data);
  g_autofree char *name = NULL;
  g_autofree char *b64 = NULL;
  g_autofree guchar *content = NULL;
  g_autofree char *show = NULL;
  gsize size;
  sqlite3_stmt *stmt;
  gint64 id;
  JsonObject *value;

  if (parts->len < 2)
    return NULL;
  name = b24_node_dup_string (parts->pdata[0]);
  b64 = b24_node_dup_string (parts->pdata[1]);
  if (name == NULL || b64 == NULL)
    return NULL;
  content = g_base64_decode (b64, &size);
  stmt = b24_db_prepare (call->emu, "INSERT INTO file (NAME, CONTENT) VALUES (?, ?)");
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 2, content, size, SQLITE_TRANSIENT);
  sqlite3_step (stmt);
  sqlite3_reset (stmt);
  id = sqlite3_last_insert_rowid (call->emu->db);
  value = json_object_new ();
  show = g_strdup_printf ("%s/rest/file.json?id=%" G_GINT64_FORMAT, call->emu->base_url, id);
  json_object_set_int_member (value, "id", id);
  json_object_set_string_member (value, "showUrl", show);
  json_object_set_string_member (value, "downloadUrl", show);
  return b24_node_take_object (value);
}

static JsonNode *
one_value (B24Call    *call,
           const char *type,
           JsonNode   *node)
{
  g_autofree char *text = NULL;

  if (strcmp (type, "file") == 0)
    return file_value (call, node);
  text = b24_node_dup_string (node);
  if (text == NULL || text[0] == '\0')
    return NULL;
  if (strcmp (type, "integer") == 0 || strcmp (type, "employee") == 0
      || strcmp (type, "enumeration") == 0)
    {
      gint64 value;
      g_autofree char *out = NULL;

      if (!b24_node_get_int (node, &value))
        return NULL;
      out = g_strdup_printf ("%" G_GINT64_FORMAT, value);
      return b24_node_string (out);
    }
  if (strcmp (type, "double") == 0)
    {
      double value;
      char buf[G_ASCII_DTOSTR_BUF_SIZE];

      if (!b24_node_get_double (node, &value))
        return NULL;
      return b24_node_string (g_ascii_dtostr (buf, sizeof buf, value));
    }
  if (strcmp (type, "boolean") == 0)
    {
      gboolean value;

      b24_node_get_bool (node, &value);
      return b24_node_string (value ? "1" : "0");
    }
  if (strcmp (type, "date") == 0 || strcmp (type, "datetime") == 0)
    {
      gint64 value;
      g_autofree char *out = NULL;

      if (!b24_time_parse (call->emu, text, &value))
        return NULL;
      out = b24_time_format (call->emu, value);
      return b24_node_string (out);
    }
  return b24_node_string (text);
}

gboolean
b24_userfield_value_in (B24Call    *call,
                        const char *entity_id,
                        const char *name,
                        JsonNode   *value,
                        JsonNode  **out)
{
  sqlite3_stmt *stmt = b24_db_prepare (call->emu, "SELECT USER_TYPE_ID, MULTIPLE FROM userfield"
                                                  " WHERE ENTITY_ID = ? AND FIELD_NAME = ?");
  g_autofree char *type = NULL;
  gboolean multiple = FALSE;

  sqlite3_bind_text (stmt, 1, entity_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      type = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      multiple = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 1), "Y") == 0;
    }
  sqlite3_reset (stmt);
  if (type == NULL)
    return FALSE;
  if (multiple)
    {
      g_autoptr(GPtrArray) items = b24_node_list (value);
      JsonArray *array = json_array_new ();

      /* One fileData object is a single file, not a list of its two members. */
      if (strcmp (type, "file") == 0 && JSON_NODE_HOLDS_OBJECT (value)
          && json_object_has_member (json_node_get_object (value), "fileData"))
        {
          g_ptr_array_set_size (items, 0);
          g_ptr_array_add (items, value);
        }
      for (guint i = 0; i < items->len; i++)
        {
          JsonNode *item = one_value (call, type, items->pdata[i]);

          if (item != NULL)
            json_array_add_element (array, item);
        }
      *out = b24_node_take_array (array);
    }
  else
    {
      *out = one_value (call, type, value);
      if (*out == NULL)
        *out = json_node_new (JSON_NODE_NULL);
    }
  return TRUE;
}

static JsonArray *
enum_items (B24Emu  *emu,
            gint64   field_id,
            gboolean full)
{
  sqlite3_stmt *stmt = b24_db_prepare (emu, "SELECT ID, VALUE, SORT, DEF, XML_ID FROM userfield_enum"
                                            " WHERE USER_FIELD_ID = ? ORDER BY SORT, ID");
  JsonArray *items = json_array_new ();

  sqlite3_bind_int64 (stmt, 1, field_id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      JsonObject *item = json_object_new ();
      g_autofree char *id = g_strdup_printf ("%lld", sqlite3_column_int64 (stmt, 0));
      g_autofree char *sort = g_strdup_printf ("%lld", sqlite3_column_int64 (stmt, 2));

      json_object_set_string_member (item, "ID", id);
      if (full)
        json_object_set_string_member (item, "SORT", sort);
      json_object_set_string_member (item, "VALUE", (const char *) sqlite3_column_text (stmt, 1));
      if (full)
        {
          json_object_set_string_member (item, "DEF", (const char *) sqlite3_column_text (stmt, 3));
          json_object_set_member (item, "XML_ID", b24_node_string ((const char *) sqlite3_column_text (stmt, 4)));
        }
      json_array_add_object_element (items, item);
    }
  sqlite3_reset (stmt);
  return items;
}

#define UF_COLUMNS "SELECT ID, ENTITY_ID, FIELD_NAME, USER_TYPE_ID, XML_ID, SORT, MULTIPLE, MANDATORY," \
  " SHOW_FILTER, SETTINGS, LABEL FROM userfield"

static JsonNode *
settings_node (sqlite3_stmt *stmt)
{
  JsonNode *settings = json_from_string ((const char *) sqlite3_column_text (stmt, 9), NULL);

  return settings != NULL ? settings : b24_json_empty_list ();
}

void
b24_userfield_describe (B24Emu     *emu,
                        const char *entity_id,
                        JsonObject *fields)
{
  sqlite3_stmt *stmt = b24_db_prepare (emu, UF_COLUMNS " WHERE ENTITY_ID = ? ORDER BY ID");
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  sqlite3_bind_text (stmt, 1, entity_id, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      JsonObject *desc = json_object_new ();
      const char *label = (const char *) sqlite3_column_text (stmt, 10);
      const char *name = (const char *) sqlite3_column_text (stmt, 2);
      gint64 id = sqlite3_column_int64 (stmt, 0);

      json_object_set_string_member (desc, "type", (const char *) sqlite3_column_text (stmt, 3));
      json_object_set_boolean_member (desc, "isRequired",
                                      g_strcmp0 ((const char *) sqlite3_column_text (stmt, 7), "Y") == 0);
      json_object_set_boolean_member (desc, "isReadOnly", FALSE);
      json_object_set_boolean_member (desc, "isImmutable", FALSE);
      json_object_set_boolean_member (desc, "isMultiple",
                                      g_strcmp0 ((const char *) sqlite3_column_text (stmt, 6), "Y") == 0);
      json_object_set_boolean_member (desc, "isDynamic", TRUE);
      json_object_set_string_member (desc, "title", name);
      json_object_set_string_member (desc, "listLabel", label != NULL ? label : name);
      json_object_set_string_member (desc, "formLabel", label != NULL ? label : name);
      json_object_set_string_member (desc, "filterLabel", label != NULL ? label : name);
      json_object_set_member (desc, "settings", settings_node (stmt));
      json_object_set_string_member (desc, "upperName", name);
      g_ptr_array_add (rows, desc);
      g_array_append_val (ids, id);
    }
  sqlite3_reset (stmt);
  /* Enumeration items need another statement, so they are read after the loop. */
  for (guint i = 0; i < rows->len; i++)
    {
      JsonObject *desc = rows->pdata[i];
      const char *name = json_object_get_string_member (desc, "upperName");

      if (strcmp (json_object_get_string_member (desc, "type"), "enumeration") == 0)
        json_object_set_array_member (desc, "items", enum_items (emu, g_array_index (ids, gint64, i), FALSE));
      json_object_set_object_member (fields, name, json_object_ref (desc));
      json_object_remove_member (desc, "upperName");
    }
  g_ptr_array_unref (rows);
  g_array_unref (ids);
}

static JsonObject *
userfield_row (B24Emu       *emu,
               sqlite3_stmt *stmt)
{
  JsonObject *row = json_object_new ();
  g_autofree char *id = g_strdup_printf ("%lld", sqlite3_column_int64 (stmt, 0));
  g_autofree char *sort = g_strdup_printf ("%lld", sqlite3_column_int64 (stmt, 5));

  json_object_set_string_member (row, "ID", id);
  json_object_set_string_member (row, "ENTITY_ID", (const char *) sqlite3_column_text (stmt, 1));
  json_object_set_string_member (row, "FIELD_NAME", (const char *) sqlite3_column_text (stmt, 2));
  json_object_set_string_member (row, "USER_TYPE_ID", (const char *) sqlite3_column_text (stmt, 3));
  json_object_set_member (row, "XML_ID", b24_node_string ((const char *) sqlite3_column_text (stmt, 4)));
  json_object_set_string_member (row, "SORT", sort);
  json_object_set_string_member (row, "MULTIPLE", (const char *) sqlite3_column_text (stmt, 6));
  json_object_set_string_member (row, "MANDATORY", (const char *) sqlite3_column_text (stmt, 7));
  json_object_set_string_member (row, "SHOW_FILTER", (const char *) sqlite3_column_text (stmt, 8));
  json_object_set_member (row, "SETTINGS", settings_node (stmt));
  return row;
}

static void
add_enum_list (B24Emu  *emu,
               JsonObject *row)
{
  gint64 id = g_ascii_strtoll (json_object_get_string_member (row, "ID"), NULL, 10);

  if (strcmp (json_object_get_string_member (row, "USER_TYPE_ID"), "enumeration") == 0)
    json_object_set_array_member (row, "LIST", enum_items (emu, id, TRUE));
}

static const char *
call_entity_id (B24Call *call)
{
  return call->method->data;
}

static void
write_enum_list (B24Emu   *emu,
                 gint64    field_id,
                 JsonNode *list)
{
  g_autoptr(GPtrArray) items = b24_node_list (list);

  for (guint i = 0; i < items->len; i++)
    {
      JsonObject *item = JSON_NODE_HOLDS_OBJECT (items->pdata[i]) ? json_node_get_object (items->pdata[i]) : NULL;
      g_autofree char *value = item != NULL ? b24_node_dup_string (json_object_get_member (item, "VALUE")) : NULL;
      g_autofree char *def = item != NULL ? b24_node_dup_string (json_object_get_member (item, "DEF")) : NULL;
      g_autofree char *xml_id = item != NULL ? b24_node_dup_string (json_object_get_member (item, "XML_ID")) : NULL;
      gint64 sort = (i + 1) * 10;
      sqlite3_stmt *stmt;

      if (value == NULL)
        continue;
      b24_node_get_int (json_object_get_member (item, "SORT"), &sort);
      stmt = b24_db_prepare (emu, "INSERT INTO userfield_enum (USER_FIELD_ID, VALUE, SORT, DEF, XML_ID)"
                                  " VALUES (?, ?, ?, ?, ?)");
      sqlite3_bind_int64 (stmt, 1, field_id);
      sqlite3_bind_text (stmt, 2, value, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 3, sort);
      sqlite3_bind_text (stmt, 4, def != NULL && strcmp (def, "Y") == 0 ? "Y" : "N", -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 5, xml_id, -1, SQLITE_TRANSIENT);
      sqlite3_step (stmt);
      sqlite3_reset (stmt);
    }
}

static char *
field_string (JsonObject *fields,
              const char *key,
              const char *fallback)
{
  char *value = b24_node_dup_string (json_object_get_member (fields, key));

  return value != NULL ? value : g_strdup (fallback);
}

static void
userfield_add (B24Call  *call,
               B24Reply *reply)
{
  JsonObject *fields = b24_params_get_object (call->params, "fields", FALSE);
  g_autofree char *name = NULL;
  g_autofree char *full = NULL;
  g_autofree char *type = NULL;
  g_autofree char *multiple = NULL;
  g_autofree char *mandatory = NULL;
  g_autofree char *show_filter = NULL;
  g_autofree char *xml_id = NULL;
  g_autofree char *label = NULL;
  g_autofree char *settings = NULL;
  JsonNode *settings_node_in;
  gint64 sort = 100;
  sqlite3_stmt *stmt;
  gint64 id;

  if (fields == NULL)
    {
      b24_reply_error (reply, 400, "ERROR_CORE", "Parameter 'fields' must be array.");
      return;
    }
  name = field_string (fields, "FIELD_NAME", NULL);
  type = field_string (fields, "USER_TYPE_ID", "string");
  full = name == NULL ? NULL : g_str_has_prefix (name, "UF_CRM_") ? g_strdup (name) : g_strconcat ("UF_CRM_", name, NULL);
  if (full == NULL || strlen (full) > 50 || strspn (full, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != strlen (full))
    {
      b24_reply_error (reply, 400, "ERROR_CORE",
                       "Код поля должен содержать только латинские буквы в верхнем регистре, цифры и знак подчеркивания, и быть не длиннее 50 символов");
      return;
    }
  if (!g_strv_contains (uf_types, type))
    {
      b24_reply_error (reply, 400, "ERROR_CORE", "Неверный тип пользовательского поля");
      return;
    }
  multiple = field_string (fields, "MULTIPLE", "N");
  mandatory = field_string (fields, "MANDATORY", "N");
  show_filter = field_string (fields, "SHOW_FILTER", "N");
  xml_id = field_string (fields, "XML_ID", NULL);
  label = field_string (fields, "EDIT_FORM_LABEL", NULL);
  if (label == NULL)
    label = field_string (fields, "LABEL", NULL);
  settings_node_in = json_object_get_member (fields, "SETTINGS");
  settings = settings_node_in != NULL ? json_to_string (settings_node_in, FALSE) : g_strdup ("[]");
  b24_node_get_int (json_object_get_member (fields, "SORT"), &sort);

  stmt = b24_db_prepare (call->emu, "INSERT OR IGNORE INTO userfield (ENTITY_ID, FIELD_NAME, USER_TYPE_ID,"
                                    " XML_ID, SORT, MULTIPLE, MANDATORY, SHOW_FILTER, SETTINGS, LABEL)"
                                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  sqlite3_bind_text (stmt, 1, call_entity_id (call), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, full, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, type, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, xml_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 5, sort);
  sqlite3_bind_text (stmt, 6, strcmp (multiple, "Y") == 0 ? "Y" : "N", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 7, strcmp (mandatory, "Y") == 0 ? "Y" : "N", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 8, strcmp (show_filter, "Y") == 0 ? "Y" : "N", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 9, settings, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 10, label, -1, SQLITE_TRANSIENT);
  sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (sqlite3_changes (call->emu->db) == 0)
    {
      b24_reply_error (reply, 400, "ERROR_CORE", "Поле с таким кодом уже существует");
      return;
    }
  id = sqlite3_last_insert_rowid (call->emu->db);
  write_enum_list (call->emu, id, json_object_get_member (fields, "LIST"));
  b24_reply_set_int (reply, id);
}

static gint64
userfield_id (B24Call  *call,
              B24Reply *reply)
{
  gint64 id = 0;
  sqlite3_stmt *stmt = b24_db_prepare (call->emu, "SELECT COUNT(*) FROM userfield WHERE ID = ? AND ENTITY_ID = ?");
  gboolean found;

  b24_node_get_int (b24_params_get (call->params, "id", TRUE), &id);
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_text (stmt, 2, call_entity_id (call), -1, SQLITE_STATIC);
  found = sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_int (stmt, 0) > 0;
  sqlite3_reset (stmt);
  if (!found)
    {
      b24_reply_error (reply, 400, "ERROR_NOT_FOUND", "The user field is not found");
      return 0;
    }
  return id;
}

static void
userfield_list (B24Call  *call,
                B24Reply *reply)
{
  sqlite3_stmt *stmt = b24_db_prepare (call->emu, UF_COLUMNS " WHERE ENTITY_ID = ? ORDER BY ID");
  JsonArray *rows = json_array_new ();

  sqlite3_bind_text (stmt, 1, call_entity_id (call), -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    json_array_add_object_element (rows, userfield_row (call->emu, stmt));
  sqlite3_reset (stmt);
  for (guint i = 0; i < json_array_get_length (rows); i++)
    add_enum_list (call->emu, json_array_get_object_element (rows, i));
  reply->total = json_array_get_length (rows);
  b24_reply_set_result (reply, b24_node_take_array (rows));
}

static void
userfield_get (B24Call  *call,
               B24Reply *reply)
{
  gint64 id = userfield_id (call, reply);
  sqlite3_stmt *stmt;
  JsonObject *row;

  if (id == 0)
    return;
  stmt = b24_db_prepare (call->emu, UF_COLUMNS " WHERE ID = ?");
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_step (stmt);
  row = userfield_row (call->emu, stmt);
  sqlite3_reset (stmt);
  add_enum_list (call->emu, row);
  b24_reply_set_result (reply, b24_node_take_object (row));
}

static void
userfield_update (B24Call  *call,
                  B24Reply *reply)
{
  gint64 id = userfield_id (call, reply);
  JsonObject *fields = b24_params_get_object (call->params, "fields", FALSE);
  g_autofree char *label = NULL;
  g_autofree char *mandatory = NULL;
  sqlite3_stmt *stmt;

  if (id == 0)
    return;
  if (fields == NULL)
    {
      b24_reply_error (reply, 400, "ERROR_CORE", "Parameter 'fields' must be array.");
      return;
    }
  label = field_string (fields, "EDIT_FORM_LABEL", NULL);
  mandatory = field_string (fields, "MANDATORY", NULL);
  stmt = b24_db_prepare (call->emu, "UPDATE userfield SET LABEL = COALESCE(?, LABEL),"
                                    " MANDATORY = COALESCE(?, MANDATORY) WHERE ID = ?");
  sqlite3_bind_text (stmt, 1, label, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, mandatory, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, id);
  sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (json_object_has_member (fields, "LIST"))
    write_enum_list (call->emu, id, json_object_get_member (fields, "LIST"));
  b24_reply_set_true (reply);
}

static void
userfield_delete (B24Call  *call,
                  B24Reply *reply)
{
  gint64 id = userfield_id (call, reply);

  if (id == 0)
    return;
  b24_db_query_int (call->emu, "DELETE FROM userfield_enum WHERE USER_FIELD_ID = ?", id);
  b24_db_query_int (call->emu, "DELETE FROM userfield WHERE ID = ?", id);
  b24_reply_set_true (reply);
}

#define UF_METHODS(prefix, entity) \
  { prefix ".userfield.add", "crm", userfield_add, 0, entity }, \
  { prefix ".userfield.list", "crm", userfield_list, 0, entity }, \
  { prefix ".userfield.get", "crm", userfield_get, 0, entity }, \
  { prefix ".userfield.update", "crm", userfield_update, 0, entity }, \
  { prefix ".userfield.delete", "crm", userfield_delete, 0, entity }

static const B24Method userfield_methods[] = {
  UF_METHODS ("crm.deal", "CRM_DEAL"),
  UF_METHODS ("crm.contact", "CRM_CONTACT"),
  UF_METHODS ("crm.company", "CRM_COMPANY"),
  UF_METHODS ("crm.lead", "CRM_LEAD"),
};

void
b24_crm_userfield_register (B24Emu *emu)
{
  b24_emu_add_methods (emu, userfield_methods, G_N_ELEMENTS (userfield_methods));
}
