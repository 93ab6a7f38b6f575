/* test-crash.c: a writer killed with SIGKILL at random moments leaves a sound database in
 * which every committed deal has its journal entries and its payment, and nothing else.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-test-store.h"
#include "sd-store-private.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#define KILLS 60

/* Deals with a payment each, one transaction a deal, until killed. */
static void G_GNUC_NORETURN
write_forever (const char *path,
               gint64      pipeline,
               gint64      stage,
               int         ready_fd)
{
  g_autoptr(GError) error = NULL;
  SdStore *store = sd_store_open (path, &error);

  /* Tell the parent to start its clock: kills are meant to land among the writes, not in
   * the open, however slow a sanitizer makes that. */
  if (store == NULL || write (ready_fd, "r", 1) != 1)
    _exit (3);
  for (guint i = 0;; i++)
    {
      g_autoptr(SdChanges) deal = sd_changes_new ();
      g_autoptr(SdChanges) payment = sd_changes_new ();
      g_autofree char *title = g_strdup_printf ("Сделка %u", i);
      gint64 id;

      if (!sd_store_begin (store, &error))
        _exit (4);
      sd_changes_set_text (deal, "title", title);
      sd_changes_set_int (deal, "pipeline_id", pipeline);
      sd_changes_set_int (deal, "stage_id", stage);
      sd_changes_set_int (deal, "amount", 100000 + i);
      id = sd_store_insert (store, SD_ENTITY_DEAL, deal, &error);
      sd_changes_set_int (payment, "deal_id", id);
      sd_changes_set_int (payment, "amount", 50000);
      sd_changes_set_text (payment, "status", "paid");
      sd_changes_set_text (payment, "due_on", "2026-11-26");
      if (id == 0 || sd_store_insert (store, SD_ENTITY_PAYMENT, payment, &error) == 0
          || !sd_store_commit (store, &error))
        _exit (5);
    }
}

static void
check_consistent (const char *path,
                  gint64     *out_deals)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SdStore) store = sd_store_open (path, &error);
  sqlite3_stmt *stmt;

  g_assert_no_error (error);
  stmt = sd_store_prepare (store, "PRAGMA integrity_check", NULL);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
  sqlite3_reset (stmt);

  /* Every deal has its insert entry, every deal entry its deal, likewise payments. */
  g_assert_cmpint (sd_test_count (store,
                                  "SELECT count(*) FROM deals d WHERE NOT EXISTS (SELECT 1 FROM "
                                  "journal j WHERE j.deal_id = d.id AND j.entity = 'deal' "
                                  "AND j.entity_id = d.id AND j.op = 'insert')"), ==, 0);
  g_assert_cmpint (sd_test_count (store,
                                  "SELECT count(*) FROM journal j WHERE j.entity = 'deal' AND "
                                  "NOT EXISTS (SELECT 1 FROM deals d WHERE d.id = j.entity_id)"),
                   ==, 0);
  g_assert_cmpint (sd_test_count (store,
                                  "SELECT count(*) FROM journal j WHERE j.entity = 'payment' AND "
                                  "NOT EXISTS (SELECT 1 FROM payments p WHERE p.id = j.entity_id)"),
                   ==, 0);
  g_assert_cmpint (sd_test_count (store,
                                  "SELECT count(*) FROM deals d WHERE NOT EXISTS (SELECT 1 FROM "
                                  "payments p WHERE p.deal_id = d.id)"), ==, 0);
  g_assert_cmpint (sd_test_count (store, "SELECT count(*) FROM search"), ==,
                   sd_test_count (store, "SELECT count(*) FROM deals"));
  *out_deals = sd_test_count (store, "SELECT count(*) FROM deals");
}

static void
test_sigkill_at_random (SdTestStore  *f,
                        gconstpointer data)
{
  gint64 deals = 0, before_kill = 0;
  guint grew = 0;

  /* The child opens the file itself: nothing of the parent's connection is shared. */
  g_clear_object (&f->store);
  for (guint i = 0; i < KILLS; i++)
    {
      int status;
      int ready[2];
      char byte;
      pid_t pid;

      g_assert_cmpint (pipe (ready), ==, 0);
      pid = fork ();
      g_assert_cmpint (pid, >=, 0);
      if (pid == 0)
        write_forever (f->path, f->pipeline, f->stage_new, ready[1]);
      close (ready[1]);
      g_assert_cmpint (read (ready[0], &byte, 1), ==, 1);
      close (ready[0]);
      g_usleep (g_test_rand_int_range (1, 60) * 1000);
      g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      g_assert_true (WIFSIGNALED (status));  /* killed while writing, not failed */

      before_kill = deals;
      check_consistent (f->path, &deals);
      g_assert_cmpint (deals, >=, before_kill);
      grew += deals > before_kill;
    }
  g_test_message ("%u kills, %" G_GINT64_FORMAT " deals committed, grew %u times", KILLS, deals,
                  grew);
  g_assert_cmpuint (grew, >, KILLS / 2);  /* the writer did write between kills */
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/core/crash/sigkill-at-random", SdTestStore, NULL, sd_test_store_setup,
              test_sigkill_at_random, sd_test_store_teardown);
  return g_test_run ();
}
