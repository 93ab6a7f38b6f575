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
  BIND_OPTIONAL,   /* a combo row over codes whose first, "", leaves the member out; shown
                    * only while the rule's "on" is @only_on */
  BIND_STAGES,     /* check rows over the stages; none leaves the member out */
  BIND_CONDITION,  /* the "when" form: all / any / none of comparisons, one level of groups */
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
  const char *only_on;   /* BIND_OPTIONAL: the event it belongs to */
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
  AdwPreferencesGroup *conditions;  /* the "when" form's group, or NULL */
  GPtrArray      *condition_rows;   /* its rows, to take out when it is drawn again */

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
  if (ADW_IS_PREFERENCES_GROUP (b->widget))
    return adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (b->widget));
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

static char *write_conditions (SdRuleEditor *self,
                               Binding      *b);

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

    case BIND_OPTIONAL:
      {
        guint selected = adw_combo_row_get_selected (ADW_COMBO_ROW (b->input));
        const char *on = json_object_get_string_member_with_default (json_node_get_object (self->rule),
                                                                     "on", "entered");
        gboolean shown = b->only_on == NULL || g_strcmp0 (on, b->only_on) == 0;

        gtk_widget_set_visible (b->widget, shown);
        if (!shown || selected == 0 || selected >= g_strv_length (b->codes))
          json_object_remove_member (b->target, b->member);
        else
          json_object_set_string_member (b->target, b->member, b->codes[selected]);
        return NULL;
      }

    case BIND_STAGES:
      {
        g_autoptr(JsonArray) stages = json_array_new ();
        g_autoptr(GString) said = g_string_new (NULL);

        for (guint i = 0; i < b->checks->len; i++)
          if (gtk_check_button_get_active (b->checks->pdata[i]))
            {
              json_array_add_string_element (stages, b->codes[i]);
              g_string_append_printf (said, "%s%s", said->len > 0 ? ", " : "",
                                      sd_playbook_text_get (sd_playbook_find_stage (pb, b->codes[i])->name,
                                                            NULL));
            }
        adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (b->widget),
                                       said->len > 0 ? said->str : _("Any earlier stage"));
        if (json_array_get_length (stages) == 0)
          json_object_remove_member (b->target, b->member);
        else
          json_object_set_array_member (b->target, b->member, g_steal_pointer (&stages));
        return NULL;
      }

    case BIND_CONDITION:
      return write_conditions (self, b);

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

/* ---- the condition form: all / any / none of comparisons, one level of groups ---- */

static const char *const condition_builtin_fields[] = {
  "title", "amount", "paid", "left_to_pay", "currency", "source", "stage", "comments",
  "next_contact_on", "measurement_at", "measurement_address", "responsible",
  "contact.name", "contact.first_name", "contact.last_name", "contact.client_type",
  "contact.priority", "contact.address", "contact.email", "contact.phone",
  "company.title", "company.inn", "company.address", "company.email", "company.phone", NULL
};
static const char *const condition_ops[] = {
  "set", "empty", "=", "!=", "<", "<=", ">", ">=", "in", "not_in", NULL
};
static const char *const condition_op_labels[] = {
  N_("is filled"), N_("is empty"), N_("is"), N_("is not"), N_("is under"), N_("is at most"),
  N_("is over"), N_("is at least"), N_("is one of"), N_("is none of"), NULL
};
static const char *const condition_modes[] = { "all", "any", "none", NULL };
static const char *const condition_mode_labels[] = {
  N_("All of these"), N_("Any of these"), N_("None of these"), NULL
};
static const char *const condition_file_kinds[] = {
  "photo", "document", "plan", "invoice", "act", "estimate", "contract", NULL
};
static const char *const condition_file_kind_labels[] = {
  N_("Photos"), N_("Documents"), N_("Plans"), N_("Invoices"), N_("Acts"), N_("Estimates"),
  N_("Contracts"), NULL
};

/* Fields a condition may compare: the deal's, its contact's and company's, the playbook's. */
static GStrv
condition_fields (const SdPlaybook *pb,
                  GStrv            *labels)
{
  GStrvBuilder *codes = g_strv_builder_new ();
  GStrvBuilder *names = g_strv_builder_new ();
  GStrv result;

  for (guint i = 0; condition_builtin_fields[i] != NULL; i++)
    {
      g_autofree char *label = sd_rule_field_label (pb, condition_builtin_fields[i]);

      g_strv_builder_add (codes, condition_builtin_fields[i]);
      g_strv_builder_add (names, label);
    }
  for (guint i = 0; i < sd_playbook_get_n_fields (pb); i++)
    {
      const SdPlaybookField *field = sd_playbook_get_field (pb, i);
      g_autofree char *code = g_strcmp0 (field->entity, "contact") == 0
                              ? g_strconcat ("contact.", field->code, NULL) : g_strdup (field->code);
      g_autofree char *label = sd_rule_field_label (pb, code);

      g_strv_builder_add (codes, code);
      g_strv_builder_add (names, label);
    }
  *labels = g_strv_builder_end (names);
  result = g_strv_builder_end (codes);
  g_strv_builder_unref (codes);
  g_strv_builder_unref (names);
  return result;
}

/* Whether a field's values are numbers: money, and the playbook's number fields. */
static gboolean
field_is_number (const SdPlaybook *pb,
                 const char       *code)
{
  if (sd_rule_field_is_money (code) || g_strcmp0 (code, "contact.priority") == 0)
    return TRUE;
  for (guint i = 0; i < sd_playbook_get_n_fields (pb); i++)
    {
      const SdPlaybookField *field = sd_playbook_get_field (pb, i);
      const char *bare = g_str_has_prefix (code, "contact.") ? code + strlen ("contact.") : code;

      if (g_strcmp0 (field->code, bare) == 0)
        return g_strcmp0 (field->kind, "number") == 0;
    }
  return FALSE;
}

static guint
index_of (const char *const *codes,
          const char        *code)
{
  for (guint i = 0; codes[i] != NULL; i++)
    if (g_strcmp0 (codes[i], code) == 0)
      return i;
  return GTK_INVALID_LIST_POSITION;
}

static gboolean
simple_condition (JsonNode *node)
{
  JsonObject *o;
  JsonNode *value;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;
  o = json_node_get_object (node);
  if (json_object_has_member (o, "files"))
    return json_object_get_size (o) <= 2 && (json_object_get_size (o) == 1
                                              || json_object_has_member (o, "at_least"));
  if (!json_object_has_member (o, "field") || !json_object_has_member (o, "op"))
    return FALSE;
  value = json_object_get_member (o, "value");
  return value == NULL || JSON_NODE_HOLDS_VALUE (value) || JSON_NODE_HOLDS_ARRAY (value);
}

/* The condition as a mode and its items, if the form can show it: FALSE otherwise (a role,
 * deeper nesting), and the rule keeps it as written. @depth 1 allows no more groups. */
static gboolean
split_condition (JsonNode    *node,
                 guint        depth,
                 const char **mode,
                 GPtrArray   *items)
{
  JsonObject *o;

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      *mode = "all";
      for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
        g_ptr_array_add (items, json_array_get_element (json_node_get_array (node), i));
    }
  else if (simple_condition (node))
    {
      *mode = "all";
      g_ptr_array_add (items, node);
    }
  else if (JSON_NODE_HOLDS_OBJECT (node) && json_object_get_size (o = json_node_get_object (node)) == 1
           && (json_object_has_member (o, "all") || json_object_has_member (o, "any")))
    {
      JsonNode *list = json_object_get_member (o, json_object_has_member (o, "all") ? "all" : "any");

      if (!JSON_NODE_HOLDS_ARRAY (list))
        return FALSE;
      *mode = json_object_has_member (o, "all") ? "all" : "any";
      for (guint i = 0; i < json_array_get_length (json_node_get_array (list)); i++)
        g_ptr_array_add (items, json_array_get_element (json_node_get_array (list), i));
    }
  else if (JSON_NODE_HOLDS_OBJECT (node) && json_object_get_size (o = json_node_get_object (node)) == 1
           && json_object_has_member (o, "not"))
    {
      JsonNode *child = json_object_get_member (o, "not");
      const char *inner = NULL;

      if (simple_condition (child))
        g_ptr_array_add (items, child);
      else if (!split_condition (child, depth, &inner, items) || g_strcmp0 (inner, "any") != 0)
        return FALSE;
      *mode = "none";
    }
  else
    return FALSE;

  for (guint i = 0; i < items->len; i++)
    {
      g_autoptr(GPtrArray) inner_items = g_ptr_array_new ();
      const char *inner = NULL;

      if (simple_condition (items->pdata[i]))
        continue;
      if (depth >= 1 || !split_condition (items->pdata[i], depth + 1, &inner, inner_items))
        return FALSE;
      for (guint j = 0; j < inner_items->len; j++)
        if (!simple_condition (inner_items->pdata[j]))
          return FALSE;
    }
  return TRUE;
}

static GtkWidget *
dropdown (const char *const *labels,
          guint              selected,
          const char        *accessible)
{
  GtkWidget *d = gtk_drop_down_new_from_strings (labels);

  if (selected != GTK_INVALID_LIST_POSITION)
    gtk_drop_down_set_selected (GTK_DROP_DOWN (d), selected);
  gtk_widget_set_valign (d, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (d), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
  return d;
}

static void draw_conditions (SdRuleEditor *self);
static void restructure (SdRuleEditor *self, GtkWidget *from, const char *what);

static void
on_condition_button (GtkButton    *button,
                     SdRuleEditor *self)
{
  restructure (self, GTK_WIDGET (button), g_object_get_data (G_OBJECT (button), "sd-what"));
}

static GtkWidget *
condition_button (SdRuleEditor *self,
                  const char   *icon,
                  const char   *label,
                  const char   *what)
{
  GtkWidget *button = icon != NULL ? gtk_button_new_from_icon_name (icon)
                                   : gtk_button_new_with_mnemonic (label);

  if (icon != NULL)
    {
      gtk_widget_set_tooltip_text (button, label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      label, -1);
      gtk_widget_add_css_class (button, "flat");
    }
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  g_object_set_data (G_OBJECT (button), "sd-what", (gpointer) what);
  g_signal_connect (button, "clicked", G_CALLBACK (on_condition_button), self);
  return button;
}

/* One comparison or file count: a row whose suffixes hold its parts. */
static GtkWidget *
condition_row (SdRuleEditor *self,
               JsonObject   *item)
{
  const SdPlaybook *pb = sd_playbook_copy_get_playbook (self->copy);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *remove = condition_button (self, "list-remove-symbolic", _("Remove the condition"),
                                        "remove");

  if (json_object_has_member (item, "files"))
    {
      g_auto(GStrv) kinds = translated (condition_file_kind_labels);
      GtkWidget *kind = dropdown ((const char *const *) kinds,
                                  index_of (condition_file_kinds,
                                            json_object_get_string_member_with_default (item, "files", "photo")),
                                  _("Files of the kind"));
      GtkWidget *count = gtk_entry_new ();
      g_autofree char *n = g_strdup_printf ("%" G_GINT64_FORMAT,
                                            json_object_get_int_member_with_default (item, "at_least", 1));

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("At least this many files"));
      gtk_editable_set_text (GTK_EDITABLE (count), n);
      gtk_editable_set_width_chars (GTK_EDITABLE (count), 4);
      gtk_widget_set_valign (count, GTK_ALIGN_CENTER);
      gtk_accessible_update_property (GTK_ACCESSIBLE (count), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("At least this many files"), -1);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), kind);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), count);
      g_object_set_data (G_OBJECT (row), "sd-kind", kind);
      g_object_set_data (G_OBJECT (row), "sd-count", count);
      g_object_set_data (G_OBJECT (row), "sd-cond", (gpointer) "files");
      g_signal_connect_swapped (kind, "notify::selected", G_CALLBACK (on_input_changed), self);
      g_signal_connect_swapped (count, "changed", G_CALLBACK (on_input_changed), self);
    }
  else
    {
      g_auto(GStrv) labels = NULL;
      g_auto(GStrv) codes = condition_fields (pb, &labels);
      g_auto(GStrv) ops = translated (condition_op_labels);
      const char *field_code = json_object_get_string_member_with_default (item, "field", "amount");
      guint field_index = index_of ((const char *const *) codes, field_code);
      GtkWidget *field = dropdown ((const char *const *) labels, field_index, _("Field"));
      GtkWidget *op = dropdown ((const char *const *) ops,
                                index_of (condition_ops,
                                          json_object_get_string_member_with_default (item, "op", "set")),
                                _("Comparison"));
      GtkWidget *value = gtk_entry_new ();
      JsonNode *v = json_object_get_member (item, "value");
      g_autofree char *text = NULL;

      if (v != NULL && JSON_NODE_HOLDS_ARRAY (v))
        {
          g_autoptr(GString) list = g_string_new (NULL);

          for (guint i = 0; i < json_array_get_length (json_node_get_array (v)); i++)
            g_string_append_printf (list, "%s%s", i > 0 ? ", " : "",
                                    json_array_get_string_element (json_node_get_array (v), i));
          text = g_strdup (list->str);
        }
      else if (v != NULL && JSON_NODE_HOLDS_VALUE (v) && json_node_get_value_type (v) == G_TYPE_INT64)
        text = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (v));
      else if (v != NULL && JSON_NODE_HOLDS_VALUE (v) && json_node_get_value_type (v) == G_TYPE_STRING)
        text = g_strdup (json_node_get_string (v));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Field"));
      gtk_editable_set_text (GTK_EDITABLE (value), text != NULL ? text : "");
      gtk_editable_set_width_chars (GTK_EDITABLE (value), 12);
      gtk_widget_set_valign (value, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (value, _("Several values are separated by commas"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (value), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Value"), -1);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), field);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), op);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), value);
      g_object_set_data (G_OBJECT (row), "sd-field", field);
      g_object_set_data_full (G_OBJECT (row), "sd-codes", g_steal_pointer (&codes),
                              (GDestroyNotify) g_strfreev);
      g_object_set_data (G_OBJECT (row), "sd-op", op);
      g_object_set_data (G_OBJECT (row), "sd-value", value);
      g_object_set_data (G_OBJECT (row), "sd-cond", (gpointer) "field");
      g_signal_connect_swapped (field, "notify::selected", G_CALLBACK (on_input_changed), self);
      g_signal_connect_swapped (op, "notify::selected", G_CALLBACK (on_input_changed), self);
      g_signal_connect_swapped (value, "changed", G_CALLBACK (on_input_changed), self);
    }
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
  return row;
}

/* A row's condition, and why it cannot be (or NULL). */
static JsonNode *
collect_row (SdRuleEditor *self,
             GtkWidget    *row,
             char        **why)
{
  const SdPlaybook *pb = sd_playbook_copy_get_playbook (self->copy);
  const char *cond = g_object_get_data (G_OBJECT (row), "sd-cond");
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  if (g_strcmp0 (cond, "files") == 0)
    {
      guint kind = gtk_drop_down_get_selected (g_object_get_data (G_OBJECT (row), "sd-kind"));
      g_autofree char *typed = g_strstrip (g_strdup (gtk_editable_get_text (g_object_get_data (G_OBJECT (row), "sd-count"))));
      gint64 n;

      json_builder_set_member_name (b, "files");
      json_builder_add_string_value (b, condition_file_kinds[MIN (kind, G_N_ELEMENTS (condition_file_kinds) - 2)]);
      if (!g_ascii_string_to_signed (typed, 10, 1, G_MAXINT32, &n, NULL))
        {
          n = 1;
          if (*why == NULL)
            *why = g_strdup (_("Write a whole number of files from 1"));
        }
      json_builder_set_member_name (b, "at_least");
      json_builder_add_int_value (b, n);
    }
  else if (g_strcmp0 (cond, "field") == 0)
    {
      GStrv codes = g_object_get_data (G_OBJECT (row), "sd-codes");
      guint field = gtk_drop_down_get_selected (g_object_get_data (G_OBJECT (row), "sd-field"));
      guint op = gtk_drop_down_get_selected (g_object_get_data (G_OBJECT (row), "sd-op"));
      g_autofree char *typed = g_strstrip (g_strdup (gtk_editable_get_text (g_object_get_data (G_OBJECT (row), "sd-value"))));
      const char *code = field < g_strv_length (codes) ? codes[field] : "amount";
      const char *op_code = condition_ops[MIN (op, G_N_ELEMENTS (condition_ops) - 2)];
      gboolean number = field_is_number (pb, code);

      gtk_widget_set_visible (g_object_get_data (G_OBJECT (row), "sd-value"),
                              !g_str_equal (op_code, "set") && !g_str_equal (op_code, "empty"));
      json_builder_set_member_name (b, "field");
      json_builder_add_string_value (b, code);
      json_builder_set_member_name (b, "op");
      json_builder_add_string_value (b, op_code);
      if (g_str_equal (op_code, "in") || g_str_equal (op_code, "not_in"))
        {
          g_auto(GStrv) parts = g_strsplit (typed, ",", -1);

          json_builder_set_member_name (b, "value");
          json_builder_begin_array (b);
          for (guint i = 0; parts[i] != NULL; i++)
            if (*g_strstrip (parts[i]) != '\0')
              json_builder_add_string_value (b, parts[i]);
          json_builder_end_array (b);
          if (*typed == '\0' && *why == NULL)
            *why = g_strdup (_("Write the values, separated by commas"));
        }
      else if (!g_str_equal (op_code, "set") && !g_str_equal (op_code, "empty"))
        {
          g_autoptr(GString) digits = g_string_new (NULL);
          gint64 n;

          /* People write thousands apart: "1 000 000". */
          for (const char *p = typed; *p != '\0'; p = g_utf8_next_char (p))
            if (!g_unichar_isspace (g_utf8_get_char (p)))
              g_string_append_unichar (digits, g_utf8_get_char (p));
          json_builder_set_member_name (b, "value");
          if (number && g_ascii_string_to_signed (digits->str, 10, G_MININT64 / 100, G_MAXINT64 / 100, &n, NULL))
            json_builder_add_int_value (b, n);
          else
            {
              json_builder_add_string_value (b, typed);
              if (*why == NULL && *typed == '\0')
                *why = g_strdup (_("Write the value to compare with"));
              else if (*why == NULL && number)
                *why = g_strdup_printf (_("“%s” is not a number"), typed);
            }
        }
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static const char *
mode_of (GtkWidget *dropdown_widget)
{
  guint mode = gtk_drop_down_get_selected (GTK_DROP_DOWN (dropdown_widget));

  return condition_modes[MIN (mode, G_N_ELEMENTS (condition_modes) - 2)];
}

/* all → {"all": […]}; any → {"any": […]}; none → {"not": {"any": […]}}; one item of "all"
 * stays itself. */
static JsonNode *
combine (const char *mode,
         GPtrArray  *items)
{
  JsonNode *list = json_node_new (JSON_NODE_ARRAY);
  JsonObject *o = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  if (g_str_equal (mode, "all") && items->len == 1)
    {
      json_node_unref (list);
      json_object_unref (o);
      json_node_unref (node);
      return json_node_ref (items->pdata[0]);
    }
  json_node_take_array (list, json_array_new ());
  for (guint i = 0; i < items->len; i++)
    json_array_add_element (json_node_get_array (list), json_node_ref (items->pdata[i]));
  if (g_str_equal (mode, "none"))
    {
      JsonObject *inner = json_object_new ();

      json_object_set_member (inner, "any", list);
      json_object_set_object_member (o, "not", inner);
    }
  else
    json_object_set_member (o, mode, list);
  json_node_take_object (node, o);
  return node;
}

/* The whole form as a condition (NULL: none), and the first thing wrong with it. */
static JsonNode *
collect_conditions (SdRuleEditor *self,
                    char        **why)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  GtkWidget *mode = NULL;

  for (guint i = 0; i < self->condition_rows->len; i++)
    {
      GtkWidget *row = self->condition_rows->pdata[i];
      const char *cond = g_object_get_data (G_OBJECT (row), "sd-cond");

      if (g_strcmp0 (cond, "mode") == 0)
        mode = g_object_get_data (G_OBJECT (row), "sd-mode");
      else if (g_strcmp0 (cond, "group") == 0)
        {
          GPtrArray *children = g_object_get_data (G_OBJECT (row), "sd-children");
          g_autoptr(GPtrArray) inner = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);

          for (guint j = 0; j < children->len; j++)
            g_ptr_array_add (inner, collect_row (self, children->pdata[j], why));
          if (inner->len == 0)
            {
              if (*why == NULL)
                *why = g_strdup (_("A group needs at least one condition"));
              continue;
            }
          g_ptr_array_add (items, combine (mode_of (g_object_get_data (G_OBJECT (row), "sd-mode")),
                                           inner));
        }
      else if (cond != NULL)
        g_ptr_array_add (items, collect_row (self, row, why));
    }
  if (items->len == 0)
    return NULL;
  return combine (mode != NULL ? mode_of (mode) : "all", items);
}

static char *
write_conditions (SdRuleEditor *self,
                  Binding      *b)
{
  char *why = NULL;
  JsonNode *when = collect_conditions (self, &why);

  if (when == NULL)
    json_object_remove_member (b->target, "when");
  else
    json_object_set_member (b->target, "when", when);
  return why;
}

static GtkWidget *
add_condition_row (SdRuleEditor *self,
                   GtkWidget    *row)
{
  adw_preferences_group_add (self->conditions, row);
  g_ptr_array_add (self->condition_rows, row);
  return row;
}

static void
draw_group_row (SdRuleEditor *self,
                const char   *mode,
                GPtrArray    *items)
{
  g_auto(GStrv) modes = translated (condition_mode_labels);
  GtkWidget *row = adw_expander_row_new ();
  GtkWidget *mode_dropdown = dropdown ((const char *const *) modes,
                                       index_of (condition_modes, mode), _("A group holds when"));
  GPtrArray *children = g_ptr_array_new ();
  GtkWidget *add_row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("A group of conditions"));
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row), TRUE);
  adw_expander_row_add_action (ADW_EXPANDER_ROW (row), mode_dropdown);
  adw_expander_row_add_action (ADW_EXPANDER_ROW (row),
                               condition_button (self, "list-remove-symbolic",
                                                 _("Remove the group"), "remove"));
  for (guint i = 0; i < items->len; i++)
    {
      GtkWidget *child = condition_row (self, json_node_get_object (items->pdata[i]));

      g_object_set_data (G_OBJECT (child), "sd-group", row);
      adw_expander_row_add_row (ADW_EXPANDER_ROW (row), child);
      g_ptr_array_add (children, child);
    }
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (add_row), _("Add to the group"));
  adw_action_row_add_suffix (ADW_ACTION_ROW (add_row),
                             condition_button (self, NULL, _("_Comparison"), "group-field"));
  adw_action_row_add_suffix (ADW_ACTION_ROW (add_row),
                             condition_button (self, NULL, _("_Files"), "group-files"));
  g_object_set_data (G_OBJECT (add_row), "sd-group", row);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (row), add_row);
  g_object_set_data (G_OBJECT (row), "sd-mode", mode_dropdown);
  g_object_set_data_full (G_OBJECT (row), "sd-children", children,
                          (GDestroyNotify) g_ptr_array_unref);
  g_object_set_data (G_OBJECT (row), "sd-cond", (gpointer) "group");
  g_signal_connect_swapped (mode_dropdown, "notify::selected", G_CALLBACK (on_input_changed), self);
  add_condition_row (self, row);
}

/* Draws the form from the rule's "when". */
static void
draw_conditions (SdRuleEditor *self)
{
  JsonObject *rule = json_node_get_object (self->rule);
  JsonNode *when = json_object_get_member (rule, "when");
  g_autoptr(GPtrArray) items = g_ptr_array_new ();
  g_auto(GStrv) modes = translated (condition_mode_labels);
  const char *mode = "all";
  GtkWidget *mode_row = adw_action_row_new ();
  GtkWidget *mode_dropdown;
  GtkWidget *add_row = adw_action_row_new ();

  for (guint i = 0; i < self->condition_rows->len; i++)
    adw_preferences_group_remove (self->conditions, self->condition_rows->pdata[i]);
  g_ptr_array_set_size (self->condition_rows, 0);
  if (when != NULL)
    split_condition (when, 0, &mode, items);

  mode_dropdown = dropdown ((const char *const *) modes, index_of (condition_modes, mode),
                            _("The rule acts when"));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (mode_row), _("Acts when"));
  adw_action_row_add_suffix (ADW_ACTION_ROW (mode_row), mode_dropdown);
  g_object_set_data (G_OBJECT (mode_row), "sd-mode", mode_dropdown);
  g_object_set_data (G_OBJECT (mode_row), "sd-cond", (gpointer) "mode");
  g_signal_connect_swapped (mode_dropdown, "notify::selected", G_CALLBACK (on_input_changed), self);
  add_condition_row (self, mode_row);
  gtk_widget_set_visible (mode_row, items->len > 0);

  for (guint i = 0; i < items->len; i++)
    {
      g_autoptr(GPtrArray) inner = g_ptr_array_new ();
      const char *inner_mode = "all";

      if (simple_condition (items->pdata[i]))
        add_condition_row (self, condition_row (self, json_node_get_object (items->pdata[i])));
      else if (split_condition (items->pdata[i], 1, &inner_mode, inner))
        draw_group_row (self, inner_mode, inner);
    }

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (add_row), _("Add a condition"));
  adw_action_row_add_suffix (ADW_ACTION_ROW (add_row),
                             condition_button (self, NULL, _("C_omparison"), "field"));
  adw_action_row_add_suffix (ADW_ACTION_ROW (add_row),
                             condition_button (self, NULL, _("F_iles"), "files"));
  adw_action_row_add_suffix (ADW_ACTION_ROW (add_row),
                             condition_button (self, NULL, _("_Group"), "group"));
  add_condition_row (self, add_row);
}

static JsonNode *
new_item (const char *what)
{
  return json_from_string (g_str_has_suffix (what, "files") ? "{\"files\": \"photo\", \"at_least\": 1}"
                                                            : "{\"field\": \"amount\", \"op\": \"set\"}",
                           NULL);
}

/* Adds or removes an item: the form is written into the rule, changed there, and drawn
 * again from it. */
static void
restructure (SdRuleEditor *self,
             GtkWidget    *from,
             const char   *what)
{
  JsonObject *rule = json_node_get_object (self->rule);
  GtkWidget *row = gtk_widget_get_ancestor (from, ADW_TYPE_PREFERENCES_ROW);
  GtkWidget *group = row != NULL ? g_object_get_data (G_OBJECT (row), "sd-group") : NULL;
  g_autofree char *why = NULL;
  JsonNode *when;

  /* A remove button sits in its own row; a group's is in the group's header. */
  if (g_str_equal (what, "remove") && row != NULL && g_object_get_data (G_OBJECT (row), "sd-cond") == NULL)
    row = gtk_widget_get_ancestor (gtk_widget_get_parent (row), ADW_TYPE_PREFERENCES_ROW);

  if (g_str_equal (what, "remove"))
    {
      GPtrArray *children = group != NULL ? g_object_get_data (G_OBJECT (group), "sd-children") : NULL;

      if (children != NULL)
        g_ptr_array_remove (children, row);
      else
        g_ptr_array_remove (self->condition_rows, row);
      /* Taken out of the list, not yet out of the group: drawn again below. */
      if (children == NULL)
        adw_preferences_group_remove (self->conditions, row);
    }
  when = collect_conditions (self, &why);
  if (g_str_equal (what, "field") || g_str_equal (what, "files") || g_str_equal (what, "group"))
    {
      g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
      g_autoptr(GPtrArray) plain = g_ptr_array_new ();
      const char *mode = "all";

      if (when != NULL)
        split_condition (when, 0, &mode, plain);
      for (guint i = 0; i < plain->len; i++)
        g_ptr_array_add (items, json_node_ref (plain->pdata[i]));
      if (g_str_equal (what, "group"))
        {
          g_autoptr(GPtrArray) one = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);

          g_ptr_array_add (one, new_item ("field"));
          g_ptr_array_add (one, new_item ("field"));
          g_ptr_array_add (items, combine ("any", one));
        }
      else
        g_ptr_array_add (items, new_item (what));
      if (when != NULL)
        json_node_unref (when);
      when = combine (mode, items);
      /* A single item kept as itself loses the mode: keep it when it is not "all". */
    }
  else if (g_str_has_prefix (what, "group-") && group != NULL)
    {
      GPtrArray *children = g_object_get_data (G_OBJECT (group), "sd-children");
      GtkWidget *child = condition_row (self, json_node_get_object (new_item (what)));

      g_object_set_data (G_OBJECT (child), "sd-group", group);
      g_ptr_array_add (children, child);
      if (when != NULL)
        json_node_unref (when);
      when = collect_conditions (self, &why);
    }
  if (when == NULL)
    json_object_remove_member (rule, "when");
  else
    json_object_set_member (rule, "when", when);
  draw_conditions (self);
  validate (self);
}

static void
add_conditions_form (SdRuleEditor *self,
                     const SdRule *parsed)
{
  JsonObject *rule = json_node_get_object (self->rule);
  JsonNode *when = json_object_get_member (rule, "when");
  g_autoptr(GPtrArray) items = g_ptr_array_new ();
  const char *mode;

  /* What the form cannot show (a role, deeper groups) is kept as written, and read. */
  if (when != NULL && !split_condition (when, 0, &mode, items))
    {
      AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
      g_autofree char *sentence = parsed != NULL && parsed->when != NULL
                                  ? sd_condition_sentence (sd_playbook_copy_get_playbook (self->copy),
                                                           parsed->when) : NULL;
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_page_add (self->page, group);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Only if"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), sentence != NULL ? sentence : "");
      adw_preferences_group_add (group, row);
      return;
    }
  self->conditions = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (self->conditions, _("Conditions"));
  adw_preferences_group_set_description (self->conditions,
                                         _("The rule acts only when these hold; none: always"));
  adw_preferences_page_add (self->page, self->conditions);
  bind (self, BIND_CONDITION, rule, "when", GTK_WIDGET (self->conditions), NULL);
  draw_conditions (self);
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

static const char *const trigger_events[] = {
  "created", "form_received", "field_changed", "file_attached", "payment_added",
  "approval_given", "converted", "assigned", NULL
};
static const char *const trigger_event_labels[] = {
  N_("A deal is created"), N_("A form is received"), N_("A field changes"),
  N_("A file is attached"), N_("A payment is added"), N_("The deal is approved"),
  N_("A lead is converted into it"), N_("The responsible is chosen by hand"), NULL
};

/* When the rule acts: its event, the field or file kind the event is about, and for a
 * trigger the stages it moves deals from. */
static void
add_event (SdRuleEditor        *self,
           AdwPreferencesGroup *group,
           JsonObject          *rule)
{
  const SdPlaybook *pb = sd_playbook_copy_get_playbook (self->copy);
  gboolean robot = self->list == SD_RULE_LIST_ROBOTS;
  GStrvBuilder *codes = g_strv_builder_new ();
  GStrvBuilder *labels = g_strv_builder_new ();
  g_auto(GStrv) label_list = NULL;
  g_auto(GStrv) field_labels = NULL;
  g_auto(GStrv) field_codes = NULL;
  GStrvBuilder *optional_codes, *optional_labels;
  g_auto(GStrv) optional_label_list = NULL;
  GtkWidget *row;
  Binding *b;

  /* A robot acts on entering the stage unless it listens to an event. */
  if (robot)
    {
      g_strv_builder_add (codes, "entered");
      g_strv_builder_add (labels, _("The deal enters the stage"));
    }
  for (guint i = 0; trigger_events[i] != NULL; i++)
    {
      g_strv_builder_add (codes, trigger_events[i]);
      g_strv_builder_add (labels, _(trigger_event_labels[i]));
    }
  label_list = g_strv_builder_end (labels);
  if (robot && !json_object_has_member (rule, "on"))
    json_object_set_string_member (rule, "on", "entered");
  add_choice (self, group, rule, "on", _("When"), g_strv_builder_end (codes),
              (const char *const *) label_list);
  g_strv_builder_unref (codes);
  g_strv_builder_unref (labels);

  /* Which field: any, or one of them. */
  field_codes = condition_fields (pb, &field_labels);
  optional_codes = g_strv_builder_new ();
  optional_labels = g_strv_builder_new ();
  g_strv_builder_add (optional_codes, "");
  g_strv_builder_add (optional_labels, _("Any field"));
  g_strv_builder_addv (optional_codes, (const char **) field_codes);
  g_strv_builder_addv (optional_labels, (const char **) field_labels);
  optional_label_list = g_strv_builder_end (optional_labels);
  row = adw_combo_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Which field"));
  adw_combo_row_set_model (ADW_COMBO_ROW (row),
                           G_LIST_MODEL (gtk_string_list_new ((const char *const *) optional_label_list)));
  g_object_unref (adw_combo_row_get_model (ADW_COMBO_ROW (row)));
  b = bind (self, BIND_OPTIONAL, rule, "field", row, row);
  b->codes = g_strv_builder_end (optional_codes);
  b->only_on = "field_changed";
  adw_combo_row_set_selected (ADW_COMBO_ROW (row),
                              MAX (index_of ((const char *const *) b->codes,
                                             json_object_get_string_member_with_default (rule, "field", "")), 0));
  if (index_of ((const char *const *) b->codes,
                json_object_get_string_member_with_default (rule, "field", "")) == GTK_INVALID_LIST_POSITION)
    adw_combo_row_set_selected (ADW_COMBO_ROW (row), 0);
  adw_preferences_group_add (group, row);
  g_signal_connect_swapped (row, "notify::selected", G_CALLBACK (on_input_changed), self);
  g_strv_builder_unref (optional_codes);
  g_strv_builder_unref (optional_labels);

  /* Which kind of file: any, or one. */
  {
    g_auto(GStrv) kinds = translated (condition_file_kind_labels);
    GStrvBuilder *kind_codes = g_strv_builder_new ();
    GStrvBuilder *kind_labels = g_strv_builder_new ();
    g_auto(GStrv) kind_label_list = NULL;
    guint at;

    g_strv_builder_add (kind_codes, "");
    g_strv_builder_add (kind_labels, _("Any file"));
    g_strv_builder_addv (kind_codes, (const char **) condition_file_kinds);
    g_strv_builder_addv (kind_labels, (const char **) kinds);
    kind_label_list = g_strv_builder_end (kind_labels);
    row = adw_combo_row_new ();
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Which files"));
    adw_combo_row_set_model (ADW_COMBO_ROW (row),
                             G_LIST_MODEL (gtk_string_list_new ((const char *const *) kind_label_list)));
    g_object_unref (adw_combo_row_get_model (ADW_COMBO_ROW (row)));
    b = bind (self, BIND_OPTIONAL, rule, "file_kind", row, row);
    b->codes = g_strv_builder_end (kind_codes);
    b->only_on = "file_attached";
    at = index_of ((const char *const *) b->codes,
                   json_object_get_string_member_with_default (rule, "file_kind", ""));
    adw_combo_row_set_selected (ADW_COMBO_ROW (row), at == GTK_INVALID_LIST_POSITION ? 0 : at);
    adw_preferences_group_add (group, row);
    g_signal_connect_swapped (row, "notify::selected", G_CALLBACK (on_input_changed), self);
    g_strv_builder_unref (kind_codes);
    g_strv_builder_unref (kind_labels);
  }

  /* A trigger's stages to move from: ticked, none meaning every earlier stage. */
  if (self->list == SD_RULE_LIST_TRIGGERS)
    {
      JsonNode *from = json_object_get_member (rule, "from");
      GtkWidget *expander = adw_expander_row_new ();
      GStrvBuilder *stage_list = g_strv_builder_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (expander), _("Moves deals from"));
      b = bind (self, BIND_STAGES, rule, "from", expander, expander);
      b->checks = g_ptr_array_new ();
      for (guint i = 0; i < sd_playbook_get_n_stages (pb); i++)
        {
          const SdPlaybookStage *stage = sd_playbook_get_stage (pb, i);
          const char *name = sd_playbook_text_get (stage->name, NULL);
          GtkWidget *stage_row = adw_action_row_new ();
          GtkWidget *check = gtk_check_button_new ();
          gboolean on = FALSE;

          if (i == self->stage)
            continue;
          if (from != NULL && JSON_NODE_HOLDS_ARRAY (from))
            for (guint j = 0; j < json_array_get_length (json_node_get_array (from)); j++)
              on |= g_strcmp0 (json_array_get_string_element (json_node_get_array (from), j),
                               stage->code) == 0;
          g_strv_builder_add (stage_list, stage->code);
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (stage_row), name);
          gtk_check_button_set_active (GTK_CHECK_BUTTON (check), on);
          gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                          name, -1);
          adw_action_row_add_prefix (ADW_ACTION_ROW (stage_row), check);
          adw_action_row_set_activatable_widget (ADW_ACTION_ROW (stage_row), check);
          adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), stage_row);
          g_ptr_array_add (b->checks, check);
          g_signal_connect_swapped (check, "toggled", G_CALLBACK (on_input_changed), self);
        }
      b->codes = g_strv_builder_end (stage_list);
      g_strv_builder_unref (stage_list);
      adw_preferences_group_add (group, expander);
    }
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
  /* A rule written without a name (the timeline then shows its code) may stay so. */
  add_text_entry (self, group, rule, "name", _("Name"), FALSE, json_object_has_member (rule, "name"));
  add_switch (self, group, rule, "enabled", _("On"), TRUE);

  if (self->list == SD_RULE_LIST_GUARDS)
    add_text_entry (self, group, rule, "message", _("Said when it refuses"), FALSE, TRUE);
  else
    add_event (self, group, rule);
  if (self->list == SD_RULE_LIST_ROBOTS)
    {
      const char *on = json_object_get_string_member_with_default (rule, "on", "entered");

      add_duration (self, group, rule, "delay", _("Wait before acting (like 1d)"), FALSE);
      if (g_str_equal (on, "entered"))
        add_duration (self, group, rule, "repeat", _("Repeat while in the stage every (like 2d)"),
                      FALSE);
    }
  add_conditions_form (self, parsed);

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
  g_ptr_array_unref (self->condition_rows);
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
  self->condition_rows = g_ptr_array_new ();
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
