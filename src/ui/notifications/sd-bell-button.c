/* sd-bell-button.c: the bell in the header.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-bell-button"

#include "config.h"

#include "sd-bell-button.h"

#include <glib/gi18n.h>

#include "sd-desktop-notification.h"
#include "sd-notification-row.h"
#include "sd-records.h"

/* More than this reads as "99+": the badge stays small. */
#define MAX_BADGE 99

struct _SdBellButton
{
  GtkWidget     parent_instance;

  SdAutomation *automation;
  gint64        user_id;
  GPtrArray    *entries;      /* SdNotification *, newest first */
  GApplication *action_app;   /* where this bell added app.open-deal; weak */

  /* template children */
  GtkMenuButton *button;
  GtkLabel      *badge;
  GtkPopover    *popover;
  GtkListBox    *list;
  GtkWidget     *mark_all_button;
};

enum
{
  PROP_0,
  PROP_AUTOMATION,
  PROP_USER_ID,
  PROP_UNREAD,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

enum
{
  OPEN_DEAL,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SdBellButton, sd_bell_button, GTK_TYPE_WIDGET)

static SdStore *
get_store (SdBellButton *self)
{
  return self->automation != NULL ? sd_automation_get_store (self->automation) : NULL;
}

static GtkWidget *
make_row (gpointer              owner,
          const SdNotification *n)
{
  GtkWidget *line, *text;
  GtkWidget *row = sd_notification_row_new (get_store (owner), n, "%d.%m %H:%M", &line, &text, NULL);

  gtk_label_set_max_width_chars (GTK_LABEL (text), 40);
  return row;
}

static void
update_badge (SdBellButton *self)
{
  guint unread = self->entries->len;
  g_autofree char *count = unread > MAX_BADGE ? g_strdup_printf ("%d+", MAX_BADGE)
                                              : g_strdup_printf ("%u", unread);
  g_autofree char *label = NULL;

  gtk_label_set_label (self->badge, count);
  gtk_widget_set_visible (GTK_WIDGET (self->badge), unread > 0);
  gtk_widget_set_sensitive (self->mark_all_button, unread > 0);
  label = unread == 0 ? g_strdup (_("Notifications, none unread"))
                      : g_strdup_printf (ngettext ("Notifications, %u unread",
                                                   "Notifications, %u unread", unread), unread);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->button), label);
}

void
sd_bell_button_reload (SdBellButton *self)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *entries = NULL;

  g_return_if_fail (SD_IS_BELL_BUTTON (self));

  if (self->automation != NULL && self->user_id != 0)
    entries = sd_notification_list_unread (get_store (self), self->user_id, &error);
  if (error != NULL)
    g_warning ("Could not read the notifications: %s", error->message);
  g_ptr_array_unref (self->entries);
  self->entries = entries != NULL ? entries
                                  : g_ptr_array_new_with_free_func ((GDestroyNotify) sd_notification_free);

  sd_notification_rows_fill (self->list, self->entries, make_row, self);
  update_badge (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNREAD]);
}

static GApplication *
get_application (SdBellButton *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkApplication *app = GTK_IS_WINDOW (root) ? gtk_window_get_application (GTK_WINDOW (root))
                                             : NULL;

  return G_APPLICATION (app);
}

static void
on_open_deal_action (SdBellButton *self,
                     GVariant     *parameter)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (GTK_IS_WINDOW (root))
    gtk_window_present (GTK_WINDOW (root));
  g_signal_emit (self, signals[OPEN_DEAL], 0, g_variant_get_int64 (parameter));
}

/* Clicking a desktop notification activates app.open-deal: the first bell of the app
 * answers it, unless the application has an action of its own. */
static void
ensure_action (SdBellButton *self,
               GApplication *app)
{
  g_autoptr(GSimpleAction) action = NULL;

  if (g_action_map_lookup_action (G_ACTION_MAP (app), SD_DESKTOP_NOTIFICATION_ACTION) != NULL)
    return;
  action = g_simple_action_new (SD_DESKTOP_NOTIFICATION_ACTION, G_VARIANT_TYPE_INT64);
  g_signal_connect_object (action, "activate", G_CALLBACK (on_open_deal_action), self,
                           G_CONNECT_SWAPPED);
  g_action_map_add_action (G_ACTION_MAP (app), G_ACTION (action));
  g_set_weak_pointer (&self->action_app, app);
}

static void
on_notification_added (SdBellButton *self,
                       gint64        id,
                       gint64        user_id)
{
  GApplication *app;
  GtkRoot *root;

  if (user_id != self->user_id)
    return;
  sd_bell_button_reload (self);

  /* In front, the badge is enough; elsewhere, the desktop tells. */
  root = gtk_widget_get_root (GTK_WIDGET (self));
  app = get_application (self);
  if (app == NULL || (GTK_IS_WINDOW (root) && gtk_window_is_active (GTK_WINDOW (root))))
    return;
  ensure_action (self, app);
  for (guint i = 0; i < self->entries->len; i++)
    {
      const SdNotification *n = self->entries->pdata[i];

      if (n->id == id)
        sd_desktop_notification_send (app, n);
    }
}

/* Marks entry @index read; its deal, or 0. */
static gint64
mark_read (SdBellButton *self,
           guint         index)
{
  const SdNotification *n = self->entries->pdata[index];

  sd_notification_row_mark_read (GTK_WIDGET (self), get_store (self), n);
  return n->deal_id;
}

void
sd_bell_button_activate_entry (SdBellButton *self,
                               guint         index)
{
  gint64 deal_id;

  g_return_if_fail (SD_IS_BELL_BUTTON (self));
  g_return_if_fail (index < self->entries->len);

  deal_id = mark_read (self, index);
  gtk_popover_popdown (self->popover);
  sd_bell_button_reload (self);
  if (deal_id != 0)
    g_signal_emit (self, signals[OPEN_DEAL], 0, deal_id);
}

void
sd_bell_button_mark_all_read (SdBellButton *self)
{
  g_return_if_fail (SD_IS_BELL_BUTTON (self));

  for (guint i = 0; i < self->entries->len; i++)
    mark_read (self, i);
  sd_bell_button_reload (self);
}

static void
on_row_activated (SdBellButton  *self,
                  GtkListBoxRow *row)
{
  sd_bell_button_activate_entry (self, (guint) gtk_list_box_row_get_index (row));
}

static void
on_mark_all_clicked (SdBellButton *self)
{
  sd_bell_button_mark_all_read (self);
}

static void
on_popover_show (SdBellButton *self)
{
  sd_bell_button_reload (self);
}

static void
sd_bell_button_root (GtkWidget *widget)
{
  static GtkCssProvider *provider;
  GdkDisplay *display = gtk_widget_get_display (widget);

  GTK_WIDGET_CLASS (sd_bell_button_parent_class)->root (widget);

  /* The badge's style, once a display. */
  if (g_object_get_data (G_OBJECT (display), "sd-bell-css") != NULL)
    return;
  if (provider == NULL)
    {
      provider = gtk_css_provider_new ();
      gtk_css_provider_load_from_resource (provider,
                                           "/org/sdelka/Sdelka/notifications/sd-bell-button.css");
    }
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  g_object_set_data (G_OBJECT (display), "sd-bell-css", provider);
}

static void
sd_bell_button_dispose (GObject *object)
{
  GtkWidget *child;
  SdBellButton *self = SD_BELL_BUTTON (object);

  if (self->action_app != NULL)
    g_action_map_remove_action (G_ACTION_MAP (self->action_app), SD_DESKTOP_NOTIFICATION_ACTION);
  g_clear_weak_pointer (&self->action_app);
  sd_bell_button_set_automation (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), SD_TYPE_BELL_BUTTON);
  /* The template's top box is not a bound child: unparent it ourselves. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (sd_bell_button_parent_class)->dispose (object);
}

static void
sd_bell_button_finalize (GObject *object)
{
  SdBellButton *self = SD_BELL_BUTTON (object);

  g_ptr_array_unref (self->entries);
  G_OBJECT_CLASS (sd_bell_button_parent_class)->finalize (object);
}

static void
sd_bell_button_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  SdBellButton *self = SD_BELL_BUTTON (object);

  switch (prop_id)
    {
    case PROP_AUTOMATION:
      g_value_set_object (value, self->automation);
      break;
    case PROP_USER_ID:
      g_value_set_int64 (value, self->user_id);
      break;
    case PROP_UNREAD:
      g_value_set_uint (value, self->entries->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sd_bell_button_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  SdBellButton *self = SD_BELL_BUTTON (object);

  switch (prop_id)
    {
    case PROP_AUTOMATION:
      sd_bell_button_set_automation (self, g_value_get_object (value));
      break;
    case PROP_USER_ID:
      sd_bell_button_set_user (self, g_value_get_int64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sd_bell_button_class_init (SdBellButtonClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sd_bell_button_dispose;
  object_class->finalize = sd_bell_button_finalize;
  object_class->get_property = sd_bell_button_get_property;
  object_class->set_property = sd_bell_button_set_property;
  widget_class->root = sd_bell_button_root;

  properties[PROP_AUTOMATION] =
    g_param_spec_object ("automation", NULL, NULL, SD_TYPE_AUTOMATION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_USER_ID] =
    g_param_spec_int64 ("user-id", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_UNREAD] =
    g_param_spec_uint ("unread", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SdBellButton::open-deal:
   * @deal_id: the deal of the entry the person opened
   */
  signals[OPEN_DEAL] = g_signal_new ("open-deal", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/sdelka/Sdelka/notifications/sd-bell-button.ui");
  gtk_widget_class_bind_template_child (widget_class, SdBellButton, button);
  gtk_widget_class_bind_template_child (widget_class, SdBellButton, badge);
  gtk_widget_class_bind_template_child (widget_class, SdBellButton, popover);
  gtk_widget_class_bind_template_child (widget_class, SdBellButton, list);
  gtk_widget_class_bind_template_child (widget_class, SdBellButton, mark_all_button);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_mark_all_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_popover_show);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
sd_bell_button_init (SdBellButton *self)
{
  self->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) sd_notification_free);
  gtk_widget_init_template (GTK_WIDGET (self));
  update_badge (self);
}

GtkWidget *
sd_bell_button_new (void)
{
  return g_object_new (SD_TYPE_BELL_BUTTON, NULL);
}

void
sd_bell_button_set_automation (SdBellButton *self,
                               SdAutomation *automation)
{
  g_return_if_fail (SD_IS_BELL_BUTTON (self));
  g_return_if_fail (automation == NULL || SD_IS_AUTOMATION (automation));

  if (self->automation == automation)
    return;
  if (self->automation != NULL)
    g_signal_handlers_disconnect_by_data (self->automation, self);
  g_set_object (&self->automation, automation);
  if (automation != NULL)
    g_signal_connect_swapped (automation, "notification-added",
                              G_CALLBACK (on_notification_added), self);
  sd_bell_button_reload (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AUTOMATION]);
}

SdAutomation *
sd_bell_button_get_automation (SdBellButton *self)
{
  g_return_val_if_fail (SD_IS_BELL_BUTTON (self), NULL);
  return self->automation;
}

void
sd_bell_button_set_user (SdBellButton *self,
                         gint64        user_id)
{
  g_return_if_fail (SD_IS_BELL_BUTTON (self));

  if (self->user_id == user_id)
    return;
  self->user_id = user_id;
  sd_bell_button_reload (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER_ID]);
}

gint64
sd_bell_button_get_user (SdBellButton *self)
{
  g_return_val_if_fail (SD_IS_BELL_BUTTON (self), 0);
  return self->user_id;
}

guint
sd_bell_button_get_unread (SdBellButton *self)
{
  g_return_val_if_fail (SD_IS_BELL_BUTTON (self), 0);
  return self->entries->len;
}
