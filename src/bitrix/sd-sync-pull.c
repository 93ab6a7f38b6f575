/* sd-sync-pull.c: rows the portal sent, merged into the store.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-sync"

#include "sd-sync-run.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/* Incremental pulls ask from a little before the last change seen, so that a clock
 * difference between the portal's servers loses nothing; rows seen twice are skipped. */
#define CURSOR_OVERLAP_SECONDS 120

/* --- Pull --------------------------------------------------------------------------- */

/* "YYYY-MM-DDThh:mm:ss+hh:mm", as the portal writes its times. */
static gboolean
is_portal_time (const char *text)
{
  static const char pattern[] = "dddd-dd-ddTdd:dd:dd?dd:dd";

  for (guint i = 0; i < sizeof pattern - 1; i++)
    if (pattern[i] == 'd' ? !g_ascii_isdigit (text[i])
        : pattern[i] == '?' ? text[i] != '+' && text[i] != '-' : text[i] != pattern[i])
      return FALSE;
  return text[sizeof pattern - 1] == '\0';
}

/* Whether @b is later than @a: > 0 when it is. Two times the portal wrote with the same
 * offset, as every row of one portal has, compare as text: no two dates parsed a row. */
static gint64
later_time (const char *a,
            const char *b)
{
  g_autoptr(GDateTime) ta = NULL;
  g_autoptr(GDateTime) tb = NULL;

  if (a != NULL && b != NULL && is_portal_time (a) && is_portal_time (b) && strcmp (a + 19, b + 19) == 0)
    return strcmp (b, a);
  ta = a != NULL ? g_date_time_new_from_iso8601 (a, NULL) : NULL;
  tb = b != NULL ? g_date_time_new_from_iso8601 (b, NULL) : NULL;
  if (ta == NULL)
    return tb != NULL ? 1 : 0;
  if (tb == NULL)
    return -1;
  return g_date_time_compare (tb, ta);
}

/* A row created here whose creation answer was lost comes back from the portal with our
 * client key: it is the same row, not a new one. */
static gint64
adopt_by_key (SdSyncRun   *run,
              SdEntity     entity,
              JsonObject  *row,
              gint64       b24_id,
              GError     **error)
{
  g_autofree char *key = sd_sync_dup_string (row, SD_SYNC_KEY_FIELD);
  g_autofree char *prefix = NULL;
  gint64 local, known;
  char *end;

  if (key == NULL)
    return 0;
  prefix = g_strdup_printf ("%s%s:", run->key_prefix, sd_sync_kind_for (entity)->name);
  if (!g_str_has_prefix (key, prefix))
    return 0;
  local = g_ascii_strtoll (key + strlen (prefix), &end, 10);
  if (*end != '\0' || local <= 0 || sd_store_get_b24_id (run->store, entity, local, &known))
    return 0;
  if (!sd_store_set_b24_state (run->store, entity, local, b24_id, NULL, error))
    return -1;
  return local;
}

typedef struct
{
  const SdSyncKind *kind;
  char             *cursor;   /* the latest DATE_MODIFY seen */
  gboolean          announced; /* the status line names this kind */
} PullData;

const char * const *
sd_sync_kind_select (SdSyncRun        *run,
                     const SdSyncKind *kind)
{
  return kind->entity == SD_ENTITY_DEAL && run->deal_select != NULL
         ? (const char * const *) run->deal_select->pdata : kind->select;
}

/* The mapped user fields of a pulled deal, merged like its own fields. */
static gboolean
apply_deal_fields (SdSyncRun   *run,
                   gint64       deal,
                   JsonObject  *row,
                   const char  *modified,
                   GError     **error)
{
  g_autofree char *author = sd_sync_dup_string (row, "MODIFY_BY_ID");
  SdValue pipeline;

  if (run->b24_fields == NULL || run->b24_fields->len == 0)
    return TRUE;
  if (!sd_store_read_value (run->store, SD_ENTITY_DEAL, deal, "pipeline_id", &pipeline, error))
    return FALSE;
  for (guint i = 0; i < run->b24_fields->len; i++)
    {
      SdB24Field *field = run->b24_fields->pdata[i];
      g_autofree char *value = NULL;
      g_autoptr(SdChanges) changes = sd_changes_new ();
      g_autoptr(SdChanges) merged = NULL;
      gint64 local;

      if ((field->pipeline_id != 0 && field->pipeline_id != pipeline.number)
          || !json_object_has_member (row, field->b24_field))
        continue;
      value = sd_sync_map_uf_pull (run->store, field, json_object_get_member (row, field->b24_field));
      local = sd_store_find_deal_field (run->store, deal, field->field_id);
      if (local == 0)
        {
          if (value == NULL)
            continue;
          sd_changes_set_int (changes, "deal_id", deal);
          sd_changes_set_int (changes, "field_id", field->field_id);
          sd_changes_set_text (changes, "value", value);
          if (sd_store_insert (run->store, SD_ENTITY_DEAL_FIELD, changes, error) == 0)
            return FALSE;
          continue;
        }
      sd_changes_set_text (changes, "value", value);
      if (!sd_sync_merge (run, SD_ENTITY_DEAL_FIELD, local, changes,
                          author != NULL ? g_ascii_strtoll (author, NULL, 10) : 0, modified, &merged,
                          error))
        return FALSE;
      if (!sd_store_update (run->store, SD_ENTITY_DEAL_FIELD, local, merged != NULL ? merged : changes,
                            error))
        return FALSE;
    }
  return TRUE;
}

/* A contact's phones and e-mails as the portal lists them (pulled only): the local rows
 * are replaced when they differ. @fresh: the contact was created by this pull and has
 * none yet. */
static gboolean
apply_channels (SdSyncRun   *run,
                gint64       contact,
                JsonObject  *row,
                gboolean     fresh,
                GError     **error)
{
  static const struct { const char *member; const char *kind; } multi[] = {
    { "PHONE", "phone" }, { "EMAIL", "email" },
  };
  g_autoptr(GPtrArray) wanted = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) have = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) rows = NULL;
  gboolean same;

  if (!json_object_has_member (row, "PHONE") && !json_object_has_member (row, "EMAIL"))
    return TRUE;
  for (guint m = 0; m < G_N_ELEMENTS (multi); m++)
    {
      JsonNode *node = json_object_get_member (row, multi[m].member);
      JsonArray *values = node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;

      for (guint i = 0; values != NULL && i < json_array_get_length (values); i++)
        {
          JsonObject *entry = json_array_get_object_element (values, i);
          g_autofree char *value = entry != NULL ? sd_sync_dup_string (entry, "VALUE") : NULL;
          g_autofree char *type = entry != NULL ? sd_sync_dup_string (entry, "VALUE_TYPE") : NULL;

          if (value != NULL && *value != '\0')
            g_ptr_array_add (wanted, g_strdup_printf ("%s\t%s\t%s", multi[m].kind, value,
                                                      type != NULL ? type : "WORK"));
        }
    }
  /* Changed here and not sent yet (sd-sync-parties.c): merged kind by kind. */
  if (!fresh && sd_sync_party_held (run, SD_ENTITY_CONTACT, contact))
    {
      g_autofree char *author = sd_sync_dup_string (row, "MODIFY_BY_ID");
      g_autofree char *modified = sd_sync_dup_string (row, "DATE_MODIFY");

      return sd_sync_merge_channels (run, contact, wanted, author != NULL ? g_ascii_strtoll (author, NULL, 10) : 0,
                                     modified, error);
    }
  rows = fresh ? g_array_new (FALSE, FALSE, sizeof (gint64))
              : sd_store_list_referencing (run->store, SD_ENTITY_CONTACT_CHANNEL, "contact_id", contact, error);
  if (rows == NULL)
    return FALSE;
  for (guint i = 0; i < rows->len; i++)
    {
      static const char *const columns[] = { "kind", "value", "value_type" };
      SdValue values[3];

      for (guint c = 0; c < 3; c++)
        if (!sd_store_read_value (run->store, SD_ENTITY_CONTACT_CHANNEL, g_array_index (rows, gint64, i),
                                  columns[c], &values[c], error))
          return FALSE;
      g_ptr_array_add (have, g_strdup_printf ("%s\t%s\t%s", values[0].text, values[1].text, values[2].text));
      for (guint c = 0; c < 3; c++)
        sd_value_clear (&values[c]);
    }
  same = have->len == wanted->len;
  for (guint i = 0; same && i < have->len; i++)
    same = strcmp (have->pdata[i], wanted->pdata[i]) == 0;
  if (same)
    return TRUE;
  for (guint i = 0; i < rows->len; i++)
    if (!sd_store_delete (run->store, SD_ENTITY_CONTACT_CHANNEL, g_array_index (rows, gint64, i), error))
      return FALSE;
  for (guint i = 0; i < wanted->len; i++)
    {
      g_auto(GStrv) parts = g_strsplit (wanted->pdata[i], "\t", 3);
      g_autoptr(SdChanges) changes = sd_changes_new ();

      sd_changes_set_int (changes, "contact_id", contact);
      sd_changes_set_text (changes, "kind", parts[0]);
      sd_changes_set_text (changes, "value", parts[1]);
      sd_changes_set_text (changes, "value_type", parts[2]);
      if (sd_store_insert (run->store, SD_ENTITY_CONTACT_CHANNEL, changes, error) == 0)
        return FALSE;
    }
  return TRUE;
}

gboolean
sd_sync_apply_row (SdSyncRun         *run,
                   const SdSyncKind  *kind,
                   JsonObject        *row,
                   char             **latest,
                   GError           **error)
{
  g_autoptr(SdChanges) changes = sd_changes_new ();
  g_autoptr(GError) place_error = NULL;
  g_autofree char *modified = sd_sync_dup_string (row, "DATE_MODIFY");
  g_autofree char *known_as = NULL;
  gint64 b24_id = sd_sync_get_id (row, "ID");
  gint64 local;

  if (b24_id <= 0)
    {
      g_set_error (error, SD_B24_ERROR, SD_B24_ERROR_MALFORMED,
                   _("The portal sent a row without an ID"));
      return FALSE;
    }
  if (latest != NULL && later_time (*latest, modified) > 0)
    {
      g_free (*latest);
      *latest = g_strdup (modified);
    }

  local = sd_store_find_b24 (run->store, kind->entity, b24_id);
  if (local == 0 && (local = adopt_by_key (run, kind->entity, row, b24_id, error)) < 0)
    return FALSE;
  if (local != 0)
    {
      g_autofree char *known = sd_store_get_remote_modified (run->store, kind->entity, local);

      /* Known as it is; read again for a newly mapped field, that field alone is new. */
      if (known != NULL && modified != NULL && strcmp (known, modified) == 0)
        return !run->mapped_again || apply_deal_fields (run, local, row, modified, error);
    }

  /* DATE_MODIFY has one-second resolution: someone may change the row our push just
   * changed within the same second, leaving the time as it is. So what is read right after
   * our own push is remembered as not quite known ("~"), and the next pull or comparison
   * takes the row again once that second is surely over. */
  known_as = run->after_push && modified != NULL ? g_strconcat (modified, "~", NULL) : g_strdup (modified);

  if (!sd_sync_map_pull (run->store, kind->entity, row, changes, &place_error))
    {
      /* The check at the end sees the difference and the sync does not claim agreement. */
      g_debug ("%s %" G_GINT64_FORMAT " not placed: %s", kind->name, b24_id, place_error->message);
      run->skipped++;
      return TRUE;
    }

  if (local == 0)
    {
      local = sd_store_insert_remote (run->store, kind->entity, changes, b24_id, modified, error);
      if (local == 0)
        return FALSE;
      if ((kind->entity == SD_ENTITY_DEAL && !apply_deal_fields (run, local, row, modified, error))
          || (kind->entity == SD_ENTITY_DEAL && !sd_sync_apply_responsible (run, local, row, TRUE, error))
          || (kind->entity == SD_ENTITY_CONTACT && !apply_channels (run, local, row, TRUE, error)))
        return FALSE;
    }
  else
    {
      g_autoptr(SdChanges) merged = NULL;
      g_autofree char *author = sd_sync_dup_string (row, "MODIFY_BY_ID");

      if (!sd_sync_merge (run, kind->entity, local, changes,
                          author != NULL ? g_ascii_strtoll (author, NULL, 10) : 0, modified, &merged,
                          error))
        return FALSE;
      if (!sd_store_update (run->store, kind->entity, local, merged != NULL ? merged : changes, error)
          || !sd_store_set_b24_state (run->store, kind->entity, local, -1, known_as, error)
          || (kind->entity == SD_ENTITY_DEAL && !apply_deal_fields (run, local, row, modified, error))
          || (kind->entity == SD_ENTITY_DEAL && !sd_sync_apply_responsible (run, local, row, FALSE, error))
          || (kind->entity == SD_ENTITY_CONTACT && !apply_channels (run, local, row, FALSE, error)))
        return FALSE;
    }
  run->report.pulled++;
  return TRUE;
}

static gboolean
pull_page (SdSyncRun  *run,
           JsonArray  *rows,
           gpointer    data,
           GError    **error)
{
  PullData *pull = data;

  /* Kinds share requests in a first sync: the status line follows the rows written. */
  if (!pull->announced)
    {
      g_autofree char *status = g_strdup_printf (_("%s: receiving"), sd_sync_kind_title (pull->kind));

      sd_sync_run_progress (run, status);
      pull->announced = TRUE;
    }
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonNode *row = json_array_get_element (rows, i);

      if (!JSON_NODE_HOLDS_OBJECT (row))
        {
          g_set_error (error, SD_B24_ERROR, SD_B24_ERROR_MALFORMED,
                       _("The portal sent a list row that is not an object"));
          return FALSE;
        }
      if (!sd_sync_apply_row (run, pull->kind, json_node_get_object (row), &pull->cursor, error))
        return FALSE;
    }
  run->done_rows += json_array_get_length (rows);
  return TRUE;
}

const char *
sd_sync_kind_title (const SdSyncKind *kind)
{
  switch (kind->entity)
    {
    case SD_ENTITY_DEAL:
      return _("Deals");
    case SD_ENTITY_CONTACT:
      return _("Contacts");
    default:
      return _("Companies");
    }
}

/* Rows changed since a little before @cursor; NULL if it is not a time. */
static JsonObject *
cursor_filter (const char *cursor)
{
  g_autoptr(GDateTime) at = g_date_time_new_from_iso8601 (cursor, NULL);
  g_autoptr(GDateTime) since = at != NULL ? g_date_time_add_seconds (at, -CURSOR_OVERLAP_SECONDS) : NULL;
  g_autofree char *text = since != NULL ? g_date_time_format (since, "%FT%T%:z") : NULL;
  JsonObject *filter;

  if (text == NULL)
    return NULL;
  filter = json_object_new ();
  json_object_set_string_member (filter, ">=DATE_MODIFY", text);
  return filter;
}

/* Every row of a kind changed since its cursor (all of them without one), the first
 * request of an incremental pull @width pages wide (when about that many pages of rows are
 * known to have changed, as after a push). */
gboolean
sd_sync_pull_kind_wide (SdSyncRun         *run,
                        const SdSyncKind  *kind,
                        guint              width,
                        GError           **error)
{
  g_autofree char *meta_key = g_strdup_printf ("sync.cursor.%s", kind->name);
  g_autofree char *cursor = sd_store_get_meta (run->store, meta_key);
  g_autoptr(JsonObject) filter = NULL;
  g_autofree char *method = g_strconcat (kind->methods, ".list", NULL);
  PullData pull = { kind, NULL, FALSE };
  gboolean ok;

  if (cursor != NULL)
    {
      filter = cursor_filter (cursor);
      pull.cursor = g_strdup (cursor);
    }
  ok = sd_sync_keyset_export (run, method, filter, sd_sync_kind_select (run, kind),
                              filter != NULL ? CLAMP (width, 1, SD_B24_BATCH_MAX) : SD_B24_BATCH_MAX,
                      filter != NULL ? -1 : run->expected[kind->entity], TRUE, pull_page, &pull, error);
  if (ok && pull.cursor != NULL)
    ok = sd_store_set_meta (run->store, meta_key, pull.cursor, error);
  g_free (pull.cursor);
  return ok;
}

/* Company requisites carry the INN, KPP and OGRN. */
gboolean
sd_sync_apply_requisites (SdSyncRun  *run,
                          JsonArray  *rows,
                          GError    **error)
{
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);
      g_autoptr(SdChanges) changes = sd_changes_new ();
      g_autoptr(SdChanges) merged = NULL;
      gint64 company;
      static const char *const fields[][2] = {
        { "RQ_INN", "inn" }, { "RQ_KPP", "kpp" }, { "RQ_OGRN", "ogrn" },
      };

      if (row == NULL)
        continue;
      company = sd_store_find_b24 (run->store, SD_ENTITY_COMPANY, sd_sync_get_id (row, "ENTITY_ID"));
      if (company == 0)
        continue;
      for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
        {
          g_autofree char *value = sd_sync_dup_string (row, fields[f][0]);
          if (value != NULL && *value != '\0')
            sd_changes_set_text (changes, fields[f][1], value);
        }
      if (sd_changes_get_size (changes) == 0)
        continue;
      if (!sd_sync_merge (run, SD_ENTITY_COMPANY, company, changes, 0, NULL, &merged, error))
        return FALSE;
      /* Sent with the company but not to its requisite yet (sd-sync-parties.c), with no
       * base left to merge against: ours go there first. */
      if (merged == NULL && sd_sync_party_held (run, SD_ENTITY_COMPANY, company))
        continue;
      if (!sd_store_update (run->store, SD_ENTITY_COMPANY, company, merged != NULL ? merged : changes, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
requisite_page (SdSyncRun  *run,
                JsonArray  *rows,
                gpointer    data,
                GError    **error)
{
  return sd_sync_apply_requisites (run, rows, error);
}

static const char *const requisite_select[] = {
  "ID", "ENTITY_TYPE_ID", "ENTITY_ID", "RQ_INN", "RQ_KPP", "RQ_OGRN", NULL,
};

gboolean
sd_sync_pull_requisites (SdSyncRun  *run,
                         GError    **error)
{
  g_autoptr(JsonObject) filter = json_object_new ();

  json_object_set_int_member (filter, "ENTITY_TYPE_ID", 4);
  return sd_sync_keyset_export (run, "crm.requisite.list", filter, requisite_select, 4, -1, TRUE, requisite_page, NULL,
                        error);
}

static void
unref_filter (gpointer filter)
{
  if (filter != NULL)
    json_object_unref (filter);
}

/* Kinds not all read before (a first sync): each kind since its cursor, or in full without
 * one, in the order kinds reference each other (the requisites after their companies),
 * packed into as few requests as the counts of the reference request allow — the end of
 * one kind and the start of the next share one. A kind read in full without rows starts
 * its cursor at the reference request's time, so the next sync is incremental. */
static gboolean
pull_everything (SdSyncRun   *run,
                 gboolean     requisites,
                 PullData    *pulls,
                 GPtrArray   *filters,
                 GError     **error)
{
  guint n_kinds;
  const SdSyncKind *kinds = sd_sync_kinds (&n_kinds);
  g_autoptr(JsonObject) rq_filter = json_object_new ();
  g_autoptr(GPtrArray) methods = g_ptr_array_new_with_free_func (g_free);
  SdSyncChain chains[9];
  guint n_chains = 0;
  gboolean ok;

  g_assert (n_kinds <= 8);
  json_object_set_int_member (rq_filter, "ENTITY_TYPE_ID", 4);
  for (guint i = 0; i < n_kinds; i++)
    {
      char *method = g_strconcat (kinds[i].methods, ".list", NULL);
      JsonObject *filter = filters->pdata[i];

      g_ptr_array_add (methods, method);
      chains[n_chains++] = (SdSyncChain) { method, filter, sd_sync_kind_select (run, &kinds[i]),
                                           filter != NULL ? -1 : run->expected[kinds[i].entity],
                                           pull_page, &pulls[i], NULL };
      if (requisites && kinds[i].entity == SD_ENTITY_COMPANY)
        chains[n_chains++] = (SdSyncChain) { "crm.requisite.list", rq_filter, requisite_select,
                                             run->expected_requisites, requisite_page, NULL, NULL };
    }
  ok = sd_sync_keyset_export_chains (run, chains, n_chains, SD_B24_BATCH_MAX, TRUE, error);
  for (guint i = 0; ok && i < n_kinds; i++)
    {
      g_autofree char *meta_key = g_strdup_printf ("sync.cursor.%s", kinds[i].name);
      const char *cursor = pulls[i].cursor != NULL ? pulls[i].cursor : run->reference_at;

      if (cursor != NULL)
        ok = sd_store_set_meta (run->store, meta_key, cursor, error);
    }
  return ok;
}

/* The first page of every kind (and of the requisites) as commands of @batch, keyed
 * k0, k1… and rq; FALSE (nothing added) when a kind has no cursor yet. */
static gboolean
add_first_pages (SdSyncRun  *run,
                 SdB24Batch *batch,
                 gboolean    requisites)
{
  guint n_kinds;
  const SdSyncKind *kinds = sd_sync_kinds (&n_kinds);
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  for (guint i = 0; i < n_kinds; i++)
    {
      g_autofree char *meta_key = g_strdup_printf ("sync.cursor.%s", kinds[i].name);
      g_autofree char *cursor = sd_store_get_meta (run->store, meta_key);
      g_autoptr(JsonObject) filter = cursor != NULL ? cursor_filter (cursor) : NULL;

      if (filter == NULL)
        return FALSE;
      g_ptr_array_add (params, sd_sync_keyset_params (filter, sd_sync_kind_select (run, &kinds[i]), "0"));
    }
  for (guint i = 0; i < n_kinds; i++)
    {
      g_autofree char *key = g_strdup_printf ("k%u", i);
      g_autofree char *method = g_strconcat (kinds[i].methods, ".list", NULL);

      sd_b24_batch_add (batch, key, method, params->pdata[i]);
    }
  if (requisites)
    {
      g_autoptr(JsonObject) rq_filter = json_object_new ();
      g_autoptr(JsonObject) rq = NULL;

      json_object_set_int_member (rq_filter, "ENTITY_TYPE_ID", 4);
      rq = sd_sync_keyset_params (rq_filter, requisite_select, "0");
      sd_b24_batch_add (batch, "rq", "crm.requisite.list", rq);
    }
  return TRUE;
}

/* The deal list's select[]: the kind's own fields and the user fields the playbooks map
 * (as the store knows them: the reference request links them anew). */
gboolean
sd_sync_load_deal_select (SdSyncRun  *run,
                          GError    **error)
{
  g_clear_pointer (&run->b24_fields, g_ptr_array_unref);
  g_clear_pointer (&run->deal_select, g_ptr_array_unref);
  if ((run->b24_fields = sd_store_list_b24_fields (run->store, error)) == NULL)
    return FALSE;
  run->deal_select = g_ptr_array_new ();
  for (guint i = 0; sd_sync_kind_for (SD_ENTITY_DEAL)->select[i] != NULL; i++)
    g_ptr_array_add (run->deal_select, (gpointer) sd_sync_kind_for (SD_ENTITY_DEAL)->select[i]);
  for (guint i = 0; i < run->b24_fields->len; i++)
    g_ptr_array_add (run->deal_select, ((SdB24Field *) run->b24_fields->pdata[i])->b24_field);
  g_ptr_array_add (run->deal_select, NULL);
  return TRUE;
}

/* A deal field the playbooks map since the last sync (sync.deal_fields names those read
 * so far) has values there that no change will bring: every deal is read again, once. */
gboolean
sd_sync_pull_mapped_again (SdSyncRun  *run,
                           GError    **error)
{
  g_autofree char *before = sd_store_get_meta (run->store, "sync.deal_fields");
  g_auto(GStrv) known = before != NULL ? g_strsplit (before, ",", -1) : NULL;
  g_autoptr(GString) now = g_string_new (NULL);
  gboolean added = FALSE;

  for (guint i = 0; i < run->b24_fields->len; i++)
    {
      const char *name = ((SdB24Field *) run->b24_fields->pdata[i])->b24_field;

      g_string_append_printf (now, "%s%s", i > 0 ? "," : "", name);
      /* Without a list (a first sync, or one from before the list was kept) what is
       * mapped has been read. */
      added = added || (known != NULL && !g_strv_contains ((const char * const *) known, name));
    }
  if (added)
    {
      PullData pull = { sd_sync_kind_for (SD_ENTITY_DEAL), NULL, FALSE };
      gboolean ok;

      run->mapped_again = TRUE;
      ok = sd_sync_keyset_export (run, "crm.deal.list", NULL, sd_sync_kind_select (run, pull.kind),
                                  SD_B24_BATCH_MAX, -1, TRUE, pull_page, &pull, error);
      run->mapped_again = FALSE;
      /* The deal cursor stays: these rows are no newer than what it saw. */
      g_free (pull.cursor);
      if (!ok)
        return FALSE;
    }
  return g_strcmp0 (before, now->str) == 0 || sd_store_set_meta (run->store, "sync.deal_fields", now->str, error);
}

void
sd_sync_pull_changed_ride (SdSyncRun  *run,
                           SdB24Batch *batch,
                           gboolean    requisites)
{
  if (add_first_pages (run, batch, requisites))
    run->scan_select = g_strdupv ((char **) sd_sync_kind_select (run, sd_sync_kind_for (SD_ENTITY_DEAL)));
}

/* An incremental pull usually finds a few rows of each kind: one request asks for the
 * first page of every kind (and of the requisites), instead of one request a kind; the
 * shared request carries it when it could (the deal fields asked are still the mapped
 * ones). */
gboolean
sd_sync_pull_changed (SdSyncRun  *run,
                      gboolean    requisites,
                      GError    **error)
{
  guint n_kinds;
  const SdSyncKind *kinds = sd_sync_kinds (&n_kinds);
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonObject) rq_filter = json_object_new ();
  g_autoptr(GPtrArray) filters = g_ptr_array_new_with_free_func (unref_filter);
  g_auto(GStrv) ridden = g_steal_pointer (&run->scan_select);
  PullData pulls[8];
  JsonArray *rq_rows = NULL;
  gboolean ok = FALSE, everything = FALSE;

  g_assert (n_kinds <= G_N_ELEMENTS (pulls));
  sd_sync_run_progress (run, _("Receiving changes"));
  json_object_set_int_member (rq_filter, "ENTITY_TYPE_ID", 4);
  for (guint i = 0; i < n_kinds; i++)
    {
      g_autofree char *meta_key = g_strdup_printf ("sync.cursor.%s", kinds[i].name);

      pulls[i] = (PullData) { &kinds[i], sd_store_get_meta (run->store, meta_key), FALSE };
      g_ptr_array_add (filters, pulls[i].cursor != NULL ? cursor_filter (pulls[i].cursor) : NULL);
      everything = everything || filters->pdata[i] == NULL;
    }
  if (everything)
    {
      ok = pull_everything (run, requisites, pulls, filters, error);
      goto out;
    }
  if (ridden != NULL && run->shared != NULL
      && g_strv_equal ((const char * const *) ridden,
                       sd_sync_kind_select (run, sd_sync_kind_for (SD_ENTITY_DEAL))))
    answer = json_object_ref (run->shared);
  else
    {
      g_autoptr(SdB24Batch) batch = sd_b24_batch_new ();

      add_first_pages (run, batch, requisites);
      if ((answer = sd_b24_client_batch (run->client, batch, SD_B24_CALL_READ, run->cancellable,
                                         error)) == NULL)
        goto out;
    }
  if (!sd_store_begin_bulk (run->store, error))
    goto out;
  for (guint i = 0; i < n_kinds; i++)
    {
      g_autofree char *key = g_strdup_printf ("k%u", i);
      JsonArray *rows = sd_sync_result_array (answer, key, NULL, error);

      if (rows == NULL || !pull_page (run, rows, &pulls[i], error))
        {
          sd_store_rollback (run->store);
          goto out;
        }
      /* Requisites after their companies (kinds come referenced first). */
      if (requisites && kinds[i].entity == SD_ENTITY_COMPANY
          && ((rq_rows = sd_sync_result_array (answer, "rq", NULL, error)) == NULL
              || !sd_sync_apply_requisites (run, rq_rows, error)))
        {
          sd_store_rollback (run->store);
          goto out;
        }
    }
  if (!sd_sync_run_commit (run, error))
    goto out;

  /* A full first page: the rest of that kind, from where it stopped. */
  for (guint i = 0; i < n_kinds; i++)
    {
      g_autofree char *key = g_strdup_printf ("k%u", i);
      g_autofree char *meta_key = g_strdup_printf ("sync.cursor.%s", kinds[i].name);
      JsonArray *rows = sd_sync_result_array (answer, key, NULL, NULL);
      guint n = json_array_get_length (rows);

      if (n >= SD_SYNC_PAGE)
        {
          g_autofree char *method = g_strconcat (kinds[i].methods, ".list", NULL);
          g_autofree char *last = sd_sync_dup_string (json_array_get_object_element (rows, n - 1), "ID");

          if (!sd_sync_keyset_export_after (run, method, filters->pdata[i], sd_sync_kind_select (run, &kinds[i]),
                                            SD_B24_BATCH_MAX, -1, TRUE, pull_page, &pulls[i], last, error))
            goto out;
        }
      if (pulls[i].cursor != NULL && !sd_store_set_meta (run->store, meta_key, pulls[i].cursor, error))
        goto out;
      if (requisites && kinds[i].entity == SD_ENTITY_COMPANY && rq_rows != NULL
          && json_array_get_length (rq_rows) >= SD_SYNC_PAGE)
        {
          g_autofree char *last = sd_sync_dup_string (json_array_get_object_element (rq_rows,
                                                                                     json_array_get_length (rq_rows) - 1),
                                                      "ID");

          if (!sd_sync_keyset_export_after (run, "crm.requisite.list", rq_filter, requisite_select,
                                            SD_B24_BATCH_MAX, -1, TRUE, requisite_page, NULL, last, error))
            goto out;
        }
    }
  ok = TRUE;

out:
  for (guint i = 0; i < n_kinds; i++)
    g_free (pulls[i].cursor);
  return ok;
}
