/* sd-automation-eval.c: conditions over a deal's facts, and templates filled from them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-automation-private.h"
#include "sd-automation-db.h"
#include "sd-money.h"

#include <string.h>

GHashTable *
sd_automation_facts (SdRun *run)
{
  g_autoptr(GError) error = NULL;

  if (run->facts != NULL)
    return run->facts;
  run->facts = sd_automation_db_deal_facts (run->self->store, run->event->deal_id, &error);
  if (run->facts == NULL)
    {
      /* The deal was just read for its place; only a failing disk gets here. */
      g_warning ("Automation cannot read deal %" G_GINT64_FORMAT ": %s", run->event->deal_id,
                 error->message);
      run->facts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    }
  /* A conversion names the lead it came from: {lead}. */
  if (run->event->lead != NULL)
    g_hash_table_insert (run->facts, g_strdup ("lead"), g_strdup (run->event->lead));
  return run->facts;
}

void
sd_run_clear (SdRun *run)
{
  g_clear_pointer (&run->facts, g_hash_table_unref);
}

gint64
sd_automation_fact_int (SdRun      *run,
                        const char *name)
{
  const char *value = g_hash_table_lookup (sd_automation_facts (run), name);
  return value != NULL ? g_ascii_strtoll (value, NULL, 10) : 0;
}

static gboolean
compare (const SdCondition *condition,
         const char        *value)
{
  int order;

  switch (condition->op)
    {
    case SD_OP_SET:
      return value != NULL;
    case SD_OP_EMPTY:
      return value == NULL;
    case SD_OP_IN:
      return value != NULL && g_strv_contains ((const char *const *) condition->list, value);
    case SD_OP_NOT_IN:
      return value == NULL || !g_strv_contains ((const char *const *) condition->list, value);
    default:
      break;
    }
  if (condition->numeric)
    {
      /* An empty number is 0: "amount < 1000" holds for a deal without an amount. */
      gint64 number = value != NULL ? g_ascii_strtoll (value, NULL, 10) : 0;
      order = number < condition->number ? -1 : number > condition->number;
    }
  else
    order = g_strcmp0 (value != NULL ? value : "", condition->text);

  switch (condition->op)
    {
    case SD_OP_EQ:
      return order == 0;
    case SD_OP_NE:
      return order != 0;
    case SD_OP_LT:
      return order < 0;
    case SD_OP_LE:
      return order <= 0;
    case SD_OP_GT:
      return order > 0;
    case SD_OP_GE:
      return order >= 0;
    default:
      g_assert_not_reached ();
    }
}

gboolean
sd_automation_condition_holds (SdRun             *run,
                               const SdCondition *condition)
{
  SdStore *store = run->self->store;

  if (condition == NULL)
    return TRUE;
  switch (condition->kind)
    {
    case SD_CONDITION_ALL:
      for (guint i = 0; i < condition->children->len; i++)
        if (!sd_automation_condition_holds (run, condition->children->pdata[i]))
          return FALSE;
      return TRUE;
    case SD_CONDITION_ANY:
      for (guint i = 0; i < condition->children->len; i++)
        if (sd_automation_condition_holds (run, condition->children->pdata[i]))
          return TRUE;
      return FALSE;
    case SD_CONDITION_NOT:
      return !sd_automation_condition_holds (run, condition->children->pdata[0]);
    case SD_CONDITION_FIELD:
      return compare (condition, g_hash_table_lookup (sd_automation_facts (run), condition->field));
    case SD_CONDITION_FILES:
      return sd_automation_db_count_files (store, run->event->deal_id, condition->file_kind)
             >= condition->at_least;
    case SD_CONDITION_ROLE:
      {
        g_autofree char *role = NULL;

        /* The system (the portal, a timer, another rule) is not held to roles. */
        if (run->event->actor_id == SD_ACTOR_SYSTEM)
          return TRUE;
        role = sd_automation_db_role_of (store, run->event->actor_id);
        return role != NULL && g_strv_contains ((const char *const *) condition->roles, role);
      }
    default:
      g_assert_not_reached ();
    }
}

static char *
placeholder_value (SdRun      *run,
                   const char *name)
{
  const char *value;

  if (strcmp (name, "actor") == 0)
    return sd_automation_db_user_name (run->self->store, run->event->actor_id);
  value = g_hash_table_lookup (sd_automation_facts (run), name);
  if (value != NULL && sd_rule_field_is_money (name))
    return sd_money_format (g_ascii_strtoll (value, NULL, 10),
                            g_hash_table_lookup (sd_automation_facts (run), "currency"));
  return g_strdup (value != NULL ? value : "");
}

char *
sd_automation_expand (SdRun                *run,
                      const SdPlaybookText *text)
{
  const char *template = sd_playbook_text_get (text, NULL);
  GString *out = g_string_new (NULL);
  const char *p = template;

  /* The file was checked: every "{" has its "}" and names a known placeholder. */
  for (const char *open = strchr (p, '{'); open != NULL; open = strchr (p, '{'))
    {
      const char *close = strchr (open, '}');
      g_autofree char *name = g_strndup (open + 1, close - open - 1);
      g_autofree char *value = placeholder_value (run, name);

      g_string_append_len (out, p, open - p);
      g_string_append (out, value);
      p = close + 1;
    }
  g_string_append (out, p);
  return g_string_free (out, FALSE);
}
