/* sd-test-store.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-test-store.h"
#include "sd-store-private.h"

#include <glib/gstdio.h>

static gint64
insert_or_die (SdStore   *store,
               SdEntity   entity,
               SdChanges *changes)
{
  g_autoptr(GError) error = NULL;
  gint64 id = sd_store_insert (store, entity, changes, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  sd_changes_free (changes);
  return id;
}

static gint64
add_stage (SdTestStore *fixture,
           const char  *code,
           const char  *semantics,
           gint64       sort)
{
  SdChanges *c = sd_changes_new ();

  sd_changes_set_int (c, "pipeline_id", fixture->pipeline);
  sd_changes_set_text (c, "code", code);
  sd_changes_set_text (c, "name", code);
  sd_changes_set_int (c, "sort", sort);
  sd_changes_set_text (c, "semantics", semantics);
  return insert_or_die (fixture->store, SD_ENTITY_STAGE, c);
}

static gint64
add_role_user (SdTestStore *fixture,
               const char  *code,
               const char  *first,
               const char  *last)
{
  SdChanges *c = sd_changes_new ();
  gint64 role;

  sd_changes_set_text (c, "code", code);
  sd_changes_set_text (c, "name", code);
  role = insert_or_die (fixture->store, SD_ENTITY_ROLE, c);

  c = sd_changes_new ();
  sd_changes_set_text (c, "login", code);
  sd_changes_set_text (c, "first_name", first);
  sd_changes_set_text (c, "last_name", last);
  sd_changes_set_int (c, "role_id", role);
  return insert_or_die (fixture->store, SD_ENTITY_USER, c);
}

static void
allow (SdTestStore *fixture,
       gint64       user,
       gint64       stage,
       guint        actions)
{
  SdChanges *c = sd_changes_new ();
  sqlite3_stmt *stmt = sd_store_prepare (fixture->store, "SELECT role_id FROM users WHERE id = ?",
                                         NULL);

  sqlite3_bind_int64 (stmt, 1, user);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  sd_changes_set_int (c, "role_id", sqlite3_column_int64 (stmt, 0));
  sqlite3_reset (stmt);
  sd_changes_set_int (c, "stage_id", stage);
  sd_changes_set_int (c, "actions", actions);
  insert_or_die (fixture->store, SD_ENTITY_ACCESS, c);
}

void
sd_test_store_setup (SdTestStore  *fixture,
                     gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  SdChanges *c;

  fixture->dir = g_dir_make_tmp ("sdelka-test-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "store.db", NULL);
  fixture->store = sd_store_open (fixture->path, &error);
  g_assert_no_error (error);

  c = sd_changes_new ();
  sd_changes_set_text (c, "code", "test");
  sd_changes_set_text (c, "name", "Test pipeline");
  fixture->pipeline = insert_or_die (fixture->store, SD_ENTITY_PIPELINE, c);
  fixture->stage_new = add_stage (fixture, "new", "process", 10);
  fixture->stage_work = add_stage (fixture, "work", "process", 20);
  fixture->stage_won = add_stage (fixture, "won", "won", 30);

  fixture->clerk = add_role_user (fixture, "clerk", "Анна", "Иванова");
  fixture->fitter = add_role_user (fixture, "fitter", "Пётр", "Семёнов");
  fixture->boss = add_role_user (fixture, "boss", "Ольга", "Петрова");
  allow (fixture, fixture->clerk, fixture->stage_new,
         SD_ACCESS_VIEW | SD_ACCESS_EDIT | SD_ACCESS_MOVE | SD_ACCESS_CHAT);
  allow (fixture, fixture->clerk, fixture->stage_work, SD_ACCESS_VIEW);
  allow (fixture, fixture->fitter, fixture->stage_work, SD_ACCESS_VIEW | SD_ACCESS_ATTACH);
  allow (fixture, fixture->boss, fixture->stage_new, SD_ACCESS_ALL);
  allow (fixture, fixture->boss, fixture->stage_work, SD_ACCESS_ALL);
  allow (fixture, fixture->boss, fixture->stage_won, SD_ACCESS_ALL);
}

void
sd_test_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        sd_test_remove_tree (child);
      else
        g_remove (child);
    }
  g_rmdir (path);
}

void
sd_test_store_teardown (SdTestStore  *fixture,
                        gconstpointer data)
{
  g_clear_object (&fixture->store);
  sd_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
}

gint64
sd_test_store_add_deal (SdTestStore *fixture,
                        const char  *title,
                        gint64       stage,
                        gint64       amount)
{
  SdChanges *c = sd_changes_new ();
  gint64 actor = sd_store_get_actor (fixture->store);
  gint64 id;

  sd_store_set_actor (fixture->store, SD_ACTOR_SYSTEM);
  sd_changes_set_text (c, "title", title);
  sd_changes_set_int (c, "pipeline_id", fixture->pipeline);
  sd_changes_set_int (c, "stage_id", stage);
  sd_changes_set_int (c, "amount", amount);
  id = insert_or_die (fixture->store, SD_ENTITY_DEAL, c);
  sd_store_set_actor (fixture->store, actor);
  return id;
}

gint64
sd_test_count (SdStore    *store,
               const char *sql)
{
  sqlite3_stmt *stmt = sd_store_prepare (store, sql, NULL);
  gint64 n;

  g_assert_nonnull (stmt);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return n;
}
