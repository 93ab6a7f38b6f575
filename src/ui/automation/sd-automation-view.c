/* sd-automation-view.c: the Automation view.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-automation-view"

#include "config.h"

#include "sd-automation-view.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sd-rule-catalogue.h"
#include "sd-rule-editor.h"
#include "sd-rule-sentence.h"

#define COLUMN_WIDTH 320

/* A shipped playbook and what was read for it. */
typedef struct
{
  char           *path;
  SdPlaybookCopy *copy;   /* NULL when it could not be read */
  char           *error;  /* then: why (file, JSON path, reason) */
} Entry;

struct _SdAutomationView
{
  GtkWidget       parent_instance;

  SdAutomation   *automation;
  GPtrArray      *entries;     /* Entry * */
  SdPlaybookCopy *copy;        /* the shown entry's, or NULL */
  gulong          changed_id;
  gboolean        quiet;       /* a switch changed the copy: its row already shows it */

  /* template children */
  GtkDropDown    *pipeline_dropdown;
  GtkLabel       *state_label;
  GtkStack       *content_stack;
  GtkBox         *board;
  AdwStatusPage  *error_page;
};

G_DEFINE_FINAL_TYPE (SdAutomationView, sd_automation_view, GTK_TYPE_WIDGET)

enum
{
  PIPELINE_SELECTED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void
entry_free (Entry *entry)
{
  g_free (entry->path);
  g_clear_object (&entry->copy);
  g_free (entry->error);
  g_free (entry);
}

static const char *const list_titles[] = {
  N_("Entry conditions"), N_("Triggers"), N_("Robots")
};
static const char *const list_hints[] = {
  N_("Nothing is asked to enter"), N_("Deals are moved here by hand"),
  N_("Nothing happens by itself")
};

/* Where a row's rule is: "sd-stage", "sd-list", "sd-index". */
static guint
place_of (gpointer    widget,
          const char *key)
{
  return GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (widget), key));
}

static void on_enabled_changed (GtkSwitch        *sw,
                                GParamSpec       *pspec,
                                SdAutomationView *self);

static GtkWidget *
rule_row (SdAutomationView *self,
          const SdPlaybook *pb,
          const SdRule     *rule,
          guint             stage,
          guint             index)
{
  g_autofree char *sentence = sd_rule_sentence (pb, rule);
  /* A rule without a name is said by its sentence alone: its code means nothing to people. */
  const char *name = rule->name != NULL ? sd_playbook_text_get (rule->name, NULL) : NULL;
  g_autofree char *switch_label = g_strdup_printf (_("Rule “%s” is on"),
                                                   name != NULL ? name : sentence);
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  GtkWidget *title = name != NULL ? gtk_label_new (name) : NULL;
  GtkWidget *text = gtk_label_new (sentence);
  GtkWidget *sw = gtk_switch_new ();

  if (title != NULL)
    {
      gtk_label_set_xalign (GTK_LABEL (title), 0);
      gtk_label_set_wrap (GTK_LABEL (title), TRUE);
      gtk_widget_add_css_class (title, "heading");
      gtk_box_append (GTK_BOX (texts), title);
    }
  gtk_label_set_xalign (GTK_LABEL (text), 0);
  gtk_label_set_wrap (GTK_LABEL (text), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (text), PANGO_WRAP_WORD_CHAR);
  gtk_widget_set_hexpand (texts, TRUE);
  gtk_box_append (GTK_BOX (texts), text);
  if (!rule->enabled)
    gtk_widget_add_css_class (texts, "dim-label");

  gtk_switch_set_active (GTK_SWITCH (sw), rule->enabled);
  gtk_widget_set_valign (sw, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (sw, _("Turn the rule on or off"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (sw), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  switch_label, -1);
  g_object_set_data (G_OBJECT (sw), "sd-texts", texts);
  g_signal_connect_object (sw, "notify::active", G_CALLBACK (on_enabled_changed), self, 0);

  gtk_widget_set_margin_top (box, 8);
  gtk_widget_set_margin_bottom (box, 8);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_box_append (GTK_BOX (box), texts);
  gtk_box_append (GTK_BOX (box), sw);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_widget_set_tooltip_text (row, _("Edit the rule"));

  for (GtkWidget *w = row; w != NULL; w = w == row ? sw : NULL)
    {
      g_object_set_data (G_OBJECT (w), "sd-stage", GUINT_TO_POINTER (stage));
      g_object_set_data (G_OBJECT (w), "sd-list", GUINT_TO_POINTER (rule->kind));
      g_object_set_data (G_OBJECT (w), "sd-index", GUINT_TO_POINTER (index));
    }
  return row;
}

static void
on_row_activated (GtkListBox       *list,
                  GtkListBoxRow    *row,
                  SdAutomationView *self)
{
  sd_automation_view_edit_rule (self, place_of (row, "sd-stage"), place_of (row, "sd-list"),
                                place_of (row, "sd-index"));
}

static void
show_error (SdAutomationView *self,
            const char       *message)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog;

  if (!GTK_IS_WINDOW (root))
    {
      g_warning ("%s", message);
      return;
    }
  dialog = adw_message_dialog_new (GTK_WINDOW (root), _("The Change Was Not Saved"), message);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_enabled_changed (GtkSwitch        *sw,
                    GParamSpec       *pspec,
                    SdAutomationView *self)
{
  g_autoptr(GError) error = NULL;
  gboolean active = gtk_switch_get_active (sw);
  GtkWidget *texts = g_object_get_data (G_OBJECT (sw), "sd-texts");

  self->quiet = TRUE;
  if (!sd_playbook_copy_set_enabled (self->copy, place_of (sw, "sd-stage"),
                                     place_of (sw, "sd-list"), place_of (sw, "sd-index"),
                                     active, &error))
    {
      self->quiet = FALSE;
      g_signal_handlers_block_by_func (sw, on_enabled_changed, self);
      gtk_switch_set_active (sw, !active);
      g_signal_handlers_unblock_by_func (sw, on_enabled_changed, self);
      show_error (self, error->message);
      return;
    }
  self->quiet = FALSE;
  if (active)
    gtk_widget_remove_css_class (texts, "dim-label");
  else
    gtk_widget_add_css_class (texts, "dim-label");
}

static GMenuModel *
add_menu (guint stage)
{
  GMenu *menu = g_menu_new ();

  for (SdRuleList list = SD_RULE_LIST_GUARDS; list <= SD_RULE_LIST_ROBOTS; list++)
    {
      g_autoptr(GMenu) section = g_menu_new ();

      for (guint i = 0; i < sd_rule_catalogue_get_n (); i++)
        {
          const SdRuleCatalogueEntry *entry = sd_rule_catalogue_get (i);
          g_autofree char *target = NULL;
          g_autoptr(GMenuItem) item = NULL;

          if (entry->list != list)
            continue;
          target = g_strdup_printf ("%u:%s", stage, entry->id);
          item = g_menu_item_new (_(entry->label), NULL);
          g_menu_item_set_action_and_target_value (item, "automation.add",
                                                   g_variant_new_string (target));
          g_menu_append_item (section, item);
        }
      g_menu_append_section (menu, _(list_titles[list]), G_MENU_MODEL (section));
    }
  return G_MENU_MODEL (menu);
}

static GtkWidget *
stage_column (SdAutomationView *self,
              const SdPlaybook *pb,
              guint             stage_index)
{
  const SdPlaybookStage *stage = sd_playbook_get_stage (pb, stage_index);
  const char *name = sd_playbook_text_get (stage->name, NULL);
  g_autofree char *escaped = g_markup_escape_text (name, -1);
  g_autofree char *markup = g_strdup_printf ("<span foreground=\"%s\">●</span> %s",
                                             stage->color, escaped);
  g_autofree char *add_label = g_strdup_printf (_("Add a rule to “%s”"), name);
  g_autoptr(GMenuModel) menu = add_menu (stage_index);
  GtkWidget *column = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *title = gtk_label_new (NULL);
  GtkWidget *add = gtk_menu_button_new ();
  guint counts[3] = { 0, 0, 0 };

  gtk_widget_set_size_request (column, COLUMN_WIDTH, -1);
  gtk_label_set_markup (GTK_LABEL (title), markup);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  /* Long stage names ("Найден потенциальный клиент") wrap: cut, they would be guessed. */
  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  gtk_widget_add_css_class (title, "title-4");
  gtk_box_append (GTK_BOX (column), title);

  for (SdRuleList list = SD_RULE_LIST_GUARDS; list <= SD_RULE_LIST_ROBOTS; list++)
    {
      GtkWidget *heading = gtk_label_new (_(list_titles[list]));
      GtkWidget *box = gtk_list_box_new ();
      GtkWidget *hint = gtk_label_new (_(list_hints[list]));

      gtk_label_set_xalign (GTK_LABEL (heading), 0);
      gtk_widget_add_css_class (heading, "caption-heading");
      gtk_widget_add_css_class (heading, "dim-label");
      gtk_widget_set_margin_top (heading, 12);
      gtk_box_append (GTK_BOX (column), heading);

      gtk_widget_add_css_class (hint, "dim-label");
      gtk_widget_set_margin_top (hint, 8);
      gtk_widget_set_margin_bottom (hint, 8);
      gtk_list_box_set_placeholder (GTK_LIST_BOX (box), hint);
      gtk_list_box_set_selection_mode (GTK_LIST_BOX (box), GTK_SELECTION_NONE);
      gtk_widget_add_css_class (box, "boxed-list");
      gtk_accessible_update_property (GTK_ACCESSIBLE (box), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _(list_titles[list]), -1);
      g_signal_connect_object (box, "row-activated", G_CALLBACK (on_row_activated), self, 0);
      for (guint r = 0; r < stage->rules->len; r++)
        {
          const SdRule *rule = stage->rules->pdata[r];

          if ((SdRuleList) rule->kind != list)
            continue;
          gtk_list_box_append (GTK_LIST_BOX (box),
                               rule_row (self, pb, rule, stage_index, counts[list]++));
        }
      gtk_box_append (GTK_BOX (column), box);
    }

  gtk_menu_button_set_label (GTK_MENU_BUTTON (add), _("Add Rule"));
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (add), menu);
  gtk_widget_set_tooltip_text (add, add_label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (add), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  add_label, -1);
  gtk_widget_set_halign (add, GTK_ALIGN_START);
  gtk_widget_set_margin_top (add, 12);
  gtk_box_append (GTK_BOX (column), add);
  return column;
}

/* Removes the columns from @first to @last. The new ones are added before the old go, so
 * the board never empties and the scroll stays on the stage just edited. */
static void
remove_columns (SdAutomationView *self,
                GtkWidget        *first,
                GtkWidget        *last)
{
  while (first != NULL)
    {
      GtkWidget *next = first == last ? NULL : gtk_widget_get_next_sibling (first);

      gtk_box_remove (self->board, first);
      first = next;
    }
}

static void
rebuild (SdAutomationView *self)
{
  guint selected = gtk_drop_down_get_selected (self->pipeline_dropdown);
  Entry *entry = selected < self->entries->len ? self->entries->pdata[selected] : NULL;
  GtkWidget *old_first = gtk_widget_get_first_child (GTK_WIDGET (self->board));
  GtkWidget *old_last = gtk_widget_get_last_child (GTK_WIDGET (self->board));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "automation.restore",
                                 entry != NULL
                                 && (entry->copy == NULL
                                     || sd_playbook_copy_is_customized (entry->copy)));
  if (entry == NULL || entry->copy == NULL)
    remove_columns (self, old_first, old_last);
  if (entry == NULL)
    {
      gtk_label_set_label (self->state_label, "");
      gtk_stack_set_visible_child_name (self->content_stack, "empty");
      return;
    }
  if (entry->copy == NULL)
    {
      adw_status_page_set_description (self->error_page, entry->error);
      gtk_label_set_label (self->state_label, "");
      gtk_stack_set_visible_child_name (self->content_stack, "error");
      return;
    }

  gtk_label_set_label (self->state_label,
                       sd_playbook_copy_is_customized (entry->copy)
                       ? _("Your rules: changed from the shipped ones")
                       : _("The shipped rules"));
  {
    const SdPlaybook *pb = sd_playbook_copy_get_playbook (entry->copy);

    for (guint s = 0; s < sd_playbook_get_n_stages (pb); s++)
      gtk_box_append (self->board, stage_column (self, pb, s));
    remove_columns (self, old_first, old_last);
  }
  gtk_stack_set_visible_child_name (self->content_stack, "board");
}

static void
on_copy_changed (SdAutomationView *self,
                 SdPlaybookCopy   *copy)
{
  g_autoptr(GError) error = NULL;

  if (self->automation != NULL)
    {
      SdPlaybook *pb = sd_playbook_copy_load (copy, &error);

      if (pb != NULL)
        sd_automation_add_playbook (self->automation, pb);
      else
        g_warning ("%s", error->message);
    }
  if (!self->quiet)
    rebuild (self);
  else
    {
      /* A switch changed it: the rows are right, the state above them is not yet. */
      gtk_label_set_label (self->state_label, _("Your rules: changed from the shipped ones"));
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "automation.restore", TRUE);
    }
}

static void
select_entry (SdAutomationView *self)
{
  guint selected = gtk_drop_down_get_selected (self->pipeline_dropdown);
  Entry *entry = selected < self->entries->len ? self->entries->pdata[selected] : NULL;
  SdPlaybookCopy *copy = entry != NULL ? entry->copy : NULL;

  if (self->copy != NULL)
    g_clear_signal_handler (&self->changed_id, self->copy);

  g_set_object (&self->copy, copy);
  if (self->copy != NULL)
    self->changed_id = g_signal_connect_swapped (self->copy, "changed",
                                                 G_CALLBACK (on_copy_changed), self);
  rebuild (self);
}

static void
on_pipeline_selected (SdAutomationView *self)
{
  select_entry (self);
  if (self->copy != NULL)
    g_signal_emit (self, signals[PIPELINE_SELECTED], 0,
                   sd_playbook_get_code (sd_playbook_copy_get_playbook (self->copy)));
}

void
sd_automation_view_reload (SdAutomationView *self)
{
  g_autoptr(GPtrArray) paths = sd_playbook_default_paths ();
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);

  g_return_if_fail (SD_IS_AUTOMATION_VIEW (self));

  g_ptr_array_set_size (self->entries, 0);
  for (guint i = 0; i < paths->len; i++)
    {
      g_autoptr(GError) error = NULL;
      Entry *entry = g_new0 (Entry, 1);

      entry->path = g_strdup (paths->pdata[i]);
      entry->copy = sd_playbook_copy_new (entry->path, &error);
      if (entry->copy != NULL)
        gtk_string_list_append (names, sd_playbook_text_get (
          sd_playbook_get_name (sd_playbook_copy_get_playbook (entry->copy)), NULL));
      else
        {
          g_autofree char *base = g_path_get_basename (entry->path);

          entry->error = g_strdup (error->message);
          gtk_string_list_append (names, base);
        }
      g_ptr_array_add (self->entries, entry);
    }
  gtk_drop_down_set_model (self->pipeline_dropdown, G_LIST_MODEL (names));
  select_entry (self);
}

/* The user's broken copy is why nothing loads: deleting it brings the shipped one back. */
static gboolean
restore_unreadable (SdAutomationView  *self,
                    Entry             *entry,
                    GError           **error)
{
  g_autofree char *dir = sd_playbook_copy_user_dir ();
  g_autofree char *base = g_path_get_basename (entry->path);
  g_autofree char *user = g_build_filename (dir, base, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (user);
  g_autoptr(GError) local_error = NULL;

  if (!g_file_delete (file, NULL, &local_error)
      && !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  entry->copy = sd_playbook_copy_new (entry->path, error);
  if (entry->copy == NULL)
    return FALSE;
  g_clear_pointer (&entry->error, g_free);
  return TRUE;
}

static void
on_restore_response (AdwMessageDialog *dialog,
                     const char       *response,
                     SdAutomationView *self)
{
  guint selected = gtk_drop_down_get_selected (self->pipeline_dropdown);
  Entry *entry = selected < self->entries->len ? self->entries->pdata[selected] : NULL;
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "restore") != 0 || entry == NULL)
    return;
  if (entry->copy != NULL)
    {
      if (!sd_playbook_copy_restore_default (entry->copy, &error))
        show_error (self, error->message);
      return;
    }
  if (!restore_unreadable (self, entry, &error))
    show_error (self, error->message);
  else if (self->automation != NULL)
    on_copy_changed (self, entry->copy);
  select_entry (self);
}

static void
restore_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  SdAutomationView *self = SD_AUTOMATION_VIEW (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *dialog;

  if (!GTK_IS_WINDOW (root))
    return;
  dialog = adw_message_dialog_new (GTK_WINDOW (root), _("Restore the Shipped Rules?"),
                                   _("Your changes to this pipeline's rules will be lost."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "restore", _("_Restore"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "restore",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_restore_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
add_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  const char *target = g_variant_get_string (parameter, NULL);
  const char *colon = strchr (target, ':');
  g_autofree char *number = colon != NULL ? g_strndup (target, colon - target) : NULL;
  guint64 stage;

  if (number == NULL || !g_ascii_string_to_unsigned (number, 10, 0, G_MAXUINT, &stage, NULL))
    return;
  sd_automation_view_add_rule (SD_AUTOMATION_VIEW (widget), (guint) stage, colon + 1);
}

static void
sd_automation_view_dispose (GObject *object)
{
  GtkWidget *child;
  SdAutomationView *self = SD_AUTOMATION_VIEW (object);

  if (self->copy != NULL)
    g_clear_signal_handler (&self->changed_id, self->copy);
  g_clear_object (&self->copy);
  g_clear_object (&self->automation);
  gtk_widget_dispose_template (GTK_WIDGET (object), SD_TYPE_AUTOMATION_VIEW);
  /* The template's top box is not a bound child: unparent it ourselves. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (sd_automation_view_parent_class)->dispose (object);
}

static void
sd_automation_view_finalize (GObject *object)
{
  SdAutomationView *self = SD_AUTOMATION_VIEW (object);

  g_ptr_array_unref (self->entries);
  G_OBJECT_CLASS (sd_automation_view_parent_class)->finalize (object);
}

static void
sd_automation_view_class_init (SdAutomationViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sd_automation_view_dispose;
  object_class->finalize = sd_automation_view_finalize;

  /**
   * SdAutomationView::pipeline-selected:
   * @code: the playbook code of the pipeline now shown
   *
   * The pipeline shown changed (the person chose another, or show_pipeline() was called):
   * the window's board can follow.
   */
  signals[PIPELINE_SELECTED] = g_signal_new ("pipeline-selected", G_TYPE_FROM_CLASS (klass),
                                             G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                             G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/sdelka/Sdelka/automation/sd-automation-view.ui");
  gtk_widget_class_bind_template_child (widget_class, SdAutomationView, pipeline_dropdown);
  gtk_widget_class_bind_template_child (widget_class, SdAutomationView, state_label);
  gtk_widget_class_bind_template_child (widget_class, SdAutomationView, content_stack);
  gtk_widget_class_bind_template_child (widget_class, SdAutomationView, board);
  gtk_widget_class_bind_template_child (widget_class, SdAutomationView, error_page);
  gtk_widget_class_bind_template_callback (widget_class, on_pipeline_selected);
  gtk_widget_class_install_action (widget_class, "automation.restore", NULL, restore_action);
  gtk_widget_class_install_action (widget_class, "automation.add", "s", add_action);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
sd_automation_view_init (SdAutomationView *self)
{
  self->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  gtk_widget_init_template (GTK_WIDGET (self));
  sd_automation_view_reload (self);
}

GtkWidget *
sd_automation_view_new (void)
{
  return g_object_new (SD_TYPE_AUTOMATION_VIEW, NULL);
}

void
sd_automation_view_set_automation (SdAutomationView *self,
                                   SdAutomation     *automation)
{
  g_return_if_fail (SD_IS_AUTOMATION_VIEW (self));
  g_return_if_fail (automation == NULL || SD_IS_AUTOMATION (automation));

  g_set_object (&self->automation, automation);
}

gboolean
sd_automation_view_show_pipeline (SdAutomationView *self,
                                  const char       *code)
{
  g_return_val_if_fail (SD_IS_AUTOMATION_VIEW (self), FALSE);
  g_return_val_if_fail (code != NULL, FALSE);

  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = self->entries->pdata[i];

      if (entry->copy != NULL
          && g_strcmp0 (sd_playbook_get_code (sd_playbook_copy_get_playbook (entry->copy)),
                        code) == 0)
        {
          gtk_drop_down_set_selected (self->pipeline_dropdown, i);
          return TRUE;
        }
    }
  return FALSE;
}

SdPlaybookCopy *
sd_automation_view_get_copy (SdAutomationView *self)
{
  g_return_val_if_fail (SD_IS_AUTOMATION_VIEW (self), NULL);
  return self->copy;
}

static GtkWindow *
open_editor (SdAutomationView *self,
             guint             stage,
             SdRuleList        list,
             int               index,
             JsonNode         *rule)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWindow *editor = GTK_WINDOW (sd_rule_editor_new (self->copy, stage, list, index, rule));

  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (editor, GTK_WINDOW (root));
  gtk_window_present (editor);
  return editor;
}

GtkWindow *
sd_automation_view_edit_rule (SdAutomationView *self,
                              guint             stage,
                              SdRuleList        list,
                              guint             index)
{
  g_autoptr(JsonNode) rule = NULL;

  g_return_val_if_fail (SD_IS_AUTOMATION_VIEW (self), NULL);
  g_return_val_if_fail (self->copy != NULL, NULL);

  rule = sd_playbook_copy_dup_rule (self->copy, stage, list, index);
  g_return_val_if_fail (rule != NULL, NULL);
  return open_editor (self, stage, list, (int) index, rule);
}

GtkWindow *
sd_automation_view_add_rule (SdAutomationView *self,
                             guint             stage,
                             const char       *catalogue_id)
{
  const SdRuleCatalogueEntry *entry = sd_rule_catalogue_find (catalogue_id);
  g_autoptr(JsonNode) rule = NULL;

  g_return_val_if_fail (SD_IS_AUTOMATION_VIEW (self), NULL);
  g_return_val_if_fail (self->copy != NULL, NULL);
  g_return_val_if_fail (entry != NULL, NULL);
  g_return_val_if_fail (stage < sd_playbook_get_n_stages (sd_playbook_copy_get_playbook (self->copy)),
                        NULL);

  rule = sd_rule_catalogue_make (entry, self->copy, stage);
  return open_editor (self, stage, entry->list, -1, rule);
}
