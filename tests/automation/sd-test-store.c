/* sd-test-store.c: fresh store files for the automation tests.
 *
 * The digest reads the file through its own connection, so it sees what was committed,
 * not what the store under test believes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-test-store.h"

#include <glib/gstdio.h>
#include <sqlite3.h>

SdTestStore *
sd_test_store_new (void)
{
  g_autoptr(GError) error = NULL;
  SdTestStore *ts = g_new0 (SdTestStore, 1);

  ts->dir = g_dir_make_tmp ("sdelka-automation-XXXXXX", &error);
  g_assert_no_error (error);
  ts->path = g_build_filename (ts->dir, "store.db", NULL);
  ts->store = sd_store_open (ts->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ts->store);
  return ts;
}

void
sd_test_store_free (SdTestStore *ts)
{
  const char *suffixes[] = { "", "-wal", "-shm" };

  g_clear_object (&ts->store);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (ts->path, suffixes[i], NULL);
      g_unlink (file);
    }
  g_rmdir (ts->dir);
  g_free (ts->path);
  g_free (ts->dir);
  g_free (ts);
}

static sqlite3 *
open_reader (SdTestStore *ts)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (ts->path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  return db;
}

char *
sd_test_store_digest (SdTestStore *ts)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GPtrArray) tables = g_ptr_array_new_with_free_func (g_free);
  sqlite3 *db = open_reader (ts);
  sqlite3_stmt *stmt;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT name FROM sqlite_schema WHERE type = 'table' "
                                           "AND name NOT LIKE 'search%' AND name NOT LIKE 'sqlite%' "
                                           "ORDER BY name", -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (tables, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);

  for (guint t = 0; t < tables->len; t++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT * FROM \"%s\" ORDER BY 1",
                                              (const char *) tables->pdata[t]);

      g_checksum_update (checksum, (const guchar *) tables->pdata[t], -1);
      g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        for (int c = 0; c < sqlite3_column_count (stmt); c++)
          {
            const char *text = (const char *) sqlite3_column_text (stmt, c);
            g_checksum_update (checksum, (const guchar *) (text ? text : "\x01NULL"), -1);
            g_checksum_update (checksum, (const guchar *) "\x02", 1);
          }
      sqlite3_finalize (stmt);
    }
  sqlite3_close (db);
  return g_strdup (g_checksum_get_string (checksum));
}

gint64
sd_test_store_count (SdTestStore *ts,
                     const char  *table)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM \"%s\"", table);
  sqlite3 *db = open_reader (ts);
  sqlite3_stmt *stmt;
  gint64 count;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  count = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return count;
}

SdPlaybook *
sd_test_load_shipped (const char *file_name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (g_getenv ("SDELKA_DATADIR"), "playbooks",
                                            file_name, NULL);
  SdPlaybook *pb = sd_playbook_load_file (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (pb);
  return pb;
}
