/* test-limits.c: the leaky bucket measured over 20 s, and the operating-time limit.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "test-util.h"

static B24Test *emu;

/* Fires requests as fast as possible for @seconds; counts accepted ones and checks every
 * refusal is the documented 503. */
static guint
hammer (double  seconds,
        guint  *refused)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
  guint accepted = 0;

  *refused = 0;
  while (g_get_monotonic_time () < end)
    {
      guint status;
      g_autoptr(JsonNode) reply = b24_test_rest (emu, "user.current", NULL, &status);

      if (status == 200)
        accepted++;
      else
        {
          g_assert_cmpuint (status, ==, 503);
          g_assert_cmpstr (b24_test_string (reply, "error"), ==, "QUERY_LIMIT_EXCEEDED");
          g_assert_cmpstr (b24_test_string (reply, "error_description"), ==, "Too many requests");
          (*refused)++;
          g_usleep (20000);
        }
    }
  return accepted;
}

static void
test_leaky_bucket (void)
{
  g_autoptr(JsonNode) limits = b24_test_control (emu, "limits", "{\"rate\":2,\"burst\":50}");
  guint refused;
  guint accepted = hammer (20.0, &refused);

  /* The burst of 50, then 2 per second for 20 s; ±1 for where the window edges fall. */
  g_test_message ("accepted %u, refused %u in 20 s", accepted, refused);
  g_assert_cmpuint (accepted, >=, 89);
  g_assert_cmpuint (accepted, <=, 91);
  g_assert_cmpuint (refused, >, 0);
  g_clear_pointer (&limits, json_node_unref);
  limits = b24_test_control (emu, "limits", "{\"rate\":0}");
  accepted = hammer (0.5, &refused);
  g_assert_cmpuint (refused, ==, 0);
}

static void
test_batch_counts_once (void)
{
  g_autoptr(JsonNode) limits = b24_test_control (emu, "limits", "{\"rate\":0.001,\"burst\":2}");
  g_autoptr(JsonNode) a = b24_test_rest (emu, "batch", "{\"cmd\":{\"a\":\"user.current\",\"b\":\"user.current\",\"c\":\"user.current\"}}", NULL);
  g_autoptr(JsonNode) b = b24_test_rest (emu, "user.current", NULL, NULL);
  guint status;
  g_autoptr(JsonNode) c = b24_test_rest (emu, "user.current", NULL, &status);

  g_assert_cmpstr (b24_test_string (a, "result.result.c.ID"), ==, "1");
  g_assert_cmpstr (b24_test_string (b, "result.ID"), ==, "1");
  g_assert_cmpuint (status, ==, 503);
  g_clear_pointer (&limits, json_node_unref);
  limits = b24_test_control (emu, "limits", "{\"rate\":0}");
}

static void
test_operating_limit (void)
{
  g_autoptr(JsonNode) example = b24_test_example ("error.429-OPERATION_TIME_LIMIT.json");
  g_autoptr(JsonNode) limits = b24_test_control (emu, "limits", "{\"rate\":0,\"operating_limit\":1,\"operating_cost\":0.4}");
  guint status;

  for (int i = 0; i < 3; i++)
    {
      g_autoptr(JsonNode) ok = b24_test_rest (emu, "crm.deal.fields", NULL, &status);
      JsonObject *time = b24_test_object (ok, "time");

      g_assert_cmpuint (status, ==, 200);
      g_assert_cmpfloat (json_object_get_double_member (time, "operating"), >=, 0.4 * (i + 1));
      g_assert_cmpint (json_object_get_int_member (time, "operating_reset_at"), >, (gint64) (g_get_real_time () / G_USEC_PER_SEC));
    }
  {
    g_autoptr(JsonNode) blocked = b24_test_rest (emu, "crm.deal.fields", NULL, &status);
    g_autoptr(JsonNode) other = NULL;

    g_assert_cmpuint (status, ==, 429);
    b24_test_assert_shape (example, blocked, "429");
    g_assert_cmpstr (b24_test_string (blocked, "error"), ==, "OPERATION_TIME_LIMIT");
    g_assert_cmpstr (b24_test_string (blocked, "error_description"), ==, b24_test_string (example, "error_description"));
    /* Other methods keep working. */
    other = b24_test_rest (emu, "user.current", NULL, &status);
    g_assert_cmpuint (status, ==, 200);
  }
  g_clear_pointer (&limits, json_node_unref);
  limits = b24_test_control (emu, "limits", "{\"operating_limit\":0}");
}

int
main (int    argc,
      char **argv)
{
  int result;

  g_test_init (&argc, &argv, NULL);
  emu = b24_test_start (NULL, NULL);
  g_test_add_func ("/emulator/limits/batch-counts-once", test_batch_counts_once);
  g_test_add_func ("/emulator/limits/operating", test_operating_limit);
  g_test_add_func ("/emulator/limits/leaky-bucket", test_leaky_bucket);
  result = g_test_run ();
  b24_test_stop (emu);
  return result;
}
