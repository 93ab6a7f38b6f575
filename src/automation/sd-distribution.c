/* sd-distribution.c: which manager gets the next form deal (R-AUTO-3).
 *
 * A manager's weight grows with plan completion and task efficiency and shrinks with open
 * tasks: (0.5 + min (plan, 2)) × (0.5 + efficiency) / (1 + open tasks). Weights are measured
 * once a day, not lead by lead: the tasks each lead brings would otherwise swing them
 * within a morning's burst. Deals are then dealt by smooth weighted round robin, whose
 * counts stay within one deal of the weights' shares at every point, and which is
 * deterministic, so a replay of the same events deals the same way. A manager on leave
 * (inactive) is skipped at once.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-automation-private.h"
#include "sd-automation-db.h"

static GArray *
measure (SdStore     *store,
         const char  *role,
         GError     **error)
{
  g_autoptr(GArray) people = sd_automation_db_users_with_role (store, role);
  /* The 30 days up to and with this second. */
  g_autoptr(GDateTime) until = g_date_time_new_from_unix_utc (sd_store_now (store) + 1);
  g_autoptr(GDateTime) since = g_date_time_add_days (until, -30);
  g_autofree char *until_iso = g_date_time_format (until, "%Y-%m-%dT%H:%M:%SZ");
  g_autofree char *since_iso = g_date_time_format (since, "%Y-%m-%dT%H:%M:%SZ");
  g_autoptr(GArray) entries = g_array_new (FALSE, FALSE, sizeof (SdRotationEntry));

  for (guint i = 0; i < people->len; i++)
    {
      SdRotationEntry entry = { g_array_index (people, gint64, i), 0, 0 };
      gint64 won, plan, closed, on_time;
      double completion, efficiency;

      if (!sd_automation_db_seller_figures (store, entry.user_id, since_iso, until_iso, &won,
                                            &plan, &closed, &on_time, error))
        return NULL;
      /* A plan of 0 is "no plan": neither a reason to send more nor fewer. With few closed
       * tasks their share says little: efficiency starts from an even 1 in 2. */
      completion = plan > 0 ? (double) won / (double) plan : 1.0;
      efficiency = (on_time + 1.0) / (closed + 2.0);
      entry.weight = (0.5 + MIN (completion, 2.0)) * (0.5 + efficiency)
                     / (1.0 + sd_automation_db_open_tasks (store, entry.user_id));
      g_array_append_val (entries, entry);
    }
  return g_steal_pointer (&entries);
}

static gboolean
contains (GArray *ids,
          gint64  id)
{
  for (guint i = 0; i < ids->len; i++)
    if (g_array_index (ids, gint64, i) == id)
      return TRUE;
  return FALSE;
}

gint64
sd_distribution_pick (SdStore    *store,
                      const char *role,
                      GError    **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_from_unix_utc (sd_store_now (store));
  g_autofree char *day = g_date_time_format (now, "%Y-%m-%d");
  g_autoptr(GArray) active = sd_automation_db_users_with_role (store, role);
  g_autoptr(GArray) entries = sd_automation_db_rotation (store, role, day, error);
  SdRotationEntry *chosen = NULL;
  double total = 0;

  if (entries == NULL)
    return 0;
  if (entries->len == 0)
    {
      g_array_unref (entries);
      if ((entries = measure (store, role, error)) == NULL)
        return 0;
    }
  for (guint i = 0; i < entries->len; i++)
    {
      SdRotationEntry *entry = &g_array_index (entries, SdRotationEntry, i);

      if (!contains (active, entry->user_id))
        continue;
      entry->credit += entry->weight;
      total += entry->weight;
      if (chosen == NULL || entry->credit > chosen->credit)
        chosen = entry;
    }
  if (chosen == NULL)
    return 0;
  chosen->credit -= total;
  if (!sd_automation_db_save_rotation (store, role, day, entries, error))
    return 0;
  return chosen->user_id;
}
