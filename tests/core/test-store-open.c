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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/store/migrate-from-zero-and-reopen", test_migrate_from_zero_and_reopen);
  g_test_add_func ("/core/store/newer-schema-refused", test_newer_schema_refused_untouched);
  g_test_add_func ("/core/store/corrupt-file-refused", test_corrupt_file_refused_untouched);
  g_test_add_func ("/core/store/missing-folder", test_missing_folder);
  g_test_add_func ("/core/store/read-only-folder", test_read_only_folder);
  return g_test_run ();
}
