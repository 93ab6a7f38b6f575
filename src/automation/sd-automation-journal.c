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

/* One step of reading: a transaction over some entries. */
typedef struct
{
  SdAutomation *self;
  JsonParser   *parser;     /* one for the step: an object less an entry */
  gboolean      isolate;    /* a savepoint an event; else none, and a failure ends the pass */
  gboolean      failed;     /* (not isolated) an event failed: the pass is undone and redone */
} Step;

static gboolean
handle (Step                 *step,
        SdEventKind           kind,
        const SdJournalEntry *entry,
        const char           *field,
        const char           *file_kind,
        GError              **error)
{
  g_autofree char *instance = g_strdup_printf ("journal:%" G_GINT64_FORMAT, entry->id);
  SdAutomationEvent event = { kind, entry->deal_id, entry->author_id, field, file_kind, instance };
  g_autoptr(GError) local = NULL;

  if (sd_automation_handle (step->self, &event, &local)
      /* A deal deleted since (later in the journal) has nothing left to run. */
      || g_error_matches (local, SD_STORE_ERROR, SD_STORE_ERROR_NOT_FOUND))
    return TRUE;
  if (!step->isolate)
    {
      /* Without savepoints a failed event may have left half its work: the whole pass is
       * rolled back and done again with a savepoint an event. */
      step->failed = TRUE;
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  /* In its savepoint, a failing event undoes only its own work, is reported, and the
   * others go on. */
  sd_automation_report_failure (step->self, entry->deal_id, local);
  return TRUE;
}

/* ---- the member names of an entry's changes, without a JSON parser ----
 *
 * A deal update's changes are {"field": [old, new], …}, written by the store; their names
 * are all the engine needs of them, and json-glib's parser was a quarter of a rule-firing
 * event's time. Anything unexpected (an escaped name, a malformed text) falls back to the
 * parser. */

static const char *
skip_space (const char *p)
{
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
    p++;
  return p;
}

/* @p at a '"': just after the closing one, or NULL. */
static const char *
skip_string (const char *p)
{
  for (p++; *p != '\0'; p++)
    {
      if (*p == '\\')
        {
          if (*++p == '\0')
            return NULL;
        }
      else if (*p == '"')
        return p + 1;
    }
  return NULL;
}

static const char *
skip_value (const char *p)
{
  int depth = 0;

  p = skip_space (p);
  if (*p == '"')
    return skip_string (p);
  if (*p != '[' && *p != '{')
    {
      /* A number, true, false or null. */
      while (*p != '\0' && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\n')
        p++;
      return p;
    }
  while (*p != '\0')
    {
      if (*p == '"')
        {
          if ((p = skip_string (p)) == NULL)
            return NULL;
          continue;
        }
      if (*p == '[' || *p == '{')
        depth++;
      else if ((*p == ']' || *p == '}') && --depth == 0)
        return p + 1;
      p++;
    }
  return NULL;
}

/* The top-level member names of @json, interned, in order; FALSE if it is not the simple
 * shape expected. */
static gboolean
scan_members (const char *json,
              GPtrArray  *names)
{
  const char *p = skip_space (json);

  if (*p++ != '{')
    return FALSE;
  for (;;)
    {
      const char *start, *end;
      char name[128];

      p = skip_space (p);
      if (*p == '}')
        return TRUE;
      if (*p != '"' || (end = skip_string (p)) == NULL)
        return FALSE;
      start = p + 1;
      if ((gsize) (end - 1 - start) >= sizeof name || memchr (start, '\\', end - 1 - start) != NULL)
        return FALSE;
      memcpy (name, start, end - 1 - start);
      name[end - 1 - start] = '\0';
      g_ptr_array_add (names, (gpointer) g_intern_string (name));
      p = skip_space (end);
      if (*p++ != ':' || (p = skip_value (p)) == NULL)
        return FALSE;
      p = skip_space (p);
      if (*p == ',')
        p++;
      else if (*p != '}')
        return FALSE;
    }
}

static gboolean
entry_events (Step                 *step,
              const SdJournalEntry *entry,
              GError              **error)
{
  SdAutomation *self = step->self;
  JsonParser *parser = step->parser;
  JsonObject *changes = NULL;

  if (entry->deal_id == 0 || strcmp (entry->op, "delete") == 0)
    return TRUE;
  /* The most frequent entries, a deal's fields changed, need only the names. */
  if (strcmp (entry->entity, "deal") == 0 && strcmp (entry->op, "update") == 0)
    {
      g_autoptr(GPtrArray) names = g_ptr_array_new ();

      if (entry->changes != NULL && scan_members (entry->changes, names))
        {
          for (guint i = 0; i < names->len; i++)
            if (!(strcmp (names->pdata[i], "stage_id") == 0
                  ? handle (step, SD_EVENT_ENTERED, entry, NULL, NULL, error)
                  : handle (step, SD_EVENT_FIELD_CHANGED, entry, names->pdata[i], NULL, error)))
              return FALSE;
          return TRUE;
        }
    }
  if (strcmp (entry->entity, "deal_field") != 0 && strcmp (entry->entity, "payment") != 0
      && json_parser_load_from_data (parser, entry->changes, -1, NULL)
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    changes = json_node_get_object (json_parser_get_root (parser));

  if (strcmp (entry->entity, "deal") == 0 && strcmp (entry->op, "insert") == 0)
    return handle (step, SD_EVENT_ENTERED, entry, NULL, NULL, error)
           && handle (step, SD_EVENT_CREATED, entry, NULL, NULL, error)
           && (g_strcmp0 (new_text (changes, "source"), "form") != 0
               || handle (step, SD_EVENT_FORM_RECEIVED, entry, NULL, NULL, error));
  if (strcmp (entry->entity, "deal") == 0)
    {
      g_autoptr(GList) fields = changes != NULL ? json_object_get_members (changes) : NULL;

      for (GList *l = fields; l != NULL; l = l->next)
        if (!(strcmp (l->data, "stage_id") == 0
              ? handle (step, SD_EVENT_ENTERED, entry, NULL, NULL, error)
              : handle (step, SD_EVENT_FIELD_CHANGED, entry, g_intern_string (l->data), NULL, error)))
          return FALSE;
      return TRUE;
    }
  if (strcmp (entry->entity, "deal_field") == 0)
    {
      g_autofree char *code = sd_automation_db_field_code (self->store, entry->entity_id);
      return code == NULL
             || handle (step, SD_EVENT_FIELD_CHANGED, entry, g_intern_string (code), NULL, error);
    }
  if (strcmp (entry->entity, "file") == 0 && strcmp (entry->op, "insert") == 0)
    {
      const char *kind = new_text (changes, "kind");
      return handle (step, SD_EVENT_FILE_ATTACHED, entry, NULL,
                     g_intern_string (kind != NULL ? kind : "document"), error);
    }
  if (strcmp (entry->entity, "payment") == 0 && strcmp (entry->op, "insert") == 0)
    return handle (step, SD_EVENT_PAYMENT_ADDED, entry, NULL, NULL, error);
  /* A person choosing the responsible; the portal's own assignments are its business. */
  if (strcmp (entry->entity, "deal_responsible") == 0 && entry->author_id != 0
      && new_value (changes, "user_id") != NULL)
    return handle (step, SD_EVENT_ASSIGNED, entry, NULL, NULL, error);
  return TRUE;
}

/* Handles @entries in one transaction and moves the cursor past them. */
static gboolean
run_pass (Step       *step,
          GPtrArray  *entries,
          GError    **error)
{
  SdStore *store = step->self->store;
  const SdJournalEntry *last = entries->pdata[entries->len - 1];
  g_autofree char *value = NULL;

  if (!(step->isolate ? sd_store_begin (store, error) : sd_store_begin_bulk (store, error)))
    return FALSE;
  for (guint i = 0; i < entries->len; i++)
    {
      const SdJournalEntry *entry = entries->pdata[i];
      gboolean system = entry->author_id == 0 && g_strcmp0 (entry->origin, "remote") != 0;

      if (!system && !entry_events (step, entry, error))
        {
          sd_store_rollback (store);
          return FALSE;
        }
    }
  /* Only an optimisation: the entries' keys already make a second reading harmless. */
  value = g_strdup_printf ("%" G_GINT64_FORMAT, last->id);
  if (!sd_store_set_meta (store, CURSOR_KEY, value, error))
    {
      sd_store_rollback (store);
      return FALSE;
    }
  return sd_store_commit (store, error);
}

/* Reads up to @limit entries from the cursor and handles them in one transaction; returns
 * how many were read, or -1.
 *
 * Savepoints are a third of the time of a rule-firing event, and events almost never fail:
 * the step is first run without them; if an event fails, all of it is rolled back and run
 * again with a savepoint an event, so the failing one is undone alone and reported. */
static gint
process_some (SdAutomation  *self,
              guint          limit,
              GError       **error)
{
  g_autofree char *cursor_text = sd_store_get_meta (self->store, CURSOR_KEY);
  gint64 cursor = cursor_text != NULL ? g_ascii_strtoll (cursor_text, NULL, 10) : 0;
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) sd_journal_entry_free);
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  /* Inside a caller's transaction there is no rolling back alone: savepoints at once. */
  Step step = { self, parser, sd_store_in_transaction (self->store), FALSE };
  g_autoptr(GError) local = NULL;

  while (entries->len < limit)
    {
      guint wanted = MIN (PAGE, limit - entries->len);
      GPtrArray *page = sd_store_list_journal (self->store, cursor, 0, wanted, error);
      guint got;

      if (page == NULL)
        return -1;
      got = page->len;
      g_ptr_array_extend_and_steal (entries, page);
      if (got > 0)
        cursor = ((SdJournalEntry *) entries->pdata[entries->len - 1])->id;
      if (got < wanted)
        break;
    }
  /* Nothing new (the engine's own commits come back here): no transaction. */
  if (entries->len == 0)
    return 0;
  if (!run_pass (&step, entries, &local))
    {
      if (!step.failed)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          g_array_set_size (self->new_notifications, 0);
          return -1;
        }
      g_clear_error (&local);
      g_array_set_size (self->new_notifications, 0);
      step.isolate = TRUE;
      if (!run_pass (&step, entries, error))
        {
          g_array_set_size (self->new_notifications, 0);
          return -1;
        }
    }
  if (!sd_store_in_transaction (self->store))
    sd_automation_emit_notifications (self);
  return entries->len;
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
