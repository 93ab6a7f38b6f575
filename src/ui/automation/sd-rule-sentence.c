/* sd-rule-sentence.c: playbook rules told as sentences.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-rule-sentence"

#include "config.h"

#include "sd-rule-sentence.h"

#include <glib/gi18n.h>
#include <string.h>

typedef struct
{
  const char *code;
  const char *label;
} Label;

/* Kept in step with the fields sd-rule-parse.c knows, in the order a picker shows them. */
static const Label field_labels[] = {
  { "deal", N_("the deal's title") },
  { "title", N_("the title") },
  { "amount", N_("the amount") },
  { "paid", N_("the amount paid") },
  { "left_to_pay", N_("the amount left to pay") },
  { "currency", N_("the currency") },
  { "source", N_("the source") },
  { "stage", N_("the stage") },
  { "stage_name", N_("the stage's name") },
  { "comments", N_("the comments") },
  { "next_contact_on", N_("the next contact date") },
  { "measurement_at", N_("the measurement time") },
  { "measurement_address", N_("the measurement address") },
  { "responsible", N_("the responsible") },
  { "head", N_("the responsible's head") },
  { "actor", N_("who caused it") },
  { "contact", N_("the client") },
  { "contact.name", N_("the client's name") },
  { "contact.first_name", N_("the client's first name") },
  { "contact.last_name", N_("the client's last name") },
  { "contact.client_type", N_("the client type") },
  { "contact.priority", N_("the client's priority") },
  { "contact.address", N_("the client's address") },
  { "contact.email", N_("the client's e-mail") },
  { "contact.phone", N_("the client's phone") },
  { "company", N_("the company") },
  { "company.title", N_("the company's name") },
  { "company.inn", N_("the company's INN") },
  { "company.address", N_("the company's address") },
  { "company.email", N_("the company's e-mail") },
  { "company.phone", N_("the company's phone") },
  { "invoice_link", N_("the invoice link") },
};

static const Label file_kind_labels[] = {
  { "photo", N_("photo") },
  { "document", N_("document") },
  { "plan", N_("plan") },
  { "invoice", N_("invoice") },
  { "act", N_("act") },
  { "estimate", N_("estimate") },
  { "contract", N_("contract") },
};

static const Label channel_labels[] = {
  { "app", N_("in the app") },
  { "email", N_("by e-mail") },
  { "sms", N_("by SMS") },
  { "messenger", N_("by messenger") },
  { "preferred", N_("the way they chose") },
};

static const char *
find_label (const Label *labels,
            gsize        n,
            const char  *code)
{
  for (gsize i = 0; i < n; i++)
    if (g_strcmp0 (labels[i].code, code) == 0)
      return _(labels[i].label);
  return code;
}

/* A name in the sentence's quotes: “…” in English, «…» in Russian. */
static char *
quoted (const char *name)
{
  /* TRANSLATORS: quotes around a name in a rule's sentence */
  return g_strdup_printf (_("“%s”"), name);
}

static const char *
text_of (const SdPlaybookText *text,
         const char           *fallback)
{
  return text != NULL ? sd_playbook_text_get (text, NULL) : fallback;
}

char *
sd_rule_field_label (const SdPlaybook *pb,
                     const char       *field)
{
  const char *own = field;

  g_return_val_if_fail (field != NULL, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (field_labels); i++)
    if (strcmp (field_labels[i].code, field) == 0)
      return g_strdup (_(field_labels[i].label));
  if (g_str_has_prefix (field, "contact."))
    own = field + strlen ("contact.");
  for (guint i = 0; pb != NULL && i < sd_playbook_get_n_fields (pb); i++)
    {
      const SdPlaybookField *f = sd_playbook_get_field (pb, i);

      if (strcmp (f->code, own) == 0
          && (own == field) == (g_strcmp0 (f->entity, "contact") != 0))
        return quoted (sd_playbook_text_get (f->name, NULL));
    }
  return g_strdup (field);
}

static const char *
stage_name (const SdPlaybook *pb,
            const char       *code)
{
  const SdPlaybookStage *stage = pb != NULL ? sd_playbook_find_stage (pb, code) : NULL;

  return stage != NULL ? sd_playbook_text_get (stage->name, NULL) : code;
}

static const char *
role_name (const SdPlaybook *pb,
           const char       *code)
{
  for (guint i = 0; pb != NULL && i < sd_playbook_get_n_roles (pb); i++)
    {
      const SdPlaybookRole *role = sd_playbook_get_role (pb, i);

      if (strcmp (role->code, code) == 0)
        return sd_playbook_text_get (role->name, NULL);
    }
  return code;
}

char *
sd_rule_person_label (const SdPlaybook *pb,
                      const char       *person)
{
  g_return_val_if_fail (person != NULL, NULL);

  if (strcmp (person, "responsible") == 0)
    return g_strdup (_("the responsible"));
  if (strcmp (person, "head") == 0)
    return g_strdup (_("their head"));
  if (strcmp (person, "head_chain") == 0)
    return g_strdup (_("every head up the chain"));
  if (strcmp (person, "actor") == 0)
    return g_strdup (_("whoever caused it"));
  if (g_str_has_prefix (person, "role:"))
    /* TRANSLATORS: %s is a role, e.g. "Head" */
    return g_strdup_printf (_("each %s"), role_name (pb, person + strlen ("role:")));
  if (g_str_has_prefix (person, "user:"))
    return g_strdup (person + strlen ("user:"));
  return g_strdup (person);
}

static char *
people (const SdPlaybook   *pb,
        const char * const *list,
        const char         *fallback)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (list == NULL || list[0] == NULL)
    return g_strdup (fallback);
  for (guint i = 0; list[i] != NULL; i++)
    {
      g_autofree char *label = sd_rule_person_label (pb, list[i]);

      if (i > 0)
        g_string_append (text, list[i + 1] == NULL ? _(" and ") : ", ");
      g_string_append (text, label);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

char *
sd_number_describe (gint64 number)
{
  g_autofree char *digits = g_strdup_printf ("%" G_GINT64_FORMAT, number);
  GString *text = g_string_new (NULL);
  gsize start = digits[0] == '-' ? 1 : 0;
  gsize n = strlen (digits) - start;

  g_string_append_len (text, digits, start);
  for (gsize i = 0; i < n; i++)
    {
      /* A no-break space, so an amount never breaks across lines. */
      if (i > 0 && (n - i) % 3 == 0)
        g_string_append (text, "\u00a0");
      g_string_append_c (text, digits[start + i]);
    }
  return g_string_free (text, FALSE);
}

char *
sd_duration_describe (gint64 seconds)
{
  const gint64 year = 365 * 86400, week = 7 * 86400, day = 86400, hour = 3600;

  /* The largest unit that divides it: "2 weeks", not "14 days". */
  if (seconds >= year && seconds % year == 0)
    {
      int n = (int) (seconds / year);
      return g_strdup_printf (ngettext ("%d year", "%d years", n), n);
    }
  if (seconds >= week && seconds % week == 0)
    {
      int n = (int) (seconds / week);
      return g_strdup_printf (ngettext ("%d week", "%d weeks", n), n);
    }
  if (seconds >= day && seconds % day == 0)
    {
      int n = (int) (seconds / day);
      return g_strdup_printf (ngettext ("%d day", "%d days", n), n);
    }
  if (seconds >= hour && seconds % hour == 0)
    {
      int n = (int) (seconds / hour);
      return g_strdup_printf (ngettext ("%d hour", "%d hours", n), n);
    }
  {
    int n = (int) (seconds / 60);
    return g_strdup_printf (ngettext ("%d minute", "%d minutes", n), n);
  }
}

/* What people call a list field's option: its label, else the code as written. */
static const char *
option_label (const SdPlaybook *pb,
              const char       *field,
              const char       *code)
{
  const char *own = g_str_has_prefix (field, "contact.") ? field + strlen ("contact.") : field;

  for (guint i = 0; i < sd_playbook_get_n_fields (pb); i++)
    {
      const SdPlaybookField *f = sd_playbook_get_field (pb, i);

      if (strcmp (f->code, own) != 0)
        continue;
      for (guint o = 0; o < f->options->len; o++)
        {
          const SdPlaybookOption *option = f->options->pdata[o];

          if (g_strcmp0 (option->code, code) == 0)
            return sd_playbook_text_get (option->label, NULL);
        }
    }
  return code;
}

static char *
value_text (const SdPlaybook  *pb,
            const SdCondition *c)
{
  if (c->numeric && sd_rule_field_is_money (c->field))
    {
      g_autofree char *roubles = sd_number_describe (c->number / 100);

      return g_strdup_printf ("%s %s", roubles,
                              g_strcmp0 (sd_playbook_get_currency (pb), "RUB") == 0
                              ? "₽" : sd_playbook_get_currency (pb));
    }
  if (c->numeric)
    return sd_number_describe (c->number);
  if (c->list != NULL)
    {
      g_autoptr(GString) text = g_string_new (NULL);

      for (guint i = 0; c->list[i] != NULL; i++)
        {
          g_autofree char *option = quoted (option_label (pb, c->field, c->list[i]));

          g_string_append_printf (text, "%s%s", i > 0 ? ", " : "", option);
        }
      return g_string_free (g_steal_pointer (&text), FALSE);
    }
  return quoted (c->text != NULL ? option_label (pb, c->field, c->text) : "");
}

char *
sd_condition_sentence (const SdPlaybook  *pb,
                       const SdCondition *c)
{
  g_return_val_if_fail (c != NULL, NULL);

  switch (c->kind)
    {
    case SD_CONDITION_ALL:
    case SD_CONDITION_ANY:
      {
        g_autoptr(GString) text = g_string_new (NULL);

        for (guint i = 0; i < c->children->len; i++)
          {
            g_autofree char *part = sd_condition_sentence (pb, c->children->pdata[i]);

            if (i > 0)
              g_string_append (text, c->kind == SD_CONDITION_ALL ? _(" and ") : _(" or "));
            g_string_append (text, part);
          }
        return g_string_free (g_steal_pointer (&text), FALSE);
      }

    case SD_CONDITION_NOT:
      {
        g_autofree char *part = sd_condition_sentence (pb, c->children->pdata[0]);

        return g_strdup_printf (_("not (%s)"), part);
      }

    case SD_CONDITION_FILES:
      return g_strdup_printf (ngettext ("at least %d %s file", "at least %d %s files",
                                        (gulong) c->at_least),
                              (int) c->at_least,
                              find_label (file_kind_labels, G_N_ELEMENTS (file_kind_labels),
                                          c->file_kind));

    case SD_CONDITION_ROLE:
      {
        g_autoptr(GString) roles = g_string_new (NULL);

        for (guint i = 0; c->roles[i] != NULL; i++)
          {
            if (i > 0)
              g_string_append (roles, _(" or "));
            g_string_append (roles, role_name (pb, c->roles[i]));
          }
        return g_strdup_printf (_("done by %s"), roles->str);
      }

    case SD_CONDITION_FIELD:
    default:
      {
        g_autofree char *field = sd_rule_field_label (pb, c->field);
        g_autofree char *value = value_text (pb, c);

        switch (c->op)
          {
          case SD_OP_SET:
            return g_strdup_printf (_("%s is set"), field);
          case SD_OP_EMPTY:
            return g_strdup_printf (_("%s is empty"), field);
          case SD_OP_EQ:
            return g_strdup_printf (_("%s is %s"), field, value);
          case SD_OP_NE:
            return g_strdup_printf (_("%s is not %s"), field, value);
          case SD_OP_LT:
            return g_strdup_printf (_("%s is under %s"), field, value);
          case SD_OP_LE:
            return g_strdup_printf (_("%s is at most %s"), field, value);
          case SD_OP_GT:
            return g_strdup_printf (_("%s is over %s"), field, value);
          case SD_OP_GE:
            return g_strdup_printf (_("%s is at least %s"), field, value);
          case SD_OP_IN:
            return g_strdup_printf (_("%s is one of %s"), field, value);
          case SD_OP_NOT_IN:
          default:
            return g_strdup_printf (_("%s is none of %s"), field, value);
          }
      }
    }
}

static char *
event_sentence (const SdPlaybook *pb,
                const SdRule     *rule)
{
  switch (rule->on)
    {
    case SD_EVENT_CREATED:
      return g_strdup (_("When a deal is created"));
    case SD_EVENT_FORM_RECEIVED:
      return g_strdup (_("When a form is received"));
    case SD_EVENT_FIELD_CHANGED:
      {
        g_autofree char *field = NULL;

        if (rule->on_field == NULL)
          return g_strdup (_("When a field changes"));
        field = sd_rule_field_label (pb, rule->on_field);
        /* "changes, if it is set" reads better as one thing. */
        if (rule->when != NULL && rule->when->kind == SD_CONDITION_FIELD
            && rule->when->op == SD_OP_SET && g_strcmp0 (rule->when->field, rule->on_field) == 0)
          return g_strdup_printf (_("When %s is set"), field);
        return g_strdup_printf (_("When %s changes"), field);
      }
    case SD_EVENT_FILE_ATTACHED:
      if (rule->on_file_kind == NULL)
        return g_strdup (_("When a file is attached"));
      /* TRANSLATORS: %s is a kind of file, e.g. "photo" */
      return g_strdup_printf (_("When a %s is attached"),
                              find_label (file_kind_labels, G_N_ELEMENTS (file_kind_labels),
                                          rule->on_file_kind));
    case SD_EVENT_PAYMENT_ADDED:
      return g_strdup (_("When a payment is made"));
    case SD_EVENT_APPROVAL_GIVEN:
      return g_strdup (_("When the deal is approved"));
    case SD_EVENT_CONVERTED:
      return g_strdup (_("When a lead becomes this deal"));
    case SD_EVENT_ASSIGNED:
      return g_strdup (_("When someone assigns the responsible"));
    case SD_EVENT_ENTERED:
    case SD_EVENT_TIMER:
    case SD_N_EVENTS:
    default:
      return g_strdup (_("On entering the stage"));
    }
}

static char *
channels_text (const char * const *channels)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; channels != NULL && channels[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append (text, ", ");
      g_string_append (text, find_label (channel_labels, G_N_ELEMENTS (channel_labels),
                                         channels[i]));
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static char *
action_sentence (const SdPlaybook   *pb,
                 const SdRuleAction *a)
{
  switch (a->kind)
    {
    case SD_ACTION_NOTIFY:
      {
        g_autofree char *to = people (pb, (const char * const *) a->to, _("the responsible"));
        g_autofree char *how = channels_text ((const char * const *) a->channels);

        if (*how == '\0')
          return g_strdup_printf (_("notify %s"), to);
        /* TRANSLATORS: "notify the responsible and their head by e-mail, by SMS" */
        return g_strdup_printf (_("notify %s %s"), to, how);
      }
    case SD_ACTION_MESSAGE_CLIENT:
      {
        g_autofree char *how = channels_text ((const char * const *) a->channels);

        return g_strdup_printf (_("message the client %s"), *how != '\0' ? how : _("by e-mail"));
      }
    case SD_ACTION_CREATE_TASK:
      {
        g_autofree char *to = people (pb, (const char * const *) a->to, _("the responsible"));
        const char *title = text_of (a->subject, _("a task"));

        if (a->deadline > 0)
          {
            g_autofree char *due = sd_duration_describe (a->deadline);

            return g_strdup_printf (_("give %s the task “%s”, due in %s"), to, title, due);
          }
        return g_strdup_printf (_("give %s the task “%s”"), to, title);
      }
    case SD_ACTION_SET_FIELD:
      {
        g_autofree char *field = sd_rule_field_label (pb, a->field);

        return g_strdup_printf (_("set %s to “%s”"), field, a->value != NULL ? a->value : "");
      }
    case SD_ACTION_MOVE:
      return g_strdup_printf (_("move to %s"), stage_name (pb, a->stage));
    case SD_ACTION_ASSIGN:
      {
        g_autofree char *to = people (pb, (const char * const *) a->to, _("the responsible"));

        return g_strdup_printf (_("hand the deal to %s"), to);
      }
    case SD_ACTION_DISTRIBUTE:
      return g_strdup_printf (_("distribute the deal among everyone with the role “%s”, by load and plan"),
                              role_name (pb, a->role));
    case SD_ACTION_CREATE_DOCUMENT:
      return g_strdup_printf (_("make the %s"),
                              find_label (file_kind_labels, G_N_ELEMENTS (file_kind_labels),
                                          a->document));
    case SD_ACTION_POST_FEED:
      if (a->as != NULL || a->to != NULL)
        {
          const char *const as[] = { a->as, NULL };
          g_autofree char *author = a->as != NULL ? people (pb, as, NULL) : NULL;
          g_autofree char *readers = a->to != NULL ? people (pb, (const char * const *) a->to, NULL)
                                                   : NULL;

          if (author != NULL && readers != NULL)
            return g_strdup_printf (_("post in the company feed in the name of %s, for %s"),
                                    author, readers);
          if (author != NULL)
            return g_strdup_printf (_("post in the company feed in the name of %s"), author);
          return g_strdup_printf (_("post in the company feed for %s"), readers);
        }
      return g_strdup (_("post in the company feed"));
    case SD_ACTION_FOLLOW_UP:
    default:
      {
        g_autofree char *after = sd_duration_describe (a->after);

        return g_strdup_printf (_("call again in %s"), after);
      }
    }
}

char *
sd_rule_sentence (const SdPlaybook *pb,
                  const SdRule     *rule)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *when = rule->when != NULL ? sd_condition_sentence (pb, rule->when) : NULL;

  g_return_val_if_fail (rule != NULL, NULL);

  switch (rule->kind)
    {
    case SD_RULE_GUARD:
      g_string_printf (text, _("Enter only if %s"), when != NULL ? when : _("always"));
      if (rule->message != NULL)
        g_string_append_printf (text, _(", else say “%s”"), text_of (rule->message, ""));
      break;

    case SD_RULE_TRIGGER:
      {
        g_autofree char *event = event_sentence (pb, rule);
        gboolean said = rule->on == SD_EVENT_FIELD_CHANGED && rule->when != NULL
                        && rule->when->kind == SD_CONDITION_FIELD && rule->when->op == SD_OP_SET
                        && g_strcmp0 (rule->when->field, rule->on_field) == 0;

        g_string_append (text, event);
        if (rule->from != NULL && rule->from[0] != NULL)
          {
            g_autoptr(GString) from = g_string_new (NULL);

            for (guint i = 0; rule->from[i] != NULL; i++)
              {
                if (i > 0)
                  g_string_append (from, _(" or "));
                g_string_append (from, stage_name (pb, rule->from[i]));
              }
            g_string_append_printf (text, _(" at %s"), from->str);
          }
        if (when != NULL && !said)
          g_string_append_printf (text, _(", if %s"), when);
        {
          g_autofree char *moved = g_strdup_printf (_("move to %s"),
                                                    stage_name (pb, rule->stage));

          g_string_append_printf (text, " → %s", moved);
        }
        break;
      }

    case SD_RULE_ROBOT:
    default:
      {
        if (rule->on == SD_EVENT_ENTERED && rule->repeat > 0)
          {
            g_autofree char *every = sd_duration_describe (rule->repeat);

            g_string_printf (text, _("Every %s in the stage"), every);
          }
        else if (rule->on == SD_EVENT_ENTERED && rule->delay > 0)
          {
            g_autofree char *after = sd_duration_describe (rule->delay);

            g_string_printf (text, _("%s after entering"), after);
          }
        else
          {
            g_autofree char *event = event_sentence (pb, rule);

            g_string_append (text, event);
            if (rule->on != SD_EVENT_ENTERED && rule->delay > 0)
              {
                g_autofree char *after = sd_duration_describe (rule->delay);

                g_string_append_printf (text, _(", after %s"), after);
              }
          }
        if (when != NULL)
          g_string_append_printf (text, _(", if %s"), when);
        g_string_append (text, " →");
        for (guint i = 0; i < rule->actions->len; i++)
          {
            g_autofree char *action = action_sentence (pb, rule->actions->pdata[i]);

            g_string_append (text, i > 0 ? "; " : " ");
            g_string_append (text, action);
          }
        break;
      }
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

GPtrArray *
sd_rule_placeholders (const SdPlaybook *pb)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);

  for (gsize i = 0; i < G_N_ELEMENTS (field_labels); i++)
    g_ptr_array_add (names, g_strdup (field_labels[i].code));
  for (guint i = 0; pb != NULL && i < sd_playbook_get_n_fields (pb); i++)
    {
      const SdPlaybookField *f = sd_playbook_get_field (pb, i);

      char *name = g_strcmp0 (f->entity, "contact") == 0
                   ? g_strconcat ("contact.", f->code, NULL) : g_strdup (f->code);

      /* A contact field may also be one every contact has (client_type). */
      if (g_ptr_array_find_with_equal_func (names, name, g_str_equal, NULL))
        g_free (name);
      else
        g_ptr_array_add (names, name);
    }
  return names;
}
