/* test-cli.c: sdelka-cli as people and scripts use it — output, exit status, language.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

static char *cli;
static char *dir;
static char *db;

typedef struct
{
  int   status;
  char *out;
  char *err;
} Run;

static void
run_clear (Run *run)
{
  g_free (run->out);
  g_free (run->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

/* Runs sdelka-cli with @args (NULL-terminated) in the C locale unless @lang is given. */
static Run
run_cli_lang (const char  *lang,
              const char  *first,
              ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) env = g_get_environ ();
  g_autoptr(GError) error = NULL;
  Run run = { 0 };
  va_list args;
  int wait_status;

  g_ptr_array_add (argv, cli);
  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  env = g_environ_setenv (env, "LC_ALL", lang != NULL ? lang : "C.UTF-8", TRUE);
  env = g_environ_setenv (env, "LANGUAGE", lang != NULL ? "ru" : "", TRUE);
  env = g_environ_setenv (env, "XDG_DATA_HOME", dir, TRUE);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, env, G_SPAWN_DEFAULT, NULL, NULL,
                               &run.out, &run.err, &wait_status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  run.status = WEXITSTATUS (wait_status);
  return run;
}

#define run_cli(...) run_cli_lang (NULL, __VA_ARGS__)

static void
test_usage (void)
{
  const char *commands[] = { "demo", "stats", "search", "deal", "journal", "playbook", "users" };

  {
    g_auto(Run) r = run_cli ("--help", NULL);
    g_assert_cmpint (r.status, ==, 0);
    for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
      g_assert_nonnull (strstr (r.out, commands[i]));
  }
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_auto(Run) r = run_cli (commands[i], "--help", NULL);
      g_assert_cmpint (r.status, ==, 0);
      g_assert_nonnull (strstr (r.out, "--db"));
    }
  {
    g_auto(Run) r = run_cli ("frobnicate", NULL);
    g_assert_cmpint (r.status, ==, 2);
    g_assert_nonnull (strstr (r.err, "frobnicate"));
  }
  {
    g_auto(Run) r = run_cli (NULL, NULL);
    g_assert_cmpint (r.status, ==, 2);
  }
  {
    g_auto(Run) r = run_cli ("demo", "--deals", "x", "f.db", NULL);
    g_assert_cmpint (r.status, ==, 2);
  }
  {
    g_auto(Run) r = run_cli ("deal", "show", "abc", NULL);
    g_assert_cmpint (r.status, ==, 2);
  }
  {
    g_auto(Run) r = run_cli ("deal", "move", "1", "won", NULL);
    g_assert_cmpint (r.status, ==, 2);  /* no --as */
    g_assert_nonnull (strstr (r.err, "--as"));
  }
}

static void
test_demo_stats_search_show (void)
{
  {
    g_auto(Run) r = run_cli ("demo", "--deals", "400", "--seed", "3", "--today", "2026-11-26",
                             db, NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, "400"));
  }
  {
    /* An existing file is not replaced without --force. */
    g_auto(Run) r = run_cli ("demo", "--deals", "10", db, NULL);
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "--force"));
  }
  {
    g_auto(Run) r = run_cli ("--db", db, "stats", NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, "Renovation"));
    g_assert_nonnull (strstr (r.out, "Measurement agreed"));
    g_assert_nonnull (strstr (r.out, "₽"));
  }
  {
    g_auto(Run) r = run_cli ("stats", "--db", db, NULL);  /* --db after the command too */
    g_assert_cmpint (r.status, ==, 0);
  }
  {
    g_auto(Run) r = run_cli ("--db", db, "search", "ремонт", NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, "deal"));
  }
  {
    g_auto(Run) r = run_cli ("--db", db, "search", "Щзщзщзщ", NULL);
    g_assert_cmpint (r.status, ==, 1);
  }
  {
    g_auto(Run) r = run_cli ("--db", db, "deal", "show", "1", NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, "Left to pay"));
    g_assert_nonnull (strstr (r.out, "Journal"));
  }
  {
    g_auto(Run) r = run_cli ("--db", db, "deal", "show", "999999", NULL);
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "999999"));
  }
}

/* The first renovation deal at a stage, by the stage's code. */
static char *
renovation_deal_at (const char *stage)
{
  g_autofree char *sql = g_strdup_printf ("SELECT d.id FROM deals d JOIN stages s ON s.id = "
                                          "d.stage_id WHERE s.code = '%s' ORDER BY d.id LIMIT 1",
                                          stage);
  g_autofree char *out = NULL;
  char *argv[] = { "sqlite3", db, sql, NULL };
  int status;

  g_assert_true (g_spawn_sync (NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL,
                               &status, NULL));
  g_strstrip (out);
  g_assert_cmpstr (out, !=, "");
  return g_steal_pointer (&out);
}

static char *
login_of_role (const char *role)
{
  g_auto(Run) r = run_cli ("--db", db, "users", NULL);
  g_auto(GStrv) lines = g_strsplit (r.out, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_suffix (lines[i], role))
      {
        g_auto(GStrv) words = g_strsplit_set (g_strstrip (lines[i]), " ", -1);
        for (guint w = 1; words[w] != NULL; w++)
          if (*words[w] != '\0')
            return g_strdup (words[w]);
      }
  g_assert_not_reached ();
}

static void
test_move_follows_access (void)
{
  g_autofree char *deal = renovation_deal_at ("works");
  g_autofree char *foreman = login_of_role ("foreman");
  g_autofree char *head = login_of_role ("head");

  {
    g_auto(Run) r = run_cli ("--db", db, "deal", "move", deal, "stage_act", "--as", foreman, NULL);
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "may not move"));
  }
  {
    g_auto(Run) r = run_cli ("--db", db, "deal", "move", deal, "no_such_stage", "--as", head,
                             NULL);
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "stage_act"));  /* lists the stages there are */
  }
  {
    g_auto(Run) r = run_cli ("--db", db, "deal", "move", deal, "stage_act", "--as", head, NULL);
    g_assert_cmpint (r.status, ==, 0);
  }
  {
    g_auto(Run) r = run_cli ("--db", db, "journal", "--deal", deal, NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, "stage_id"));
    g_assert_nonnull (strstr (r.out, "update"));
  }
}

static void
test_playbook_check (void)
{
  g_autofree char *good = g_build_filename (g_getenv ("SDELKA_DATADIR"), "playbooks",
                                            "renovation.json", NULL);
  g_autofree char *bad = g_build_filename (dir, "bad.json", NULL);

  g_assert_true (g_file_set_contents (bad, "{\"format\": 1, \"code\": 42}", -1, NULL));
  {
    g_auto(Run) r = run_cli ("playbook", "check", good, NULL);
    g_assert_cmpint (r.status, ==, 0);
  }
  {
    g_auto(Run) r = run_cli ("playbook", "check", good, bad, NULL);
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "bad.json"));
    g_assert_nonnull (strstr (r.err, "$."));
  }
}

static void
test_russian (void)
{
  g_auto(Run) r = run_cli_lang ("ru_RU.UTF-8", "--db", db, "deal", "show", "1", NULL);

  if (strstr (r.out, "Left to pay") != NULL && g_getenv ("SDELKA_LOCALEDIR") == NULL)
    {
      g_test_skip ("translations are not built");
      return;
    }
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "Осталось"));
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  cli = g_strdup (g_getenv ("SDELKA_CLI"));
  if (cli == NULL)
    {
      g_printerr ("SDELKA_CLI names the sdelka-cli to test (meson test sets it)\n");
      return 1;
    }
  dir = g_dir_make_tmp ("sdelka-cli-XXXXXX", NULL);
  db = g_build_filename (dir, "cli.db", NULL);
  g_test_add_func ("/cli/usage-and-exit-status", test_usage);
  g_test_add_func ("/cli/demo-stats-search-show", test_demo_stats_search_show);
  g_test_add_func ("/cli/move-follows-access", test_move_follows_access);
  g_test_add_func ("/cli/playbook-check", test_playbook_check);
  g_test_add_func ("/cli/russian", test_russian);
  status = g_test_run ();
  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;
    while ((name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *path = g_build_filename (dir, name, NULL);
        g_unlink (path);
      }
    g_rmdir (dir);
  }
  g_free (cli);
  g_free (dir);
  g_free (db);
  return status;
}
