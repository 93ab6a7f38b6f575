/* sd-sync-parties.c: what a client's card holds beside its row: a contact's phones and
 * e-mails (contact_channels), a company's phone and e-mail, and its INN/KPP/OGRN (the
 * requisite).
 *
 * On the portal these are multi-fields (PHONE, EMAIL: entries with their own IDs,
 * reference §7.3) and a requisite row (crm.requisite.*, §7.6), so a local change cannot
 * go out as one field of the row's update. Instead, the clients whose channels or
 * requisite fields changed here are remembered (meta "sync.parties.pending", kept across
 * syncs, collected from the outbox before anything is pulled so that a pull does not
 * overwrite them), and after the rows are pushed each such client is read from the portal
 * (crm.contact.get / crm.company.get, crm.requisite.list) and brought to the local state:
 * entries missing there are added, entries not here are deleted by their ID, the
 * requisite is updated or added. Because every round starts from what the portal holds,
 * a round whose answer was lost is simply done again, with no duplicate.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-sync"

#include "sd-sync-run.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#define PENDING_KEY "sync.parties.pending"
/* Clients a request: a read and a write command each. */
#define PARTIES_A_BATCH (SD_B24_BATCH_MAX / 2)

static const char *const requisite_columns[] = { "inn", "kpp", "ogrn", NULL };

static char *
party_key (SdEntity entity,
           gint64   id)
{
  return g_strdup_printf ("%s:%" G_GINT64_FORMAT, entity == SD_ENTITY_CONTACT ? "contact" : "company", id);
}

static gboolean
parse_key (const char *key,
           SdEntity   *entity,
           gint64     *id)
{
  const char *colon = strchr (key, ':');

  if (colon == NULL)
    return FALSE;
  *entity = g_str_has_prefix (key, "contact:") ? SD_ENTITY_CONTACT : SD_ENTITY_COMPANY;
  *id = g_ascii_strtoll (colon + 1, NULL, 10);
  return *id > 0;
}

static gboolean
save_pending (SdSyncRun  *run,
              GError    **error)
{
  g_autoptr(JsonArray) keys = json_array_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, run->parties);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    json_array_add_string_element (keys, key);
  node = json_node_init_array (json_node_alloc (), keys);
  text = json_to_string (node, FALSE);
  return sd_store_set_meta (run->store, PENDING_KEY, text, error);
}

static gboolean
changes_touch (SdJournalEntry     *entry,
               const char * const *columns)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonObject *changes;

  if (!json_parser_load_from_data (parser, entry->changes, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return FALSE;
  changes = json_node_get_object (json_parser_get_root (parser));
  for (guint i = 0; columns[i] != NULL; i++)
    if (json_object_has_member (changes, columns[i]))
      return TRUE;
  return FALSE;
}

gboolean
sd_sync_collect_parties (SdSyncRun  *run,
                         GError    **error)
{
  static const char *const entities[] = { "contact_channel", "company", NULL };
  static const char *const company_columns[] = { "phone", "email", "inn", "kpp", "ogrn", NULL };
  g_autofree char *saved = sd_store_get_meta (run->store, PENDING_KEY);
  g_autoptr(GPtrArray) entries = NULL;

  run->parties = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  run->channel_entries = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                                (GDestroyNotify) g_array_unref);
  if (saved != NULL)
    {
      g_autoptr(JsonNode) node = json_from_string (saved, NULL);

      for (guint i = 0; node != NULL && JSON_NODE_HOLDS_ARRAY (node)
                        && i < json_array_get_length (json_node_get_array (node)); i++)
        g_hash_table_add (run->parties, g_strdup (json_array_get_string_element (json_node_get_array (node), i)));
    }
  if ((entries = sd_store_list_outbox (run->store, entities, G_MAXINT, error)) == NULL)
    return FALSE;
  for (guint i = 0; i < entries->len; i++)
    {
      SdJournalEntry *entry = entries->pdata[i];

      if (strcmp (entry->entity, "contact_channel") == 0)
        {
          gint64 contact = sd_sync_entry_old_int (entry, "contact_id");
          GArray *ids;

          if (contact <= 0)
            contact = sd_sync_read_int (run, SD_ENTITY_CONTACT_CHANNEL, entry->entity_id, "contact_id");
          if (contact <= 0)
            {
              /* An insert holds [null, contact]: read the row. */
              contact = sd_sync_read_int (run, SD_ENTITY_CONTACT_CHANNEL, entry->entity_id, "contact_id");
            }
          if (contact <= 0)
            {
              /* Its contact is gone: nothing to send. */
              if (!sd_store_mark_pushed (run->store, entry->id, error))
                return FALSE;
              continue;
            }
          g_hash_table_add (run->parties, party_key (SD_ENTITY_CONTACT, contact));
          ids = g_hash_table_lookup (run->channel_entries, &contact);
          if (ids == NULL)
            {
              ids = g_array_new (FALSE, FALSE, sizeof (gint64));
              g_hash_table_insert (run->channel_entries, g_memdup2 (&contact, sizeof contact), ids);
            }
          g_array_append_val (ids, entry->id);
        }
      else if (strcmp (entry->op, "delete") != 0 && changes_touch (entry, company_columns))
        g_hash_table_add (run->parties, party_key (SD_ENTITY_COMPANY, entry->entity_id));
    }
  return save_pending (run, error);
}

gboolean
sd_sync_party_held (SdSyncRun *run,
                    SdEntity   entity,
                    gint64     id)
{
  g_autofree char *key = NULL;

  if (run->parties == NULL)
    return FALSE;
  key = party_key (entity, id);
  return g_hash_table_contains (run->parties, key);
}

/* The local entries of @kind ("phone", "email") of a client, as "VALUE\tVALUE_TYPE". */
static GPtrArray *
local_entries (SdSyncRun  *run,
               SdEntity    entity,
               gint64      id,
               const char *kind)
{
  GPtrArray *wanted = g_ptr_array_new_with_free_func (g_free);

  if (entity == SD_ENTITY_COMPANY)
    {
      g_autofree char *value = sd_sync_read_text (run, SD_ENTITY_COMPANY, id, kind);

      if (value != NULL && *value != '\0')
        g_ptr_array_add (wanted, g_strdup_printf ("%s\tWORK", value));
    }
  else
    {
      g_autoptr(GArray) rows = sd_store_list_referencing (run->store, SD_ENTITY_CONTACT_CHANNEL, "contact_id", id,
                                                          NULL);

      for (guint i = 0; rows != NULL && i < rows->len; i++)
        {
          gint64 row = g_array_index (rows, gint64, i);
          g_autofree char *row_kind = sd_sync_read_text (run, SD_ENTITY_CONTACT_CHANNEL, row, "kind");
          g_autofree char *value = sd_sync_read_text (run, SD_ENTITY_CONTACT_CHANNEL, row, "value");
          g_autofree char *type = sd_sync_read_text (run, SD_ENTITY_CONTACT_CHANNEL, row, "value_type");

          if (g_strcmp0 (row_kind, kind) == 0 && value != NULL && *value != '\0')
            g_ptr_array_add (wanted, g_strdup_printf ("%s\t%s", value, type != NULL ? type : "WORK"));
        }
    }
  return wanted;
}

/* The entries that bring the portal's multi-field @portal to @wanted; NULL when they
 * agree. A company keeps one value here, the portal's first entry: that entry is
 * changed in place, the others are left alone. */
static JsonArray *
multi_changes (JsonNode  *portal,
               GPtrArray *wanted,
               gboolean   first_only)
{
  JsonArray *out = json_array_new ();
  JsonArray *have = portal != NULL && JSON_NODE_HOLDS_ARRAY (portal) ? json_node_get_array (portal) : NULL;
  g_autoptr(GHashTable) matched = g_hash_table_new (g_direct_hash, g_direct_equal);
  guint n_have = have != NULL ? json_array_get_length (have) : 0;

  if (first_only)
    {
      JsonObject *first = n_have > 0 ? json_array_get_object_element (have, 0) : NULL;
      g_autofree char *value = first != NULL ? sd_sync_dup_string (first, "VALUE") : NULL;
      g_auto(GStrv) parts = wanted->len > 0 ? g_strsplit (wanted->pdata[0], "\t", 2) : NULL;

      if (g_strcmp0 (value, parts != NULL ? parts[0] : NULL) != 0)
        {
          JsonObject *entry = json_object_new ();

          if (first != NULL)
            json_object_set_int_member (entry, "ID", sd_sync_get_id (first, "ID"));
          if (parts == NULL)
            json_object_set_string_member (entry, "DELETE", "Y");
          else
            {
              g_autofree char *type = first != NULL ? sd_sync_dup_string (first, "VALUE_TYPE") : NULL;

              json_object_set_string_member (entry, "VALUE", parts[0]);
              json_object_set_string_member (entry, "VALUE_TYPE", type != NULL ? type : parts[1]);
            }
          json_array_add_object_element (out, entry);
        }
    }
  else
    {
      for (guint w = 0; w < wanted->len; w++)
        {
          g_auto(GStrv) parts = g_strsplit (wanted->pdata[w], "\t", 2);
          gboolean found = FALSE;

          for (guint h = 0; h < n_have && !found; h++)
            {
              JsonObject *entry = json_array_get_object_element (have, h);
              g_autofree char *value = entry != NULL ? sd_sync_dup_string (entry, "VALUE") : NULL;
              g_autofree char *type = entry != NULL ? sd_sync_dup_string (entry, "VALUE_TYPE") : NULL;

              if (!g_hash_table_contains (matched, GUINT_TO_POINTER (h + 1))
                  && g_strcmp0 (value, parts[0]) == 0 && g_strcmp0 (type, parts[1]) == 0)
                {
                  g_hash_table_add (matched, GUINT_TO_POINTER (h + 1));
                  found = TRUE;
                }
            }
          if (!found)
            {
              JsonObject *add = json_object_new ();

              json_object_set_string_member (add, "VALUE", parts[0]);
              json_object_set_string_member (add, "VALUE_TYPE", parts[1]);
              json_array_add_object_element (out, add);
            }
        }
      for (guint h = 0; h < n_have; h++)
        {
          JsonObject *entry = json_array_get_object_element (have, h);
          JsonObject *drop;

          if (g_hash_table_contains (matched, GUINT_TO_POINTER (h + 1)) || entry == NULL)
            continue;
          drop = json_object_new ();
          json_object_set_int_member (drop, "ID", sd_sync_get_id (entry, "ID"));
          json_object_set_string_member (drop, "DELETE", "Y");
          json_array_add_object_element (out, drop);
        }
    }
  if (json_array_get_length (out) == 0)
    {
      json_array_unref (out);
      return NULL;
    }
  return out;
}

typedef struct
{
  char     *key;
  SdEntity  entity;
  gint64    id;
  gint64    b24_id;
  gboolean  written;   /* a write command was sent for it */
  guint     update_cmd;
  guint     requisite_cmd;
} Party;

static void
party_free (Party *party)
{
  g_free (party->key);
  g_free (party);
}

/* The fields and the requisite of @party that differ from the portal's @row /
 * @requisites, added to @batch; FALSE if nothing differs. */
static gboolean
plan_writes (SdSyncRun   *run,
             Party       *party,
             JsonObject  *row,
             JsonArray   *requisites,
             SdB24Batch  *batch)
{
  static const struct { const char *member; const char *kind; } multi[] = {
    { "PHONE", "phone" }, { "EMAIL", "email" },
  };
  gboolean company = party->entity == SD_ENTITY_COMPANY;
  g_autoptr(JsonObject) fields = json_object_new ();
  gboolean any = FALSE;

  for (guint m = 0; m < G_N_ELEMENTS (multi); m++)
    {
      g_autoptr(GPtrArray) wanted = local_entries (run, party->entity, party->id, multi[m].kind);
      JsonArray *change = multi_changes (json_object_get_member (row, multi[m].member), wanted, company);

      if (change != NULL)
        json_object_set_array_member (fields, multi[m].member, change);
    }
  if (json_object_get_size (fields) > 0)
    {
      g_autoptr(JsonObject) params = json_object_new ();
      g_autofree char *key = g_strdup_printf ("w%u", sd_b24_batch_get_size (batch));

      json_object_set_int_member (params, "id", party->b24_id);
      json_object_set_object_member (params, "fields", g_steal_pointer (&fields));
      party->update_cmd = sd_b24_batch_get_size (batch) + 1;
      sd_b24_batch_add (batch, key, company ? "crm.company.update" : "crm.contact.update", params);
      any = TRUE;
    }
  if (company)
    {
      static const char *const members[] = { "RQ_INN", "RQ_KPP", "RQ_OGRN" };
      /* The pull takes the last requisite in ID order (sd-sync-pull.c): that one. */
      JsonObject *existing = requisites != NULL && json_array_get_length (requisites) > 0
                             ? json_array_get_object_element (requisites, json_array_get_length (requisites) - 1)
                             : NULL;
      g_autoptr(JsonObject) rq = json_object_new ();
      gboolean differs = FALSE, have_any = FALSE;

      for (guint c = 0; requisite_columns[c] != NULL; c++)
        {
          g_autofree char *mine = sd_sync_read_text (run, SD_ENTITY_COMPANY, party->id, requisite_columns[c]);
          g_autofree char *theirs = existing != NULL ? sd_sync_dup_string (existing, members[c]) : NULL;

          have_any = have_any || (mine != NULL && *mine != '\0');
          if (g_strcmp0 (mine != NULL ? mine : "", theirs != NULL ? theirs : "") != 0)
            differs = TRUE;
          json_object_set_string_member (rq, members[c], mine != NULL ? mine : "");
        }
      if (differs && (existing != NULL || have_any))
        {
          g_autoptr(JsonObject) params = json_object_new ();
          g_autofree char *key = g_strdup_printf ("w%u", sd_b24_batch_get_size (batch));

          if (existing != NULL)
            {
              json_object_set_int_member (params, "id", sd_sync_get_id (existing, "ID"));
              json_object_set_object_member (params, "fields", g_steal_pointer (&rq));
              party->requisite_cmd = sd_b24_batch_get_size (batch) + 1;
              sd_b24_batch_add (batch, key, "crm.requisite.update", params);
            }
          else
            {
              g_autofree char *title = sd_sync_read_text (run, SD_ENTITY_COMPANY, party->id, "title");

              json_object_set_int_member (rq, "ENTITY_TYPE_ID", 4);
              json_object_set_int_member (rq, "ENTITY_ID", party->b24_id);
              json_object_set_int_member (rq, "PRESET_ID", 1);
              json_object_set_string_member (rq, "NAME", title != NULL ? title : "—");
              json_object_set_object_member (params, "fields", g_steal_pointer (&rq));
              party->requisite_cmd = sd_b24_batch_get_size (batch) + 1;
              sd_b24_batch_add (batch, key, "crm.requisite.add", params);
            }
          any = TRUE;
        }
    }
  return any;
}

/* Settles @party: its channel entries are marked sent and it leaves the pending set. */
static gboolean
settled (SdSyncRun  *run,
         Party      *party,
         GError    **error)
{
  if (party->entity == SD_ENTITY_CONTACT)
    {
      GArray *ids = g_hash_table_lookup (run->channel_entries, &party->id);

      for (guint i = 0; ids != NULL && i < ids->len; i++)
        {
          if (!sd_store_mark_pushed (run->store, g_array_index (ids, gint64, i), error))
            return FALSE;
          run->report.pushed++;
        }
    }
  else if (party->written)
    run->report.pushed++;
  g_hash_table_remove (run->parties, party->key);
  return TRUE;
}

static gboolean
push_round (SdSyncRun  *run,
            GPtrArray  *parties,
            GError    **error)
{
  g_autoptr(SdB24Batch) read = sd_b24_batch_new ();
  g_autoptr(SdB24Batch) write = sd_b24_batch_new ();
  g_autoptr(JsonObject) seen = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(GError) send_error = NULL;

  for (guint i = 0; i < parties->len; i++)
    {
      Party *party = parties->pdata[i];
      g_autoptr(JsonObject) get = json_object_new ();
      g_autofree char *key = g_strdup_printf ("g%u", i);

      json_object_set_int_member (get, "id", party->b24_id);
      sd_b24_batch_add (read, key, party->entity == SD_ENTITY_COMPANY ? "crm.company.get" : "crm.contact.get", get);
      if (party->entity == SD_ENTITY_COMPANY)
        {
          g_autoptr(JsonObject) list = json_object_new ();
          JsonObject *filter = json_object_new ();
          JsonObject *order = json_object_new ();
          static const char *const select[] = { "ID", "RQ_INN", "RQ_KPP", "RQ_OGRN", NULL };
          g_autofree char *rkey = g_strdup_printf ("r%u", i);

          json_object_set_int_member (filter, "ENTITY_TYPE_ID", 4);
          json_object_set_int_member (filter, "ENTITY_ID", party->b24_id);
          json_object_set_string_member (order, "ID", "ASC");
          json_object_set_object_member (list, "filter", filter);
          json_object_set_object_member (list, "order", order);
          json_object_set_array_member (list, "select", sd_sync_string_array (select));
          sd_b24_batch_add (read, rkey, "crm.requisite.list", list);
        }
    }
  if ((seen = sd_b24_client_batch (run->client, read, SD_B24_CALL_READ, run->cancellable, error)) == NULL
      || !sd_store_begin (run->store, error))
    return FALSE;
  for (guint i = 0; i < parties->len; i++)
    {
      Party *party = parties->pdata[i];
      g_autofree char *key = g_strdup_printf ("g%u", i);
      g_autofree char *rkey = g_strdup_printf ("r%u", i);
      g_autoptr(GError) command_error = NULL;
      JsonNode *row = sd_b24_batch_get_result (seen, key, NULL, &command_error);
      JsonNode *requisites = party->entity == SD_ENTITY_COMPANY
                             ? sd_b24_batch_get_result (seen, rkey, NULL, NULL) : NULL;

      if (row == NULL || !JSON_NODE_HOLDS_OBJECT (row))
        {
          /* Gone there: the check removes it here; nothing to send. */
          if (g_error_matches (command_error, SD_B24_ERROR, SD_B24_ERROR_NOT_FOUND)
              && !settled (run, party, error))
            goto failed;
          continue;
        }
      if (party->entity == SD_ENTITY_COMPANY && (requisites == NULL || !JSON_NODE_HOLDS_ARRAY (requisites)))
        continue;
      if (plan_writes (run, party, json_node_get_object (row),
                       requisites != NULL ? json_node_get_array (requisites) : NULL, write))
        party->written = TRUE;
      else if (!settled (run, party, error))
        goto failed;
    }
  if (!save_pending (run, error) || !sd_sync_run_commit (run, error))
    return FALSE;
  if (sd_b24_batch_get_size (write) == 0)
    return TRUE;

  answer = sd_b24_client_batch (run->client, write, SD_B24_CALL_WRITE, run->cancellable, &send_error);
  if (answer == NULL)
    {
      if (!sd_b24_error_is_transient (send_error, TRUE))
        {
          g_propagate_error (error, g_steal_pointer (&send_error));
          return FALSE;
        }
      g_debug ("client card batch failed, kept for the next sync: %s", send_error->message);
      return TRUE;
    }
  if (!sd_store_begin (run->store, error))
    return FALSE;
  for (guint i = 0; i < parties->len; i++)
    {
      Party *party = parties->pdata[i];
      gboolean ok = party->written;

      for (guint c = 0; c < 2 && ok; c++)
        {
          guint command = c == 0 ? party->update_cmd : party->requisite_cmd;
          g_autofree char *key = command > 0 ? g_strdup_printf ("w%u", command - 1) : NULL;
          g_autoptr(GError) command_error = NULL;

          if (key != NULL && sd_b24_batch_get_result (answer, key, NULL, &command_error) == NULL)
            {
              g_debug ("%s refused: %s", party->key, command_error != NULL ? command_error->message : "?");
              ok = FALSE;
            }
        }
      if (ok && !settled (run, party, error))
        goto failed;
    }
  if (!save_pending (run, error))
    goto failed;
  return sd_sync_run_commit (run, error);

failed:
  sd_store_rollback (run->store);
  return FALSE;
}

gboolean
sd_sync_push_parties (SdSyncRun  *run,
                      GError    **error)
{
  g_autoptr(GPtrArray) parties = g_ptr_array_new_with_free_func ((GDestroyNotify) party_free);
  g_autoptr(GList) keys = NULL;

  if (run->parties == NULL || g_hash_table_size (run->parties) == 0)
    return TRUE;
  keys = g_hash_table_get_keys (run->parties);
  keys = g_list_sort (keys, (GCompareFunc) strcmp);
  for (GList *l = keys; l != NULL; l = l->next)
    {
      Party *party = g_new0 (Party, 1);

      party->key = g_strdup (l->data);
      if (!parse_key (party->key, &party->entity, &party->id))
        {
          party_free (party);
          continue;
        }
      /* A client in conflict waits for the user's choice: nothing of it goes out. */
      if (sd_store_has_conflict (run->store, party->entity, party->id, NULL))
        {
          party_free (party);
          continue;
        }
      if (!sd_store_get_b24_id (run->store, party->entity, party->id, &party->b24_id))
        {
          g_autofree char *name = sd_sync_read_text (run, party->entity, party->id,
                                                     party->entity == SD_ENTITY_CONTACT ? "first_name" : "title");
          gboolean exists = name != NULL;
          /* Not on the portal yet: it waits; gone here: forgotten. */
          if (!exists && !settled (run, party, error))
            {
              party_free (party);
              return FALSE;
            }
          party_free (party);
          continue;
        }
      g_ptr_array_add (parties, party);
    }
  g_clear_pointer (&keys, g_list_free);
  for (guint start = 0; start < parties->len; start += PARTIES_A_BATCH)
    {
      g_autoptr(GPtrArray) slice = g_ptr_array_new ();

      for (guint i = start; i < parties->len && i < start + PARTIES_A_BATCH; i++)
        g_ptr_array_add (slice, parties->pdata[i]);
      if (sd_sync_run_cancelled (run, error) || !push_round (run, slice, error))
        return FALSE;
    }
  return save_pending (run, error);
}

guint
sd_sync_parties_waiting (SdSyncRun *run)
{
  GHashTableIter iter;
  gpointer key;
  guint n = 0;

  if (run->parties == NULL)
    return 0;
  g_hash_table_iter_init (&iter, run->parties);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    n += g_str_has_prefix (key, "company:");
  return n;
}

/* --- Both sides changed a contact's channels ------------------------------------------ */

/* A channel's text at @index (0: before, 1: after) of @field in an entry's changes. */
static const char *
change_text (JsonObject *changes,
             const char *field,
             guint       index)
{
  JsonArray *pair = json_object_has_member (changes, field) ? json_object_get_array_member (changes, field) : NULL;
  JsonNode *node = pair != NULL && json_array_get_length (pair) == 2 ? json_array_get_element (pair, index) : NULL;

  return node != NULL && json_node_get_value_type (node) == G_TYPE_STRING ? json_node_get_string (node) : NULL;
}

static int
compare_text (gconstpointer a,
              gconstpointer b)
{
  return g_strcmp0 (*(char * const *) a, *(char * const *) b);
}

/* The contact's channels here (row id -> GStrv kind, value, type). */
static GHashTable *
read_channels (SdSyncRun  *run,
               gint64      contact,
               GError    **error)
{
  static const char *const columns[] = { "kind", "value", "value_type" };
  g_autoptr(GArray) here = sd_store_list_referencing (run->store, SD_ENTITY_CONTACT_CHANNEL, "contact_id",
                                                      contact, error);
  GHashTable *rows;

  if (here == NULL)
    return NULL;
  rows = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, (GDestroyNotify) g_strfreev);
  for (guint i = 0; i < here->len; i++)
    {
      gint64 id = g_array_index (here, gint64, i);
      char **row = g_new0 (char *, 4);

      for (guint c = 0; c < 3; c++)
        row[c] = sd_sync_read_text (run, SD_ENTITY_CONTACT_CHANNEL, id, columns[c]);
      g_hash_table_insert (rows, g_memdup2 (&id, sizeof id), row);
    }
  return rows;
}

/* Turns @rows (read_channels) into the channels both sides last agreed on: the unsent
 * entries of the contact undone, newest first; @touched gets the kinds they changed. */
static gboolean
undo_unsent (SdSyncRun   *run,
             gint64       contact,
             GHashTable  *rows,
             GHashTable  *touched,
             GError     **error)
{
  static const char *const entities[] = { "contact_channel", NULL };
  static const char *const columns[] = { "kind", "value", "value_type" };
  g_autoptr(GPtrArray) entries = sd_store_list_outbox (run->store, entities, G_MAXINT, error);
  GArray *mine = g_hash_table_lookup (run->channel_entries, &contact);

  if (entries == NULL)
    return FALSE;
  for (guint i = entries->len; i > 0; i--)
    {
      SdJournalEntry *entry = entries->pdata[i - 1];
      g_autoptr(JsonParser) parser = json_parser_new_immutable ();
      gboolean ours = FALSE;
      JsonObject *changes;
      char **row;

      for (guint m = 0; mine != NULL && m < mine->len && !ours; m++)
        ours = g_array_index (mine, gint64, m) == entry->id;
      if (!ours || !json_parser_load_from_data (parser, entry->changes, -1, NULL)
          || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        continue;
      changes = json_node_get_object (json_parser_get_root (parser));
      row = g_hash_table_lookup (rows, &entry->entity_id);
      if (row != NULL && row[0] != NULL)
        g_hash_table_add (touched, g_strdup (row[0]));
      if (strcmp (entry->op, "insert") == 0)
        {
          g_hash_table_remove (rows, &entry->entity_id);
          row = NULL;
        }
      else if (strcmp (entry->op, "delete") == 0)
        {
          row = g_new0 (char *, 4);
          for (guint c = 0; c < 3; c++)
            row[c] = g_strdup (change_text (changes, columns[c], 0));
          g_hash_table_insert (rows, g_memdup2 (&entry->entity_id, sizeof (gint64)), row);
        }
      else if (row != NULL)
        for (guint c = 0; c < 3; c++)
          if (json_object_has_member (changes, columns[c]))
            {
              g_free (row[c]);
              row[c] = g_strdup (change_text (changes, columns[c], 0));
            }
      if (row != NULL && row[0] != NULL)
        g_hash_table_add (touched, g_strdup (row[0]));
    }
  return TRUE;
}

/* The "VALUE\tTYPE" entries of @kind among @rows (read_channels), sorted. */
static GPtrArray *
entries_of (GHashTable *rows,
            const char *kind)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, rows);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      char **row = value;

      if (g_strcmp0 (row[0], kind) == 0 && row[1] != NULL && *row[1] != '\0')
        g_ptr_array_add (out, g_strdup_printf ("%s\t%s", row[1], row[2] != NULL ? row[2] : "WORK"));
    }
  g_ptr_array_sort (out, compare_text);
  return out;
}

static gboolean
same_entries (GPtrArray *a,
              GPtrArray *b)
{
  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    if (strcmp (a->pdata[i], b->pdata[i]) != 0)
      return FALSE;
  return TRUE;
}

static char *
join_entries (GPtrArray *entries)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < entries->len; i++)
    g_string_append_printf (text, "%s%s", i > 0 ? "\n" : "", (char *) entries->pdata[i]);
  return g_string_free (text, FALSE);
}

gboolean
sd_sync_merge_channels (SdSyncRun  *run,
                        gint64      contact,
                        GPtrArray  *portal,
                        gint64      author,
                        const char *at,
                        GError    **error)
{
  static const char *const kinds[] = { "phone", "email" };
  g_autoptr(GHashTable) touched = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) current = read_channels (run, contact, error);
  g_autoptr(GHashTable) agreed = current != NULL ? read_channels (run, contact, error) : NULL;

  if (agreed == NULL || !undo_unsent (run, contact, agreed, touched, error))
    return FALSE;
  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_autofree char *prefix = g_strconcat (kinds[k], "\t", NULL);
      g_autoptr(GPtrArray) theirs = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GPtrArray) sorted = g_ptr_array_new ();
      g_autoptr(GPtrArray) mine = entries_of (current, kinds[k]);
      g_autoptr(GPtrArray) base = entries_of (agreed, kinds[k]);
      g_autofree char *theirs_text = NULL, *mine_text = NULL;
      SdValue here = { SD_VALUE_STRING, 0, NULL }, there = { SD_VALUE_STRING, 0, NULL };

      for (guint i = 0; i < portal->len; i++)
        if (g_str_has_prefix (portal->pdata[i], prefix))
          g_ptr_array_add (theirs, g_strdup ((char *) portal->pdata[i] + strlen (prefix)));
      for (guint i = 0; i < theirs->len; i++)
        g_ptr_array_add (sorted, theirs->pdata[i]);
      g_ptr_array_sort (sorted, compare_text);
      if (same_entries (sorted, mine))
        continue;
      theirs_text = join_entries (theirs);
      /* Changed there only: taken. Changed here only: ours go there (sd_sync_push_parties). */
      if (!g_hash_table_contains (touched, kinds[k]))
        {
          g_ptr_array_add (theirs, NULL);
          if (!sd_store_replace_channels (run->store, contact, kinds[k], (const char * const *) theirs->pdata,
                                          error))
            return FALSE;
          continue;
        }
      there.text = theirs_text;
      if (same_entries (sorted, base) || sd_store_kept_against (run->store, SD_ENTITY_CONTACT, contact, kinds[k], &there))
        continue;
      mine_text = join_entries (mine);
      here.text = mine_text;
      if (!sd_store_add_conflict (run->store, SD_ENTITY_CONTACT, contact, kinds[k], &here, &there, author, at,
                                  error))
        return FALSE;
    }
  return TRUE;
}
