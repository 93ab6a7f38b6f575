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

int
main (int    argc,
      char **argv)
{
  B24Test *emu;

  g_test_init (&argc, &argv, NULL);
  emu = b24_test_start ("--rate", "0", "--seed-deals", "10000", NULL);
  measure (emu, "crm.deal.list page (50 rows)", "crm.deal.list", 1000, 50, page_body);
  measure (emu, "batch of 50 list pages", "batch", 40, 2500, batch_body);
  b24_test_stop (emu);
  return 0;
}
