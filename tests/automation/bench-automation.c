/* bench-automation.c: the engine's speed with the shipped playbooks (issue 6).
 *
 * On N body-repair deals (default 100 000), each with its manager:
 *   - events a second when each fires rules (entering "Waiting for the vehicle" sets two
 *     timers), when none matches (a comment changed), and when replayed (all keyed); one
 *     transaction an event, as a person's action, or 500, as the journal of a sync pull;
 *   - the timer scan that finds nothing due among 2 N timers;
 *   - timers fired a second when N come due at once (an SMS to the client each).
 * Prints each figure with its target; exits 0 either way: the figures are the result.
 *
 *   bench-automation [--deals N]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-automation.h"
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

/* Each event in its own transaction (@batch 1), as a person's action is, or @batch to a
 * transaction, as the journal of a sync pull is read. */
static void
event_pass (SdAutomation *automation, SdStore *store, GArray *deals, SdEventKind kind,
            const char *field, guint batch, const char *what, double target)
{
  g_autoptr(GTimer) timer = g_timer_new ();
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < deals->len; i++)
    {
      char instance[32];
      SdAutomationEvent event = { kind, g_array_index (deals, gint64, i), 0, field, NULL, instance };

      if (batch > 1 && i % batch == 0)
        g_assert_true (sd_store_begin (store, NULL));
      g_snprintf (instance, sizeof instance, "bench:%u", i);
      if (!sd_automation_handle (automation, &event, &error))
        g_error ("%s", error->message);
      if (batch > 1 && (i % batch == batch - 1 || i == deals->len - 1))
        g_assert_true (sd_store_commit (store, NULL));
    }
  report_rate (what, deals->len, g_timer_elapsed (timer, NULL), target);
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
  g_autoptr(GArray) half = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GTimer) timer = g_timer_new ();
  gint64 pipeline, stage, manager, contact;
  double scan = G_MAXDOUBLE;
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
      sd_changes_set_int (c, "stage_id", stage);
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

  g_array_set_size (half, deals->len / 2);
  memcpy (half->data, deals->data, half->len * sizeof (gint64));
  g_array_remove_range (deals, 0, half->len);
  event_pass (automation, store, half, SD_EVENT_ENTERED, NULL, 1,
              "firing rules, a transaction each", 20000);
  event_pass (automation, store, deals, SD_EVENT_ENTERED, NULL, 500,
              "firing rules, 500 a transaction (a pull)", 20000);
  g_array_prepend_vals (deals, half->data, half->len);
  event_pass (automation, store, deals, SD_EVENT_FIELD_CHANGED, "comments", 1,
              "matching no rule, a transaction each", 20000);
  event_pass (automation, store, deals, SD_EVENT_ENTERED, NULL, 1,
              "replayed (all keyed), a transaction each", 20000);
  event_pass (automation, store, deals, SD_EVENT_ENTERED, NULL, 500,
              "replayed (all keyed), 500 a transaction", 20000);

  for (int run = 0; run < 5; run++)
    {
      g_timer_start (timer);
      g_assert_cmpint (sd_automation_run_due (automation, &error), ==, 0);
      scan = MIN (scan, g_timer_elapsed (timer, NULL));
    }
  g_print ("%-48s %10.3f ms  (best of 5, %d timers)  target < 50 ms  %s\n",
           "timer scan, nothing due", scan * 1000, 2 * n, scan < 0.05 ? "ok" : "MISSED");

  sd_store_set_time (store, 1767254400 + 86400 + 60);
  g_timer_start (timer);
  fired = sd_automation_run_due (automation, &error);
  g_assert_no_error (error);
  report_rate ("timers fired (an SMS to the client each)", fired, g_timer_elapsed (timer, NULL), 0);

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
