/* sd-sync-comments.c: timeline comments of deals, both ways.
 *
 * The portal lists comments only per owner (crm.timeline.comment.list needs ENTITY_ID and
 * ENTITY_TYPE, reference §7.5), and a new comment does not change its deal's DATE_MODIFY.
 * With the offline event queue (OAuth) the portal names the comments others added,
 * changed or deleted (ONCRMTIMELINECOMMENT*, §7.13): each is read again with its deal's
 * whole list. Without it, a sync reads the comments of (a) the deals the portal changed
 * after the last sync (see changed_deals) and (b) a sweep of up to SWEEP_DEALS more deals in ID order,
 * continuing where the last sync stopped, one list command a deal. Both ride in the free
 * commands of the shared request (the sweep then takes what is left of its 50); changed
 * deals that do not fit follow, 50 to a request. With the queue the sweep rides only
 * with the hourly full comparison, as a safety net. A first sync reads the sweep only,
 * after the rows are in: a portal of 100 000 deals costs one request more, and the
 * comments of the other deals arrive as the sweep goes round (or when the deal changes).
 *
 * Local comments (timeline rows of kind "comment") go out as crm.timeline.comment.add /
 * update / delete, each journal entry marked only once the portal confirmed it. A creation
 * whose answer was lost is recognised when its deal's comments are read again: a portal
 * comment with the same text on the same deal is adopted by the waiting local row instead
 * of being pulled as a new one, and the row is not sent again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-sync"

#include "sd-sync-run.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/* Deals whose comments a sync reads besides the changed ones: one request. */
#define SWEEP_DEALS SD_B24_BATCH_MAX

static const char *const comment_select[] = {
  "ID", "ENTITY_ID", "ENTITY_TYPE", "CREATED", "COMMENT", "AUTHOR_ID", NULL,
};

static JsonObject *
list_params (gint64 deal,
             gint64 start)
{
  JsonObject *params = json_object_new ();
  JsonObject *filter = json_object_new ();
  JsonObject *order = json_object_new ();

  json_object_set_int_member (filter, "ENTITY_ID", deal);
  json_object_set_string_member (filter, "ENTITY_TYPE", "deal");
  json_object_set_string_member (order, "ID", "ASC");
  json_object_set_object_member (params, "filter", filter);
  json_object_set_object_member (params, "order", order);
  json_object_set_array_member (params, "select", sd_sync_string_array (comment_select));
  json_object_set_int_member (params, "start", start);
  return params;
}

/* Merges the full list of portal comments @rows of deal @deal_b24. */
static gboolean
apply_deal_comments (SdSyncRun  *run,
                     gint64      deal_b24,
                     GPtrArray  *rows,
                     GHashTable *deleted,
                     GError    **error)
{
  gint64 deal = sd_store_find_b24 (run->store, SD_ENTITY_DEAL, deal_b24);
  g_autoptr(GHashTable) remote = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GArray) local = NULL;

  if (deal == 0)
    return TRUE;
  for (guint i = 0; i < rows->len; i++)
    {
      gint64 id = sd_sync_get_id (rows->pdata[i], "ID");
      if (id > 0)
        g_hash_table_add (remote, g_memdup2 (&id, sizeof id));
    }
  if ((local = sd_store_list_referencing (run->store, SD_ENTITY_TIMELINE, "deal_id", deal, error)) == NULL)
    return FALSE;

  /* Gone there: gone here, unless changed here since (then the user chooses). */
  for (guint i = 0; i < local->len; i++)
    {
      gint64 id = g_array_index (local, gint64, i);
      gint64 b24_id;

      if (!sd_store_get_b24_id (run->store, SD_ENTITY_TIMELINE, id, &b24_id)
          || g_hash_table_contains (remote, &b24_id))
        continue;
      if (sd_store_has_outbox_entry (run->store, SD_ENTITY_TIMELINE, id, FALSE)
          ? !sd_sync_conflict_deleted (run, SD_ENTITY_TIMELINE, id, error)
          : !sd_store_delete (run->store, SD_ENTITY_TIMELINE, id, error))
        return FALSE;
    }

  for (guint i = 0; i < rows->len; i++)
    {
      JsonObject *row = rows->pdata[i];
      gint64 b24_id = sd_sync_get_id (row, "ID");
      g_autofree char *text = sd_sync_dup_string (row, "COMMENT");
      gint64 id;

      /* Deleted here, the deletion not sent yet. */
      if (b24_id <= 0 || text == NULL || g_hash_table_contains (deleted, &b24_id))
        continue;
      id = sd_store_find_b24 (run->store, SD_ENTITY_TIMELINE, b24_id);
      if (id == 0)
        {
          /* Our own creation whose answer was lost comes back here: adopt it. */
          for (guint l = 0; l < local->len && id == 0; l++)
            {
              gint64 candidate = g_array_index (local, gint64, l);
              g_autofree char *theirs = NULL;
              gint64 known;

              if (sd_store_get_b24_id (run->store, SD_ENTITY_TIMELINE, candidate, &known)
                  || !sd_store_has_outbox_entry (run->store, SD_ENTITY_TIMELINE, candidate, TRUE))
                continue;
              theirs = sd_sync_read_text (run, SD_ENTITY_TIMELINE, candidate, "text");
              if (g_strcmp0 (theirs, text) == 0)
                {
                  id = candidate;
                  if (!sd_store_set_b24_state (run->store, SD_ENTITY_TIMELINE, id, b24_id, NULL, error))
                    return FALSE;
                }
            }
        }
      if (id == 0)
        {
          g_autoptr(SdChanges) changes = sd_changes_new ();
          g_autofree char *created = sd_sync_dup_string (row, "CREATED");
          g_autofree char *at = sd_sync_local_time (created);
          gint64 author = sd_store_find_b24 (run->store, SD_ENTITY_USER, sd_sync_get_id (row, "AUTHOR_ID"));

          sd_changes_set_int (changes, "deal_id", deal);
          sd_changes_set_text (changes, "kind", "comment");
          sd_changes_set_text (changes, "text", text);
          if (author != 0)
            sd_changes_set_int (changes, "author_id", author);
          if (at != NULL)
            sd_changes_set_text (changes, "created_at", at);
          if ((id = sd_store_insert (run->store, SD_ENTITY_TIMELINE, changes, error)) == 0
              || !sd_store_set_b24_state (run->store, SD_ENTITY_TIMELINE, id, b24_id, NULL, error))
            return FALSE;
          run->report.pulled++;
        }
      else
        {
          g_autofree char *mine = sd_sync_read_text (run, SD_ENTITY_TIMELINE, id, "text");
          g_autoptr(SdChanges) changes = sd_changes_new ();
          g_autoptr(SdChanges) merged = NULL;

          if (g_strcmp0 (mine, text) == 0)
            continue;
          /* Only its author edits a comment there (the list tells no editor or time). */
          sd_changes_set_text (changes, "text", text);
          if (!sd_sync_merge (run, SD_ENTITY_TIMELINE, id, changes, sd_sync_get_id (row, "AUTHOR_ID"), NULL,
                              &merged, error)
              || !sd_store_update (run->store, SD_ENTITY_TIMELINE, id, merged != NULL ? merged : changes,
                                   error))
            return FALSE;
          run->report.pulled += merged == NULL;
        }
    }
  return TRUE;
}

typedef struct
{
  gint64     deal;
  gint64     start;
  guint      slot;   /* its command's number in the request that reads its page */
  GPtrArray *rows;   /* JsonObject, owned: the pages read so far */
} DealComments;

static void
deal_comments_free (DealComments *item)
{
  /* NULL: taken out of its array to read its next page. */
  if (item == NULL)
    return;
  g_ptr_array_unref (item->rows);
  g_free (item);
}

static DealComments *
deal_comments_new (gint64 deal)
{
  DealComments *item = g_new0 (DealComments, 1);

  item->deal = deal;
  item->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  return item;
}

/* Asks for the next page of each deal in @asked, keyed @prefix0, @prefix1… */
static void
add_reads (SdB24Batch *batch,
           const char *prefix,
           GPtrArray  *asked)
{
  for (guint i = 0; i < asked->len; i++)
    {
      DealComments *item = asked->pdata[i];
      g_autofree char *key = g_strdup_printf ("%s%u", prefix, i);
      g_autoptr(JsonObject) params = list_params (item->deal, item->start);

      item->slot = i;
      sd_b24_batch_add (batch, key, "crm.timeline.comment.list", params);
    }
}

/* Takes the pages @answer holds for the deals in @asked (emptied), each under @prefix and
 * its slot: a deal with more goes back to @queue, the others are merged, in one
 * transaction. */
static gboolean
take_reads (SdSyncRun   *run,
            JsonObject  *answer,
            const char  *prefix,
            GPtrArray   *asked,
            GQueue      *queue,
            GHashTable  *deleted,
            GError     **error)
{
  gboolean ok = sd_store_begin_bulk (run->store, error);

  for (guint i = 0; ok && i < asked->len; i++)
    {
      DealComments *item = asked->pdata[i];
      g_autofree char *key = g_strdup_printf ("%s%u", prefix, item->slot);
      g_autoptr(GError) command_error = NULL;
      JsonNode *result;
      gint64 next = 0;

      result = sd_b24_batch_get_result (answer, key, &next, &command_error);
      if (result == NULL || !JSON_NODE_HOLDS_ARRAY (result))
        {
          /* The deal is gone there (the check removes it here) or cannot be read. */
          g_debug ("comments of deal %" G_GINT64_FORMAT " not read: %s", item->deal,
                   command_error != NULL ? command_error->message : "not a list");
          continue;
        }
      for (guint r = 0; r < json_array_get_length (json_node_get_array (result)); r++)
        {
          JsonNode *row = json_array_get_element (json_node_get_array (result), r);
          if (JSON_NODE_HOLDS_OBJECT (row))
            g_ptr_array_add (item->rows, json_object_ref (json_node_get_object (row)));
        }
      if (next > item->start)
        {
          item->start = next;
          g_queue_push_tail (queue, g_steal_pointer (&asked->pdata[i]));
          continue;
        }
      ok = apply_deal_comments (run, item->deal, item->rows, deleted, error);
    }
  g_ptr_array_set_size (asked, 0);
  if (ok)
    return sd_sync_run_commit (run, error);
  if (sd_store_in_transaction (run->store))
    sd_store_rollback (run->store);
  return FALSE;
}

/* Reads the comments of every deal in @queue (consumed), 50 list commands a request, and
 * merges each deal's once its last page is in. */
static gboolean
read_queue (SdSyncRun   *run,
            GQueue      *queue,
            GHashTable  *deleted,
            GError     **error)
{
  gboolean ok = TRUE;

  while (ok && !g_queue_is_empty (queue))
    {
      g_autoptr(SdB24Batch) batch = sd_b24_batch_new ();
      g_autoptr(GPtrArray) asked = g_ptr_array_new_with_free_func ((GDestroyNotify) deal_comments_free);
      g_autoptr(JsonObject) answer = NULL;

      while (!g_queue_is_empty (queue) && asked->len < SD_B24_BATCH_MAX)
        g_ptr_array_add (asked, g_queue_pop_head (queue));
      add_reads (batch, "c", asked);
      ok = !sd_sync_run_cancelled (run, error)
           && (answer = sd_b24_client_batch (run->client, batch, SD_B24_CALL_READ, run->cancellable,
                                             error)) != NULL
           && take_reads (run, answer, "c", asked, queue, deleted, error);
    }
  g_queue_clear_full (queue, (GDestroyNotify) deal_comments_free);
  return ok;
}

/* Reads and merges the comments of every deal in @deals (server ids). */
static gboolean
read_comments (SdSyncRun  *run,
               GArray     *deals,
               GError    **error)
{
  g_autoptr(GHashTable) deleted = sd_sync_pending_deletions (run, SD_ENTITY_TIMELINE, error);
  GQueue queue = G_QUEUE_INIT;

  if (deleted == NULL)
    return FALSE;
  for (guint i = 0; i < deals->len; i++)
    g_queue_push_tail (&queue, deal_comments_new (g_array_index (deals, gint64, i)));
  return read_queue (run, &queue, deleted, error);
}

/* Deals the portal changed after the last sync ended (server ids), or NULL with no error
 * before the first one. The cursor is the newest change the last sync saw, our own push's
 * included (sd_sync_comments_seen), taken strictly and without the scan's overlap: the
 * rows our push changed (a batch of them shares a second), and those the overlap reads
 * again, do not cost their comments again. A change there in that same second, or one
 * older than the cursor that arrives late, waits for the sweep. */
static GArray *
changed_deals (SdSyncRun  *run,
               GError    **error)
{
  g_autofree char *cursor = sd_store_get_meta (run->store, "sync.comments.cursor");
  g_autoptr(GDateTime) at = cursor != NULL ? g_date_time_new_from_iso8601 (cursor, NULL) : NULL;
  g_autoptr(GDateTime) since = at != NULL ? g_date_time_add_seconds (at, 1) : NULL;
  g_autofree char *text = since != NULL ? g_date_time_format (since, "%FT%T%:z") : NULL;

  return text != NULL ? sd_store_list_deals_modified_since (run->store, text, error) : NULL;
}

/* The next @size deals of the sweep (server ids), going round from the first deal. */
static GArray *
sweep_deals (SdSyncRun  *run,
             guint       size,
             GError    **error)
{
  g_autofree char *sweep_text = sd_store_get_meta (run->store, "sync.comments.sweep");
  gint64 after = sweep_text != NULL ? g_ascii_strtoll (sweep_text, NULL, 10) : 0;
  g_autoptr(GArray) sweep = sd_store_list_deals_after (run->store, after, size, error);

  if (sweep != NULL && sweep->len < size && after > 0)
    {
      /* Round again from the first deal. */
      g_autoptr(GArray) more = sd_store_list_deals_after (run->store, 0, size - sweep->len, error);

      if (more == NULL)
        return NULL;
      g_array_append_vals (sweep, more->data, more->len);
    }
  return g_steal_pointer (&sweep);
}

/* Where the sweep goes on after @sweep of @size deals. */
static char *
sweep_next (GArray *sweep,
            guint   size)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT,
                          sweep->len == size && size > 0 ? g_array_index (sweep, gint64, sweep->len - 1) : 0);
}

static void
add_unseen (GArray     *deals,
            GHashTable *seen,
            GArray     *from)
{
  for (guint i = 0; from != NULL && i < from->len; i++)
    {
      gint64 *deal = &g_array_index (from, gint64, i);

      if (g_hash_table_contains (seen, deal))
        continue;
      g_hash_table_add (seen, g_memdup2 (deal, sizeof *deal));
      g_array_append_val (deals, *deal);
    }
}

/* The comments of the deals changed since the last pull (unless the event queue tells)
 * and of the sweep, in the shared request's free commands; what does not fit is read by
 * sd_sync_pull_comments (changed deals) or left for the next sync (the sweep). */
void
sd_sync_comments_ride (SdSyncRun  *run,
                       SdB24Batch *batch)
{
  guint room = SD_B24_BATCH_MAX - MIN (SD_B24_BATCH_MAX, sd_b24_batch_get_size (batch));
  g_autoptr(GArray) changed = NULL;
  g_autoptr(GArray) sweep = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GArray) deals = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint size;

  /* Reading fails only with the store broken: the pull after says so. */
  if (!run->queue_live && (changed = changed_deals (run, NULL)) != NULL)
    add_unseen (deals, seen, changed);
  size = MIN (SWEEP_DEALS, room - MIN (room, deals->len));
  if ((sweep = sweep_deals (run, size, NULL)) == NULL)
    return;
  add_unseen (deals, seen, sweep);
  run->comments_ridden = g_ptr_array_new_with_free_func ((GDestroyNotify) deal_comments_free);
  for (guint i = 0; i < deals->len && i < room; i++)
    g_ptr_array_add (run->comments_ridden, deal_comments_new (g_array_index (deals, gint64, i)));
  add_reads (batch, "sc", run->comments_ridden);
  /* No room for the sweep this time: it stays where it was. */
  run->comments_sweep_next = size > 0 ? sweep_next (sweep, size)
                                      : sd_store_get_meta (run->store, "sync.comments.sweep");
}

gboolean
sd_sync_pull_comments (SdSyncRun  *run,
                       GError    **error)
{
  g_autoptr(GArray) deals = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GHashTable) deleted = NULL;
  g_autoptr(GArray) changed = NULL;
  g_autoptr(GArray) sweep = NULL;
  g_autoptr(GPtrArray) ridden = g_steal_pointer (&run->comments_ridden);
  g_autofree char *next = g_steal_pointer (&run->comments_sweep_next);
  GError *local_error = NULL;
  GQueue queue = G_QUEUE_INIT;

  sd_sync_run_progress (run, _("Comments: receiving"));
  if ((deleted = sd_sync_pending_deletions (run, SD_ENTITY_TIMELINE, error)) == NULL)
    return FALSE;
  if (ridden != NULL)
    {
      /* Those that rode are in; the changed deals that did not fit, or that the scan has
       * just brought, follow. */
      for (guint i = 0; i < ridden->len; i++)
        g_hash_table_add (seen, g_memdup2 (&((DealComments *) ridden->pdata[i])->deal, sizeof (gint64)));
      gboolean ok = take_reads (run, run->shared, "sc", ridden, &queue, deleted, error)
                    && read_queue (run, &queue, deleted, error);

      g_queue_clear_full (&queue, (GDestroyNotify) deal_comments_free);
      if (!ok)
        return FALSE;
    }
  else if (run->queue_live)
    return TRUE;  /* the queue names the comments that changed */
  else
    {
      /* A first sync (and one that could not ride): the sweep after the rows are in. */
      if ((sweep = sweep_deals (run, SWEEP_DEALS, error)) == NULL)
        return FALSE;
      next = sweep_next (sweep, SWEEP_DEALS);
    }
  if (!run->queue_live)
    {
      changed = changed_deals (run, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
    }
  add_unseen (deals, seen, changed);
  add_unseen (deals, seen, sweep);
  return read_comments (run, deals, error)
         && sd_store_set_meta (run->store, "sync.comments.sweep", next, error);
}

/* At the end of a sync: the deals changed so far are read, those of our own push too. */
gboolean
sd_sync_comments_seen (SdSyncRun  *run,
                       GError    **error)
{
  g_autofree char *deal_cursor = sd_store_get_meta (run->store, "sync.cursor.deal");

  return deal_cursor == NULL || sd_store_set_meta (run->store, "sync.comments.cursor", deal_cursor, error);
}

/* A new comment's deal is not known here: the comment (crm.timeline.comment.get) and its
 * owner's list, whose filter takes the owner from the get's answer by $result references
 * (reference §4), go in one request: two commands a comment. */
#define CHAINED_MAX (SD_B24_BATCH_MAX / 2)

static void
add_chained (SdB24Batch *batch,
             guint       slot,
             gint64      comment)
{
  g_autoptr(JsonObject) get = json_object_new ();
  g_autoptr(JsonObject) list = list_params (0, 0);
  JsonObject *filter = json_object_get_object_member (list, "filter");
  g_autofree char *get_key = g_strdup_printf ("g%u", slot);
  g_autofree char *list_key = g_strdup_printf ("l%u", slot);
  g_autofree char *owner = g_strdup_printf ("$result[%s][ENTITY_ID]", get_key);
  g_autofree char *type = g_strdup_printf ("$result[%s][ENTITY_TYPE]", get_key);

  json_object_set_int_member (get, "id", comment);
  sd_b24_batch_add (batch, get_key, "crm.timeline.comment.get", get);
  json_object_set_string_member (filter, "ENTITY_ID", owner);
  json_object_set_string_member (filter, "ENTITY_TYPE", type);
  sd_b24_batch_add (batch, list_key, "crm.timeline.comment.list", list);
}

/* The deal comment @slot of a chained request belongs to, when it is one known here and
 * not read yet (added to @seen); else 0. */
static gint64
chained_deal (SdSyncRun  *run,
              JsonObject *answer,
              guint       slot,
              GHashTable *seen)
{
  g_autofree char *key = g_strdup_printf ("g%u", slot);
  JsonNode *result = sd_b24_batch_get_result (answer, key, NULL, NULL);
  g_autofree char *type = NULL;
  gint64 deal;

  /* Gone again since, or on another kind of owner. */
  if (result == NULL || !JSON_NODE_HOLDS_OBJECT (result))
    return 0;
  type = sd_sync_dup_string (json_node_get_object (result), "ENTITY_TYPE");
  deal = sd_sync_get_id (json_node_get_object (result), "ENTITY_ID");
  if (g_ascii_strcasecmp (type != NULL ? type : "", "deal") != 0 || deal <= 0
      || g_hash_table_contains (seen, &deal) || sd_store_find_b24 (run->store, SD_ENTITY_DEAL, deal) == 0)
    return 0;
  g_hash_table_add (seen, g_memdup2 (&deal, sizeof deal));
  return deal;
}

/* Comments the event queue named: each read again with the whole list of its deal (which
 * also removes what was deleted there). A comment new here is read with its deal's list
 * in one request (add_chained), up to CHAINED_MAX a request; the lists of deals known
 * here fill the commands left. */
gboolean
sd_sync_comments_from_events (SdSyncRun  *run,
                              GArray     *changed,
                              GArray     *gone,
                              GError    **error)
{
  g_autoptr(GArray) deals = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GArray) unknown = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) known_deals = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GHashTable) deleted = NULL;
  GQueue queue = G_QUEUE_INIT;
  gboolean ok = TRUE;

  for (guint pass = 0; pass < 2; pass++)
    {
      GArray *ids = pass == 0 ? changed : gone;

      for (guint i = 0; i < ids->len; i++)
        {
          gint64 b24_id = g_array_index (ids, gint64, i);
          gint64 local = sd_store_find_b24 (run->store, SD_ENTITY_TIMELINE, b24_id);
          gint64 deal = local != 0 ? sd_sync_b24_of (run, SD_ENTITY_DEAL,
                                                     sd_sync_read_int (run, SD_ENTITY_TIMELINE, local, "deal_id"))
                                   : 0;

          if (deal > 0)
            g_array_append_val (known_deals, deal);
          else if (pass == 0)
            g_array_append_val (unknown, b24_id);
        }
    }
  if (known_deals->len == 0 && unknown->len == 0)
    return TRUE;
  if ((deleted = sd_sync_pending_deletions (run, SD_ENTITY_TIMELINE, error)) == NULL)
    return FALSE;
  add_unseen (deals, seen, known_deals);
  for (guint i = 0; i < deals->len; i++)
    g_queue_push_tail (&queue, deal_comments_new (g_array_index (deals, gint64, i)));
  for (guint at = 0; ok && at < unknown->len; at += CHAINED_MAX)
    {
      g_autoptr(SdB24Batch) batch = sd_b24_batch_new ();
      g_autoptr(JsonObject) answer = NULL;
      g_autoptr(GPtrArray) asked = g_ptr_array_new_with_free_func ((GDestroyNotify) deal_comments_free);
      g_autoptr(GPtrArray) chained = g_ptr_array_new_with_free_func ((GDestroyNotify) deal_comments_free);
      guint n = MIN (CHAINED_MAX, unknown->len - at);

      for (guint i = 0; i < n; i++)
        add_chained (batch, i, g_array_index (unknown, gint64, at + i));
      while (!g_queue_is_empty (&queue) && 2 * n + asked->len < SD_B24_BATCH_MAX)
        g_ptr_array_add (asked, g_queue_pop_head (&queue));
      add_reads (batch, "c", asked);
      if (sd_sync_run_cancelled (run, error)
          || (answer = sd_b24_client_batch (run->client, batch, SD_B24_CALL_READ, run->cancellable,
                                            error)) == NULL)
        {
          ok = FALSE;
          break;
        }
      for (guint i = 0; i < n; i++)
        {
          gint64 deal = chained_deal (run, answer, i, seen);

          if (deal > 0)
            {
              DealComments *item = deal_comments_new (deal);

              item->slot = i;
              g_ptr_array_add (chained, item);
            }
        }
      ok = take_reads (run, answer, "c", asked, &queue, deleted, error)
           && take_reads (run, answer, "l", chained, &queue, deleted, error);
    }
  /* Known deals that did not fit, and the further pages of long lists. */
  if (ok)
    return read_queue (run, &queue, deleted, error);
  g_queue_clear_full (&queue, (GDestroyNotify) deal_comments_free);
  return FALSE;
}

/* --- Push ----------------------------------------------------------------------------- */

/* A comment missing there has nothing left to update or delete; deleted there after an
 * edit here (still here), it is the user's choice. */
static gboolean
comment_refused (SdSyncRun     *run,
                 SdSyncSent    *sent,
                 const GError  *command_error,
                 gboolean      *done,
                 GError       **error)
{
  gint64 b24_id;

  if (!g_error_matches (command_error, SD_B24_ERROR, SD_B24_ERROR_NOT_FOUND))
    return TRUE;
  if (strcmp (sent->entry->op, "update") == 0
      && sd_store_get_b24_id (run->store, SD_ENTITY_TIMELINE, sent->entry->entity_id, &b24_id))
    return sd_sync_conflict_deleted (run, SD_ENTITY_TIMELINE, sent->entry->entity_id, error);
  *done = TRUE;
  return TRUE;
}

static const SdSyncWriteKind comment_writes = {
  SD_ENTITY_TIMELINE, "comment", sd_sync_node_id, comment_refused,
};

/* One pass over the waiting entries; *@skipped counts those that wait for an earlier
 * entry of the same row. */
static gboolean
push_pass (SdSyncRun  *run,
           guint      *confirmed,
           guint      *skipped,
           GError    **error)
{
  static const char *const entities[] = { "timeline", NULL };
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GHashTable) busy = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GPtrArray) sent = g_ptr_array_new_with_free_func ((GDestroyNotify) sd_sync_sent_free);
  g_autoptr(SdB24Batch) batch = sd_b24_batch_new ();

  *skipped = 0;
  entries = sd_store_list_outbox (run->store, entities, 5000, error);
  if (entries == NULL)
    return FALSE;
  for (guint i = 0; i < entries->len; i++)
    {
      SdJournalEntry *entry = entries->pdata[i];
      g_autoptr(JsonObject) params = NULL;
      g_autofree char *kind = NULL;
      const char *method = NULL;
      gboolean creates = FALSE;
      gint64 b24_id = 0;
      SdSyncSent *one;

      if (sd_sync_run_cancelled (run, error))
        return FALSE;
      /* One command a row a request: a later change waits for the earlier's answer; a
       * row in conflict waits for the user's choice. */
      if (g_hash_table_contains (busy, &entry->entity_id)
          || sd_store_has_conflict (run->store, SD_ENTITY_TIMELINE, entry->entity_id, NULL))
        {
          (*skipped)++;
          continue;
        }
      if (strcmp (entry->op, "delete") == 0)
        {
          b24_id = sd_sync_entry_old_int (entry, "b24_id");
          if (b24_id > 0)
            {
              params = json_object_new ();
              json_object_set_int_member (params, "id", b24_id);
              method = "crm.timeline.comment.delete";
            }
        }
      else if ((kind = sd_sync_read_text (run, SD_ENTITY_TIMELINE, entry->entity_id, "kind")) != NULL
               && strcmp (kind, "comment") == 0)
        {
          g_autofree char *text = sd_sync_read_text (run, SD_ENTITY_TIMELINE, entry->entity_id, "text");
          gint64 deal_b24 = sd_sync_b24_of (run, SD_ENTITY_DEAL,
                                            sd_sync_read_int (run, SD_ENTITY_TIMELINE, entry->entity_id, "deal_id"));
          JsonObject *fields = json_object_new ();

          params = json_object_new ();
          json_object_set_string_member (fields, "COMMENT", text != NULL ? text : "");
          json_object_set_object_member (params, "fields", fields);
          if (sd_store_get_b24_id (run->store, SD_ENTITY_TIMELINE, entry->entity_id, &b24_id))
            {
              /* There already (an insert adopted after a lost answer is settled). */
              json_object_set_int_member (params, "id", b24_id);
              method = strcmp (entry->op, "insert") == 0 ? NULL : "crm.timeline.comment.update";
            }
          else if (deal_b24 == 0)
            {
              /* The deal is not on the portal yet: the comment waits for it. */
              g_hash_table_add (busy, g_memdup2 (&entry->entity_id, sizeof (gint64)));
              (*skipped)++;
              continue;
            }
          else
            {
              json_object_set_int_member (fields, "ENTITY_ID", deal_b24);
              json_object_set_string_member (fields, "ENTITY_TYPE", "deal");
              method = "crm.timeline.comment.add";
              creates = TRUE;
            }
        }
      if (method == NULL)
        {
          /* Nothing the portal holds: a line of another kind, or settled already. */
          if (!sd_store_mark_pushed (run->store, entry->id, error))
            return FALSE;
          continue;
        }
      one = g_new0 (SdSyncSent, 1);
      one->entry = entry;
      one->creates = creates;
      one->key = g_strdup_printf ("m%u", sent->len);
      sd_b24_batch_add (batch, one->key, method, params);
      g_ptr_array_add (sent, one);
      g_hash_table_add (busy, g_memdup2 (&entry->entity_id, sizeof (gint64)));
      if (sent->len == SD_B24_BATCH_MAX)
        {
          if (!sd_sync_settle_writes (run, &batch, sent, &comment_writes, confirmed, error))
            return FALSE;
        }
    }
  return sd_sync_settle_writes (run, &batch, sent, &comment_writes, confirmed, error);
}

/* Creations sent before whose answer never came: their deals' comments are read first,
 * so that one the portal did create is adopted, not sent again. */
static gboolean
recover_creations (SdSyncRun  *run,
                   GError    **error)
{
  static const char *const entities[] = { "timeline", NULL };
  g_autoptr(GPtrArray) entries = sd_store_list_outbox (run->store, entities, 5000, error);
  g_autoptr(GArray) deals = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

  if (entries == NULL)
    return FALSE;
  for (guint i = 0; i < entries->len; i++)
    {
      SdJournalEntry *entry = entries->pdata[i];
      gint64 b24_id, deal;

      if (strcmp (entry->op, "insert") != 0
          || sd_store_get_b24_id (run->store, SD_ENTITY_TIMELINE, entry->entity_id, &b24_id)
          || !sd_store_get_push_attempted (run->store, entry->id))
        continue;
      deal = sd_sync_b24_of (run, SD_ENTITY_DEAL,
                             sd_sync_read_int (run, SD_ENTITY_TIMELINE, entry->entity_id, "deal_id"));
      if (deal > 0 && !g_hash_table_contains (seen, &deal))
        {
          g_hash_table_add (seen, g_memdup2 (&deal, sizeof deal));
          g_array_append_val (deals, deal);
        }
    }
  return deals->len == 0 || read_comments (run, deals, error);
}

gboolean
sd_sync_push_comments (SdSyncRun  *run,
                       GError    **error)
{
  if (!recover_creations (run, error))
    return FALSE;
  return sd_sync_push_rounds (run, push_pass, error);
}
