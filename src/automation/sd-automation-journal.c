/* sd-automation-journal.c: events from the journal.
 *
 * Every change made through the store is in the journal, whoever made it: a person at this
 * desktop or the portal through the sync. Reading it from a cursor gives the engine every
 * event without each window having to report it, and keying each event by its entry
 * ("journal:ID") makes reading an entry twice harmless. The system's own local writes
 * (rules, playbook installs) are skipped: a rule's consequences are handled with the rule,
 * and set-up data is not something that happened to a deal.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-automation-private.h"
#include "sd-automation-db.h"
#include "sd-records.h"

#include <string.h>

#define CURSOR_KEY "automation.journal_cursor"
#define PAGE 500

/* The new value of @field in an entry's changes, or NULL. */
static JsonNode *
new_value (JsonObject *changes,
           const char *field)
{
  JsonArray *pair;

  if (changes == NULL || !json_object_has_member (changes, field))
    return NULL;
  pair = json_object_get_array_member (changes, field);
  return pair != NULL && json_array_get_length (pair) == 2 ? json_array_get_element (pair, 1) : NULL;
}

static const char *
new_text (JsonObject *changes,
          const char *field)
{
  JsonNode *node = new_value (changes, field);
  return node != NULL && JSON_NODE_HOLDS_VALUE (node)
         && json_node_get_value_type (node) == G_TYPE_STRING ? json_node_get_string (node) : NULL;
}

static gboolean
handle (SdAutomation   *self,
        SdEventKind     kind,
        const SdJournalEntry *entry,
        const char     *field,
        const char     *file_kind,
        GError        **error)
{
  g_autofree char *instance = g_strdup_printf ("journal:%" G_GINT64_FORMAT, entry->id);
  SdAutomationEvent event = { kind, entry->deal_id, entry->author_id, field, file_kind, instance };
  g_autoptr(GError) local = NULL;

  /* A savepoint inside the batch's transaction: a failing event undoes only its own work,
   * is reported, and the others go on. */
  if (!sd_automation_handle (self, &event, &local)
      /* A deal deleted since (later in the journal) has nothing left to run. */
      && !g_error_matches (local, SD_STORE_ERROR, SD_STORE_ERROR_NOT_FOUND))
    sd_automation_report_failure (self, entry->deal_id, local);
  return TRUE;
}

static gboolean
entry_events (SdAutomation         *self,
              const SdJournalEntry *entry,
              GError              **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonObject *changes = NULL;

  if (entry->deal_id == 0 || strcmp (entry->op, "delete") == 0)
    return TRUE;
  if (json_parser_load_from_data (parser, entry->changes, -1, NULL)
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    changes = json_node_get_object (json_parser_get_root (parser));

  if (strcmp (entry->entity, "deal") == 0 && strcmp (entry->op, "insert") == 0)
    return handle (self, SD_EVENT_ENTERED, entry, NULL, NULL, error)
           && handle (self, SD_EVENT_CREATED, entry, NULL, NULL, error)
           && (g_strcmp0 (new_text (changes, "source"), "form") != 0
               || handle (self, SD_EVENT_FORM_RECEIVED, entry, NULL, NULL, error));
  if (strcmp (entry->entity, "deal") == 0)
    {
      g_autoptr(GList) fields = changes != NULL ? json_object_get_members (changes) : NULL;

      for (GList *l = fields; l != NULL; l = l->next)
        if (!(strcmp (l->data, "stage_id") == 0
              ? handle (self, SD_EVENT_ENTERED, entry, NULL, NULL, error)
              : handle (self, SD_EVENT_FIELD_CHANGED, entry, g_intern_string (l->data), NULL, error)))
          return FALSE;
      return TRUE;
    }
  if (strcmp (entry->entity, "deal_field") == 0)
    {
      g_autofree char *code = sd_automation_db_field_code (self->store, entry->entity_id);
      return code == NULL
             || handle (self, SD_EVENT_FIELD_CHANGED, entry, g_intern_string (code), NULL, error);
    }
  if (strcmp (entry->entity, "file") == 0 && strcmp (entry->op, "insert") == 0)
    {
      const char *kind = new_text (changes, "kind");
      return handle (self, SD_EVENT_FILE_ATTACHED, entry, NULL,
                     g_intern_string (kind != NULL ? kind : "document"), error);
    }
  if (strcmp (entry->entity, "payment") == 0 && strcmp (entry->op, "insert") == 0)
    return handle (self, SD_EVENT_PAYMENT_ADDED, entry, NULL, NULL, error);
  /* A person choosing the responsible; the portal's own assignments are its business. */
  if (strcmp (entry->entity, "deal_responsible") == 0 && entry->author_id != 0
      && new_value (changes, "user_id") != NULL)
    return handle (self, SD_EVENT_ASSIGNED, entry, NULL, NULL, error);
  return TRUE;
}

/* Reads up to @limit entries from the cursor in one transaction (pages of PAGE); returns
 * how many were read, or -1. */
static gint
process_some (SdAutomation  *self,
              guint          limit,
              GError       **error)
{
  g_autofree char *cursor_text = sd_store_get_meta (self->store, CURSOR_KEY);
  g_autofree char *value = NULL;
  gint64 cursor = cursor_text != NULL ? g_ascii_strtoll (cursor_text, NULL, 10) : 0;
  g_autoptr(GPtrArray) first = NULL;
  gint read = 0;

  /* Nothing new (the engine's own commits come back here): no transaction. */
  first = sd_store_list_journal (self->store, cursor, 0, MIN (PAGE, limit), error);
  if (first == NULL)
    return -1;
  if (first->len == 0)
    return 0;
  if (!sd_store_begin (self->store, error))
    return -1;
  while ((guint) read < limit)
    {
      g_autoptr(GPtrArray) entries = first != NULL
        ? g_steal_pointer (&first)
        : sd_store_list_journal (self->store, cursor, 0, MIN (PAGE, limit - read), error);

      if (entries == NULL)
        {
          sd_store_rollback (self->store);
          return -1;
        }
      for (guint i = 0; i < entries->len; i++)
        {
          const SdJournalEntry *entry = entries->pdata[i];
          gboolean system = entry->author_id == 0 && g_strcmp0 (entry->origin, "remote") != 0;

          if (!system && !entry_events (self, entry, error))
            {
              sd_store_rollback (self->store);
              return -1;
            }
          cursor = entry->id;
          read++;
        }
      if (entries->len < PAGE)
        break;
    }
  if (read == 0)
    {
      sd_store_rollback (self->store);
      return 0;
    }
  /* Only an optimisation: the entries' keys already make a second reading harmless. */
  value = g_strdup_printf ("%" G_GINT64_FORMAT, cursor);
  if (!sd_store_set_meta (self->store, CURSOR_KEY, value, error))
    {
      sd_store_rollback (self->store);
      return -1;
    }
  if (!sd_store_commit (self->store, error))
    return -1;
  if (!sd_store_in_transaction (self->store))
    sd_automation_emit_notifications (self);
  return read;
}

gint
sd_automation_process_journal_max (SdAutomation  *self,
                                   guint          max_entries,
                                   GError       **error)
{
  g_return_val_if_fail (SD_IS_AUTOMATION (self), -1);
  g_return_val_if_fail (max_entries > 0, -1);

  return process_some (self, max_entries, error);
}

gint
sd_automation_process_journal (SdAutomation  *self,
                               GError       **error)
{
  gint read = 0;

  g_return_val_if_fail (SD_IS_AUTOMATION (self), -1);
  for (;;)
    {
      gint n = process_some (self, SD_AUTOMATION_JOURNAL_BATCH, error);

      if (n < 0)
        return -1;
      /* The engine's own writes follow the entries read: the cursor passes them too. */
      if (n == 0)
        return read;
      read += n;
    }
}

gboolean
sd_automation_start_from_now (SdAutomation  *self,
                              GError       **error)
{
  g_autofree char *cursor = sd_store_get_meta (self->store, CURSOR_KEY);
  g_autofree char *last = NULL;

  g_return_val_if_fail (SD_IS_AUTOMATION (self), FALSE);
  if (cursor != NULL)
    return TRUE;
  last = g_strdup_printf ("%" G_GINT64_FORMAT, sd_store_get_last_journal_id (self->store));
  return sd_store_set_meta (self->store, CURSOR_KEY, last, error);
}
