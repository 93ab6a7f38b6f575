/* b24-im.c: chats, messages and notifications (scope "im"; reference §7.11).
 *
 * im.* prints native numbers. A deal's chat is a chat with ENTITY_TYPE "CRM" and
 * ENTITY_ID "DEAL|<id>", found by im.chat.get; messages go to "chat<id>" (or to a user ID,
 * which opens a private chat). im.dialog.messages.get lists newest first, at most 50.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "b24-im.h"
#include "b24-db.h"
#include "b24-entity.h"
#include "b24-envelope.h"
#include "b24-params.h"
#include "b24-time.h"

#include <string.h>

#define MESSAGES_DEFAULT 20
#define MESSAGES_MAX 50

static gboolean
is_member (B24Emu *emu,
           gint64  chat_id,
           gint64  user_id)
{
  sqlite3_stmt *stmt = b24_db_prepare (emu, "SELECT COUNT(*) FROM im_chat_user WHERE CHAT_ID = ? AND USER_ID = ?");
  gboolean member;

  sqlite3_bind_int64 (stmt, 1, chat_id);
  sqlite3_bind_int64 (stmt, 2, user_id);
  member = sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_int64 (stmt, 0) > 0;
  sqlite3_reset (stmt);
  return member;
}

void
b24_im_add_member (B24Emu *emu,
                   gint64  chat_id,
                   gint64  user_id)
{
  sqlite3_stmt *stmt = b24_db_prepare (emu, "INSERT OR IGNORE INTO im_chat_user (CHAT_ID, USER_ID) VALUES (?, ?)");

  sqlite3_bind_int64 (stmt, 1, chat_id);
  sqlite3_bind_int64 (stmt, 2, user_id);
  sqlite3_step (stmt);
  sqlite3_reset (stmt);
}

gint64
b24_im_create_chat (B24Emu     *emu,
                    const char *type,
                    const char *title,
                    const char *entity_type,
                    const char *entity_id,
                    gint64      owner)
{
  sqlite3_stmt *stmt = b24_db_prepare (emu, "INSERT INTO im_chat (TYPE, TITLE, ENTITY_TYPE, ENTITY_ID, OWNER)"
                                            " VALUES (?, ?, ?, ?, ?)");
  gint64 id;

  sqlite3_bind_text (stmt, 1, type, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, title, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, entity_type, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, entity_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 5, owner);
  sqlite3_step (stmt);
  sqlite3_reset (stmt);
  id = sqlite3_last_insert_rowid (emu->db);
  b24_im_add_member (emu, id, owner);
  return id;
}

gint64
b24_im_find_entity_chat (B24Emu     *emu,
                         const char *entity_type,
                         const char *entity_id)
{
  sqlite3_stmt *stmt = b24_db_prepare (emu, "SELECT ID FROM im_chat WHERE ENTITY_TYPE = ? AND ENTITY_ID = ?"
                                            " ORDER BY ID LIMIT 1");
  gint64 id = 0;

  sqlite3_bind_text (stmt, 1, entity_type, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, entity_id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return id;
}

gint64
b24_im_post (B24Emu     *emu,
             gint64      chat_id,
             gint64      author_id,
             const char *text)
{
  sqlite3_stmt *stmt = b24_db_prepare (emu, "INSERT INTO im_message (CHAT_ID, AUTHOR_ID, DATE, TEXT) VALUES (?, ?, ?, ?)");

  sqlite3_bind_int64 (stmt, 1, chat_id);
  sqlite3_bind_int64 (stmt, 2, author_id);
  sqlite3_bind_int64 (stmt, 3, (gint64) b24_time_now ());
  sqlite3_bind_text (stmt, 4, text, -1, SQLITE_TRANSIENT);
  sqlite3_step (stmt);
  sqlite3_reset (stmt);
  return sqlite3_last_insert_rowid (emu->db);
}

static char *
param_string (B24Call    *call,
              const char *name)
{
  return b24_node_dup_string (b24_params_get (call->params, name, TRUE));
}

static gboolean
user_exists (B24Emu *emu,
             gint64  user_id)
{
  return b24_entity_exists (emu, &b24_entity_user, user_id);
}

/* The private chat of two users, made on first use. */
static gint64
private_chat (B24Emu *emu,
              gint64  a,
              gint64  b)
{
  g_autofree char *key = g_strdup_printf ("%" G_GINT64_FORMAT "|%" G_GINT64_FORMAT, MIN (a, b), MAX (a, b));
  gint64 id = b24_im_find_entity_chat (emu, "PRIVATE", key);

  if (id == 0)
    {
      id = b24_im_create_chat (emu, "PRIVATE", "", "PRIVATE", key, a);
      b24_im_add_member (emu, id, b);
    }
  return id;
}

/* DIALOG_ID → chat the caller may write to; 0 with @reply set otherwise. */
static gint64
dialog_chat (B24Call  *call,
             B24Reply *reply,
             gboolean  create_private)
{
  g_autofree char *dialog = param_string (call, "DIALOG_ID");
  gint64 id = 0;

  if (dialog == NULL || dialog[0] == '\0')
    {
      b24_reply_error (reply, 400, "USER_ID_EMPTY", "Dialog ID can't be empty");
      return 0;
    }
  if (g_str_has_prefix (dialog, "chat"))
    {
      id = g_ascii_strtoll (dialog + 4, NULL, 10);
      if (id <= 0 || b24_db_query_int (call->emu, "SELECT COUNT(*) FROM im_chat WHERE ID = ?", id) == 0)
        {
          b24_reply_error (reply, 400, "CHAT_ID", "Chat ID can't be empty");
          return 0;
        }
      if (!is_member (call->emu, id, call->user_id))
        {
          b24_reply_error (reply, 400, "ACCESS_ERROR", "You do not have access to the specified dialog");
          return 0;
        }
      return id;
    }
  if (g_ascii_isdigit (dialog[0]))
    {
      gint64 user = g_ascii_strtoll (dialog, NULL, 10);

      if (!user_exists (call->emu, user))
        {
          b24_reply_error (reply, 400, "USER_NOT_FOUND", "User not found");
          return 0;
        }
      if (!create_private)
        {
          g_autofree char *key = g_strdup_printf ("%" G_GINT64_FORMAT "|%" G_GINT64_FORMAT,
                                                  MIN (user, call->user_id), MAX (user, call->user_id));

          id = b24_im_find_entity_chat (call->emu, "PRIVATE", key);
          if (id == 0)
            b24_reply_error (reply, 400, "ACCESS_ERROR", "You do not have access to the specified dialog");
          return id;
        }
      return private_chat (call->emu, call->user_id, user);
    }
  /* "sgNNN" (a workgroup's chat) and anything else: no such dialog here. */
  b24_reply_error (reply, 400, "ACCESS_ERROR", "You do not have access to the specified dialog");
  return 0;
}

static void
chat_add (B24Call  *call,
          B24Reply *reply)
{
  g_autofree char *type = param_string (call, "TYPE");
  g_autofree char *title = param_string (call, "TITLE");
  g_autofree char *entity_type = param_string (call, "ENTITY_TYPE");
  g_autofree char *entity_id = param_string (call, "ENTITY_ID");
  g_autofree char *message = param_string (call, "MESSAGE");
  g_autoptr(GPtrArray) users = b24_node_list (b24_params_get (call->params, "USERS", TRUE));
  gint64 id;

  if (type == NULL || (g_ascii_strcasecmp (type, "CHAT") != 0 && g_ascii_strcasecmp (type, "OPEN") != 0))
    {
      g_free (type);
      type = g_strdup ("CHAT");
    }
  for (guint i = 0; i < users->len; i++)
    {
      gint64 user;

      if (!b24_node_get_int (users->pdata[i], &user) || !user_exists (call->emu, user))
        {
          b24_reply_error (reply, 400, "USER_NOT_FOUND", "User not found");
          return;
        }
    }
  {
    g_autofree char *upper = g_ascii_strup (type, -1);

    id = b24_im_create_chat (call->emu, upper, title != NULL ? title : "", entity_type, entity_id, call->user_id);
  }
  for (guint i = 0; i < users->len; i++)
    {
      gint64 user;

      b24_node_get_int (users->pdata[i], &user);
      b24_im_add_member (call->emu, id, user);
    }
  if (message != NULL && message[0] != '\0')
    b24_im_post (call->emu, id, call->user_id, message);
  b24_reply_set_int (reply, id);
}

/* im.chat.get {ENTITY_TYPE, ENTITY_ID} → {"ID":n} or null. */
static void
chat_get (B24Call  *call,
          B24Reply *reply)
{
  g_autofree char *entity_type = param_string (call, "ENTITY_TYPE");
  g_autofree char *entity_id = param_string (call, "ENTITY_ID");
  gint64 id = entity_type != NULL && entity_id != NULL
                ? b24_im_find_entity_chat (call->emu, entity_type, entity_id) : 0;
  JsonObject *result;

  if (id == 0)
    {
      b24_reply_set_result (reply, json_node_new (JSON_NODE_NULL));
      return;
    }
  result = json_object_new ();
  json_object_set_int_member (result, "ID", id);
  b24_reply_set_result (reply, b24_node_take_object (result));
}

static void
chat_user_add (B24Call  *call,
               B24Reply *reply)
{
  gint64 chat = 0;
  g_autoptr(GPtrArray) users = b24_node_list (b24_params_get (call->params, "USERS", TRUE));

  if (!b24_node_get_int (b24_params_get (call->params, "CHAT_ID", TRUE), &chat)
      || b24_db_query_int (call->emu, "SELECT COUNT(*) FROM im_chat WHERE ID = ?", chat) == 0)
    {
      b24_reply_error (reply, 400, "CHAT_ID", "Chat ID can't be empty");
      return;
    }
  for (guint i = 0; i < users->len; i++)
    {
      gint64 user;

      if (b24_node_get_int (users->pdata[i], &user) && user_exists (call->emu, user))
        b24_im_add_member (call->emu, chat, user);
    }
  b24_reply_set_true (reply);
}

static void
message_add (B24Call  *call,
             B24Reply *reply)
{
  g_autofree char *message = param_string (call, "MESSAGE");
  JsonNode *attach = b24_params_get (call->params, "ATTACH", TRUE);
  gboolean system = FALSE;
  gint64 reply_id = 0;
  gint64 chat;

  if ((message == NULL || g_strstrip (message)[0] == '\0') && attach == NULL)
    {
      b24_reply_error (reply, 400, "MESSAGE_EMPTY", "Message can't be empty");
      return;
    }
  chat = dialog_chat (call, reply, TRUE);
  if (chat == 0)
    return;
  if (b24_node_get_int (b24_params_get (call->params, "REPLY_ID", TRUE), &reply_id) && reply_id > 0)
    {
      sqlite3_stmt *stmt = b24_db_prepare (call->emu, "SELECT COUNT(*) FROM im_message WHERE ID = ? AND CHAT_ID = ?");
      gboolean ok;

      sqlite3_bind_int64 (stmt, 1, reply_id);
      sqlite3_bind_int64 (stmt, 2, chat);
      ok = sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_int64 (stmt, 0) > 0;
      sqlite3_reset (stmt);
      if (!ok)
        {
          b24_reply_error (reply, 400, "REPLY_ACCESS_ERROR", "Action unavailable");
          return;
        }
    }
  b24_node_get_bool (b24_params_get (call->params, "SYSTEM", TRUE), &system);
  /* System messages have author 0. */
  b24_reply_set_int (reply, b24_im_post (call->emu, chat, system ? 0 : call->user_id, message != NULL ? message : ""));
}

static JsonObject *
im_user (B24Emu *emu,
         gint64  user_id)
{
  sqlite3_stmt *stmt = b24_db_prepare (emu, "SELECT NAME, LAST_NAME, WORK_POSITION, PERSONAL_GENDER, USER_TYPE, ACTIVE,"
                                            " UF_DEPARTMENT FROM user WHERE ID = ?");
  JsonObject *user = json_object_new ();

  json_object_set_int_member (user, "id", user_id);
  sqlite3_bind_int64 (stmt, 1, user_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *first = (const char *) sqlite3_column_text (stmt, 0);
      const char *last = (const char *) sqlite3_column_text (stmt, 1);
      g_autofree char *name = g_strdup_printf ("%s%s%s", first != NULL ? first : "", last != NULL ? " " : "",
                                               last != NULL ? last : "");
      g_autoptr(JsonNode) departments = json_from_string ((const char *) sqlite3_column_text (stmt, 6), NULL);
      const char *type = (const char *) sqlite3_column_text (stmt, 4);

      json_object_set_boolean_member (user, "active", sqlite3_column_int (stmt, 5) != 0);
      json_object_set_string_member (user, "name", name);
      json_object_set_string_member (user, "first_name", first != NULL ? first : "");
      json_object_set_string_member (user, "last_name", last != NULL ? last : "");
      json_object_set_string_member (user, "work_position", (const char *) sqlite3_column_text (stmt, 2));
      json_object_set_string_member (user, "color", "#df532d");
      json_object_set_string_member (user, "avatar", "");
      json_object_set_string_member (user, "gender", (const char *) sqlite3_column_text (stmt, 3));
      json_object_set_boolean_member (user, "extranet", g_strcmp0 (type, "extranet") == 0);
      json_object_set_boolean_member (user, "bot", FALSE);
      json_object_set_member (user, "departments", departments != NULL && JSON_NODE_HOLDS_ARRAY (departments)
                                                     ? json_node_copy (departments) : b24_json_empty_list ());
    }
  sqlite3_reset (stmt);
  return user;
}

static void
dialog_messages_get (B24Call  *call,
                     B24Reply *reply)
{
  gint64 chat = dialog_chat (call, reply, FALSE);
  gint64 limit = MESSAGES_DEFAULT, last_id = 0, first_id = 0;
  g_autoptr(GHashTable) authors = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GArray) author_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  JsonArray *messages = json_array_new ();
  JsonArray *users = json_array_new ();
  JsonObject *result;
  sqlite3_stmt *stmt;

  if (chat == 0)
    {
      json_array_unref (messages);
      json_array_unref (users);
      return;
    }
  b24_node_get_int (b24_params_get (call->params, "LIMIT", TRUE), &limit);
  b24_node_get_int (b24_params_get (call->params, "LAST_ID", TRUE), &last_id);
  b24_node_get_int (b24_params_get (call->params, "FIRST_ID", TRUE), &first_id);
  limit = CLAMP (limit, 1, MESSAGES_MAX);
  if (first_id > 0)
    /* The next LIMIT messages after FIRST_ID, printed newest first like every page. */
    stmt = b24_db_prepare (call->emu, "SELECT * FROM (SELECT ID, AUTHOR_ID, DATE, TEXT FROM im_message"
                                      " WHERE CHAT_ID = ?1 AND ID > ?2 ORDER BY ID ASC LIMIT ?3) ORDER BY ID DESC");
  else
    stmt = b24_db_prepare (call->emu, "SELECT ID, AUTHOR_ID, DATE, TEXT FROM im_message"
                                      " WHERE CHAT_ID = ?1 AND (?2 = 0 OR ID < ?2) ORDER BY ID DESC LIMIT ?3");
  sqlite3_bind_int64 (stmt, 1, chat);
  sqlite3_bind_int64 (stmt, 2, first_id > 0 ? first_id : last_id);
  sqlite3_bind_int64 (stmt, 3, limit);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      JsonObject *message = json_object_new ();
      gint64 author = sqlite3_column_int64 (stmt, 1);
      g_autofree char *date = b24_time_format (call->emu, sqlite3_column_int64 (stmt, 2));

      json_object_set_int_member (message, "id", sqlite3_column_int64 (stmt, 0));
      json_object_set_int_member (message, "chat_id", chat);
      json_object_set_int_member (message, "author_id", author);
      json_object_set_string_member (message, "date", date);
      json_object_set_string_member (message, "text", (const char *) sqlite3_column_text (stmt, 3));
      json_object_set_boolean_member (message, "unread", FALSE);
      json_object_set_null_member (message, "uuid");
      json_object_set_member (message, "replaces", b24_json_empty_list ());
      json_object_set_member (message, "params", b24_json_empty_list ());
      json_object_set_null_member (message, "disappearing_date");
      json_array_add_object_element (messages, message);
      if (author > 0 && !g_hash_table_contains (authors, &author))
        {
          g_array_append_val (author_ids, author);
          g_hash_table_add (authors, g_memdup2 (&author, sizeof author));
        }
    }
  sqlite3_reset (stmt);
  for (guint i = 0; i < author_ids->len; i++)
    json_array_add_object_element (users, im_user (call->emu, g_array_index (author_ids, gint64, i)));
  result = json_object_new ();
  json_object_set_int_member (result, "chat_id", chat);
  json_object_set_array_member (result, "messages", messages);
  json_object_set_array_member (result, "users", users);
  json_object_set_member (result, "files", b24_json_empty_list ());
  b24_reply_set_result (reply, b24_node_take_object (result));
}

static void
notify_add (B24Call    *call,
            B24Reply   *reply,
            const char *type)
{
  g_autofree char *message = param_string (call, "MESSAGE");
  g_autofree char *tag = param_string (call, "TAG");
  JsonNode *attach = b24_params_get (call->params, "ATTACH", TRUE);
  gint64 user = 0;
  sqlite3_stmt *stmt;

  if (!b24_node_get_int (b24_params_get (call->params, "USER_ID", TRUE), &user) || user <= 0)
    {
      b24_reply_error (reply, 400, "USER_ID_EMPTY", "Recipient ID can't be empty");
      return;
    }
  if ((message == NULL || message[0] == '\0') && attach == NULL)
    {
      b24_reply_error (reply, 400, "MESSAGE_EMPTY", "Message can't be empty");
      return;
    }
  if (attach != NULL)
    {
      g_autofree char *text = json_to_string (attach, FALSE);

      if (strlen (text) > 60000)
        {
          b24_reply_error (reply, 400, "ATTACH_OVERSIZE",
                           "You have exceeded the maximum allowable size of attachments");
          return;
        }
    }
  if (!user_exists (call->emu, user))
    {
      /* The documented "or false". */
      b24_reply_set_result (reply, json_node_init_boolean (json_node_alloc (), FALSE));
      return;
    }
  if (tag != NULL)
    {
      /* A notification with the same tag replaces the older one. */
      stmt = b24_db_prepare (call->emu, "DELETE FROM im_notify WHERE USER_ID = ? AND TAG = ?");
      sqlite3_bind_int64 (stmt, 1, user);
      sqlite3_bind_text (stmt, 2, tag, -1, SQLITE_TRANSIENT);
      sqlite3_step (stmt);
      sqlite3_reset (stmt);
    }
  stmt = b24_db_prepare (call->emu, "INSERT INTO im_notify (USER_ID, AUTHOR_ID, TYPE, MESSAGE, TAG, DATE)"
                                    " VALUES (?, ?, ?, ?, ?, ?)");
  sqlite3_bind_int64 (stmt, 1, user);
  sqlite3_bind_int64 (stmt, 2, strcmp (type, "system") == 0 ? 0 : call->user_id);
  sqlite3_bind_text (stmt, 3, type, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, message != NULL ? message : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, tag, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 6, (gint64) b24_time_now ());
  sqlite3_step (stmt);
  sqlite3_reset (stmt);
  b24_reply_set_int (reply, sqlite3_last_insert_rowid (call->emu->db));
}

static void
notify_system_add (B24Call  *call,
                   B24Reply *reply)
{
  notify_add (call, reply, "system");
}

static void
notify_personal_add (B24Call  *call,
                     B24Reply *reply)
{
  notify_add (call, reply, "personal");
}

/* im.notify.delete {ID} or {TAG}: true. */
static void
notify_delete (B24Call  *call,
               B24Reply *reply)
{
  gint64 id = 0;
  g_autofree char *tag = param_string (call, "TAG");
  sqlite3_stmt *stmt;

  b24_node_get_int (b24_params_get (call->params, "ID", TRUE), &id);
  if (id <= 0 && tag == NULL)
    {
      b24_reply_error (reply, 400, "PARAMS_ERROR", "Incorrect params");
      return;
    }
  stmt = b24_db_prepare (call->emu, "DELETE FROM im_notify WHERE ID = ? OR TAG = ?");
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_text (stmt, 2, tag, -1, SQLITE_TRANSIENT);
  sqlite3_step (stmt);
  sqlite3_reset (stmt);
  b24_reply_set_true (reply);
}

static const B24Method im_methods[] = {
  { "im.chat.add", "im", chat_add },
  { "im.chat.get", "im", chat_get },
  { "im.chat.user.add", "im", chat_user_add },
  { "im.message.add", "im", message_add },
  { "im.dialog.messages.get", "im", dialog_messages_get },
  { "im.notify.system.add", "im", notify_system_add },
  { "im.notify.personal.add", "im", notify_personal_add },
  { "im.notify.delete", "im", notify_delete },
};

void
b24_im_register (B24Emu *emu)
{
  b24_emu_add_methods (emu, im_methods, G_N_ELEMENTS (im_methods));
}
