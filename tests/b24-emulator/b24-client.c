/* b24-client.c: the control door's client-portal actions, POST /_emulator/client/<action>.
 *
 * The emulator plays the deal's client (an extranet user made on first use for the deal's
 * contact). Every action goes through the same REST method code a real call would use, so
 * it changes the same rows and raises the same events:
 *
 *   deal     crm.deal.update as the client                → ONCRMDEALUPDATE
 *   chat     a message in the deal's chat (CRM, DEAL|id;  → none: the reference documents
 *            the chat is made when missing)                  no event for chat messages
 *   sign     a drive file marked signed (signer, time,    → ONCRMTIMELINECOMMENTADD
 *            SHA-256 of the bytes) + a timeline comment
 *   remarks  the same file returned with remarks          → ONCRMTIMELINECOMMENTADD
 *   webform  a CRM form: contact + deal (or a lead) with  → ONCRMCONTACTADD, ONCRMDEALADD or
 *            photos in a file field or a comment             ONCRMLEADADD, ONCRMTIMELINECOMMENTADD
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "b24-control.h"
#include "b24-db.h"
#include "b24-entity.h"
#include "b24-envelope.h"
#include "b24-im.h"
#include "b24-params.h"
#include "b24-server.h"
#include "b24-time.h"

#include <string.h>

static gint64
param_int (JsonObject *params,
           const char *key,
           gint64      fallback)
{
  gint64 value;

  return b24_node_get_int (json_object_get_member (params, key), &value) ? value : fallback;
}

static char *
param_string (JsonObject *params,
              const char *key)
{
  return b24_node_dup_string (json_object_get_member (params, key));
}

static void
respond_object (SoupServerMessage *msg,
                guint              status,
                JsonObject        *object)
{
  g_autoptr(JsonNode) node = b24_node_take_object (object);

  b24_server_respond_json (msg, status, node);
}

static void
respond_error (SoupServerMessage *msg,
               guint              status,
               const char        *code,
               const char        *text)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "error", code);
  json_object_set_string_member (object, "error_description", text);
  respond_object (msg, status, object);
}

/* Runs @method as @user_id with @params (taken); FALSE with the error answered on failure. */
static gboolean
run (B24Emu            *emu,
     SoupServerMessage *msg,
     gint64             user_id,
     const char        *method,
     JsonObject        *params,
     JsonNode         **result)
{
  g_autoptr(JsonObject) owned = params;
  B24Call call = {
    .emu = emu,
    .user_id = user_id,
    .is_app = TRUE,
    .credential = "client",
    .params = params,
  };
  B24Reply reply;
  gboolean ok;

  call.method = b24_emu_find_method (emu, method);
  g_assert (call.method != NULL);
  b24_reply_init (&reply);
  call.method->func (&call, &reply);
  ok = !b24_reply_failed (&reply);
  if (!ok)
    respond_error (msg, reply.status != 0 ? reply.status : 400, reply.error, reply.error_description);
  else if (result != NULL)
    *result = json_node_copy (reply.result);
  b24_reply_clear (&reply);
  return ok;
}

/* The deal's client as a portal user: extranet, one per contact (or per deal without one). */
static gint64
client_user (B24Emu *emu,
             gint64  deal_id)
{
  gint64 contact = b24_db_query_int (emu, "SELECT COALESCE(CONTACT_ID, 0) FROM deal WHERE ID = ?", deal_id);
  g_autofree char *xml_id = contact > 0 ? g_strdup_printf ("client-contact-%" G_GINT64_FORMAT, contact)
                                        : g_strdup_printf ("client-deal-%" G_GINT64_FORMAT, deal_id);
  g_autofree char *name = NULL;
  g_autofree char *last_name = NULL;
  sqlite3_stmt *stmt = b24_db_prepare (emu, "SELECT ID FROM user WHERE XML_ID = ?");
  gint64 id = 0;

  sqlite3_bind_text (stmt, 1, xml_id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (id > 0)
    return id;
  if (contact > 0)
    {
      stmt = b24_db_prepare (emu, "SELECT NAME, LAST_NAME FROM contact WHERE ID = ?");
      sqlite3_bind_int64 (stmt, 1, contact);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        {
          name = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
          last_name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
        }
      sqlite3_reset (stmt);
    }
  stmt = b24_db_prepare (emu, "INSERT INTO user (XML_ID, ACTIVE, NAME, LAST_NAME, WORK_POSITION, UF_DEPARTMENT,"
                              " IS_ADMIN, USER_TYPE, DATE_REGISTER, IS_ONLINE, PERSONAL_GENDER)"
                              " VALUES (?, 1, ?, ?, 'Клиент', '[]', 'N', 'extranet', ?, 'N', '')");
  sqlite3_bind_text (stmt, 1, xml_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, name != NULL ? name : "Клиент", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, last_name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 4, (gint64) b24_time_now ());
  sqlite3_step (stmt);
  sqlite3_reset (stmt);
  return sqlite3_last_insert_rowid (emu->db);
}

static gint64
deal_param (B24Emu            *emu,
            SoupServerMessage *msg,
            JsonObject        *params)
{
  gint64 deal = param_int (params, "deal_id", 0);

  if (deal <= 0 || !b24_entity_exists (emu, &b24_entity_deal, deal))
    {
      respond_error (msg, 400, "", "Not found");
      return 0;
    }
  return deal;
}

static void
client_deal (B24Emu            *emu,
             SoupServerMessage *msg,
             JsonObject        *params)
{
  gint64 deal = deal_param (emu, msg, params);
  JsonObject *fields = b24_params_get_object (params, "fields", FALSE);
  JsonObject *rest;
  JsonObject *answer;
  gint64 user;

  if (deal == 0)
    return;
  if (fields == NULL)
    {
      respond_error (msg, 400, "", "Parameter 'fields' must be array.");
      return;
    }
  user = client_user (emu, deal);
  rest = json_object_new ();
  json_object_set_int_member (rest, "id", deal);
  json_object_set_object_member (rest, "fields", json_object_ref (fields));
  if (!run (emu, msg, user, "crm.deal.update", rest, NULL))
    return;
  answer = json_object_new ();
  json_object_set_int_member (answer, "deal_id", deal);
  json_object_set_int_member (answer, "user_id", user);
  respond_object (msg, 200, answer);
}

/* The deal's chat (ENTITY_TYPE CRM, ENTITY_ID DEAL|id), made when missing, with the client in it. */
static gint64
deal_chat (B24Emu *emu,
           gint64  deal,
           gint64  client)
{
  g_autofree char *entity_id = g_strdup_printf ("DEAL|%" G_GINT64_FORMAT, deal);
  gint64 chat = b24_im_find_entity_chat (emu, "CRM", entity_id);

  if (chat == 0)
    {
      sqlite3_stmt *stmt = b24_db_prepare (emu, "SELECT TITLE, ASSIGNED_BY_ID FROM deal WHERE ID = ?");
      g_autofree char *title = NULL;
      gint64 owner = 1;

      sqlite3_bind_int64 (stmt, 1, deal);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        {
          title = g_strdup_printf ("Сделка: %s", (const char *) sqlite3_column_text (stmt, 0));
          owner = sqlite3_column_int64 (stmt, 1);
        }
      sqlite3_reset (stmt);
      chat = b24_im_create_chat (emu, "CHAT", title != NULL ? title : "", "CRM", entity_id, owner > 0 ? owner : 1);
    }
  b24_im_add_member (emu, chat, client);
  return chat;
}

static void
client_chat (B24Emu            *emu,
             SoupServerMessage *msg,
             JsonObject        *params)
{
  gint64 deal = deal_param (emu, msg, params);
  g_autofree char *text = param_string (params, "text");
  JsonObject *answer;
  gint64 user, chat, message;

  if (deal == 0)
    return;
  if (text == NULL || text[0] == '\0')
    {
      respond_error (msg, 400, "MESSAGE_EMPTY", "Message can't be empty");
      return;
    }
  user = client_user (emu, deal);
  chat = deal_chat (emu, deal, user);
  message = b24_im_post (emu, chat, user, text);
  answer = json_object_new ();
  json_object_set_int_member (answer, "chat_id", chat);
  json_object_set_int_member (answer, "message_id", message);
  json_object_set_int_member (answer, "user_id", user);
  respond_object (msg, 200, answer);
}

/* Signing or remarks on a drive file of the deal, recorded and told on the timeline. */
static void
client_document (B24Emu            *emu,
                 SoupServerMessage *msg,
                 JsonObject        *params,
                 gboolean           sign)
{
  gint64 deal = deal_param (emu, msg, params);
  gint64 file = param_int (params, "file_id", 0);
  g_autofree char *signer = param_string (params, "signer");
  g_autofree char *remarks = param_string (params, "remarks");
  g_autofree char *when_text = param_string (params, "signed_at");
  g_autofree char *name = NULL;
  g_autofree char *sha = NULL;
  g_autofree char *when = NULL;
  g_autofree char *comment = NULL;
  g_autoptr(JsonNode) comment_id = NULL;
  gint64 user, signed_at = (gint64) b24_time_now ();
  sqlite3_stmt *stmt;
  JsonObject *rest, *fields, *answer;

  if (deal == 0)
    return;
  stmt = b24_db_prepare (emu, "SELECT o.NAME, f.CONTENT FROM disk_object o JOIN file f ON f.ID = o.FILE_ID"
                              " WHERE o.ID = ? AND o.TYPE = 'file'");
  sqlite3_bind_int64 (stmt, 1, file);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      name = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, sqlite3_column_blob (stmt, 1), sqlite3_column_bytes (stmt, 1));
    }
  sqlite3_reset (stmt);
  if (name == NULL)
    {
      g_autofree char *text = g_strdup_printf ("Could not find entity with id `%" G_GINT64_FORMAT "`", file);

      respond_error (msg, 400, "ERROR_NOT_FOUND", text);
      return;
    }
  if (!sign && (remarks == NULL || remarks[0] == '\0'))
    {
      respond_error (msg, 400, "INVALID_ARG_VALUE", "remarks are empty");
      return;
    }
  if (when_text != NULL && !b24_time_parse (emu, when_text, &signed_at))
    {
      respond_error (msg, 400, "INVALID_ARG_VALUE", "signed_at is not a date");
      return;
    }
  user = client_user (emu, deal);
  if (signer == NULL)
    {
      stmt = b24_db_prepare (emu, "SELECT TRIM(COALESCE(NAME, '') || ' ' || COALESCE(LAST_NAME, '')) FROM user WHERE ID = ?");
      sqlite3_bind_int64 (stmt, 1, user);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        signer = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      sqlite3_reset (stmt);
    }
  when = b24_time_format (emu, signed_at);
  comment = sign ? g_strdup_printf ("[Подписано] %s\nПодписал: %s\nДата: %s\nФайл: %" G_GINT64_FORMAT "\nSHA-256: %s",
                                    name, signer, when, file, sha)
                 : g_strdup_printf ("[Замечания] %s\nОт: %s\nДата: %s\nФайл: %" G_GINT64_FORMAT "\nSHA-256: %s\n\n%s",
                                    name, signer, when, file, sha, remarks);
  rest = json_object_new ();
  fields = json_object_new ();
  json_object_set_int_member (fields, "ENTITY_ID", deal);
  json_object_set_string_member (fields, "ENTITY_TYPE", "deal");
  json_object_set_string_member (fields, "COMMENT", comment);
  json_object_set_object_member (rest, "fields", fields);
  if (!run (emu, msg, user, "crm.timeline.comment.add", rest, &comment_id))
    return;
  stmt = b24_db_prepare (emu, "INSERT INTO document_signature (DEAL_ID, FILE_ID, STATE, SIGNER, SIGNED_AT, REMARKS,"
                              " FILE_SHA256, COMMENT_ID) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  sqlite3_bind_int64 (stmt, 1, deal);
  sqlite3_bind_int64 (stmt, 2, file);
  sqlite3_bind_text (stmt, 3, sign ? "signed" : "remarks", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, signer, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 5, signed_at);
  sqlite3_bind_text (stmt, 6, sign ? NULL : remarks, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 7, sha, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 8, json_node_get_int (comment_id));
  sqlite3_step (stmt);
  sqlite3_reset (stmt);
  answer = json_object_new ();
  json_object_set_int_member (answer, "signature_id", sqlite3_last_insert_rowid (emu->db));
  json_object_set_int_member (answer, "comment_id", json_node_get_int (comment_id));
  json_object_set_int_member (answer, "user_id", user);
  json_object_set_string_member (answer, "state", sign ? "signed" : "remarks");
  json_object_set_string_member (answer, "signer", signer);
  json_object_set_string_member (answer, "date", when);
  json_object_set_string_member (answer, "sha256", sha);
  respond_object (msg, 200, answer);
}

static void
client_sign (B24Emu            *emu,
             SoupServerMessage *msg,
             JsonObject        *params)
{
  client_document (emu, msg, params, TRUE);
}

static void
client_remarks (B24Emu            *emu,
                SoupServerMessage *msg,
                JsonObject        *params)
{
  client_document (emu, msg, params, FALSE);
}

/* "+7…" or [{"VALUE":…}] → the multi-field form. */
static JsonNode *
multifield (JsonNode *node)
{
  JsonArray *array;
  JsonObject *entry;
  g_autofree char *value = NULL;

  if (node == NULL || !b24_node_is_scalar (node))
    return node != NULL ? json_node_copy (node) : NULL;
  value = b24_node_dup_string (node);
  array = json_array_new ();
  entry = json_object_new ();
  json_object_set_string_member (entry, "VALUE", value);
  json_object_set_string_member (entry, "VALUE_TYPE", "WORK");
  json_array_add_object_element (array, entry);
  return b24_node_take_array (array);
}

static void
copy_member (JsonObject *from,
             JsonObject *to,
             const char *name)
{
  JsonNode *node = json_object_get_member (from, name);

  if (node != NULL)
    json_object_set_member (to, name, json_node_copy (node));
}

static void
client_webform (B24Emu            *emu,
                SoupServerMessage *msg,
                JsonObject        *params)
{
  g_autofree char *entity = param_string (params, "entity");
  g_autofree char *photo_field = param_string (params, "photo_field");
  JsonObject *form = b24_params_get_object (params, "fields", FALSE);
  g_autoptr(GPtrArray) photos = b24_node_list (json_object_get_member (params, "photos"));
  gint64 user = param_int (params, "user_id", 1);
  gboolean lead = entity != NULL && g_ascii_strcasecmp (entity, "lead") == 0;
  g_autoptr(JsonNode) contact_id = NULL, target_id = NULL, comment_id = NULL;
  JsonObject *fields, *rest, *answer;
  GList *members;

  if (form == NULL)
    {
      respond_error (msg, 400, "", "Parameter 'fields' must be array.");
      return;
    }
  if (entity != NULL && !lead && g_ascii_strcasecmp (entity, "deal") != 0)
    {
      respond_error (msg, 400, "INVALID_ARG_VALUE", "entity is deal or lead");
      return;
    }
  for (guint i = 0; i < photos->len; i++)
    {
      g_autoptr(GPtrArray) pair = b24_node_list (photos->pdata[i]);

      if (pair->len != 2)
        {
          respond_error (msg, 400, "INVALID_ARG_VALUE", "photos are [[\"name\",\"base64\"],…]");
          return;
        }
    }

  fields = json_object_new ();
  members = json_object_get_members (form);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;

      if (strcmp (name, "PHONE") == 0 || strcmp (name, "EMAIL") == 0)
        json_object_set_member (fields, name, multifield (json_object_get_member (form, name)));
      else
        copy_member (form, fields, name);
    }
  g_list_free (members);
  if (!json_object_has_member (fields, "SOURCE_ID"))
    json_object_set_string_member (fields, "SOURCE_ID", "WEBFORM");
  if (!json_object_has_member (fields, "TITLE"))
    {
      const char *who = json_object_get_string_member_with_default (form, "NAME", "клиент");
      g_autofree char *title = g_strdup_printf ("CRM-форма: %s", who);

      json_object_set_string_member (fields, "TITLE", title);
    }
  if (photo_field != NULL && photos->len > 0)
    {
      JsonArray *files = json_array_new ();

      for (guint i = 0; i < photos->len; i++)
        {
          JsonObject *file = json_object_new ();

          json_object_set_member (file, "fileData", json_node_copy (photos->pdata[i]));
          json_array_add_object_element (files, file);
        }
      json_object_set_array_member (fields, photo_field, files);
    }

  if (!lead && (json_object_has_member (form, "NAME") || json_object_has_member (form, "LAST_NAME")
                || json_object_has_member (form, "PHONE") || json_object_has_member (form, "EMAIL")))
    {
      JsonObject *contact = json_object_new ();

      copy_member (form, contact, "NAME");
      copy_member (form, contact, "LAST_NAME");
      copy_member (form, contact, "SECOND_NAME");
      copy_member (fields, contact, "PHONE");
      copy_member (fields, contact, "EMAIL");
      json_object_set_string_member (contact, "SOURCE_ID", "WEBFORM");
      if (json_object_has_member (fields, "ASSIGNED_BY_ID"))
        copy_member (fields, contact, "ASSIGNED_BY_ID");
      rest = json_object_new ();
      json_object_set_object_member (rest, "fields", contact);
      if (!run (emu, msg, user, "crm.contact.add", rest, &contact_id))
        {
          json_object_unref (fields);
          return;
        }
      json_object_set_int_member (fields, "CONTACT_ID", json_node_get_int (contact_id));
    }
  if (!lead)
    {
      /* A deal has no contact-person columns of its own. */
      for (const char *const *drop = (const char *const[]) { "NAME", "LAST_NAME", "SECOND_NAME", "PHONE", "EMAIL", NULL };
           *drop != NULL; drop++)
        json_object_remove_member (fields, *drop);
    }
  rest = json_object_new ();
  json_object_set_object_member (rest, "fields", fields);
  if (!run (emu, msg, user, lead ? "crm.lead.add" : "crm.deal.add", rest, &target_id))
    return;
  if (photo_field == NULL && photos->len > 0)
    {
      JsonObject *comment = json_object_new ();
      JsonArray *files = json_array_new ();

      for (guint i = 0; i < photos->len; i++)
        json_array_add_element (files, json_node_copy (photos->pdata[i]));
      json_object_set_int_member (comment, "ENTITY_ID", json_node_get_int (target_id));
      json_object_set_string_member (comment, "ENTITY_TYPE", lead ? "lead" : "deal");
      json_object_set_string_member (comment, "COMMENT", "Фото из CRM-формы");
      json_object_set_array_member (comment, "FILES", files);
      rest = json_object_new ();
      json_object_set_object_member (rest, "fields", comment);
      if (!run (emu, msg, user, "crm.timeline.comment.add", rest, &comment_id))
        return;
    }
  answer = json_object_new ();
  if (contact_id != NULL)
    json_object_set_int_member (answer, "contact_id", json_node_get_int (contact_id));
  json_object_set_int_member (answer, lead ? "lead_id" : "deal_id", json_node_get_int (target_id));
  if (comment_id != NULL)
    json_object_set_int_member (answer, "comment_id", json_node_get_int (comment_id));
  respond_object (msg, 200, answer);
}

void
b24_client_handle (B24Emu            *emu,
                   SoupServerMessage *msg,
                   const char        *action,
                   JsonObject        *params)
{
  static const struct {
    const char *name;
    void (*func) (B24Emu *, SoupServerMessage *, JsonObject *);
  } actions[] = {
    { "deal", client_deal },
    { "chat", client_chat },
    { "sign", client_sign },
    { "remarks", client_remarks },
    { "webform", client_webform },
  };

  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    if (strcmp (action, actions[i].name) == 0)
      {
        actions[i].func (emu, msg, params);
        return;
      }
  respond_error (msg, 404, "unknown", "unknown client action (deal, chat, sign, remarks, webform)");
}
