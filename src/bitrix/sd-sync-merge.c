/* sd-sync-merge.c: the portal's values of a row merged with what changed here and is not
 * sent yet, for every kind the sync exchanges (deals, clients, their fields, comments,
 * tasks, requisites).
 *
 * The base of a field is its value before the first change made here that the portal has
 * not had yet (sd_store_outbox_base): what both sides last agreed on. Against it, a field
 * only the portal changed is taken, one only we changed is kept (and pushed), and one both
 * changed to different values becomes a conflict record for the user: nothing is
 * overwritten silently, on either side (the push holds a row in conflict).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-sync"

#include "sd-sync-run.h"

gboolean
sd_sync_merge (SdSyncRun        *run,
               SdEntity          entity,
               gint64            id,
               const SdChanges  *theirs,
               gint64            author,
               const char       *at,
               SdChanges       **out_merged,
               GError          **error)
{
  g_autoptr(GHashTable) base = sd_store_outbox_base (run->store, entity, id, error);
  g_autoptr(SdChanges) merged = NULL;

  *out_merged = NULL;
  if (base == NULL)
    return FALSE;
  if (g_hash_table_size (base) == 0)
    return TRUE;
  merged = sd_changes_new ();
  for (guint i = 0; i < sd_changes_get_size (theirs); i++)
    {
      const SdChange *change = sd_changes_get (theirs, i);
      const SdValue *before = g_hash_table_lookup (base, change->field);
      SdValue current;
      gboolean conflict;

      if (before == NULL)
        {
          sd_changes_set_value (merged, change->field, &change->value);
          continue;
        }
      if (!sd_store_read_value (run->store, entity, id, change->field, &current, error))
        return FALSE;
      /* Seen again after the user kept ours against it: ours still goes out. */
      conflict = !sd_value_equal (&current, &change->value) && !sd_value_equal (before, &change->value)
                 && !sd_store_kept_against (run->store, entity, id, change->field, &change->value);
      if (conflict && !sd_store_add_conflict (run->store, entity, id, change->field, &current,
                                              &change->value, author, at, error))
        {
          sd_value_clear (&current);
          return FALSE;
        }
      sd_value_clear (&current);
    }
  *out_merged = g_steal_pointer (&merged);
  return TRUE;
}

gboolean
sd_sync_conflict_deleted (SdSyncRun  *run,
                          SdEntity    entity,
                          gint64      id,
                          GError    **error)
{
  static const SdValue here = { SD_VALUE_NUMBER, 0, NULL };
  static const SdValue there = { SD_VALUE_NUMBER, 1, NULL };

  g_debug ("%s %" G_GINT64_FORMAT " deleted there with changes here: conflict",
           sd_entity_info (entity)->name, id);
  return sd_store_add_conflict (run->store, entity, id, SD_CONFLICT_DELETED, &here, &there, 0, NULL,
                                error);
}
