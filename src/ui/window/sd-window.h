/* sd-window.h: the main window: a sidebar of sections and the content beside it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SD_TYPE_WINDOW (sd_window_get_type ())
G_DECLARE_FINAL_TYPE (SdWindow, sd_window, SD, WINDOW, AdwApplicationWindow)

SdWindow   *sd_window_new             (GtkApplication *application,
                                       GSettings      *settings);

/* The sections of the sidebar, by their stable names ("pipelines", "payments", ...). */
const char *sd_window_get_section     (SdWindow       *self);
void        sd_window_set_section     (SdWindow       *self,
                                       const char     *section);

/* Shows @toast (transfer full) over the content. */
void        sd_window_add_toast       (SdWindow       *self,
                                       AdwToast       *toast);

/* The widget a view name given to --render stands for, or NULL if there is no such view. */
GtkWidget  *sd_window_get_view        (SdWindow       *self,
                                       const char     *view);

G_END_DECLS
