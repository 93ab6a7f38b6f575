/* sd-application.c: the Sdelka application: one instance, actions, settings.
 *
 * A second launch hands over to the running instance, which raises its window. The
 * developer option --render builds the window, draws one view into a PNG and exits.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-application"

#include "config.h"

#include "sd-application.h"

#include <glib/gi18n.h>

#include "automation/sd-playbook-copy.h"
#include "sd-automation-runner.h"
#include "sd-demo.h"
#include "pipeline/sd-stage-column.h"
#include "pipeline/sd-deal-item.h"
#include "preferences/sd-preferences.h"
#include "sd-store-sync.h"
#include "sync/sd-sync-controller.h"
#include "sd-render.h"
#include "window/sd-window.h"

#define RENDER_TIMEOUT_SECONDS 20
#define RENDER_SETTLE_FRAMES   3

struct _SdApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
  SdStore        *store;
  SdAutomation   *automation;
  SdAutomationRunner *automation_runner;
  SdSyncController *sync;
  GtkWindow      *preferences;

  /* --render */
  char           *render_view;
  char           *render_out;
  char           *render_as;
  gint64          render_deal;
  int             render_width;
  int             render_height;
  guint           render_frames;
  guint           render_timeout_id;
  GtkCssProvider *render_css;

  int             status;
};

G_DEFINE_FINAL_TYPE (SdApplication, sd_application, ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Show the version and exit"), NULL },
  { "render", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Draw VIEW into a PNG file and exit (for developers; views: window, kanban, deal, automation, bell, sync, conflicts, preferences)"), N_("VIEW") },
  { "out", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("The PNG file --render writes"), N_("FILE") },
  { "size", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("The size --render draws at (default: 1200x800)"), N_("WxH") },
  { "deal", 0, 0, G_OPTION_ARG_INT64, NULL,
    N_("The deal --render deal shows (default: the newest one on the board; for conflicts, the first deal with one)"), N_("ID") },
  { "as", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("The user (login) --render acts as"), N_("LOGIN") },
  { NULL }
};

static void
render_finish (SdApplication *self,
               int            status)
{
  self->status = status;
  g_clear_handle_id (&self->render_timeout_id, g_source_remove);
  g_application_quit (G_APPLICATION (self));
}

static gboolean
render_timeout_cb (gpointer user_data)
{
  SdApplication *self = SD_APPLICATION (user_data);

  self->render_timeout_id = 0;
  g_printerr (_("The window was not drawn within %d seconds\n"), RENDER_TIMEOUT_SECONDS);
  render_finish (self, 1);
  return G_SOURCE_REMOVE;
}

static void
render_after_paint_cb (GdkFrameClock *frame_clock,
                       GtkWidget     *widget)
{
  SdApplication *self = SD_APPLICATION (gtk_window_get_application (GTK_WINDOW (widget)));
  g_autoptr(GError) error = NULL;
  GtkWidget *view;

  g_signal_handlers_disconnect_by_func (frame_clock, render_after_paint_cb, widget);
  /* Preferences is a window of its own: drawn whole. */
  view = SD_IS_WINDOW (widget) ? sd_window_get_view (SD_WINDOW (widget), self->render_view) : widget;
  if (!sd_render_widget_to_png (view, self->render_width, self->render_height,
                                self->render_out, &error))
    {
      g_printerr (_("Could not render “%s”: %s\n"), self->render_view, error->message);
      render_finish (self, 1);
    }
  else
    render_finish (self, 0);
}

static gboolean
render_tick_cb (GtkWidget     *widget,
                GdkFrameClock *frame_clock,
                gpointer       user_data)
{
  SdApplication *self = SD_APPLICATION (user_data);

  /* Wait until the window has been mapped, laid out and painted a few times, so icons,
   * fonts and bindings have settled; then draw it once this frame is laid out (what an
   * idle changed since the last frame is allocated only in this frame's layout). */
  if (!gtk_widget_get_mapped (widget) || ++self->render_frames < RENDER_SETTLE_FRAMES)
    return G_SOURCE_CONTINUE;
  g_signal_connect (frame_clock, "after-paint", G_CALLBACK (render_after_paint_cb), widget);
  gtk_widget_queue_draw (widget);
  return G_SOURCE_REMOVE;
}

static void
start_render (SdApplication *self,
              GtkWindow     *window)
{
  gtk_window_set_default_size (GTK_WINDOW (window), self->render_width, self->render_height);
  gtk_window_unmaximize (GTK_WINDOW (window));
  /* Without a compositor (Xvfb) Adwaita frames the window with a 5 px "solid-csd" border;
   * leave it out so the picture is the window's content, WxH pixels. */
  /* Draw the final state, not a frame of a transition (a leaflet folding, a stack page
   * fading in). */
  g_object_set (gtk_widget_get_settings (GTK_WIDGET (window)),
                "gtk-enable-animations", FALSE,
                NULL);
  if (self->render_css == NULL)
    {
      self->render_css = gtk_css_provider_new ();
      gtk_css_provider_load_from_data (self->render_css,
                                       "window.solid-csd { padding: 0; box-shadow: none; }", -1);
      gtk_style_context_add_provider_for_display (gtk_widget_get_display (GTK_WIDGET (window)),
                                                  GTK_STYLE_PROVIDER (self->render_css),
                                                  GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
    }
  gtk_widget_add_tick_callback (GTK_WIDGET (window), render_tick_cb, self, NULL);
  self->render_timeout_id = g_timeout_add_seconds (RENDER_TIMEOUT_SECONDS,
                                                   render_timeout_cb, self);
  gtk_window_present (GTK_WINDOW (window));
}

static int
sd_application_handle_local_options (GApplication *application,
                                     GVariantDict *options)
{
  SdApplication *self = SD_APPLICATION (application);
  g_autofree char *size = NULL;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("sdelka %s\n", PACKAGE_VERSION);
      return 0;
    }

  g_variant_dict_lookup (options, "render", "s", &self->render_view);
  g_variant_dict_lookup (options, "out", "^ay", &self->render_out);
  g_variant_dict_lookup (options, "size", "s", &size);
  g_variant_dict_lookup (options, "deal", "x", &self->render_deal);
  g_variant_dict_lookup (options, "as", "s", &self->render_as);

  if (self->render_view == NULL)
    {
      if (self->render_out != NULL || size != NULL || self->render_deal != 0
          || self->render_as != NULL)
        {
          g_printerr (_("--out, --size, --deal and --as only go with --render\n"));
          return 2;
        }
      return -1;
    }

  if (!g_strv_contains ((const char *const[]) { "window", "kanban", "deal", "automation", "bell",
                                                "sync", "conflicts", "preferences", NULL },
                        self->render_view))
    {
      g_printerr (_("Unknown view “%s”; the views are: %s\n"), self->render_view,
                  "window, kanban, deal, automation, bell, sync, conflicts, preferences");
      return 2;
    }
  if (self->render_out == NULL || *self->render_out == '\0')
    {
      g_printerr (_("--render needs --out FILE.png\n"));
      return 2;
    }
  if (size == NULL)
    {
      self->render_width = 1200;
      self->render_height = 800;
    }
  else if (!sd_render_parse_size (size, &self->render_width, &self->render_height))
    {
      g_printerr (_("“%s” is not a size; write it as WIDTHxHEIGHT, for example 1200x800\n"),
                  size);
      return 2;
    }

  /* A render is a run of its own: it neither hands over to nor waits for a running
   * instance, and leaves the saved window state alone. */
  g_application_set_flags (application,
                           g_application_get_flags (application) | G_APPLICATION_NON_UNIQUE);
  return -1;
}

/* The database in the settings, or the app's own demo database made on first start. */
static void
open_store (SdApplication *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  if (self->settings != NULL)
    path = g_settings_get_string (self->settings, "database-path");
  if (path == NULL || *path == '\0')
    {
      g_free (path);
      path = sd_demo_default_path ();
    }
  self->store = sd_demo_open_or_create (path, &error);
  if (self->store == NULL)
    g_printerr (_("Cannot open the database “%s”: %s\n"), path, error->message);
}

/* --as and --deal: who the render acts as, and the deal it opens. */
static gboolean
prepare_render (SdApplication *self,
                SdWindow      *window)
{
  if (self->render_as != NULL)
    {
      gint64 user_id = self->store != NULL ? sd_store_find_user (self->store, self->render_as) : 0;

      if (user_id == 0)
        {
          g_printerr (_("There is no user “%s”\n"), self->render_as);
          return FALSE;
        }
      sd_window_set_actor (window, user_id);
    }
  if (g_str_equal (self->render_view, "kanban"))
    sd_window_set_section (window, "pipelines");
  if (g_str_equal (self->render_view, "automation"))
    sd_window_set_section (window, "automation");
  if (g_str_equal (self->render_view, "sync"))
    sd_sync_status_popup (sd_window_get_sync_status (window));
  if (g_str_equal (self->render_view, "conflicts") && self->render_deal == 0 && self->store != NULL)
    {
      g_autoptr(GArray) deals = sd_store_list_conflicted_deals (self->store, NULL);

      if (deals == NULL || deals->len == 0)
        {
          g_printerr ("%s\n", _("No deal has a sync conflict"));
          return FALSE;
        }
      self->render_deal = g_array_index (deals, gint64, 0);
    }
  if (g_str_equal (self->render_view, "deal") || g_str_equal (self->render_view, "conflicts"))
    {
      gint64 deal_id = self->render_deal;

      if (deal_id == 0)
        {
          g_autoptr(GPtrArray) columns = sd_kanban_get_columns (sd_window_get_kanban (window));

          /* The newest deal of the first column that has any. */
          for (guint i = 0; i < columns->len && deal_id == 0; i++)
            {
              GListModel *model = G_LIST_MODEL (sd_stage_column_get_model (columns->pdata[i]));
              g_autoptr(SdDealItem) item = g_list_model_get_item (model, 0);

              if (item != NULL)
                deal_id = sd_deal_item_get_id (item);
            }
        }
      if (!sd_window_open_deal (window, deal_id))
        {
          g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, deal_id);

          g_printerr (_("Cannot show the deal %s\n"), number);
          return FALSE;
        }
    }
  return TRUE;
}

static void
on_automation_failed (SdWindow   *window,
                      const char *message)
{
  sd_window_add_toast (window, adw_toast_new (message));
}

static void
update_sync_actions (SdApplication *self)
{
  gboolean connected = self->sync != NULL && sd_sync_controller_get_connected (self->sync);
  gboolean syncing = connected && sd_sync_controller_get_state (self->sync) == SD_SYNC_STATE_SYNCING;
  GAction *now = g_action_map_lookup_action (G_ACTION_MAP (self), "sync-now");
  GAction *cancel = g_action_map_lookup_action (G_ACTION_MAP (self), "sync-cancel");

  if (now != NULL)
    g_simple_action_set_enabled (G_SIMPLE_ACTION (now), connected && !syncing);
  if (cancel != NULL)
    g_simple_action_set_enabled (G_SIMPLE_ACTION (cancel), syncing);
}

static void
sd_application_activate (GApplication *application)
{
  SdApplication *self = SD_APPLICATION (application);
  GtkWindow *window;

  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (window == NULL)
    {
      if (self->store == NULL)
        open_store (self);
      /* A render does not read the saved size, nor write it back. */
      window = GTK_WINDOW (sd_window_new (GTK_APPLICATION (self),
                                          self->render_view != NULL ? NULL : self->settings,
                                          self->store));
      if (self->store != NULL && self->automation == NULL)
        {
          g_autoptr(GPtrArray) paths = sd_playbook_copy_effective_paths ();

          /* The rules as the user left them: their copy of a playbook, else the shipped. */
          self->automation = sd_automation_new (self->store);
          for (guint i = 0; i < paths->len; i++)
            {
              g_autoptr(GError) error = NULL;
              SdPlaybook *pb = sd_playbook_load_file (paths->pdata[i], &error);

              if (pb != NULL)
                sd_automation_add_playbook (self->automation, pb);
              else
                g_warning ("%s", error->message);
            }
        }
      sd_window_set_automation (SD_WINDOW (window), self->automation);
      if (self->store != NULL && self->sync == NULL)
        {
          self->sync = sd_sync_controller_new (self->store, self->settings);
          g_signal_connect_swapped (self->sync, "notify", G_CALLBACK (update_sync_actions), self);
          update_sync_actions (self);
          /* A render only looks: it neither wakes the keyring nor syncs. */
          if (self->render_view == NULL)
            sd_sync_controller_start (self->sync);
        }
      sd_window_set_sync (SD_WINDOW (window), self->sync);
      /* The rules run while the app is open; a render only looks. */
      if (self->automation != NULL && self->automation_runner == NULL
          && self->render_view == NULL)
        {
          self->automation_runner = sd_automation_runner_new (self->automation, 60);
          g_signal_connect_object (self->automation_runner, "failed",
                                   G_CALLBACK (on_automation_failed), window,
                                   G_CONNECT_SWAPPED);
        }
      if (self->render_view != NULL)
        {
          if (!prepare_render (self, SD_WINDOW (window)))
            {
              self->status = 1;
              gtk_window_destroy (window);
              return;
            }
          if (g_str_equal (self->render_view, "preferences"))
            {
              /* Drawn in place of the main window, which it would be transient for. */
              window = GTK_WINDOW (sd_preferences_new (self->sync, NULL));
              gtk_window_set_application (window, GTK_APPLICATION (self));
            }
          start_render (self, window);
          return;
        }
    }
  gtk_window_present (window);
}

static void
load_settings (SdApplication *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL)
    {
      g_message ("The settings schema %s is not installed; window size and preferences "
                 "will not be kept", APP_ID);
      return;
    }
  self->settings = g_settings_new_full (schema, NULL, NULL);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  SdApplication *self = SD_APPLICATION (user_data);
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));

  /* Close the windows first, so each keeps its size in the settings. */
  for (GList *l = windows; l != NULL;)
    {
      GtkWindow *window = l->data;

      l = l->next;
      gtk_window_close (window);
    }
  g_application_quit (G_APPLICATION (self));
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  SdApplication *self = SD_APPLICATION (user_data);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (self->preferences == NULL)
    {
      self->preferences = GTK_WINDOW (sd_preferences_new (self->sync, self->settings));
      g_object_add_weak_pointer (G_OBJECT (self->preferences), (gpointer *) &self->preferences);
    }
  if (window != NULL && window != self->preferences)
    gtk_window_set_transient_for (self->preferences, window);
  gtk_window_present (self->preferences);
}

static void
sync_now_action (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  SdApplication *self = SD_APPLICATION (user_data);

  if (self->sync != NULL)
    sd_sync_controller_sync_now (self->sync);
}

static void
sync_cancel_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  SdApplication *self = SD_APPLICATION (user_data);

  if (self->sync != NULL)
    sd_sync_controller_cancel (self->sync);
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  SdApplication *self = SD_APPLICATION (user_data);
  static const char *developers[] = { "Sdelka contributors", NULL };

  adw_show_about_window (gtk_application_get_active_window (GTK_APPLICATION (self)),
                         "application-name", _("Sdelka"),
                         "application-icon", APP_ID,
                         "developer-name", _("Sdelka contributors"),
                         "version", PACKAGE_VERSION,
                         "comments", _("Deals, payments and field work of a Bitrix24 "
                                       "portal, online and offline"),
                         "developers", developers,
                         "translator-credits", _("translator-credits"),
                         "license-type", GTK_LICENSE_GPL_3_0,
                         NULL);
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action, NULL, NULL, NULL, { 0 } },
  { "preferences", preferences_action, NULL, NULL, NULL, { 0 } },
  { "sync-now", sync_now_action, NULL, NULL, NULL, { 0 } },
  { "sync-cancel", sync_cancel_action, NULL, NULL, NULL, { 0 } },
  { "about", about_action, NULL, NULL, NULL, { 0 } },
};

static void
sd_application_startup (GApplication *application)
{
  SdApplication *self = SD_APPLICATION (application);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *close_accels[] = { "<Control>w", NULL };
  static const char *search_accels[] = { "<Control>f", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  static const char *new_deal_accels[] = { "<Control>n", NULL };
  static const char *sync_accels[] = { "<Control>r", NULL };

  G_APPLICATION_CLASS (sd_application_parent_class)->startup (application);

  load_settings (self);
  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "window.close", close_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.search", search_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences",
                                         preferences_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.new-deal",
                                         new_deal_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.sync-now", sync_accels);
  update_sync_actions (self);
}

static void
sd_application_finalize (GObject *object)
{
  SdApplication *self = SD_APPLICATION (object);

  g_clear_handle_id (&self->render_timeout_id, g_source_remove);
  g_clear_object (&self->settings);
  g_clear_object (&self->automation_runner);
  g_clear_object (&self->automation);
  if (self->sync != NULL)
    g_signal_handlers_disconnect_by_data (self->sync, self);
  g_clear_object (&self->sync);
  g_clear_object (&self->store);
  g_clear_object (&self->render_css);
  g_clear_pointer (&self->render_as, g_free);
  g_clear_pointer (&self->render_view, g_free);
  g_clear_pointer (&self->render_out, g_free);
  G_OBJECT_CLASS (sd_application_parent_class)->finalize (object);
}

static void
sd_application_class_init (SdApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = sd_application_finalize;
  app_class->handle_local_options = sd_application_handle_local_options;
  app_class->startup = sd_application_startup;
  app_class->activate = sd_application_activate;
}

static void
sd_application_init (SdApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Deals of a Bitrix24 portal, online and offline."));
}

SdApplication *
sd_application_new (void)
{
  return g_object_new (SD_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/org/sdelka/Sdelka",
                       NULL);
}

SdStore *
sd_application_get_store (SdApplication *self)
{
  g_return_val_if_fail (SD_IS_APPLICATION (self), NULL);

  return self->store;
}

SdSyncController *
sd_application_get_sync (SdApplication *self)
{
  g_return_val_if_fail (SD_IS_APPLICATION (self), NULL);

  return self->sync;
}

SdAutomation *
sd_application_get_automation (SdApplication *self)
{
  g_return_val_if_fail (SD_IS_APPLICATION (self), NULL);

  return self->automation;
}

GSettings *
sd_application_get_settings (SdApplication *self)
{
  g_return_val_if_fail (SD_IS_APPLICATION (self), NULL);

  return self->settings;
}

int
sd_application_get_status (SdApplication *self)
{
  g_return_val_if_fail (SD_IS_APPLICATION (self), 1);

  return self->status;
}
