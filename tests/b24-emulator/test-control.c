/* test-control.c: the control door (seed, dump, act, faults) and a load run.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "test-util.h"

#include <string.h>

static char *
dump (B24Test *test)
{
  g_autofree char *url = g_strconcat (test->base, "/_emulator/dump", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = soup_session_send_and_read (test->session, msg, NULL, NULL);

  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  return g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
}

static void
test_seed_and_dump (void)
{
  B24Test *a = b24_test_start ("--seed-deals", "300", "--seed-contacts", "50", "--seed-companies", "10", "--seed", "7", NULL);
  B24Test *b = b24_test_start ("--seed", "7", NULL);
  g_autoptr(JsonNode) seeded = b24_test_control (b, "seed", "{\"deals\":300,\"contacts\":50,\"companies\":10,\"seed\":7}");
  g_autofree char *dump_a = dump (a);
  g_autofree char *dump_b = dump (b);
  g_autofree char *again = dump (a);
  g_autoptr(JsonNode) parsed = json_from_string (dump_a, NULL);

  /* Same seed, same state, same bytes, whether seeded by flag or by the control door. */
  g_assert_cmpstr (dump_a, ==, dump_b);
  g_assert_cmpstr (dump_a, ==, again);
  g_assert_cmpuint (json_array_get_length (b24_test_array (parsed, "deal")), ==, 300);
  g_assert_cmpuint (json_array_get_length (b24_test_array (parsed, "contact")), ==, 50);
  g_assert_cmpstr (b24_test_string (parsed, "deal.0.ID"), ==, "1");
  g_assert_cmpstr (b24_test_string (parsed, "deal.299.ID"), ==, "300");
  /* Keys come sorted: ADDITIONAL_INFO is the first key of a deal. */
  g_assert_nonnull (strstr (dump_a, "\"deal\":[{\"ADDITIONAL_INFO\":"));
  /* Russian-looking data: the first contact's surname is Cyrillic. */
  g_assert_cmpuint (g_utf8_get_char (b24_test_string (parsed, "contact.0.LAST_NAME")), >=, 0x0410);
  b24_test_stop (a);
  b24_test_stop (b);
}

static void
test_act_as_user (void)
{
  B24Test *emu = b24_test_start ("--seed-deals", "5", NULL);
  g_autoptr(JsonNode) before = b24_test_rest (emu, "crm.deal.get", "{\"id\":3}", NULL);
  gboolean repair = strcmp (b24_test_string (before, "result.CATEGORY_ID"), "1") == 0;
  g_autofree char *to_new = g_strdup_printf ("{\"user_id\":4,\"method\":\"crm.deal.update\","
                                             "\"params\":{\"id\":3,\"fields\":{\"STAGE_ID\":\"%s\"}}}",
                                             repair ? "C1:NEW" : "NEW");
  g_autofree char *to_won = g_strdup_printf ("{\"user_id\":4,\"method\":\"crm.deal.update\","
                                             "\"params\":{\"id\":3,\"fields\":{\"STAGE_ID\":\"%s\"}}}",
                                             repair ? "C1:WON" : "WON");
  g_autoptr(JsonNode) first = b24_test_control (emu, "act", to_new);
  g_autoptr(JsonNode) acted = b24_test_control (emu, "act", to_won);
  g_autoptr(JsonNode) deal = b24_test_rest (emu, "crm.deal.get", "{\"id\":3}", NULL);

  g_assert_true (json_node_get_boolean (json_object_get_member (json_node_get_object (acted), "result")));
  g_assert_cmpstr (b24_test_string (deal, "result.MODIFY_BY_ID"), ==, "4");
  g_assert_cmpstr (b24_test_string (deal, "result.MOVED_BY_ID"), ==, "4");
  g_assert_cmpstr (b24_test_string (deal, "result.STAGE_SEMANTIC_ID"), ==, "S");
  g_assert_cmpstr (b24_test_string (deal, "result.CLOSED"), ==, "Y");
  b24_test_stop (emu);
}

static void
test_faults (void)
{
  B24Test *emu = b24_test_start ("--rate", "0", NULL);
  g_autofree char *url = g_strconcat (emu->hook, "user.current", NULL);
  g_autoptr(GError) error = NULL;
  guint status;

  {
    g_autoptr(JsonNode) set = b24_test_control (emu, "faults", "{\"http_500\":1}");
    g_autoptr(JsonNode) reply = b24_test_rest (emu, "user.current", NULL, &status);

    g_assert_cmpuint (status, ==, 500);
    g_assert_cmpstr (b24_test_string (reply, "error"), ==, "INTERNAL_SERVER_ERROR");
  }
  {
    g_autoptr(JsonNode) set = b24_test_control (emu, "faults", "{\"http_500\":0,\"rate_limit\":1}");
    g_autoptr(JsonNode) reply = b24_test_rest (emu, "user.current", NULL, &status);

    g_assert_cmpuint (status, ==, 503);
    g_assert_cmpstr (b24_test_string (reply, "error"), ==, "QUERY_LIMIT_EXCEEDED");
  }
  {
    g_autoptr(JsonNode) set = b24_test_control (emu, "faults", "{\"rate_limit\":0,\"malformed\":1}");
    g_autoptr(JsonNode) reply = b24_test_rest (emu, "user.current", NULL, &status);

    g_assert_cmpuint (status, ==, 200);
    g_assert_null (reply);
  }
  {
    g_autoptr(JsonNode) set = b24_test_control (emu, "faults", "{\"malformed\":0,\"truncated\":1}");
    g_autoptr(JsonNode) reply = b24_test_rest (emu, "user.current", NULL, &status);

    g_assert_null (reply);
  }
  {
    g_autoptr(JsonNode) set = b24_test_control (emu, "faults", "{\"truncated\":0,\"reset\":1}");
    g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
    g_autoptr(GBytes) body = soup_session_send_and_read (emu->session, msg, NULL, &error);

    g_assert_nonnull (error);
    g_clear_error (&error);
  }
  {
    g_autoptr(JsonNode) set = b24_test_control (emu, "faults", "{\"reset\":0,\"redirect\":1}");
    g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
    g_autoptr(GBytes) body = NULL;

    soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
    body = soup_session_send_and_read (emu->session, msg, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (soup_message_get_status (msg), ==, 302);
    g_assert_true (g_str_has_prefix (soup_message_headers_get_one (soup_message_get_response_headers (msg), "Location"),
                                     "http://localhost:"));
  }
  {
    g_autoptr(JsonNode) set = b24_test_control (emu, "faults", "{\"redirect\":0,\"slow\":1,\"slow_ms\":300}");
    gint64 start = g_get_monotonic_time ();
    g_autoptr(JsonNode) reply = b24_test_rest (emu, "user.current", NULL, &status);

    g_assert_cmpuint (status, ==, 200);
    g_assert_cmpint (g_get_monotonic_time () - start, >=, 290000);
  }
  {
    g_autoptr(JsonNode) bad = NULL;
    g_autofree char *control = g_strconcat (emu->base, "/_emulator/faults", NULL);

    bad = b24_test_http (emu, "POST", control, "application/json", "{\"nonsense\":1}", &status);
    g_assert_cmpuint (status, ==, 400);
  }
  b24_test_stop (emu);
}

/* The emulator's resident memory in KiB, from /proc. */
static guint64
resident_kib (B24Test *emu)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/status",
                                           g_subprocess_get_identifier (emu->process));
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents (path, &status, NULL, NULL));
  line = strstr (status, "VmRSS:");
  g_assert_nonnull (line);
  return g_ascii_strtoull (line + strlen ("VmRSS:"), NULL, 10);
}

/* 2 000 requests from this process, limiter off: every one answered, none failed, and
 * the emulator's memory flat once warm (what grows with requests would show here). */
static void
test_load (void)
{
  B24Test *emu = b24_test_start ("--rate", "0", "--seed-deals", "2000", NULL);
  guint64 warm = 0;
  guint ok = 0;

  for (guint i = 0; i < 2000; i++)
    {
      if (i == 500)
        warm = resident_kib (emu);
      g_autofree char *body = g_strdup_printf (i % 2 == 0 ? "{\"id\":%u}" : "{\"filter\":{\">ID\":%u},\"start\":-1,\"order\":{\"ID\":\"ASC\"}}",
                                               i % 2000 + 1);
      guint status;
      g_autoptr(JsonNode) reply = b24_test_rest (emu, i % 2 == 0 ? "crm.deal.get" : "crm.deal.list", body, &status);

      g_assert_cmpuint (status, ==, 200);
      g_assert_nonnull (reply);
      ok++;
    }
  g_assert_cmpuint (ok, ==, 2000);
  g_test_message ("emulator RSS after 500 requests %" G_GUINT64_FORMAT " KiB, after 2000 %"
                  G_GUINT64_FORMAT " KiB", warm, resident_kib (emu));
#ifndef __SANITIZE_ADDRESS__
  /* ASan keeps freed memory in quarantine, so only a plain build's figure means growth. */
  g_assert_cmpuint (resident_kib (emu), <, warm + 4096);
#endif
  b24_test_stop (emu);
}

/* 400 requests over the later method families and the client door, limiter off. */
static void
test_load_mixed (void)
{
  B24Test *emu = b24_test_start ("--rate", "0", "--seed-deals", "50", NULL);
  g_autoptr(JsonNode) chat = b24_test_rest (emu, "im.chat.add", "{\"TITLE\":\"load\",\"ENTITY_TYPE\":\"CRM\","
                                                               "\"ENTITY_ID\":\"DEAL|1\"}", NULL);
  gint64 chat_id = b24_test_int (chat, "result");

  for (guint i = 0; i < 400; i++)
    {
      g_autofree char *body = NULL;
      const char *method = NULL;
      guint status;
      g_autoptr(JsonNode) reply = NULL;

      switch (i % 8)
        {
        case 0:
          method = "tasks.task.add";
          body = g_strdup_printf ("{\"fields\":{\"TITLE\":\"t%u\",\"RESPONSIBLE_ID\":2,\"UF_CRM_TASK\":[\"D_%u\"]}}", i,
                                  i % 50 + 1);
          break;
        case 1:
          method = "tasks.task.list";
          body = g_strdup_printf ("{\"filter\":{\"UF_CRM_TASK\":\"D_%u\"},\"select\":[\"ID\",\"TITLE\"]}", i % 50 + 1);
          break;
        case 2:
          method = "tasks.task.get";
          body = g_strdup_printf ("{\"taskId\":%u}", i / 8 + 1);
          break;
        case 3:
          method = "disk.folder.uploadfile";
          body = g_strdup_printf ("{\"id\":1,\"data\":{\"NAME\":\"f.txt\"},\"fileContent\":[\"f.txt\",\"aGVsbG8=\"],"
                                  "\"generateUniqueName\":true}");
          break;
        case 4:
          method = "disk.folder.getchildren";
          body = g_strdup ("{\"id\":1}");
          break;
        case 5:
          method = "im.message.add";
          body = g_strdup_printf ("{\"DIALOG_ID\":\"chat%" G_GINT64_FORMAT "\",\"MESSAGE\":\"m%u\"}", chat_id, i);
          break;
        case 6:
          method = "im.dialog.messages.get";
          body = g_strdup_printf ("{\"DIALOG_ID\":\"chat%" G_GINT64_FORMAT "\",\"LIMIT\":50}", chat_id);
          break;
        default:
          {
            g_autofree char *url = g_strdup_printf ("%s/_emulator/client/chat", emu->base);

            body = g_strdup_printf ("{\"deal_id\":%u,\"text\":\"c%u\"}", i % 50 + 1, i);
            reply = b24_test_http (emu, "POST", url, "application/json", body, &status);
            g_assert_cmpuint (status, ==, 200);
            continue;
          }
        }
      reply = b24_test_rest (emu, method, body, &status);
      g_assert_cmpuint (status, ==, 200);
      g_assert_nonnull (reply);
    }
  b24_test_stop (emu);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/emulator/control/seed-and-dump", test_seed_and_dump);
  g_test_add_func ("/emulator/control/act-as-user", test_act_as_user);
  g_test_add_func ("/emulator/control/faults", test_faults);
  g_test_add_func ("/emulator/control/load", test_load);
  g_test_add_func ("/emulator/control/load-mixed", test_load_mixed);
  return g_test_run ();
}
