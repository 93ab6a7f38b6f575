/* test-demo.c: the demo dataset is the same for the same seed and looks like a real one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-demo.h"
#include "sd-records.h"
#include "sd-store-private.h"
#include "sd-text.h"

#include <glib/gstdio.h>

#define TODAY 1795651200  /* 2026-11-26 */

typedef struct
{
  char *dir;
} Fixture;

static void
fixture_setup (Fixture      *f,
               gconstpointer data)
{
  f->dir = g_dir_make_tmp ("sdelka-demo-XXXXXX", NULL);
}

static void
fixture_teardown (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
}

static SdStore *
make (Fixture    *f,
      const char *name,
      guint       deals,
      guint64     seed)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, name, NULL);
  SdDemoOptions options = { deals, seed, TODAY };
  SdStore *store = sd_store_open (path, &error);

  g_assert_no_error (error);
  g_assert_true (sd_demo_generate (store, &options, NULL, NULL, &error));
  g_assert_no_error (error);
  return store;
}

/* A digest of every row of every table, in a stable order. */
static char *
digest (SdStore *store)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GPtrArray) tables = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt = sd_store_prepare (store,
                                         "SELECT name FROM sqlite_schema WHERE type = 'table' "
                                         "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'search_%' "
                                         "ORDER BY name", NULL);

  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (tables, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_reset (stmt);
  g_assert_cmpuint (tables->len, >, 15);

  for (guint i = 0; i < tables->len; i++)
    {
      /* Tables WITHOUT ROWID (meta) are ordered by their key instead. */
      g_autofree char *sql = g_strdup_printf ("SELECT * FROM \"%s\" ORDER BY rowid",
                                              (const char *) tables->pdata[i]);
      g_autofree char *by_key = g_strdup_printf ("SELECT * FROM \"%s\" ORDER BY 1",
                                                 (const char *) tables->pdata[i]);
      sqlite3_stmt *rows = NULL;

      if (sqlite3_prepare_v2 (sd_store_get_db (store), sql, -1, &rows, NULL) != SQLITE_OK)
        g_assert_cmpint (sqlite3_prepare_v2 (sd_store_get_db (store), by_key, -1, &rows, NULL),
                         ==, SQLITE_OK);
      g_checksum_update (checksum, tables->pdata[i], -1);
      while (sqlite3_step (rows) == SQLITE_ROW)
        for (int c = 0; c < sqlite3_column_count (rows); c++)
          {
            const char *text = (const char *) sqlite3_column_text (rows, c);
            g_checksum_update (checksum, (const guchar *) (text ? text : "\x01NULL"), -1);
            g_checksum_update (checksum, (const guchar *) "\x02", 1);
          }
      sqlite3_finalize (rows);
    }
  return g_strdup (g_checksum_get_string (checksum));
}

static gint64
count (SdStore    *store,
       const char *sql)
{
  sqlite3_stmt *stmt = sd_store_prepare (store, sql, NULL);
  gint64 n;

  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return n;
}

static void
test_same_seed_same_database (Fixture      *f,
                              gconstpointer data)
{
  g_autoptr(SdStore) a = make (f, "a.db", 500, 42);
  g_autoptr(SdStore) b = make (f, "b.db", 500, 42);
  g_autoptr(SdStore) c = make (f, "c.db", 500, 43);
  g_autofree char *da = digest (a);
  g_autofree char *db = digest (b);
  g_autofree char *dc = digest (c);

  g_assert_cmpstr (da, ==, db);
  g_assert_cmpstr (da, !=, dc);
}

static void
test_looks_real (Fixture      *f,
                 gconstpointer data)
{
  g_autoptr(SdStore) store = make (f, "real.db", 2000, 7);
  sqlite3_stmt *stmt;
  gint64 deals = count (store, "SELECT count(*) FROM deals");
  gint64 won = count (store, "SELECT count(*) FROM deals d JOIN stages s ON s.id = d.stage_id "
                             "WHERE s.semantics = 'won'");
  gint64 lost = count (store, "SELECT count(*) FROM deals d JOIN stages s ON s.id = d.stage_id "
                              "WHERE s.semantics = 'lost'");

  g_assert_cmpint (deals, ==, 2000);
  /* A funnel: some won, some lost, most still in progress; early stages fuller. */
  g_assert_cmpint (won, >, deals / 10);
  g_assert_cmpint (won, <, deals / 3);
  g_assert_cmpint (lost, >, deals / 10);
  g_assert_cmpint (count (store,
                          "SELECT (SELECT count(*) FROM deals d JOIN stages s ON s.id = d.stage_id"
                          "  WHERE s.code = 'registration') > "
                          "(SELECT count(*) FROM deals d JOIN stages s ON s.id = d.stage_id"
                          "  WHERE s.code = 'final_act')"), ==, 1);

  /* Dates over the year before "today", none after it. */
  g_assert_cmpint (count (store, "SELECT count(*) FROM deals WHERE created_at > '2026-11-26' "
                                 "OR created_at < '2025-11-25'"), ==, 0);
  g_assert_cmpint (count (store, "SELECT count(DISTINCT substr(created_at, 1, 7)) FROM deals"),
                   >=, 12);

  /* Every deal has a contact and a responsible; every role has people; heads lead. */
  g_assert_cmpint (count (store, "SELECT count(*) FROM deals WHERE contact_id IS NULL"), ==, 0);
  g_assert_cmpint (count (store, "SELECT count(*) FROM deals d WHERE NOT EXISTS (SELECT 1 FROM "
                                 "deal_responsibles r WHERE r.deal_id = d.id)"), ==, 0);
  g_assert_cmpint (count (store, "SELECT count(*) FROM roles r WHERE NOT EXISTS (SELECT 1 FROM "
                                 "users u WHERE u.role_id = r.id)"), ==, 0);
  g_assert_cmpint (count (store, "SELECT count(*) FROM departments WHERE head_user_id IS NULL"),
                   ==, 0);
  g_assert_cmpint (count (store, "SELECT count(*) FROM departments WHERE parent_id IS NULL"), ==,
                   1);
  g_assert_cmpint (count (store, "SELECT count(*) FROM users WHERE sales_plan > 0"), >, 5);

  /* Payments never exceed the amount; some balances are overdue. */
  g_assert_cmpint (count (store, "SELECT count(*) FROM deals d WHERE d.amount < (SELECT "
                                 "coalesce(sum(amount), 0) FROM payments p WHERE p.deal_id = d.id)"),
                   ==, 0);
  g_assert_cmpint (count (store, "SELECT count(*) FROM payments WHERE status = 'planned' AND "
                                 "due_on < '2026-11-26'"), >, 0);

  /* Requisites with valid tax numbers; Russian names. */
  stmt = sd_store_prepare (store, "SELECT inn FROM companies", NULL);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_assert_true (sd_text_inn_is_valid ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_reset (stmt);
  g_assert_cmpint (count (store, "SELECT count(*) FROM contacts WHERE last_name GLOB '*[а-я]*'"),
                   ==, count (store, "SELECT count(*) FROM contacts"));

  /* Made through the write API: journaled as demo data, indexed for search. */
  g_assert_cmpint (count (store, "SELECT count(*) FROM journal WHERE entity = 'deal' AND "
                                 "origin = 'demo'"), ==, deals);
  g_assert_cmpint (count (store, "SELECT count(*) FROM journal WHERE origin = 'local'"), ==, 0);
}

static void
test_embedded_default (Fixture      *f,
                       gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "sub", "sdelka.db", NULL);
  g_autofree char *sub = g_build_filename (f->dir, "sub", NULL);
  g_autoptr(SdStore) store = sd_demo_open_or_create (path, &error);
  g_autoptr(SdStore) again = NULL;
  gint64 deals;

  g_assert_no_error (error);
  deals = count (store, "SELECT count(*) FROM deals");
  g_assert_cmpint (deals, ==, 300);
  g_clear_object (&store);

  /* Opening again keeps what is there. */
  again = sd_demo_open_or_create (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (count (again, "SELECT count(*) FROM deals"), ==, deals);
  g_clear_object (&again);
  {
    g_autoptr(GDir) dir = g_dir_open (sub, 0, NULL);
    const char *name;
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *child = g_build_filename (sub, name, NULL);
        g_assert_false (g_str_has_suffix (name, ".part"));
        g_unlink (child);
      }
  }
  g_rmdir (sub);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/demo/same-seed-same-database", Fixture, NULL, fixture_setup,
              test_same_seed_same_database, fixture_teardown);
  g_test_add ("/demo/looks-real", Fixture, NULL, fixture_setup, test_looks_real, fixture_teardown);
  g_test_add ("/demo/embedded-default", Fixture, NULL, fixture_setup, test_embedded_default,
              fixture_teardown);
  return g_test_run ();
}
