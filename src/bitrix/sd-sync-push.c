/* sd-sync-push.c: the outbox sent to the portal, each entry marked only once confirmed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-sync"

#include "sd-sync-run.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/* Push rounds without progress before giving up for this sync. */
#define PUSH_ROUNDS 12

/* --- Push --------------------------------------------------------------------------- */

typedef struct
{
  gint64    journal_id;
  SdEntity  entity;
  gint64    local_id;
  gboolean  creates;
  GArray   *also;   /* journal ids the portal confirms with it */
} PushCommand;

static void
push_command_free (PushCommand *command)
{
  g_array_unref (command->also);
  g_free (command);
}

static char *
row_key (SdEntity entity,
         gint64   id)
{
  return g_strdup_printf ("%u:%" G_GINT64_FORMAT, entity, id);
}

static void
hold (SdSyncRun *run,
      SdEntity   entity,
      gint64     id)
{
  g_hash_table_add (run->held, row_key (entity, id));
}

static char *
client_key (SdSyncRun *run,
            SdEntity   entity,
            gint64     id)
{
  return g_strdup_printf ("%s%s:%" G_GINT64_FORMAT, run->key_prefix,
                          sd_sync_kind_for (entity)->name, id);
}

/* A row a deal refers to that has no server id yet, as a row_key; NULL if none. */
static char *
missing_reference (SdSyncRun *run,
                   SdEntity   entity,
                   gint64     id)
{
  static const struct { const char *column; SdEntity target; } refs[] = {
    { "contact_id", SD_ENTITY_CONTACT }, { "company_id", SD_ENTITY_COMPANY },
  };

  if (entity != SD_ENTITY_DEAL)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (refs); i++)
    {
      SdValue value;
      gint64 b24_id;
      gboolean missing;

      if (!sd_store_read_value (run->store, entity, id, refs[i].column, &value, NULL))
        continue;
      missing = value.kind == SD_VALUE_NUMBER
                && !sd_store_get_b24_id (run->store, refs[i].target, value.number, &b24_id);
      if (missing)
        return row_key (refs[i].target, value.number);
    }
  return NULL;
}

/* The portal's fields for the current values of @fields of a row. */
static JsonObject *
row_fields (SdSyncRun           *run,
            SdEntity             entity,
            gint64               id,
            const char * const  *fields,
            gboolean             creating,
            GError             **error)
{
  g_autoptr(JsonObject) out = json_object_new ();

  for (guint i = 0; fields[i] != NULL; i++)
    {
      SdValue value;

      if (sd_entity_find_column (entity, fields[i]) == NULL)
        continue;
      if (!sd_store_read_value (run->store, entity, id, fields[i], &value, error))
        return NULL;
      sd_sync_map_push_field (run->store, entity, fields[i], &value, creating, out);
      sd_value_clear (&value);
    }
  return g_steal_pointer (&out);
}

static gboolean
row_exists (SdSyncRun *run,
            SdEntity   entity,
            gint64     id)
{
  SdValue value;

  if (!sd_store_read_value (run->store, entity, id, sd_entity_info (entity)->columns[0].name, &value,
                            NULL))
    return FALSE;
  sd_value_clear (&value);
  return TRUE;
}

/* The fields an update entry changed, and for a delete the server id it had. */
static GPtrArray *
entry_fields (SdJournalEntry *entry,
              gint64         *out_b24_id)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  GPtrArray *fields = g_ptr_array_new_with_free_func (g_free);
  JsonObject *changes;
  GList *members;

  *out_b24_id = 0;
  if (!json_parser_load_from_data (parser, entry->changes, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return fields;
  changes = json_node_get_object (json_parser_get_root (parser));
  members = json_object_get_members (changes);
  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *pair = json_object_get_member (changes, l->data);

      if (strcmp (l->data, "b24_id") == 0 && JSON_NODE_HOLDS_ARRAY (pair)
          && JSON_NODE_HOLDS_VALUE (json_array_get_element (json_node_get_array (pair), 0)))
        *out_b24_id = json_array_get_int_element (json_node_get_array (pair), 0);
      g_ptr_array_add (fields, g_strdup (l->data));
    }
  g_list_free (members);
  g_ptr_array_add (fields, NULL);
  return fields;
}

static const SdB24Field *
find_b24_field (SdSyncRun    *run,
                gint64  field_id)
{
  for (guint i = 0; run->b24_fields != NULL && i < run->b24_fields->len; i++)
    if (((SdB24Field *) run->b24_fields->pdata[i])->field_id == field_id)
      return run->b24_fields->pdata[i];
  return NULL;
}

/* Creations sent before whose answer never came (the program stopped, the connection
 * broke, the answer was cut): ask the portal for their client keys first. */
static gboolean
recover_creations (SdSyncRun  *run,
                   GPtrArray  *entries,
                   GError    **error)
{
  guint i = 0;

  while (i < entries->len)
    {
      g_autoptr(SdB24Batch) batch = sd_b24_batch_new ();
      g_autoptr(GPtrArray) asked = g_ptr_array_new ();
      g_autoptr(JsonObject) answer = NULL;

      for (; i < entries->len && sd_b24_batch_get_size (batch) < SD_B24_BATCH_MAX; i++)
        {
          SdJournalEntry *entry = entries->pdata[i];
          g_autoptr(JsonObject) params = NULL;
          g_autofree char *key = NULL, *method = NULL, *command = NULL;
          JsonObject *filter;
          SdEntity entity;
          gint64 b24_id;
          static const char *const select[] = { "ID", NULL };

          if (strcmp (entry->op, "insert") != 0 || !sd_entity_from_name (entry->entity, &entity)
              || g_hash_table_contains (run->looked_up, &entry->id)
              || !sd_store_get_push_attempted (run->store, entry->id)
              || sd_store_get_b24_id (run->store, entity, entry->entity_id, &b24_id))
            continue;
          g_hash_table_add (run->looked_up, g_memdup2 (&entry->id, sizeof entry->id));
          params = json_object_new ();
          filter = json_object_new ();
          key = client_key (run, entity, entry->entity_id);
          json_object_set_string_member (filter, SD_SYNC_KEY_FIELD, key);
          json_object_set_object_member (params, "filter", filter);
          json_object_set_array_member (params, "select", sd_sync_string_array (select));
          method = g_strconcat (sd_sync_kind_for (entity)->methods, ".list", NULL);
          command = g_strdup_printf ("k%u", asked->len);
          sd_b24_batch_add (batch, command, method, params);
          g_ptr_array_add (asked, entry);
        }
      if (asked->len == 0)
        break;
      if ((answer = sd_b24_client_batch (run->client, batch, SD_B24_CALL_READ,
                                         run->cancellable, error)) == NULL
          || !sd_store_begin_bulk (run->store, error))
        return FALSE;
      for (guint k = 0; k < asked->len; k++)
        {
          SdJournalEntry *entry = asked->pdata[k];
          g_autofree char *command = g_strdup_printf ("k%u", k);
          JsonArray *rows = sd_sync_result_array (answer, command, NULL, error);
          SdEntity entity;
          gint64 b24_id;

          if (rows == NULL)
            goto failed;
          if (json_array_get_length (rows) == 0)
            continue;
          sd_entity_from_name (entry->entity, &entity);
          b24_id = sd_sync_get_id (json_array_get_object_element (rows, 0), "ID");
          if (b24_id > 0
              && (!sd_store_set_b24_state (run->store, entity, entry->entity_id, b24_id, NULL, error)
                  || !sd_store_mark_pushed (run->store, entry->id, error)))
            goto failed;
          run->report.pushed++;
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

/* Sends the commands gathered; what the portal confirmed is marked done in one
 * transaction. A batch that fails as a whole leaves everything waiting for the next
 * round, where creations are looked up before being sent again. */
static gboolean
flush (SdSyncRun   *run,
       SdB24Batch **batch,
       GPtrArray   *commands,
       GHashTable  *creating,
       guint       *confirmed,
       GError     **error)
{
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(GArray) creations = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) send_error = NULL;

  if (commands->len == 0)
    return TRUE;
  for (guint i = 0; i < commands->len; i++)
    {
      PushCommand *command = commands->pdata[i];
      if (command->creates)
        g_array_append_val (creations, command->journal_id);
    }
  answer = sd_sync_send_writes (run, *batch, creations, "push", &send_error);
  g_clear_pointer (batch, sd_b24_batch_free);
  *batch = sd_b24_batch_new ();
  g_hash_table_remove_all (creating);
  if (answer == NULL)
    {
      if (send_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&send_error));
          return FALSE;
        }
      g_ptr_array_set_size (commands, 0);
      return TRUE;
    }

  if (!sd_store_begin_bulk (run->store, error))
    return FALSE;
  for (guint i = 0; i < commands->len; i++)
    {
      PushCommand *command = commands->pdata[i];
      g_autofree char *key = g_strdup_printf ("w%u", i);
      g_autoptr(GError) command_error = NULL;
      JsonNode *result = sd_b24_batch_get_result (answer, key, NULL, &command_error);
      gboolean done = result != NULL;

      if (result != NULL && command->creates)
        {
          gint64 b24_id = sd_sync_node_id (result);

          done = b24_id > 0
                 && sd_store_set_b24_state (run->store, command->entity, command->local_id, b24_id,
                                            NULL, error);
          if (b24_id > 0 && !done)
            goto failed;
        }
      /* Gone from the portal: nothing left to change there. A row still here with this
       * change not sent is the user's choice (sd_sync_delete_local records it); the
       * deletion of a row deleted here too is done. */
      if (result == NULL && !command->creates
          && g_error_matches (command_error, SD_B24_ERROR, SD_B24_ERROR_NOT_FOUND))
        {
          const SdSyncKind *kind = sd_sync_kind_for (command->entity);
          gint64 gone = command->local_id;

          /* A mapped field went out as an update of its deal: the deal is gone. */
          if (command->entity == SD_ENTITY_DEAL_FIELD)
            {
              kind = sd_sync_kind_for (SD_ENTITY_DEAL);
              gone = sd_sync_read_int (run, SD_ENTITY_DEAL_FIELD, command->local_id, "deal_id");
            }
          if (kind != NULL && gone > 0 && row_exists (run, kind->entity, gone))
            {
              if (!sd_sync_delete_local (run, kind, gone, error))
                goto failed;
              hold (run, command->entity, command->local_id);
              continue;
            }
          done = TRUE;
        }
      if (!done)
        {
          g_debug ("push of journal entry %" G_GINT64_FORMAT " refused: %s", command->journal_id,
                   command_error != NULL ? command_error->message : "no id");
          hold (run, command->entity, command->local_id);
          continue;
        }
      if (!sd_store_mark_pushed (run->store, command->journal_id, error))
        goto failed;
      for (guint a = 0; a < command->also->len; a++)
        if (!sd_store_mark_pushed (run->store, g_array_index (command->also, gint64, a), error))
          goto failed;
      run->report.pushed += 1 + command->also->len;
      (*confirmed)++;
    }
  g_ptr_array_set_size (commands, 0);
  return sd_sync_run_commit (run, error);

failed:
  sd_store_rollback (run->store);
  return FALSE;
}

static PushCommand *
push_command_new (SdJournalEntry *entry,
                  SdEntity        entity,
                  gboolean        creates)
{
  PushCommand *command = g_new0 (PushCommand, 1);

  command->journal_id = entry->id;
  command->entity = entity;
  command->local_id = entry->entity_id;
  command->creates = creates;
  command->also = g_array_new (FALSE, FALSE, sizeof (gint64));
  return command;
}

/* One pass over the outbox; *@acted says whether anything was sent or settled. */
static gboolean
push_round (SdSyncRun  *run,
            gboolean   *acted,
            guint      *confirmed,
            GError    **error)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) commands = g_ptr_array_new_with_free_func ((GDestroyNotify) push_command_free);
  g_autoptr(GHashTable) creating = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) created_in = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  SdB24Batch *batch = sd_b24_batch_new ();
  gboolean ok = FALSE;

  *acted = FALSE;
  entries = sd_store_list_outbox (run->store, sd_sync_pushed_entities (), 2000, error);
  if (entries == NULL || !recover_creations (run, entries, error))
    goto out;

  for (guint i = 0; i < entries->len; i++)
    {
      SdJournalEntry *entry = entries->pdata[i];
      g_autofree char *key = NULL;
      g_autofree char *missing = NULL;
      g_autoptr(JsonObject) params = NULL;
      g_autoptr(JsonObject) fields = NULL;
      g_autoptr(GPtrArray) changed = NULL;
      g_autofree char *method = NULL;
      g_autofree char *command_key = NULL;
      PushCommand *command;
      SdEntity entity;
      gint64 b24_id = 0;

      if (sd_sync_run_cancelled (run, error))
        goto out;
      if (!sd_entity_from_name (entry->entity, &entity))
        continue;
      /* Parts of deals with a step of their own (timeline, tasks). */
      if (sd_sync_kind_for (entity) == NULL && entity != SD_ENTITY_DEAL_FIELD)
        continue;
      key = row_key (entity, entry->entity_id);
      if (g_hash_table_contains (run->held, key))
        continue;
      if (sd_store_has_conflict (run->store, entity, entry->entity_id, NULL))
        {
          /* Nothing of a row in conflict goes out before the user has chosen. */
          hold (run, entity, entry->entity_id);
          continue;
        }
      /* A mapped user field goes out as an update of its deal. */
      if (entity == SD_ENTITY_DEAL_FIELD)
        {
          gboolean deleted = strcmp (entry->op, "delete") == 0;
          const SdB24Field *field;
          g_autofree char *deal_key = NULL;
          g_autofree char *portal_value = NULL;
          SdValue deal = { SD_VALUE_NUMBER, 0, NULL }, field_id = { SD_VALUE_NUMBER, 0, NULL };
          SdValue value = { SD_VALUE_NULL, 0, NULL };

          if (deleted)
            {
              deal.number = sd_sync_entry_old_int (entry, "deal_id");
              field_id.number = sd_sync_entry_old_int (entry, "field_id");
            }
          else if (!row_exists (run, entity, entry->entity_id)
                   || !sd_store_read_value (run->store, entity, entry->entity_id, "deal_id", &deal, NULL)
                   || !sd_store_read_value (run->store, entity, entry->entity_id, "field_id", &field_id, NULL)
                   || !sd_store_read_value (run->store, entity, entry->entity_id, "value", &value, NULL))
            deal.number = 0;
          field = find_b24_field (run, field_id.number);
          deal_key = row_key (SD_ENTITY_DEAL, deal.number);
          /* Its deal deleted there: the user's choice comes first. */
          if (sd_store_has_conflict (run->store, SD_ENTITY_DEAL, deal.number, SD_CONFLICT_DELETED))
            {
              sd_value_clear (&value);
              hold (run, entity, entry->entity_id);
              continue;
            }
          if (field != NULL && g_hash_table_contains (creating, deal_key))
            {
              g_hash_table_remove_all (created_in);
              if (!flush (run, &batch, commands, creating, confirmed, error))
                {
                  sd_value_clear (&value);
                  goto out;
                }
            }
          if (field == NULL || deal.number == 0
              || !sd_store_get_b24_id (run->store, SD_ENTITY_DEAL, deal.number, &b24_id))
            {
              gboolean waits = field != NULL && deal.number != 0 && row_exists (run, SD_ENTITY_DEAL, deal.number);

              sd_value_clear (&value);
              /* Not a field the portal has, or its deal is gone: nothing to send. A deal
               * not created there yet holds its fields back, for this round only: its
               * creation may come later in the outbox (a deal deleted there and kept
               * here is queued again after its fields' edits). */
              if (!waits && !sd_store_mark_pushed (run->store, entry->id, error))
                goto out;
              *acted = *acted || !waits;
              continue;
            }
          portal_value = sd_sync_map_uf_push (run->store, field, deleted ? NULL : value.text);
          sd_value_clear (&value);
          fields = json_object_new ();
          json_object_set_string_member (fields, field->b24_field, portal_value);
          params = json_object_new ();
          json_object_set_int_member (params, "id", b24_id);
          json_object_set_object_member (params, "fields", g_steal_pointer (&fields));
          command_key = g_strdup_printf ("w%u", commands->len);
          sd_b24_batch_add (batch, command_key, "crm.deal.update", params);
          g_ptr_array_add (commands, push_command_new (entry, entity, FALSE));
          *acted = TRUE;
          if (commands->len >= SD_B24_BATCH_MAX)
            {
              g_hash_table_remove_all (created_in);
              if (!flush (run, &batch, commands, creating, confirmed, error))
                goto out;
            }
          continue;
        }
      /* A later change of a row created in this batch rode along with its creation. */
      if (g_hash_table_contains (created_in, key) && strcmp (entry->op, "update") == 0)
        {
          PushCommand *creation = g_hash_table_lookup (created_in, key);
          g_array_append_val (creation->also, entry->id);
          continue;
        }
      /* A row that needs a server id from this batch waits for the batch's answer. */
      missing = row_exists (run, entity, entry->entity_id)
                ? missing_reference (run, entity, entry->entity_id) : NULL;
      if ((missing != NULL && g_hash_table_contains (creating, missing))
          || g_hash_table_contains (creating, key))
        {
          g_hash_table_remove_all (created_in);
          if (!flush (run, &batch, commands, creating, confirmed, error))
            goto out;
          *acted = TRUE;
          g_clear_pointer (&missing, g_free);
          missing = row_exists (run, entity, entry->entity_id)
                    ? missing_reference (run, entity, entry->entity_id) : NULL;
        }

      if (strcmp (entry->op, "delete") == 0)
        {
          changed = entry_fields (entry, &b24_id);
          if (b24_id <= 0)
            {
              /* Never reached the portal: nothing to delete there. */
              if (!sd_store_mark_pushed (run->store, entry->id, error))
                goto out;
              *acted = TRUE;
              continue;
            }
          params = json_object_new ();
          json_object_set_int_member (params, "id", b24_id);
          method = g_strconcat (sd_sync_kind_for (entity)->methods, ".delete", NULL);
          command = push_command_new (entry, entity, FALSE);
        }
      else if (!row_exists (run, entity, entry->entity_id))
        {
          /* Deleted since: its delete entry (or the portal's deletion) says the rest. */
          if (!sd_store_mark_pushed (run->store, entry->id, error))
            goto out;
          *acted = TRUE;
          continue;
        }
      else if (missing != NULL)
        {
          hold (run, entity, entry->entity_id);
          continue;
        }
      else if (strcmp (entry->op, "insert") == 0)
        {
          g_autofree char *client = NULL;

          if (sd_store_get_b24_id (run->store, entity, entry->entity_id, &b24_id))
            {
              /* Found by its client key: the creation did happen. */
              if (!sd_store_mark_pushed (run->store, entry->id, error))
                goto out;
              *acted = TRUE;
              continue;
            }
          if ((fields = row_fields (run, entity, entry->entity_id, sd_sync_map_fields (entity), TRUE,
                                    error)) == NULL)
            goto out;
          client = client_key (run, entity, entry->entity_id);
          json_object_set_string_member (fields, SD_SYNC_KEY_FIELD, client);
          params = json_object_new ();
          json_object_set_object_member (params, "fields", g_steal_pointer (&fields));
          method = g_strconcat (sd_sync_kind_for (entity)->methods, ".add", NULL);
          command = push_command_new (entry, entity, TRUE);
          g_hash_table_add (creating, g_strdup (key));
          g_hash_table_insert (created_in, g_strdup (key), command);
        }
      else
        {
          if (!sd_store_get_b24_id (run->store, entity, entry->entity_id, &b24_id))
            {
              hold (run, entity, entry->entity_id);
              continue;
            }
          changed = entry_fields (entry, &b24_id);
          sd_store_get_b24_id (run->store, entity, entry->entity_id, &b24_id);
          /* The row's current values: several edits of a field send its latest. */
          if ((fields = row_fields (run, entity, entry->entity_id,
                                    (const char * const *) changed->pdata, FALSE, error)) == NULL)
            goto out;
          if (json_object_get_size (fields) == 0)
            {
              /* Only fields the portal does not hold. */
              if (!sd_store_mark_pushed (run->store, entry->id, error))
                goto out;
              *acted = TRUE;
              continue;
            }
          params = json_object_new ();
          json_object_set_int_member (params, "id", b24_id);
          json_object_set_object_member (params, "fields", g_steal_pointer (&fields));
          method = g_strconcat (sd_sync_kind_for (entity)->methods, ".update", NULL);
          command = push_command_new (entry, entity, FALSE);
        }

      command_key = g_strdup_printf ("w%u", commands->len);
      sd_b24_batch_add (batch, command_key, method, params);
      g_ptr_array_add (commands, command);
      *acted = TRUE;
      if (commands->len >= SD_B24_BATCH_MAX)
        {
          g_hash_table_remove_all (created_in);
          if (!flush (run, &batch, commands, creating, confirmed, error))
            goto out;
        }
    }
  g_hash_table_remove_all (created_in);
  ok = flush (run, &batch, commands, creating, confirmed, error);

out:
  sd_b24_batch_free (batch);
  return ok;
}

gboolean
sd_sync_push_outbox (SdSyncRun  *run,
                     GError    **error)
{
  guint idle = 0;

  sd_sync_run_progress (run, _("Sending changes"));
  while (idle < PUSH_ROUNDS)
    {
      gboolean acted = FALSE;
      guint confirmed = 0;

      if (!push_round (run, &acted, &confirmed, error))
        return FALSE;
      sd_sync_run_set_waiting (run, sd_store_count_outbox (run->store, sd_sync_waiting_entities ()));
      sd_sync_run_progress (run, NULL);
      if (!acted)
        break;
      if (confirmed > 0)
        idle = 0;
      else
        {
          /* Whole batches failed: the portal is struggling; give it a moment. */
          idle++;
          if (!g_cancellable_is_cancelled (run->cancellable))
            g_usleep ((gulong) MIN (8.0, 0.25 * (1 << MIN (idle, 5u))) * G_USEC_PER_SEC);
        }
    }
  return TRUE;
}
