/* sd-sync-keyset.c: ID-ordered export of list methods, many pages a request.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-sync"

#include "sd-sync-run.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/* Rows a transaction of an export holds, rather than one request's 2 500: fewer commits
 * write the same index pages to the write-ahead log again. */
#define COMMIT_ROWS 10000

/* Where an export of one chain stands. */
typedef struct
{
  const SdSyncChain *chain;
  char              *last;     /* the ID to go on after; NULL once the chain has ended */
  gint64             seen;
} ChainState;

/* The pages of one chain a request asks for, in command order, going on after @after. */
typedef struct
{
  guint               chain;
  guint               pages;
  const SdSyncChain  *definition;
  char               *after;
} Segment;

static void
segment_clear (gpointer data)
{
  g_free (((Segment *) data)->after);
}

/* One keyset request in flight: sent from the export's fetch thread so that the portal
 * prepares the next rows while this side writes the last ones. One thread for the whole
 * export, not one a request: GLib 2.74's slice allocator keeps its free lists per thread,
 * and a new thread for every answer of 100 000 nodes started from empty ones each time. */
typedef struct
{
  SdSyncRun    *run;
  SdB24Batch   *batch;
  GArray       *segments;
  JsonObject   *answer;
  JsonObject   *dispose;      /* an earlier answer, freed here rather than by the writer */
  GError       *error;
  GMutex        lock;
  GCond         cond;
  gboolean      done;
} Fetch;

static char *
page_key (guint chain,
          guint page)
{
  return g_strdup_printf ("c%up%u", chain, page);
}

JsonObject *
sd_sync_keyset_params (JsonObject         *filter,
                       const char * const *select,
                       const char         *after)
{
  JsonObject *params = json_object_new ();
  JsonObject *where = json_object_new ();
  JsonObject *order = json_object_new ();

  if (filter != NULL)
    {
      GList *members = json_object_get_members (filter);
      for (GList *l = members; l != NULL; l = l->next)
        json_object_set_member (where, l->data, json_node_copy (json_object_get_member (filter, l->data)));
      g_list_free (members);
    }
  json_object_set_string_member (where, ">ID", after);
  json_object_set_string_member (order, "ID", "ASC");
  json_object_set_object_member (params, "filter", where);
  json_object_set_object_member (params, "order", order);
  json_object_set_array_member (params, "select", sd_sync_string_array (select));
  json_object_set_int_member (params, "start", -1);
  return params;
}

/* The request's commands, made on the fetch thread rather than by the writer: the pages
 * of a segment chained by $result references to the last ID of the page before
 * (reference §3). */
static void
fetch_build (Fetch *fetch)
{
  for (guint s = 0; s < fetch->segments->len; s++)
    {
      const Segment *segment = &g_array_index (fetch->segments, Segment, s);

      for (guint i = 0; i < segment->pages; i++)
        {
          g_autofree char *key = page_key (segment->chain, i);
          g_autofree char *before = i > 0 ? page_key (segment->chain, i - 1) : NULL;
          g_autofree char *after = i == 0 ? g_strdup (segment->after)
                                          : g_strdup_printf ("$result[%s][%d][ID]", before, SD_SYNC_PAGE - 1);
          g_autoptr(JsonObject) params = sd_sync_keyset_params (segment->definition->filter, segment->definition->select, after);

          sd_b24_batch_add (fetch->batch, key, segment->definition->method, params);
        }
    }
}

static void
fetch_thread (gpointer data,
              gpointer user_data)
{
  Fetch *fetch = data;

  g_clear_pointer (&fetch->dispose, json_object_unref);
  fetch_build (fetch);
  fetch->answer = sd_b24_client_batch (fetch->run->client, fetch->batch, SD_B24_CALL_READ,
                                       fetch->run->cancellable, &fetch->error);
  g_mutex_lock (&fetch->lock);
  fetch->done = TRUE;
  g_cond_signal (&fetch->cond);
  g_mutex_unlock (&fetch->lock);
}

/* Pages a chain still needs: known from its count, else as many as there is room for. */
static guint
pages_wanted (const ChainState *state,
              guint             room)
{
  gint64 left;

  if (state->chain->expected < 0)
    return room;
  left = state->chain->expected - state->seen;
  return left <= 0 ? 0 : MIN ((guint) ((left + SD_SYNC_PAGE - 1) / SD_SYNC_PAGE), room);
}

/* Starts the request for up to @width pages: the chains in order, each going on after its
 * last ID, the pages of one chained by $result references to the last ID of the page
 * before (reference §3). A chain of unknown length takes the rest of the room. NULL when
 * every chain has ended. */
static Fetch *
fetch_start (SdSyncRun   *run,
             GThreadPool *pool,
             ChainState  *states,
             guint        n_states,
             guint        width,
             JsonObject  *dispose)
{
  Fetch *fetch;
  guint room = width;

  fetch = g_new0 (Fetch, 1);
  fetch->run = run;
  fetch->dispose = dispose;
  fetch->batch = sd_b24_batch_new ();
  fetch->segments = g_array_new (FALSE, FALSE, sizeof (Segment));
  g_array_set_clear_func (fetch->segments, segment_clear);
  for (guint c = 0; c < n_states && room > 0; c++)
    {
      Segment segment = { c, pages_wanted (&states[c], room), states[c].chain, NULL };

      if (states[c].last == NULL || segment.pages == 0)
        continue;
      segment.after = g_strdup (states[c].last);
      g_array_append_val (fetch->segments, segment);
      room -= segment.pages;
      if (states[c].chain->expected < 0)
        break;
    }
  if (fetch->segments->len == 0)
    {
      g_clear_pointer (&fetch->dispose, json_object_unref);
      sd_b24_batch_free (fetch->batch);
      g_array_unref (fetch->segments);
      g_free (fetch);
      return NULL;
    }
  g_mutex_init (&fetch->lock);
  g_cond_init (&fetch->cond);
  g_thread_pool_push (pool, fetch, NULL);
  return fetch;
}

/* Waits for the answer; NULL with @error set when there is none. *@segments gets what
 * was asked. */
static JsonObject *
fetch_finish (Fetch   *fetch,
              GArray **segments,
              GError **error)
{
  JsonObject *answer;

  g_mutex_lock (&fetch->lock);
  while (!fetch->done)
    g_cond_wait (&fetch->cond, &fetch->lock);
  g_mutex_unlock (&fetch->lock);
  g_mutex_clear (&fetch->lock);
  g_cond_clear (&fetch->cond);
  sd_b24_batch_free (fetch->batch);
  answer = fetch->answer;
  if (answer == NULL)
    g_propagate_error (error, fetch->error);
  if (segments != NULL)
    *segments = g_steal_pointer (&fetch->segments);
  g_clear_pointer (&fetch->segments, g_array_unref);
  g_free (fetch);
  return answer;
}

/* One page of a chain the answer holds. */
typedef struct
{
  guint      chain;
  JsonArray *rows;
} Page;

/* The pages of a segment up to the first short one (the chain's end: the chained
 * commands after it read nothing useful) or the chain's count; the state goes on from
 * the last row. */
static gboolean
segment_pages (JsonObject     *answer,
               const Segment  *segment,
               ChainState     *state,
               GArray         *pages,
               GError        **error)
{
  for (guint i = 0; i < segment->pages; i++)
    {
      g_autofree char *key = page_key (segment->chain, i);
      JsonNode *result = sd_b24_batch_get_result (answer, key, NULL, error);
      Page page = { segment->chain, NULL };
      JsonNode *row;
      guint n;

      if (result == NULL)
        return FALSE;
      if (!JSON_NODE_HOLDS_ARRAY (result))
        {
          g_set_error (error, SD_B24_ERROR, SD_B24_ERROR_MALFORMED,
                       _("The portal sent a list that is not a list"));
          return FALSE;
        }
      page.rows = json_node_get_array (result);
      n = json_array_get_length (page.rows);
      g_array_append_val (pages, page);
      state->seen += n;
      g_clear_pointer (&state->last, g_free);
      /* With the count reached, the request that would only find the end is not sent;
       * rows added meanwhile are newer than the cursor and come with the next sync. */
      if (n < SD_SYNC_PAGE || (state->chain->expected >= 0 && state->seen >= state->chain->expected))
        return TRUE;
      row = json_array_get_element (page.rows, n - 1);
      state->last = JSON_NODE_HOLDS_OBJECT (row) ? sd_sync_dup_string (json_node_get_object (row), "ID") : NULL;
      if (state->last == NULL)
        {
          g_set_error (error, SD_B24_ERROR, SD_B24_ERROR_MALFORMED,
                       _("The portal sent a row without an ID"));
          return FALSE;
        }
    }
  return TRUE;
}

/* Reads every row of @n_chains list methods in ID order with start=-1 (no counting),
 * packed @width pages a request (the first request; later ones as wide as a batch goes):
 * 2 500 rows a request, chains sharing a request where one ends. Each chain's page
 * function runs on its pages in order, inside transactions of about COMMIT_ROWS rows when
 * @write. The next request is on its way while a page is written. */
gboolean
sd_sync_keyset_export_chains (SdSyncRun          *run,
                              const SdSyncChain  *chains,
                              guint               n_chains,
                              guint               width,
                              gboolean            write,
                              GError            **error)
{
  g_autofree ChainState *states = g_new0 (ChainState, n_chains);
  g_autoptr(JsonObject) written = NULL;  /* the answer written last, for the next fetch to free */
  gboolean ok = FALSE, open = FALSE;
  gint64 uncommitted = 0;
  GThreadPool *pool;
  Fetch *next;

  for (guint c = 0; c < n_chains; c++)
    {
      states[c].chain = &chains[c];
      states[c].last = g_strdup (chains[c].after != NULL ? chains[c].after : "0");
    }
  pool = g_thread_pool_new (fetch_thread, NULL, 1, TRUE, NULL);
  next = fetch_start (run, pool, states, n_chains, width, NULL);
  while (next != NULL)
    {
      g_autoptr(JsonObject) answer = NULL;
      g_autoptr(GArray) segments = NULL;
      g_autoptr(GArray) pages = g_array_new (FALSE, FALSE, sizeof (Page));
      gboolean cancelled;

      answer = fetch_finish (next, &segments, error);
      next = NULL;
      if (answer == NULL)
        goto out;
      for (guint s = 0; s < segments->len; s++)
        {
          Segment *segment = &g_array_index (segments, Segment, s);

          if (!segment_pages (answer, segment, &states[segment->chain], pages, error))
            goto out;
          g_debug ("%s: %" G_GINT64_FORMAT " rows so far, going on after %s", chains[segment->chain].method,
                   states[segment->chain].seen,
                   states[segment->chain].last != NULL ? states[segment->chain].last : "(end)");
        }
      next = fetch_start (run, pool, states, n_chains, SD_B24_BATCH_MAX, g_steal_pointer (&written));

      if (write && !open && !(open = sd_store_begin_bulk (run->store, error)))
        goto out;
      for (guint i = 0; i < pages->len; i++)
        {
          Page *page = &g_array_index (pages, Page, i);
          const SdSyncChain *chain = &chains[page->chain];

          if (json_array_get_length (page->rows) > 0 && !chain->page (run, page->rows, chain->data, error))
            {
              if (write)
                sd_store_rollback (run->store);
              open = FALSE;
              goto out;
            }
          uncommitted += json_array_get_length (page->rows);
        }
      cancelled = sd_sync_run_cancelled (run, NULL);
      if (open && (next == NULL || cancelled || uncommitted >= COMMIT_ROWS))
        {
          open = FALSE;
          uncommitted = 0;
          if (!sd_sync_run_commit (run, error))
            goto out;
        }
      if (cancelled && sd_sync_run_cancelled (run, error))
        goto out;
      /* Freeing 2 500 parsed rows is not free: the next fetch's thread does it. */
      g_clear_pointer (&pages, g_array_unref);
      g_clear_pointer (&written, json_object_unref);
      written = g_steal_pointer (&answer);
    }
  ok = TRUE;

out:
  /* What was written stays when the portal stops answering. */
  if (open && !sd_sync_run_commit (run, ok ? error : NULL))
    ok = FALSE;
  if (next != NULL)
    {
      g_autoptr(JsonObject) ignored = NULL;
      g_autoptr(GError) ignored_error = NULL;

      ignored = fetch_finish (next, NULL, &ignored_error);
    }
  g_thread_pool_free (pool, FALSE, TRUE);
  for (guint c = 0; c < n_chains; c++)
    g_free (states[c].last);
  return ok;
}

/* One chain: every row of @method (after @filter), going on after server id @after ("0"
 * for all); @expected the number of rows, when counted, else -1. */
gboolean
sd_sync_keyset_export_after (SdSyncRun           *run,
                             const char          *method,
                             JsonObject          *filter,
                             const char * const  *select,
                             guint                width,
                             gint64               expected,
                             gboolean             write,
                             SdSyncPageFunc       page,
                             gpointer             data,
                             const char          *after,
                             GError             **error)
{
  SdSyncChain chain = { method, filter, select, expected, page, data, after };

  return sd_sync_keyset_export_chains (run, &chain, 1, width, write, error);
}

gboolean
sd_sync_keyset_export (SdSyncRun           *run,
                       const char          *method,
                       JsonObject          *filter,
                       const char * const  *select,
                       guint                width,
                       gint64               expected,
                       gboolean             write,
                       SdSyncPageFunc       page,
                       gpointer             data,
                       GError             **error)
{
  return sd_sync_keyset_export_after (run, method, filter, select, width, expected, write, page, data,
                                      "0", error);
}

int
sd_sync_compare_ids (gconstpointer a,
                     gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}
