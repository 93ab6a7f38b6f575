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
measure (SdStore    *store,
         const char *role)
{
  g_autoptr(GArray) people = sd_automation_db_users_with_role (store, role);
  g_autoptr(GDateTime) since = g_date_time_new_from_unix_utc (sd_store_now (store) - 30 * 86400);
  g_autofree char *since_iso = g_date_time_format (since, "%Y-%m-%dT%H:%M:%SZ");
  GArray *entries = g_array_new (FALSE, FALSE, sizeof (SdRotationEntry));

  for (guint i = 0; i < people->len; i++)
    {
      SdRotationEntry entry = { g_array_index (people, gint64, i), 0, 0 };
      gint64 open_tasks;
      double plan, efficiency;

      sd_automation_db_measure (store, entry.user_id, since_iso, &open_tasks, &plan, &efficiency);
      entry.weight = (0.5 + MIN (plan, 2.0)) * (0.5 + efficiency) / (1.0 + open_tasks);
      g_array_append_val (entries, entry);
    }
  return entries;
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
      entries = measure (store, role);
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
