/* b24-events.c: event.bind/unbind/get, outbound delivery and the offline queue.
 *
 * Online handlers get one form-encoded POST each, never retried. The offline queue keeps
 * the latest state per object. A call that carries auth_connector=X causes no event for the
 * bindings registered with the same connector, so an app does not hear its own changes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "b24-events.h"
#include "b24-db.h"
#include "b24-envelope.h"
#include "b24-params.h"
#include "b24-time.h"

#include <string.h>

struct _B24Events {
  B24Emu *emu;
  SoupSession *session;
  guint pending;
  guint64 delivered;
};

B24Events *
b24_events_new (B24Emu *emu)
{
  B24Events *events = g_new0 (B24Events, 1);

  events->emu = emu;
  events->session = soup_session_new_with_options ("timeout", 10, NULL);
  return events;
}

void
b24_events_free (B24Events *events)
{
  soup_session_abort (events->session);
  g_object_unref (events->session);
  g_free (events);
}

guint
b24_events_pending (B24Events *events)
{
  return events->pending;
}

guint64
b24_events_delivered (B24Events *events)
{
  return events->delivered;
}

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  B24Events *events = user_data;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);

  events->pending--;
  if (body != NULL)
    events->delivered++;
}

static void
append_pair (GString    *form,
             const char *key,
             const char *value)
{
  g_autofree char *k = g_uri_escape_string (key, "[]", FALSE);
  g_autofree char *v = g_uri_escape_string (value, NULL, FALSE);

  g_string_append_printf (form, "%s%s=%s", form->len > 0 ? "&" : "", k, v);
}

/* data[A][B]=v for every scalar under @node. */
static void
append_data (GString    *form,
             const char *prefix,
             JsonNode   *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      GList *members = json_object_get_members (object);

      for (GList *l = members; l != NULL; l = l->next)
        {
          g_autofree char *key = g_strdup_printf ("%s[%s]", prefix, (char *) l->data);

          append_data (form, key, json_object_get_member (object, l->data));
        }
      g_list_free (members);
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          g_autofree char *key = g_strdup_printf ("%s[%u]", prefix, i);

          append_data (form, key, json_array_get_element (array, i));
        }
    }
  else
    {
      g_autofree char *value = b24_node_dup_string (node);

      append_pair (form, prefix, value != NULL ? value : "");
    }
}

static void
deliver (B24Events  *events,
         const char *handler,
         gint64      binding_id,
         const char *event,
         JsonNode   *data)
{
  B24Emu *emu = events->emu;
  g_autoptr(GString) form = g_string_new (NULL);
  g_autofree char *binding = g_strdup_printf ("%" G_GINT64_FORMAT, binding_id);
  g_autofree char *ts = g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) b24_time_now ());
  g_autofree char *endpoint = g_strconcat (emu->base_url, "/rest/", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", handler);
  g_autoptr(GBytes) bytes = NULL;

  if (msg == NULL)
    return;
  append_pair (form, "event", event);
  append_pair (form, "event_handler_id", binding);
  append_data (form, "data", data);
  append_pair (form, "ts", ts);
  append_pair (form, "auth[domain]", emu->base_url + strlen ("http://"));
  append_pair (form, "auth[client_endpoint]", endpoint);
  append_pair (form, "auth[server_endpoint]", "https://oauth.bitrix.info/rest/");
  append_pair (form, "auth[member_id]", emu->member_id);
  append_pair (form, "auth[application_token]", emu->application_token);
  bytes = g_bytes_new (form->str, form->len);
  soup_message_set_request_body_from_bytes (msg, "application/x-www-form-urlencoded", bytes);
  events->pending++;
  soup_session_send_and_read_async (events->session, msg, G_PRIORITY_DEFAULT, NULL, sent_cb, events);
}

static void
enqueue_offline (B24Call    *call,
                 const char *event,
                 gint64      id,
                 JsonNode   *data_node)
{
  gint64 now = (gint64) b24_time_now ();
  g_autofree char *data = json_to_string (data_node, FALSE);
  g_autofree char *additional = g_strdup_printf ("{\"user_id\":\"%" G_GINT64_FORMAT "\"}", call->user_id);
  g_autofree char *seed = g_strdup_printf ("%s|%" G_GINT64_FORMAT "|%" G_GINT64_FORMAT "|%f", event, id, now,
                                           b24_time_now ());
  g_autofree char *message_id = g_compute_checksum_for_string (G_CHECKSUM_MD5, seed, -1);
  sqlite3_stmt *stmt;

  /* The latest state per object: an unprocessed row for the same object is replaced. */
  stmt = b24_db_prepare (call->emu, "DELETE FROM offline_event WHERE EVENT_NAME = ? AND OBJECT_ID = ?"
                                    " AND PROCESS_ID IS NULL");
  sqlite3_bind_text (stmt, 1, event, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, id);
  sqlite3_step (stmt);
  sqlite3_reset (stmt);
  stmt = b24_db_prepare (call->emu, "INSERT INTO offline_event (TIMESTAMP_X, EVENT_NAME, OBJECT_ID,"
                                    " EVENT_DATA, EVENT_ADDITIONAL, MESSAGE_ID) VALUES (?, ?, ?, ?, ?, ?)");
  sqlite3_bind_int64 (stmt, 1, now);
  sqlite3_bind_text (stmt, 2, event, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, id);
  sqlite3_bind_text (stmt, 4, data, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, additional, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, message_id, -1, SQLITE_TRANSIENT);
  sqlite3_step (stmt);
  sqlite3_reset (stmt);
}

void
b24_events_emit (B24Call    *call,
                 const char *event,
                 gint64      id)
{
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  JsonObject *fields = json_object_new ();
  JsonObject *data = json_object_new ();

  json_object_set_string_member (fields, "ID", text);
  json_object_set_object_member (data, "FIELDS", fields);
  b24_events_emit_data (call, event, id, data);
}

void
b24_events_emit_data (B24Call    *call,
                      const char *event,
                      gint64      id,
                      JsonObject *data_object)
{
  g_autoptr(JsonNode) data = b24_node_take_object (data_object);
  sqlite3_stmt *stmt = b24_db_prepare (call->emu, "SELECT ID, HANDLER, OFFLINE FROM event_binding"
                                                  " WHERE EVENT = ?1 AND (?2 IS NULL OR AUTH_CONNECTOR IS NULL"
                                                  " OR AUTH_CONNECTOR <> ?2) ORDER BY ID");
  g_autoptr(GPtrArray) handlers = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  gboolean offline = FALSE;

  sqlite3_bind_text (stmt, 1, event, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, call->auth_connector, -1, SQLITE_TRANSIENT);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 binding = sqlite3_column_int64 (stmt, 0);

      if (sqlite3_column_int (stmt, 2) != 0)
        {
          offline = TRUE;
          continue;
        }
      g_ptr_array_add (handlers, g_strdup ((const char *) sqlite3_column_text (stmt, 1)));
      g_array_append_val (ids, binding);
    }
  sqlite3_reset (stmt);
  for (guint i = 0; i < handlers->len; i++)
    deliver (call->emu->events, handlers->pdata[i], g_array_index (ids, gint64, i), event, data);
  if (offline)
    enqueue_offline (call, event, id, data);
}

static const char *const known_events[] = {
  "ONCRMDEALADD", "ONCRMDEALUPDATE", "ONCRMDEALDELETE", "ONCRMDEALMOVETOCATEGORY",
  "ONCRMCONTACTADD", "ONCRMCONTACTUPDATE", "ONCRMCONTACTDELETE",
  "ONCRMLEADADD", "ONCRMLEADUPDATE", "ONCRMLEADDELETE",
  "ONCRMCOMPANYADD", "ONCRMCOMPANYUPDATE", "ONCRMCOMPANYDELETE",
  "ONCRMTIMELINECOMMENTADD", "ONCRMTIMELINECOMMENTUPDATE", "ONCRMTIMELINECOMMENTDELETE",
  "ONTASKADD", "ONTASKUPDATE", "ONTASKDELETE", NULL,
};

static void
event_bind (B24Call  *call,
            B24Reply *reply)
{
  g_autofree char *event = b24_node_dup_string (b24_params_get (call->params, "event", FALSE));
  g_autofree char *handler = b24_node_dup_string (b24_params_get (call->params, "handler", FALSE));
  g_autofree char *type = b24_node_dup_string (b24_params_get (call->params, "event_type", FALSE));
  g_autofree char *connector = b24_node_dup_string (b24_params_get (call->params, "auth_connector", FALSE));
  gint64 auth_type = 0;
  gboolean offline = type != NULL && g_ascii_strcasecmp (type, "offline") == 0;
  sqlite3_stmt *stmt;

  b24_node_get_int (b24_params_get (call->params, "auth_type", FALSE), &auth_type);
  if (event != NULL)
    {
      char *upper = g_ascii_strup (event, -1);

      g_free (event);
      event = upper;
    }
  if (event == NULL || !g_strv_contains (known_events, event))
    {
      b24_reply_error (reply, 400, "ERROR_EVENT_NOT_FOUND", "Event not found");
      return;
    }
  if (!offline && (handler == NULL || handler[0] == '\0'))
    {
      b24_reply_error (reply, 400, "ERROR_REQUIRED_PARAMETERS_MISSING", "Handler not specified");
      return;
    }
  stmt = b24_db_prepare (call->emu, "INSERT INTO event_binding (EVENT, HANDLER, AUTH_TYPE, OFFLINE,"
                                    " AUTH_CONNECTOR) VALUES (?, ?, ?, ?, ?)");
  sqlite3_bind_text (stmt, 1, event, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, offline ? "" : handler, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, auth_type);
  sqlite3_bind_int (stmt, 4, offline);
  sqlite3_bind_text (stmt, 5, connector, -1, SQLITE_TRANSIENT);
  sqlite3_step (stmt);
  sqlite3_reset (stmt);
  b24_reply_set_true (reply);
}

static void
event_unbind (B24Call  *call,
              B24Reply *reply)
{
  g_autofree char *event = b24_node_dup_string (b24_params_get (call->params, "event", FALSE));
  g_autofree char *handler = b24_node_dup_string (b24_params_get (call->params, "handler", FALSE));
  sqlite3_stmt *stmt = b24_db_prepare (call->emu, "DELETE FROM event_binding WHERE EVENT = upper(?)"
                                                  " AND (? IS NULL OR HANDLER = ?)");
  JsonObject *result = json_object_new ();

  sqlite3_bind_text (stmt, 1, event, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, handler, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, handler, -1, SQLITE_TRANSIENT);
  sqlite3_step (stmt);
  sqlite3_reset (stmt);
  json_object_set_int_member (result, "count", sqlite3_changes (call->emu->db));
  b24_reply_set_result (reply, b24_node_take_object (result));
}

static void
event_get (B24Call  *call,
           B24Reply *reply)
{
  sqlite3_stmt *stmt = b24_db_prepare (call->emu, "SELECT EVENT, HANDLER, AUTH_TYPE, OFFLINE"
                                                  " FROM event_binding ORDER BY ID");
  JsonArray *rows = json_array_new ();

  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      JsonObject *row = json_object_new ();
      g_autofree char *auth_type = g_strdup_printf ("%lld", sqlite3_column_int64 (stmt, 2));

      json_object_set_string_member (row, "event", (const char *) sqlite3_column_text (stmt, 0));
      json_object_set_string_member (row, "handler", (const char *) sqlite3_column_text (stmt, 1));
      json_object_set_string_member (row, "auth_type", auth_type);
      json_object_set_int_member (row, "offline", sqlite3_column_int (stmt, 3));
      json_array_add_object_element (rows, row);
    }
  sqlite3_reset (stmt);
  b24_reply_set_result (reply, b24_node_take_array (rows));
}

static JsonObject *
offline_row (B24Call      *call,
             sqlite3_stmt *stmt)
{
  JsonObject *row = json_object_new ();
  g_autofree char *id = g_strdup_printf ("%lld", sqlite3_column_int64 (stmt, 0));
  g_autofree char *ts = b24_time_format (call->emu, sqlite3_column_int64 (stmt, 1));

  json_object_set_string_member (row, "ID", id);
  json_object_set_string_member (row, "TIMESTAMP_X", ts);
  json_object_set_string_member (row, "EVENT_NAME", (const char *) sqlite3_column_text (stmt, 2));
  json_object_set_member (row, "EVENT_DATA", json_from_string ((const char *) sqlite3_column_text (stmt, 3), NULL));
  json_object_set_member (row, "EVENT_ADDITIONAL",
                          json_from_string ((const char *) sqlite3_column_text (stmt, 4), NULL));
  json_object_set_string_member (row, "MESSAGE_ID", (const char *) sqlite3_column_text (stmt, 5));
  return row;
}

/* Without clear=0 the rows go at once; with it they get a process_id for event.offline.clear. */
static void
offline_get (B24Call  *call,
             B24Reply *reply)
{
  gint64 limit = 50;
  gboolean clear = TRUE;
  g_autofree char *process_id = NULL;
  JsonArray *events = json_array_new ();
  JsonObject *result = json_object_new ();
  g_autoptr(GString) ids = g_string_new (NULL);
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;

  b24_node_get_int (b24_params_get (call->params, "limit", FALSE), &limit);
  b24_node_get_bool (b24_params_get (call->params, "clear", FALSE), &clear);
  limit = CLAMP (limit, 1, 1000);
  stmt = b24_db_prepare (call->emu, "SELECT ID, TIMESTAMP_X, EVENT_NAME, EVENT_DATA, EVENT_ADDITIONAL,"
                                    " MESSAGE_ID FROM offline_event WHERE PROCESS_ID IS NULL"
                                    " ORDER BY ID LIMIT ?");
  sqlite3_bind_int64 (stmt, 1, limit);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      json_array_add_object_element (events, offline_row (call, stmt));
      g_string_append_printf (ids, "%s%lld", ids->len > 0 ? "," : "", sqlite3_column_int64 (stmt, 0));
    }
  sqlite3_reset (stmt);
  if (ids->len > 0)
    {
      if (!clear)
        {
          g_autofree char *uuid = g_uuid_string_random ();

          process_id = g_compute_checksum_for_string (G_CHECKSUM_MD5, uuid, -1);
          sql = g_strdup_printf ("UPDATE offline_event SET PROCESS_ID = '%s' WHERE ID IN (%s)", process_id,
                                 ids->str);
        }
      else
        sql = g_strdup_printf ("DELETE FROM offline_event WHERE ID IN (%s)", ids->str);
      b24_db_exec (call->emu, sql);
    }
  json_object_set_member (result, "process_id", b24_node_string (process_id));
  json_object_set_array_member (result, "events", events);
  b24_reply_set_result (reply, b24_node_take_object (result));
}

static void
offline_clear (B24Call  *call,
               B24Reply *reply)
{
  g_autofree char *process_id = b24_node_dup_string (b24_params_get (call->params, "process_id", FALSE));
  g_autoptr(GPtrArray) only = b24_node_list (b24_params_get (call->params, "id", FALSE));
  sqlite3_stmt *stmt;

  if (process_id == NULL)
    {
      b24_reply_error (reply, 400, "ERROR_REQUIRED_PARAMETERS_MISSING", "Parameter process_id required");
      return;
    }
  stmt = b24_db_prepare (call->emu, "DELETE FROM offline_event WHERE PROCESS_ID = ? AND (? IS NULL OR ID = ?)");
  for (guint i = 0; i < MAX (only->len, 1); i++)
    {
      gint64 id = 0;
      gboolean one = i < only->len && b24_node_get_int (only->pdata[i], &id);

      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, process_id, -1, SQLITE_TRANSIENT);
      if (one)
        {
          sqlite3_bind_int64 (stmt, 2, id);
          sqlite3_bind_int64 (stmt, 3, id);
        }
      else
        {
          sqlite3_bind_null (stmt, 2);
          sqlite3_bind_null (stmt, 3);
        }
      sqlite3_step (stmt);
    }
  sqlite3_reset (stmt);
  b24_reply_set_true (reply);
}

static const B24Method event_methods[] = {
  { "event.bind", "basic", event_bind, B24_METHOD_APP_ONLY },
  { "event.unbind", "basic", event_unbind, B24_METHOD_APP_ONLY },
  { "event.get", "basic", event_get, B24_METHOD_APP_ONLY },
  { "event.offline.get", "basic", offline_get, B24_METHOD_APP_ONLY },
  { "event.offline.clear", "basic", offline_clear, B24_METHOD_APP_ONLY },
};

void
b24_events_register (B24Emu *emu)
{
  b24_emu_add_methods (emu, event_methods, G_N_ELEMENTS (event_methods));
}
