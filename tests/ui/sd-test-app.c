/* sd-test-app.c: running the application in a UI test, and demo databases for it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "sd-test-app.h"

#include <glib/gstdio.h>

#include "sd-demo.h"

/* 2026-11-26 00:00 UTC: the demo's dates, and so its overdue badges, stay put. */
#define DEMO_TODAY G_GINT64_CONSTANT (1795651200)

typedef struct
{
  SdWindowCheck check;
  gpointer      user_data;
  guint         frames;
  gboolean      ran;
  GtkWidget    *window;
} RunData;

static void
after_paint_cb (GdkFrameClock *clock,
                RunData       *data)
{
  GtkWidget *widget = data->window;
  SdApplication *app = SD_APPLICATION (gtk_window_get_application (GTK_WINDOW (widget)));

  g_signal_handlers_disconnect_by_func (clock, after_paint_cb, data);
  data->check (app, SD_WINDOW (widget), data->user_data);
  data->ran = TRUE;
  gtk_window_close (GTK_WINDOW (widget));
}

/* After a few frames, once the frame is laid out and painted (so that what idles changed
 * is allocated), the check runs. */
static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  RunData *data = user_data;

  if (!gtk_widget_get_mapped (widget) || ++data->frames < 3)
    return G_SOURCE_CONTINUE;
  data->window = widget;
  g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), data);
  gtk_widget_queue_draw (widget);
  return G_SOURCE_REMOVE;
}

static void
on_activate (GApplication *application,
             RunData      *data)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (application));

  g_assert_true (SD_IS_WINDOW (window));
  gtk_widget_add_tick_callback (GTK_WIDGET (window), tick_cb, data, NULL);
}

void
sd_test_run_with_window (SdWindowCheck check,
                         gpointer      user_data)
{
  g_autoptr(SdApplication) app = sd_application_new ();
  RunData data = { check, user_data, 0, FALSE, NULL };
  int status;

  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (app, "activate", G_CALLBACK (on_activate), &data);
  status = g_application_run (G_APPLICATION (app), 0, NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (data.ran);
}

void
sd_test_settle (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static char *tmp_dir;

char *
sd_test_use_demo (const char *name,
                  guint       n_deals)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  char *path;

  if (tmp_dir == NULL)
    {
      g_autoptr(GError) error = NULL;

      tmp_dir = g_dir_make_tmp ("sdelka-ui-XXXXXX", &error);
      g_assert_no_error (error);
    }
  path = g_build_filename (tmp_dir, name, NULL);
  /* Made once a run; each test that changes it uses a name of its own. */
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SdStore) store = sd_store_open (path, &error);
      SdDemoOptions options = { n_deals, 1, DEMO_TODAY };

      g_assert_no_error (error);
      g_assert_true (sd_demo_generate (store, &options, NULL, NULL, &error));
      g_assert_no_error (error);
    }
  g_settings_set_string (settings, "database-path", path);
  g_settings_set_string (settings, "last-pipeline", "");
  return path;
}

void
sd_test_collect_text (GtkWidget *widget,
                      GString   *text)
{
  if (!gtk_widget_get_visible (widget))
    return;
  if (GTK_IS_LABEL (widget))
    g_string_append (text, gtk_label_get_text (GTK_LABEL (widget)));
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    sd_test_collect_text (child, text);
}

void
sd_test_cleanup (void)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (tmp_dir == NULL)
    return;
  dir = g_dir_open (tmp_dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (tmp_dir, name, NULL);

      g_remove (path);
    }
  g_rmdir (tmp_dir);
  g_clear_pointer (&tmp_dir, g_free);
}
