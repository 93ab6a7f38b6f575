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
#include <unistd.h>

#define RATE 2.0
#define BURST 50.0
#define ROWS_PER_REQUEST 2500.0   /* 50 chained pages of 50 */
#define EDITS_PER_REQUEST 50.0    /* one batch */

#define OPERATING_LIMIT 480.0    /* seconds of a method's execution … */
#define OPERATING_WINDOW 600.0   /* … within the last ten minutes (reference §6.2) */

/* The least time the request rate allows for @requests requests: the burst at once, then
 * the drain rate (reference §6.1). */
static double
rate_floor (double requests,
            double level)
{
  return MAX (0.0, (level + requests - BURST) / RATE);
}

/* The portal's bucket level now (what earlier requests left in it). */
static double
bucket_level (SdTestSync *t)
{
  g_autoptr(JsonNode) stats = b24_test_control (t->portal, "stats", "{}");
  JsonObject *limits = json_object_get_object_member (json_node_get_object (stats), "limits");

  return json_object_get_double_member (limits, "level");
}

static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec
         + usage.ru_stime.tv_usec / 1e6;
}

/* CPU seconds the emulator has used so far (its process's user + system time). */
static double
emulator_cpu_seconds (SdTestSync *t)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/stat", g_subprocess_get_identifier (t->portal->process));
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after_name;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (after_name = strrchr (text, ')')) == NULL)
    return 0;
  /* After the command name: state is field 3 of stat(5), utime 14, stime 15. */
  fields = g_strsplit (after_name + 2, " ", 0);
  if (g_strv_length (fields) < 13)
    return 0;
  return (g_ascii_strtod (fields[11], NULL) + g_ascii_strtod (fields[12], NULL)) / sysconf (_SC_CLK_TCK);
}

/* The least time the operating-time limit allows, from what each method used (the
 * emulator's cost model: measured execution plus --operating-cost a call, batch commands
 * counted each for its own method). A method may spend the limit at once; every further
 * limit's worth waits for a ten-minute window to pass. Prints the busiest method. */
static double
operating_floor (SdTestSync *t,
                 const char *what)
{
  g_autoptr(JsonNode) stats = b24_test_control (t->portal, "stats", "{}");
  JsonObject *limits = json_object_get_object_member (json_node_get_object (stats), "limits");
  JsonObject *used = json_object_get_object_member (limits, "operating_used");
  g_autoptr(GList) methods = json_object_get_members (used);
  static GHashTable *before;  /* what the previous measurement had used */
  g_autofree char *busiest = NULL;
  double most = 0;

  if (before == NULL)
    before = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (GList *l = methods; l != NULL; l = l->next)
    {
      double total = json_object_get_double_member (used, l->data);
      double *earlier = g_hash_table_lookup (before, l->data);
      double spent = total - (earlier != NULL ? *earlier : 0);

      if (spent > most)
        {
          most = spent;
          g_free (busiest);
          busiest = g_strdup (l->data);
        }
      g_hash_table_insert (before, g_strdup (l->data), g_memdup2 (&total, sizeof total));
    }
  g_print ("%s: operating time: busiest method %s used %.1f s of %.0f s per %.0f s\n", what,
           busiest != NULL ? busiest : "-", most, OPERATING_LIMIT, OPERATING_WINDOW);
  return most <= OPERATING_LIMIT ? 0.0 : OPERATING_WINDOW * (most - OPERATING_LIMIT) / OPERATING_LIMIT;
}

/* Both documented limits, each as the least time it allows; the larger one binds. */
static void
report (SdTestSync *t,
        const char *what,
        double      items,
        double      seconds,
        double      cpu,
        double      portal_cpu,
        double      level,
        guint       requests,
        double      needed)
{
  double by_rate = rate_floor (needed, level);
  double by_operating = operating_floor (t, what);
  double least = MAX (by_rate, by_operating);

  g_print ("%s: %.0f in %.2f s = %.0f/s; %u requests (%.0f at the least; %.0f allowed in that time)\n",
           what, items, seconds, items / seconds, requests, needed, BURST + RATE * seconds);
  g_print ("%s: sync process CPU %.2f s, emulator CPU %.2f s (user + system; %u cores here)\n", what, cpu,
           portal_cpu, g_get_num_processors ());
  g_print ("%s: least time by the request rate %.2f s (bucket at %.1f of %.0f when it began), "
           "by the operating time %.2f s: %s binds\n", what, by_rate, level, BURST, by_operating,
           by_rate >= by_operating ? "the request rate" : "the operating time");
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
  double rows, seconds, cpu, portal_cpu, level;

  g_test_init (&argc, &argv, NULL);
  t = sd_test_sync_new ("--seed-deals", deals, "--seed-contacts", contacts, "--seed-companies", "300",
                        "--rate", "2", "--burst", "50", "--operating-limit", "480", NULL);

  /* As the app runs: the full comparison hourly, not after every sync as in the tests. */
  sd_sync_engine_set_check_interval (t->engine, 3600);
  level = bucket_level (t);
  cpu = cpu_seconds ();
  portal_cpu = emulator_cpu_seconds (t);
  start = g_get_monotonic_time ();
  result = sd_test_sync_run (t);
  g_assert_true (result.agree);
  seconds = (g_get_monotonic_time () - start) / 1e6;
  cpu = cpu_seconds () - cpu;
  portal_cpu = emulator_cpu_seconds (t) - portal_cpu;
  rows = g_ascii_strtod (deals, NULL) + g_ascii_strtod (contacts, NULL) + 300;
  /* At the least: the reference request, then every row 2 500 a request (requisites not
   * counted, which makes the ceiling stricter). */
  report (t, "first sync", rows, seconds, cpu, portal_cpu, level, result.requests,
          1 + ceil (rows / ROWS_PER_REQUEST));
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
  /* The steady state: a full bucket (as after a long first sync, or other work), so the
   * push pays the drain rate, 50 edits a request at 2 requests a second. Cheap calls fill
   * it; the client's own limiter learns the same level from them. */
  for (guint i = 0; i < BURST; i++)
    {
      g_autoptr(JsonObject) answer = sd_b24_client_call (t->client, "user.current", NULL, SD_B24_CALL_READ,
                                                         NULL, NULL);
    }
  level = bucket_level (t);
  cpu = cpu_seconds ();
  portal_cpu = emulator_cpu_seconds (t);
  start = g_get_monotonic_time ();
  result = sd_test_sync_run (t);
  g_assert_true (result.agree);
  seconds = (g_get_monotonic_time () - start) / 1e6;
  cpu = cpu_seconds () - cpu;
  portal_cpu = emulator_cpu_seconds (t) - portal_cpu;
  report (t, "push of 1000 edits", 1000, seconds, cpu, portal_cpu, level, result.requests, 1000 / EDITS_PER_REQUEST);
  if (1000 / seconds <= EDITS_PER_REQUEST * RATE)
    g_print ("push of 1000 edits: %.0f edits/s against the steady ceiling of %.0f/s: ratio %.2f\n",
             1000 / seconds, EDITS_PER_REQUEST * RATE, 1000 / seconds / (EDITS_PER_REQUEST * RATE));
  else
    g_print ("push of 1000 edits: faster than the steady ceiling of %.0f/s (the bucket had room)\n",
             EDITS_PER_REQUEST * RATE);
  sd_test_sync_free (t);
  return 0;
}
