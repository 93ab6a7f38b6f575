/* sd-rule-editor.c: one rule's parameters.
 *
 * The editor works on a copy of the rule as written in the playbook. Each form row is
 * bound to one member of the rule or of one of its actions; any change writes every row
 * back into the copy, checks the rows (a duration, a number, known people), then the
 * whole playbook with the rule in place, so the message is the checker's own: the file,
 * the JSON path and the reason.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-rule-editor"

#include "config.h"

#include "sd-rule-editor.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sd-rule-sentence.h"

typedef enum
{
  BIND_TEXT,       /* a text shown to people; required when flagged */
  BIND_DURATION,   /* "2d"; empty leaves the member out */
  BIND_NUMBER,     /* a threshold */
  BIND_COUNT,      /* a whole number from 1 */
  BIND_PEOPLE,     /* check rows: the responsible, their head, a role… */
  BIND_CHANNELS,   /* check buttons */
  BIND_CHOICE,     /* a combo row over codes */
  BIND_BOOL,       /* a switch */
} BindKind;

typedef struct
{
  BindKind    kind;
  JsonObject *target;    /* the rule or one of its actions, inside the editor's copy */
  char       *member;
  GtkWidget  *widget;    /* the row (entry, combo, switch row) or the text view */
  GtkWidget  *input;     /* what holds the value: the row, the switch or the text view */
  GStrv       codes;     /* channels and choices */
  GPtrArray  *checks;    /* channels: GtkCheckButton *, in @codes order */
  gboolean    required;
  gboolean    default_true;  /* a boolean member left out when true ("enabled") */
} Binding;

struct _SdRuleEditor
{
  AdwWindow       parent_instance;

  SdPlaybookCopy *copy;
  guint           stage;
  SdRuleList      list;
  int             index;
  JsonNode       *rule;
  GPtrArray      *bindings;   /* Binding * */
  char           *error;
  char           *sentence;
  gboolean        building;   /* rows are being filled: no checks yet */

  /* template children */
  AdwWindowTitle      *window_title;
  GtkWidget           *save_button;
  AdwPreferencesPage  *page;
  GtkLabel            *sentence_label;
  GtkLabel            *error_label;
};

G_DEFINE_FINAL_TYPE (SdRuleEditor, sd_rule_editor, ADW_TYPE_WINDOW)

static void
binding_free (Binding *b)
{
  g_free (b->member);
  g_strfreev (b->codes);
  g_clear_pointer (&b->checks, g_ptr_array_unref);
  g_free (b);
}

/* ---- texts in the person's language ---- */

/* The language of a multilingual text the editor shows and writes: the one
 * sd_playbook_text_get () would pick. */
static const char *
text_language (JsonObject *text)
{
  const char *const *names = g_get_language_names ();
  g_autoptr(GList) members = NULL;

  for (guint i = 0; names[i] != NULL; i++)
    if (json_object_has_member (text, names[i]))
      return names[i];
  if (json_object_has_member (text, "en"))
    return "en";
  members = json_object_get_members (text);
  return members != NULL ? members->data : "en";
}

static const char *
read_text (JsonObject *target,
           const char *member)
{
  JsonNode *node = json_object_get_member (target, member);

  if (node == NULL)
    return "";
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *text = json_node_get_object (node);

      return json_object_get_string_member_with_default (text, text_language (text), "");
    }
  return JSON_NODE_HOLDS_VALUE (node) ? json_node_get_string (node) : "";
}

static void
write_text (JsonObject *target,
            const char *member,
            const char *value)
{
  JsonNode *node = json_object_get_member (target, member);

  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *text = json_node_get_object (node);

      /* The other languages stay as written: a translator updates them. */
      json_object_set_string_member (text, text_language (text), value);
    }
  else if (*value == '\0' && node == NULL)
    return;
  else
    json_object_set_string_member (target, member, value);
}

/* ---- the people a rule may name ---- */

static GPtrArray *
person_choices (const SdPlaybook *pb)
{
  static const char *const plain[] = { "responsible", "head", "head_chain", "actor" };
  GPtrArray *choices = g_ptr_array_new_with_free_func (g_free);

  for (gsize i = 0; i < G_N_ELEMENTS (plain); i++)
    g_ptr_array_add (choices, g_strdup (plain[i]));
  for (guint i = 0; i < sd_playbook_get_n_roles (pb); i++)
    g_ptr_array_add (choices, g_strconcat ("role:", sd_playbook_get_role (pb, i)->code, NULL));
  return choices;
}

/* ---- reading the rows ---- */

static char *
input_text (Binding *b)
{
  if (GTK_IS_TEXT_VIEW (b->input))
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (b->input));
      GtkTextIter start, end;

      gtk_text_buffer_get_bounds (buffer, &start, &end);
      return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
    }
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (b->input))));
}

static const char *
row_title (Binding *b)
{
  if (ADW_IS_PREFERENCES_ROW (b->widget))
    return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (b->widget));
  return gtk_widget_get_tooltip_text (b->widget);
}

/* A duration as the file writes it: people may type the units in Russian ("3д", "2н"). */
static char *
duration_in_file_units (const char *typed)
{
  static const char *const units[][2] = {
    { "мин", "m" }, { "м", "m" }, { "ч", "h" }, { "д", "d" }, { "н", "w" }, { "г", "y" },
    { "л", "y" },
  };
  g_autofree char *folded = g_utf8_strdown (typed, -1);
  GString *text = g_string_new (NULL);

  for (const char *p = folded; *p != '\0';)
    {
      gboolean replaced = FALSE;

      if (g_unichar_isspace (g_utf8_get_char (p)))
        {
          p = g_utf8_next_char (p);
          continue;
        }
      for (gsize i = 0; i < G_N_ELEMENTS (units) && !replaced; i++)
        if (g_str_has_prefix (p, units[i][0]))
          {
            g_string_append (text, units[i][1]);
            p += strlen (units[i][0]);
            replaced = TRUE;
          }
      if (!replaced)
        {
          g_string_append_unichar (text, g_utf8_get_char (p));
          p = g_utf8_next_char (p);
        }
    }
  return g_string_free (text, FALSE);
}

/* Writes the row into the rule; why it cannot be, or NULL. */
static char *
write_binding (SdRuleEditor *self,
               Binding      *b)
{
  const SdPlaybook *pb = sd_playbook_copy_get_playbook (self->copy);

  switch (b->kind)
    {
    case BIND_TEXT:
      {
        g_autofree char *text = input_text (b);

        write_text (b->target, b->member, text);
        if (b->required && *text == '\0')
          return g_strdup (_("Write the text"));
        return NULL;
      }

    case BIND_DURATION:
      {
        g_autofree char *typed = input_text (b);
        g_autofree char *text = duration_in_file_units (typed);
        gint64 seconds;

        if (*text == '\0')
          {
            json_object_remove_member (b->target, b->member);
            return b->required ? g_strdup (_("Write how long, like 30m, 2h, 3d or 2w")) : NULL;
          }
        json_object_set_string_member (b->target, b->member, text);
        if (!sd_duration_parse (text, &seconds) || seconds <= 0)
          return g_strdup_printf (_("“%s” is not a duration: write it like 30m, 2h, 3d, 2w "
                                    "or 1y"), typed);
        return NULL;
      }

    case BIND_NUMBER:
    case BIND_COUNT:
      {
        g_autofree char *text = input_text (b);
        g_autoptr(GString) digits = g_string_new (NULL);
        gint64 value;

        /* People write thousands apart: "1 000 000" (the row starts so, with no-break
         * spaces). */
        for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
          if (!g_unichar_isspace (g_utf8_get_char (p)))
            g_string_append_unichar (digits, g_utf8_get_char (p));
        if (!g_ascii_string_to_signed (digits->str, 10, b->kind == BIND_COUNT ? 1 : G_MININT64,
                                       G_MAXINT64 / 100, &value, NULL))
          return b->kind == BIND_COUNT ? g_strdup (_("Write a whole number from 1"))
                                       : g_strdup_printf (_("“%s” is not a number"), text);
        json_object_set_int_member (b->target, b->member, value);
        return NULL;
      }

    case BIND_PEOPLE:
      {
        g_autoptr(JsonArray) people = json_array_new ();
        g_autoptr(GString) said = g_string_new (NULL);

        for (guint i = 0; i < b->checks->len; i++)
          if (gtk_check_button_get_active (b->checks->pdata[i]))
            {
              g_autofree char *label = sd_rule_person_label (pb, b->codes[i]);

              json_array_add_string_element (people, b->codes[i]);
              g_string_append_printf (said, "%s%s", said->len > 0 ? ", " : "", label);
            }
        adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (b->widget), said->str);
        if (json_array_get_length (people) == 0)
          {
            json_object_remove_member (b->target, b->member);
            return b->required ? g_strdup (_("Name at least one person")) : NULL;
          }
        json_object_set_array_member (b->target, b->member, g_steal_pointer (&people));
        return NULL;
      }

    case BIND_CHANNELS:
      {
        g_autoptr(JsonArray) channels = json_array_new ();

        for (guint i = 0; i < b->checks->len; i++)
          if (gtk_check_button_get_active (b->checks->pdata[i]))
            json_array_add_string_element (channels, b->codes[i]);
        if (json_array_get_length (channels) == 0)
          return g_strdup (_("Choose at least one way to send it"));
        json_object_set_array_member (b->target, b->member, g_steal_pointer (&channels));
        return NULL;
      }

    case BIND_CHOICE:
      {
        guint selected = adw_combo_row_get_selected (ADW_COMBO_ROW (b->input));

        if (selected < g_strv_length (b->codes))
          json_object_set_string_member (b->target, b->member, b->codes[selected]);
        return NULL;
      }

    case BIND_BOOL:
    default:
      {
        gboolean active = gtk_switch_get_active (GTK_SWITCH (b->input));

        if (b->default_true && active)
          json_object_remove_member (b->target, b->member);
        else
          json_object_set_boolean_member (b->target, b->member, active);
        return NULL;
      }
    }
}

/* The rule of @pb being edited: the same place in the stage's list, or the last one for
 * a new rule. */
static const SdRule *
find_rule (SdRuleEditor     *self,
           const SdPlaybook *pb)
{
  const SdPlaybookStage *stage = sd_playbook_get_stage (pb, self->stage);
  const SdRule *found = NULL;
  int n = 0;

  for (guint i = 0; i < stage->rules->len; i++)
    {
      const SdRule *rule = stage->rules->pdata[i];

      if ((SdRuleList) rule->kind != self->list)
        continue;
      found = rule;
      if (n++ == self->index)
        break;
    }
  return found;
}

static void
set_error (SdRuleEditor *self,
           char         *error)
{
  g_free (self->error);
  self->error = error;
  gtk_label_set_label (self->error_label, error != NULL ? error : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), error != NULL);
  gtk_widget_set_sensitive (self->save_button, error == NULL);
}

static void
validate (SdRuleEditor *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SdPlaybook) pb = NULL;
  char *first = NULL;

  if (self->building)
    return;

  for (guint i = 0; i < self->bindings->len; i++)
    {
      Binding *b = self->bindings->pdata[i];
      char *why = write_binding (self, b);

      if (why != NULL)
        gtk_widget_add_css_class (b->widget, "error");
      else
        gtk_widget_remove_css_class (b->widget, "error");
      if (why != NULL && first == NULL)
        /* TRANSLATORS: a form row's title and what is wrong with it */
        first = g_strdup_printf (_("%s: %s"), row_title (b), why);
      g_free (why);
    }
  if (first != NULL)
    {
      set_error (self, first);
      return;
    }

  pb = sd_playbook_copy_try_rule (self->copy, self->stage, self->list, self->index, self->rule,
                                  &error);
  if (pb == NULL)
    {
      set_error (self, g_strdup (error->message));
      return;
    }
  set_error (self, NULL);
  g_free (self->sentence);
  self->sentence = sd_rule_sentence (pb, find_rule (self, pb));
  gtk_label_set_label (self->sentence_label, self->sentence);
}

/* ---- building the form ---- */

static Binding *
bind (SdRuleEditor *self,
      BindKind      kind,
      JsonObject   *target,
      const char   *member,
      GtkWidget    *widget,
      GtkWidget    *input)
{
  Binding *b = g_new0 (Binding, 1);

  b->kind = kind;
  b->target = target;
  b->member = g_strdup (member);
  b->widget = widget;
  b->input = input;
  g_ptr_array_add (self->bindings, b);
  return b;
}

static void
on_input_changed (SdRuleEditor *self)
{
  validate (self);
}

static void
insert_into (GtkWidget  *target,
             const char *text)
{
  if (GTK_IS_TEXT_VIEW (target))
    gtk_text_buffer_insert_at_cursor (gtk_text_view_get_buffer (GTK_TEXT_VIEW (target)),
                                      text, -1);
  else
    {
      int position = gtk_editable_get_position (GTK_EDITABLE (target));

      gtk_editable_insert_text (GTK_EDITABLE (target), text, -1, &position);
      gtk_editable_set_position (GTK_EDITABLE (target), position);
    }
  gtk_widget_grab_focus (target);
}

static void
on_pick_row (GtkListBox    *list,
             GtkListBoxRow *row,
             GtkWidget     *target)
{
  const char *value = g_object_get_data (G_OBJECT (row), "sd-value");
  GtkWidget *popover = gtk_widget_get_ancestor (GTK_WIDGET (list), GTK_TYPE_POPOVER);

  insert_into (target, value);
  if (popover != NULL)
    gtk_popover_popdown (GTK_POPOVER (popover));
}

/* A button with a list of placeholders: each row inserts its value into @target. */
static GtkWidget *
picker (GtkWidget  *target,
        const char *text,
        const char *label,
        GPtrArray  *values,
        GPtrArray  *captions)
{
  GtkWidget *button = gtk_menu_button_new ();
  GtkWidget *popover = gtk_popover_new ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *list = gtk_list_box_new ();

  for (guint i = 0; i < values->len; i++)
    {
      GtkWidget *row = gtk_list_box_row_new ();
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
      GtkWidget *code = gtk_label_new (values->pdata[i]);
      GtkWidget *caption = gtk_label_new (captions->pdata[i]);

      gtk_widget_add_css_class (code, "monospace");
      gtk_label_set_xalign (GTK_LABEL (caption), 0);
      gtk_widget_set_hexpand (caption, TRUE);
      gtk_widget_add_css_class (caption, "dim-label");
      gtk_box_append (GTK_BOX (box), code);
      gtk_box_append (GTK_BOX (box), caption);
      gtk_widget_set_margin_top (box, 4);
      gtk_widget_set_margin_bottom (box, 4);
      gtk_widget_set_margin_start (box, 6);
      gtk_widget_set_margin_end (box, 6);
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
      g_object_set_data_full (G_OBJECT (row), "sd-value", g_strdup (values->pdata[i]), g_free);
      gtk_list_box_append (GTK_LIST_BOX (list), row);
    }
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (list), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  g_signal_connect (list, "row-activated", G_CALLBACK (on_pick_row), target);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), list);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 320);
  gtk_popover_set_child (GTK_POPOVER (popover), scrolled);
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (button), popover);
  gtk_menu_button_set_label (GTK_MENU_BUTTON (button), text);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, label);
  gtk_widget_add_css_class (button, "flat");
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  return button;
}

static GtkWidget *
placeholder_picker (SdRuleEditor *self,
                    GtkWidget    *target)
{
  const SdPlaybook *pb = sd_playbook_copy_get_playbook (self->copy);
  g_autoptr(GPtrArray) names = sd_rule_placeholders (pb);
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) captions = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < names->len; i++)
    {
      g_ptr_array_add (values, g_strdup_printf ("{%s}", (char *) names->pdata[i]));
      g_ptr_array_add (captions, sd_rule_field_label (pb, names->pdata[i]));
    }
  /* A placeholder is written in braces: the button says so. */
  return picker (target, "{…}", _("Insert a placeholder"), values, captions);
}

static GtkWidget *
entry_row (AdwPreferencesGroup *group,
           const char          *title,
           const char          *value)
{
  GtkWidget *row = adw_entry_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_editable_set_text (GTK_EDITABLE (row), value);
  adw_preferences_group_add (group, row);
  return row;
}

static void
add_text_entry (SdRuleEditor        *self,
                AdwPreferencesGroup *group,
                JsonObject          *target,
                const char          *member,
                const char          *title,
                gboolean             placeholders,
                gboolean             required)
{
  GtkWidget *row = entry_row (group, title, read_text (target, member));

  if (placeholders)
    adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), placeholder_picker (self, row));
  bind (self, BIND_TEXT, target, member, row, row)->required = required;
  g_signal_connect_swapped (row, "changed", G_CALLBACK (on_input_changed), self);
}

static void
add_text_view (SdRuleEditor *self,
               JsonObject   *target,
               const char   *member,
               const char   *title,
               gboolean      required)
{
  GtkWidget *group = adw_preferences_group_new ();
  GtkWidget *frame = gtk_frame_new (NULL);
  GtkWidget *view = gtk_text_view_new ();
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (group),
                                           placeholder_picker (self, view));
  gtk_text_buffer_set_text (buffer, read_text (target, member), -1);
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), 8);
  gtk_widget_set_size_request (view, -1, 96);
  gtk_widget_set_tooltip_text (frame, title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  gtk_frame_set_child (GTK_FRAME (frame), view);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), frame);
  adw_preferences_page_add (self->page, ADW_PREFERENCES_GROUP (group));
  bind (self, BIND_TEXT, target, member, frame, view)->required = required;
  g_signal_connect_swapped (buffer, "changed", G_CALLBACK (on_input_changed), self);
}

static void
add_duration (SdRuleEditor        *self,
              AdwPreferencesGroup *group,
              JsonObject          *target,
              const char          *member,
              const char          *title,
              gboolean             required)
{
  GtkWidget *row = entry_row (group, title,
                              json_object_get_string_member_with_default (target, member, ""));

  bind (self, BIND_DURATION, target, member, row, row)->required = required;
  g_signal_connect_swapped (row, "changed", G_CALLBACK (on_input_changed), self);
}

/* The people a rule may name, each a check row: nothing to mistype. People the file names
 * that the list does not have (user:LOGIN) are kept as rows of their own. */
static void
add_people (SdRuleEditor        *self,
            AdwPreferencesGroup *group,
            JsonObject          *target,
            const char          *member,
            const char          *title,
            gboolean             required)
{
  const SdPlaybook *pb = sd_playbook_copy_get_playbook (self->copy);
  g_autoptr(GPtrArray) choices = person_choices (pb);
  g_autoptr(GPtrArray) chosen = g_ptr_array_new ();
  JsonNode *node = json_object_get_member (target, member);
  GtkWidget *row = adw_expander_row_new ();
  Binding *b;

  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
      g_ptr_array_add (chosen, (gpointer) json_array_get_string_element (json_node_get_array (node), i));
  else if (node != NULL && JSON_NODE_HOLDS_VALUE (node))
    g_ptr_array_add (chosen, (gpointer) json_node_get_string (node));
  for (guint i = 0; i < chosen->len; i++)
    if (!g_ptr_array_find_with_equal_func (choices, chosen->pdata[i], g_str_equal, NULL))
      g_ptr_array_add (choices, g_strdup (chosen->pdata[i]));
  g_ptr_array_add (choices, NULL);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  b = bind (self, BIND_PEOPLE, target, member, row, row);
  b->required = required;
  b->codes = (GStrv) g_ptr_array_steal (choices, NULL);
  b->checks = g_ptr_array_new ();
  for (guint i = 0; b->codes[i] != NULL; i++)
    {
      g_autofree char *label = sd_rule_person_label (pb, b->codes[i]);
      GtkWidget *person = adw_action_row_new ();
      GtkWidget *check = gtk_check_button_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (person), label);
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check),
                                   g_ptr_array_find_with_equal_func (chosen, b->codes[i],
                                                                     g_str_equal, NULL));
      gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      label, -1);
      adw_action_row_add_prefix (ADW_ACTION_ROW (person), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (person), check);
      adw_expander_row_add_row (ADW_EXPANDER_ROW (row), person);
      g_ptr_array_add (b->checks, check);
      g_signal_connect_swapped (check, "toggled", G_CALLBACK (on_input_changed), self);
    }
  adw_preferences_group_add (group, row);
}

static void
add_channels (SdRuleEditor        *self,
              AdwPreferencesGroup *group,
              JsonObject          *target,
              const char * const  *codes,
              const char * const  *labels,
              const char          *fallback)
{
  JsonNode *node = json_object_get_member (target, "channels");
  GtkWidget *row = adw_action_row_new ();
  Binding *b;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Send"));
  b = bind (self, BIND_CHANNELS, target, "channels", row, row);
  b->codes = g_strdupv ((char **) codes);
  b->checks = g_ptr_array_new ();
  for (guint i = 0; codes[i] != NULL; i++)
    {
      GtkWidget *check = gtk_check_button_new_with_label (_(labels[i]));
      gboolean on = FALSE;

      if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
        for (guint j = 0; j < json_array_get_length (json_node_get_array (node)); j++)
          on |= g_strcmp0 (json_array_get_string_element (json_node_get_array (node), j),
                           codes[i]) == 0;
      else
        on = g_strcmp0 (codes[i], fallback) == 0;
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check), on);
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), check);
      g_ptr_array_add (b->checks, check);
      g_signal_connect_swapped (check, "toggled", G_CALLBACK (on_input_changed), self);
    }
  adw_preferences_group_add (group, row);
}

static void
add_choice (SdRuleEditor        *self,
            AdwPreferencesGroup *group,
            JsonObject          *target,
            const char          *member,
            const char          *title,
            GStrv                codes,
            const char * const  *labels)
{
  g_autoptr(GtkStringList) model = gtk_string_list_new (labels);
  const char *current = json_object_get_string_member_with_default (target, member, NULL);
  GtkWidget *row = adw_combo_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (model));
  for (guint i = 0; codes[i] != NULL; i++)
    if (g_strcmp0 (codes[i], current) == 0)
      adw_combo_row_set_selected (ADW_COMBO_ROW (row), i);
  adw_preferences_group_add (group, row);
  bind (self, BIND_CHOICE, target, member, row, row)->codes = codes;
  g_signal_connect_swapped (row, "notify::selected", G_CALLBACK (on_input_changed), self);
}

static void
add_switch (SdRuleEditor        *self,
            AdwPreferencesGroup *group,
            JsonObject          *target,
            const char          *member,
            const char          *title,
            gboolean             default_true)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *sw = gtk_switch_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_switch_set_active (GTK_SWITCH (sw), json_object_get_boolean_member_with_default (
                                            target, member, default_true));
  gtk_widget_set_valign (sw, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (sw), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), sw);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), sw);
  adw_preferences_group_add (group, row);
  bind (self, BIND_BOOL, target, member, row, sw)->default_true = default_true;
  g_signal_connect_swapped (sw, "notify::active", G_CALLBACK (on_input_changed), self);
}

static const char *const staff_channels[] = { "app", "email", "sms", NULL };
static const char *const staff_channel_labels[] = { N_("App"), N_("E-mail"), N_("SMS"), NULL };
static const char *const client_channels[] = { "email", "sms", "messenger", "preferred", NULL };
static const char *const client_channel_labels[] = {
  N_("E-mail"), N_("SMS"), N_("Messenger"), N_("Their choice"), NULL
};
static const char *const documents[] = { "estimate", "invoice", "act", "contract", NULL };
static const char *const document_labels[] = {
  N_("Estimate"), N_("Invoice"), N_("Act"), N_("Contract"), NULL
};

/* A comparison as the threshold row's title says it. */
static const char *
op_words (const char *op)
{
  static const char *const ops[][2] = {
    { "=", N_("is") }, { "!=", N_("is not") }, { "<", N_("is under") },
    { "<=", N_("is at most") }, { ">", N_("is over") }, { ">=", N_("is at least") },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (ops); i++)
    if (g_strcmp0 (ops[i][0], op) == 0)
      return _(ops[i][1]);
  return NULL;
}

/* A threshold or a file count, when the condition is one of those; otherwise the
 * condition is shown as it reads. */
static void
add_condition (SdRuleEditor        *self,
               AdwPreferencesGroup *group,
               JsonObject          *rule,
               const SdRule        *parsed)
{
  const SdPlaybook *pb = sd_playbook_copy_get_playbook (self->copy);
  JsonNode *node = json_object_get_member (rule, "when");
  JsonObject *when;

  if (node == NULL)
    return;
  when = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  if (when != NULL && json_object_has_member (when, "field")
      && op_words (json_object_get_string_member_with_default (when, "op", NULL)) != NULL
      && JSON_NODE_HOLDS_VALUE (json_object_get_member (when, "value"))
      && json_node_get_value_type (json_object_get_member (when, "value")) == G_TYPE_INT64)
    {
      const char *field = json_object_get_string_member (when, "field");
      g_autofree char *label = sd_rule_field_label (pb, field);
      g_autofree char *title = NULL;
      g_autofree char *value = sd_number_describe (json_object_get_int_member (when, "value"));
      GtkWidget *row;

      if (sd_rule_field_is_money (field))
        /* TRANSLATORS: "Only if the amount is at least, ₽" */
        title = g_strdup_printf (_("Only if %s %s, ₽"), label,
                                 op_words (json_object_get_string_member (when, "op")));
      else
        title = g_strdup_printf (_("Only if %s %s"), label,
                                 op_words (json_object_get_string_member (when, "op")));
      row = entry_row (group, title, value);
      bind (self, BIND_NUMBER, when, "value", row, row);
      g_signal_connect_swapped (row, "changed", G_CALLBACK (on_input_changed), self);
    }
  else if (when != NULL && json_object_has_member (when, "files"))
    {
      g_autofree char *value = g_strdup_printf ("%" G_GINT64_FORMAT,
                                                json_object_get_int_member_with_default (when, "at_least", 1));
      GtkWidget *row = entry_row (group, _("At least how many files"), value);

      bind (self, BIND_COUNT, when, "at_least", row, row);
      g_signal_connect_swapped (row, "changed", G_CALLBACK (on_input_changed), self);
    }
  else if (parsed != NULL && parsed->when != NULL)
    {
      g_autofree char *sentence = sd_condition_sentence (pb, parsed->when);
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Only if"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), sentence);
      adw_preferences_group_add (group, row);
    }
}

static GStrv
stage_codes (const SdPlaybook *pb,
             GStrv            *labels)
{
  GStrvBuilder *codes = g_strv_builder_new ();
  GStrvBuilder *names = g_strv_builder_new ();
  GStrv result;

  for (guint i = 0; i < sd_playbook_get_n_stages (pb); i++)
    {
      g_strv_builder_add (codes, sd_playbook_get_stage (pb, i)->code);
      g_strv_builder_add (names, sd_playbook_text_get (sd_playbook_get_stage (pb, i)->name, NULL));
    }
  *labels = g_strv_builder_end (names);
  result = g_strv_builder_end (codes);
  g_strv_builder_unref (codes);
  g_strv_builder_unref (names);
  return result;
}

static GStrv
role_codes (const SdPlaybook *pb,
            GStrv            *labels)
{
  GStrvBuilder *codes = g_strv_builder_new ();
  GStrvBuilder *names = g_strv_builder_new ();
  GStrv result;

  for (guint i = 0; i < sd_playbook_get_n_roles (pb); i++)
    {
      g_strv_builder_add (codes, sd_playbook_get_role (pb, i)->code);
      g_strv_builder_add (names, sd_playbook_text_get (sd_playbook_get_role (pb, i)->name, NULL));
    }
  *labels = g_strv_builder_end (names);
  result = g_strv_builder_end (codes);
  g_strv_builder_unref (codes);
  g_strv_builder_unref (names);
  return result;
}

static GStrv
translated (const char *const *labels)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  GStrv result;

  for (guint i = 0; labels[i] != NULL; i++)
    g_strv_builder_add (builder, _(labels[i]));
  result = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return result;
}

static void
add_action (SdRuleEditor *self,
            JsonObject   *action,
            guint         number)
{
  const SdPlaybook *pb = sd_playbook_copy_get_playbook (self->copy);
  const char *kind = json_object_get_string_member_with_default (action, "do", "");
  AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  g_autofree char *title = NULL;

  adw_preferences_page_add (self->page, group);

  if (g_str_equal (kind, "notify"))
    {
      title = g_strdup_printf (_("%u. Notify staff"), number);
      add_people (self, group, action, "to", _("Whom"), TRUE);
      add_channels (self, group, action, staff_channels, staff_channel_labels, "app");
      add_text_entry (self, group, action, "subject", _("E-mail subject"), TRUE, FALSE);
      add_text_view (self, action, "text", _("Notification"), TRUE);
    }
  else if (g_str_equal (kind, "message_client"))
    {
      title = g_strdup_printf (_("%u. Message the client"), number);
      add_channels (self, group, action, client_channels, client_channel_labels, "email");
      add_text_entry (self, group, action, "subject", _("E-mail subject"), TRUE, FALSE);
      add_text_view (self, action, "text", _("Message"), TRUE);
    }
  else if (g_str_equal (kind, "create_task") || g_str_equal (kind, "follow_up"))
    {
      gboolean task = g_str_equal (kind, "create_task");

      title = task ? g_strdup_printf (_("%u. Create a task"), number)
                   : g_strdup_printf (_("%u. Call again later"), number);
      add_text_entry (self, group, action, "title", _("Task"), TRUE, FALSE);
      add_people (self, group, action, "to", _("For whom (default: the responsible)"), FALSE);
      if (task)
        {
          add_duration (self, group, action, "deadline", _("Due in (like 1d or 3d)"), FALSE);
          add_switch (self, group, action, "needs_acceptance",
                      _("The creator accepts the result"), FALSE);
        }
      else
        add_duration (self, group, action, "after", _("Call again in (like 2w)"), TRUE);
      add_text_view (self, action, "text", _("Task description"), FALSE);
    }
  else if (g_str_equal (kind, "move"))
    {
      g_auto(GStrv) labels = NULL;
      GStrv codes = stage_codes (pb, &labels);

      title = g_strdup_printf (_("%u. Move the deal"), number);
      add_choice (self, group, action, "stage", _("To the stage"), codes,
                  (const char * const *) labels);
    }
  else if (g_str_equal (kind, "distribute"))
    {
      g_auto(GStrv) labels = NULL;
      GStrv codes = role_codes (pb, &labels);

      title = g_strdup_printf (_("%u. Distribute the deal"), number);
      add_choice (self, group, action, "role", _("Among each"), codes,
                  (const char * const *) labels);
    }
  else if (g_str_equal (kind, "assign"))
    {
      title = g_strdup_printf (_("%u. Hand the deal over"), number);
      add_people (self, group, action, "to", _("To"), TRUE);
    }
  else if (g_str_equal (kind, "create_document"))
    {
      g_auto(GStrv) labels = translated (document_labels);

      title = g_strdup_printf (_("%u. Make a document"), number);
      add_choice (self, group, action, "document", _("Document"), g_strdupv ((char **) documents),
                  (const char * const *) labels);
    }
  else if (g_str_equal (kind, "set_field"))
    {
      title = g_strdup_printf (_("%u. Set a field"), number);
      add_text_entry (self, group, action, "field", _("Field code"), FALSE, TRUE);
      add_text_entry (self, group, action, "value", _("Value"), FALSE, FALSE);
    }
  else
    {
      title = g_strdup_printf (_("%u. Post in the company feed"), number);
      add_text_view (self, action, "text", _("Post"), TRUE);
    }
  adw_preferences_group_set_title (group, title);
}

static void
build_form (SdRuleEditor *self)
{
  const SdPlaybook *pb = sd_playbook_copy_get_playbook (self->copy);
  JsonObject *rule = json_node_get_object (self->rule);
  AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  const SdRule *parsed = self->index >= 0 ? find_rule (self, pb) : NULL;

  self->building = TRUE;
  adw_preferences_page_add (self->page, group);
  add_text_entry (self, group, rule, "name", _("Name"), FALSE, TRUE);
  add_switch (self, group, rule, "enabled", _("On"), TRUE);

  if (self->list == SD_RULE_LIST_GUARDS)
    add_text_entry (self, group, rule, "message", _("Said when it refuses"), FALSE, TRUE);
  if (self->list == SD_RULE_LIST_ROBOTS)
    {
      const char *on = json_object_get_string_member_with_default (rule, "on", "entered");

      add_duration (self, group, rule, "delay", _("Wait before acting (like 1d)"), FALSE);
      if (g_str_equal (on, "entered"))
        add_duration (self, group, rule, "repeat", _("Repeat while in the stage every (like 2d)"),
                      FALSE);
    }
  add_condition (self, group, rule, parsed);

  if (json_object_has_member (rule, "actions"))
    {
      JsonArray *actions = json_object_get_array_member (rule, "actions");

      for (guint i = 0; i < json_array_get_length (actions); i++)
        if (JSON_NODE_HOLDS_OBJECT (json_array_get_element (actions, i)))
          add_action (self, json_array_get_object_element (actions, i), i + 1);
    }

  if (self->index >= 0)
    {
      GtkWidget *remove_group = adw_preferences_group_new ();
      GtkWidget *button = gtk_button_new_with_mnemonic (_("_Remove Rule"));

      gtk_widget_add_css_class (button, "destructive-action");
      gtk_widget_set_halign (button, GTK_ALIGN_START);
      g_signal_connect_swapped (button, "clicked", G_CALLBACK (sd_rule_editor_remove), self);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (remove_group), button);
      adw_preferences_page_add (self->page, ADW_PREFERENCES_GROUP (remove_group));
    }
  self->building = FALSE;
  validate (self);
}

static void
on_save_clicked (SdRuleEditor *self)
{
  sd_rule_editor_save (self);
}

static void
sd_rule_editor_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), SD_TYPE_RULE_EDITOR);
  G_OBJECT_CLASS (sd_rule_editor_parent_class)->dispose (object);
}

static void
sd_rule_editor_finalize (GObject *object)
{
  SdRuleEditor *self = SD_RULE_EDITOR (object);

  g_clear_object (&self->copy);
  g_clear_pointer (&self->rule, json_node_unref);
  g_ptr_array_unref (self->bindings);
  g_free (self->error);
  g_free (self->sentence);
  G_OBJECT_CLASS (sd_rule_editor_parent_class)->finalize (object);
}

static void
sd_rule_editor_class_init (SdRuleEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sd_rule_editor_dispose;
  object_class->finalize = sd_rule_editor_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/sdelka/Sdelka/automation/sd-rule-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, SdRuleEditor, window_title);
  gtk_widget_class_bind_template_child (widget_class, SdRuleEditor, save_button);
  gtk_widget_class_bind_template_child (widget_class, SdRuleEditor, page);
  gtk_widget_class_bind_template_child (widget_class, SdRuleEditor, sentence_label);
  gtk_widget_class_bind_template_child (widget_class, SdRuleEditor, error_label);
  gtk_widget_class_bind_template_callback (widget_class, on_save_clicked);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
sd_rule_editor_init (SdRuleEditor *self)
{
  self->bindings = g_ptr_array_new_with_free_func ((GDestroyNotify) binding_free);
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
sd_rule_editor_new (SdPlaybookCopy *copy,
                    guint           stage,
                    SdRuleList      list,
                    int             index,
                    JsonNode       *rule)
{
  SdRuleEditor *self;
  const SdPlaybook *pb;

  g_return_val_if_fail (SD_IS_PLAYBOOK_COPY (copy), NULL);
  g_return_val_if_fail (rule != NULL && JSON_NODE_HOLDS_OBJECT (rule), NULL);
  pb = sd_playbook_copy_get_playbook (copy);
  g_return_val_if_fail (stage < sd_playbook_get_n_stages (pb), NULL);

  self = g_object_new (SD_TYPE_RULE_EDITOR, NULL);
  self->copy = g_object_ref (copy);
  self->stage = stage;
  self->list = list;
  self->index = index;
  self->rule = sd_json_deep_copy (rule);
  adw_window_title_set_title (self->window_title, index < 0 ? _("New Rule") : _("Edit Rule"));
  adw_window_title_set_subtitle (self->window_title,
                                 sd_playbook_text_get (sd_playbook_get_stage (pb, stage)->name,
                                                       NULL));
  build_form (self);
  return GTK_WIDGET (self);
}

const char *
sd_rule_editor_get_error (SdRuleEditor *self)
{
  g_return_val_if_fail (SD_IS_RULE_EDITOR (self), NULL);
  return self->error;
}

const char *
sd_rule_editor_get_sentence (SdRuleEditor *self)
{
  g_return_val_if_fail (SD_IS_RULE_EDITOR (self), NULL);
  return self->sentence;
}

gboolean
sd_rule_editor_save (SdRuleEditor *self)
{
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (SD_IS_RULE_EDITOR (self), FALSE);

  validate (self);
  if (self->error != NULL)
    return FALSE;
  if (!sd_playbook_copy_set_rule (self->copy, self->stage, self->list, self->index, self->rule,
                                  &error))
    {
      set_error (self, g_strdup (error->message));
      return FALSE;
    }
  gtk_window_close (GTK_WINDOW (self));
  return TRUE;
}

gboolean
sd_rule_editor_remove (SdRuleEditor *self)
{
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (SD_IS_RULE_EDITOR (self), FALSE);
  g_return_val_if_fail (self->index >= 0, FALSE);

  if (!sd_playbook_copy_remove_rule (self->copy, self->stage, self->list, (guint) self->index,
                                     &error))
    {
      set_error (self, g_strdup (error->message));
      return FALSE;
    }
  gtk_window_close (GTK_WINDOW (self));
  return TRUE;
}
