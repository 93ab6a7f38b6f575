/* b24-crm-timeline.c: crm.timeline.comment.* (deal, contact and company comments).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "b24-entity.h"
#include "b24-db.h"
#include "b24-envelope.h"
#include "b24-filter.h"
#include "b24-params.h"
#include "b24-time.h"

#include <string.h>

#define RO B24_FIELD_READONLY

static const B24Field comment_fields[] = {
  { "ID", B24_FIELD_ID, "integer", RO },
  { "CREATED", B24_FIELD_DATETIME, "datetime", RO },
  { "ENTITY_ID", B24_FIELD_INT, "integer", B24_FIELD_REQUIRED },
  { "ENTITY_TYPE", B24_FIELD_STRING, "string", B24_FIELD_REQUIRED },
  { "AUTHOR_ID", B24_FIELD_INT, "user", 0 },
  { "COMMENT", B24_FIELD_STRING, "string", B24_FIELD_REQUIRED },
  { "FILES", B24_FIELD_JSON, "diskfile", B24_FIELD_MULTIPLE },
  { NULL },
};

static const B24Entity *
owner_entity (const char *type)
{
  if (type == NULL)
    return NULL;
  if (g_ascii_strcasecmp (type, "deal") == 0)
    return &b24_entity_deal;
  if (g_ascii_strcasecmp (type, "contact") == 0)
    return &b24_entity_contact;
  if (g_ascii_strcasecmp (type, "company") == 0)
    return &b24_entity_company;
  if (g_ascii_strcasecmp (type, "lead") == 0)
    return &b24_entity_lead;
  return NULL;
}

/* FILES arrive as [["name","base64"],…] and are printed as {"1":{"id","name","size","urlDownload"}}. */
static JsonNode *
store_files (B24Call    *call,
             const char *json)
{
  g_autoptr(JsonNode) input = json_from_string (json, NULL);
  g_autoptr(GPtrArray) items = b24_node_list (input);
  JsonObject *files = json_object_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;

  for (guint i = 0; i < items->len; i++)
    {
      g_autoptr(GPtrArray) pair = b24_node_list (items->pdata[i]);
      g_autofree char *name = pair->len == 2 ? b24_node_dup_string (pair->pdata[0]) : NULL;
      g_autofree char *b64 = pair->len == 2 ? b24_node_dup_string (pair->pdata[1]) : NULL;
      g_autofree guchar *content = NULL;
      g_autofree char *key = NULL;
      g_autofree char *url = NULL;
      JsonObject *file;
      sqlite3_stmt *stmt;
      gsize size;
      gint64 id;

      if (name == NULL || b64 == NULL)
        continue;
      content = g_base64_decode (b64, &size);
      stmt = b24_db_prepare (call->emu, "INSERT INTO file (NAME, CONTENT) VALUES (?, ?)");
      sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
      sqlite3_bind_blob (stmt, 2, content, size, SQLITE_TRANSIENT);
      sqlite3_step (stmt);
      sqlite3_reset (stmt);
      id = sqlite3_last_insert_rowid (call->emu->db);
      key = g_strdup_printf ("%" G_GINT64_FORMAT, id);
      url = g_strdup_printf ("%s/rest/file.json?id=%" G_GINT64_FORMAT, call->emu->base_url, id);
      file = json_object_new ();
      json_object_set_int_member (file, "id", id);
      json_object_set_string_member (file, "name", name);
      json_object_set_int_member (file, "size", size);
      json_object_set_string_member (file, "urlDownload", url);
      json_object_set_object_member (files, key, file);
    }
  /* No files is "{}" here, not the usual PHP "[]". */
  node = b24_node_take_object (files);
  text = json_to_string (node, FALSE);
  return b24_node_string (text);
}

static gboolean
comment_prepare (B24Call    *call,
                 gint64      id,
                 GHashTable *values,
                 B24Reply   *reply)
{
  JsonNode *files = g_hash_table_lookup (values, "FILES");
  JsonNode *comment = g_hash_table_lookup (values, "COMMENT");

  if (id == 0)
    {
      JsonNode *type = g_hash_table_lookup (values, "ENTITY_TYPE");
      JsonNode *owner = g_hash_table_lookup (values, "ENTITY_ID");
      const B24Entity *entity = type != NULL && !JSON_NODE_HOLDS_NULL (type)
                                  ? owner_entity (json_node_get_string (type)) : NULL;
      g_autofree char *lower = NULL;

      if (entity == NULL || owner == NULL || JSON_NODE_HOLDS_NULL (owner)
          || !b24_entity_exists (call->emu, entity, json_node_get_int (owner)))
        {
          b24_reply_error (reply, 400, "OWNER_NOT_FOUND", "Owner entity not found");
          return FALSE;
        }
      lower = g_ascii_strdown (json_node_get_string (type), -1);
      g_hash_table_replace (values, "ENTITY_TYPE", b24_node_string (lower));
      g_hash_table_replace (values, "CREATED", json_node_init_int (json_node_alloc (), (gint64) b24_time_now ()));
      b24_values_default (values, "AUTHOR_ID", json_node_init_int (json_node_alloc (), call->user_id));
    }
  if ((id == 0 || comment != NULL)
      && (comment == NULL || JSON_NODE_HOLDS_NULL (comment) || json_node_get_string (comment)[0] == '\0'))
    {
      b24_reply_error (reply, 400, "INVALID_ARG_VALUE", "Comment is empty");
      return FALSE;
    }
  if (files != NULL && !JSON_NODE_HOLDS_NULL (files))
    g_hash_table_replace (values, "FILES", store_files (call, json_node_get_string (files)));
  else if (id == 0)
    g_hash_table_replace (values, "FILES", b24_node_string ("{}"));
  return TRUE;
}

const B24Entity b24_entity_timeline_comment = {
  .table = "timeline_comment",
  .fields = comment_fields,
  .event_prefix = "ONCRMTIMELINECOMMENT",
  .prepare = comment_prepare,
};

/* Since crm 23.100.0 only the lowercase "fields" is accepted. */
static JsonObject *
comment_fields_param (B24Call  *call,
                      B24Reply *reply)
{
  JsonObject *fields = b24_params_get_object (call->params, "fields", FALSE);

  if (fields == NULL)
    b24_reply_error (reply, 400, "100", "Could not find value for parameter {fields}");
  return fields;
}

static gint64
comment_id (B24Call  *call,
            B24Reply *reply)
{
  gint64 id = 0;

  if (!b24_node_get_int (b24_params_get (call->params, "id", FALSE), &id)
      || !b24_entity_exists (call->emu, &b24_entity_timeline_comment, id))
    {
      b24_reply_error (reply, 400, "NOT_FOUND", "Not found");
      return 0;
    }
  return id;
}

static void
comment_add (B24Call  *call,
             B24Reply *reply)
{
  JsonObject *fields = comment_fields_param (call, reply);
  gint64 id;

  if (fields != NULL && (id = b24_entity_write (call, &b24_entity_timeline_comment, 0, fields, reply)) > 0)
    b24_reply_set_int (reply, id);
}

static void
comment_update (B24Call  *call,
                B24Reply *reply)
{
  gint64 id = comment_id (call, reply);
  JsonObject *fields;

  if (id == 0 || (fields = comment_fields_param (call, reply)) == NULL)
    return;
  /* The owner of a comment never changes. */
  json_object_remove_member (fields, "ENTITY_ID");
  json_object_remove_member (fields, "ENTITY_TYPE");
  if (b24_entity_write (call, &b24_entity_timeline_comment, id, fields, reply) > 0)
    b24_reply_set_int (reply, id);
}

static void
comment_get (B24Call  *call,
             B24Reply *reply)
{
  B24Select select = { .all_std = TRUE };
  gint64 id = comment_id (call, reply);

  if (id > 0)
    b24_reply_set_result (reply, b24_node_take_object (b24_entity_get (call, &b24_entity_timeline_comment, id,
                                                                       &select)));
  b24_select_clear (&select);
}

static void
comment_delete (B24Call  *call,
                B24Reply *reply)
{
  gint64 id = comment_id (call, reply);

  if (id == 0)
    return;
  b24_entity_delete (call, &b24_entity_timeline_comment, id);
  b24_reply_set_result (reply, b24_json_empty_list ());
}

static void
comment_list (B24Call  *call,
              B24Reply *reply)
{
  JsonObject *filter = b24_params_get_object (call->params, "filter", FALSE);
  B24Page page;

  if (filter == NULL || !json_object_has_member (filter, "ENTITY_ID")
      || !json_object_has_member (filter, "ENTITY_TYPE"))
    {
      b24_reply_error (reply, 400, "INVALID_ARG_VALUE", "ENTITY_ID and ENTITY_TYPE are required in filter");
      return;
    }
  b24_list_query (call, &b24_entity_timeline_comment, b24_params_get (call->params, "filter", FALSE),
                  b24_params_get (call->params, "order", FALSE), b24_params_get (call->params, "select", FALSE),
                  b24_params_get (call->params, "start", FALSE), NULL, &page);
  b24_page_to_reply (&page, reply);
}

static const B24Method comment_methods[] = {
  { "crm.timeline.comment.add", "crm", comment_add },
  { "crm.timeline.comment.update", "crm", comment_update },
  { "crm.timeline.comment.get", "crm", comment_get },
  { "crm.timeline.comment.list", "crm", comment_list },
  { "crm.timeline.comment.delete", "crm", comment_delete },
};

void
b24_crm_timeline_register (B24Emu *emu)
{
  b24_emu_add_methods (emu, comment_methods, G_N_ELEMENTS (comment_methods));
}
