/* sd-sync-check.c: both sides compared by ID and modification time; deletions.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-sync"

#include "sd-sync-run.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/* --- Check -------------------------------------------------------------------------- */

static gboolean
check_page (SdSyncRun  *run,
            JsonArray  *rows,
            gpointer    data,
            GError    **error)
{
  GHashTable *remote = data;

  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);
      gint64 id = row != NULL ? sd_sync_get_id (row, "ID") : -1;

      if (id <= 0)
        continue;
      g_hash_table_insert (remote, g_memdup2 (&id, sizeof id), sd_sync_dup_string (row, "DATE_MODIFY"));
    }
  return TRUE;
}

gboolean
sd_sync_delete_local (SdSyncRun         *run,
                      const SdSyncKind  *kind,
                      gint64             id,
                      GError           **error)
{
  const char *column = kind->entity == SD_ENTITY_CONTACT ? "contact_id"
                       : kind->entity == SD_ENTITY_COMPANY ? "company_id" : NULL;
  g_autoptr(GHashTable) base = sd_store_outbox_base (run->store, kind->entity, id, error);

  if (base == NULL)
    return FALSE;
  /* Changed here and not sent yet (a deal's mapped fields are rows of their own): the
   * portal's deletion does not win silently. The user keeps the row (it is created there
   * again) or lets it go; until then its changes wait (the push holds rows in conflict). */
  if (g_hash_table_size (base) > 0
      || (kind->entity == SD_ENTITY_DEAL && sd_store_has_outbox_part (run->store, SD_ENTITY_DEAL_FIELD, id)))
    return sd_sync_conflict_deleted (run, kind->entity, id, error);
  /* The portal unlinks deals from a deleted client; so does this side. */
  if (column != NULL)
    {
      g_autoptr(GArray) deals = sd_store_list_referencing (run->store, SD_ENTITY_DEAL, column, id,
                                                           error);
      if (deals == NULL)
        return FALSE;
      for (guint i = 0; i < deals->len; i++)
        {
          g_autoptr(SdChanges) changes = sd_changes_new ();

          sd_changes_set_null (changes, column);
          if (!sd_store_update (run->store, SD_ENTITY_DEAL, g_array_index (deals, gint64, i), changes,
                                error))
            return FALSE;
        }
    }
  if (!sd_store_delete (run->store, kind->entity, id, error))
    return FALSE;
  run->report.deleted++;
  return TRUE;
}

/* Fetches rows by server id, 50 a command: the rows the check found different. */
static gboolean
refetch (SdSyncRun         *run,
         const SdSyncKind  *kind,
         GArray            *ids,
         GError           **error)
{
  g_autofree char *method = g_strconcat (kind->methods, ".list", NULL);
  guint i = 0;

  while (i < ids->len)
    {
      g_autoptr(SdB24Batch) batch = sd_b24_batch_new ();
      g_autoptr(JsonObject) answer = NULL;
      guint n_commands = 0;

      for (; i < ids->len && n_commands < SD_B24_BATCH_MAX; n_commands++)
        {
          g_autoptr(JsonObject) params = json_object_new ();
          JsonObject *filter = json_object_new ();
          JsonArray *wanted = json_array_new ();
          g_autofree char *key = g_strdup_printf ("r%u", n_commands);

          for (guint n = 0; n < SD_SYNC_PAGE && i < ids->len; n++, i++)
            json_array_add_int_element (wanted, g_array_index (ids, gint64, i));
          json_object_set_array_member (filter, "@ID", wanted);
          json_object_set_object_member (params, "filter", filter);
          json_object_set_array_member (params, "select", sd_sync_string_array (sd_sync_kind_select (run, kind)));
          json_object_set_int_member (params, "start", -1);
          sd_b24_batch_add (batch, key, method, params);
        }
      if ((answer = sd_b24_client_batch (run->client, batch, SD_B24_CALL_READ,
                                         run->cancellable, error)) == NULL
          || !sd_store_begin_bulk (run->store, error))
        return FALSE;
      for (guint c = 0; c < n_commands; c++)
        {
          g_autofree char *key = g_strdup_printf ("r%u", c);
          JsonArray *rows = sd_sync_result_array (answer, key, NULL, error);

          if (rows == NULL)
            goto failed;
          for (guint r = 0; r < json_array_get_length (rows); r++)
            {
              JsonObject *row = json_array_get_object_element (rows, r);

              if (row != NULL && !sd_sync_apply_row (run, kind, row, NULL, error))
                goto failed;
            }
        }
      if (!sd_sync_run_commit (run, error))
        return FALSE;
      continue;

failed:
      sd_store_rollback (run->store);
      return FALSE;
    }
  return TRUE;
}

/* Both sides by ID and modification time (2 500 a request): rows gone from the portal go
 * here too, rows that differ are fetched again. */
gboolean
sd_sync_check_kind (SdSyncRun         *run,
                    const SdSyncKind  *kind,
                    GError           **error)
{
  static const char *const select[] = { "ID", "DATE_MODIFY", NULL };
  g_autoptr(GHashTable) remote = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  g_autoptr(GArray) local = NULL;
  g_autoptr(GArray) differ = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *method = g_strconcat (kind->methods, ".list", NULL);
  g_autofree char *status = g_strdup_printf (_("%s: checking"), sd_sync_kind_title (kind));
  GHashTableIter iter;
  gpointer key, value;

  sd_sync_run_progress (run, status);
  run->report.checked = TRUE;
  if (!sd_sync_keyset_export (run, method, NULL, select, SD_B24_BATCH_MAX, -1, FALSE, check_page, remote, error)
      || (local = sd_store_list_b24_ids (run->store, kind->entity, error)) == NULL)
    return FALSE;

  if (!sd_store_begin_bulk (run->store, error))
    return FALSE;
  for (guint i = 0; i < local->len; i++)
    {
      gint64 b24_id = g_array_index (local, gint64, i);

      if (!g_hash_table_contains (remote, &b24_id)
          && !sd_sync_delete_local (run, kind, sd_store_find_b24 (run->store, kind->entity, b24_id), error))
        {
          sd_store_rollback (run->store);
          return FALSE;
        }
    }
  if (!sd_sync_run_commit (run, error))
    return FALSE;

  /* One read transaction for the look-ups rather than one each. */
  if (!sd_store_begin (run->store, error))
    return FALSE;
  g_hash_table_iter_init (&iter, remote);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      gint64 id = sd_store_find_b24 (run->store, kind->entity, *(gint64 *) key);
      g_autofree char *known = id != 0 ? sd_store_get_remote_modified (run->store, kind->entity, id) : NULL;

      if (known == NULL || g_strcmp0 (known, value) != 0)
        g_array_append_val (differ, *(gint64 *) key);
    }
  if (!sd_store_commit (run->store, error))
    return FALSE;
  g_array_sort (differ, sd_sync_compare_ids);
  return differ->len == 0 || refetch (run, kind, differ, error);
}
