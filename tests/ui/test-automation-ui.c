/* test-automation-ui.c: the rules editor and the bell.
 *
 * Rules read as sentences; the Automation view shows a pipeline's stages with their rules,
 * switches them off and on into the user's copy and restores the default; the editor
 * validates as one types (a bad delay, nobody to notify, an unknown placeholder with its
 * JSON path), saves, adds from the catalogue and removes; a broken copy is refused whole
 * with the file, the JSON path and the reason; the bell counts a notification the engine
 * writes, lists it and opens its deal. Every control has a name for assistive technologies.
 *
 * With SD_RENDER_DIR set, the views are also drawn into PNG files there.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>

#include "automation/sd-automation-view.h"
#include "automation/sd-playbook-copy.h"
#include "automation/sd-rule-editor.h"
#include "automation/sd-rule-sentence.h"
#include "notifications/sd-bell-button.h"
#include "notifications/sd-desktop-notification.h"
#include "sd-records.h"
#include "sd-render.h"

/* ---- helpers ---- */

static void
wait_ms (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
}

static GtkWindow *
show (GtkWidget *child,
      int        width,
      int        height)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());

  gtk_window_set_default_size (window, width, height);
  gtk_window_set_child (window, child);
  gtk_window_present (window);
  while (!gtk_widget_get_mapped (child))
    g_main_context_iteration (NULL, TRUE);
  wait_ms (300);
  return window;
}

static void
render (GtkWidget  *widget,
        int         width,
        int         height,
        const char *name)
{
  const char *dir = g_getenv ("SD_RENDER_DIR");
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  if (dir == NULL || *dir == '\0')
    return;
  path = g_build_filename (dir, name, NULL);
  while (!gtk_widget_get_mapped (widget))
    g_main_context_iteration (NULL, TRUE);
  wait_ms (200);
  sd_render_widget_to_png (widget, width, height, path, &error);
  g_assert_no_error (error);
}

static void
collect_text (GtkWidget *widget,
              GString   *text)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_visible (widget))
    {
      g_string_append (text, gtk_label_get_text (GTK_LABEL (widget)));
      g_string_append_c (text, '\n');
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_text (child, text);
}

static char *
text_of (GtkWidget *widget)
{
  GString *text = g_string_new (NULL);

  collect_text (widget, text);
  return g_string_free (text, FALSE);
}

static gboolean
is_interactive (GtkWidget *widget)
{
  if (GTK_IS_TEXT (widget))
    return FALSE;
  return GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget) || GTK_IS_SWITCH (widget)
         || GTK_IS_CHECK_BUTTON (widget) || GTK_IS_EDITABLE (widget) || GTK_IS_DROP_DOWN (widget)
         || GTK_IS_LIST_BOX (widget) || GTK_IS_TEXT_VIEW (widget)
         || (GTK_IS_LIST_BOX_ROW (widget)
             && gtk_list_box_row_get_activatable (GTK_LIST_BOX_ROW (widget)));
}

static gboolean
has_name (GtkWidget *widget)
{
  g_autofree char *text = text_of (widget);

  return gtk_test_accessible_has_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL)
         || gtk_test_accessible_has_relation (GTK_ACCESSIBLE (widget),
                                              GTK_ACCESSIBLE_RELATION_LABELLED_BY)
         || *text != '\0';
}

static void
walk (GtkWidget *widget,
      gboolean   named_ancestor,
      guint     *unnamed,
      guint     *checked)
{
  if (is_interactive (widget))
    {
      gboolean named = has_name (widget);

      (*checked)++;
      if (!named && !named_ancestor)
        {
          g_test_message ("no accessible name: %s in %s", G_OBJECT_TYPE_NAME (widget),
                          G_OBJECT_TYPE_NAME (gtk_widget_get_parent (widget)));
          (*unnamed)++;
        }
      named_ancestor = named || named_ancestor;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    walk (child, named_ancestor, unnamed, checked);
}

static void
assert_all_named (GtkWidget *root,
                  guint      at_least)
{
  guint unnamed = 0, checked = 0;

  walk (root, FALSE, &unnamed, &checked);
  g_assert_cmpuint (checked, >=, at_least);
  g_assert_cmpuint (unnamed, ==, 0);
}

static void
remove_user_copies (void)
{
  g_autofree char *dir = sd_playbook_copy_user_dir ();
  g_autofree char *sdelka = g_path_get_dirname (dir);
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_assert_cmpint (g_remove (path), ==, 0);
    }
  g_rmdir (dir);
  g_rmdir (sdelka);
}

static char *
shipped (const char *name)
{
  return g_build_filename (g_getenv ("SDELKA_DATADIR"), "playbooks", name, NULL);
}

static SdPlaybookCopy *
body_repair (void)
{
  g_autofree char *path = shipped ("body-repair.json");
  g_autoptr(GError) error = NULL;
  SdPlaybookCopy *copy = sd_playbook_copy_new (path, &error);

  g_assert_no_error (error);
  return copy;
}

/* Where a rule is: stage index and its index in its list. */
static const SdRule *
find (const SdPlaybook *pb,
      const char       *stage_code,
      const char       *rule_code,
      guint            *stage_out,
      guint            *index_out)
{
  for (guint s = 0; s < sd_playbook_get_n_stages (pb); s++)
    {
      const SdPlaybookStage *stage = sd_playbook_get_stage (pb, s);
      guint n[3] = { 0, 0, 0 };

      if (g_strcmp0 (stage->code, stage_code) != 0)
        continue;
      for (guint r = 0; r < stage->rules->len; r++)
        {
          const SdRule *rule = stage->rules->pdata[r];

          if (g_strcmp0 (rule->code, rule_code) == 0)
            {
              if (stage_out != NULL)
                *stage_out = s;
              if (index_out != NULL)
                *index_out = n[rule->kind];
              return rule;
            }
          n[rule->kind]++;
        }
    }
  g_assert_not_reached ();
}

static void
close_window (GtkWindow *window)
{
  gtk_window_destroy (window);
  wait_ms (50);
}

static GtkDropDown *
find_drop_down (GtkWidget *widget)
{
  if (GTK_IS_DROP_DOWN (widget))
    return GTK_DROP_DOWN (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkDropDown *found = find_drop_down (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Answers the message dialog that is open, as a click on @response would. */
static void
respond_to_dialog (const char *response)
{
  g_autoptr(GListModel) toplevels = NULL;
  gboolean answered = FALSE;

  wait_ms (100);
  toplevels = gtk_window_get_toplevels ();
  g_object_ref (toplevels);
  for (guint i = 0; i < g_list_model_get_n_items (toplevels) && !answered; i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window))
        {
          adw_message_dialog_response (ADW_MESSAGE_DIALOG (window), response);
          gtk_window_destroy (window);
          answered = TRUE;
        }
    }
  g_assert_true (answered);
  wait_ms (100);
}

/* ---- sentences ---- */

static void
test_sentences (void)
{
  g_autoptr(SdPlaybookCopy) copy = body_repair ();
  const SdPlaybook *pb = sd_playbook_copy_get_playbook (copy);
  g_autofree char *trigger = sd_rule_sentence (pb, find (pb, "agreement", "amount_set", NULL, NULL));
  g_autofree char *guard = sd_rule_sentence (pb, find (pb, "inspection", "photo", NULL, NULL));
  g_autofree char *repeat = sd_rule_sentence (pb, find (pb, "vehicle_in_work", "collect_payment",
                                                        NULL, NULL));
  g_autofree char *year = sd_rule_sentence (pb, find (pb, "won", "remember_us", NULL, NULL));
  g_autofree char *two_weeks = sd_duration_describe (14 * 86400);

  g_assert_true (g_str_has_prefix (trigger, "When the amount is set"));
  g_assert_true (g_str_has_suffix (trigger, "→ move to Agreement"));
  g_assert_cmpstr (guard, ==, "Enter only if at least 1 photo file, else say “Attach at least one photo”");
  g_assert_cmpstr (repeat, ==, "Every 2 days in the stage, if the amount left to pay is over 0 ₽ "
                               "→ notify the responsible in the app");
  g_assert_cmpstr (year, ==, "1 year after entering → message the client by e-mail");
  g_assert_cmpstr (two_weeks, ==, "2 weeks");
}

/* ---- the user's copy ---- */

static void
test_copy_enable_restore (void)
{
  g_autoptr(SdPlaybookCopy) copy = body_repair ();
  g_autoptr(SdPlaybookCopy) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = sd_playbook_copy_user_dir ();
  g_autoptr(GPtrArray) effective = NULL;
  guint stage, index, changed = 0;

  g_signal_connect_swapped (copy, "changed", G_CALLBACK (g_atomic_int_inc), &changed);
  find (sd_playbook_copy_get_playbook (copy), "waiting_vehicle", "call_client", &stage, &index);
  g_assert_false (sd_playbook_copy_is_customized (copy));
  g_assert_true (sd_playbook_copy_set_enabled (copy, stage, SD_RULE_LIST_ROBOTS, index, FALSE,
                                               &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changed, ==, 1);
  g_assert_true (sd_playbook_copy_is_customized (copy));
  g_assert_true (g_str_has_prefix (sd_playbook_copy_get_user_path (copy), dir));
  g_assert_true (g_str_has_suffix (sd_playbook_copy_get_user_path (copy), "body-repair.json"));

  /* Read back from the file, as the next start does; the engine gets the copy too. */
  again = body_repair ();
  g_assert_false (find (sd_playbook_copy_get_playbook (again), "waiting_vehicle", "call_client",
                        NULL, NULL)->enabled);
  effective = sd_playbook_copy_effective_paths ();
  g_assert_true (g_ptr_array_find_with_equal_func (effective, sd_playbook_copy_get_user_path (copy),
                                                   g_str_equal, NULL));

  g_assert_true (sd_playbook_copy_restore_default (copy, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changed, ==, 2);
  g_assert_false (sd_playbook_copy_is_customized (copy));
  g_assert_false (g_file_test (sd_playbook_copy_get_user_path (copy), G_FILE_TEST_EXISTS));
  g_assert_true (find (sd_playbook_copy_get_playbook (copy), "waiting_vehicle", "call_client",
                       NULL, NULL)->enabled);
}

/* A broken copy loads not at all, and says where and why; the view offers the default. */
static void
test_broken_copy (void)
{
  g_autoptr(SdPlaybookCopy) copy = body_repair ();
  g_autoptr(SdPlaybookCopy) broken = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strdup (sd_playbook_copy_get_user_path (copy));
  g_autofree char *text = NULL;
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *shown = NULL;
  GtkWidget *view;
  GtkWindow *window;
  char *at;

  g_assert_true (g_file_get_contents (sd_playbook_copy_get_default_path (copy), &text, NULL, NULL));
  at = strstr (text, "\"amount_set\"");
  g_assert_nonnull (at);
  at = strstr (at, "\"field\": \"amount\"");
  g_assert_nonnull (at);
  memcpy (at, "\"field\": \"amout\" ", strlen ("\"field\": \"amount\""));
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));

  broken = sd_playbook_copy_new (sd_playbook_copy_get_default_path (copy), &error);
  g_assert_null (broken);
  g_assert_error (error, SD_PLAYBOOK_ERROR, SD_PLAYBOOK_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, path));
  g_assert_nonnull (strstr (error->message, "$.stages[3].triggers[0].field"));
  g_assert_nonnull (strstr (error->message, "unknown field \"amout\""));

  view = sd_automation_view_new ();
  window = show (view, 1000, 600);
  g_assert_true (sd_automation_view_show_pipeline (SD_AUTOMATION_VIEW (view), "b2b_sales"));
  g_assert_false (sd_automation_view_show_pipeline (SD_AUTOMATION_VIEW (view), "body_repair"));
  /* The pipelines in file order: b2b-sales, b2b-tender, body-repair, renovation. */
  gtk_drop_down_set_selected (find_drop_down (view), 2);
  wait_ms (100);
  g_assert_null (sd_automation_view_get_copy (SD_AUTOMATION_VIEW (view)));
  shown = text_of (view);
  g_assert_nonnull (strstr (shown, error->message));
  render (GTK_WIDGET (window), 1000, 600, "automation-broken.png");

  /* Restore Default, confirmed, brings the shipped rules back. */
  g_assert_true (gtk_widget_activate_action (view, "automation.restore", NULL));
  respond_to_dialog ("restore");
  g_assert_nonnull (sd_automation_view_get_copy (SD_AUTOMATION_VIEW (view)));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_true (sd_automation_view_show_pipeline (SD_AUTOMATION_VIEW (view), "body_repair"));
  close_window (window);
}

/* ---- the view ---- */

static GtkSwitch *
find_switch (GtkWidget *widget,
             guint      stage,
             guint      list,
             guint      index)
{
  if (GTK_IS_SWITCH (widget)
      && GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (widget), "sd-stage")) == stage
      && GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (widget), "sd-list")) == list
      && GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (widget), "sd-index")) == index)
    return GTK_SWITCH (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkSwitch *found = find_switch (child, stage, list, index);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
test_view (void)
{
  GtkWidget *view = sd_automation_view_new ();
  GtkWindow *window = show (view, 1280, 760);
  g_autofree char *shown = NULL;
  SdPlaybookCopy *copy;
  GtkSwitch *sw;
  guint stage, index;

  g_assert_true (sd_automation_view_show_pipeline (SD_AUTOMATION_VIEW (view), "body_repair"));
  wait_ms (200);
  copy = sd_automation_view_get_copy (SD_AUTOMATION_VIEW (view));
  g_assert_nonnull (copy);
  shown = text_of (view);
  g_assert_nonnull (strstr (shown, "When the amount is set"));
  g_assert_nonnull (strstr (shown, "→ move to Agreement"));
  g_assert_nonnull (strstr (shown, "Entry conditions"));
  g_assert_nonnull (strstr (shown, "The shipped rules"));
  render (GTK_WIDGET (window), 1280, 760, "automation.png");
  assert_all_named (GTK_WIDGET (window), 30);

  /* Off by its switch: written to the user's copy at once. */
  find (sd_playbook_copy_get_playbook (copy), "inspection", "photo", &stage, &index);
  sw = find_switch (view, stage, SD_RULE_LIST_GUARDS, index);
  g_assert_nonnull (sw);
  gtk_switch_set_active (sw, FALSE);
  g_assert_true (sd_playbook_copy_is_customized (copy));
  g_clear_pointer (&shown, g_free);
  shown = text_of (view);
  g_assert_nonnull (strstr (shown, "Your rules: changed from the shipped ones"));
  g_assert_false (find (sd_playbook_copy_get_playbook (copy), "inspection", "photo",
                        NULL, NULL)->enabled);
  gtk_switch_set_active (sw, TRUE);
  g_assert_true (find (sd_playbook_copy_get_playbook (copy), "inspection", "photo",
                       NULL, NULL)->enabled);

  close_window (window);
}

/* ---- the editor ---- */

static GtkEditable *
find_entry (GtkWidget  *widget,
            const char *title)
{
  if (ADW_IS_ENTRY_ROW (widget)
      && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)
    return GTK_EDITABLE (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkEditable *found = find_entry (child, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The tick of a person in a rule's list of people. */
static GtkCheckButton *
find_person (GtkWidget  *widget,
             const char *label)
{
  if (ADW_IS_ACTION_ROW (widget)
      && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), label) == 0
      && GTK_IS_CHECK_BUTTON (adw_action_row_get_activatable_widget (ADW_ACTION_ROW (widget))))
    return GTK_CHECK_BUTTON (adw_action_row_get_activatable_widget (ADW_ACTION_ROW (widget)));
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkCheckButton *found = find_person (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkTextView *
find_text_view (GtkWidget *widget)
{
  if (GTK_IS_TEXT_VIEW (widget))
    return GTK_TEXT_VIEW (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkTextView *found = find_text_view (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
test_editor (void)
{
  GtkWidget *view = sd_automation_view_new ();
  GtkWindow *window = show (view, 1000, 700);
  SdPlaybookCopy *copy;
  GtkWindow *editor;
  GtkEditable *repeat;
  GtkTextView *text;
  g_autoptr(JsonNode) saved = NULL;
  guint stage, index;

  g_assert_true (sd_automation_view_show_pipeline (SD_AUTOMATION_VIEW (view), "body_repair"));
  copy = sd_automation_view_get_copy (SD_AUTOMATION_VIEW (view));
  find (sd_playbook_copy_get_playbook (copy), "vehicle_in_work", "collect_payment", &stage, &index);
  editor = sd_automation_view_edit_rule (SD_AUTOMATION_VIEW (view), stage, SD_RULE_LIST_ROBOTS,
                                         index);
  wait_ms (300);
  g_assert_null (sd_rule_editor_get_error (SD_RULE_EDITOR (editor)));
  g_assert_true (g_str_has_prefix (sd_rule_editor_get_sentence (SD_RULE_EDITOR (editor)),
                                   "Every 2 days in the stage"));
  render (GTK_WIDGET (editor), 560, 680, "rule-editor.png");
  assert_all_named (GTK_WIDGET (editor), 8);

  /* As one types: a duration that is not one, then one. */
  repeat = find_entry (GTK_WIDGET (editor), "Repeat while in the stage every (like 2d)");
  g_assert_nonnull (repeat);
  gtk_editable_set_text (repeat, "3x");
  g_assert_nonnull (strstr (sd_rule_editor_get_error (SD_RULE_EDITOR (editor)),
                            "“3x” is not a duration"));
  g_assert_false (sd_rule_editor_save (SD_RULE_EDITOR (editor)));
  gtk_editable_set_text (repeat, "3d");
  g_assert_null (sd_rule_editor_get_error (SD_RULE_EDITOR (editor)));
  g_assert_true (g_str_has_prefix (sd_rule_editor_get_sentence (SD_RULE_EDITOR (editor)),
                                   "Every 3 days in the stage"));

  /* A placeholder typo: the whole playbook's checker names the JSON path. */
  text = find_text_view (GTK_WIDGET (editor));
  g_assert_nonnull (text);
  gtk_text_buffer_insert_at_cursor (gtk_text_view_get_buffer (text), " {clent}", -1);
  g_assert_nonnull (strstr (sd_rule_editor_get_error (SD_RULE_EDITOR (editor)),
                            ".actions[0].text: unknown placeholder {clent}"));
  g_assert_nonnull (strstr (sd_rule_editor_get_error (SD_RULE_EDITOR (editor)), "body-repair.json"));
  render (GTK_WIDGET (editor), 560, 680, "rule-editor-error.png");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (text), "Collect {left_to_pay} from {contact}", -1);
  g_assert_null (sd_rule_editor_get_error (SD_RULE_EDITOR (editor)));
  g_assert_true (sd_rule_editor_save (SD_RULE_EDITOR (editor)));
  wait_ms (100);

  saved = sd_playbook_copy_dup_rule (copy, stage, SD_RULE_LIST_ROBOTS, index);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (saved), "repeat"), ==, "3d");
  g_assert_true (sd_playbook_copy_is_customized (copy));
  g_assert_cmpint (find (sd_playbook_copy_get_playbook (copy), "vehicle_in_work", "collect_payment",
                         NULL, NULL)->repeat, ==, 3 * 86400);

  close_window (window);
}

/* The @n-th widget (depth first) whose tooltip is @tooltip. */
static GtkWidget *
find_tooltip_rec (GtkWidget  *widget,
                  const char *tooltip,
                  guint      *n)
{
  if (g_strcmp0 (gtk_widget_get_tooltip_text (widget), tooltip) == 0 && (*n)-- == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_tooltip_rec (child, tooltip, n);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkEditable *
find_by_tooltip (GtkWidget  *widget,
                 const char *tooltip,
                 guint       n)
{
  GtkWidget *found = find_tooltip_rec (widget, tooltip, &n);

  g_assert_nonnull (found);
  return GTK_EDITABLE (found);
}

/* A row (combo, expander, action) by its title. */
static GtkWidget *
find_row (GtkWidget  *widget,
          GType       type,
          const char *title)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type)
      && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_row (child, type, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* A button by its label (mnemonics included). */
static GtkButton *
find_button (GtkWidget  *widget,
             const char *label)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)
    return GTK_BUTTON (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkButton *found = find_button (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The @n-th drop-down (depth first) under @widget. */
static GtkDropDown *
nth_drop_down (GtkWidget *widget,
               guint     *n)
{
  if (GTK_IS_DROP_DOWN (widget) && (*n)-- == 0)
    return GTK_DROP_DOWN (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkDropDown *found = nth_drop_down (child, n);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* A comparison's field by its code (the row keeps the codes of its drop-down). */
static void
select_field (GtkDropDown *dropdown,
              const char  *code)
{
  GtkWidget *row = gtk_widget_get_ancestor (GTK_WIDGET (dropdown), ADW_TYPE_ACTION_ROW);
  GStrv codes = g_object_get_data (G_OBJECT (row), "sd-codes");

  g_assert_nonnull (codes);
  for (guint i = 0; codes[i] != NULL; i++)
    if (g_str_equal (codes[i], code))
      {
        gtk_drop_down_set_selected (dropdown, i);
        return;
      }
  g_assert_not_reached ();
}

static guint
string_index (GListModel *model,
              const char *text)
{
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    if (g_strcmp0 (gtk_string_list_get_string (GTK_STRING_LIST (model), i), text) == 0)
      return i;
  g_assert_not_reached ();
}

/* A trigger's event, the stages it moves deals from, and compound conditions (any of a
 * group, none of…), edited in forms checked as one types and saved to the user's copy. */
static void
test_editor_trigger (void)
{
  GtkWidget *view = sd_automation_view_new ();
  GtkWindow *window = show (view, 1000, 700);
  SdPlaybookCopy *copy;
  GtkWindow *editor;
  GtkWidget *when, *field, *from, *conditions;
  GtkDropDown *dropdown;
  GtkEditable *value;
  g_autoptr(JsonNode) saved = NULL;
  g_autofree char *json = NULL;
  const SdRule *rule;
  guint stage, index, n;

  g_assert_true (sd_automation_view_show_pipeline (SD_AUTOMATION_VIEW (view), "body_repair"));
  copy = sd_automation_view_get_copy (SD_AUTOMATION_VIEW (view));
  find (sd_playbook_copy_get_playbook (copy), "agreement", "amount_set", &stage, &index);
  editor = sd_automation_view_edit_rule (SD_AUTOMATION_VIEW (view), stage, SD_RULE_LIST_TRIGGERS,
                                         index);
  wait_ms (300);
  g_assert_null (sd_rule_editor_get_error (SD_RULE_EDITOR (editor)));

  /* The event: "a field changes", the amount. */
  when = find_row (GTK_WIDGET (editor), ADW_TYPE_COMBO_ROW, "When");
  field = find_row (GTK_WIDGET (editor), ADW_TYPE_COMBO_ROW, "Which field");
  g_assert_nonnull (when);
  g_assert_nonnull (field);
  g_assert_true (gtk_widget_get_visible (field));
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (adw_combo_row_get_model (ADW_COMBO_ROW (when))),
                                               adw_combo_row_get_selected (ADW_COMBO_ROW (when))),
                   ==, "A field changes");
  /* A payment instead: the field row goes, the sentence follows. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (when),
                              string_index (adw_combo_row_get_model (ADW_COMBO_ROW (when)),
                                            "A payment is added"));
  g_assert_null (sd_rule_editor_get_error (SD_RULE_EDITOR (editor)));
  g_assert_false (gtk_widget_get_visible (field));

  /* From "First contact" as well as "Inspection". */
  from = find_row (GTK_WIDGET (editor), ADW_TYPE_EXPANDER_ROW, "Moves deals from");
  g_assert_nonnull (from);
  gtk_check_button_set_active (find_person (from, "First contact"), TRUE);
  g_assert_null (sd_rule_editor_get_error (SD_RULE_EDITOR (editor)));

  /* Conditions: the amount is set, and a group "any of": two comparisons. */
  conditions = gtk_widget_get_ancestor (GTK_WIDGET (find_button (GTK_WIDGET (editor), "_Group")),
                                        ADW_TYPE_PREFERENCES_GROUP);
  g_assert_nonnull (conditions);
  g_signal_emit_by_name (find_button (GTK_WIDGET (editor), "_Group"), "clicked");
  /* The group's first comparison: object type is one of after accident, fuel tanker. */
  n = 0;
  dropdown = nth_drop_down (conditions, &n);          /* the top mode */
  g_assert_nonnull (dropdown);
  n = 3;
  dropdown = nth_drop_down (conditions, &n);          /* the group's mode */
  gtk_drop_down_set_selected (dropdown, 1);           /* any of these */
  n = 4;
  dropdown = nth_drop_down (conditions, &n);          /* the group's first field */
  select_field (dropdown, "object_type");
  n = 5;
  gtk_drop_down_set_selected (nth_drop_down (conditions, &n), 8);   /* is one of */
  value = find_by_tooltip (conditions, "Several values are separated by commas", 1);
  gtk_editable_set_text (value, "after_accident, fuel_tanker");
  n = 6;
  dropdown = nth_drop_down (conditions, &n);          /* the group's second field */
  select_field (dropdown, "contact.client_type");
  n = 7;
  gtk_drop_down_set_selected (nth_drop_down (conditions, &n), 2);   /* is */
  value = find_by_tooltip (conditions, "Several values are separated by commas", 2);
  gtk_editable_set_text (value, "flet");
  /* A value the list does not have is the checker's refusal, with the JSON path. */
  if (sd_rule_editor_get_error (SD_RULE_EDITOR (editor)) != NULL)
    g_assert_nonnull (strstr (sd_rule_editor_get_error (SD_RULE_EDITOR (editor)), "$.stages["));
  gtk_editable_set_text (value, "fleet");
  g_assert_null (sd_rule_editor_get_error (SD_RULE_EDITOR (editor)));
  render (GTK_WIDGET (editor), 720, 900, "rule-editor-conditions.png");
  assert_all_named (GTK_WIDGET (editor), 8);
  g_assert_true (sd_rule_editor_save (SD_RULE_EDITOR (editor)));
  wait_ms (100);

  saved = sd_playbook_copy_dup_rule (copy, stage, SD_RULE_LIST_TRIGGERS, index);
  json = json_to_string (saved, FALSE);
  g_test_message ("saved: %s", json);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (saved), "on"), ==, "payment_added");
  g_assert_false (json_object_has_member (json_node_get_object (saved), "field"));
  g_assert_nonnull (strstr (json, "\"from\":[\"first_contact\",\"inspection\",\"cost_estimate\"]"));
  g_assert_nonnull (strstr (json, "\"when\":{\"all\":[{\"field\":\"amount\",\"op\":\"set\"},"
                                  "{\"any\":[{\"field\":\"object_type\",\"op\":\"in\","
                                  "\"value\":[\"after_accident\",\"fuel_tanker\"]},"
                                  "{\"field\":\"contact.client_type\",\"op\":\"=\",\"value\":\"fleet\"}]}]}"));
  rule = find (sd_playbook_copy_get_playbook (copy), "agreement", "amount_set", NULL, NULL);
  g_assert_cmpint (rule->on, ==, SD_EVENT_PAYMENT_ADDED);
  g_assert_cmpint (rule->when->kind, ==, SD_CONDITION_ALL);
  g_assert_cmpint (((SdCondition *) rule->when->children->pdata[1])->kind, ==, SD_CONDITION_ANY);
  g_assert_true (sd_playbook_copy_is_customized (copy));

  /* "None of these" at the top: a not over any. */
  editor = sd_automation_view_edit_rule (SD_AUTOMATION_VIEW (view), stage, SD_RULE_LIST_TRIGGERS,
                                         index);
  wait_ms (200);
  conditions = gtk_widget_get_ancestor (GTK_WIDGET (find_button (GTK_WIDGET (editor), "_Group")),
                                        ADW_TYPE_PREFERENCES_GROUP);
  n = 0;
  gtk_drop_down_set_selected (nth_drop_down (conditions, &n), 2);
  g_assert_null (sd_rule_editor_get_error (SD_RULE_EDITOR (editor)));
  g_assert_true (sd_rule_editor_save (SD_RULE_EDITOR (editor)));
  wait_ms (100);
  rule = find (sd_playbook_copy_get_playbook (copy), "agreement", "amount_set", NULL, NULL);
  g_assert_cmpint (rule->when->kind, ==, SD_CONDITION_NOT);
  close_window (window);
}

static void
test_catalogue (void)
{
  GtkWidget *view = sd_automation_view_new ();
  GtkWindow *window = show (view, 1000, 700);
  SdPlaybookCopy *copy;
  GtkWindow *editor;
  const SdPlaybookStage *stage;
  GtkCheckButton *head;
  guint before;

  g_assert_true (sd_automation_view_show_pipeline (SD_AUTOMATION_VIEW (view), "renovation"));
  copy = sd_automation_view_get_copy (SD_AUTOMATION_VIEW (view));
  stage = sd_playbook_get_stage (sd_playbook_copy_get_playbook (copy), 1);
  before = stage->rules->len;

  editor = sd_automation_view_add_rule (SD_AUTOMATION_VIEW (view), 1, "large_amount");
  wait_ms (200);
  g_assert_null (sd_rule_editor_get_error (SD_RULE_EDITOR (editor)));
  g_assert_nonnull (strstr (sd_rule_editor_get_sentence (SD_RULE_EDITOR (editor)),
                            "if the amount is at least 1\u00a0000\u00a0000 ₽ → notify their head"));
  /* The threshold is the comparison's value in the conditions form. */
  gtk_editable_set_text (find_by_tooltip (GTK_WIDGET (editor), "Several values are separated by commas", 0),
                         "2 000 000");
  g_assert_null (sd_rule_editor_get_error (SD_RULE_EDITOR (editor)));
  /* People are ticked, not typed; a notification to nobody is refused. */
  head = find_person (GTK_WIDGET (editor), "their head");
  g_assert_true (gtk_check_button_get_active (head));
  gtk_check_button_set_active (head, FALSE);
  g_assert_nonnull (strstr (sd_rule_editor_get_error (SD_RULE_EDITOR (editor)),
                            "Whom: Name at least one person"));
  gtk_check_button_set_active (head, TRUE);
  gtk_check_button_set_active (find_person (GTK_WIDGET (editor), "each Project manager"), TRUE);
  g_assert_null (sd_rule_editor_get_error (SD_RULE_EDITOR (editor)));
  render (GTK_WIDGET (editor), 560, 680, "rule-editor-new.png");
  g_assert_true (sd_rule_editor_save (SD_RULE_EDITOR (editor)));
  wait_ms (100);

  stage = sd_playbook_get_stage (sd_playbook_copy_get_playbook (copy), 1);
  g_assert_cmpuint (stage->rules->len, ==, before + 1);
  {
    const SdRule *added = stage->rules->pdata[stage->rules->len - 1];
    const SdRuleAction *action = added->actions->pdata[0];

    g_assert_cmpstr (added->code, ==, "large_amount");
    g_assert_cmpint (added->when->number, ==, 2000000 * 100);
    g_assert_cmpstr (action->to[1], ==, "role:project_manager");
  }

  /* And removed again. */
  {
    guint robots = 0;

    for (guint i = 0; i < stage->rules->len; i++)
      robots += ((SdRule *) stage->rules->pdata[i])->kind == SD_RULE_ROBOT;
    editor = sd_automation_view_edit_rule (SD_AUTOMATION_VIEW (view), 1, SD_RULE_LIST_ROBOTS,
                                           robots - 1);
    g_assert_true (sd_rule_editor_remove (SD_RULE_EDITOR (editor)));
    stage = sd_playbook_get_stage (sd_playbook_copy_get_playbook (copy), 1);
    g_assert_cmpuint (stage->rules->len, ==, before);
  }
  close_window (window);
}

/* ---- the bell ---- */

typedef struct
{
  char         *dir;
  SdStore      *store;
  SdAutomation *automation;
  gint64        manager;
  gint64        pipeline;
} Bell;

static gint64
insert (SdStore   *store,
        SdEntity   entity,
        SdChanges *changes)
{
  g_autoptr(GError) error = NULL;
  gint64 id = sd_store_insert (store, entity, changes, &error);

  g_assert_no_error (error);
  sd_changes_free (changes);
  return id;
}

static void
bell_setup (Bell *b)
{
  g_autofree char *path = NULL;
  g_autofree char *file = shipped ("body-repair.json");
  g_autoptr(GError) error = NULL;
  SdPlaybook *pb;
  SdChanges *c;

  b->dir = g_dir_make_tmp ("sdelka-bell-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (b->dir, "test.db", NULL);
  b->store = sd_store_open (path, &error);
  g_assert_no_error (error);
  b->automation = sd_automation_new (b->store);
  pb = sd_playbook_load_file (file, &error);
  g_assert_no_error (error);
  b->pipeline = sd_playbook_install (pb, b->store, &error);
  g_assert_no_error (error);
  sd_automation_add_playbook (b->automation, pb);

  c = sd_changes_new ();
  sd_changes_set_text (c, "login", "manager");
  sd_changes_set_text (c, "first_name", "Anna");
  sd_changes_set_text (c, "last_name", "Ivanova");
  sd_changes_set_int (c, "role_id", sd_store_find_role (b->store, "sales_manager"));
  b->manager = insert (b->store, SD_ENTITY_USER, c);
}

static void
bell_teardown (Bell *b)
{
  g_autofree char *path = g_build_filename (b->dir, "test.db", NULL);

  g_clear_object (&b->automation);
  g_clear_object (&b->store);
  for (const char *const *suffix = (const char *const[]) { "", "-wal", "-shm", NULL };
       *suffix != NULL; suffix++)
    {
      g_autofree char *name = g_strconcat (path, *suffix, NULL);

      g_remove (name);
    }
  g_rmdir (b->dir);
  g_free (b->dir);
}

/* A new deal at first contact for the manager: its robot notifies them in the app. */
static gint64
new_deal (Bell *b)
{
  g_autoptr(GError) error = NULL;
  SdAutomationEvent event = { SD_EVENT_ENTERED, 0, 0, NULL, NULL, NULL };
  SdChanges *c = sd_changes_new ();
  gint64 deal;

  sd_changes_set_text (c, "title", "Bus repair");
  sd_changes_set_int (c, "pipeline_id", b->pipeline);
  sd_changes_set_int (c, "stage_id", sd_store_find_stage (b->store, b->pipeline, "first_contact"));
  deal = insert (b->store, SD_ENTITY_DEAL, c);
  c = sd_changes_new ();
  sd_changes_set_int (c, "deal_id", deal);
  sd_changes_set_int (c, "user_id", b->manager);
  insert (b->store, SD_ENTITY_DEAL_RESPONSIBLE, c);

  event.deal_id = deal;
  g_assert_true (sd_automation_handle (b->automation, &event, &error));
  g_assert_no_error (error);
  return deal;
}

static void
on_open_deal (SdBellButton *bell,
              gint64        deal_id,
              gint64       *opened)
{
  *opened = deal_id;
}

static void
test_bell (void)
{
  Bell b = { 0 };
  GtkWidget *bell;
  GtkWidget *header;
  GtkWidget *box;
  GtkWindow *window;
  GtkPopover *popover;
  g_autofree char *shown = NULL;
  gint64 deal, opened = 0;
  guint unread;

  bell_setup (&b);
  bell = sd_bell_button_new ();
  sd_bell_button_set_automation (SD_BELL_BUTTON (bell), b.automation);
  sd_bell_button_set_user (SD_BELL_BUTTON (bell), b.manager);
  g_signal_connect (bell, "open-deal", G_CALLBACK (on_open_deal), &opened);
  g_assert_cmpuint (sd_bell_button_get_unread (SD_BELL_BUTTON (bell)), ==, 0);

  /* In a header, as the window places it. */
  header = gtk_header_bar_new ();
  gtk_header_bar_pack_end (GTK_HEADER_BAR (header), bell);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_box_append (GTK_BOX (box), header);
  window = show (box, 480, 520);

  /* The engine writes them (first contact: the manager is told of the deal, asked for
   * the required fields and for photos): the badge counts them at once. */
  deal = new_deal (&b);
  unread = sd_bell_button_get_unread (SD_BELL_BUTTON (bell));
  g_assert_cmpuint (unread, ==, 3);
  g_assert_cmpint (sd_notification_count_unread (b.store, b.manager), ==, unread);
  shown = text_of (bell);
  g_assert_nonnull (strstr (shown, "3\n"));
  g_assert_nonnull (strstr (shown, "New deal “Bus repair”"));
  g_assert_true (gtk_test_accessible_has_property (GTK_ACCESSIBLE (gtk_widget_get_first_child (bell)),
                                                   GTK_ACCESSIBLE_PROPERTY_LABEL));

  popover = gtk_menu_button_get_popover (GTK_MENU_BUTTON (gtk_widget_get_first_child (bell)));
  gtk_popover_popup (popover);
  wait_ms (300);
  render (GTK_WIDGET (window), 480, 520, "bell.png");
  render (gtk_popover_get_child (popover), 360, 320, "bell-list.png");
  assert_all_named (GTK_WIDGET (popover), 3);

  /* Opening an entry opens its deal and reads it. */
  sd_bell_button_activate_entry (SD_BELL_BUTTON (bell), 0);
  g_assert_cmpint (opened, ==, deal);
  g_assert_cmpuint (sd_bell_button_get_unread (SD_BELL_BUTTON (bell)), ==, unread - 1);
  g_assert_cmpint (sd_notification_count_unread (b.store, b.manager), ==, unread - 1);

  /* Another person's bell does not show them; Mark All Read clears the rest. */
  sd_bell_button_set_user (SD_BELL_BUTTON (bell), b.manager + 1000);
  g_assert_cmpuint (sd_bell_button_get_unread (SD_BELL_BUTTON (bell)), ==, 0);
  sd_bell_button_set_user (SD_BELL_BUTTON (bell), b.manager);
  g_assert_cmpuint (sd_bell_button_get_unread (SD_BELL_BUTTON (bell)), ==, unread - 1);
  sd_bell_button_mark_all_read (SD_BELL_BUTTON (bell));
  g_assert_cmpuint (sd_bell_button_get_unread (SD_BELL_BUTTON (bell)), ==, 0);
  g_assert_cmpint (sd_notification_count_unread (b.store, b.manager), ==, 0);

  close_window (window);
  bell_teardown (&b);
}

static void
test_desktop_notification (void)
{
  SdNotification n = { 7, 1, 42, (char *) "Call the client", (char *) "r", (char *) "" };
  g_autoptr(GNotification) desktop = sd_desktop_notification_new (&n);
  g_autofree char *id = sd_desktop_notification_id (7);

  g_assert_true (G_IS_NOTIFICATION (desktop));
  g_assert_cmpstr (id, ==, "notification-7");
}

typedef struct
{
  const char *path;
  GTestFunc   func;
} Test;

static const Test tests[] = {
  { "/automation-ui/sentences", test_sentences },
  { "/automation-ui/copy/enable-restore", test_copy_enable_restore },
  { "/automation-ui/copy/broken", test_broken_copy },
  { "/automation-ui/view", test_view },
  { "/automation-ui/editor", test_editor },
  { "/automation-ui/catalogue", test_catalogue },
  { "/automation-ui/editor/trigger-and-conditions", test_editor_trigger },
  { "/automation-ui/bell", test_bell },
  { "/automation-ui/desktop-notification", test_desktop_notification },
};

/* The board in Russian: the rules' sentences from ru.po, the stages from the playbook. */
static void
test_russian (void)
{
  GtkWidget *view = sd_automation_view_new ();
  GtkWindow *window = show (view, 1280, 760);
  g_autofree char *shown = NULL;
  GtkWindow *editor;
  guint stage, index;

  g_assert_true (sd_automation_view_show_pipeline (SD_AUTOMATION_VIEW (view), "body_repair"));
  wait_ms (200);
  shown = text_of (view);
  g_assert_nonnull (strstr (shown, "Когда задано: сумма"));
  g_assert_nonnull (strstr (shown, "→ перевести в «Согласование»"));
  g_assert_nonnull (strstr (shown, "Условия входа"));
  g_assert_nonnull (strstr (shown, "Каждые 2 дня на стадии"));
  render (GTK_WIDGET (window), 1280, 760, "automation-ru.png");

  find (sd_playbook_copy_get_playbook (sd_automation_view_get_copy (SD_AUTOMATION_VIEW (view))),
        "vehicle_in_work", "collect_payment", &stage, &index);
  editor = sd_automation_view_edit_rule (SD_AUTOMATION_VIEW (view), stage, SD_RULE_LIST_ROBOTS,
                                         index);
  g_assert_true (g_str_has_prefix (sd_rule_editor_get_sentence (SD_RULE_EDITOR (editor)),
                                   "Каждые 2 дня на стадии, если остаток к оплате больше 0 ₽"));
  render (GTK_WIDGET (editor), 560, 680, "rule-editor-ru.png");
  /* Units typed in Russian are written as the file's. */
  gtk_editable_set_text (find_entry (GTK_WIDGET (editor),
                                     "Повторять, пока сделка на стадии, каждые (например 2d)"),
                         "3 д");
  g_assert_null (sd_rule_editor_get_error (SD_RULE_EDITOR (editor)));
  g_assert_true (g_str_has_prefix (sd_rule_editor_get_sentence (SD_RULE_EDITOR (editor)),
                                   "Каждые 3 дня на стадии"));
  gtk_window_destroy (editor);
  close_window (window);
}

static const Test russian_test = { "/automation-ui/russian", test_russian };

/* Each test starts from the shipped playbooks. */
static void
run_clean (gconstpointer data)
{
  const Test *test = data;

  remove_user_copies ();
  test->func ();
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *data_home = NULL;
  gboolean russian;
  int status;

  /* The sentences are checked in English, unless the run is the Russian one (LC_ALL is
   * then ru_RU.UTF-8). */
  russian = g_str_has_prefix (g_getenv ("LC_ALL") != NULL ? g_getenv ("LC_ALL") : "", "ru");
  setlocale (LC_ALL, russian ? "" : "C.UTF-8");
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("SDELKA_LOCALEDIR"));
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  /* The user's copies go to a folder of this run's; the system's data folders stay, for
   * the icon theme. */
  data_home = g_dir_make_tmp ("sdelka-automation-ui-XXXXXX", NULL);
  g_assert_nonnull (data_home);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_test_init (&argc, &argv, NULL);
  if (!gtk_init_check ())
    {
      g_test_skip ("no display");
      return 0;
    }
  adw_init ();

  if (russian)
    g_test_add_data_func ("/automation-ui/russian", &russian_test, run_clean);
  else
    for (gsize i = 0; i < G_N_ELEMENTS (tests); i++)
      g_test_add_data_func (tests[i].path, &tests[i], run_clean);
  status = g_test_run ();
  remove_user_copies ();
  g_rmdir (data_home);
  return status;
}
