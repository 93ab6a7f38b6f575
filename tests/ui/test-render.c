/* test-render.c: `sdelka --render window|kanban|deal` writes a PNG of the size asked for,
 * acting as whom --as names; bad options are refused with exit status 2, a user or deal
 * that is not there with 1.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <string.h>

static const char *
sdelka_path (void)
{
  const char *path = g_getenv ("SDELKA_EXE");

  g_assert_nonnull (path);
  return path;
}

static int
run_sdelka_env (const char * const *args,
                char              **envp,
                char              **out,
                char              **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  int wait_status = 0;

  g_ptr_array_add (argv, (gpointer) sdelka_path ());
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, envp, G_SPAWN_DEFAULT, NULL, NULL,
                out, err, &wait_status, &error);
  g_assert_no_error (error);
  if (!WIFEXITED (wait_status))
    return -1;
  return WEXITSTATUS (wait_status);
}

static int
run_sdelka (const char * const *args,
            char              **err)
{
  return run_sdelka_env (args, NULL, NULL, err);
}

/* Renders @view (with @extra options) and checks the picture's size. */
static void
check_render_view (const char         *view,
                   const char * const *extra,
                   const char         *size,
                   int                 width,
                   int                 height)
{
  g_autofree char *dir = g_dir_make_tmp ("sdelka-render-XXXXXX", NULL);
  g_autofree char *out = g_build_filename (dir, "view.png", NULL);
  g_autofree char *err = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  int status;

  g_assert_nonnull (dir);
  g_ptr_array_add (args, (gpointer) "--render");
  g_ptr_array_add (args, (gpointer) view);
  g_ptr_array_add (args, (gpointer) "--out");
  g_ptr_array_add (args, out);
  if (size != NULL)
    {
      g_ptr_array_add (args, (gpointer) "--size");
      g_ptr_array_add (args, (gpointer) size);
    }
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (args, (gpointer) extra[i]);
  g_ptr_array_add (args, NULL);
  status = run_sdelka ((const char * const *) args->pdata, &err);
  if (status != 0)
    g_test_message ("sdelka said: %s", err);
  g_assert_cmpint (status, ==, 0);

  file = g_file_new_for_path (out);
  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE,
                            NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_file_info_get_size (info), >, 1000);

  texture = gdk_texture_new_from_file (file, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, width);
  g_assert_cmpint (gdk_texture_get_height (texture), ==, height);

  g_file_delete (file, NULL, NULL);
  g_rmdir (dir);
}

static void
check_render (const char *size,
              int         width,
              int         height)
{
  check_render_view ("window", NULL, size, width, height);
}

static void
test_render_kanban_as (void)
{
  const char *as_foreman[] = { "--as", "komarov20", NULL };

  check_render_view ("kanban", as_foreman, "1000x700", 1000, 700);
}

static void
test_render_deal (void)
{
  const char *deal[] = { "--deal", "1", NULL };

  check_render_view ("deal", deal, "700x900", 700, 900);
  check_render_view ("deal", NULL, NULL, 1200, 800);
}

/* The sync status's panel (not connected, on the demo database). */
static void
test_render_sync (void)
{
  check_render_view ("sync", NULL, "360x260", 360, 260);
}

static void
test_render_missing (void)
{
  const char *nobody[] = { "--render", "kanban", "--out", "x.png", "--as", "nobody", NULL };
  const char *no_deal[] = { "--render", "deal", "--out", "x.png", "--deal", "999999", NULL };
  const char *deal_alone[] = { "--deal", "1", NULL };
  g_autofree char *err1 = NULL;
  g_autofree char *err2 = NULL;
  g_autofree char *err3 = NULL;
  g_autofree char *err4 = NULL;
  /* The demo database has no sync conflict to show. */
  const char *no_conflict[] = { "--render", "conflicts", "--out", "x.png", NULL };

  g_assert_cmpint (run_sdelka (no_conflict, &err4), ==, 1);
  g_assert_nonnull (strstr (err4, "No deal has a sync conflict"));
  g_assert_cmpint (run_sdelka (nobody, &err1), ==, 1);
  g_assert_cmpint (run_sdelka (no_deal, &err2), ==, 1);
  g_assert_cmpint (run_sdelka (deal_alone, &err3), ==, 2);
  g_assert_false (g_file_test ("x.png", G_FILE_TEST_EXISTS));
}

static void
test_render_window (void)
{
  check_render ("800x600", 800, 600);
}

static void
test_render_default_size (void)
{
  check_render (NULL, 1200, 800);
}

static void
test_render_bad_options (void)
{
  const char *no_out[] = { "--render", "window", NULL };
  const char *bad_view[] = { "--render", "nonsense", "--out", "/nonexistent/x.png", NULL };
  const char *bad_size[] = { "--render", "window", "--out", "x.png", "--size", "12x", NULL };
  const char *out_alone[] = { "--out", "x.png", NULL };
  const char * const *cases[] = { no_out, bad_view, bad_size, out_alone };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *err = NULL;

      g_assert_cmpint (run_sdelka (cases[i], &err), ==, 2);
      g_assert_cmpstr (err, !=, "");
    }
}

/* The uninstalled build finds its compiled catalogues (SDELKA_LOCALEDIR) and speaks
 * Russian when asked to. */
static void
test_translated_help (void)
{
  const char *args[] = { "--help", NULL };
  g_auto(GStrv) envp = g_get_environ ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  envp = g_environ_setenv (envp, "LC_ALL", "C.UTF-8", TRUE);
  envp = g_environ_setenv (envp, "LANGUAGE", "ru", TRUE);
  g_assert_cmpint (run_sdelka_env (args, envp, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "Нарисовать ВИД в файл PNG"));
  g_assert_nonnull (strstr (out, "Сделки портала Битрикс24"));
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_remove (child);
    }
  g_rmdir (path);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_printerr ("No display: run under xvfb-run (as .ci/test does)\n");
      return 77;
    }

  g_test_add_func ("/ui/render/window", test_render_window);
  g_test_add_func ("/ui/render/default-size", test_render_default_size);
  g_test_add_func ("/ui/render/kanban-as", test_render_kanban_as);
  g_test_add_func ("/ui/render/deal", test_render_deal);
  g_test_add_func ("/ui/render/sync", test_render_sync);
  g_test_add_func ("/ui/render/missing-user-or-deal", test_render_missing);
  g_test_add_func ("/ui/render/bad-options", test_render_bad_options);
  g_test_add_func ("/ui/translations/help", test_translated_help);

  /* The app makes its demo database on first start: a fresh one each run, of the schema
   * this build knows, not one left in the build folder by an older build. */
  home = g_dir_make_tmp ("sdelka-render-XXXXXX", NULL);
  g_setenv ("XDG_DATA_HOME", home, TRUE);
  status = g_test_run ();
  remove_tree (home);
  return status;
}
