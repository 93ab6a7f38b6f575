/* test-store-open.c: migrations, re-open, and files the store must refuse untouched.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-test-store.h"
#include "sd-store-private.h"

#include <glib/gstdio.h>
#include <sys/wait.h>
#include <unistd.h>

static char *
make_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("sdelka-open-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static char *
file_checksum (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (guchar *) contents, length);
}

static void
test_migrate_from_zero_and_reopen (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "new.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SdStore) store = sd_store_open (path, &error);
  g_autofree char *marker = NULL;
  sqlite3_stmt *stmt;

  g_assert_no_error (error);
  g_assert_cmpint (sd_test_count (store, "PRAGMA user_version"), ==, sd_store_schema_version ());
  g_assert_cmpint (sd_test_count (store, "PRAGMA foreign_keys"), ==, 1);
  stmt = sd_store_prepare (store, "PRAGMA journal_mode", NULL);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "wal");
  sqlite3_reset (stmt);
  g_assert_true (sd_store_set_meta (store, "marker", "kept", &error));
  g_clear_object (&store);

  store = sd_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sd_test_count (store, "PRAGMA user_version"), ==, sd_store_schema_version ());
  marker = sd_store_get_meta (store, "marker");
  g_assert_cmpstr (marker, ==, "kept");
  g_clear_object (&store);
  sd_test_remove_tree (dir);
}

static void
test_newer_schema_refused_untouched (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "newer.db", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *wal = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db;
  SdStore *store;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE future (x); PRAGMA user_version = 999",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  before = file_checksum (path);

  store = sd_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, SD_STORE_ERROR, SD_STORE_ERROR_NEWER_SCHEMA);
  g_assert_nonnull (strstr (error->message, "newer"));
  after = file_checksum (path);
  g_assert_cmpstr (before, ==, after);
  wal = g_strconcat (path, "-wal", NULL);
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
  sd_test_remove_tree (dir);
}

static void
test_corrupt_file_refused_untouched (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "corrupt.db", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GError) error = NULL;
  char garbage[4096];
  SdStore *store;

  for (guint i = 0; i < sizeof garbage; i++)
    garbage[i] = (char) (i * 7919 % 251);
  g_assert_true (g_file_set_contents (path, garbage, sizeof garbage, NULL));
  before = file_checksum (path);

  store = sd_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, SD_STORE_ERROR, SD_STORE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, path));
  after = file_checksum (path);
  g_assert_cmpstr (before, ==, after);
  sd_test_remove_tree (dir);
}

static void
test_missing_folder (void)
{
  g_autoptr(GError) error = NULL;
  SdStore *store = sd_store_open ("/nonexistent-sdelka-dir/store.db", &error);

  g_assert_null (store);
  g_assert_error (error, SD_STORE_ERROR, SD_STORE_ERROR_CANNOT_OPEN);
  g_assert_nonnull (strstr (error->message, "does not exist"));
}

/* Root ignores file modes, so the open runs in a child that gives up root first. */
static void
test_read_only_folder (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "store.db", NULL);
  pid_t pid;
  int status;

  g_assert_cmpint (g_chmod (dir, 0555), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      GError *error = NULL;
      SdStore *store;

      if (geteuid () == 0 && setuid (65534) != 0)
        _exit (3);
      store = sd_store_open (path, &error);
      if (store != NULL)
        _exit (1);
      _exit (g_error_matches (error, SD_STORE_ERROR, SD_STORE_ERROR_CANNOT_OPEN) ? 0 : 2);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_chmod (dir, 0700);
  sd_test_remove_tree (dir);
}

static void
exec_ok (SdStore    *store,
         const char *sql)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (sd_store_exec (store, sql, &error));
  g_assert_no_error (error);
}

/* Migration 5 makes the deals table again (a foreign key on stage and pipeline instead of
 * triggers): nothing that refers to a deal may be lost on the way, and a stage of another
 * pipeline is still refused. */
static void
test_migrate_deals_rebuilt (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "old.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SdStore) store = sd_store_open_at_version (path, 4, &error);

  g_assert_no_error (error);
  g_assert_cmpint (sd_test_count (store, "PRAGMA user_version"), ==, 4);
  g_assert_cmpint (sd_test_count (store, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                                         "AND name = 'deals_stage_in_pipeline'"), ==, 1);
  exec_ok (store, "INSERT INTO pipelines (id, code, name) VALUES (1, 'a', 'A'), (2, 'b', 'B');"
                  "INSERT INTO stages (id, pipeline_id, code, name, sort) VALUES (10, 1, 'new', 'New', 1),"
                  " (20, 2, 'new', 'New', 1);"
                  "INSERT INTO deals (id, b24_id, title, pipeline_id, stage_id, amount, created_at, updated_at,"
                  " stage_changed_at) VALUES (7, 70, 'Окна', 1, 10, 500, 'x', 'x', 'x');"
                  "INSERT INTO timeline (deal_id, kind, text, created_at) VALUES (7, 'comment', 'Позвонить', 'x');");
  g_clear_object (&store);

  store = sd_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sd_test_count (store, "PRAGMA user_version"), ==, sd_store_schema_version ());
  g_assert_cmpint (sd_test_count (store, "PRAGMA foreign_keys"), ==, 1);
  g_assert_cmpint (sd_test_count (store, "SELECT count(*) FROM deals WHERE id = 7 AND b24_id = 70 "
                                         "AND title = 'Окна' AND amount = 500"), ==, 1);
  g_assert_cmpint (sd_test_count (store, "SELECT count(*) FROM timeline WHERE deal_id = 7"), ==, 1);
  g_assert_cmpint (sd_test_count (store, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                                         "AND tbl_name = 'deals'"), ==, 0);
  g_assert_cmpint (sd_test_count (store, "SELECT count(*) FROM sqlite_master WHERE type = 'index' "
                                         "AND tbl_name = 'deals' AND sql IS NOT NULL"), ==, 5);
  g_assert_false (sd_store_exec (store, "UPDATE deals SET stage_id = 20 WHERE id = 7", &error));
  g_assert_error (error, SD_STORE_ERROR, SD_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (sd_store_exec (store, "INSERT INTO deals (title, pipeline_id, stage_id, created_at, updated_at,"
                                        " stage_changed_at) VALUES ('Нет', 1, 20, 'x', 'x', 'x')", &error));
  g_assert_error (error, SD_STORE_ERROR, SD_STORE_ERROR_INVALID);
  g_clear_object (&store);
  sd_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/store/migrate-from-zero-and-reopen", test_migrate_from_zero_and_reopen);
  g_test_add_func ("/core/store/migrate-deals-rebuilt", test_migrate_deals_rebuilt);
  g_test_add_func ("/core/store/newer-schema-refused", test_newer_schema_refused_untouched);
  g_test_add_func ("/core/store/corrupt-file-refused", test_corrupt_file_refused_untouched);
  g_test_add_func ("/core/store/missing-folder", test_missing_folder);
  g_test_add_func ("/core/store/read-only-folder", test_read_only_folder);
  return g_test_run ();
}
