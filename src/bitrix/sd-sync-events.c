/* sd-sync-events.c: the portal's offline event queue (OAuth): which rows changed or went.
 *
 * An application binds the CRM events of deals, contacts and companies, of timeline
 * comments and of tasks as offline events (reference §7.13, §7.9); the portal then keeps
 * the latest event per row in a queue. With the queue bound since an earlier sync, a sync
 * reads it instead of scanning by DATE_MODIFY, reading the task list and the comments of
 * changed deals: its first page comes with the shared request, the rows named are fetched
 * by ID (50 IDs a command, 50 commands a request; comments and tasks by their own files),
 * deletions applied, and the events are cleared
 * only after that is committed: with the next sync's shared request, which costs no
 * request of its own. Our own writes carry the binding's auth_connector and raise no
 * events.
 *
 * Taken events the portal does not hand out again until cleared: their process id is
 * committed here first (meta sync.offline_process), moved to sync.offline_done in the
 * transaction that finishes their rows, and cleared from there. A sync stopped in between
 * leaves the first key, and the next sync falls back to the DATE_MODIFY scan and a full
 * comparison before clearing them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-sync"

#include "sd-sync-run.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/* The bindings' version in meta "sync.offline_events" (after the portal's address): 1 was
 * deletions only, without a connector; 2 had no comment or task events. */
#define BINDINGS_VERSION "3"
#define PENDING_KEY "sync.offline_process"
#define DONE_KEY "sync.offline_done"
/* Events taken a request (the emulator's most; the reference gives only the default, 50). */
#define QUEUE_PAGE 1000

/* Where each event names its object: data[FIELDS][ID] for CRM rows and comments (§7.13),
 * data[FIELDS_AFTER][ID] or, for a deletion, data[FIELDS_BEFORE][ID] for tasks (§7.9). */
static const struct
{
  const char *event;
  SdEntity    entity;
  gboolean    deleted;
  const char *fields;
} queue_events[] = {
  { "ONCRMCOMPANYADD", SD_ENTITY_COMPANY, FALSE, "FIELDS" },
  { "ONCRMCOMPANYUPDATE", SD_ENTITY_COMPANY, FALSE, "FIELDS" },
  { "ONCRMCOMPANYDELETE", SD_ENTITY_COMPANY, TRUE, "FIELDS" },
  { "ONCRMCONTACTADD", SD_ENTITY_CONTACT, FALSE, "FIELDS" },
  { "ONCRMCONTACTUPDATE", SD_ENTITY_CONTACT, FALSE, "FIELDS" },
  { "ONCRMCONTACTDELETE", SD_ENTITY_CONTACT, TRUE, "FIELDS" },
  { "ONCRMDEALADD", SD_ENTITY_DEAL, FALSE, "FIELDS" },
  { "ONCRMDEALUPDATE", SD_ENTITY_DEAL, FALSE, "FIELDS" },
  { "ONCRMDEALDELETE", SD_ENTITY_DEAL, TRUE, "FIELDS" },
  { "ONCRMTIMELINECOMMENTADD", SD_ENTITY_TIMELINE, FALSE, "FIELDS" },
  { "ONCRMTIMELINECOMMENTUPDATE", SD_ENTITY_TIMELINE, FALSE, "FIELDS" },
  { "ONCRMTIMELINECOMMENTDELETE", SD_ENTITY_TIMELINE, TRUE, "FIELDS" },
  { "ONTASKADD", SD_ENTITY_TASK, FALSE, "FIELDS_AFTER" },
  { "ONTASKUPDATE", SD_ENTITY_TASK, FALSE, "FIELDS_AFTER" },
  { "ONTASKDELETE", SD_ENTITY_TASK, TRUE, "FIELDS_BEFORE" },
};

static char *
bound_value (SdSyncRun *run)
{
  return g_strdup_printf ("%s#%s", sd_b24_client_get_portal (run->client), BINDINGS_VERSION);
}

/* The connector our writes carry: one per database, like the client keys. */
void
sd_sync_events_prepare (SdSyncRun *run)
{
  g_autofree char *connector = g_strdup_printf ("sdelka-%s", run->key_prefix + strlen ("sdelka:"));

  /* "sdelka:<install>:" → "sdelka-<install>" */
  if (g_str_has_suffix (connector, ":"))
    connector[strlen (connector) - 1] = '\0';
  sd_b24_client_set_auth_connector (run->client, connector);
}

gboolean
sd_sync_events_bound (SdSyncRun *run)
{
  g_autofree char *bound = sd_store_get_meta (run->store, "sync.offline_events");
  g_autofree char *wanted = bound_value (run);

  return g_strcmp0 (bound, wanted) == 0;
}

gboolean
sd_sync_events_live (SdSyncRun *run)
{
  g_autofree char *pending = sd_store_get_meta (run->store, PENDING_KEY);

  return sd_sync_events_bound (run) && pending == NULL;
}

/* Binds the events unless bound already; the queue holds every change someone else makes
 * from then on. A repeated binding is refused by a portal, which is fine. */
gboolean
sd_sync_bind_events (SdSyncRun  *run,
                     GError    **error)
{
  g_autofree char *bound = sd_store_get_meta (run->store, "sync.offline_events");
  g_autofree char *wanted = bound_value (run);
  g_autofree char *connector = g_strdup_printf ("sdelka-%s", run->key_prefix + strlen ("sdelka:"));
  g_autoptr(SdB24Batch) batch = NULL;
  g_autoptr(JsonObject) answer = NULL;

  if (g_strcmp0 (bound, wanted) == 0)
    return TRUE;
  if (g_str_has_suffix (connector, ":"))
    connector[strlen (connector) - 1] = '\0';
  batch = sd_b24_batch_new ();
  /* Version 1 bound the deletions without a connector: those go first. */
  for (guint i = 0; i < G_N_ELEMENTS (queue_events); i++)
    if (queue_events[i].deleted && strcmp (queue_events[i].fields, "FIELDS") == 0
        && queue_events[i].entity != SD_ENTITY_TIMELINE)
      {
        g_autoptr(JsonObject) params = json_object_new ();
        g_autofree char *key = g_strdup_printf ("u%u", i);

        json_object_set_string_member (params, "event", queue_events[i].event);
        json_object_set_string_member (params, "event_type", "offline");
        sd_b24_batch_add (batch, key, "event.unbind", params);
      }
  for (guint i = 0; i < G_N_ELEMENTS (queue_events); i++)
    {
      g_autoptr(JsonObject) params = json_object_new ();
      g_autofree char *key = g_strdup_printf ("e%u", i);

      json_object_set_string_member (params, "event", queue_events[i].event);
      json_object_set_string_member (params, "event_type", "offline");
      json_object_set_string_member (params, "auth_connector", connector);
      sd_b24_batch_add (batch, key, "event.bind", params);
    }
  if ((answer = sd_b24_client_batch (run->client, batch, SD_B24_CALL_READ,
                                     run->cancellable, error)) == NULL)
    return FALSE;
  return sd_store_set_meta (run->store, "sync.offline_events", wanted, error);
}

void
sd_sync_events_add_commands (SdSyncRun  *run,
                             SdB24Batch *batch)
{
  g_autofree char *done = sd_store_get_meta (run->store, DONE_KEY);
  g_auto(GStrv) processes = done != NULL ? g_strsplit (done, " ", -1) : NULL;

  for (guint i = 0; processes != NULL && processes[i] != NULL; i++)
    {
      g_autoptr(JsonObject) params = json_object_new ();
      g_autofree char *key = g_strdup_printf ("qclear%u", i);

      if (*processes[i] == '\0')
        continue;
      json_object_set_string_member (params, "process_id", processes[i]);
      sd_b24_batch_add (batch, key, "event.offline.clear", params);
    }
  if (run->queue_live)
    {
      g_autoptr(JsonObject) params = json_object_new ();

      json_object_set_int_member (params, "clear", 0);
      json_object_set_int_member (params, "limit", QUEUE_PAGE);
      sd_b24_batch_add (batch, "qget", "event.offline.get", params);
    }
}

/* Remembers a page of taken events before anything else, so that a stopped sync is seen. */
static gboolean
remember_taken (SdSyncRun   *run,
                JsonObject  *page,
                GError     **error)
{
  g_autofree char *process = sd_sync_dup_string (page, "process_id");
  JsonNode *events = json_object_get_member (page, "events");

  if (process == NULL || events == NULL || !JSON_NODE_HOLDS_ARRAY (events)
      || json_array_get_length (json_node_get_array (events)) == 0)
    return TRUE;
  return sd_store_set_meta (run->store, PENDING_KEY, process, error);
}

gboolean
sd_sync_events_take_answer (SdSyncRun   *run,
                            JsonObject  *answer,
                            GError     **error)
{
  JsonNode *page, *time;
  g_autoptr(GError) page_error = NULL;

  /* The clears either worked or named processes the portal no longer knows. */
  if (!sd_store_set_meta (run->store, DONE_KEY, NULL, error))
    return FALSE;
  if (!run->queue_live)
    return TRUE;
  page = sd_b24_batch_get_result (answer, "qget", NULL, &page_error);
  if (page == NULL || !JSON_NODE_HOLDS_OBJECT (page))
    {
      g_debug ("offline queue not read with the reference: %s", page_error != NULL ? page_error->message : "?");
      return TRUE;  /* drain reads it by itself */
    }
  run->queue_first = json_object_ref (json_node_get_object (page));
  time = json_object_get_member (answer, "time");
  if (time != NULL && JSON_NODE_HOLDS_OBJECT (time))
    run->queue_read_at = sd_sync_dup_string (json_node_get_object (time), "date_start");
  return remember_taken (run, run->queue_first, error);
}

typedef struct
{
  const SdSyncKind *kind;
  GArray           *ids;      /* server ids to fetch, ascending, unique */
} Wanted;

static int
compare_ids (gconstpointer a,
             gconstpointer b)
{
  return sd_sync_compare_ids (a, b);
}

static void
unique_sorted (GArray *ids)
{
  guint out = 0;

  g_array_sort (ids, compare_ids);
  for (guint i = 0; i < ids->len; i++)
    if (out == 0 || g_array_index (ids, gint64, out - 1) != g_array_index (ids, gint64, i))
      g_array_index (ids, gint64, out++) = g_array_index (ids, gint64, i);
  g_array_set_size (ids, out);
}

/* The rows named by the events, in as few requests as a batch allows: companies (with
 * their requisites), contacts, deals, 50 IDs a command. Written and committed; the caller
 * clears the events after. */
static gboolean
fetch_changed (SdSyncRun  *run,
               Wanted     *wanted,
               guint       n_wanted,
               GError    **error)
{
  guint kind = 0, at = 0;

  while (kind < n_wanted)
    {
      g_autoptr(SdB24Batch) batch = sd_b24_batch_new ();
      g_autoptr(JsonObject) answer = NULL;
      g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GPtrArray) kinds = g_ptr_array_new ();

      while (kind < n_wanted)
        {
          Wanted *w = &wanted[kind];
          gboolean company = w->kind->entity == SD_ENTITY_COMPANY;
          g_autoptr(JsonObject) params = NULL;
          JsonObject *filter;
          JsonArray *ids;
          g_autofree char *method = NULL;
          char *key;

          if (at >= w->ids->len)
            {
              kind++;
              at = 0;
              continue;
            }
          /* A company's requisites (INN, KPP, OGRN) come in the same request. */
          if (sd_b24_batch_get_size (batch) + (company ? 2 : 1) > SD_B24_BATCH_MAX)
            break;
          params = json_object_new ();
          filter = json_object_new ();
          ids = json_array_new ();
          for (guint n = at; n < w->ids->len && n < at + SD_SYNC_PAGE; n++)
            json_array_add_int_element (ids, g_array_index (w->ids, gint64, n));
          if (company)
            {
              g_autoptr(JsonObject) rq = json_object_new ();
              JsonObject *rq_filter = json_object_new ();
              static const char *const rq_select[] = {
                "ID", "ENTITY_TYPE_ID", "ENTITY_ID", "RQ_INN", "RQ_KPP", "RQ_OGRN", NULL,
              };

              json_object_set_int_member (rq_filter, "ENTITY_TYPE_ID", 4);
              json_object_set_array_member (rq_filter, "@ENTITY_ID", json_array_ref (ids));
              json_object_set_object_member (rq, "filter", rq_filter);
              json_object_set_array_member (rq, "select", sd_sync_string_array (rq_select));
              json_object_set_int_member (rq, "start", -1);
              key = g_strdup_printf ("q%u", keys->len);
              sd_b24_batch_add (batch, key, "crm.requisite.list", rq);
              g_ptr_array_add (keys, key);
              g_ptr_array_add (kinds, NULL);
            }
          json_object_set_array_member (filter, "@ID", ids);
          json_object_set_object_member (params, "filter", filter);
          json_object_set_array_member (params, "select",
                                        sd_sync_string_array (sd_sync_kind_select (run, w->kind)));
          json_object_set_int_member (params, "start", -1);
          method = g_strconcat (w->kind->methods, ".list", NULL);
          key = g_strdup_printf ("r%u", keys->len);
          sd_b24_batch_add (batch, key, method, params);
          g_ptr_array_add (keys, key);
          g_ptr_array_add (kinds, (gpointer) w->kind);
          at += SD_SYNC_PAGE;
        }
      if (keys->len == 0)
        break;
      if ((answer = sd_b24_client_batch (run->client, batch, SD_B24_CALL_READ,
                                         run->cancellable, error)) == NULL
          || !sd_store_begin_bulk (run->store, error))
        return FALSE;
      /* A company's requisites follow the company's own command, so write those first. */
      for (guint pass = 0; pass < 2; pass++)
        for (guint c = 0; c < keys->len; c++)
          {
            const SdSyncKind *k = kinds->pdata[c];
            JsonArray *rows;

            if ((pass == 0) != (k != NULL))
              continue;
            if ((rows = sd_sync_result_array (answer, keys->pdata[c], NULL, error)) == NULL)
              goto failed;
            if (k == NULL)
              {
                if (!sd_sync_apply_requisites (run, rows, error))
                  goto failed;
                continue;
              }
            for (guint r = 0; r < json_array_get_length (rows); r++)
              {
                JsonObject *row = json_array_get_object_element (rows, r);

                if (row != NULL && !sd_sync_apply_row (run, k, row, NULL, error))
                  goto failed;
              }
            run->done_rows += json_array_get_length (rows);
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

static gboolean
clear_events (SdSyncRun   *run,
              const char  *process,
              GError     **error)
{
  g_autoptr(JsonObject) clear = json_object_new ();
  g_autoptr(JsonObject) cleared = NULL;

  json_object_set_string_member (clear, "process_id", process);
  if ((cleared = sd_b24_client_call (run->client, "event.offline.clear", clear,
                                     SD_B24_CALL_READ, run->cancellable, error)) == NULL)
    return FALSE;
  return TRUE;
}

/* Events a sync stopped before clearing: this sync scanned and compared in full, so they
 * are answered and can go. */
gboolean
sd_sync_events_clear_pending (SdSyncRun  *run,
                              GError    **error)
{
  g_autofree char *pending = sd_store_get_meta (run->store, PENDING_KEY);

  if (pending == NULL)
    return TRUE;
  return clear_events (run, pending, error) && sd_store_set_meta (run->store, PENDING_KEY, NULL, error);
}

gboolean
sd_sync_events_pending (SdSyncRun *run)
{
  g_autofree char *pending = sd_store_get_meta (run->store, PENDING_KEY);

  return pending != NULL;
}

/* Takes the queued events, fetches the rows they name, applies deletions, and only then
 * tells the portal they are done. When @live (the queue stands in for the scan), the
 * cursors move to the time the queue was read. */
gboolean
sd_sync_drain_events (SdSyncRun  *run,
                      gboolean    live,
                      GError    **error)
{
  g_autofree char *read_at = NULL;

  for (;;)
    {
      g_autoptr(JsonObject) params = json_object_new ();
      g_autoptr(JsonObject) answer = NULL;
      g_autofree char *process = NULL;
      Wanted wanted[3];
      g_autoptr(GArray) deletions = g_array_new (FALSE, FALSE, sizeof (gint64) * 2);
      /* Comments and tasks: changed, deleted (server ids); read by their own files. */
      g_autoptr(GArray) comments = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_autoptr(GArray) comments_gone = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_autoptr(GArray) tasks = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_autoptr(GArray) tasks_gone = g_array_new (FALSE, FALSE, sizeof (gint64));
      JsonNode *result;
      JsonNode *time;
      JsonArray *events;
      guint n_kinds;
      const SdSyncKind *kinds = sd_sync_kinds (&n_kinds);

      g_assert (n_kinds == G_N_ELEMENTS (wanted));
      if (run->queue_first != NULL)
        {
          /* Read with the shared request. */
          answer = json_object_new ();
          json_object_set_object_member (answer, "result", g_steal_pointer (&run->queue_first));
          read_at = g_steal_pointer (&run->queue_read_at);
        }
      else
        {
          json_object_set_int_member (params, "clear", 0);
          json_object_set_int_member (params, "limit", QUEUE_PAGE);
          if ((answer = sd_b24_client_call (run->client, "event.offline.get", params,
                                            SD_B24_CALL_READ, run->cancellable, error)) == NULL)
            return FALSE;
        }
      result = json_object_get_member (answer, "result");
      if (result == NULL || !JSON_NODE_HOLDS_OBJECT (result)
          || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (json_node_get_object (result), "events")))
        {
          g_set_error (error, SD_B24_ERROR, SD_B24_ERROR_MALFORMED,
                       _("The portal sent a list that is not a list"));
          return FALSE;
        }
      /* The first reading's time: every change before it is in the queue or here. */
      time = json_object_get_member (answer, "time");
      if (read_at == NULL && time != NULL && JSON_NODE_HOLDS_OBJECT (time))
        read_at = sd_sync_dup_string (json_node_get_object (time), "date_start");
      events = json_object_get_array_member (json_node_get_object (result), "events");
      process = sd_sync_dup_string (json_node_get_object (result), "process_id");
      if (json_array_get_length (events) == 0)
        break;
      /* Remembered first: a sync stopped before the rows are in makes the next one scan. */
      if (!remember_taken (run, json_node_get_object (result), error))
        return FALSE;

      for (guint k = 0; k < n_kinds; k++)
        {
          wanted[k].kind = &kinds[k];
          wanted[k].ids = g_array_new (FALSE, FALSE, sizeof (gint64));
        }
      for (guint i = 0; i < json_array_get_length (events); i++)
        {
          JsonObject *event = json_array_get_object_element (events, i);
          g_autofree char *name = event != NULL ? sd_sync_dup_string (event, "EVENT_NAME") : NULL;
          JsonNode *data = event != NULL ? json_object_get_member (event, "EVENT_DATA") : NULL;

          for (guint e = 0; name != NULL && e < G_N_ELEMENTS (queue_events); e++)
            {
              JsonNode *fields;
              gint64 id;

              if (g_ascii_strcasecmp (name, queue_events[e].event) != 0)
                continue;
              fields = data != NULL && JSON_NODE_HOLDS_OBJECT (data)
                       ? json_object_get_member (json_node_get_object (data), queue_events[e].fields) : NULL;
              if (fields == NULL || !JSON_NODE_HOLDS_OBJECT (fields)
                  || (id = sd_sync_get_id (json_node_get_object (fields), "ID")) <= 0)
                continue;
              if (queue_events[e].entity == SD_ENTITY_TIMELINE)
                g_array_append_val (queue_events[e].deleted ? comments_gone : comments, id);
              else if (queue_events[e].entity == SD_ENTITY_TASK)
                g_array_append_val (queue_events[e].deleted ? tasks_gone : tasks, id);
              else if (queue_events[e].deleted)
                {
                  gint64 pair[2] = { queue_events[e].entity, id };
                  g_array_append_vals (deletions, pair, 1);
                }
              else
                for (guint k = 0; k < n_kinds; k++)
                  if (kinds[k].entity == queue_events[e].entity)
                    g_array_append_val (wanted[k].ids, id);
            }
        }
      for (guint k = 0; k < n_kinds; k++)
        unique_sorted (wanted[k].ids);

      sd_sync_run_progress (run, _("Receiving changes"));
      if (!fetch_changed (run, wanted, n_kinds, error)
          || !sd_sync_comments_from_events (run, comments, comments_gone, error)
          || !sd_sync_tasks_from_events (run, tasks, tasks_gone, error))
        goto failed;
      if (!sd_store_begin_bulk (run->store, error))
        goto failed;
      for (guint i = 0; i < deletions->len; i++)
        {
          gint64 *pair = &g_array_index (deletions, gint64, i * 2);
          const SdSyncKind *kind = sd_sync_kind_for ((SdEntity) pair[0]);
          gint64 local = sd_store_find_b24 (run->store, kind->entity, pair[1]);

          if (local != 0 && !sd_sync_delete_local (run, kind, local, error))
            {
              sd_store_rollback (run->store);
              goto failed;
            }
        }
      /* Done with this page: to be cleared with the next shared request. */
      if (process != NULL)
        {
          g_autofree char *done = sd_store_get_meta (run->store, DONE_KEY);
          g_autofree char *more = done != NULL ? g_strconcat (done, " ", process, NULL) : g_strdup (process);

          if (!sd_store_set_meta (run->store, DONE_KEY, more, error)
              || !sd_store_set_meta (run->store, PENDING_KEY, NULL, error))
            {
              sd_store_rollback (run->store);
              goto failed;
            }
        }
      if (!sd_sync_run_commit (run, error))
        goto failed;
      for (guint k = 0; k < n_kinds; k++)
        g_array_unref (wanted[k].ids);
      /* A short page was the whole queue: no request to hear that it is empty. */
      if (json_array_get_length (events) < QUEUE_PAGE)
        break;
      continue;

failed:
      for (guint k = 0; k < n_kinds; k++)
        g_array_unref (wanted[k].ids);
      return FALSE;
    }

  if (live && read_at != NULL)
    {
      guint n_kinds;
      const SdSyncKind *kinds = sd_sync_kinds (&n_kinds);

      for (guint k = 0; k < n_kinds; k++)
        {
          g_autofree char *meta_key = g_strdup_printf ("sync.cursor.%s", kinds[k].name);

          if (!sd_store_set_meta (run->store, meta_key, read_at, error))
            return FALSE;
        }
    }
  return TRUE;
}
