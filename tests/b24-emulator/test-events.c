/* test-events.c: outbound events to a loopback handler, offline queue with echo suppression.
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

int
main (int    argc,
      char **argv)
{
  int result;

  g_test_init (&argc, &argv, NULL);
  emu = b24_test_start ("--rate", "0", "--seed-deals", "10", NULL);
  g_test_add_func ("/emulator/events/online-delivery", test_online_delivery);
  g_test_add_func ("/emulator/events/offline-echo-suppression", test_offline_echo_suppression);
  result = g_test_run ();
  b24_test_stop (emu);
  return result;
}
