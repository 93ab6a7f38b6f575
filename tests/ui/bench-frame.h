/* bench-frame.h: "presented" on stdout after a window's first drawn frame, then quit; the
 * benchmark driver times the process from its start to that line.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include <stdio.h>

static void
sd_bench_after_paint (GdkFrameClock *clock,
                      GtkWidget     *window)
{
  g_signal_handlers_disconnect_by_func (clock, sd_bench_after_paint, window);
  printf ("presented\n");
  fflush (stdout);
  g_application_quit (g_application_get_default ());
}

static void
sd_bench_on_map (GtkWidget *window)
{
  g_signal_connect_object (gtk_widget_get_frame_clock (window), "after-paint",
                           G_CALLBACK (sd_bench_after_paint), window, 0);
}

static inline void
sd_bench_quit_after_first_frame (GtkWidget *window)
{
  g_signal_connect (window, "map", G_CALLBACK (sd_bench_on_map), NULL);
}
