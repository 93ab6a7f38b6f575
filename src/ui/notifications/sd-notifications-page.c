/* sd-notifications-page.c: the Notifications section.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-notifications"

#include "config.h"

#include "sd-notifications-page.h"

#include <glib/gi18n.h>

#include "sd-desktop-notification.h"
#include "sd-notification-row.h"
#include "sd-records.h"

struct _SdNotificationsPage
{
  GtkWidget     parent_instance;

  SdAutomation *automation;
  gint64        user_id;
  gboolean      unread_only;
  GPtrArray    *entries;        /* SdNotification *, newest first */

  /* template children */
  GtkWidget       *box;
  GtkToggleButton *unread_toggle;
  GtkLabel        *summary;
  GtkWidget       *mark_all_button;
  GtkStack        *stack;
  GtkListBox      *list;
  GtkWidget       *votes_clamp;
  GtkListBox      *votes_list;
  AdwStatusPage   *empty_page;
};

enum
{
  OPEN_DEAL,
  CHANGED,
  MESSAGE,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SdNotificationsPage, sd_notifications_page, GTK_TYPE_WIDGET)

static SdStore *
get_store (SdNotificationsPage *self)
{
  return self->automation != NULL ? sd_automation_get_store (self->automation) : NULL;
}

static void
on_mark_button_clicked (GtkButton           *button,
                        SdNotificationsPage *self)
{
  GtkWidget *row = gtk_widget_get_ancestor (GTK_WIDGET (button), GTK_TYPE_LIST_BOX_ROW);

  if (row != NULL)
    sd_notifications_page_mark_entry_read (self, gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (row)));
}

static GtkWidget *
make_row (gpointer              owner,
          const SdNotification *n)
{
  SdNotificationsPage *self = owner;
  g_autofree char *subtitle = NULL;
  g_autofree char *label = NULL;
  gboolean unread = n->read_at == NULL;
  GtkWidget *line, *text;
  GtkWidget *row = sd_notification_row_new (get_store (self), n, "%d.%m.%Y %H:%M", &line, &text,
                                            &subtitle);
  GtkWidget *dot = gtk_image_new_from_icon_name ("media-record-symbolic");

  /* Unread: a dot in the accent colour and the text in bold; read: neither. */
  gtk_widget_add_css_class (dot, "accent");
  gtk_widget_set_valign (dot, GTK_ALIGN_CENTER);
  gtk_widget_set_opacity (dot, unread ? 1.0 : 0.0);
  gtk_accessible_update_state (GTK_ACCESSIBLE (dot), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
  gtk_box_prepend (GTK_BOX (line), dot);
  if (unread)
    {
      GtkWidget *mark = gtk_button_new_from_icon_name ("object-select-symbolic");

      gtk_widget_add_css_class (text, "heading");
      gtk_widget_add_css_class (mark, "flat");
      gtk_widget_set_valign (mark, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (mark, _("Mark read"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (mark), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Mark read"), -1);
      g_signal_connect (mark, "clicked", G_CALLBACK (on_mark_button_clicked), self);
      gtk_box_append (GTK_BOX (line), mark);
    }
  /* Read by a screen reader as one sentence: unread or not, the text, the deal and time. */
  label = g_strdup_printf (unread ? _("Unread: %s. %s") : _("%s. %s"), n->text, subtitle);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  return row;
}

static void
on_vote_clicked (GtkButton           *button,
                 SdNotificationsPage *self)
{
  gint64 vote_id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (button), "sd-vote"));
  gboolean yes = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "sd-yes"));

  sd_notifications_page_cast_vote (self, vote_id, yes);
}

/* R-AUTO-11: the promotions the person may vote on, each with For and Against. */
static void
reload_votes (SdNotificationsPage *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) votes = NULL;
  GtkListBoxRow *row;

  while ((row = gtk_list_box_get_row_at_index (self->votes_list, 0)) != NULL)
    gtk_list_box_remove (self->votes_list, GTK_WIDGET (row));
  if (self->automation != NULL && self->user_id != 0)
    votes = sd_automation_list_open_votes (self->automation, self->user_id, &error);
  if (error != NULL)
    g_warning ("Could not read the votes: %s", error->message);
  for (guint i = 0; votes != NULL && i < votes->len; i++)
    {
      const SdVote *vote = votes->pdata[i];
      GtkWidget *vote_row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (vote_row), vote->question);
      adw_action_row_set_title_lines (ADW_ACTION_ROW (vote_row), 0);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (vote_row),
                                   vote->voted < 0 ? _("You have not voted yet")
                                   : vote->voted ? _("You voted for it") : _("You voted against it"));
      for (int yes = 1; yes >= 0; yes--)
        {
          GtkWidget *button = gtk_toggle_button_new_with_label (yes ? _("For") : _("Against"));

          gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (button), vote->voted == yes);
          gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
          g_object_set_data (G_OBJECT (button), "sd-vote", GSIZE_TO_POINTER (vote->id));
          g_object_set_data (G_OBJECT (button), "sd-yes", GINT_TO_POINTER (yes));
          g_signal_connect (button, "clicked", G_CALLBACK (on_vote_clicked), self);
          adw_action_row_add_suffix (ADW_ACTION_ROW (vote_row), button);
        }
      gtk_list_box_append (self->votes_list, vote_row);
    }
  gtk_widget_set_visible (self->votes_clamp, votes != NULL && votes->len > 0);
}

gboolean
sd_notifications_page_cast_vote (SdNotificationsPage *self,
                                 gint64               vote_id,
                                 gboolean             yes)
{
  g_autoptr(GError) error = NULL;
  gboolean ok;

  g_return_val_if_fail (SD_IS_NOTIFICATIONS_PAGE (self), FALSE);

  if (self->automation == NULL)
    return FALSE;
  ok = sd_automation_cast_vote (self->automation, vote_id, self->user_id, yes, NULL, &error);
  if (!ok)
    g_signal_emit (self, signals[MESSAGE], 0, error->message);
  sd_notifications_page_reload (self);
  return ok;
}

guint
sd_notifications_page_get_n_votes (SdNotificationsPage *self)
{
  GtkListBoxRow *row;
  guint n = 0;

  g_return_val_if_fail (SD_IS_NOTIFICATIONS_PAGE (self), 0);
  while ((row = gtk_list_box_get_row_at_index (self->votes_list, n)) != NULL)
    n++;
  return n;
}

void
sd_notifications_page_reload (SdNotificationsPage *self)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *entries = NULL;
  gint64 unread = 0;

  g_return_if_fail (SD_IS_NOTIFICATIONS_PAGE (self));

  if (self->automation != NULL && self->user_id != 0)
    {
      entries = sd_notification_list (get_store (self), self->user_id, self->unread_only,
                                       SD_NOTIFICATIONS_PAGE_LIMIT, &error);
      unread = sd_notification_count_unread (get_store (self), self->user_id);
    }
  if (error != NULL)
    g_warning ("Could not read the notifications: %s", error->message);
  g_ptr_array_unref (self->entries);
  self->entries = entries != NULL ? entries
                                  : g_ptr_array_new_with_free_func ((GDestroyNotify) sd_notification_free);

  sd_notification_rows_fill (self->list, self->entries, make_row, self);

  if (unread == 0)
    gtk_label_set_label (self->summary, _("All read"));
  else
    {
      g_autofree char *text = g_strdup_printf (ngettext ("%u unread", "%u unread", (guint) unread),
                                               (guint) unread);
      gtk_label_set_label (self->summary, text);
    }
  gtk_widget_set_sensitive (self->mark_all_button, unread > 0);
  adw_status_page_set_title (self->empty_page, self->unread_only ? _("No Unread Notifications")
                                                                 : _("No Notifications"));
  gtk_stack_set_visible_child_name (self->stack, self->entries->len > 0 ? "list" : "empty");
  reload_votes (self);
}

void
sd_notifications_page_mark_entry_read (SdNotificationsPage *self,
                                       guint                index)
{
  g_return_if_fail (SD_IS_NOTIFICATIONS_PAGE (self));
  g_return_if_fail (index < self->entries->len);

  sd_notification_row_mark_read (GTK_WIDGET (self), get_store (self), self->entries->pdata[index]);
  sd_notifications_page_reload (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

void
sd_notifications_page_activate_entry (SdNotificationsPage *self,
                                      guint                index)
{
  gint64 deal_id;

  g_return_if_fail (SD_IS_NOTIFICATIONS_PAGE (self));
  g_return_if_fail (index < self->entries->len);

  deal_id = ((SdNotification *) self->entries->pdata[index])->deal_id;
  sd_notifications_page_mark_entry_read (self, index);
  if (deal_id != 0)
    g_signal_emit (self, signals[OPEN_DEAL], 0, deal_id);
}

void
sd_notifications_page_mark_all_read (SdNotificationsPage *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) unread = NULL;
  GtkRoot *root;
  GtkApplication *app;

  g_return_if_fail (SD_IS_NOTIFICATIONS_PAGE (self));

  if (self->automation == NULL || self->user_id == 0)
    return;
  root = gtk_widget_get_root (GTK_WIDGET (self));
  app = GTK_IS_WINDOW (root) ? gtk_window_get_application (GTK_WINDOW (root)) : NULL;
  /* The desktop's copies go too. */
  unread = sd_notification_list_unread (get_store (self), self->user_id, NULL);
  for (guint i = 0; app != NULL && unread != NULL && i < unread->len; i++)
    sd_desktop_notification_withdraw (G_APPLICATION (app),
                                      ((SdNotification *) unread->pdata[i])->id);
  if (sd_notification_mark_all_read (get_store (self), self->user_id, &error) < 0)
    g_warning ("Could not mark the notifications read: %s", error->message);
  sd_notifications_page_reload (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
on_row_activated (SdNotificationsPage *self,
                  GtkListBoxRow       *row)
{
  sd_notifications_page_activate_entry (self, (guint) gtk_list_box_row_get_index (row));
}

static void
on_mark_all_clicked (SdNotificationsPage *self)
{
  sd_notifications_page_mark_all_read (self);
}

static void
on_unread_toggled (SdNotificationsPage *self)
{
  sd_notifications_page_set_unread_only (self, gtk_toggle_button_get_active (self->unread_toggle));
}

static void
on_notification_added (SdNotificationsPage *self,
                       gint64               id,
                       gint64               user_id)
{
  if (user_id == self->user_id)
    sd_notifications_page_reload (self);
}

static void
sd_notifications_page_dispose (GObject *object)
{
  SdNotificationsPage *self = SD_NOTIFICATIONS_PAGE (object);
  GtkWidget *child;

  sd_notifications_page_set_automation (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), SD_TYPE_NOTIFICATIONS_PAGE);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (sd_notifications_page_parent_class)->dispose (object);
}

static void
sd_notifications_page_finalize (GObject *object)
{
  SdNotificationsPage *self = SD_NOTIFICATIONS_PAGE (object);

  g_ptr_array_unref (self->entries);
  G_OBJECT_CLASS (sd_notifications_page_parent_class)->finalize (object);
}

static void
sd_notifications_page_class_init (SdNotificationsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sd_notifications_page_dispose;
  object_class->finalize = sd_notifications_page_finalize;

  /**
   * SdNotificationsPage::open-deal:
   * @deal_id: the deal of the entry the person opened
   */
  signals[OPEN_DEAL] = g_signal_new ("open-deal", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
  /**
   * SdNotificationsPage::changed:
   *
   * The page marked notifications read: the bell reads them again.
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /**
   * SdNotificationsPage::message:
   * @text: why a vote could not be cast, for people
   */
  signals[MESSAGE] = g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/sdelka/Sdelka/notifications/sd-notifications-page.ui");
  gtk_widget_class_bind_template_child (widget_class, SdNotificationsPage, box);
  gtk_widget_class_bind_template_child (widget_class, SdNotificationsPage, unread_toggle);
  gtk_widget_class_bind_template_child (widget_class, SdNotificationsPage, summary);
  gtk_widget_class_bind_template_child (widget_class, SdNotificationsPage, mark_all_button);
  gtk_widget_class_bind_template_child (widget_class, SdNotificationsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, SdNotificationsPage, list);
  gtk_widget_class_bind_template_child (widget_class, SdNotificationsPage, empty_page);
  gtk_widget_class_bind_template_child (widget_class, SdNotificationsPage, votes_clamp);
  gtk_widget_class_bind_template_child (widget_class, SdNotificationsPage, votes_list);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_mark_all_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_unread_toggled);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
sd_notifications_page_init (SdNotificationsPage *self)
{
  self->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) sd_notification_free);
  gtk_widget_init_template (GTK_WIDGET (self));
  sd_notifications_page_reload (self);
}

GtkWidget *
sd_notifications_page_new (void)
{
  return g_object_new (SD_TYPE_NOTIFICATIONS_PAGE, NULL);
}

void
sd_notifications_page_set_automation (SdNotificationsPage *self,
                                      SdAutomation        *automation)
{
  g_return_if_fail (SD_IS_NOTIFICATIONS_PAGE (self));
  g_return_if_fail (automation == NULL || SD_IS_AUTOMATION (automation));

  if (self->automation == automation)
    return;
  if (self->automation != NULL)
    g_signal_handlers_disconnect_by_data (self->automation, self);
  g_set_object (&self->automation, automation);
  if (automation != NULL)
    g_signal_connect_swapped (automation, "notification-added",
                              G_CALLBACK (on_notification_added), self);
  if (self->entries != NULL)
    sd_notifications_page_reload (self);
}

void
sd_notifications_page_set_user (SdNotificationsPage *self,
                                gint64               user_id)
{
  g_return_if_fail (SD_IS_NOTIFICATIONS_PAGE (self));

  if (self->user_id == user_id)
    return;
  self->user_id = user_id;
  sd_notifications_page_reload (self);
}

void
sd_notifications_page_set_unread_only (SdNotificationsPage *self,
                                       gboolean             unread_only)
{
  g_return_if_fail (SD_IS_NOTIFICATIONS_PAGE (self));

  unread_only = !!unread_only;
  if (gtk_toggle_button_get_active (self->unread_toggle) != unread_only)
    gtk_toggle_button_set_active (self->unread_toggle, unread_only);   /* comes back here */
  if (self->unread_only == unread_only)
    return;
  self->unread_only = unread_only;
  sd_notifications_page_reload (self);
}

guint
sd_notifications_page_get_n_entries (SdNotificationsPage *self)
{
  g_return_val_if_fail (SD_IS_NOTIFICATIONS_PAGE (self), 0);
  return self->entries->len;
}

gboolean
sd_notifications_page_entry_is_unread (SdNotificationsPage *self,
                                       guint                index)
{
  g_return_val_if_fail (SD_IS_NOTIFICATIONS_PAGE (self), FALSE);
  g_return_val_if_fail (index < self->entries->len, FALSE);
  return ((SdNotification *) self->entries->pdata[index])->read_at == NULL;
}
