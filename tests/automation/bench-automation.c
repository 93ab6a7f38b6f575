/* bench-automation.c: the engine's speed with the shipped playbooks (issue 6).
 *
 * On N body-repair deals (default 100 000), each with its manager:
 *   - events a second through the app's own path: N/5 deals changed in one commit (a pull,
 *     or a person's bulk edit), then SdAutomationRunner reads the journal and hands the
 *     entries to the engine (steps of 2 000 a transaction, a savepoint an event), timed
 *     from the commit to ::caught-up; when each fires rules (entering "Waiting for the
 *     vehicle" sets two timers), when none matches (a comment changed), and the same
 *     entries read again (all keyed: nothing fires); medians of 5 runs;
 *   - the timer scan that finds nothing due among 2 N timers;
 *   - timers fired a second when N come due at once (an SMS to the client each).
 * Prints each figure with its target; exits 0 either way: the figures are the result.
 *
 *   bench-automation [--deals N]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-automation.h"
#include "sd-automation-runner.h"
#include "sd-records.h"

#include <glib/gstdio.h>
#include <string.h>

static void
insert_or_die (SdStore *store, SdEntity entity, SdChanges *changes, gint64 *out)
{
  g_autoptr(GError) error = NULL;
  gint64 id = sd_store_insert (store, entity, changes, &error);

  g_assert_no_error (error);
  sd_changes_free (changes);
  if (out != NULL)
    *out = id;
}

static void
report_rate (const char *what, guint count, double seconds, double target_per_second)
{
  double rate = count / seconds;

  g_print ("%-48s %10.0f /s  (%u in %.2f s)  target > %.0f /s  %s\n", what, rate, count, seconds,
           target_per_second, rate >= target_per_second ? "ok" : "MISSED");
}

static int
compare_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (GArray *values)
{
  g_array_sort (values, compare_double);
  return g_array_index (values, double, values->len / 2);
}

static void
on_caught_up (SdAutomationRunner *runner, GMainLoop *loop)
{
  g_main_loop_quit (loop);
}

/* What the app does after a commit: the runner hears the store, reads the new journal
 * entries in steps and hands them to the engine; timed from the commit to ::caught-up. */
static double
run_runner (SdAutomationRunner *runner)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GTimer) timer = g_timer_new ();
  gulong id = g_signal_connect (runner, "caught-up", G_CALLBACK (on_caught_up), loop);

  g_main_loop_run (loop);
  g_signal_handler_disconnect (runner, id);
  return g_timer_elapsed (timer, NULL);
}

typedef enum { MOVE, COMMENT } Change;

/* A person's (or a pull's) changes to @count deals from @first, committed together. */
static void
write_changes (SdStore *store, GArray *deals, guint first, guint count, Change change,
               gint64 stage, gint64 actor, guint round)
{
  g_autoptr(GError) error = NULL;

  sd_store_set_actor (store, actor);
  g_assert_true (sd_store_begin (store, NULL));
  for (guint i = first; i < first + count; i++)
    {
      g_autoptr(SdChanges) c = sd_changes_new ();
      g_autofree char *text = NULL;

      if (change == MOVE)
        sd_changes_set_int (c, "stage_id", stage);
      else
        {
          text = g_strdup_printf ("Called, round %u", round);
          sd_changes_set_text (c, "comments", text);
        }
      if (!sd_store_update (store, SD_ENTITY_DEAL, g_array_index (deals, gint64, i), c, &error))
        g_error ("%s", error->message);
    }
  g_assert_true (sd_store_commit (store, NULL));
  sd_store_set_actor (store, SD_ACTOR_SYSTEM);
}

static void
report_median (const char *what, GArray *rates, guint count, double target)
{
  double rate = median (rates);

  g_print ("%-52s %10.0f /s  median of %u runs of %u events  target > %.0f /s  ratio %.2f  %s\n",
           what, rate, rates->len, count, target, rate / target, rate >= target ? "ok" : "MISSED");
}

int
main (int argc, char **argv)
{
  int n = 100000;
  GOptionEntry entries[] = {
    { "deals", 0, 0, G_OPTION_ARG_INT, &n, "Deals in the database", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("sdelka-bench-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "bench.db", NULL);
  g_autoptr(SdStore) store = NULL;
  g_autoptr(SdAutomation) automation = NULL;
  g_autoptr(GPtrArray) paths = sd_playbook_default_paths ();
  g_autoptr(GArray) deals = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) firing = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) idle = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) replayed = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) scans = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(SdAutomationRunner) runner = NULL;
  guint runs = 5, per_run;
  g_autoptr(GTimer) timer = g_timer_new ();
  gint64 pipeline, stage, start, manager, contact;
  gint fired;
  SdChanges *c;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    g_error ("%s", error->message);

  store = sd_store_open (path, &error);
  g_assert_no_error (error);
  sd_store_set_time (store, 1767254400);
  automation = sd_automation_new (store);
  for (guint i = 0; i < paths->len; i++)
    {
      SdPlaybook *pb = sd_playbook_load_file (paths->pdata[i], &error);

      g_assert_no_error (error);
      g_assert_cmpint (sd_playbook_install (pb, store, &error), >, 0);
      sd_automation_add_playbook (automation, pb);
    }
  pipeline = sd_store_find_pipeline (store, "body_repair");
  stage = sd_store_find_stage (store, pipeline, "waiting_vehicle");
  start = sd_store_find_stage (store, pipeline, "agreement");

  g_assert_true (sd_store_begin_bulk (store, NULL));
  c = sd_changes_new ();
  sd_changes_set_text (c, "first_name", "Manager");
  sd_changes_set_text (c, "last_name", "Bench");
  sd_changes_set_int (c, "role_id", sd_store_find_role (store, "sales_manager"));
  insert_or_die (store, SD_ENTITY_USER, c, &manager);
  c = sd_changes_new ();
  sd_changes_set_text (c, "first_name", "Client");
  insert_or_die (store, SD_ENTITY_CONTACT, c, &contact);
  c = sd_changes_new ();
  sd_changes_set_int (c, "contact_id", contact);
  sd_changes_set_text (c, "kind", "phone");
  sd_changes_set_text (c, "value", "+79990000000");
  insert_or_die (store, SD_ENTITY_CONTACT_CHANNEL, c, NULL);
  for (int i = 0; i < n; i++)
    {
      gint64 id;

      c = sd_changes_new ();
      sd_changes_set_text (c, "title", "Bench deal");
      sd_changes_set_int (c, "pipeline_id", pipeline);
      sd_changes_set_int (c, "stage_id", start);
      sd_changes_set_int (c, "contact_id", contact);
      insert_or_die (store, SD_ENTITY_DEAL, c, &id);
      g_array_append_val (deals, id);
      c = sd_changes_new ();
      sd_changes_set_int (c, "deal_id", id);
      sd_changes_set_int (c, "user_id", manager);
      insert_or_die (store, SD_ENTITY_DEAL_RESPONSIBLE, c, NULL);
    }
  g_assert_true (sd_store_commit (store, NULL));
  g_print ("%d deals made in %.1f s\n", n, g_timer_elapsed (timer, NULL));

  /* The app's path: a runner over the engine, as SdApplication makes it. */
  runner = sd_automation_runner_new (automation, 3600);
  per_run = deals->len / runs;
  for (guint r = 0; r < runs; r++)
    {
      double seconds;
      g_autofree char *cursor = NULL;
      gint64 before = sd_store_get_last_journal_id (store);

      /* Deals enter "Waiting for the vehicle": two robots set a timer each. */
      write_changes (store, deals, r * per_run, per_run, MOVE, stage, manager, r);
      seconds = run_runner (runner);
      g_array_append_val (firing, (double) { per_run / seconds });
      /* A comment changed: no rule listens. */
      write_changes (store, deals, r * per_run, per_run, COMMENT, stage, manager, r);
      seconds = run_runner (runner);
      g_array_append_val (idle, (double) { per_run / seconds });
      /* The same moves read again (a restart before the cursor was saved): all keyed. */
      cursor = g_strdup_printf ("%" G_GINT64_FORMAT, before);
      g_assert_true (sd_store_set_meta (store, "automation.journal_cursor", cursor, NULL));
      g_timer_start (timer);
      g_assert_cmpint (sd_automation_process_journal (automation, &error), >=, 2 * per_run);
      g_array_append_val (replayed, (double) { 2 * per_run / g_timer_elapsed (timer, NULL) });
    }
  report_median ("journal -> engine, firing rules (the app's runner)", firing, per_run, 20000);
  report_median ("journal -> engine, matching no rule", idle, per_run, 20000);
  report_median ("journal -> engine, moves and comments read again", replayed, 2 * per_run, 20000);

  for (int run = 0; run < 5; run++)
    {
      g_timer_start (timer);
      g_assert_cmpint (sd_automation_run_due (automation, &error), ==, 0);
      g_array_append_val (scans, (double) { g_timer_elapsed (timer, NULL) * 1000 });
    }
  {
    double scan = median (scans);
    g_print ("%-52s %10.3f ms  (median of 5, %d deals, %d timers)  target < 50 ms  ratio %.4f  %s\n",
             "timer scan, nothing due", scan, n, 2 * n, scan / 50, scan < 50 ? "ok" : "MISSED");
  }

  sd_store_set_time (store, 1767254400 + 86400 + 60);
  g_timer_start (timer);
  fired = sd_automation_run_due (automation, &error);
  g_assert_no_error (error);
  report_rate ("timers fired (an SMS to the client each)", fired, g_timer_elapsed (timer, NULL), 0);

  g_clear_object (&runner);
  g_clear_object (&automation);
  g_clear_object (&store);
  {
    const char *suffixes[] = { "", "-wal", "-shm" };
    for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
      {
        g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
        g_unlink (file);
      }
    g_rmdir (dir);
  }
  return 0;
}
