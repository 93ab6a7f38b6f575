/* sd-render.h: draw a realised widget into a PNG file, without user interaction.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Renders @widget (mapped, laid out, inside a realised toplevel) into a PNG of
 * @width × @height pixels at @path. */
gboolean sd_render_widget_to_png (GtkWidget   *widget,
                                  int          width,
                                  int          height,
                                  const char  *path,
                                  GError     **error);

/* Parses "WxH" (for example "1280x800") into two positive sizes. */
gboolean sd_render_parse_size    (const char  *text,
                                  int         *width,
                                  int         *height);

G_END_DECLS
