/* sd-rule.c: what a rule holds, and the small vocabularies its JSON uses.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-playbook-private.h"
#include "sd-rule.h"

static const char *const event_names[SD_N_EVENTS] = {
  [SD_EVENT_ENTERED] = "entered",
  [SD_EVENT_CREATED] = "created",
  [SD_EVENT_FORM_RECEIVED] = "form_received",
  [SD_EVENT_FIELD_CHANGED] = "field_changed",
  [SD_EVENT_FILE_ATTACHED] = "file_attached",
  [SD_EVENT_PAYMENT_ADDED] = "payment_added",
  [SD_EVENT_APPROVAL_GIVEN] = "approval_given",
  [SD_EVENT_CONVERTED] = "converted",
  [SD_EVENT_ASSIGNED] = "assigned",
  [SD_EVENT_TIMER] = "timer",
};

const char *
sd_event_kind_to_string (SdEventKind kind)
{
  g_return_val_if_fail (kind < SD_N_EVENTS, NULL);
  return event_names[kind];
}

gboolean
sd_event_kind_from_string (const char  *name,
                           SdEventKind *out)
{
  for (guint i = 0; i < SD_N_EVENTS; i++)
    if (g_strcmp0 (event_names[i], name) == 0)
      {
        *out = i;
        return TRUE;
      }
  return FALSE;
}

void
sd_condition_free (SdCondition *condition)
{
  if (condition == NULL)
    return;
  g_clear_pointer (&condition->children, g_ptr_array_unref);
  g_free (condition->field);
  g_free (condition->text);
  g_strfreev (condition->list);
  g_free (condition->file_kind);
  g_strfreev (condition->roles);
  g_free (condition);
}

void
sd_rule_action_free (SdRuleAction *action)
{
  g_strfreev (action->to);
  g_strfreev (action->channels);
  sd_playbook_text_free (action->subject);
  sd_playbook_text_free (action->text);
  g_free (action->creator);
  g_free (action->field);
  g_free (action->value);
  g_free (action->stage);
  g_free (action->role);
  g_free (action->document);
  g_strfreev (action->attach);
  g_free (action->as);
  g_free (action);
}

void
sd_rule_free (SdRule *rule)
{
  if (rule == NULL)
    return;
  g_free (rule->id);
  g_free (rule->code);
  sd_playbook_text_free (rule->name);
  g_free (rule->stage);
  g_free (rule->on_field);
  g_free (rule->on_file_kind);
  g_strfreev (rule->from);
  sd_condition_free (rule->when);
  sd_playbook_text_free (rule->message);
  g_clear_pointer (&rule->actions, g_ptr_array_unref);
  g_free (rule);
}

void
sd_rating_rule_free (SdRatingRule *rating)
{
  if (rating == NULL)
    return;
  g_free (rating->role);
  sd_playbook_text_free (rating->thanks);
  if (rating->promotion != NULL)
    {
      sd_playbook_text_free (rating->promotion->position);
      sd_playbook_text_free (rating->promotion->question);
      sd_playbook_text_free (rating->promotion->announce);
      g_free (rating->promotion);
    }
  g_free (rating);
}

gboolean
sd_duration_parse (const char *text,
                   gint64     *out_seconds)
{
  static const struct { char unit; gint64 seconds; } units[] = {
    { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 }, { 'w', 7 * 86400 }, { 'y', 365 * 86400 },
  };
  char *end = NULL;
  gint64 count;

  if (text == NULL || !g_ascii_isdigit (text[0]))
    return FALSE;
  count = g_ascii_strtoll (text, &end, 10);
  if (end == NULL || end[0] == '\0' || end[1] != '\0' || count <= 0 || count > 10000)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    if (units[i].unit == end[0])
      {
        *out_seconds = count * units[i].seconds;
        return TRUE;
      }
  return FALSE;
}

gboolean
sd_rule_field_is_money (const char *field)
{
  return g_strcmp0 (field, "amount") == 0 || g_strcmp0 (field, "paid") == 0
         || g_strcmp0 (field, "left_to_pay") == 0;
}
