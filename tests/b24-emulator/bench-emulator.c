/* bench-emulator.c: requests per second over loopback for crm.deal.list pages and batches.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "test-util.h"

static void
measure (B24Test    *emu,
         const char *label,
         const char *method,
         guint       n,
         guint       rows_per_request,
         char      *(*body_for) (guint i))
{
  gint64 start = g_get_monotonic_time ();
  double seconds;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *body = body_for (i);
      guint status;
      g_autoptr(JsonNode) reply = b24_test_rest (emu, method, body, &status);

      g_assert_cmpuint (status, ==, 200);
    }
  seconds = (g_get_monotonic_time () - start) / 1e6;
  g_print ("%-28s %6u requests  %8.1f requests/s  %10.0f rows/s\n", label, n, n / seconds,
           n * rows_per_request / seconds);
}

static char *
page_body (guint i)
{
  return g_strdup_printf ("{\"order\":{\"ID\":\"ASC\"},\"filter\":{\">ID\":%u},\"start\":-1}", (i * 50) % 9950);
}

static char *
batch_body (guint i)
{
  GString *body = g_string_new ("{\"halt\":0,\"cmd\":{");

  for (guint c = 0; c < 50; c++)
    g_string_append_printf (body, "%s\"c%u\":\"crm.deal.list?filter[>ID]=%u&order[ID]=ASC&select[0]=ID&select[1]=DATE_MODIFY&start=-1\"",
                            c > 0 ? "," : "", c, (c * 50 + i) % 9950);
  g_string_append (body, "}}");
  return g_string_free (body, FALSE);
}

/* Full export the way php-sdk's Batch::getTraversableList does it: one counted first page,
 * then batches of 50 list commands chained by $result[prev][49][ID] with start=-1 (keyset on
 * >ID). Checks that every deal comes exactly once, in ID order. */
static void
export_chained (B24Test    *emu,
                const char *label,
                const char *select_query,
                const char *select_json,
                gint64      expected)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  gint64 start = g_get_monotonic_time ();
  g_autofree char *first_body = g_strdup_printf ("{\"order\":{\"ID\":\"ASC\"},\"start\":0,\"select\":%s}", select_json);
  g_autoptr(JsonNode) first = NULL;
  gint64 total, last_id = 0, previous = 0;
  guint requests = 1, rows = 0;
  gboolean done = FALSE;
  double seconds;
  guint status;

  first = b24_test_rest (emu, "crm.deal.list", first_body, &status);
  g_assert_cmpuint (status, ==, 200);
  total = b24_test_int (first, "total");
  {
    JsonArray *page = b24_test_array (first, "result");

    for (guint i = 0; i < json_array_get_length (page); i++)
      {
        gint64 id = g_ascii_strtoll (json_object_get_string_member (json_array_get_object_element (page, i), "ID"), NULL, 10);

        g_assert_cmpint (id, >, previous);
        previous = last_id = id;
        g_assert_true (g_hash_table_add (seen, g_memdup2 (&id, sizeof id)));
        rows++;
      }
    done = json_array_get_length (page) < 50;
  }
  while (!done)
    {
      GString *body = g_string_new ("{\"halt\":0,\"cmd\":{");
      g_autoptr(JsonNode) reply = NULL;
      JsonObject *results;

      for (guint c = 0; c < 50; c++)
        {
          g_autofree char *ref = c == 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, last_id)
                                        : g_strdup_printf ("$result[c%u][49][ID]", c - 1);

          g_string_append_printf (body, "%s\"c%u\":\"crm.deal.list?filter[>ID]=%s&order[ID]=ASC&start=-1%s\"",
                                  c > 0 ? "," : "", c, ref, select_query);
        }
      g_string_append (body, "}}");
      reply = b24_test_rest (emu, "batch", body->str, &status);
      g_string_free (body, TRUE);
      g_assert_cmpuint (status, ==, 200);
      requests++;
      g_assert_cmpuint (requests, <, 1000);
      results = b24_test_object (reply, "result.result");
      for (guint c = 0; c < 50 && !done; c++)
        {
          g_autofree char *key = g_strdup_printf ("c%u", c);
          JsonArray *page = json_object_get_array_member (results, key);

          for (guint i = 0; i < json_array_get_length (page); i++)
            {
              gint64 id = g_ascii_strtoll (json_object_get_string_member (json_array_get_object_element (page, i), "ID"),
                                           NULL, 10);

              g_assert_cmpint (id, >, previous);
              previous = last_id = id;
              g_assert_true (g_hash_table_add (seen, g_memdup2 (&id, sizeof id)));
              rows++;
            }
          done = json_array_get_length (page) < 50;
        }
    }
  seconds = (g_get_monotonic_time () - start) / 1e6;
  g_assert_cmpint (total, ==, expected);
  g_assert_cmpuint (rows, ==, expected);
  g_print ("%-40s %6u rows  %3u requests  %7.3f s  %10.0f rows/s\n", label, rows, requests, seconds, rows / seconds);
}

int
main (int    argc,
      char **argv)
{
  B24Test *emu;

  g_test_init (&argc, &argv, NULL);
  emu = b24_test_start ("--rate", "0", "--seed-deals", "10000", NULL);
  measure (emu, "crm.deal.list page (50 rows)", "crm.deal.list", 1000, 50, page_body);
  measure (emu, "batch of 50 list pages", "batch", 40, 2500, batch_body);
  export_chained (emu, "chained export, every field (limiter off)", "", "[]", 10000);
  export_chained (emu, "chained export, ID+DATE_MODIFY (limiter off)", "&select[0]=ID&select[1]=DATE_MODIFY",
                  "[\"ID\",\"DATE_MODIFY\"]", 10000);
  b24_test_stop (emu);

  /* The same at the standard plan's limits (2/s, burst 50, operating 480 s): 5 requests fit
   * in the burst, so the limiter costs nothing here. */
  emu = b24_test_start ("--seed-deals", "10000", NULL);
  export_chained (emu, "chained export, every field (2/s, 50)", "", "[]", 10000);
  b24_test_stop (emu);
  return 0;
}
