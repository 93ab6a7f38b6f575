/* test-events.c: outbound events to a loopback handler, offline queue with echo suppression,
 * timeline comment and task events in the queue.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "test-util.h"
#include "b24-listen.h"

#include <string.h>

static B24Test *emu;

typedef struct {
  GPtrArray *bodies; /* form bodies received */
} Handler;

static void
handler_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  Handler *handler = user_data;
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  g_ptr_array_add (handler->bodies, g_strndup (body->data, body->length));
  soup_server_message_set_status (msg, 200, NULL);
}

static void
app_call (const char *token,
          const char *method,
          const char *json,
          guint      *status,
          JsonNode  **reply)
{
  g_autofree char *url = g_strdup_printf ("%s/rest/%s?auth=%s", emu->base, method, token);

  *reply = b24_test_http (emu, "POST", url, "application/json", json, status);
}

static void
test_online_delivery (void)
{
  Handler handler = { g_ptr_array_new_with_free_func (g_free) };
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) token = b24_test_control (emu, "token", "{\"user_id\":1}");
  g_autoptr(JsonNode) example = b24_test_example ("event.ONCRMDEALADD.outgoing-webhook.json");
  g_autoptr(JsonNode) bound = NULL, added = NULL, hook_bind = NULL;
  g_autofree char *bind = NULL;
  g_autofree char *handler_url = NULL;
  g_autoptr(JsonObject) form = json_object_new ();
  gint64 deadline;
  guint status;

  soup_server_add_handler (server, NULL, handler_cb, &handler, NULL);
  /* Not soup_server_listen_local(): see b24-listen.c. */
  handler_url = b24_listen_loopback (server, 0, 0, &error);
  g_assert_no_error (error);

  /* event.bind needs an application token; a webhook is refused. */
  hook_bind = b24_test_rest (emu, "event.bind", "{\"event\":\"ONCRMDEALADD\",\"handler\":\"http://127.0.0.1:1/\"}", &status);
  g_assert_cmpuint (status, ==, 401);
  bind = g_strdup_printf ("{\"event\":\"ONCRMDEALADD\",\"handler\":\"%s\"}", handler_url);
  app_call (b24_test_string (token, "access_token"), "event.bind", bind, &status, &bound);
  g_assert_cmpuint (status, ==, 200);
  added = b24_test_rest (emu, "crm.deal.add", "{\"fields\":{\"TITLE\":\"Событие\"}}", NULL);

  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (handler.bodies->len == 0 && g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_cmpuint (handler.bodies->len, ==, 1);

  {
    /* The form decodes to the documented structure, field by field. */
    g_auto(GStrv) pairs = g_strsplit (handler.bodies->pdata[0], "&", -1);
    g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, b24_test_int (added, "result"));
    g_autoptr(JsonNode) node = NULL;
    JsonObject *data, *fields, *auth;

    for (guint i = 0; pairs[i] != NULL; i++)
      {
        char *eq = strchr (pairs[i], '=');
        g_autofree char *key = NULL, *value = NULL;
        g_auto(GStrv) path = NULL;
        JsonObject *target = form;
        guint n;

        g_assert_nonnull (eq);
        *eq = '\0';
        key = g_uri_unescape_string (pairs[i], NULL);
        value = g_uri_unescape_string (eq + 1, NULL);
        g_strdelimit (key, "]", '[');
        path = g_strsplit (key, "[", -1);
        n = g_strv_length (path);
        for (guint j = 0; j + 1 < n; j++)
          {
            if (path[j][0] == '\0')
              continue;
            if (!json_object_has_member (target, path[j]))
              json_object_set_object_member (target, path[j], json_object_new ());
            if (j + 2 < n || path[j + 1][0] != '\0')
              target = json_object_get_object_member (target, path[j]);
          }
        json_object_set_string_member (target, n > 1 ? path[n - 2] : key, value);
      }
    node = json_node_init_object (json_node_alloc (), form);
    b24_test_assert_shape (example, node, "event");
    g_assert_cmpstr (b24_test_string (node, "event"), ==, "ONCRMDEALADD");
    data = b24_test_object (node, "data");
    fields = json_object_get_object_member (data, "FIELDS");
    g_assert_cmpstr (json_object_get_string_member (fields, "ID"), ==, id);
    auth = b24_test_object (node, "auth");
    g_assert_cmpstr (json_object_get_string_member (auth, "application_token"), ==,
                     b24_test_string (token, "application_token"));
  }
  soup_server_disconnect (server);
  g_ptr_array_unref (handler.bodies);
}

static guint
offline_count (const char *token,
               const char *event)
{
  g_autoptr(JsonNode) reply = NULL;
  JsonArray *events;
  guint status, n = 0;

  app_call (token, "event.offline.get", "{\"clear\":1}", &status, &reply);
  g_assert_cmpuint (status, ==, 200);
  g_assert_null (json_node_get_string (json_object_get_member (b24_test_object (reply, "result"), "process_id")));
  events = b24_test_array (reply, "result.events");
  for (guint i = 0; i < json_array_get_length (events); i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (events, i), "EVENT_NAME"), event) == 0)
      n++;
  return n;
}

static void
test_offline_echo_suppression (void)
{
  g_autoptr(JsonNode) token_reply = b24_test_control (emu, "token", "{\"user_id\":1}");
  const char *token = b24_test_string (token_reply, "access_token");
  g_autoptr(JsonNode) bound = NULL, own = NULL, keep = NULL, peek = NULL, cleared = NULL;
  g_autofree char *update = NULL;
  g_autofree char *act = NULL;
  gint64 id;
  guint status;

  app_call (token, "event.bind", "{\"event\":\"ONCRMDEALUPDATE\",\"event_type\":\"offline\",\"auth_connector\":\"sdelka\"}",
            &status, &bound);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpuint (offline_count (token, "ONCRMDEALUPDATE"), ==, 0);

  /* The app's own change, marked with its connector: no event. */
  app_call (token, "crm.deal.update", "{\"id\":1,\"fields\":{\"TITLE\":\"Своё изменение\"},\"auth_connector\":\"sdelka\"}",
            &status, &own);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpuint (offline_count (token, "ONCRMDEALUPDATE"), ==, 0);

  /* Another user changes deal 1 three times and deal 2 once: the latest state per object. */
  for (int i = 0; i < 3; i++)
    {
      g_autoptr(JsonNode) r = NULL;

      g_free (act);
      act = g_strdup_printf ("{\"user_id\":3,\"method\":\"crm.deal.update\",\"params\":{\"id\":1,\"fields\":{\"TITLE\":\"Чужое %d\"}}}", i);
      r = b24_test_control (emu, "act", act);
    }
  update = g_strdup ("{\"user_id\":3,\"method\":\"crm.deal.update\",\"params\":{\"id\":2,\"fields\":{\"OPPORTUNITY\":5}}}");
  keep = b24_test_control (emu, "act", update);
  app_call (token, "event.offline.get", "{\"clear\":0}", &status, &peek);
  id = json_array_get_length (b24_test_array (peek, "result.events"));
  g_assert_cmpint (id, ==, 2);
  g_assert_nonnull (json_node_get_string (json_object_get_member (b24_test_object (peek, "result"), "process_id")));
  g_assert_cmpstr (b24_test_string (peek, "result.events.0.EVENT_DATA.FIELDS.ID"), ==, "1");
  {
    g_autofree char *clear = g_strdup_printf ("{\"process_id\":\"%s\"}", b24_test_string (peek, "result.process_id"));

    app_call (token, "event.offline.clear", clear, &status, &cleared);
    g_assert_cmpuint (status, ==, 200);
  }
  g_assert_cmpuint (offline_count (token, "ONCRMDEALUPDATE"), ==, 0);
}

/* The ID an offline event names in EVENT_DATA.@fields.ID, or 0. */
static gint64
event_object (JsonObject *event,
              const char *fields)
{
  JsonObject *data = json_object_get_object_member (event, "EVENT_DATA");
  JsonNode *node = data != NULL ? json_object_get_member (data, fields) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return 0;
  return g_ascii_strtoll (json_object_get_string_member_with_default (json_node_get_object (node), "ID", "0"),
                          NULL, 10);
}

/* How many queued events named @event name object @id in EVENT_DATA.@fields.ID. */
static guint
queued (JsonArray  *events,
        const char *event,
        const char *fields,
        gint64      id)
{
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *row = json_array_get_object_element (events, i);

      if (g_strcmp0 (json_object_get_string_member (row, "EVENT_NAME"), event) == 0
          && event_object (row, fields) == id)
        n++;
    }
  return n;
}

static gint64
act (const char *method,
     const char *params)
{
  g_autofree char *body = g_strdup_printf ("{\"user_id\":3,\"method\":\"%s\",\"params\":%s}", method, params);
  g_autoptr(JsonNode) reply = b24_test_control (emu, "act", body);
  JsonNode *result = json_object_get_member (json_node_get_object (reply), "result");

  g_assert_nonnull (result);
  if (JSON_NODE_HOLDS_OBJECT (result))  /* tasks.task.*: {"task":{"id":"…"}}, or {"task":true} */
    {
      JsonNode *task = json_object_get_member (json_node_get_object (result), "task");

      return task != NULL && JSON_NODE_HOLDS_OBJECT (task)
             ? g_ascii_strtoll (b24_test_string (reply, "result.task.id"), NULL, 10) : 0;
    }
  return JSON_NODE_HOLDS_VALUE (result) ? json_node_get_int (result) : 0;
}

/* Timeline comments and tasks queue as offline events the way §7.13 and §7.9 describe:
 * data[FIELDS][ID] for a comment, data[FIELDS_AFTER][ID] / data[FIELDS_BEFORE][ID] for a
 * task (a deletion has only the before), the latest state per object, and nothing for a
 * change carrying the binding's connector. */
static void
test_offline_comments_tasks (void)
{
  static const char *const events[] = {
    "ONCRMTIMELINECOMMENTADD", "ONCRMTIMELINECOMMENTUPDATE", "ONCRMTIMELINECOMMENTDELETE",
    "ONTASKADD", "ONTASKUPDATE", "ONTASKDELETE",
  };
  g_autoptr(JsonNode) token_reply = b24_test_control (emu, "token", "{\"user_id\":1}");
  const char *token = b24_test_string (token_reply, "access_token");
  g_autoptr(JsonNode) own = NULL, peek = NULL, cleared = NULL;
  g_autofree char *update = NULL, *del = NULL, *task_update = NULL, *task_del = NULL, *clear = NULL;
  JsonArray *queue;
  gint64 comment, gone, task, task_gone;
  guint status;

  for (guint i = 0; i < G_N_ELEMENTS (events); i++)
    {
      g_autoptr(JsonNode) bound = NULL;
      g_autofree char *bind = g_strdup_printf ("{\"event\":\"%s\",\"event_type\":\"offline\","
                                               "\"auth_connector\":\"sdelka\"}", events[i]);

      app_call (token, "event.bind", bind, &status, &bound);
      g_assert_cmpuint (status, ==, 200);
    }
  offline_count (token, "");  /* whatever earlier tests left */

  comment = act ("crm.timeline.comment.add",
                 "{\"fields\":{\"ENTITY_ID\":3,\"ENTITY_TYPE\":\"deal\",\"COMMENT\":\"Первый\"}}");
  gone = act ("crm.timeline.comment.add",
              "{\"fields\":{\"ENTITY_ID\":3,\"ENTITY_TYPE\":\"deal\",\"COMMENT\":\"Удалят\"}}");
  update = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT ",\"fields\":{\"COMMENT\":\"Правка\"}}", comment);
  act ("crm.timeline.comment.update", update);
  act ("crm.timeline.comment.update", update);
  del = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT "}", gone);
  act ("crm.timeline.comment.delete", del);
  task = act ("tasks.task.add", "{\"fields\":{\"TITLE\":\"Задача\",\"RESPONSIBLE_ID\":3,\"UF_CRM_TASK\":[\"D_3\"]}}");
  task_gone = act ("tasks.task.add", "{\"fields\":{\"TITLE\":\"Уйдёт\",\"RESPONSIBLE_ID\":3}}");
  task_update = g_strdup_printf ("{\"taskId\":%" G_GINT64_FORMAT ",\"fields\":{\"TITLE\":\"Задача 2\"}}", task);
  act ("tasks.task.update", task_update);
  act ("tasks.task.update", task_update);
  task_del = g_strdup_printf ("{\"taskId\":%" G_GINT64_FORMAT "}", task_gone);
  act ("tasks.task.delete", task_del);
  /* The app's own comment, marked with its connector: no event. */
  app_call (token, "crm.timeline.comment.add",
            "{\"fields\":{\"ENTITY_ID\":3,\"ENTITY_TYPE\":\"deal\",\"COMMENT\":\"Своё\"},\"auth_connector\":\"sdelka\"}",
            &status, &own);
  g_assert_cmpuint (status, ==, 200);

  app_call (token, "event.offline.get", "{\"clear\":0}", &status, &peek);
  g_assert_cmpuint (status, ==, 200);
  queue = b24_test_array (peek, "result.events");
  g_assert_cmpuint (queued (queue, "ONCRMTIMELINECOMMENTADD", "FIELDS", comment), ==, 1);
  g_assert_cmpuint (queued (queue, "ONCRMTIMELINECOMMENTADD", "FIELDS", gone), ==, 1);
  g_assert_cmpuint (queued (queue, "ONCRMTIMELINECOMMENTUPDATE", "FIELDS", comment), ==, 1);
  g_assert_cmpuint (queued (queue, "ONCRMTIMELINECOMMENTDELETE", "FIELDS", gone), ==, 1);
  g_assert_cmpuint (queued (queue, "ONTASKADD", "FIELDS_AFTER", task), ==, 1);
  g_assert_cmpuint (queued (queue, "ONTASKADD", "FIELDS_AFTER", task_gone), ==, 1);
  g_assert_cmpuint (queued (queue, "ONTASKUPDATE", "FIELDS_BEFORE", task), ==, 1);
  g_assert_cmpuint (queued (queue, "ONTASKUPDATE", "FIELDS_AFTER", task), ==, 1);
  g_assert_cmpuint (queued (queue, "ONTASKDELETE", "FIELDS_BEFORE", task_gone), ==, 1);
  g_assert_cmpuint (queued (queue, "ONTASKDELETE", "FIELDS_AFTER", task_gone), ==, 0);
  /* Two adds, one update, one deletion of each kind, and nothing of the app's own. */
  g_assert_cmpuint (json_array_get_length (queue), ==, 8);

  clear = g_strdup_printf ("{\"process_id\":\"%s\"}", b24_test_string (peek, "result.process_id"));
  app_call (token, "event.offline.clear", clear, &status, &cleared);
  g_assert_cmpuint (status, ==, 200);
  for (guint i = 0; i < G_N_ELEMENTS (events); i++)
    {
      g_autoptr(JsonNode) unbound = NULL;
      g_autofree char *unbind = g_strdup_printf ("{\"event\":\"%s\",\"event_type\":\"offline\"}", events[i]);

      app_call (token, "event.unbind", unbind, &status, &unbound);
      g_assert_cmpuint (status, ==, 200);
    }
}

int
main (int    argc,
      char **argv)
{
  int result;

  g_test_init (&argc, &argv, NULL);
  emu = b24_test_start ("--rate", "0", "--seed-deals", "10", NULL);
  g_test_add_func ("/emulator/events/online-delivery", test_online_delivery);
  g_test_add_func ("/emulator/events/offline-echo-suppression", test_offline_echo_suppression);
  g_test_add_func ("/emulator/events/offline-comments-tasks", test_offline_comments_tasks);
  result = g_test_run ();
  b24_test_stop (emu);
  return result;
}
