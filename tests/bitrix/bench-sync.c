/* bench-sync.c: a first sync and a push against the emulator at the standard plan's
 * limits (2 requests a second, bursts of 50, 480 s of operating time a method per 10
 * minutes), with the figures compared to what those limits allow.
 *
 * Sizes: SDELKA_BENCH_DEALS (default 10 000), SDELKA_BENCH_CONTACTS (default 2 000).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-test-sync.h"

#include "sd-records.h"
#include "sd-store-sync.h"

#include <math.h>
#include <sys/resource.h>

#define RATE 2.0
#define BURST 50.0
#define ROWS_PER_REQUEST 2500.0   /* 50 chained pages of 50 */
#define EDITS_PER_REQUEST 50.0    /* one batch */

/* The least time the limits allow for @requests requests. */
static double
floor_seconds (double requests)
{
  return MAX (0.0, (requests - BURST) / RATE);
}

static void
report (const char *what,
        double      items,
        double      seconds,
        guint       requests,
        double      needed)
{
  double least = floor_seconds (needed);

  g_print ("%s: %.0f in %.2f s = %.0f/s; %u requests (%.0f at the least; %.0f allowed in that time)\n",
           what, items, seconds, items / seconds, requests, needed, BURST + RATE * seconds);
  if (least > 0)
    g_print ("%s: ratio to the ceiling the limits allow: %.2f\n", what, least / seconds);
  else
    g_print ("%s: the limits are not what bounds it (the burst covers it); ratio n/a\n", what);
}

int
main (int argc, char **argv)
{
  const char *deals = g_getenv ("SDELKA_BENCH_DEALS") != NULL ? g_getenv ("SDELKA_BENCH_DEALS") : "10000";
  const char *contacts = g_getenv ("SDELKA_BENCH_CONTACTS") != NULL ? g_getenv ("SDELKA_BENCH_CONTACTS") : "2000";
  SdTestSync *t;
  SdSyncReport result;
  struct rusage usage;
  gint64 start;
  double rows, seconds;

  g_test_init (&argc, &argv, NULL);
  t = sd_test_sync_new ("--seed-deals", deals, "--seed-contacts", contacts, "--seed-companies", "300",
                        "--rate", "2", "--burst", "50", "--operating-limit", "480", NULL);

  /* As the app runs: the full comparison hourly, not after every sync as in the tests. */
  sd_sync_engine_set_check_interval (t->engine, 3600);
  start = g_get_monotonic_time ();
  result = sd_test_sync_run (t);
  g_assert_true (result.agree);
  rows = g_ascii_strtod (deals, NULL) + g_ascii_strtod (contacts, NULL) + 300;
  report ("first sync", rows, (g_get_monotonic_time () - start) / 1e6, result.requests,
          ceil (g_ascii_strtod (deals, NULL) / ROWS_PER_REQUEST)
          + ceil (g_ascii_strtod (contacts, NULL) / ROWS_PER_REQUEST) + 1);
  getrusage (RUSAGE_SELF, &usage);
  g_print ("first sync: peak RSS %.1f MB\n", usage.ru_maxrss / 1024.0);

  for (guint i = 0; i < 1000; i++)
    {
      g_autoptr(SdChanges) changes = sd_changes_new ();
      g_autofree char *title = g_strdup_printf ("Правка %u", i);

      sd_changes_set_text (changes, "title", title);
      g_assert_true (sd_store_update (t->store, SD_ENTITY_DEAL,
                                      sd_store_find_b24 (t->store, SD_ENTITY_DEAL, 1 + i), changes, NULL));
    }
  /* Right after the first sync the bucket is as full as that sync left it: the push pays
   * the steady rate, 50 edits a request at 2 requests a second. */
  start = g_get_monotonic_time ();
  result = sd_test_sync_run (t);
  g_assert_true (result.agree);
  seconds = (g_get_monotonic_time () - start) / 1e6;
  report ("push of 1000 edits", 1000, seconds, result.requests, 1000 / EDITS_PER_REQUEST);
  if (1000 / seconds <= EDITS_PER_REQUEST * RATE)
    g_print ("push of 1000 edits: %.0f edits/s against the steady ceiling of %.0f/s: ratio %.2f\n",
             1000 / seconds, EDITS_PER_REQUEST * RATE, 1000 / seconds / (EDITS_PER_REQUEST * RATE));
  else
    g_print ("push of 1000 edits: faster than the steady ceiling of %.0f/s (the bucket had room)\n",
             EDITS_PER_REQUEST * RATE);
  sd_test_sync_free (t);
  return 0;
}
