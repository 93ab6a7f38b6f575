/* sd-sync-responsible.c: a deal's responsible person, ASSIGNED_BY_ID there, the
 * deal_responsibles row of part "main" here.
 *
 * The other parts a deal can have here (who answers before or after the order, …) have
 * no place on the portal and stay local.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-sync"

#include "sd-sync-run.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#define MAIN_PART "main"

/* The deal_responsibles row of part "main" of @deal, or 0. */
static gint64
main_row (SdSyncRun *run,
          gint64     deal)
{
  g_autoptr(GArray) rows = sd_store_list_referencing (run->store, SD_ENTITY_DEAL_RESPONSIBLE, "deal_id", deal,
                                                      NULL);

  for (guint i = 0; rows != NULL && i < rows->len; i++)
    {
      gint64 row = g_array_index (rows, gint64, i);
      g_autofree char *part = sd_sync_read_text (run, SD_ENTITY_DEAL_RESPONSIBLE, row, "part");

      if (g_strcmp0 (part, MAIN_PART) == 0)
        return row;
    }
  return 0;
}

gboolean
sd_sync_apply_responsible (SdSyncRun   *run,
                           gint64       deal,
                           JsonObject  *row,
                           gboolean     fresh,
                           GError     **error)
{
  gint64 user;
  gint64 current;
  g_autoptr(SdChanges) changes = sd_changes_new ();

  if (!json_object_has_member (row, "ASSIGNED_BY_ID"))
    return TRUE;
  user = sd_store_find_b24 (run->store, SD_ENTITY_USER, sd_sync_get_id (row, "ASSIGNED_BY_ID"));
  /* Someone this side does not know (not staff, or not read yet): leave ours. */
  if (user == 0)
    return TRUE;
  current = fresh ? 0 : main_row (run, deal);
  if (current == 0)
    {
      sd_changes_set_int (changes, "deal_id", deal);
      sd_changes_set_int (changes, "user_id", user);
      sd_changes_set_text (changes, "part", MAIN_PART);
      return sd_store_insert (run->store, SD_ENTITY_DEAL_RESPONSIBLE, changes, error) != 0;
    }
  /* Reassigned here and not sent yet: ours goes there. */
  if (sd_store_has_outbox_entry (run->store, SD_ENTITY_DEAL_RESPONSIBLE, current, FALSE)
      || sd_sync_read_int (run, SD_ENTITY_DEAL_RESPONSIBLE, current, "user_id") == user)
    return TRUE;
  sd_changes_set_int (changes, "user_id", user);
  return sd_store_update (run->store, SD_ENTITY_DEAL_RESPONSIBLE, current, changes, error);
}

gboolean
sd_sync_push_responsibles (SdSyncRun  *run,
                           GError    **error)
{
  static const char *const entities[] = { "deal_responsible", NULL };
  g_autoptr(GPtrArray) entries = sd_store_list_outbox (run->store, entities, G_MAXINT, error);
  guint i = 0;

  if (entries == NULL)
    return FALSE;
  while (i < entries->len)
    {
      g_autoptr(SdB24Batch) batch = sd_b24_batch_new ();
      g_autoptr(GArray) sent = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_autoptr(GHashTable) deals = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
      g_autoptr(JsonObject) answer = NULL;
      g_autoptr(GError) send_error = NULL;

      for (; i < entries->len && sd_b24_batch_get_size (batch) < SD_B24_BATCH_MAX; i++)
        {
          SdJournalEntry *entry = entries->pdata[i];
          g_autoptr(JsonObject) params = NULL;
          JsonObject *fields;
          g_autofree char *part = NULL;
          g_autofree char *key = NULL;
          gint64 deal, deal_b24, user_b24;

          if (strcmp (entry->op, "delete") == 0
              || (part = sd_sync_read_text (run, SD_ENTITY_DEAL_RESPONSIBLE, entry->entity_id, "part")) == NULL
              || strcmp (part, MAIN_PART) != 0)
            {
              /* A part the portal has no place for, or gone: nothing to send. */
              if (!sd_store_mark_pushed (run->store, entry->id, error))
                return FALSE;
              continue;
            }
          deal = sd_sync_read_int (run, SD_ENTITY_DEAL_RESPONSIBLE, entry->entity_id, "deal_id");
          deal_b24 = sd_sync_b24_of (run, SD_ENTITY_DEAL, deal);
          user_b24 = sd_sync_b24_of (run, SD_ENTITY_USER,
                                     sd_sync_read_int (run, SD_ENTITY_DEAL_RESPONSIBLE, entry->entity_id, "user_id"));
          if (deal_b24 == 0)
            continue;   /* the deal is not there yet: waits */
          if (user_b24 == 0)
            {
              /* Someone the portal does not know: it cannot be said there. */
              if (!sd_store_mark_pushed (run->store, entry->id, error))
                return FALSE;
              continue;
            }
          /* The row's current person: several entries of one deal send it once. */
          if (g_hash_table_contains (deals, &deal))
            {
              g_array_append_val (sent, entry->id);
              continue;
            }
          g_hash_table_add (deals, g_memdup2 (&deal, sizeof deal));
          params = json_object_new ();
          fields = json_object_new ();
          json_object_set_int_member (fields, "ASSIGNED_BY_ID", user_b24);
          json_object_set_int_member (params, "id", deal_b24);
          json_object_set_object_member (params, "fields", fields);
          key = g_strdup_printf ("a%u", sd_b24_batch_get_size (batch));
          sd_b24_batch_add (batch, key, "crm.deal.update", params);
          g_array_append_val (sent, entry->id);
        }
      if (sd_b24_batch_get_size (batch) == 0)
        break;
      answer = sd_b24_client_batch (run->client, batch, SD_B24_CALL_WRITE, run->cancellable, &send_error);
      if (answer == NULL)
        {
          if (!sd_b24_error_is_transient (send_error, TRUE))
            {
              g_propagate_error (error, g_steal_pointer (&send_error));
              return FALSE;
            }
          g_debug ("responsible batch failed, kept for the next sync: %s", send_error->message);
          return TRUE;
        }
      /* An update says the same thing again when repeated: every command that answered
       * settles its entries; one refused keeps all of this batch for the next sync. */
      for (guint k = 0; k < sd_b24_batch_get_size (batch); k++)
        {
          g_autofree char *key = g_strdup_printf ("a%u", k);
          g_autoptr(GError) command_error = NULL;

          if (sd_b24_batch_get_result (answer, key, NULL, &command_error) == NULL
              && !g_error_matches (command_error, SD_B24_ERROR, SD_B24_ERROR_NOT_FOUND))
            {
              g_debug ("responsible refused: %s", command_error != NULL ? command_error->message : "?");
              g_array_set_size (sent, 0);
              break;
            }
        }
      if (!sd_store_begin (run->store, error))
        return FALSE;
      for (guint k = 0; k < sent->len; k++)
        if (!sd_store_mark_pushed (run->store, g_array_index (sent, gint64, k), error))
          {
            sd_store_rollback (run->store);
            return FALSE;
          }
      run->report.pushed += sent->len;
      if (!sd_sync_run_commit (run, error))
        return FALSE;
    }
  return TRUE;
}
