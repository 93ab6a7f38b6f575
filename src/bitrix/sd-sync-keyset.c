/* sd-sync-keyset.c: ID-ordered export of a list method, many pages a request.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-sync"

#include "sd-sync-run.h"

#include <glib/gi18n-lib.h>
#include <string.h>

typedef gboolean (*SdSyncPageFunc) (SdSyncRun        *run,
                              JsonArray  *rows,
                              gpointer    data,
                              GError    **error);

/* One keyset request in flight: sent from its own thread so that the portal prepares the
 * next 2 500 rows while this side writes the last ones. */
typedef struct
{
  SdSyncRun          *run;
  SdB24Batch   *batch;
  JsonObject   *answer;
  JsonObject   *dispose;      /* an earlier answer, freed here rather than by the writer */
  GError       *error;
  GThread      *thread;
} Fetch;

static gpointer
fetch_thread (gpointer data)
{
  Fetch *fetch = data;

  g_clear_pointer (&fetch->dispose, json_object_unref);
  fetch->answer = sd_b24_client_batch (fetch->run->client, fetch->batch, SD_B24_CALL_READ,
                                       fetch->run->cancellable, &fetch->error);
  return NULL;
}

/* Starts the request for @width pages after ID @last. */
static Fetch *
fetch_start (SdSyncRun          *run,
             const char         *method,
             JsonObject         *filter,
             const char * const *select,
             guint               width,
             const char         *last,
             JsonObject         *dispose)
{
  Fetch *fetch = g_new0 (Fetch, 1);

  fetch->run = run;
  fetch->dispose = dispose;
  fetch->batch = sd_b24_batch_new ();
  for (guint i = 0; i < width; i++)
    {
      g_autoptr(JsonObject) params = json_object_new ();
      JsonObject *where = json_object_new ();
      JsonObject *order = json_object_new ();
      g_autofree char *key = g_strdup_printf ("p%u", i);
      g_autofree char *after = i == 0 ? g_strdup (last)
                                      : g_strdup_printf ("$result[p%u][%d][ID]", i - 1, SD_SYNC_PAGE - 1);

      if (filter != NULL)
        {
          GList *members = json_object_get_members (filter);
          for (GList *l = members; l != NULL; l = l->next)
            json_object_set_member (where, l->data,
                                    json_node_copy (json_object_get_member (filter, l->data)));
          g_list_free (members);
        }
      json_object_set_string_member (where, ">ID", after);
      json_object_set_string_member (order, "ID", "ASC");
      json_object_set_object_member (params, "filter", where);
      json_object_set_object_member (params, "order", order);
      json_object_set_array_member (params, "select", sd_sync_string_array (select));
      json_object_set_int_member (params, "start", -1);
      sd_b24_batch_add (fetch->batch, key, method, params);
    }
  fetch->thread = g_thread_new ("sd-sync-fetch", fetch_thread, fetch);
  return fetch;
}

/* Waits for the answer; NULL with @error set when there is none. */
static JsonObject *
fetch_finish (Fetch   *fetch,
              GError **error)
{
  JsonObject *answer;

  g_thread_join (fetch->thread);
  sd_b24_batch_free (fetch->batch);
  answer = fetch->answer;
  if (answer == NULL)
    g_propagate_error (error, fetch->error);
  g_free (fetch);
  return answer;
}

/* The pages of a keyset answer, up to the first short one (the end); the chained commands
 * after it read nothing useful. *@last becomes the ID to go on from, or NULL at the end. */
static GPtrArray *
keyset_pages (JsonObject  *answer,
              guint        width,
              char       **last,
              GError     **error)
{
  g_autoptr(GPtrArray) pages = g_ptr_array_new ();

  g_clear_pointer (last, g_free);
  for (guint i = 0; i < width; i++)
    {
      g_autofree char *key = g_strdup_printf ("p%u", i);
      JsonNode *result = sd_b24_batch_get_result (answer, key, NULL, error);
      JsonArray *rows;
      JsonNode *row;
      guint n;

      if (result == NULL)
        return NULL;
      if (!JSON_NODE_HOLDS_ARRAY (result))
        {
          g_set_error (error, SD_B24_ERROR, SD_B24_ERROR_MALFORMED,
                       _("The portal sent a list that is not a list"));
          return NULL;
        }
      rows = json_node_get_array (result);
      n = json_array_get_length (rows);
      g_ptr_array_add (pages, rows);
      if (n < SD_SYNC_PAGE)
        {
          g_clear_pointer (last, g_free);
          return g_steal_pointer (&pages);
        }
      row = json_array_get_element (rows, n - 1);
      g_clear_pointer (last, g_free);
      *last = JSON_NODE_HOLDS_OBJECT (row) ? sd_sync_dup_string (json_node_get_object (row), "ID") : NULL;
      if (*last == NULL)
        {
          g_set_error (error, SD_B24_ERROR, SD_B24_ERROR_MALFORMED,
                       _("The portal sent a row without an ID"));
          return NULL;
        }
    }
  return g_steal_pointer (&pages);
}

/* Reads every row of a list method in ID order with start=-1 (no counting), up to
 * @width pages chained in one batch by $result references to the last ID of the page
 * before (reference §3): 2 500 rows a request. @filter is extra conditions; @expected the
 * number of rows, when counted, else -1; @page runs on each page, inside one transaction
 * per request when @write. The next request is on its way while a page is written. */
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

/* The same, going on after server id @after (a first page read some other way). */
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
  Fetch *next = fetch_start (run, method, filter, select, width, after, NULL);
  g_autoptr(JsonObject) written = NULL;  /* the answer written last, for the next fetch to free */
  gint64 seen = 0;

  while (next != NULL)
    {
      g_autoptr(JsonObject) answer = NULL;
      g_autoptr(GPtrArray) pages = NULL;
      g_autofree char *last = NULL;

      if ((answer = fetch_finish (next, error)) == NULL)
        return FALSE;
      next = NULL;
      if ((pages = keyset_pages (answer, width, &last, error)) == NULL)
        return FALSE;
      g_debug ("%s: %u pages, going on after %s", method, pages->len, last != NULL ? last : "(end)");
      /* After a first narrow look (an incremental pull usually finds a few rows), read
       * the rest at full width. */
      width = SD_B24_BATCH_MAX;
      for (guint i = 0; i < pages->len; i++)
        seen += json_array_get_length (pages->pdata[i]);
      /* With the count known, the request that would only find the end is not sent;
       * rows added meanwhile are newer than the cursor and come with the next sync. */
      if (last != NULL && (expected < 0 || seen < expected))
        next = fetch_start (run, method, filter, select, width, last, g_steal_pointer (&written));

      if (write && !sd_store_begin_bulk (run->store, error))
        goto failed;
      for (guint i = 0; i < pages->len; i++)
        if (json_array_get_length (pages->pdata[i]) > 0 && !page (run, pages->pdata[i], data, error))
          {
            if (write)
              sd_store_rollback (run->store);
            goto failed;
          }
      if (write && !sd_sync_run_commit (run, error))
        goto failed;
      if (sd_sync_run_cancelled (run, error))
        goto failed;
      /* Freeing 2 500 parsed rows is not free: the next fetch's thread does it. */
      g_clear_pointer (&pages, g_ptr_array_unref);
      g_clear_pointer (&written, json_object_unref);
      written = g_steal_pointer (&answer);
    }
  return TRUE;

failed:
  if (next != NULL)
    {
      g_autoptr(JsonObject) ignored = NULL;
      g_autoptr(GError) ignored_error = NULL;

      ignored = fetch_finish (next, &ignored_error);
    }
  return FALSE;
}

int
sd_sync_compare_ids (gconstpointer a,
                     gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}
