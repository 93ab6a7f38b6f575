/* sd-sync-tasks.c: tasks bound to deals, both ways.
 *
 * Pull: tasks.task.list over every task (not per deal), incremental by CHANGED_DATE from
 * the newest change seen minus an overlap, pages ID-ordered and chained 50 to a request
 * with $result references; a task is kept when its UF_CRM_TASK names a deal this side
 * has ("D_<id>", reference §5). A first sync reads the portal's tasks once, which costs
 * requests by tasks, never one a deal.
 *
 * Push: local tasks (the automation's among them) go out as tasks.task.add / update /
 * delete with the deal binding, deadline, plan dates, responsible, creator and "needs
 * acceptance" (TASK_CONTROL); the status is reached with the documented actions
 * (start, complete, defer, renew, approve) in the same request. A creation whose answer
 * was lost comes back in the next pull (its CHANGED_DATE is after the cursor) and is
 * adopted by the waiting local task of the same deal and title, so it is not sent twice.
 * A task changed on both sides merges field by field against the values the two sides
 * last agreed on (sd-sync-merge.c); a field both changed waits for the user's choice.
 * An edit the portal refuses as "not allowed" (no rights, or the task is gone: the same
 * answer, §7.9) stops going out; the next sync's shared request reads the task, and the
 * refusal becomes a conflict for the user (SD_CONFLICT_REFUSED), or the deletion one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-sync"

#include "sd-sync-run.h"

#include "sd-automation-db.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#define CURSOR_OVERLAP_SECONDS 120

static const char *const task_select[] = {
  "ID", "TITLE", "DESCRIPTION", "RESPONSIBLE_ID", "CREATED_BY", "STATUS", "TASK_CONTROL",
  "DEADLINE", "START_DATE_PLAN", "END_DATE_PLAN", "CREATED_DATE", "CHANGED_DATE", "CLOSED_DATE",
  "UF_CRM_TASK", NULL,
};

static const char *const statuses[] = {
  [2] = "pending", [3] = "in_progress", [4] = "awaiting_control", [5] = "completed", [6] = "deferred",
};

static const char *
status_name (gint64 status)
{
  return status >= 2 && status <= 6 ? statuses[status] : "pending";
}

/* The deal (server id) of a task's UF_CRM_TASK, or 0. */
static gint64
bound_deal (JsonObject *row)
{
  JsonNode *node = json_object_get_member (row, "ufCrmTask");
  JsonArray *bindings = node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;

  for (guint i = 0; bindings != NULL && i < json_array_get_length (bindings); i++)
    {
      JsonNode *binding = json_array_get_element (bindings, i);
      const char *text = JSON_NODE_HOLDS_VALUE (binding) && json_node_get_value_type (binding) == G_TYPE_STRING
                         ? json_node_get_string (binding) : NULL;
      char *end;
      gint64 id;

      if (text == NULL || strncmp (text, "D_", 2) != 0)
        continue;
      id = g_ascii_strtoll (text + 2, &end, 10);
      if (*end == '\0' && id > 0)
        return id;
    }
  return 0;
}

static void
set_time (SdChanges  *changes,
          const char *column,
          JsonObject *row,
          const char *member)
{
  g_autofree char *portal = sd_sync_dup_string (row, member);
  g_autofree char *local = sd_sync_local_time (portal);

  if (local != NULL)
    sd_changes_set_text (changes, column, local);
  else
    sd_changes_set_null (changes, column);
}

/* The local columns of portal task @row, bound to local deal @deal. */
static void
task_changes (SdSyncRun  *run,
              JsonObject *row,
              gint64      deal,
              SdChanges  *changes)
{
  g_autofree char *title = sd_sync_dup_string (row, "title");
  g_autofree char *description = sd_sync_dup_string (row, "description");
  g_autofree char *status = sd_sync_dup_string (row, "status");
  g_autofree char *control = sd_sync_dup_string (row, "taskControl");
  gint64 responsible = sd_store_find_b24 (run->store, SD_ENTITY_USER, sd_sync_get_id (row, "responsibleId"));
  gint64 creator = sd_store_find_b24 (run->store, SD_ENTITY_USER, sd_sync_get_id (row, "createdBy"));

  sd_changes_set_int (changes, "deal_id", deal);
  sd_changes_set_text (changes, "title", title != NULL ? title : "");
  if (description != NULL && *description != '\0')
    sd_changes_set_text (changes, "description", description);
  else
    sd_changes_set_null (changes, "description");
  if (responsible != 0)
    sd_changes_set_int (changes, "responsible_id", responsible);
  else
    sd_changes_set_null (changes, "responsible_id");
  if (creator != 0)
    sd_changes_set_int (changes, "creator_id", creator);
  else
    sd_changes_set_null (changes, "creator_id");
  sd_changes_set_text (changes, "status", status_name (status != NULL ? g_ascii_strtoll (status, NULL, 10) : 2));
  sd_changes_set_int (changes, "needs_acceptance", g_strcmp0 (control, "Y") == 0);
  set_time (changes, "deadline", row, "deadline");
  set_time (changes, "start_plan", row, "startDatePlan");
  set_time (changes, "end_plan", row, "endDatePlan");
  set_time (changes, "closed_at", row, "closedDate");
}

static gboolean
apply_task (SdSyncRun   *run,
            JsonObject  *row,
            GHashTable  *deleted,
            GError     **error)
{
  gint64 b24_id = sd_sync_get_id (row, "id");
  gint64 deal = sd_store_find_b24 (run->store, SD_ENTITY_DEAL, bound_deal (row));
  g_autofree char *title = sd_sync_dup_string (row, "title");
  g_autoptr(SdChanges) changes = sd_changes_new ();
  gint64 id;

  if (b24_id <= 0 || deal == 0 || title == NULL || g_hash_table_contains (deleted, &b24_id))
    return TRUE;
  id = sd_store_find_b24 (run->store, SD_ENTITY_TASK, b24_id);
  if (id == 0)
    {
      /* Our own creation whose answer was lost: adopt it. */
      g_autoptr(GArray) local = sd_store_list_referencing (run->store, SD_ENTITY_TASK, "deal_id", deal, error);

      if (local == NULL)
        return FALSE;
      for (guint i = 0; i < local->len && id == 0; i++)
        {
          gint64 candidate = g_array_index (local, gint64, i);
          g_autofree char *theirs = NULL;
          gint64 known;

          if (sd_store_get_b24_id (run->store, SD_ENTITY_TASK, candidate, &known)
              || !sd_store_has_outbox_entry (run->store, SD_ENTITY_TASK, candidate, TRUE))
            continue;
          theirs = sd_sync_read_text (run, SD_ENTITY_TASK, candidate, "title");
          if (g_strcmp0 (theirs, title) == 0)
            {
              id = candidate;
              if (!sd_store_set_b24_state (run->store, SD_ENTITY_TASK, id, b24_id, NULL, error))
                return FALSE;
            }
        }
    }

  task_changes (run, row, deal, changes);
  if (id == 0)
    {
      g_autofree char *created = sd_sync_dup_string (row, "createdDate");
      g_autofree char *at = sd_sync_local_time (created);

      if (at != NULL)
        sd_changes_set_text (changes, "created_at", at);
      if ((id = sd_store_insert (run->store, SD_ENTITY_TASK, changes, error)) == 0
          || !sd_store_set_b24_state (run->store, SD_ENTITY_TASK, id, b24_id, NULL, error))
        return FALSE;
    }
  else
    {
      g_autofree char *changed = sd_sync_dup_string (row, "changedDate");
      g_autoptr(SdChanges) merged = NULL;

      /* Changed here too: merged field by field (the list tells no editor). */
      if (!sd_sync_merge (run, SD_ENTITY_TASK, id, changes, 0, changed, &merged, error)
          || !sd_store_update (run->store, SD_ENTITY_TASK, id, merged != NULL ? merged : changes, error))
        return FALSE;
    }
  run->report.pulled++;
  return TRUE;
}

static gboolean
later (const char *a,
       const char *b)
{
  g_autoptr(GDateTime) x = a != NULL ? g_date_time_new_from_iso8601 (a, NULL) : NULL;
  g_autoptr(GDateTime) y = b != NULL ? g_date_time_new_from_iso8601 (b, NULL) : NULL;

  return y != NULL && (x == NULL || g_date_time_compare (y, x) > 0);
}

typedef gboolean (*TaskFunc) (SdSyncRun  *run,
                              JsonObject *row,
                              gpointer    data,
                              GError    **error);

/* One page of the task list: after task @after in ID order (a number or a $result
 * reference), changed since @since when not NULL, of the tasks in @ids when not NULL. */
static JsonObject *
list_params (const char         *after,
             const char         *since,
             JsonArray          *ids,
             const char * const *select)
{
  g_autoptr(JsonObject) filter = json_object_new ();

  if (since != NULL)
    json_object_set_string_member (filter, ">=CHANGED_DATE", since);
  if (ids != NULL)
    json_object_set_array_member (filter, "ID", json_array_ref (ids));
  return sd_sync_keyset_params (filter, select, after);
}

/* Passes each row of page @key of @answer to @func; FALSE with @error set when that
 * failed. *@full tells whether the page was full, *@last (when not NULL) its last ID. */
static gboolean
take_page (SdSyncRun   *run,
           JsonObject  *answer,
           const char  *key,
           TaskFunc     func,
           gpointer     data,
           gboolean    *full,
           char       **last,
           GError     **error)
{
  JsonArray *rows = sd_sync_result_array (answer, key, "tasks", error);
  guint n;

  if (rows == NULL)
    return FALSE;
  n = json_array_get_length (rows);
  for (guint r = 0; r < n; r++)
    {
      JsonObject *row = json_array_get_object_element (rows, r);

      if (row != NULL && !func (run, row, data, error))
        return FALSE;
    }
  *full = n >= SD_SYNC_PAGE;
  if (last != NULL)
    *last = n > 0 ? sd_sync_dup_string (json_array_get_object_element (rows, n - 1), "id") : NULL;
  return TRUE;
}

/* Every task after task @after (changed since @since when not NULL), ID-ordered pages
 * chained 50 to a request, each row passed to @func inside one transaction a request. */
static gboolean
list_tasks (SdSyncRun          *run,
            const char         *after,
            const char         *since,
            const char * const *select,
            TaskFunc            func,
            gpointer            data,
            GError            **error)
{
  g_autofree char *last = g_strdup (after);

  while (last != NULL)
    {
      g_autoptr(SdB24Batch) batch = sd_b24_batch_new ();
      g_autoptr(JsonObject) answer = NULL;
      guint width = since != NULL ? 1 : SD_B24_BATCH_MAX;
      guint p;

      for (p = 0; p < width; p++)
        {
          g_autofree char *key = g_strdup_printf ("t%u", p);
          g_autofree char *ref = p == 0 ? g_strdup (last)
                                        : g_strdup_printf ("$result[t%u][tasks][%d][id]", p - 1, SD_SYNC_PAGE - 1);
          g_autoptr(JsonObject) params = list_params (ref, since, NULL, select);

          sd_b24_batch_add (batch, key, "tasks.task.list", params);
        }
      if (sd_sync_run_cancelled (run, error)
          || (answer = sd_b24_client_batch (run->client, batch, SD_B24_CALL_READ, run->cancellable,
                                            error)) == NULL
          || !sd_store_begin_bulk (run->store, error))
        return FALSE;
      g_clear_pointer (&last, g_free);
      for (p = 0; p < width; p++)
        {
          g_autofree char *key = g_strdup_printf ("t%u", p);
          gboolean full;

          if (!take_page (run, answer, key, func, data, &full, p == width - 1 ? &last : NULL, error))
            goto failed;
          if (!full)
            {
              g_clear_pointer (&last, g_free);
              break;
            }
        }
      if (!sd_sync_run_commit (run, error))
        return FALSE;
    }
  return TRUE;

failed:
  sd_store_rollback (run->store);
  return FALSE;
}

typedef struct
{
  GHashTable *deleted;
  char       *newest;
} PullData;

static gboolean
pull_row (SdSyncRun  *run,
          JsonObject *row,
          gpointer    data,
          GError    **error)
{
  PullData *pull = data;
  g_autofree char *changed = sd_sync_dup_string (row, "changedDate");

  if (later (pull->newest, changed))
    {
      g_free (pull->newest);
      pull->newest = g_steal_pointer (&changed);
    }
  return apply_task (run, row, pull->deleted, error);
}

/* The cursor's time minus the overlap, or NULL before the first pull. */
static char *
pull_since (SdSyncRun *run)
{
  g_autofree char *cursor = sd_store_get_meta (run->store, "sync.cursor.task");
  g_autoptr(GDateTime) at = cursor != NULL ? g_date_time_new_from_iso8601 (cursor, NULL) : NULL;
  g_autoptr(GDateTime) from = at != NULL ? g_date_time_add_seconds (at, -CURSOR_OVERLAP_SECONDS) : NULL;

  return from != NULL ? g_date_time_format (from, "%FT%T%:z") : NULL;
}

/* The list's first page rides in the shared request (key "tl"): usually all there is. */
void
sd_sync_tasks_ride (SdSyncRun  *run,
                    SdB24Batch *batch)
{
  g_autofree char *since = pull_since (run);
  g_autoptr(JsonObject) params = NULL;

  if (sd_b24_batch_get_size (batch) >= SD_B24_BATCH_MAX)
    return;
  params = list_params ("0", since, NULL, task_select);
  sd_b24_batch_add (batch, "tl", "tasks.task.list", params);
  run->tasks_ridden = TRUE;
}

gboolean
sd_sync_pull_tasks (SdSyncRun  *run,
                    GError    **error)
{
  g_autofree char *cursor = sd_store_get_meta (run->store, "sync.cursor.task");
  g_autofree char *since = pull_since (run);
  g_autofree char *after = NULL;
  PullData pull = { NULL, NULL };
  gboolean ok = TRUE, full = TRUE;

  if ((pull.deleted = sd_sync_pending_deletions (run, SD_ENTITY_TASK, error)) == NULL)
    return FALSE;
  sd_sync_run_progress (run, _("Tasks: receiving"));
  pull.newest = g_strdup (cursor);
  if (run->tasks_ridden)
    {
      /* The first page came with the shared request. */
      ok = sd_store_begin_bulk (run->store, error);
      if (ok && !take_page (run, run->shared, "tl", pull_row, &pull, &full, &after, error))
        {
          sd_store_rollback (run->store);
          ok = FALSE;
        }
      ok = ok && sd_sync_run_commit (run, error);
    }
  else
    after = g_strdup ("0");
  run->tasks_ridden = FALSE;
  ok = ok && (!full || after == NULL || list_tasks (run, after, since, task_select, pull_row, &pull, error))
       && (pull.newest == NULL || sd_store_set_meta (run->store, "sync.cursor.task", pull.newest, error));
  g_hash_table_unref (pull.deleted);
  g_free (pull.newest);
  return ok;
}

/* Task @b24_id is gone there: removed here, or, changed here since, the user chooses. */
static gboolean
drop_task (SdSyncRun  *run,
           gint64      b24_id,
           GError    **error)
{
  gint64 id = sd_store_find_b24 (run->store, SD_ENTITY_TASK, b24_id);
  gboolean kept;

  if (id == 0)
    return TRUE;
  kept = sd_store_has_outbox_entry (run->store, SD_ENTITY_TASK, id, FALSE);
  if (kept ? !sd_sync_conflict_deleted (run, SD_ENTITY_TASK, id, error)
           : !sd_store_delete (run->store, SD_ENTITY_TASK, id, error))
    return FALSE;
  run->report.deleted += !kept;
  return TRUE;
}

/* Tasks the event queue named: the changed read by ID (50 a command, 50 commands a
 * request), the deleted removed here. */
gboolean
sd_sync_tasks_from_events (SdSyncRun  *run,
                           GArray     *changed,
                           GArray     *gone,
                           GError    **error)
{
  PullData pull = { NULL, NULL };
  guint at = 0;
  gboolean ok = TRUE;

  if ((pull.deleted = sd_sync_pending_deletions (run, SD_ENTITY_TASK, error)) == NULL)
    return FALSE;
  while (ok && at < changed->len)
    {
      g_autoptr(SdB24Batch) batch = sd_b24_batch_new ();
      g_autoptr(JsonObject) answer = NULL;
      guint commands = 0;

      for (; at < changed->len && commands < SD_B24_BATCH_MAX; commands++)
        {
          g_autoptr(JsonArray) ids = json_array_new ();
          g_autoptr(JsonObject) params = NULL;
          g_autofree char *key = g_strdup_printf ("t%u", commands);

          for (guint n = 0; n < SD_SYNC_PAGE && at < changed->len; n++, at++)
            json_array_add_int_element (ids, g_array_index (changed, gint64, at));
          params = list_params ("0", NULL, ids, task_select);
          sd_b24_batch_add (batch, key, "tasks.task.list", params);
        }
      ok = (answer = sd_b24_client_batch (run->client, batch, SD_B24_CALL_READ, run->cancellable,
                                          error)) != NULL
           && sd_store_begin_bulk (run->store, error);
      for (guint c = 0; ok && c < commands; c++)
        {
          g_autofree char *key = g_strdup_printf ("t%u", c);
          gboolean full;

          ok = take_page (run, answer, key, pull_row, &pull, &full, NULL, error);
        }
      if (ok)
        ok = sd_sync_run_commit (run, error);
      else if (sd_store_in_transaction (run->store))
        sd_store_rollback (run->store);
    }
  if (ok && gone->len > 0)
    {
      ok = sd_store_begin (run->store, error);
      for (guint i = 0; ok && i < gone->len; i++)
        ok = drop_task (run, g_array_index (gone, gint64, i), error);
      if (ok)
        ok = sd_sync_run_commit (run, error);
      else if (sd_store_in_transaction (run->store))
        sd_store_rollback (run->store);
    }
  g_hash_table_unref (pull.deleted);
  g_free (pull.newest);
  return ok;
}

static gboolean
check_row (SdSyncRun  *run,
           JsonObject *row,
           gpointer    data,
           GError    **error)
{
  gint64 deal = bound_deal (row);
  gint64 id = sd_sync_get_id (row, "id");

  if (id > 0 && deal > 0 && sd_store_find_b24 (run->store, SD_ENTITY_DEAL, deal) != 0)
    g_hash_table_add (data, g_memdup2 (&id, sizeof id));
  return TRUE;
}

/* The full comparison (with the rows' check): tasks deleted there, or no longer bound to
 * a deal here, are removed here unless changed here since. */
gboolean
sd_sync_check_tasks (SdSyncRun  *run,
                     GError    **error)
{
  static const char *const select[] = { "ID", "UF_CRM_TASK", NULL };
  g_autoptr(GHashTable) there = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GArray) here = NULL;

  if (!list_tasks (run, "0", NULL, select, check_row, there, error)
      || (here = sd_store_list_b24_ids (run->store, SD_ENTITY_TASK, error)) == NULL
      || !sd_store_begin (run->store, error))
    return FALSE;
  for (guint i = 0; i < here->len; i++)
    {
      gint64 b24_id = g_array_index (here, gint64, i);

      if (!g_hash_table_contains (there, &b24_id) && !drop_task (run, b24_id, error))
        {
          sd_store_rollback (run->store);
          return FALSE;
        }
    }
  return sd_sync_run_commit (run, error);
}

/* --- Push ----------------------------------------------------------------------------- */

/* The actions that bring a task to @status from wherever it is (those not allowed from
 * there are refused and change nothing). */
static const char *const *
status_actions (const char *status,
                gboolean    control)
{
  static const char *const pending[] = { "tasks.task.renew", NULL };
  static const char *const in_progress[] = { "tasks.task.renew", "tasks.task.start", NULL };
  static const char *const awaiting[] = { "tasks.task.complete", NULL };
  static const char *const completed[] = { "tasks.task.complete", NULL };
  static const char *const completed_control[] = { "tasks.task.complete", "tasks.task.approve", NULL };
  static const char *const deferred[] = { "tasks.task.renew", "tasks.task.defer", NULL };

  if (g_strcmp0 (status, "in_progress") == 0)
    return in_progress;
  if (g_strcmp0 (status, "awaiting_control") == 0)
    return awaiting;
  if (g_strcmp0 (status, "completed") == 0)
    return control ? completed_control : completed;
  if (g_strcmp0 (status, "deferred") == 0)
    return deferred;
  return pending;
}

static gboolean
entry_changes (SdJournalEntry *entry,
               const char     *field)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();

  return json_parser_load_from_data (parser, entry->changes, -1, NULL)
         && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))
         && json_object_has_member (json_node_get_object (json_parser_get_root (parser)), field);
}

static void
put_user (SdSyncRun  *run,
          JsonObject *fields,
          const char *member,
          gint64      user)
{
  gint64 b24_id = sd_sync_b24_of (run, SD_ENTITY_USER, user);

  if (b24_id > 0)
    json_object_set_int_member (fields, member, b24_id);
}

static void
put_time (SdSyncRun  *run,
          gint64      id,
          JsonObject *fields,
          const char *member,
          const char *column)
{
  g_autofree char *local = sd_sync_read_text (run, SD_ENTITY_TASK, id, column);
  g_autofree char *portal = sd_sync_portal_time (local);

  if (portal != NULL)
    json_object_set_string_member (fields, member, portal);
  else
    json_object_set_string_member (fields, member, "");
}

/* The portal's fields of local task @id; NULL when it cannot go yet (its deal is not
 * there, or nobody is responsible). */
static JsonObject *
task_fields (SdSyncRun *run,
             gint64     id,
             gboolean   creating,
             gboolean   rebind)
{
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autofree char *title = sd_sync_read_text (run, SD_ENTITY_TASK, id, "title");
  g_autofree char *description = sd_sync_read_text (run, SD_ENTITY_TASK, id, "description");
  gint64 deal = sd_sync_read_int (run, SD_ENTITY_TASK, id, "deal_id");
  gint64 deal_b24 = sd_sync_b24_of (run, SD_ENTITY_DEAL, deal);
  gint64 responsible = sd_sync_read_int (run, SD_ENTITY_TASK, id, "responsible_id");
  gint64 creator = sd_sync_read_int (run, SD_ENTITY_TASK, id, "creator_id");
  g_autofree char *start = sd_sync_read_text (run, SD_ENTITY_TASK, id, "start_plan");
  g_autofree char *end = sd_sync_read_text (run, SD_ENTITY_TASK, id, "end_plan");
  JsonArray *binding;

  if (deal != 0 && deal_b24 == 0)
    return NULL;
  /* RESPONSIBLE_ID is required: the deal's responsible when the task names nobody. */
  if (responsible == 0 && deal != 0)
    responsible = sd_automation_db_responsible (run->store, deal);
  if (responsible == 0)
    responsible = creator;
  if (sd_sync_b24_of (run, SD_ENTITY_USER, responsible) == 0)
    return NULL;

  json_object_set_string_member (fields, "TITLE", title != NULL ? title : "");
  json_object_set_string_member (fields, "DESCRIPTION", description != NULL ? description : "");
  put_user (run, fields, "RESPONSIBLE_ID", responsible);
  if (creating)
    put_user (run, fields, "CREATED_BY", creator);
  json_object_set_string_member (fields, "TASK_CONTROL",
                                 sd_sync_read_int (run, SD_ENTITY_TASK, id, "needs_acceptance") ? "Y" : "N");
  put_time (run, id, fields, "DEADLINE", "deadline");
  /* The plan dates go together (§7.9). */
  if ((start != NULL) == (end != NULL) && (creating ? start != NULL : TRUE))
    {
      put_time (run, id, fields, "START_DATE_PLAN", "start_plan");
      put_time (run, id, fields, "END_DATE_PLAN", "end_plan");
    }
  /* UF_CRM_TASK is replaced as a whole: sent when the deal is set or changed here, so
   * that other bindings made there (a contact, a company) stay. */
  if (creating || rebind)
    {
      g_autofree char *deal_binding = g_strdup_printf ("D_%" G_GINT64_FORMAT, deal_b24);

      binding = json_array_new ();
      if (deal_b24 > 0)
        json_array_add_string_element (binding, deal_binding);
      json_object_set_array_member (fields, "UF_CRM_TASK", binding);
    }
  return g_steal_pointer (&fields);
}

static gint64
answer_task_id (JsonNode *result)
{
  JsonObject *task;

  if (result == NULL || !JSON_NODE_HOLDS_OBJECT (result)
      || (task = json_object_get_object_member (json_node_get_object (result), "task")) == NULL)
    return 0;
  return MAX (0, sd_sync_get_id (task, "id"));
}

/* A task missing there answers "Action on the task is not allowed" (§7.9), and so does one
 * we may not change: its deletion has nothing left to do; an edit stops going out, and the
 * next sync asks whether the task is there (sd_sync_tasks_refused_ride). */
static gboolean
not_allowed (const GError *command_error)
{
  return command_error != NULL && command_error->domain == SD_B24_ERROR
         && command_error->code != SD_B24_ERROR_RATE_LIMIT && command_error->code != SD_B24_ERROR_SERVER
         && strstr (command_error->message, "not allowed") != NULL;
}

static gboolean
task_refused (SdSyncRun     *run,
              SdSyncSent    *sent,
              const GError  *command_error,
              gboolean      *done,
              GError       **error)
{
  *done = not_allowed (command_error) && strcmp (sent->entry->op, "delete") == 0;
  if (not_allowed (command_error) && !sent->creates && strcmp (sent->entry->op, "delete") != 0)
    g_hash_table_add (run->tasks_refused, g_memdup2 (&sent->entry->entity_id, sizeof (gint64)));
  return TRUE;
}

static const SdSyncWriteKind task_writes = {
  SD_ENTITY_TASK, "task", answer_task_id, task_refused,
};

static gboolean
push_pass (SdSyncRun  *run,
           guint      *confirmed,
           guint      *skipped,
           GError    **error)
{
  static const char *const entities[] = { "task", NULL };
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GHashTable) busy = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GPtrArray) sent = g_ptr_array_new_with_free_func ((GDestroyNotify) sd_sync_sent_free);
  g_autoptr(SdB24Batch) batch = sd_b24_batch_new ();

  *skipped = 0;
  if ((entries = sd_store_list_outbox (run->store, entities, 5000, error)) == NULL)
    return FALSE;
  for (guint i = 0; i < entries->len; i++)
    {
      SdJournalEntry *entry = entries->pdata[i];
      g_autoptr(JsonObject) params = NULL;
      g_autoptr(JsonObject) fields = NULL;
      g_autofree char *title = NULL;
      g_autofree char *status = NULL;
      const char *method = NULL;
      gboolean creates = FALSE;
      gint64 b24_id = 0;
      SdSyncSent *one;

      if (sd_sync_run_cancelled (run, error))
        return FALSE;
      /* A row in conflict waits for the user's choice; one refused waits for the check. */
      if (g_hash_table_contains (busy, &entry->entity_id)
          || g_hash_table_contains (run->tasks_refused, &entry->entity_id)
          || sd_store_has_conflict (run->store, SD_ENTITY_TASK, entry->entity_id, NULL))
        {
          (*skipped)++;
          continue;
        }
      if (strcmp (entry->op, "delete") == 0)
        {
          if ((b24_id = sd_sync_entry_old_int (entry, "b24_id")) > 0)
            {
              params = json_object_new ();
              json_object_set_int_member (params, "taskId", b24_id);
              method = "tasks.task.delete";
            }
        }
      else if (sd_store_get_b24_id (run->store, SD_ENTITY_TASK, entry->entity_id, &b24_id))
        {
          if (strcmp (entry->op, "insert") != 0)
            {
              if ((fields = task_fields (run, entry->entity_id, FALSE, entry_changes (entry, "deal_id"))) == NULL)
                {
                  g_hash_table_add (busy, g_memdup2 (&entry->entity_id, sizeof (gint64)));
                  (*skipped)++;
                  continue;
                }
              params = json_object_new ();
              json_object_set_int_member (params, "taskId", b24_id);
              json_object_set_object_member (params, "fields", g_steal_pointer (&fields));
              method = "tasks.task.update";
            }
        }
      else if ((title = sd_sync_read_text (run, SD_ENTITY_TASK, entry->entity_id, "title")) != NULL)
        {
          if ((fields = task_fields (run, entry->entity_id, TRUE, TRUE)) == NULL)
            {
              /* Its deal is not on the portal yet, or nobody there can do it. */
              g_hash_table_add (busy, g_memdup2 (&entry->entity_id, sizeof (gint64)));
              (*skipped)++;
              continue;
            }
          params = json_object_new ();
          json_object_set_object_member (params, "fields", g_steal_pointer (&fields));
          method = "tasks.task.add";
          creates = TRUE;
        }
      if (method == NULL)
        {
          if (!sd_store_mark_pushed (run->store, entry->id, error))
            return FALSE;
          continue;
        }
      one = g_new0 (SdSyncSent, 1);
      one->entry = entry;
      one->creates = creates;
      one->key = g_strdup_printf ("t%u", sd_b24_batch_get_size (batch));
      sd_b24_batch_add (batch, one->key, method, params);
      /* The status, by the actions that lead to it. */
      if (strcmp (entry->op, "delete") != 0)
        status = sd_sync_read_text (run, SD_ENTITY_TASK, entry->entity_id, "status");
      if (status != NULL && (creates ? strcmp (status, "pending") != 0 : entry_changes (entry, "status")))
        {
          const char *const *actions = status_actions (status,
                                                       sd_sync_read_int (run, SD_ENTITY_TASK, entry->entity_id,
                                                                         "needs_acceptance"));

          for (guint a = 0; actions[a] != NULL; a++)
            {
              g_autoptr(JsonObject) action = json_object_new ();
              g_autofree char *key = g_strdup_printf ("t%u", sd_b24_batch_get_size (batch));

              if (creates)
                {
                  g_autofree char *ref = g_strdup_printf ("$result[%s][task][id]", one->key);
                  json_object_set_string_member (action, "taskId", ref);
                }
              else
                json_object_set_int_member (action, "taskId", b24_id);
              sd_b24_batch_add (batch, key, actions[a], action);
            }
        }
      g_ptr_array_add (sent, one);
      g_hash_table_add (busy, g_memdup2 (&entry->entity_id, sizeof (gint64)));
      if (sd_b24_batch_get_size (batch) + 3 > SD_B24_BATCH_MAX)
        {
          if (!sd_sync_settle_writes (run, &batch, sent, &task_writes, confirmed, error))
            return FALSE;
        }
    }
  return sd_sync_settle_writes (run, &batch, sent, &task_writes, confirmed, error);
}

/* Local ids of tasks whose edit the portal refused, until a sync's shared request asks
 * whether each is still there ("12,40"). */
#define REFUSED_KEY "sync.tasks.refused"
/* Refused tasks asked about in one shared request. */
#define REFUSED_RIDE_MAX 10

static GArray *
refused_tasks (SdSyncRun *run)
{
  g_autofree char *text = sd_store_get_meta (run->store, REFUSED_KEY);
  g_auto(GStrv) parts = g_strsplit (text != NULL ? text : "", ",", -1);
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; parts[i] != NULL; i++)
    {
      gint64 id = g_ascii_strtoll (parts[i], NULL, 10);

      if (id > 0)
        g_array_append_val (ids, id);
    }
  return ids;
}

/* Keeps @ids but those in @settled, and those no longer on the portal's side here. */
static gboolean
save_refused (SdSyncRun   *run,
              GArray      *ids,
              GHashTable  *settled,
              GError     **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

  for (guint i = 0; i < ids->len; i++)
    {
      gint64 *id = &g_array_index (ids, gint64, i);

      if (g_hash_table_contains (seen, id) || (settled != NULL && g_hash_table_contains (settled, id))
          || sd_sync_b24_of (run, SD_ENTITY_TASK, *id) <= 0)
        continue;
      g_hash_table_add (seen, g_memdup2 (id, sizeof *id));
      g_string_append_printf (text, "%s%" G_GINT64_FORMAT, text->len > 0 ? "," : "", *id);
    }
  return sd_store_set_meta (run->store, REFUSED_KEY, text->len > 0 ? text->str : NULL, error);
}

gboolean
sd_sync_push_tasks (SdSyncRun  *run,
                    GError    **error)
{
  g_autoptr(GArray) ids = NULL;
  GHashTableIter iter;
  gpointer key;

  /* Those refused before and not asked about yet do not go out either. */
  ids = refused_tasks (run);
  run->tasks_refused = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  for (guint i = 0; i < ids->len; i++)
    g_hash_table_add (run->tasks_refused, g_memdup2 (&g_array_index (ids, gint64, i), sizeof (gint64)));
  if (!sd_sync_push_rounds (run, push_pass, error))
    return FALSE;
  if (g_hash_table_size (run->tasks_refused) == ids->len)
    return TRUE;
  g_array_set_size (ids, 0);
  g_hash_table_iter_init (&iter, run->tasks_refused);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_array_append_val (ids, *(gint64 *) key);
  return save_refused (run, ids, NULL, error);
}

/* Whether the tasks whose edit the portal refused are still there: tasks.task.get for
 * each, in the shared request. */
void
sd_sync_tasks_refused_ride (SdSyncRun  *run,
                            SdB24Batch *batch)
{
  g_autoptr(GArray) ids = refused_tasks (run);

  run->refused_ridden = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint i = 0; i < ids->len && run->refused_ridden->len < REFUSED_RIDE_MAX; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);
      gint64 b24_id = sd_sync_b24_of (run, SD_ENTITY_TASK, id);
      g_autoptr(JsonObject) params = NULL;
      g_autofree char *key = NULL;

      if (b24_id <= 0)
        continue;
      params = json_object_new ();
      key = g_strdup_printf ("rf%u", run->refused_ridden->len);
      json_object_set_int_member (params, "taskId", b24_id);
      json_object_set_array_member (params, "select", sd_sync_string_array (task_select));
      sd_b24_batch_add (batch, key, "tasks.task.get", params);
      g_array_append_val (run->refused_ridden, id);
    }
}

/* The portal refused the waiting edits of task @id, which is there: the user chooses
 * between trying again and the portal's values (SD_CONFLICT_REFUSED; the remote value
 * holds the portal's columns as a JSON object). */
static gboolean
record_refusal (SdSyncRun   *run,
                gint64       id,
                JsonObject  *task,
                GError     **error)
{
  static const SdValue here = { SD_VALUE_NUMBER, 0, NULL };
  g_autoptr(SdChanges) changes = sd_changes_new ();
  g_autoptr(JsonObject) values = json_object_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  gint64 deal = sd_store_find_b24 (run->store, SD_ENTITY_DEAL, bound_deal (task));
  SdValue there = { SD_VALUE_STRING, 0, NULL };

  if (!sd_store_has_outbox_entry (run->store, SD_ENTITY_TASK, id, FALSE))
    return TRUE;
  task_changes (run, task, deal != 0 ? deal : sd_sync_read_int (run, SD_ENTITY_TASK, id, "deal_id"), changes);
  for (guint i = 0; i < sd_changes_get_size (changes); i++)
    {
      const SdChange *change = sd_changes_get (changes, i);

      if (change->value.kind == SD_VALUE_NUMBER)
        json_object_set_int_member (values, change->field, change->value.number);
      else if (change->value.kind == SD_VALUE_STRING)
        json_object_set_string_member (values, change->field, change->value.text);
      else
        json_object_set_null_member (values, change->field);
    }
  root = json_node_init_object (json_node_alloc (), values);
  text = json_to_string (root, FALSE);
  there.text = text;
  g_debug ("task %" G_GINT64_FORMAT ": the portal refused its changes", id);
  return sd_store_add_conflict (run->store, SD_ENTITY_TASK, id, SD_CONFLICT_REFUSED, &here, &there, 0, NULL,
                                error);
}

gboolean
sd_sync_tasks_refused_take (SdSyncRun  *run,
                            GError    **error)
{
  g_autoptr(GArray) ridden = g_steal_pointer (&run->refused_ridden);
  g_autoptr(GHashTable) settled = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GArray) ids = NULL;
  gboolean ok;

  if (ridden == NULL || ridden->len == 0 || run->shared == NULL)
    return TRUE;
  if (!sd_store_begin (run->store, error))
    return FALSE;
  ok = TRUE;
  for (guint i = 0; ok && i < ridden->len; i++)
    {
      gint64 id = g_array_index (ridden, gint64, i);
      g_autofree char *key = g_strdup_printf ("rf%u", i);
      g_autoptr(GError) command_error = NULL;
      JsonNode *result = sd_b24_batch_get_result (run->shared, key, NULL, &command_error);
      JsonObject *task = result != NULL && JSON_NODE_HOLDS_OBJECT (result)
                         ? json_object_get_object_member (json_node_get_object (result), "task") : NULL;

      if (task != NULL)
        ok = record_refusal (run, id, task, error);
      else if (not_allowed (command_error))
        /* Gone there (the answer of a missing task): as any deletion there. */
        ok = drop_task (run, sd_sync_b24_of (run, SD_ENTITY_TASK, id), error);
      else
        continue;  /* not answered: asked again next time */
      g_hash_table_add (settled, g_memdup2 (&id, sizeof id));
    }
  if (ok)
    {
      ids = refused_tasks (run);
      ok = save_refused (run, ids, settled, error);
    }
  if (!ok)
    {
      sd_store_rollback (run->store);
      return FALSE;
    }
  return sd_sync_run_commit (run, error);
}
