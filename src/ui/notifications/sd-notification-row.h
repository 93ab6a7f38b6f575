/* sd-notification-row.h: what the bell's popover and the Notifications page share of a
 * notification's row, and of marking one read.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "sd-notification.h"

G_BEGIN_DECLS

/* A row of @n: its text over its deal and time (@time_format, g_date_time_format's),
 * activatable when it has a deal. *@out_line is the row's horizontal box, for what a list
 * adds beside the text; *@out_text the text's label; *@out_subtitle (optional) the line
 * under it. */
GtkWidget  *sd_notification_row_new       (SdStore               *store,
                                           const SdNotification  *n,
                                           const char            *time_format,
                                           GtkWidget            **out_line,
                                           GtkWidget            **out_text,
                                           char                 **out_subtitle);
/* Replaces the rows of @list with one a notification of @entries, made by @make. */
void        sd_notification_rows_fill     (GtkListBox            *list,
                                           GPtrArray             *entries,
                                           GtkWidget           *(*make) (gpointer              owner,
                                                                         const SdNotification *n),
                                           gpointer               owner);
/* Marks @n read in @store; its copy on the desktop (sent for @widget's application) goes. */
void        sd_notification_row_mark_read (GtkWidget             *widget,
                                           SdStore               *store,
                                           const SdNotification  *n);

G_END_DECLS
