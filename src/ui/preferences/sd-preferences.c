/* sd-preferences.c: Preferences: the Bitrix24 connection and the sync interval.
 *
 * Two ways to connect: a pasted inbound webhook, or the portal's local application (its
 * code and key; the person allows access on the portal's page in the browser, which comes
 * back to a listener on this machine). Either is checked with a real call before it is
 * kept, and what is wrong is said in words a manager understands; the portal's address is
 * shown, the secret never again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-preferences"

#include "config.h"

#include "sd-preferences.h"

#include <glib/gi18n.h>

#include "sd-b24-authorization.h"

struct _SdPreferences
{
  AdwPreferencesWindow parent_instance;

  SdSyncController    *controller;
  GSettings           *settings;
  GCancellable        *connecting;     /* a connection being made, either way */
  SdB24Authorization  *authorization;  /* the application's, from its consent to the check */
  char                *token_url;      /* NULL: Bitrix24's token server */

  GtkWidget           *connect_group;
  GtkWidget           *connect_actions;
  GtkEditable         *url_row;
  GtkLabel            *connect_message;
  GtkSpinner          *connect_spinner;
  GtkWidget           *connect_button;
  GtkWidget           *app_group;
  GtkWidget           *app_actions;
  GtkEditable         *app_portal_row;
  GtkEditable         *app_id_row;
  GtkEditable         *app_secret_row;
  GtkWidget           *app_waiting;
  GtkLabel            *app_uri;
  GtkLabel            *app_message;
  GtkSpinner          *app_spinner;
  GtkWidget           *app_cancel_button;
  GtkWidget           *app_button;
  GtkWidget           *portal_group;
  AdwActionRow        *portal_row;
  GtkSpinButton       *interval_spin;
};

G_DEFINE_FINAL_TYPE (SdPreferences, sd_preferences, ADW_TYPE_PREFERENCES_WINDOW)

/* The explanation under the form that failed (@row's), NULL to hide both. */
static void
show_message (SdPreferences *self,
              GtkWidget     *row,
              const char    *text)
{
  GtkLabel *labels[] = { self->connect_message, self->app_message };
  GtkWidget *rows[] = { GTK_WIDGET (self->url_row), GTK_WIDGET (self->app_secret_row) };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    {
      gboolean here = text != NULL && rows[i] == row;

      gtk_label_set_text (labels[i], here ? text : "");
      gtk_widget_set_visible (GTK_WIDGET (labels[i]), here);
      if (here)
        gtk_accessible_update_property (GTK_ACCESSIBLE (rows[i]),
                                        GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text, -1);
      else
        gtk_accessible_reset_property (GTK_ACCESSIBLE (rows[i]),
                                       GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
    }
}

static gboolean
filled (GtkEditable *editable)
{
  return *gtk_editable_get_text (editable) != '\0';
}

static void
update (SdPreferences *self)
{
  gboolean connected = self->controller != NULL && sd_sync_controller_get_connected (self->controller);
  gboolean busy = self->connecting != NULL;
  gboolean app = self->authorization != NULL;

  gtk_widget_set_visible (self->connect_group, !connected);
  gtk_widget_set_visible (self->connect_actions, !connected);
  gtk_widget_set_visible (self->app_group, !connected);
  gtk_widget_set_visible (self->app_actions, !connected);
  gtk_widget_set_visible (self->portal_group, connected);
  if (connected)
    adw_action_row_set_subtitle (self->portal_row, sd_sync_controller_get_portal (self->controller));
  gtk_widget_set_sensitive (self->connect_button,
                            self->controller != NULL && !busy && filled (self->url_row));
  gtk_widget_set_sensitive (self->app_button,
                            self->controller != NULL && !busy && filled (self->app_portal_row)
                            && filled (self->app_id_row) && filled (self->app_secret_row));
  gtk_widget_set_visible (GTK_WIDGET (self->connect_spinner), busy && !app);
  gtk_spinner_set_spinning (self->connect_spinner, busy && !app);
  gtk_widget_set_visible (GTK_WIDGET (self->app_spinner), app);
  gtk_spinner_set_spinning (self->app_spinner, app);
  gtk_widget_set_visible (self->app_cancel_button, app);
  gtk_widget_set_visible (self->app_waiting, app);
  gtk_label_set_text (self->app_uri, app ? sd_b24_authorization_get_uri (self->authorization) : "");
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
  gboolean app = self->authorization != NULL;

  g_clear_object (&self->connecting);
  g_clear_object (&self->authorization);
  if (!sd_sync_controller_connect_finish (SD_SYNC_CONTROLLER (source), result, &error))
    {
      g_autofree char *text = app ? sd_b24_authorization_explain (error) : sd_b24_error_explain (error);

      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_message (self, app ? GTK_WIDGET (self->app_secret_row) : GTK_WIDGET (self->url_row), text);
    }
  else
    {
      /* The secret leaves the window with the check: it is in the keyring now. */
      gtk_editable_set_text (self->url_row, "");
      gtk_editable_set_text (self->app_secret_row, "");
      show_message (self, NULL, NULL);
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
  if (!filled (self->url_row))
    return;
  show_message (self, NULL, NULL);
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

static void
on_browser_opened (GObject      *source,
                   GAsyncResult *result,
                   gpointer      data)
{
  g_autoptr(GError) error = NULL;

#if GTK_CHECK_VERSION (4, 10, 0) && GDK_VERSION_MAX_ALLOWED >= GDK_VERSION_4_10
  gtk_uri_launcher_launch_finish (GTK_URI_LAUNCHER (source), result, &error);
#else
  gtk_show_uri_full_finish (GTK_WINDOW (source), result, &error);
#endif
  /* The address is on screen for the person to open by hand. */
  if (error != NULL)
    g_debug ("no browser opened: %s", error->message);
}

static void
open_in_browser (SdPreferences *self,
                 const char    *uri)
{
  /* Tests follow the consent page themselves. */
  if (g_getenv ("SDELKA_NO_BROWSER") != NULL)
    return;
#if GTK_CHECK_VERSION (4, 10, 0) && GDK_VERSION_MAX_ALLOWED >= GDK_VERSION_4_10
  {
    g_autoptr(GtkUriLauncher) launcher = gtk_uri_launcher_new (uri);

    gtk_uri_launcher_launch (launcher, GTK_WINDOW (self), self->connecting, on_browser_opened, NULL);
  }
#else
  gtk_show_uri_full (GTK_WINDOW (self), uri, GDK_CURRENT_TIME, self->connecting,
                     on_browser_opened, NULL);
#endif
}

/* The person allowed access (or not) in the browser: the tokens are checked and kept as
 * a webhook would be. */
static void
on_authorized (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  g_autoptr(SdPreferences) self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SdB24Client) client = sd_b24_authorization_wait_finish (SD_B24_AUTHORIZATION (source),
                                                                     result, &error);

  if (client == NULL)
    {
      g_autofree char *text = sd_b24_authorization_explain (error);

      g_clear_object (&self->connecting);
      g_clear_object (&self->authorization);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_message (self, GTK_WIDGET (self->app_secret_row), text);
      update (self);
      return;
    }
  sd_sync_controller_connect_client_async (self->controller, client, self->connecting,
                                           on_connected, g_object_ref (self));
}

void
sd_preferences_connect_app (SdPreferences *self,
                            const char    *portal_url,
                            const char    *client_id,
                            const char    *client_secret)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *portal = NULL, *id = NULL;

  g_return_if_fail (SD_IS_PREFERENCES (self));

  if (self->controller == NULL || self->connecting != NULL)
    return;
  if (portal_url != NULL)
    gtk_editable_set_text (self->app_portal_row, portal_url);
  if (client_id != NULL)
    gtk_editable_set_text (self->app_id_row, client_id);
  if (client_secret != NULL)
    gtk_editable_set_text (self->app_secret_row, client_secret);
  show_message (self, NULL, NULL);
  portal = g_strstrip (g_strdup (gtk_editable_get_text (self->app_portal_row)));
  id = g_strstrip (g_strdup (gtk_editable_get_text (self->app_id_row)));
  self->authorization = sd_b24_authorization_new (portal, id,
                                                  gtk_editable_get_text (self->app_secret_row),
                                                  self->token_url, &error);
  if (self->authorization == NULL)
    {
      g_autofree char *text = sd_b24_authorization_explain (error);

      show_message (self, GTK_WIDGET (self->app_secret_row), text);
      update (self);
      return;
    }
  self->connecting = g_cancellable_new ();
  sd_b24_authorization_wait_async (self->authorization, self->connecting, on_authorized,
                                   g_object_ref (self));
  open_in_browser (self, sd_b24_authorization_get_uri (self->authorization));
  update (self);
}

static void
on_app_connect_clicked (SdPreferences *self)
{
  sd_preferences_connect_app (self, NULL, NULL, NULL);
}

void
sd_preferences_cancel (SdPreferences *self)
{
  g_return_if_fail (SD_IS_PREFERENCES (self));

  if (self->connecting != NULL)
    g_cancellable_cancel (self->connecting);
}

const char *
sd_preferences_get_consent_uri (SdPreferences *self)
{
  g_return_val_if_fail (SD_IS_PREFERENCES (self), NULL);

  return self->authorization != NULL ? sd_b24_authorization_get_uri (self->authorization) : NULL;
}

void
sd_preferences_set_token_url (SdPreferences *self,
                              const char    *token_url)
{
  g_return_if_fail (SD_IS_PREFERENCES (self));

  g_free (self->token_url);
  self->token_url = g_strdup (token_url);
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
      g_autofree char *text = g_strdup_printf (_("Could not remove the connection from the keyring: %s"),
                                               error->message);

      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (text));
    }
  else
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                      adw_toast_new (_("Disconnected: the connection was removed from the keyring")));
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
                                   _("The connection is removed from the keyring and Sdelka stops "
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

  if (gtk_widget_get_visible (GTK_WIDGET (self->connect_message)))
    return gtk_label_get_text (self->connect_message);
  if (gtk_widget_get_visible (GTK_WIDGET (self->app_message)))
    return gtk_label_get_text (self->app_message);
  return NULL;
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
  SdPreferences *self = SD_PREFERENCES (object);

  g_clear_object (&self->connecting);
  g_clear_object (&self->authorization);
  g_free (self->token_url);
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
  gtk_widget_class_bind_template_child (widget_class, SdPreferences, app_group);
  gtk_widget_class_bind_template_child (widget_class, SdPreferences, app_actions);
  gtk_widget_class_bind_template_child (widget_class, SdPreferences, app_portal_row);
  gtk_widget_class_bind_template_child (widget_class, SdPreferences, app_id_row);
  gtk_widget_class_bind_template_child (widget_class, SdPreferences, app_secret_row);
  gtk_widget_class_bind_template_child (widget_class, SdPreferences, app_waiting);
  gtk_widget_class_bind_template_child (widget_class, SdPreferences, app_uri);
  gtk_widget_class_bind_template_child (widget_class, SdPreferences, app_message);
  gtk_widget_class_bind_template_child (widget_class, SdPreferences, app_spinner);
  gtk_widget_class_bind_template_child (widget_class, SdPreferences, app_cancel_button);
  gtk_widget_class_bind_template_child (widget_class, SdPreferences, app_button);
  gtk_widget_class_bind_template_child (widget_class, SdPreferences, portal_group);
  gtk_widget_class_bind_template_child (widget_class, SdPreferences, portal_row);
  gtk_widget_class_bind_template_child (widget_class, SdPreferences, interval_spin);
  gtk_widget_class_bind_template_callback (widget_class, on_url_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_connect_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_app_connect_clicked);
  gtk_widget_class_bind_template_callback (widget_class, sd_preferences_cancel);
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
