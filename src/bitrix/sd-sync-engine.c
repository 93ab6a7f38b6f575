/* sd-sync-engine.c: the engine object, its progress for the UI, and a sync's steps in order.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-sync"

#include "sd-sync-run.h"

#include <glib/gi18n-lib.h>
#include <string.h>

struct _SdSyncEngine
{
  GObject       parent_instance;

  char         *database;
  SdB24Client  *client;
  GMainContext *context;
  gint64        check_interval;  /* seconds between full comparisons */

  GMutex        lock;         /* the state below is written by the sync thread */
  SdSyncState   state;
  double        fraction;
  double        eta;
  guint         waiting;
  gint64        last_sync;
  char         *status;
  gboolean      running;
};

enum {
  PROP_0,
  PROP_STATE,
  PROP_FRACTION,
  PROP_ETA,
  PROP_WAITING,
  PROP_LAST_SYNC,
  PROP_STATUS,
  N_PROPS
};

enum {
  STORE_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SdSyncEngine, sd_sync_engine, G_TYPE_OBJECT)

static void
sd_sync_engine_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  SdSyncEngine *self = SD_SYNC_ENGINE (object);

  g_mutex_lock (&self->lock);
  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    case PROP_FRACTION:
      g_value_set_double (value, self->fraction);
      break;
    case PROP_ETA:
      g_value_set_double (value, self->eta);
      break;
    case PROP_WAITING:
      g_value_set_uint (value, self->waiting);
      break;
    case PROP_LAST_SYNC:
      g_value_set_int64 (value, self->last_sync);
      break;
    case PROP_STATUS:
      g_value_set_string (value, self->status);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
  g_mutex_unlock (&self->lock);
}

static void
sd_sync_engine_finalize (GObject *object)
{
  SdSyncEngine *self = SD_SYNC_ENGINE (object);

  g_free (self->database);
  g_clear_object (&self->client);
  g_main_context_unref (self->context);
  g_free (self->status);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (sd_sync_engine_parent_class)->finalize (object);
}

static void
sd_sync_engine_class_init (SdSyncEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->get_property = sd_sync_engine_get_property;
  object_class->finalize = sd_sync_engine_finalize;

  properties[PROP_STATE] = g_param_spec_int ("state", NULL, NULL, SD_SYNC_STATE_OFFLINE,
                                             SD_SYNC_STATE_SYNCING, SD_SYNC_STATE_OFFLINE, flags);
  properties[PROP_FRACTION] = g_param_spec_double ("fraction", NULL, NULL, 0, 1, 0, flags);
  properties[PROP_ETA] = g_param_spec_double ("eta", NULL, NULL, -1, G_MAXDOUBLE, -1, flags);
  properties[PROP_WAITING] = g_param_spec_uint ("waiting", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_LAST_SYNC] = g_param_spec_int64 ("last-sync", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_STATUS] = g_param_spec_string ("status", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SdSyncEngine::store-changed:
   *
   * The sync wrote rows through its own connection; views reading the store through
   * another one should read again what they show.
   */
  signals[STORE_CHANGED] = g_signal_new ("store-changed", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
sd_sync_engine_init (SdSyncEngine *self)
{
  g_mutex_init (&self->lock);
  self->eta = -1;
  /* Deletions show only in a full comparison, which costs a request per 2 500 rows:
   * hourly keeps a portal of 100 000 deals cheap to follow. */
  self->check_interval = 3600;
}

void
sd_sync_engine_set_check_interval (SdSyncEngine *self,
                                   guint         seconds)
{
  g_return_if_fail (SD_IS_SYNC_ENGINE (self));
  self->check_interval = seconds;
}

SdSyncEngine *
sd_sync_engine_new (const char  *database,
                    SdB24Client *client)
{
  SdSyncEngine *self;
  g_autoptr(SdStore) store = NULL;

  g_return_val_if_fail (database != NULL, NULL);
  g_return_val_if_fail (SD_IS_B24_CLIENT (client), NULL);

  self = g_object_new (SD_TYPE_SYNC_ENGINE, NULL);
  self->database = g_strdup (database);
  self->client = g_object_ref (client);
  self->context = g_main_context_ref_thread_default ();

  /* The figures the UI shows before the first sync of this session. */
  store = sd_store_open (database, NULL);
  if (store != NULL)
    {
      g_autofree char *last = sd_store_get_meta (store, "sync.last");

      self->waiting = sd_store_count_outbox (store, sd_sync_waiting_entities ());
      self->last_sync = last != NULL ? g_ascii_strtoll (last, NULL, 10) : 0;
    }
  return self;
}

#define GETTER(type, name, field) \
  type sd_sync_engine_get_##name (SdSyncEngine *self) \
  { \
    type value; \
    g_return_val_if_fail (SD_IS_SYNC_ENGINE (self), 0); \
    g_mutex_lock (&self->lock); \
    value = self->field; \
    g_mutex_unlock (&self->lock); \
    return value; \
  }

GETTER (SdSyncState, state, state)
GETTER (double, fraction, fraction)
GETTER (double, eta, eta)
GETTER (guint, waiting, waiting)
GETTER (gint64, last_sync, last_sync)

char *
sd_sync_engine_dup_status (SdSyncEngine *self)
{
  char *status;

  g_return_val_if_fail (SD_IS_SYNC_ENGINE (self), NULL);
  g_mutex_lock (&self->lock);
  status = g_strdup (self->status);
  g_mutex_unlock (&self->lock);
  return status;
}

static gboolean
notify_in_context (gpointer data)
{
  SdSyncEngine *self = data;

  g_object_freeze_notify (G_OBJECT (self));
  for (guint i = 1; i < N_PROPS; i++)
    g_object_notify_by_pspec (G_OBJECT (self), properties[i]);
  g_object_thaw_notify (G_OBJECT (self));
  return G_SOURCE_REMOVE;
}

static gboolean
store_changed_in_context (gpointer data)
{
  g_signal_emit (data, signals[STORE_CHANGED], 0);
  return G_SOURCE_REMOVE;
}

static void
post_notify (SdSyncEngine *self)
{
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, notify_in_context,
                              g_object_ref (self), g_object_unref);
}

/* Sets the status line and recomputes the fraction and the time left. */
void
sd_sync_run_progress (SdSyncRun  *run,
                      const char *status)
{
  SdSyncEngine *self = run->engine;
  double elapsed = (g_get_monotonic_time () - run->started_us) / 1e6;

  g_mutex_lock (&self->lock);
  if (status != NULL)
    {
      g_free (self->status);
      self->status = g_strdup (status);
    }
  if (run->expected_rows > 0)
    {
      self->fraction = CLAMP ((double) run->done_rows / run->expected_rows, 0.0, 1.0);
      self->eta = run->done_rows > 0
                  ? elapsed / run->done_rows * MAX (0, run->expected_rows - run->done_rows) : -1;
    }
  g_mutex_unlock (&self->lock);
  post_notify (self);
}

void
sd_sync_run_set_waiting (SdSyncRun *run,
                         guint      waiting)
{
  g_mutex_lock (&run->engine->lock);
  run->engine->waiting = waiting;
  g_mutex_unlock (&run->engine->lock);
}

static void
set_state (SdSyncEngine *self,
           SdSyncState   state)
{
  g_mutex_lock (&self->lock);
  self->state = state;
  if (state == SD_SYNC_STATE_SYNCING)
    {
      self->fraction = 0;
      self->eta = -1;
    }
  g_mutex_unlock (&self->lock);
  post_notify (self);
}

gboolean
sd_sync_run_cancelled (SdSyncRun  *run,
                       GError    **error)
{
  return g_cancellable_set_error_if_cancelled (run->cancellable, error);
}

/* Commits what a step wrote; listeners on other connections hear of it. */
gboolean
sd_sync_run_commit (SdSyncRun  *run,
                    GError    **error)
{
  if (!sd_store_commit (run->store, error))
    return FALSE;
  g_main_context_invoke_full (run->engine->context, G_PRIORITY_DEFAULT, store_changed_in_context,
                              g_object_ref (run->engine), g_object_unref);
  return TRUE;
}

static gboolean
run_sync (SdSyncRun  *run,
          GError    **error)
{
  g_autofree char *install = NULL;
  g_autofree char *first = NULL;
  g_autofree char *checked = NULL;
  g_autoptr(SdB24Batch) shared = NULL;
  gint64 now;
  gboolean oauth, live = FALSE, pending, check_due;
  guint outgoing[8] = { 0 };
  guint n_kinds;
  const SdSyncKind *kinds = sd_sync_kinds (&n_kinds);

  if ((run->store = sd_store_open (run->engine->database, error)) == NULL)
    return FALSE;
  sd_store_set_actor (run->store, SD_ACTOR_SYSTEM);
  sd_store_set_origin (run->store, "remote");

  /* Client keys name this database, so that two installations never adopt each other's
   * rows. */
  install = sd_store_get_meta (run->store, "sync.install");
  if (install == NULL)
    {
      install = g_uuid_string_random ();
      if (!sd_store_set_meta (run->store, "sync.install", install, error))
        return FALSE;
    }
  run->key_prefix = g_strdup_printf ("sdelka:%s:", install);

  first = sd_store_get_meta (run->store, "sync.cursor.deal");
  oauth = sd_b24_client_is_oauth (run->client);
  if (oauth)
    {
      sd_sync_events_prepare (run);
      run->queue_live = first != NULL && sd_sync_events_live (run);
      /* Events an earlier sync took and did not finish (read before this sync takes more). */
      pending = first != NULL && sd_sync_events_pending (run);
    }
  else
    pending = FALSE;
  live = run->queue_live;

  checked = sd_store_get_meta (run->store, "sync.checked");
  now = g_get_real_time () / G_USEC_PER_SEC;
  /* A first sync reads everything; later ones compare both sides in full when the
   * interval has passed, or when an earlier sync left events of the queue half-read. */
  check_due = first != NULL
              && (pending || checked == NULL
                  || now - g_ascii_strtoll (checked, NULL, 10) >= run->engine->check_interval);

  if (!sd_sync_collect_parties (run, error))
    return FALSE;
  /* One request for the reads every sync needs: the reference, the event queue's
   * bookkeeping and first page, and after a first sync the scan's first pages, the task
   * list and the comments, as far as they fit. Not across a new binding of the events:
   * the scan must come after it, so that no change falls between. */
  shared = sd_b24_batch_new ();
  sd_sync_reference_ride (run, shared, first == NULL);
  sd_sync_tasks_refused_ride (run, shared);
  if (oauth)
    sd_sync_events_add_commands (run, shared);
  if (first != NULL && (!oauth || sd_sync_events_bound (run)))
    {
      if (!sd_sync_load_deal_select (run, error))
        return FALSE;
      if (!live)
        {
          sd_sync_pull_changed_ride (run, shared, TRUE);
          sd_sync_tasks_ride (run, shared);
        }
      /* With the queue the sweep is the hourly safety net, not a sync's habit. */
      if (!live || check_due)
        sd_sync_comments_ride (run, shared);
    }
  else if (first == NULL && !oauth)
    {
      /* A first sync by webhook: the tasks' first page, and the comments of the deals
       * already here (usually none yet), applied after the rows they belong to. */
      sd_sync_tasks_ride (run, shared);
      sd_sync_comments_ride (run, shared);
    }
  sd_sync_run_progress (run, _("Staff and pipelines"));
  if ((run->shared = sd_b24_client_batch (run->client, shared, SD_B24_CALL_READ,
                                          run->cancellable, error)) == NULL
      || (oauth && !sd_sync_events_take_answer (run, run->shared, error))
      || !sd_sync_pull_reference (run, first == NULL, error))
    return FALSE;

  /* With OAuth the portal queues the changes of others (bound before the first scan, so
   * nothing falls between); once bound, the queue replaces the DATE_MODIFY scan. */
  if (oauth && !sd_sync_bind_events (run, error))
    return FALSE;
  if (!live)
    {
      gboolean pulled;

      /* A first sync imports the portal as it is: no journal entries for its rows (nothing
       * to push, no automation event for history), which also halves its writes. */
      sd_store_set_journaling (run->store, first != NULL);
      pulled = sd_sync_pull_changed (run, TRUE, error);
      sd_store_set_journaling (run->store, TRUE);
      if (!pulled)
        return FALSE;
    }
  /* Requisites raise no event: read in full with each full comparison. */
  else if (check_due && !sd_sync_pull_requisites (run, error))
    return FALSE;
  if (!sd_sync_pull_mapped_again (run, error))
    return FALSE;
  /* With the queue live, comments and tasks changed there arrive as its events. */
  if (!sd_sync_pull_comments (run, error) || (!live && !sd_sync_pull_tasks (run, error)))
    return FALSE;
  /* Before the push: a refused edit that is a conflict now does not go out again. */
  if (!sd_sync_tasks_refused_take (run, error))
    return FALSE;
  g_clear_pointer (&run->shared, json_object_unref);
  g_debug ("pulled: %u requests so far", (guint) sd_b24_client_get_n_requests (run->client) - run->start_requests);
  if (oauth && !sd_sync_drain_events (run, live, error))
    return FALSE;
  /* Rows waiting to go, by kind (a deal's mapped fields go as deal updates). */
  /* Deals of a pipeline made here go to a category of their own there. */
  if (!sd_sync_create_categories (run, error))
    return FALSE;
  for (guint i = 0; i < n_kinds; i++)
    {
      const char *names[] = { kinds[i].name, kinds[i].entity == SD_ENTITY_DEAL ? "deal_field" : NULL, NULL };

      outgoing[i] = sd_store_count_outbox (run->store, names);
    }
  if (!sd_sync_push_outbox (run, error)
      || !sd_sync_push_parties (run, error)
      || !sd_sync_push_responsibles (run, error)
      || !sd_sync_push_comments (run, error)
      || !sd_sync_push_tasks (run, error)
      || !sd_sync_send_messages (run, error))
    return FALSE;
  g_debug ("pushed: %u requests so far", (guint) sd_b24_client_get_n_requests (run->client) - run->start_requests);
  /* What was just sent has a new modification time there: learn it, cheaply — only for
   * the kinds sent, as wide at once as the rows sent need. */
  run->after_push = TRUE;
  for (guint i = 0; run->report.pushed > 0 && i < n_kinds; i++)
    if (outgoing[i] > 0
        && !sd_sync_pull_kind_wide (run, &kinds[i], outgoing[i] / SD_SYNC_PAGE + 1, error))
      return FALSE;
  run->after_push = FALSE;
  if (!sd_sync_comments_seen (run, error))
    return FALSE;

  if (check_due)
    {
      for (guint i = 0; i < n_kinds; i++)
        if (!sd_sync_check_kind (run, &kinds[i], error))
          return FALSE;
      if (!sd_sync_check_tasks (run, error))
        return FALSE;
    }
  if (pending && !sd_sync_events_clear_pending (run, error))
    return FALSE;
  g_free (checked);
  checked = g_strdup_printf ("%" G_GINT64_FORMAT, now);
  if (first == NULL || run->report.checked)
    {
      if (!sd_store_set_meta (run->store, "sync.checked", checked, error))
        return FALSE;
    }

  run->report.conflicts = sd_store_count_conflicts (run->store);
  run->report.waiting = sd_store_count_outbox (run->store, sd_sync_waiting_entities ());
  /* Company cards whose phone, e-mail or requisite have not reached the portal yet (a
   * contact's channels wait as their own journal entries). */
  run->report.waiting += sd_sync_parties_waiting (run);
  run->report.agree = run->skipped == 0 && run->report.waiting == 0 && run->report.conflicts == 0;
  if (run->report.agree)
    {
      /* "checked" holds the time of this sync. */
      if (!sd_store_set_meta (run->store, "sync.last", checked, error))
        return FALSE;
      g_mutex_lock (&run->engine->lock);
      run->engine->last_sync = now;
      g_mutex_unlock (&run->engine->lock);
    }
  return TRUE;
}

gboolean
sd_sync_engine_sync (SdSyncEngine  *self,
                     GCancellable  *cancellable,
                     SdSyncReport  *out_report,
                     GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  SdSyncRun run = { 0 };
  gboolean ok;

  g_return_val_if_fail (SD_IS_SYNC_ENGINE (self), FALSE);

  g_mutex_lock (&self->lock);
  if (self->running)
    {
      g_mutex_unlock (&self->lock);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PENDING, _("A sync is already running"));
      return FALSE;
    }
  self->running = TRUE;
  g_mutex_unlock (&self->lock);

  run.engine = self;
  run.client = self->client;
  run.cancellable = cancellable;
  run.started_us = g_get_monotonic_time ();
  run.start_requests = sd_b24_client_get_n_requests (self->client);
  for (guint i = 0; i < SD_N_ENTITIES; i++)
    run.expected[i] = -1;
  run.expected_requisites = -1;
  run.held = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  run.looked_up = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  set_state (self, SD_SYNC_STATE_SYNCING);

  ok = run_sync (&run, &local_error);
  run.report.requests = sd_b24_client_get_n_requests (self->client) - run.start_requests;

  g_mutex_lock (&self->lock);
  self->running = FALSE;
  if (run.store != NULL)
    self->waiting = sd_store_count_outbox (run.store, sd_sync_waiting_entities ());
  self->state = ok || !(g_error_matches (local_error, SD_B24_ERROR, SD_B24_ERROR_NO_NETWORK)
                        || g_error_matches (local_error, SD_B24_ERROR, SD_B24_ERROR_SERVER))
                ? SD_SYNC_STATE_ONLINE : SD_SYNC_STATE_OFFLINE;
  if (ok)
    {
      self->fraction = 1;
      self->eta = 0;
    }
  g_clear_pointer (&self->status, g_free);
  g_mutex_unlock (&self->lock);
  post_notify (self);

  g_clear_object (&run.store);
  g_free (run.key_prefix);
  g_hash_table_unref (run.held);
  g_hash_table_unref (run.looked_up);
  g_clear_pointer (&run.b24_fields, g_ptr_array_unref);
  g_clear_pointer (&run.deal_select, g_ptr_array_unref);
  g_clear_pointer (&run.queue_first, json_object_unref);
  g_clear_pointer (&run.shared, json_object_unref);
  g_clear_pointer (&run.scan_select, g_strfreev);
  g_clear_pointer (&run.comments_ridden, g_ptr_array_unref);
  g_clear_pointer (&run.tasks_refused, g_hash_table_unref);
  g_clear_pointer (&run.refused_ridden, g_array_unref);
  g_free (run.comments_sweep_next);
  g_free (run.queue_read_at);
  g_free (run.reference_at);
  g_clear_pointer (&run.parties, g_hash_table_unref);
  g_clear_pointer (&run.channel_entries, g_hash_table_unref);
  if (!ok)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (out_report != NULL)
    *out_report = run.report;
  return TRUE;
}

static void
sync_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SdSyncReport *report = g_new0 (SdSyncReport, 1);
  GError *error = NULL;

  if (sd_sync_engine_sync (source, cancellable, report, &error))
    g_task_return_pointer (task, report, g_free);
  else
    {
      g_free (report);
      g_task_return_error (task, error);
    }
}

void
sd_sync_engine_sync_async (SdSyncEngine        *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (SD_IS_SYNC_ENGINE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sd_sync_engine_sync_async);
  g_task_run_in_thread (task, sync_thread);
}

gboolean
sd_sync_engine_sync_finish (SdSyncEngine  *self,
                            GAsyncResult  *result,
                            SdSyncReport  *out_report,
                            GError       **error)
{
  g_autofree SdSyncReport *report = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  report = g_task_propagate_pointer (G_TASK (result), error);
  if (report == NULL)
    return FALSE;
  if (out_report != NULL)
    *out_report = *report;
  return TRUE;
}
