/* sd-notification-row.c: a notification's row and its marking read, for the bell and the
 * Notifications page.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-notifications"

#include "config.h"

#include "sd-notification-row.h"

#include <glib/gi18n.h>

#include "sd-desktop-notification.h"
#include "sd-records.h"

GtkWidget *
sd_notification_row_new (SdStore               *store,
                         const SdNotification  *n,
                         const char            *time_format,
                         GtkWidget            **out_line,
                         GtkWidget            **out_text,
                         char                 **out_subtitle)
{
  g_autofree char *deal = n->deal_id != 0 ? sd_store_describe (store, SD_ENTITY_DEAL, n->deal_id)
                                          : NULL;
  g_autoptr(GDateTime) when = g_date_time_new_from_iso8601 (n->created_at, NULL);
  g_autoptr(GDateTime) local = when != NULL ? g_date_time_to_local (when) : NULL;
  g_autofree char *time = local != NULL ? g_date_time_format (local, time_format) : NULL;
  g_autofree char *subtitle = NULL;
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  GtkWidget *text = gtk_label_new (n->text);
  GtkWidget *meta;

  if (deal != NULL && time != NULL)
    /* TRANSLATORS: a notification's deal and when it came, e.g. "Ремонт ГАЗели · 12.05 14:30" */
    subtitle = g_strdup_printf (_("%s · %s"), deal, time);
  else
    subtitle = g_strdup (deal != NULL ? deal : time != NULL ? time : "");
  meta = gtk_label_new (subtitle);

  gtk_label_set_wrap (GTK_LABEL (text), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (text), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (text), 0);
  gtk_label_set_ellipsize (GTK_LABEL (meta), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (meta), 0);
  gtk_widget_add_css_class (meta, "caption");
  gtk_widget_add_css_class (meta, "dim-label");
  gtk_widget_set_hexpand (box, TRUE);
  gtk_box_append (GTK_BOX (box), text);
  gtk_box_append (GTK_BOX (box), meta);
  gtk_widget_set_margin_top (line, 8);
  gtk_widget_set_margin_bottom (line, 8);
  gtk_widget_set_margin_start (line, 12);
  gtk_widget_set_margin_end (line, 12);
  gtk_box_append (GTK_BOX (line), box);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), line);
  /* An entry without a deal has nothing to open. */
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), n->deal_id != 0);
  if (n->deal_id != 0)
    gtk_widget_set_tooltip_text (row, _("Open the deal"));
  *out_line = line;
  *out_text = text;
  if (out_subtitle != NULL)
    *out_subtitle = g_steal_pointer (&subtitle);
  return row;
}

void
sd_notification_rows_fill (GtkListBox  *list,
                           GPtrArray   *entries,
                           GtkWidget *(*make) (gpointer              owner,
                                               const SdNotification *n),
                           gpointer     owner)
{
  GtkListBoxRow *row;

  while ((row = gtk_list_box_get_row_at_index (list, 0)) != NULL)
    gtk_list_box_remove (list, GTK_WIDGET (row));
  for (guint i = 0; i < entries->len; i++)
    gtk_list_box_append (list, make (owner, entries->pdata[i]));
}

void
sd_notification_row_mark_read (GtkWidget            *widget,
                               SdStore              *store,
                               const SdNotification *n)
{
  g_autoptr(GError) error = NULL;
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkApplication *app = GTK_IS_WINDOW (root) ? gtk_window_get_application (GTK_WINDOW (root)) : NULL;

  if (!sd_notification_mark_read (store, n->id, &error))
    g_warning ("Could not mark notification %" G_GINT64_FORMAT " read: %s", n->id, error->message);
  if (app != NULL)
    sd_desktop_notification_withdraw (G_APPLICATION (app), n->id);
}
