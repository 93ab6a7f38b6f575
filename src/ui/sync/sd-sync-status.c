/* sd-sync-status.c: the sync status in the header bar.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-sync-status"

#include "config.h"

#include "sd-sync-status.h"

#include <glib/gi18n.h>

/* The "5 minutes ago" moves on while nobody syncs. */
#define TICK_SECONDS 30

struct _SdSyncStatus
{
  GtkWidget         parent_instance;

  SdSyncController *controller;
  char             *summary;
  guint             tick_id;

  GtkMenuButton    *button;
  GtkStack         *icon_stack;
  GtkImage         *icon;
  GtkSpinner       *spinner;
  GtkLabel         *label;
  GtkLabel         *waiting_pill;
  GtkPopover       *popover;
  GtkWidget        *panel;
  GtkLabel         *title_label;
  GtkWidget        *progress_box;
  GtkProgressBar   *progress_bar;
  GtkLabel         *status_label;
  GtkLabel         *eta_label;
  GtkLabel         *message_label;
  GtkWidget        *waiting_row;
  GtkLabel         *waiting_label;
  GtkWidget        *conflicts_row;
  GtkLabel         *conflicts_label;
  GtkWidget        *last_row;
  GtkLabel         *last_label;
  GtkWidget        *cancel_button;
  GtkWidget        *sync_button;
  GtkWidget        *connect_button;
};

G_DEFINE_FINAL_TYPE (SdSyncStatus, sd_sync_status, GTK_TYPE_WIDGET)

char *
sd_sync_status_format_ago (gint64 then,
                           gint64 now)
{
  gint64 seconds = MAX (now - then, 0);
  g_autoptr(GDateTime) local = NULL;

  if (seconds < 60)
    return g_strdup (_("just now"));
  if (seconds < 3600)
    {
      guint minutes = (guint) (seconds / 60);

      return g_strdup_printf (ngettext ("%u minute ago", "%u minutes ago", minutes), minutes);
    }
  if (seconds < 24 * 3600)
    {
      guint hours = (guint) (seconds / 3600);

      return g_strdup_printf (ngettext ("%u hour ago", "%u hours ago", hours), hours);
    }
  local = g_date_time_new_from_unix_local (then);
  /* TRANSLATORS: the date of the last sync when it was more than a day ago */
  return g_date_time_format (local, _("%e %b %Y"));
}

static char *
format_eta (double seconds)
{
  guint n;

  if (seconds < 60)
    {
      n = (guint) MAX (seconds, 1);
      return g_strdup_printf (ngettext ("About %u second left", "About %u seconds left", n), n);
    }
  n = (guint) ((seconds + 30) / 60);
  return g_strdup_printf (ngettext ("About %u minute left", "About %u minutes left", n), n);
}

static void
update (SdSyncStatus *self)
{
  SdSyncController *c = self->controller;
  gboolean connected = c != NULL && sd_sync_controller_get_connected (c);
  SdSyncState state = c != NULL ? sd_sync_controller_get_state (c) : SD_SYNC_STATE_OFFLINE;
  gboolean syncing = connected && state == SD_SYNC_STATE_SYNCING;
  guint waiting = c != NULL ? sd_sync_controller_get_waiting (c) : 0;
  guint conflicts = c != NULL ? sd_sync_controller_get_conflicts (c) : 0;
  gint64 last = c != NULL ? sd_sync_controller_get_last_sync (c) : 0;
  const char *message = c != NULL ? sd_sync_controller_get_message (c) : NULL;
  g_autofree char *status = c != NULL ? sd_sync_controller_dup_status (c) : NULL;
  g_autofree char *ago = last > 0 ? sd_sync_status_format_ago (last, g_get_real_time () / G_USEC_PER_SEC) : NULL;
  g_autofree char *summary = NULL;
  g_autofree char *title = NULL;
  g_autofree char *tooltip = NULL;
  g_autofree char *accessible = NULL;
  const char *icon = "network-offline-symbolic";

  if (!connected)
    {
      summary = g_strdup (_("Not connected"));
      title = g_strdup (_("Not connected to Bitrix24: changes are kept on this computer"));
    }
  else if (syncing)
    {
      double fraction = sd_sync_controller_get_fraction (c);

      summary = fraction > 0 ? g_strdup_printf (_("Syncing %.0f%%"), 100 * fraction)
                             : g_strdup (_("Syncing…"));
      title = g_strdup_printf (_("Syncing with %s"), sd_sync_controller_get_portal (c));
    }
  else if (state == SD_SYNC_STATE_OFFLINE)
    {
      summary = g_strdup (_("Offline"));
      title = g_strdup_printf (_("Offline: %s cannot be reached; Sdelka will try again"),
                               sd_sync_controller_get_portal (c));
    }
  else if (message != NULL)
    {
      icon = "dialog-warning-symbolic";
      summary = g_strdup (_("Sync problem"));
      title = g_strdup_printf (_("The last sync with %s failed"), sd_sync_controller_get_portal (c));
    }
  else
    {
      icon = "emblem-ok-symbolic";
      /* TRANSLATORS: the header's sync status: "Synced 5 minutes ago" */
      summary = last > 0 ? g_strdup_printf (_("Synced %s"), ago) : g_strdup (_("Online"));
      title = g_strdup_printf (_("Connected to %s"), sd_sync_controller_get_portal (c));
    }

  g_free (self->summary);
  self->summary = g_strdup (summary);
  gtk_label_set_text (self->label, summary);
  gtk_image_set_from_icon_name (self->icon, icon);
  gtk_spinner_set_spinning (self->spinner, syncing);
  gtk_stack_set_visible_child_name (self->icon_stack, syncing ? "spinner" : "icon");
  if (waiting > 0)
    {
      g_autofree char *count = g_strdup_printf ("%u", waiting);

      gtk_label_set_text (self->waiting_pill, count);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->waiting_pill), waiting > 0);

  /* The button's tooltip has the absolute time of the last sync. */
  if (last > 0)
    {
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (last);
      g_autofree char *absolute = g_date_time_format (when, "%x %X");

      /* TRANSLATORS: tooltip: the status, then "Last sync: 26.11.2026 12:40:00" */
      tooltip = g_strdup_printf (_("%s\nLast sync: %s"), title, absolute);
      gtk_widget_set_tooltip_text (self->last_row, absolute);
      gtk_label_set_text (self->last_label, ago);
    }
  else
    {
      tooltip = g_strdup (title);
      gtk_widget_set_tooltip_text (self->last_row, NULL);
      gtk_label_set_text (self->last_label, _("Never"));
    }
  if (waiting > 0)
    {
      g_autofree char *line = g_strdup_printf (ngettext ("%u change waiting to be sent",
                                                         "%u changes waiting to be sent", waiting),
                                               waiting);
      g_autofree char *with = g_strdup_printf ("%s\n%s", tooltip, line);

      g_free (tooltip);
      tooltip = g_steal_pointer (&with);
    }
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->button), tooltip);
  /* TRANSLATORS: the sync button's accessible name: "Sync status: Synced 5 minutes ago" */
  accessible = g_strdup_printf (_("Sync status: %s"), summary);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accessible, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, tooltip, -1);

  gtk_label_set_text (self->title_label, title);
  gtk_widget_set_visible (self->progress_box, syncing);
  if (syncing)
    {
      double fraction = sd_sync_controller_get_fraction (c);
      double eta = sd_sync_controller_get_eta (c);

      if (fraction > 0)
        gtk_progress_bar_set_fraction (self->progress_bar, fraction);
      else
        gtk_progress_bar_pulse (self->progress_bar);
      gtk_label_set_text (self->status_label, status != NULL ? status : _("Starting…"));
      /* The time left means something for a first sync, which knows how much there is. */
      if (eta > 0 && last == 0)
        {
          g_autofree char *text = format_eta (eta);

          gtk_label_set_text (self->eta_label, text);
        }
      gtk_widget_set_visible (GTK_WIDGET (self->eta_label), eta > 0 && last == 0);
    }
  gtk_label_set_text (self->message_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), message != NULL);
  {
    g_autofree char *count = g_strdup_printf ("%u", waiting);
    g_autofree char *count2 = g_strdup_printf ("%u", conflicts);

    gtk_label_set_text (self->waiting_label, count);
    gtk_label_set_text (self->conflicts_label, count2);
  }
  gtk_widget_set_visible (self->conflicts_row, conflicts > 0);
  gtk_widget_set_visible (self->last_row, connected);
  gtk_widget_set_visible (self->cancel_button, syncing);
  gtk_widget_set_visible (self->sync_button, connected && !syncing);
  gtk_widget_set_visible (self->connect_button, !connected);
}

static gboolean
tick_cb (gpointer data)
{
  update (SD_SYNC_STATUS (data));
  return G_SOURCE_CONTINUE;
}

void
sd_sync_status_set_controller (SdSyncStatus     *self,
                               SdSyncController *controller)
{
  g_return_if_fail (SD_IS_SYNC_STATUS (self));
  g_return_if_fail (controller == NULL || SD_IS_SYNC_CONTROLLER (controller));

  if (self->controller != NULL)
    g_signal_handlers_disconnect_by_data (self->controller, self);
  g_set_object (&self->controller, controller);
  if (controller != NULL)
    g_signal_connect_object (controller, "notify", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  update (self);
}

const char *
sd_sync_status_get_summary (SdSyncStatus *self)
{
  g_return_val_if_fail (SD_IS_SYNC_STATUS (self), NULL);
  return self->summary;
}

GtkWidget *
sd_sync_status_get_panel (SdSyncStatus *self)
{
  g_return_val_if_fail (SD_IS_SYNC_STATUS (self), NULL);
  return self->panel;
}

void
sd_sync_status_popup (SdSyncStatus *self)
{
  g_return_if_fail (SD_IS_SYNC_STATUS (self));
  gtk_menu_button_popup (self->button);
}

static void
sd_sync_status_dispose (GObject *object)
{
  SdSyncStatus *self = SD_SYNC_STATUS (object);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  if (self->controller != NULL)
    g_signal_handlers_disconnect_by_data (self->controller, self);
  g_clear_object (&self->controller);
  gtk_widget_dispose_template (GTK_WIDGET (self), SD_TYPE_SYNC_STATUS);
  G_OBJECT_CLASS (sd_sync_status_parent_class)->dispose (object);
}

static void
sd_sync_status_finalize (GObject *object)
{
  g_free (SD_SYNC_STATUS (object)->summary);
  G_OBJECT_CLASS (sd_sync_status_parent_class)->finalize (object);
}

static void
sd_sync_status_class_init (SdSyncStatusClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sd_sync_status_dispose;
  object_class->finalize = sd_sync_status_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/sdelka/Sdelka/sync/sd-sync-status.ui");
  gtk_widget_class_bind_template_child (widget_class, SdSyncStatus, button);
  gtk_widget_class_bind_template_child (widget_class, SdSyncStatus, icon_stack);
  gtk_widget_class_bind_template_child (widget_class, SdSyncStatus, icon);
  gtk_widget_class_bind_template_child (widget_class, SdSyncStatus, spinner);
  gtk_widget_class_bind_template_child (widget_class, SdSyncStatus, label);
  gtk_widget_class_bind_template_child (widget_class, SdSyncStatus, waiting_pill);
  gtk_widget_class_bind_template_child (widget_class, SdSyncStatus, popover);
  gtk_widget_class_bind_template_child (widget_class, SdSyncStatus, panel);
  gtk_widget_class_bind_template_child (widget_class, SdSyncStatus, title_label);
  gtk_widget_class_bind_template_child (widget_class, SdSyncStatus, progress_box);
  gtk_widget_class_bind_template_child (widget_class, SdSyncStatus, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, SdSyncStatus, status_label);
  gtk_widget_class_bind_template_child (widget_class, SdSyncStatus, eta_label);
  gtk_widget_class_bind_template_child (widget_class, SdSyncStatus, message_label);
  gtk_widget_class_bind_template_child (widget_class, SdSyncStatus, waiting_row);
  gtk_widget_class_bind_template_child (widget_class, SdSyncStatus, waiting_label);
  gtk_widget_class_bind_template_child (widget_class, SdSyncStatus, conflicts_row);
  gtk_widget_class_bind_template_child (widget_class, SdSyncStatus, conflicts_label);
  gtk_widget_class_bind_template_child (widget_class, SdSyncStatus, last_row);
  gtk_widget_class_bind_template_child (widget_class, SdSyncStatus, last_label);
  gtk_widget_class_bind_template_child (widget_class, SdSyncStatus, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, SdSyncStatus, sync_button);
  gtk_widget_class_bind_template_child (widget_class, SdSyncStatus, connect_button);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "syncstatus");
}

static void
sd_sync_status_init (SdSyncStatus *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->tick_id = g_timeout_add_seconds (TICK_SECONDS, tick_cb, self);
  update (self);
}

GtkWidget *
sd_sync_status_new (void)
{
  return g_object_new (SD_TYPE_SYNC_STATUS, NULL);
}
