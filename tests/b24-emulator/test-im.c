/* test-im.c: a deal's chat, its messages and notifications (reference §7.11,
 * im.message.add.200.json).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "test-util.h"

#include <string.h>

static B24Test *emu;

static JsonNode *
as_user (const char *user_secret,
         const char *method,
         const char *json,
         guint      *status)
{
  g_autofree char *url = g_strconcat (emu->base, "/rest/", user_secret, "/", method, NULL);

  return b24_test_http (emu, "POST", url, "application/json", json, status);
}

static void
assert_error (JsonNode   *reply,
              guint       status,
              const char *code)
{
  g_assert_cmpuint (status, ==, 400);
  g_assert_false (json_object_has_member (json_node_get_object (reply), "result"));
  g_assert_cmpstr (b24_test_string (reply, "error"), ==, code);
}

static gint64
deal_chat (gint64 *deal_out)
{
  g_autoptr(JsonNode) deal = NULL, none = NULL, added = NULL, found = NULL;
  g_autofree char *get = NULL;
  g_autofree char *add = NULL;
  gint64 deal_id;
  guint status;

  deal = b24_test_rest (emu, "crm.deal.add", "{\"fields\":{\"TITLE\":\"Ремонт кухни\"}}", &status);
  deal_id = b24_test_int (deal, "result");
  get = g_strdup_printf ("{\"ENTITY_TYPE\":\"CRM\",\"ENTITY_ID\":\"DEAL|%" G_GINT64_FORMAT "\"}", deal_id);
  none = b24_test_rest (emu, "im.chat.get", get, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (json_node_get_object (none), "result")));
  add = g_strdup_printf ("{\"TYPE\":\"CHAT\",\"TITLE\":\"Сделка %" G_GINT64_FORMAT "\",\"USERS\":[3],"
                         "\"ENTITY_TYPE\":\"CRM\",\"ENTITY_ID\":\"DEAL|%" G_GINT64_FORMAT "\"}", deal_id, deal_id);
  added = b24_test_rest (emu, "im.chat.add", add, &status);
  g_assert_cmpuint (status, ==, 200);
  found = b24_test_rest (emu, "im.chat.get", get, &status);
  g_assert_cmpint (b24_test_int (found, "result.ID"), ==, b24_test_int (added, "result"));
  if (deal_out != NULL)
    *deal_out = deal_id;
  return b24_test_int (added, "result");
}

static void
test_message_add (void)
{
  g_autoptr(JsonNode) example = b24_test_example ("im.message.add.200.json");
  g_autoptr(JsonNode) first = NULL, replied = NULL, member = NULL, outsider = NULL, empty = NULL, bad_reply = NULL;
  g_autoptr(JsonNode) read = NULL;
  gint64 chat = deal_chat (NULL);
  g_autofree char *body = g_strdup_printf ("{\"DIALOG_ID\":\"chat%" G_GINT64_FORMAT "\",\"MESSAGE\":\"Message text\","
                                           "\"SYSTEM\":\"N\",\"URL_PREVIEW\":\"Y\"}", chat);
  g_autofree char *reply_body = NULL;
  g_autofree char *read_body = NULL;
  guint status;

  first = b24_test_rest (emu, "im.message.add", body, &status);
  g_assert_cmpuint (status, ==, 200);
  b24_test_assert_shape (example, first, "im.message.add");
  reply_body = g_strdup_printf ("{\"DIALOG_ID\":\"chat%" G_GINT64_FORMAT "\",\"MESSAGE\":\"[B]Ответ[/B]\","
                                "\"REPLY_ID\":%" G_GINT64_FORMAT "}", chat, b24_test_int (first, "result"));
  replied = b24_test_rest (emu, "im.message.add", reply_body, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpint (b24_test_int (replied, "result"), >, b24_test_int (first, "result"));
  /* A member may write; someone outside the chat may not. */
  member = as_user ("3/three", "im.message.add", body, &status);
  g_assert_cmpuint (status, ==, 200);
  outsider = as_user ("2/two", "im.message.add", body, &status);
  assert_error (outsider, status, "ACCESS_ERROR");
  g_free (body);
  body = g_strdup_printf ("{\"DIALOG_ID\":\"chat%" G_GINT64_FORMAT "\",\"MESSAGE\":\"  \"}", chat);
  empty = b24_test_rest (emu, "im.message.add", body, &status);
  assert_error (empty, status, "MESSAGE_EMPTY");
  g_free (body);
  body = g_strdup_printf ("{\"DIALOG_ID\":\"chat%" G_GINT64_FORMAT "\",\"MESSAGE\":\"x\",\"REPLY_ID\":99999999}", chat);
  bad_reply = b24_test_rest (emu, "im.message.add", body, &status);
  assert_error (bad_reply, status, "REPLY_ACCESS_ERROR");

  read_body = g_strdup_printf ("{\"DIALOG_ID\":\"chat%" G_GINT64_FORMAT "\"}", chat);
  read = b24_test_rest (emu, "im.dialog.messages.get", read_body, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpint (b24_test_int (read, "result.chat_id"), ==, chat);
  g_assert_cmpuint (json_array_get_length (b24_test_array (read, "result.messages")), ==, 3);
  /* Newest first, native numbers, the authors listed in users. */
  g_assert_cmpint (b24_test_int (read, "result.messages.0.author_id"), ==, 3);
  g_assert_cmpstr (b24_test_string (read, "result.messages.1.text"), ==, "[B]Ответ[/B]");
  g_assert_cmpstr (b24_test_string (read, "result.messages.2.text"), ==, "Message text");
  g_assert_true (g_regex_match_simple ("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\+03:00$",
                                       b24_test_string (read, "result.messages.0.date"), 0, 0));
  g_assert_false (json_node_get_boolean (json_object_get_member (b24_test_object (read, "result.messages.0"), "unread")));
  g_assert_cmpuint (json_array_get_length (b24_test_array (read, "result.users")), ==, 2);
}

static void
test_paging (void)
{
  gint64 chat = deal_chat (NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autofree char *body = NULL;
  gint64 last_id = 0, previous = G_MAXINT64;
  guint status, pages = 0;

  for (guint i = 0; i < 120; i++)
    {
      g_autofree char *message = g_strdup_printf ("{\"DIALOG_ID\":\"chat%" G_GINT64_FORMAT "\",\"MESSAGE\":\"n%u\"}", chat, i);
      g_autoptr(JsonNode) reply = b24_test_rest (emu, "im.message.add", message, &status);

      g_assert_cmpuint (status, ==, 200);
    }
  /* LIMIT is capped at 50; LAST_ID walks back with no gap or duplicate. */
  for (;;)
    {
      g_autoptr(JsonNode) page = NULL;
      JsonArray *messages;

      g_free (body);
      body = last_id > 0 ? g_strdup_printf ("{\"DIALOG_ID\":\"chat%" G_GINT64_FORMAT "\",\"LIMIT\":100,\"LAST_ID\":%" G_GINT64_FORMAT "}",
                                            chat, last_id)
                         : g_strdup_printf ("{\"DIALOG_ID\":\"chat%" G_GINT64_FORMAT "\",\"LIMIT\":100}", chat);
      page = b24_test_rest (emu, "im.dialog.messages.get", body, &status);
      g_assert_cmpuint (status, ==, 200);
      messages = b24_test_array (page, "result.messages");
      g_assert_cmpuint (json_array_get_length (messages), <=, 50);
      if (json_array_get_length (messages) == 0)
        break;
      for (guint i = 0; i < json_array_get_length (messages); i++)
        {
          gint64 id = json_object_get_int_member (json_array_get_object_element (messages, i), "id");

          g_assert_cmpint (id, <, previous);
          previous = id;
          g_assert_true (g_hash_table_add (seen, g_memdup2 (&id, sizeof id)));
          last_id = id;
        }
      g_assert_cmpuint (++pages, <=, 10);
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, 120);
  g_assert_cmpuint (pages, ==, 3);

  /* FIRST_ID: what came after a given message. */
  {
    g_autofree char *newer = g_strdup_printf ("{\"DIALOG_ID\":\"chat%" G_GINT64_FORMAT "\",\"FIRST_ID\":%" G_GINT64_FORMAT ","
                                              "\"LIMIT\":5}", chat, last_id);
    g_autoptr(JsonNode) page = b24_test_rest (emu, "im.dialog.messages.get", newer, &status);
    JsonArray *messages = b24_test_array (page, "result.messages");

    g_assert_cmpuint (json_array_get_length (messages), ==, 5);
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (messages, 4), "id"), ==, last_id + 1);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, 0), "text"), ==, "n5");
  }
}

static void
test_private_and_system (void)
{
  g_autoptr(JsonNode) sent = NULL, read = NULL, unknown = NULL, sg = NULL, sys = NULL, sys_read = NULL;
  gint64 chat = deal_chat (NULL);
  g_autofree char *sys_body = g_strdup_printf ("{\"DIALOG_ID\":\"chat%" G_GINT64_FORMAT "\",\"MESSAGE\":\"Стадия изменена\","
                                               "\"SYSTEM\":\"Y\"}", chat);
  g_autofree char *sys_get = g_strdup_printf ("{\"DIALOG_ID\":\"chat%" G_GINT64_FORMAT "\",\"LIMIT\":1}", chat);
  guint status;

  sent = b24_test_rest (emu, "im.message.add", "{\"DIALOG_ID\":\"3\",\"MESSAGE\":\"Привет\"}", &status);
  g_assert_cmpuint (status, ==, 200);
  read = as_user ("3/three", "im.dialog.messages.get", "{\"DIALOG_ID\":\"1\"}", &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (b24_test_string (read, "result.messages.0.text"), ==, "Привет");
  unknown = b24_test_rest (emu, "im.message.add", "{\"DIALOG_ID\":\"424242\",\"MESSAGE\":\"x\"}", &status);
  assert_error (unknown, status, "USER_NOT_FOUND");
  sg = b24_test_rest (emu, "im.message.add", "{\"DIALOG_ID\":\"sg7\",\"MESSAGE\":\"x\"}", &status);
  assert_error (sg, status, "ACCESS_ERROR");
  sys = b24_test_rest (emu, "im.message.add", sys_body, &status);
  g_assert_cmpuint (status, ==, 200);
  sys_read = b24_test_rest (emu, "im.dialog.messages.get", sys_get, &status);
  g_assert_cmpint (b24_test_int (sys_read, "result.messages.0.author_id"), ==, 0);
}

static void
test_notify (void)
{
  g_autoptr(JsonNode) a = NULL, b = NULL, c = NULL, d = NULL, e = NULL, dump = NULL;
  guint status;

  a = b24_test_rest (emu, "im.notify.system.add", "{\"USER_ID\":3,\"MESSAGE\":\"Акт подписан\"}", &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpint (b24_test_int (a, "result"), >, 0);
  b = b24_test_rest (emu, "im.notify.personal.add", "{\"USER_ID\":3,\"MESSAGE\":\"Позвоните клиенту\",\"TAG\":\"deal-5\","
                                                  "\"CLIENT_ID\":\"sdelka\"}", &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpint (b24_test_int (b, "result"), >, b24_test_int (a, "result"));
  c = b24_test_rest (emu, "im.notify.system.add", "{\"MESSAGE\":\"x\"}", &status);
  assert_error (c, status, "USER_ID_EMPTY");
  d = b24_test_rest (emu, "im.notify.system.add", "{\"USER_ID\":3}", &status);
  assert_error (d, status, "MESSAGE_EMPTY");
  e = b24_test_rest (emu, "im.notify.system.add", "{\"USER_ID\":424242,\"MESSAGE\":\"x\"}", &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_false (json_node_get_boolean (json_object_get_member (json_node_get_object (e), "result")));
  dump = b24_test_control (emu, "dump", NULL);
  g_assert_cmpuint (json_array_get_length (b24_test_array (dump, "im_notify")), ==, 2);
  g_assert_cmpstr (b24_test_string (dump, "im_notify.1.TYPE"), ==, "personal");
  g_assert_cmpint (b24_test_int (dump, "im_notify.1.AUTHOR_ID"), ==, 1);
}

int
main (int    argc,
      char **argv)
{
  int result;

  g_test_init (&argc, &argv, NULL);
  emu = b24_test_start ("--rate", "0", "--webhook", "3:three", "--webhook", "2:two", NULL);
  g_test_add_func ("/emulator/im/message-add", test_message_add);
  g_test_add_func ("/emulator/im/paging", test_paging);
  g_test_add_func ("/emulator/im/private-and-system", test_private_and_system);
  g_test_add_func ("/emulator/im/notify", test_notify);
  result = g_test_run ();
  b24_test_stop (emu);
  return result;
}
