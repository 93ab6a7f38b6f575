/* sd-sync-run.c: small pieces every step of a sync shares.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-sync"

#include "sd-sync-run.h"

#include <glib/gi18n-lib.h>
#include <string.h>

JsonArray *
sd_sync_string_array (const char * const *strings)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; strings[i] != NULL; i++)
    json_array_add_string_element (array, strings[i]);
  return array;
}

/* --- Staff and pipelines -------------------------------------------------------------- */

JsonArray *
sd_sync_result_array (JsonObject  *answer,
                      const char  *key,
                      const char  *wrapper,
                      GError     **error)
{
  JsonNode *result = sd_b24_batch_get_result (answer, key, NULL, error);

  if (result != NULL && wrapper != NULL && JSON_NODE_HOLDS_OBJECT (result))
    result = json_object_get_member (json_node_get_object (result), wrapper);
  if (result == NULL || !JSON_NODE_HOLDS_ARRAY (result))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, SD_B24_ERROR, SD_B24_ERROR_MALFORMED,
                     _("The portal sent a list that is not a list"));
      return NULL;
    }
  return json_node_get_array (result);
}

/* Inserts or updates the row with server id @b24_id; returns its local id or 0. */
gint64
sd_sync_upsert (SdSyncRun  *run,
                SdEntity    entity,
                gint64      b24_id,
                SdChanges  *changes,
                GError    **error)
{
  gint64 local = sd_store_find_b24 (run->store, entity, b24_id);

  if (local != 0)
    return sd_store_update (run->store, entity, local, changes, error) ? local : 0;
  sd_changes_set_int (changes, "b24_id", b24_id);
  return sd_store_insert (run->store, entity, changes, error);
}

/* A portal datetime ("2024-08-30T14:29:00+02:00") as the store writes times (UTC, "Z"). */
char *
sd_sync_local_time (const char *portal)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) at = portal != NULL && *portal != '\0'
                            ? g_date_time_new_from_iso8601 (portal, utc) : NULL;
  g_autoptr(GDateTime) in_utc = at != NULL ? g_date_time_to_utc (at) : NULL;

  return in_utc != NULL ? g_date_time_format (in_utc, "%Y-%m-%dT%H:%M:%SZ") : NULL;
}

/* A time of the store as the portal reads it (ISO 8601 with an offset). */
char *
sd_sync_portal_time (const char *local)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) at = local != NULL && *local != '\0'
                            ? g_date_time_new_from_iso8601 (local, utc) : NULL;

  return at != NULL ? g_date_time_format (at, "%Y-%m-%dT%H:%M:%S%:z") : NULL;
}

/* The value a column had before the change a journal entry records, or 0. */
gint64
sd_sync_entry_old_int (SdJournalEntry *entry,
                       const char     *column)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonObject *changes;
  JsonNode *pair;

  if (!json_parser_load_from_data (parser, entry->changes, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return 0;
  changes = json_node_get_object (json_parser_get_root (parser));
  pair = json_object_get_member (changes, column);
  if (pair == NULL || !JSON_NODE_HOLDS_ARRAY (pair)
      || !JSON_NODE_HOLDS_VALUE (json_array_get_element (json_node_get_array (pair), 0)))
    return 0;
  return json_array_get_int_element (json_node_get_array (pair), 0);
}

/* A text column of a row, or NULL. */
char *
sd_sync_read_text (SdSyncRun  *run,
                   SdEntity    entity,
                   gint64      id,
                   const char *column)
{
  SdValue value;
  char *text = NULL;

  if (!sd_store_read_value (run->store, entity, id, column, &value, NULL))
    return NULL;
  if (value.kind == SD_VALUE_STRING)
    text = g_steal_pointer (&value.text);
  else if (value.kind == SD_VALUE_NUMBER)
    text = g_strdup_printf ("%" G_GINT64_FORMAT, value.number);
  sd_value_clear (&value);
  return text;
}

/* An integer column of a row (a reference), or 0. */
gint64
sd_sync_read_int (SdSyncRun  *run,
                  SdEntity    entity,
                  gint64      id,
                  const char *column)
{
  SdValue value;
  gint64 number = 0;

  if (!sd_store_read_value (run->store, entity, id, column, &value, NULL))
    return 0;
  if (value.kind == SD_VALUE_NUMBER)
    number = value.number;
  sd_value_clear (&value);
  return number;
}

/* The server id of the row @id of @entity refers to, or 0. */
gint64
sd_sync_b24_of (SdSyncRun *run,
                SdEntity   entity,
                gint64     id)
{
  gint64 b24_id = 0;

  if (id <= 0 || !sd_store_get_b24_id (run->store, entity, id, &b24_id))
    return 0;
  return b24_id;
}

/* The server ids of the rows of @entity deleted here whose deletion waits to be sent: a
 * pull must not bring them back. */
GHashTable *
sd_sync_pending_deletions (SdSyncRun  *run,
                           SdEntity    entity,
                           GError    **error)
{
  const char *entities[] = { sd_entity_info (entity)->name, NULL };
  g_autoptr(GPtrArray) entries = sd_store_list_outbox (run->store, entities, G_MAXINT, error);
  GHashTable *ids;

  if (entries == NULL)
    return NULL;
  ids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  for (guint i = 0; i < entries->len; i++)
    {
      SdJournalEntry *entry = entries->pdata[i];
      gint64 b24_id;

      if (strcmp (entry->op, "delete") == 0 && (b24_id = sd_sync_entry_old_int (entry, "b24_id")) > 0)
        g_hash_table_add (ids, g_memdup2 (&b24_id, sizeof b24_id));
    }
  return ids;
}

JsonObject *
sd_sync_send_writes (SdSyncRun   *run,
                     SdB24Batch  *batch,
                     GArray      *creations,
                     const char  *what,
                     GError     **error)
{
  g_autoptr(GError) send_error = NULL;
  JsonObject *answer;

  /* Committed before sending: a creation whose answer never comes is looked up by its
   * client key before it is sent again. */
  if (!sd_store_begin (run->store, error))
    return NULL;
  for (guint i = 0; i < creations->len; i++)
    if (!sd_store_mark_push_attempted (run->store, g_array_index (creations, gint64, i), error))
      {
        sd_store_rollback (run->store);
        return NULL;
      }
  if (!sd_store_commit (run->store, error))
    return NULL;
  answer = sd_b24_client_batch (run->client, batch, SD_B24_CALL_WRITE, run->cancellable, &send_error);
  if (answer == NULL)
    {
      if (!sd_b24_error_is_transient (send_error, TRUE))
        g_propagate_error (error, g_steal_pointer (&send_error));
      else
        g_debug ("%s batch failed, kept for later: %s", what, send_error->message);
    }
  return answer;
}

void
sd_sync_sent_free (SdSyncSent *sent)
{
  g_free (sent->key);
  g_free (sent);
}

static gboolean
settle_writes (SdSyncRun             *run,
               SdB24Batch            *batch,
               GPtrArray             *sent,
                       const SdSyncWriteKind *kind,
                       guint                 *confirmed,
                       GError               **error)
{
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(GArray) creations = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) send_error = NULL;

  if (sent->len == 0)
    return TRUE;
  for (guint i = 0; i < sent->len; i++)
    {
      SdSyncSent *one = sent->pdata[i];
      if (one->creates)
        g_array_append_val (creations, one->entry->id);
    }
  if ((answer = sd_sync_send_writes (run, batch, creations, kind->what, &send_error)) == NULL)
    {
      if (send_error == NULL)
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&send_error));
      return FALSE;
    }
  if (!sd_store_begin_bulk (run->store, error))
    return FALSE;
  for (guint i = 0; i < sent->len; i++)
    {
      SdSyncSent *one = sent->pdata[i];
      g_autoptr(GError) command_error = NULL;
      JsonNode *result = sd_b24_batch_get_result (answer, one->key, NULL, &command_error);
      gboolean done = result != NULL;

      if (done && one->creates)
        {
          gint64 b24_id = kind->answered_id (result);

          done = b24_id > 0;
          if (done && !sd_store_set_b24_state (run->store, kind->entity, one->entry->entity_id, b24_id,
                                               NULL, error))
            goto failed;
        }
      if (!done && !one->creates && !kind->refused (run, one, command_error, &done, error))
        goto failed;
      if (!done)
        {
          g_debug ("%s entry %" G_GINT64_FORMAT " refused: %s", kind->what, one->entry->id,
                   command_error != NULL ? command_error->message : "no id");
          continue;
        }
      if (!sd_store_mark_pushed (run->store, one->entry->id, error))
        goto failed;
      run->report.pushed++;
      (*confirmed)++;
    }
  return sd_sync_run_commit (run, error);

failed:
  sd_store_rollback (run->store);
  return FALSE;
}

gboolean
sd_sync_settle_writes (SdSyncRun             *run,
                       SdB24Batch           **batch,
                       GPtrArray             *sent,
                       const SdSyncWriteKind *kind,
                       guint                 *confirmed,
                       GError               **error)
{
  if (!settle_writes (run, *batch, sent, kind, confirmed, error))
    return FALSE;
  g_ptr_array_set_size (sent, 0);
  sd_b24_batch_free (*batch);
  *batch = sd_b24_batch_new ();
  return TRUE;
}

gboolean
sd_sync_push_rounds (SdSyncRun       *run,
                     SdSyncPassFunc   pass,
                     GError         **error)
{
  /* A row's later change waits for the answer to its earlier one: another pass sends it,
   * as long as passes get somewhere. */
  for (guint round = 0; round < 8; round++)
    {
      guint confirmed = 0, skipped = 0;

      if (!pass (run, &confirmed, &skipped, error))
        return FALSE;
      if (skipped == 0 || confirmed == 0)
        break;
    }
  return TRUE;
}
