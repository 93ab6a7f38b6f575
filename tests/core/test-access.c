/* test-access.c: the write API refuses what the acting user's role may not do, and
 * writes nothing then.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-test-store.h"

typedef struct
{
  gint64 journal;
  gint64 deals;
  gint64 files;
  gint64 timeline;
} Snapshot;

static Snapshot
snapshot (SdStore *store)
{
  return (Snapshot) {
    sd_test_count (store, "SELECT count(*) FROM journal"),
    sd_test_count (store, "SELECT count(*) || '' || sum(stage_id) || sum(length(title)) FROM deals"),
    sd_test_count (store, "SELECT count(*) FROM files"),
    sd_test_count (store, "SELECT count(*) FROM timeline"),
  };
}

static void
assert_unchanged (SdStore  *store,
                  Snapshot *before)
{
  Snapshot after = snapshot (store);

  g_assert_cmpint (after.journal, ==, before->journal);
  g_assert_cmpint (after.deals, ==, before->deals);
  g_assert_cmpint (after.files, ==, before->files);
  g_assert_cmpint (after.timeline, ==, before->timeline);
}

static gint64
attach (SdStore *store,
        gint64   deal,
        GError **error)
{
  g_autoptr(SdChanges) c = sd_changes_new ();

  sd_changes_set_int (c, "deal_id", deal);
  sd_changes_set_text (c, "kind", "photo");
  sd_changes_set_text (c, "name", "IMG_0001.jpg");
  return sd_store_insert (store, SD_ENTITY_FILE, c, error);
}

static gint64
comment (SdStore *store,
         gint64   deal,
         GError **error)
{
  g_autoptr(SdChanges) c = sd_changes_new ();

  sd_changes_set_int (c, "deal_id", deal);
  sd_changes_set_text (c, "kind", "comment");
  sd_changes_set_text (c, "text", "Клиент просит перезвонить");
  return sd_store_insert (store, SD_ENTITY_TIMELINE, c, error);
}

static void
test_refusals_write_nothing (SdTestStore  *f,
                             gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SdChanges) title = sd_changes_new ();
  gint64 at_work = sd_test_store_add_deal (f, "На объекте", f->stage_work, 100);
  gint64 at_new = sd_test_store_add_deal (f, "Новая", f->stage_new, 100);
  Snapshot before = snapshot (f->store);

  sd_changes_set_text (title, "title", "Переименована");

  /* The clerk only views at "work". */
  sd_store_set_actor (f->store, f->clerk);
  g_assert_false (sd_store_update (f->store, SD_ENTITY_DEAL, at_work, title, &error));
  g_assert_error (error, SD_ACCESS_ERROR, SD_ACCESS_ERROR_DENIED);
  g_assert_nonnull (strstr (error->message, "Иванова Анна"));
  g_clear_error (&error);
  g_assert_false (sd_store_move_deal (f->store, at_work, f->stage_won, &error));
  g_assert_error (error, SD_ACCESS_ERROR, SD_ACCESS_ERROR_DENIED);
  g_clear_error (&error);
  g_assert_cmpint (attach (f->store, at_work, &error), ==, 0);
  g_assert_error (error, SD_ACCESS_ERROR, SD_ACCESS_ERROR_DENIED);
  g_clear_error (&error);
  g_assert_cmpint (comment (f->store, at_work, &error), ==, 0);
  g_assert_error (error, SD_ACCESS_ERROR, SD_ACCESS_ERROR_DENIED);
  g_clear_error (&error);

  /* The fitter attaches at "work", and nothing else. */
  sd_store_set_actor (f->store, f->fitter);
  g_assert_false (sd_store_move_deal (f->store, at_work, f->stage_won, &error));
  g_assert_error (error, SD_ACCESS_ERROR, SD_ACCESS_ERROR_DENIED);
  g_clear_error (&error);
  g_assert_cmpint (attach (f->store, at_new, &error), ==, 0);
  g_assert_error (error, SD_ACCESS_ERROR, SD_ACCESS_ERROR_DENIED);
  g_clear_error (&error);
  /* Deny by default: a stage with no row for the role. */
  g_assert_false (sd_store_delete (f->store, SD_ENTITY_DEAL, at_new, &error));
  g_assert_error (error, SD_ACCESS_ERROR, SD_ACCESS_ERROR_DENIED);
  g_clear_error (&error);
  /* Setting up pipelines is not a user's write. */
  {
    g_autoptr(SdChanges) c = sd_changes_new ();
    sd_changes_set_text (c, "code", "mine");
    sd_changes_set_text (c, "name", "Mine");
    g_assert_cmpint (sd_store_insert (f->store, SD_ENTITY_PIPELINE, c, &error), ==, 0);
    g_assert_error (error, SD_ACCESS_ERROR, SD_ACCESS_ERROR_DENIED);
    g_clear_error (&error);
  }

  assert_unchanged (f->store, &before);

  /* What is allowed goes through. */
  g_assert_cmpint (attach (f->store, at_work, &error), >, 0);
  g_assert_no_error (error);
  sd_store_set_actor (f->store, f->clerk);
  g_assert_cmpint (comment (f->store, at_new, &error), >, 0);
  g_assert_true (sd_store_move_deal (f->store, at_new, f->stage_work, &error));
  g_assert_no_error (error);
  /* ...and once there, the clerk may no longer edit it. */
  g_assert_false (sd_store_update (f->store, SD_ENTITY_DEAL, at_new, title, &error));
  g_assert_error (error, SD_ACCESS_ERROR, SD_ACCESS_ERROR_DENIED);
  g_clear_error (&error);

  sd_store_set_actor (f->store, f->boss);
  g_assert_true (sd_store_update (f->store, SD_ENTITY_DEAL, at_new, title, &error));
  g_assert_true (sd_store_move_deal (f->store, at_new, f->stage_won, &error));
  g_assert_no_error (error);
}

static void
test_access_bits (SdTestStore  *f,
                  gconstpointer data)
{
  g_assert_cmpint (sd_store_get_access (f->store, f->fitter, f->stage_work), ==,
                   SD_ACCESS_VIEW | SD_ACCESS_ATTACH);
  g_assert_cmpint (sd_store_get_access (f->store, f->fitter, f->stage_new), ==, SD_ACCESS_NONE);
  g_assert_cmpint (sd_store_get_access (f->store, SD_ACTOR_SYSTEM, f->stage_new), ==,
                   SD_ACCESS_ALL);
  g_assert_cmpint (sd_store_get_access (f->store, 9999, f->stage_new), ==, SD_ACCESS_NONE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/core/access/refusals-write-nothing", SdTestStore, NULL, sd_test_store_setup,
              test_refusals_write_nothing, sd_test_store_teardown);
  g_test_add ("/core/access/bits", SdTestStore, NULL, sd_test_store_setup, test_access_bits,
              sd_test_store_teardown);
  return g_test_run ();
}
