/* bench-app.c: the application as sdelka starts it, over the database named on the
 * command line, showing its first pipeline's board.
 *
 *   bench-app DB first-frame   prints "presented" after the first frame and quits
 *   bench-app DB move N        moves a deal N times between the first two columns and
 *                              prints how long each move took until both columns showed it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdlib.h>

#include "bench-frame.h"
#include "pipeline/sd-deal-item.h"
#include "pipeline/sd-stage-column.h"
#include "sd-application.h"
#include "window/sd-window.h"

static guint n_moves;
static guint settle_frames;

static guint
count (SdStageColumn *column)
{
  return g_list_model_get_n_items (G_LIST_MODEL (sd_stage_column_get_model (column)));
}

static gboolean
move_tick (GtkWidget     *widget,
           GdkFrameClock *clock,
           gpointer       user_data)
{
  SdKanban *kanban = sd_window_get_kanban (SD_WINDOW (widget));
  g_autoptr(GPtrArray) columns = NULL;
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));

  if (!gtk_widget_get_mapped (widget) || ++settle_frames < 3)
    return G_SOURCE_CONTINUE;

  columns = sd_kanban_get_columns (kanban);
  for (guint i = 0; i < n_moves; i++)
    {
      SdStageColumn *from = columns->pdata[i % 2];
      SdStageColumn *to = columns->pdata[(i + 1) % 2];
      g_autoptr(SdDealItem) item = g_list_model_get_item (G_LIST_MODEL (sd_stage_column_get_model (from)), 0);
      guint n_from = count (from), n_to = count (to);
      g_autoptr(GError) error = NULL;
      gint64 start = g_get_monotonic_time ();
      double ms;

      if (!sd_kanban_move_deal (kanban, sd_deal_item_get_id (item),
                                sd_stage_column_get_stage (to), &error))
        g_error ("move refused: %s", error->message);
      /* The columns' models and headers change in the store's notification; their list
       * views take the new rows at the next layout, which this forces. */
      gtk_widget_measure (GTK_WIDGET (kanban), GTK_ORIENTATION_VERTICAL, -1, NULL, NULL, NULL, NULL);
      ms = (g_get_monotonic_time () - start) / 1000.0;
      if (count (from) != n_from - 1 || count (to) != n_to + 1)
        g_error ("the columns did not follow the move");
      g_array_append_val (times, ms);
    }
  for (guint i = 0; i < times->len; i++)
    printf ("move %.3f\n", g_array_index (times, double, i));
  fflush (stdout);
  g_application_quit (g_application_get_default ());
  return G_SOURCE_REMOVE;
}

static void
on_activate (GApplication *app,
             const char   *mode)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (g_str_equal (mode, "move"))
    gtk_widget_add_tick_callback (GTK_WIDGET (window), move_tick, NULL, NULL);
}

/* The first frame is watched from the window's creation on: connected before activate
 * presents it. */
static void
on_window_added (GtkApplication *app,
                 GtkWindow      *window)
{
  sd_bench_quit_after_first_frame (GTK_WIDGET (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(SdApplication) app = NULL;
  g_autoptr(GSettings) settings = NULL;
  const char *mode;

  if (argc < 3)
    {
      g_printerr ("usage: bench-app DB first-frame | bench-app DB move N\n");
      return 2;
    }
  mode = argv[2];
  n_moves = argc > 3 ? (guint) atoi (argv[3]) : 0;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("SDELKA_LOCALEDIR"));
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  settings = g_settings_new (APP_ID);
  g_settings_set_string (settings, "database-path", argv[1]);

  app = sd_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  if (g_str_equal (mode, "first-frame"))
    g_signal_connect (app, "window-added", G_CALLBACK (on_window_added), NULL);
  g_signal_connect_after (app, "activate", G_CALLBACK (on_activate), (gpointer) mode);
  return g_application_run (G_APPLICATION (app), 1, argv);
}
