/* sd-window.c: the main window: a sidebar of the pipelines (with their open deals) and
 * the other sections; a pipeline's board with a deal's card beside it (over it when the
 * window is narrow); the user the app acts as and the sync status in the header.
 *
 * The store comes from the application. Acting as another user builds the board and the
 * card again, so what the role may not see or do is not offered.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-window"

#include "config.h"

#include "sd-window.h"

#include <glib/gi18n.h>

#include "automation/sd-automation-view.h"
#include "notifications/sd-bell-button.h"
#include "sync/sd-sync-status.h"
#include "notifications/sd-notifications-page.h"

#include "deal/sd-deal-view.h"
#include "pipeline/sd-kanban.h"
#include "pipeline/sd-new-deal-dialog.h"
#include "sd-b24-secret.h"
#include "sd-board.h"
#include "sd-records.h"
#include "sd-store-sync.h"

struct _SdWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;  /* NULL when the schema is missing */
  SdStore              *store;     /* NULL when the database could not be opened */
  gint64                pipeline_id;
  guint                 counts_id;
  guint                 pipelines_id;
  guint                 actor_id;        /* the pick after a change of the staff */
  gboolean              actor_chosen;    /* the person picked whom to act as */
  gint64                portal_user;     /* the credential's user when no one has a role */
  gboolean              reveal_waiting;  /* the card slides in after the board's first layout */

  /* template children */
  AdwLeaflet           *leaflet;
  GtkWidget            *sidebar_box;
  GtkListBox           *sidebar;
  GtkWidget            *content_box;
  AdwWindowTitle       *content_title;
  GtkToggleButton      *search_button;
  GtkSearchBar         *search_bar;
  GtkSearchEntry       *search_entry;
  AdwToastOverlay      *toast_overlay;
  GtkStack             *stack;
  GtkStack             *board_stack;
  AdwFlap              *flap;
  SdKanban             *kanban;
  SdDealView           *deal_view;
  GtkMenuButton        *actor_button;
  GtkListBox           *actor_list;
  SdBellButton         *bell;
  SdNotificationsPage  *notifications_page;
  SdAutomationView     *automation_view;
  SdSyncStatus         *sync_status;
  SdSyncController     *sync;
};

enum {
  PROP_0,
  PROP_SETTINGS,
  PROP_STORE,
  PROP_SECTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SdWindow, sd_window, ADW_TYPE_APPLICATION_WINDOW)

static GtkListBoxRow *
find_row (SdWindow   *self,
          const char *section)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->sidebar));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      gint64 pipeline_id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (child), "pipeline-id"));

      /* Each pipeline has a row in the "pipelines" section: the board's own stands for it. */
      if (GTK_IS_LIST_BOX_ROW (child) && g_strcmp0 (gtk_widget_get_name (child), section) == 0
          && (pipeline_id == 0 || self->pipeline_id == 0 || pipeline_id == self->pipeline_id))
        return GTK_LIST_BOX_ROW (child);
    }
  return NULL;
}

static void on_stack_visible_child (SdWindow *self);

static GtkListBoxRow *
find_pipeline_row (SdWindow *self,
                   gint64    pipeline_id)
{
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->sidebar)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (row), "pipeline-id")) == (gsize) pipeline_id)
      return GTK_LIST_BOX_ROW (row);
  return NULL;
}

/* The Automation view shows the rules of the board's pipeline. */
static void
follow_board (SdWindow *self)
{
  GtkListBoxRow *row = self->pipeline_id != 0 ? find_pipeline_row (self, self->pipeline_id) : NULL;
  const char *code = row != NULL ? g_object_get_data (G_OBJECT (row), "pipeline-code") : NULL;

  if (code != NULL)
    sd_automation_view_show_pipeline (self->automation_view, code);
}

/* AdwFlap 1.2 starts its slide at a speed divided by the flap's allocated width. Before
 * the board's first layout (its page just shown, no frame since: a deal opened from the
 * first sync's board or from another section) that width is 0 and the speed 0/0 (NaN): the
 * spring then lasts a millisecond, so the card jumps in, and a frame that comes within
 * that millisecond has the card nowhere, its flap measured with the minimum width (the
 * board's) above the natural one (the card's), which GTK warns about. Such a reveal waits
 * for the layout that gives the flap its width. */
static gboolean
flap_laid_out (SdWindow *self)
{
  GtkWidget *flap = GTK_WIDGET (self->flap);

  return !gtk_widget_get_mapped (flap) || gtk_widget_get_width (flap) > 0;
}

static void
reveal_after_layout (GdkFrameClock *clock,
                     SdWindow      *self)
{
  if (self->reveal_waiting && !flap_laid_out (self))
    {
      gtk_widget_queue_allocate (GTK_WIDGET (self->flap));
      return;
    }
  g_signal_handlers_disconnect_by_func (clock, reveal_after_layout, self);
  if (self->reveal_waiting)
    {
      self->reveal_waiting = FALSE;
      adw_flap_set_reveal_flap (self->flap, TRUE);
    }
}

static void
reveal_card (SdWindow *self)
{
  GtkWidget *flap = GTK_WIDGET (self->flap);

  if (!flap_laid_out (self))
    {
      if (!self->reveal_waiting)
        g_signal_connect_object (gtk_widget_get_frame_clock (flap), "after-paint",
                                 G_CALLBACK (reveal_after_layout), self, 0);
      self->reveal_waiting = TRUE;
      gtk_widget_queue_allocate (flap);
      return;
    }
  adw_flap_set_reveal_flap (self->flap, TRUE);
}

static void
hide_card (SdWindow *self)
{
  self->reveal_waiting = FALSE;
  adw_flap_set_reveal_flap (self->flap, FALSE);
}

static void
show_pipeline (SdWindow *self,
               gint64    pipeline_id)
{
  g_autoptr(GError) error = NULL;

  if (self->store == NULL || pipeline_id == 0)
    return;
  if (!sd_kanban_load (self->kanban, self->store, pipeline_id, &error))
    {
      sd_window_add_toast (self, adw_toast_new (error->message));
      return;
    }
  self->pipeline_id = pipeline_id;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.new-deal",
                                 sd_kanban_get_may_create (self->kanban));
  hide_card (self);
  gtk_stack_set_visible_child_name (self->board_stack, "board");
  if (self->settings != NULL)
    {
      GtkListBoxRow *row = find_pipeline_row (self, pipeline_id);

      /* By code: ids differ between databases, codes do not. */
      if (row != NULL)
        g_settings_set_string (self->settings, "last-pipeline",
                               g_object_get_data (G_OBJECT (row), "pipeline-code"));
    }
  follow_board (self);
  on_stack_visible_child (self);
}

static void
on_sidebar_row_selected (SdWindow      *self,
                         GtkListBoxRow *row)
{
  gint64 pipeline_id;

  if (row == NULL)
    return;
  pipeline_id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (row), "pipeline-id"));
  if (pipeline_id != 0 && pipeline_id != self->pipeline_id)
    show_pipeline (self, pipeline_id);
  gtk_stack_set_visible_child_name (self->stack, gtk_widget_get_name (GTK_WIDGET (row)));
}

static void
on_sidebar_row_activated (SdWindow      *self,
                          GtkListBoxRow *row)
{
  adw_leaflet_set_visible_child (self->leaflet, self->content_box);
}

static void
on_stack_visible_child (SdWindow *self)
{
  GtkWidget *child = gtk_stack_get_visible_child (self->stack);
  GtkStackPage *page;

  if (child == NULL)
    return;
  page = gtk_stack_get_page (self->stack, child);
  adw_window_title_set_title (self->content_title, gtk_stack_page_get_title (page));
  adw_window_title_set_subtitle (self->content_title, "");
  if (self->store != NULL && self->pipeline_id != 0
      && g_strcmp0 (gtk_stack_page_get_name (page), "pipelines") == 0)
    {
      g_autofree char *name = sd_store_describe (self->store, SD_ENTITY_PIPELINE,
                                                 self->pipeline_id);

      adw_window_title_set_title (self->content_title, name);
      adw_window_title_set_subtitle (self->content_title, gtk_stack_page_get_title (page));
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SECTION]);
}

static void
on_leaflet_folded (SdWindow *self)
{
  /* Unfolded, both panes show: keep the sidebar's selection in step with the content. */
  if (!adw_leaflet_get_folded (self->leaflet))
    {
      GtkListBoxRow *row = find_row (self, sd_window_get_section (self));

      if (row != NULL)
        gtk_list_box_select_row (self->sidebar, row);
    }
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SdWindow *self = SD_WINDOW (widget);

  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SdWindow *self = SD_WINDOW (widget);
  gboolean enabled = !gtk_search_bar_get_search_mode (self->search_bar);

  gtk_search_bar_set_search_mode (self->search_bar, enabled);
  if (enabled)
    gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
new_deal_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  SdWindow *self = SD_WINDOW (widget);
  g_autoptr(GError) error = NULL;
  GtkWidget *dialog;

  if (self->store == NULL || self->pipeline_id == 0)
    return;
  dialog = sd_new_deal_dialog_new (self->store, self->pipeline_id, &error);
  if (dialog == NULL)
    {
      sd_window_add_toast (self, adw_toast_new (error->message));
      return;
    }
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (self));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
restore_state (SdWindow *self)
{
  int width, height;

  if (self->settings == NULL)
    return;
  width = g_settings_get_int (self->settings, "window-width");
  height = g_settings_get_int (self->settings, "window-height");
  if (width > 0 && height > 0)
    gtk_window_set_default_size (GTK_WINDOW (self), width, height);
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static void
save_state (SdWindow *self)
{
  int width, height;
  gboolean maximized;

  if (self->settings == NULL)
    return;
  maximized = gtk_window_is_maximized (GTK_WINDOW (self));
  g_settings_delay (self->settings);
  g_settings_set_boolean (self->settings, "window-maximized", maximized);
  if (!maximized)
    {
      /* The size the window had before it was maximised is kept for the next unmaximise. */
      gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
      if (width > 0 && height > 0)
        {
          g_settings_set_int (self->settings, "window-width", width);
          g_settings_set_int (self->settings, "window-height", height);
        }
    }
  g_settings_apply (self->settings);
}

static void
update_counts (SdWindow *self)
{
  g_autoptr(GHashTable) counts = NULL;

  if (self->store == NULL || (counts = sd_store_count_open_deals (self->store, NULL)) == NULL)
    return;
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->sidebar)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      gint64 pipeline_id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (row), "pipeline-id"));
      GtkLabel *count = g_object_get_data (G_OBJECT (row), "count-label");
      g_autofree char *text = NULL;

      if (pipeline_id == 0 || count == NULL)
        continue;
      text = g_strdup_printf ("%u", GPOINTER_TO_UINT (g_hash_table_lookup (counts, &pipeline_id)));
      gtk_label_set_text (count, text);
    }
}

static gboolean
update_counts_cb (gpointer user_data)
{
  SdWindow *self = SD_WINDOW (user_data);

  self->counts_id = 0;
  update_counts (self);
  return G_SOURCE_REMOVE;
}

static void add_pipeline_rows (SdWindow *self);

/* The pipelines changed (a sync brought them): the sidebar lists them again, and a window
 * that had none shows the first. */
static void
refresh_pipelines (SdWindow *self)
{
  GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->sidebar));
  gint64 shown = self->pipeline_id;
  GtkListBoxRow *first;

  while (row != NULL)
    {
      GtkWidget *next = gtk_widget_get_next_sibling (row);

      if (g_strcmp0 (gtk_widget_get_name (row), "pipelines") == 0)
        gtk_list_box_remove (self->sidebar, row);
      row = next;
    }
  add_pipeline_rows (self);
  if (shown != 0 && find_pipeline_row (self, shown) != NULL)
    {
      g_signal_handlers_block_by_func (self->sidebar, on_sidebar_row_selected, self);
      if (g_strcmp0 (sd_window_get_section (self), "pipelines") == 0)
        gtk_list_box_select_row (self->sidebar, find_pipeline_row (self, shown));
      g_signal_handlers_unblock_by_func (self->sidebar, on_sidebar_row_selected, self);
      return;
    }
  self->pipeline_id = 0;
  first = gtk_list_box_get_row_at_index (self->sidebar, 0);
  if (first != NULL && g_object_get_data (G_OBJECT (first), "pipeline-id") != NULL
      && g_strcmp0 (sd_window_get_section (self), "pipelines") == 0)
    {
      gtk_list_box_unselect_all (self->sidebar);
      gtk_list_box_select_row (self->sidebar, first);
    }
}

static gboolean
refresh_pipelines_cb (gpointer user_data)
{
  SdWindow *self = SD_WINDOW (user_data);

  self->pipelines_id = 0;
  refresh_pipelines (self);
  return G_SOURCE_REMOVE;
}

static void on_staff_changed (SdWindow *self);

static void
on_store_changed (SdWindow *self,
                  guint     entity)
{
  /* Once after a commit, however many rows it changed. */
  if (entity == SD_ENTITY_DEAL && self->counts_id == 0)
    self->counts_id = g_idle_add (update_counts_cb, self);
  if ((entity == SD_ENTITY_PIPELINE || entity == SD_ENTITY_STAGE) && self->pipelines_id == 0)
    self->pipelines_id = g_idle_add (refresh_pipelines_cb, self);
  if (entity == SD_ENTITY_USER)
    on_staff_changed (self);
}

/* A row per pipeline at the top of the sidebar, with its count of open deals. */
static void
add_pipeline_rows (SdWindow *self)
{
  g_autoptr(GPtrArray) pipelines = sd_store_list_pipelines (self->store, NULL);

  for (guint i = 0; pipelines != NULL && i < pipelines->len; i++)
    {
      SdPipeline *pipeline = pipelines->pdata[i];
      GtkWidget *row = gtk_list_box_row_new ();
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
      GtkWidget *icon = gtk_image_new_from_icon_name ("sd-pipelines-symbolic");
      GtkWidget *label = gtk_label_new (pipeline->name);
      GtkWidget *count = gtk_label_new (NULL);

      gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      "", -1);
      gtk_widget_set_hexpand (label, TRUE);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_widget_add_css_class (count, "dim-label");
      gtk_widget_add_css_class (count, "numeric");
      gtk_widget_set_tooltip_text (count, _("Open deals"));
      gtk_box_append (GTK_BOX (box), icon);
      gtk_box_append (GTK_BOX (box), label);
      gtk_box_append (GTK_BOX (box), count);
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
      gtk_widget_set_name (row, "pipelines");
      g_object_set_data (G_OBJECT (row), "pipeline-id", GSIZE_TO_POINTER (pipeline->id));
      g_object_set_data_full (G_OBJECT (row), "pipeline-code", g_strdup (pipeline->code), g_free);
      g_object_set_data (G_OBJECT (row), "count-label", count);
      gtk_list_box_insert (self->sidebar, row, (int) i);
    }
  if (pipelines == NULL || pipelines->len == 0)
    {
      /* Still a way to the (empty) pipelines page. */
      GtkWidget *row = gtk_list_box_row_new ();

      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), gtk_label_new (_("Pipelines")));
      gtk_widget_set_name (row, "pipelines");
      gtk_list_box_insert (self->sidebar, row, 0);
    }
  update_counts (self);
}

static void
update_actor_button (SdWindow *self)
{
  gint64 actor = sd_store_get_actor (self->store);
  g_autofree char *name = sd_store_describe (self->store, SD_ENTITY_USER,
                                             actor != SD_ACTOR_SYSTEM ? actor : self->portal_user);
  g_autofree char *label = NULL;

  gtk_menu_button_set_label (self->actor_button, name != NULL ? name : _("Nobody"));
  /* TRANSLATORS: the header button naming the user the app acts as */
  label = g_strdup_printf (_("Acting as %s"), name != NULL ? name : _("nobody"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->actor_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->actor_button),
                               actor == SD_ACTOR_SYSTEM && name != NULL
                               ? _("Nobody here has a role yet: every stage is open, and the portal "
                                   "decides what this connection may change. Click to act as "
                                   "another user")
                               : _("Act as another user"));
}

/* The rows of the act-as popover, made when it first opens: a start-up need not pay for
 * them. */
static void
fill_actors (SdWindow *self)
{
  g_autoptr(GPtrArray) users = NULL;

  if (self->store == NULL || gtk_widget_get_first_child (GTK_WIDGET (self->actor_list)) != NULL)
    return;
  users = sd_store_list_users (self->store, NULL);
  for (guint i = 0; users != NULL && i < users->len; i++)
    {
      SdUser *user = users->pdata[i];
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), user->full_name);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), user->role_name ? user->role_name : "");
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), adw_avatar_new (32, user->full_name, TRUE));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_data (G_OBJECT (row), "user-id", GSIZE_TO_POINTER (user->id));
      gtk_list_box_append (self->actor_list, row);
    }
}

/* The portal's user this connection belongs to (user.current at connect), as a local
 * user; 0 before the sync brought them, or when not connected. */
static gint64
connected_user (SdWindow *self)
{
  g_autofree char *b24_id = sd_store_get_meta (self->store, SD_B24_USER_META);
  gint64 id = b24_id != NULL ? g_ascii_strtoll (b24_id, NULL, 10) : 0;

  return id > 0 ? sd_store_find_b24 (self->store, SD_ENTITY_USER, id) : 0;
}

static void act_as (SdWindow *self, gint64 user_id);

/* Whom the app acts as until the person picks someone: the portal user the connection
 * belongs to, if they have a role here; else the first head of department, who may see
 * every stage (the demo has no signed-in person), else anyone with a role. When nobody
 * has a role (a database the portal filled: no playbook gave roles), acting as anyone
 * would hide every stage, so the app goes on as the system, with every stage open, and
 * the header names the connection's user, as whom the portal takes every change.
 * Run at window open and whenever the staff or the connection change. */
static void
pick_default_actor (SdWindow *self)
{
  g_autoptr(GPtrArray) users = NULL;
  gint64 me, head = 0, any = 0, pick;
  gboolean mine = FALSE;

  if (self->actor_chosen)
    return;
  me = connected_user (self);
  users = sd_store_list_users (self->store, NULL);
  for (guint i = 0; users != NULL && i < users->len; i++)
    {
      SdUser *user = users->pdata[i];

      if (user->role_id == 0)
        continue;
      mine = mine || user->id == me;
      if (head == 0 && g_strcmp0 (user->role_code, "head") == 0)
        head = user->id;
      if (any == 0)
        any = user->id;
    }
  pick = mine ? me : head != 0 ? head : any != 0 ? any : SD_ACTOR_SYSTEM;
  self->portal_user = pick == SD_ACTOR_SYSTEM ? me : 0;
  if (pick != sd_store_get_actor (self->store))
    act_as (self, pick);
  else
    update_actor_button (self);
}

/* The staff changed (a sync brought them) or the connection did: the pick is made again,
 * and the act-as list is made again when it next opens. */
static gboolean
staff_changed_cb (gpointer user_data)
{
  SdWindow *self = SD_WINDOW (user_data);
  GtkWidget *row;

  self->actor_id = 0;
  while ((row = gtk_widget_get_first_child (GTK_WIDGET (self->actor_list))) != NULL)
    gtk_list_box_remove (self->actor_list, row);
  pick_default_actor (self);
  return G_SOURCE_REMOVE;
}

static void
on_staff_changed (SdWindow *self)
{
  if (self->store != NULL && self->actor_id == 0)
    self->actor_id = g_idle_add (staff_changed_cb, self);
}

static void
on_actor_row_activated (SdWindow      *self,
                        GtkListBoxRow *row)
{
  gint64 user_id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (row), "user-id"));

  gtk_menu_button_popdown (self->actor_button);
  sd_window_set_actor (self, user_id);
}

static void
on_deal_activated (SdWindow *self,
                   gint64    deal_id)
{
  sd_window_open_deal (self, deal_id);
}

static void
on_deal_closed (SdWindow *self)
{
  hide_card (self);
}

static void
on_message (SdWindow   *self,
            const char *text)
{
  sd_window_add_toast (self, adw_toast_new (text));
}

static void
on_search_changed (SdWindow       *self,
                   GtkSearchEntry *entry)
{
  sd_kanban_set_search (self->kanban, gtk_editable_get_text (GTK_EDITABLE (entry)));
}

static gint64
saved_pipeline (SdWindow *self)
{
  g_autofree char *code = NULL;

  if (self->settings == NULL)
    return 0;
  code = g_settings_get_string (self->settings, "last-pipeline");
  return *code != '\0' ? sd_store_find_pipeline (self->store, code) : 0;
}

static gboolean
sd_window_close_request (GtkWindow *window)
{
  save_state (SD_WINDOW (window));
  return GTK_WINDOW_CLASS (sd_window_parent_class)->close_request (window);
}

static void
sd_window_constructed (GObject *object)
{
  SdWindow *self = SD_WINDOW (object);

  G_OBJECT_CLASS (sd_window_parent_class)->constructed (object);

  restore_state (self);
  if (self->store != NULL)
    {
      gint64 pipeline_id;

      pick_default_actor (self);
      add_pipeline_rows (self);
      g_signal_connect_object (self->store, "changed", G_CALLBACK (on_store_changed), self,
                               G_CONNECT_SWAPPED);
      pipeline_id = saved_pipeline (self);
      if (pipeline_id != 0 && find_pipeline_row (self, pipeline_id) != NULL)
        {
          gtk_list_box_select_row (self->sidebar, find_pipeline_row (self, pipeline_id));
          return;
        }
    }
  gtk_list_box_select_row (self->sidebar, find_row (self, "pipelines"));
}

static void
sd_window_dispose (GObject *object)
{
  SdWindow *self = SD_WINDOW (object);

  g_clear_handle_id (&self->counts_id, g_source_remove);
  g_clear_handle_id (&self->pipelines_id, g_source_remove);
  g_clear_handle_id (&self->actor_id, g_source_remove);
  /* A reveal still waiting for a layout has no card to show any more. */
  self->reveal_waiting = FALSE;
  if (self->sync != NULL)
    g_signal_handlers_disconnect_by_data (self->sync, self);
  gtk_widget_dispose_template (GTK_WIDGET (object), SD_TYPE_WINDOW);
  G_OBJECT_CLASS (sd_window_parent_class)->dispose (object);
}

static void
sd_window_finalize (GObject *object)
{
  SdWindow *self = SD_WINDOW (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->store);
  g_clear_object (&self->sync);
  G_OBJECT_CLASS (sd_window_parent_class)->finalize (object);
}

static void
sd_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  SdWindow *self = SD_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;

    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_SECTION:
      g_value_set_string (value, sd_window_get_section (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sd_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  SdWindow *self = SD_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_set_object (&self->settings, g_value_get_object (value));
      break;

    case PROP_STORE:
      g_set_object (&self->store, g_value_get_object (value));
      break;

    case PROP_SECTION:
      sd_window_set_section (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
on_bell_open_deal (SdWindow *self,
                   gint64    deal_id)
{
  sd_window_open_deal (self, deal_id);
}

/* And the board shows the pipeline whose rules the person chose to see. */
static void
on_automation_pipeline_selected (SdWindow   *self,
                                 const char *code)
{
  gint64 pipeline_id = self->store != NULL ? sd_store_find_pipeline (self->store, code) : 0;

  if (pipeline_id != 0 && pipeline_id != self->pipeline_id
      && find_pipeline_row (self, pipeline_id) != NULL)
    show_pipeline (self, pipeline_id);
}

/* The bell and the Notifications page show the same rows: what one marks read, the other
 * reads again. */
static void
on_notifications_changed (SdWindow *self)
{
  sd_bell_button_reload (self->bell);
}

static void
on_bell_unread_changed (SdWindow *self)
{
  sd_notifications_page_reload (self->notifications_page);
}

static void
sd_window_class_init (SdWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = sd_window_constructed;
  object_class->dispose = sd_window_dispose;
  object_class->finalize = sd_window_finalize;
  object_class->get_property = sd_window_get_property;
  object_class->set_property = sd_window_set_property;
  window_class->close_request = sd_window_close_request;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         SD_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SECTION] =
    g_param_spec_string ("section", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (SD_TYPE_AUTOMATION_VIEW);
  g_type_ensure (SD_TYPE_BELL_BUTTON);
  g_type_ensure (SD_TYPE_SYNC_STATUS);
  g_type_ensure (SD_TYPE_NOTIFICATIONS_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/sdelka/Sdelka/window/sd-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SdWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, SdWindow, sidebar_box);
  gtk_widget_class_bind_template_child (widget_class, SdWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, SdWindow, content_box);
  gtk_widget_class_bind_template_child (widget_class, SdWindow, content_title);
  gtk_widget_class_bind_template_child (widget_class, SdWindow, search_button);
  gtk_widget_class_bind_template_child (widget_class, SdWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, SdWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, SdWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, SdWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, SdWindow, bell);
  gtk_widget_class_bind_template_child (widget_class, SdWindow, automation_view);
  gtk_widget_class_bind_template_child (widget_class, SdWindow, sync_status);
  gtk_widget_class_bind_template_callback (widget_class, on_bell_open_deal);
  gtk_widget_class_bind_template_child (widget_class, SdWindow, notifications_page);
  gtk_widget_class_bind_template_callback (widget_class, on_notifications_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_automation_pipeline_selected);
  gtk_widget_class_bind_template_child (widget_class, SdWindow, board_stack);
  gtk_widget_class_bind_template_child (widget_class, SdWindow, flap);
  gtk_widget_class_bind_template_child (widget_class, SdWindow, kanban);
  gtk_widget_class_bind_template_child (widget_class, SdWindow, deal_view);
  gtk_widget_class_bind_template_child (widget_class, SdWindow, actor_button);
  gtk_widget_class_bind_template_child (widget_class, SdWindow, actor_list);
  gtk_widget_class_bind_template_callback (widget_class, on_sidebar_row_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_actor_row_activated);
  gtk_widget_class_bind_template_callback (widget_class, fill_actors);
  gtk_widget_class_bind_template_callback (widget_class, on_deal_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_deal_closed);
  gtk_widget_class_bind_template_callback (widget_class, on_message);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_sidebar_row_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_stack_visible_child);
  gtk_widget_class_bind_template_callback (widget_class, on_leaflet_folded);

  gtk_widget_class_install_action (widget_class, "win.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.new-deal", NULL, new_deal_action);
}

static void
sd_window_init (SdWindow *self)
{
  g_type_ensure (SD_TYPE_KANBAN);
  g_type_ensure (SD_TYPE_DEAL_VIEW);
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  g_signal_connect_object (self->bell, "notify::unread", G_CALLBACK (on_bell_unread_changed),
                           self, G_CONNECT_SWAPPED);
  gtk_search_bar_set_key_capture_widget (self->search_bar, GTK_WIDGET (self));

  /* The search toggle follows the bar, whichever way it was opened or closed. */
  g_object_bind_property (self->search_bar, "search-mode-enabled",
                          self->search_button, "active",
                          G_BINDING_SYNC_CREATE | G_BINDING_BIDIRECTIONAL);

  if (g_str_has_suffix (APP_ID, ".Devel"))
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
}

/**
 * sd_window_new:
 * @application: the application the window belongs to
 * @settings: (nullable): where the window keeps its size, or %NULL to keep nothing
 * @store: (nullable): the database the window shows, or %NULL if none could be opened
 *
 * Returns: (transfer full): a new main window
 */
SdWindow *
sd_window_new (GtkApplication *application,
               GSettings      *settings,
               SdStore        *store)
{
  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (store == NULL || SD_IS_STORE (store), NULL);

  return g_object_new (SD_TYPE_WINDOW,
                       "application", application,
                       "settings", settings,
                       "store", store,
                       NULL);
}

const char *
sd_window_get_section (SdWindow *self)
{
  g_return_val_if_fail (SD_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

void
sd_window_set_section (SdWindow   *self,
                       const char *section)
{
  GtkListBoxRow *row;

  g_return_if_fail (SD_IS_WINDOW (self));
  g_return_if_fail (section != NULL);

  row = find_row (self, section);
  if (row == NULL)
    {
      g_critical ("No section “%s” in the sidebar", section);
      return;
    }
  gtk_list_box_select_row (self->sidebar, row);
  /* Folded, the section is shown instead of the sidebar. */
  adw_leaflet_set_visible_child (self->leaflet, self->content_box);
}

void
sd_window_set_automation (SdWindow     *self,
                          SdAutomation *automation)
{
  g_return_if_fail (SD_IS_WINDOW (self));

  sd_bell_button_set_automation (self->bell, automation);
  sd_notifications_page_set_automation (self->notifications_page, automation);
  sd_kanban_set_automation (self->kanban, automation);
  if (self->store != NULL)
    {
      sd_bell_button_set_user (self->bell, sd_store_get_actor (self->store));
      sd_notifications_page_set_user (self->notifications_page, sd_store_get_actor (self->store));
    }
  sd_automation_view_set_automation (self->automation_view, automation);
  follow_board (self);
}

/* A sync changed more than it listed: every view reads again what it shows. */
static void
on_sync_reload (SdWindow *self)
{
  refresh_pipelines (self);
  sd_kanban_reload (self->kanban);
  if (sd_deal_view_get_deal (self->deal_view) != 0)
    sd_deal_view_refresh (self->deal_view);
  update_counts (self);
  on_staff_changed (self);
}

void
sd_window_set_sync (SdWindow         *self,
                    SdSyncController *sync)
{
  g_return_if_fail (SD_IS_WINDOW (self));
  g_return_if_fail (sync == NULL || SD_IS_SYNC_CONTROLLER (sync));

  if (self->sync != NULL)
    g_signal_handlers_disconnect_by_data (self->sync, self);
  g_set_object (&self->sync, sync);
  if (sync != NULL)
    {
      g_signal_connect_object (sync, "reload", G_CALLBACK (on_sync_reload), self, G_CONNECT_SWAPPED);
      /* A connection names the person at this computer. */
      g_signal_connect_object (sync, "notify::connected", G_CALLBACK (on_staff_changed), self,
                               G_CONNECT_SWAPPED);
    }
  sd_sync_status_set_controller (self->sync_status, sync);
}

SdSyncStatus *
sd_window_get_sync_status (SdWindow *self)
{
  g_return_val_if_fail (SD_IS_WINDOW (self), NULL);

  return self->sync_status;
}

GtkWidget *
sd_window_get_view (SdWindow   *self,
                    const char *view)
{
  g_return_val_if_fail (SD_IS_WINDOW (self), NULL);
  g_return_val_if_fail (view != NULL, NULL);

  /* The status's panel with its popover's background and frame. */
  if (g_str_equal (view, "sync"))
    return gtk_widget_get_parent (sd_sync_status_get_panel (self->sync_status));
  if (g_str_equal (view, "conflicts"))
    return GTK_WIDGET (self->deal_view);

  if (g_str_equal (view, "window") || g_str_equal (view, "kanban") || g_str_equal (view, "deal")
      || g_str_equal (view, "automation") || g_str_equal (view, "bell"))
    return GTK_WIDGET (self);
  return NULL;
}

SdKanban *
sd_window_get_kanban (SdWindow *self)
{
  g_return_val_if_fail (SD_IS_WINDOW (self), NULL);

  return self->kanban;
}

GtkWidget *
sd_window_get_automation_view (SdWindow *self)
{
  g_return_val_if_fail (SD_IS_WINDOW (self), NULL);

  return GTK_WIDGET (self->automation_view);
}

GtkWidget *
sd_window_get_notifications (SdWindow  *self,
                             GtkWidget **bell)
{
  g_return_val_if_fail (SD_IS_WINDOW (self), NULL);

  if (bell != NULL)
    *bell = GTK_WIDGET (self->bell);
  return GTK_WIDGET (self->notifications_page);
}

SdDealView *
sd_window_get_deal_view (SdWindow *self)
{
  g_return_val_if_fail (SD_IS_WINDOW (self), NULL);

  return self->deal_view;
}

gboolean
sd_window_open_deal (SdWindow *self,
                     gint64    deal_id)
{
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (SD_IS_WINDOW (self), FALSE);

  if (self->store == NULL)
    return FALSE;
  if (!sd_deal_view_load (self->deal_view, self->store, deal_id, &error))
    {
      sd_window_add_toast (self, adw_toast_new (error->message));
      return FALSE;
    }
  sd_window_set_section (self, "pipelines");
  reveal_card (self);
  return TRUE;
}

void
sd_window_set_actor (SdWindow *self,
                     gint64    user_id)
{
  g_return_if_fail (SD_IS_WINDOW (self));

  if (self->store == NULL)
    return;
  /* From now on the person's choice stands, whatever the sync brings. */
  self->actor_chosen = TRUE;
  self->portal_user = 0;
  act_as (self, user_id);
}

static void
act_as (SdWindow *self,
        gint64    user_id)
{
  gint64 deal_id;

  sd_store_set_actor (self->store, user_id);
  sd_bell_button_set_user (self->bell, user_id);
  sd_notifications_page_set_user (self->notifications_page, user_id);
  update_actor_button (self);
  /* What the new role may see and do differs: build the board and the card again. */
  if (self->pipeline_id != 0)
    {
      gint64 pipeline_id = self->pipeline_id;

      self->pipeline_id = 0;
      show_pipeline (self, pipeline_id);
    }
  deal_id = sd_deal_view_get_deal (self->deal_view);
  if (deal_id != 0 && (adw_flap_get_reveal_flap (self->flap) || self->reveal_waiting))
    sd_window_open_deal (self, deal_id);
}

void
sd_window_add_toast (SdWindow *self,
                     AdwToast *toast)
{
  g_return_if_fail (SD_IS_WINDOW (self));
  g_return_if_fail (ADW_IS_TOAST (toast));

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}
