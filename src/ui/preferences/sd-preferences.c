/* sd-preferences.c: Preferences: the Bitrix24 connection and the sync interval.
 *
 * Connect checks the webhook with a real call before keeping it, and says what is wrong
 * in words a manager understands; the address is shown, the secret never again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-preferences"

#include "config.h"

#include "sd-preferences.h"

#include <glib/gi18n.h>

struct _SdPreferences
{
  AdwPreferencesWindow parent_instance;

  SdSyncController    *controller;
  GSettings           *settings;
  GCancellable        *connecting;

  GtkWidget           *connect_group;
  GtkWidget           *connect_actions;
  GtkEditable         *url_row;
  GtkLabel            *connect_message;
  GtkSpinner          *connect_spinner;
  GtkWidget           *connect_button;
  GtkWidget           *portal_group;
  AdwActionRow        *portal_row;
  GtkSpinButton       *interval_spin;
};

G_DEFINE_FINAL_TYPE (SdPreferences, sd_preferences, ADW_TYPE_PREFERENCES_WINDOW)

static void
show_message (SdPreferences *self,
              const char    *text)
{
  gtk_label_set_text (self->connect_message, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->connect_message), text != NULL);
  if (text != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->url_row),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text, -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (self->url_row),
                                   GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
}

static void
update (SdPreferences *self)
{
  gboolean connected = self->controller != NULL && sd_sync_controller_get_connected (self->controller);
  gboolean busy = self->connecting != NULL;
  const char *text = gtk_editable_get_text (self->url_row);

  gtk_widget_set_visible (self->connect_group, !connected);
  gtk_widget_set_visible (self->connect_actions, !connected);
  gtk_widget_set_visible (self->portal_group, connected);
  if (connected)
    adw_action_row_set_subtitle (self->portal_row, sd_sync_controller_get_portal (self->controller));
  gtk_widget_set_sensitive (self->connect_button,
                            self->controller != NULL && !busy && *text != '\0');
  gtk_widget_set_visible (GTK_WIDGET (self->connect_spinner), busy);
  gtk_spinner_set_spinning (self->connect_spinner, busy);
}

static void
on_url_changed (SdPreferences *self)
{
  update (self);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  g_autoptr(SdPreferences) self = data;
  g_autoptr(GError) error = NULL;

  g_clear_object (&self->connecting);
  if (!sd_sync_controller_connect_finish (SD_SYNC_CONTROLLER (source), result, &error))
    {
      g_autofree char *text = sd_b24_error_explain (error);

      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_message (self, text);
    }
  else
    {
      /* The secret leaves the window with the check: it is in the keyring now. */
      gtk_editable_set_text (self->url_row, "");
      show_message (self, NULL);
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                        adw_toast_new (_("Connected: the first sync has started")));
    }
  update (self);
}

void
sd_preferences_connect (SdPreferences *self,
                        const char    *webhook_url)
{
  g_return_if_fail (SD_IS_PREFERENCES (self));

  if (self->controller == NULL || self->connecting != NULL)
    return;
  if (webhook_url != NULL)
    gtk_editable_set_text (self->url_row, webhook_url);
  if (*gtk_editable_get_text (self->url_row) == '\0')
    return;
  show_message (self, NULL);
  self->connecting = g_cancellable_new ();
  sd_sync_controller_connect_async (self->controller, gtk_editable_get_text (self->url_row),
                                    self->connecting, on_connected, g_object_ref (self));
  update (self);
}

static void
on_connect_clicked (SdPreferences *self)
{
  sd_preferences_connect (self, NULL);
}

void
sd_preferences_disconnect_now (SdPreferences *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (SD_IS_PREFERENCES (self));

  if (self->controller == NULL)
    return;
  if (!sd_sync_controller_disconnect (self->controller, &error))
    {
      g_autofree char *text = g_strdup_printf (_("Could not remove the webhook from the keyring: %s"),
                                               error->message);

      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (text));
    }
  else
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                      adw_toast_new (_("Disconnected: the webhook was removed from the keyring")));
  update (self);
}

static void
on_disconnect_response (AdwMessageDialog *dialog,
                        const char       *response,
                        SdPreferences    *self)
{
  if (g_strcmp0 (response, "disconnect") == 0)
    sd_preferences_disconnect_now (self);
}

static void
on_disconnect_clicked (SdPreferences *self)
{
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Disconnect from Bitrix24?"),
                                   _("The webhook is removed from the keyring and Sdelka stops "
                                     "syncing. The deals on this computer stay, and changes not "
                                     "sent yet are sent when you connect again."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "disconnect", _("_Disconnect"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "disconnect",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_disconnect_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

const char *
sd_preferences_get_message (SdPreferences *self)
{
  g_return_val_if_fail (SD_IS_PREFERENCES (self), NULL);

  return gtk_widget_get_visible (GTK_WIDGET (self->connect_message))
         ? gtk_label_get_text (self->connect_message) : NULL;
}

gboolean
sd_preferences_get_busy (SdPreferences *self)
{
  g_return_val_if_fail (SD_IS_PREFERENCES (self), FALSE);

  return self->connecting != NULL;
}

static void
sd_preferences_dispose (GObject *object)
{
  SdPreferences *self = SD_PREFERENCES (object);

  if (self->connecting != NULL)
    g_cancellable_cancel (self->connecting);
  if (self->controller != NULL)
    g_signal_handlers_disconnect_by_data (self->controller, self);
  g_clear_object (&self->controller);
  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (self), SD_TYPE_PREFERENCES);
  G_OBJECT_CLASS (sd_preferences_parent_class)->dispose (object);
}

static void
sd_preferences_finalize (GObject *object)
{
  g_clear_object (&SD_PREFERENCES (object)->connecting);
  G_OBJECT_CLASS (sd_preferences_parent_class)->finalize (object);
}

static void
sd_preferences_class_init (SdPreferencesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sd_preferences_dispose;
  object_class->finalize = sd_preferences_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/sdelka/Sdelka/preferences/sd-preferences.ui");
  gtk_widget_class_bind_template_child (widget_class, SdPreferences, connect_group);
  gtk_widget_class_bind_template_child (widget_class, SdPreferences, connect_actions);
  gtk_widget_class_bind_template_child (widget_class, SdPreferences, url_row);
  gtk_widget_class_bind_template_child (widget_class, SdPreferences, connect_message);
  gtk_widget_class_bind_template_child (widget_class, SdPreferences, connect_spinner);
  gtk_widget_class_bind_template_child (widget_class, SdPreferences, connect_button);
  gtk_widget_class_bind_template_child (widget_class, SdPreferences, portal_group);
  gtk_widget_class_bind_template_child (widget_class, SdPreferences, portal_row);
  gtk_widget_class_bind_template_child (widget_class, SdPreferences, interval_spin);
  gtk_widget_class_bind_template_callback (widget_class, on_url_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_connect_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_disconnect_clicked);
}

static void
sd_preferences_init (SdPreferences *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

SdPreferences *
sd_preferences_new (SdSyncController *controller,
                    GSettings        *settings)
{
  SdPreferences *self = g_object_new (SD_TYPE_PREFERENCES, NULL);

  if (controller != NULL)
    {
      self->controller = g_object_ref (controller);
      g_signal_connect_object (controller, "notify::connected", G_CALLBACK (update), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (controller, "notify::portal", G_CALLBACK (update), self,
                               G_CONNECT_SWAPPED);
    }
  if (settings != NULL)
    {
      self->settings = g_object_ref (settings);
      g_settings_bind (settings, "sync-interval",
                       gtk_spin_button_get_adjustment (self->interval_spin), "value",
                       G_SETTINGS_BIND_DEFAULT);
    }
  else
    gtk_widget_set_sensitive (GTK_WIDGET (self->interval_spin), FALSE);
  update (self);
  return self;
}
