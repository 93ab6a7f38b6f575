/* sd-sync-controller.c: when to sync, and what the views hear of it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-sync-controller"

#include "config.h"

#include "sd-sync-controller.h"

#include <glib/gi18n.h>

#include "sd-b24-check.h"
#include "sd-b24-secret.h"
#include "sd-records.h"
#include "sd-store-sync.h"
#include "sd-sync-map.h"

/* A sync that changed more rows than this asks the views to read everything again rather
 * than hearing of each row. */
#define REPLAY_MAX 400

struct _SdSyncController
{
  GObject           parent_instance;

  SdStore          *store;
  GSettings        *settings;
  char             *database;

  char             *portal;        /* NULL: not connected */
  SdB24Client      *client;
  SdSyncEngine     *engine;
  GCancellable     *cancellable;   /* of the running sync, NULL when none runs */
  gboolean          again;         /* edits came while a sync ran: one more after it */
  gboolean          started;
  GCancellable     *lookup;        /* the keyring look-up at start */

  gint64            seen_journal;  /* the newest journal entry the views were told of */
  gboolean          replaying;
  GArray           *conflicted;    /* deal ids with open conflicts, as last told */
  guint             waiting;
  guint             conflicts;
  char             *message;

  guint             debounce_seconds;
  guint             retry_seconds;
  guint             retries;
  guint             interval_id;
  guint             debounce_id;
  guint             retry_id;
  guint             waiting_id;
  GNetworkMonitor  *monitor;
  gboolean          network;
};

enum {
  PROP_0,
  PROP_CONNECTED,
  PROP_PORTAL,
  PROP_STATE,
  PROP_FRACTION,
  PROP_ETA,
  PROP_STATUS,
  PROP_WAITING,
  PROP_CONFLICTS,
  PROP_LAST_SYNC,
  PROP_MESSAGE,
  N_PROPS
};

enum {
  RELOAD,
  SYNCED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SdSyncController, sd_sync_controller, G_TYPE_OBJECT)

static void schedule (SdSyncController *self);
static void start_sync (SdSyncController *self);

static void
notify_engine_props (SdSyncController *self)
{
  g_object_freeze_notify (G_OBJECT (self));
  for (guint i = PROP_STATE; i <= PROP_LAST_SYNC; i++)
    if (i != PROP_WAITING && i != PROP_CONFLICTS)
      g_object_notify_by_pspec (G_OBJECT (self), properties[i]);
  g_object_thaw_notify (G_OBJECT (self));
}

static void
set_message (SdSyncController *self,
             const char       *message)
{
  if (g_strcmp0 (self->message, message) == 0)
    return;
  g_free (self->message);
  self->message = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE]);
}

/* The outbox and the conflicts, read on the app's own connection. */
static void
update_counts (SdSyncController *self)
{
  guint waiting = sd_store_count_outbox (self->store, sd_sync_pushed_entities ());
  guint conflicts = sd_store_count_conflicts (self->store);

  if (waiting != self->waiting)
    {
      self->waiting = waiting;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WAITING]);
    }
  if (conflicts != self->conflicts)
    {
      self->conflicts = conflicts;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONFLICTS]);
    }
}

static gboolean
update_counts_cb (gpointer data)
{
  SdSyncController *self = data;

  self->waiting_id = 0;
  update_counts (self);
  return G_SOURCE_REMOVE;
}

/* The deals an open conflict concerns (sd_store_list_deal_conflicts), ascending. */
static GArray *
list_conflicted (SdSyncController *self)
{
  GArray *deals = sd_store_list_conflicted_deals (self->store, NULL);

  return deals != NULL ? deals : g_array_new (FALSE, FALSE, sizeof (gint64));
}

static gboolean
array_has (GArray *array,
           gint64  value)
{
  for (guint i = 0; array != NULL && i < array->len; i++)
    if (g_array_index (array, gint64, i) == value)
      return TRUE;
  return FALSE;
}

static void
announce (SdSyncController *self,
          SdEntity          entity,
          gint64            id,
          SdChangeOp        op)
{
  g_signal_emit_by_name (self->store, "changed", (guint) entity, id, (guint) op);
}

/* What the engine wrote through its connection is told on the app's store, row by row as
 * the journal has it; conflicts (which are not journaled) by the deals they concern. */
static void
replay (SdSyncController *self)
{
  gint64 last = sd_store_get_last_journal_id (self->store);
  g_autoptr(GArray) conflicted = list_conflicted (self);

  self->replaying = TRUE;
  if (last > self->seen_journal && last - self->seen_journal > REPLAY_MAX)
    {
      self->seen_journal = last;
      g_signal_emit (self, signals[RELOAD], 0);
    }
  else if (last > self->seen_journal)
    {
      g_autoptr(GPtrArray) entries = sd_store_list_journal (self->store, self->seen_journal, 0,
                                                            REPLAY_MAX, NULL);

      for (guint i = 0; entries != NULL && i < entries->len; i++)
        {
          SdJournalEntry *entry = entries->pdata[i];
          SdEntity entity;
          SdChangeOp op = SD_CHANGE_UPDATE;

          self->seen_journal = MAX (self->seen_journal, entry->id);
          /* The app's own writes were told when they were made. */
          if (g_strcmp0 (entry->origin, "remote") != 0 || !sd_entity_from_name (entry->entity, &entity))
            continue;
          if (g_strcmp0 (entry->op, "insert") == 0)
            op = SD_CHANGE_INSERT;
          else if (g_strcmp0 (entry->op, "delete") == 0)
            op = SD_CHANGE_DELETE;
          announce (self, entity, entry->entity_id, op);
          if (entity != SD_ENTITY_DEAL && entry->deal_id != 0)
            announce (self, SD_ENTITY_DEAL, entry->deal_id, SD_CHANGE_UPDATE);
        }
    }
  for (guint i = 0; i < conflicted->len; i++)
    if (!array_has (self->conflicted, g_array_index (conflicted, gint64, i)))
      announce (self, SD_ENTITY_DEAL, g_array_index (conflicted, gint64, i), SD_CHANGE_UPDATE);
  for (guint i = 0; self->conflicted != NULL && i < self->conflicted->len; i++)
    if (!array_has (conflicted, g_array_index (self->conflicted, gint64, i)))
      announce (self, SD_ENTITY_DEAL, g_array_index (self->conflicted, gint64, i), SD_CHANGE_UPDATE);
  g_clear_pointer (&self->conflicted, g_array_unref);
  self->conflicted = g_steal_pointer (&conflicted);
  self->replaying = FALSE;
  update_counts (self);
}

static void
on_engine_store_changed (SdSyncController *self)
{
  replay (self);
}

static gboolean
debounce_cb (gpointer data)
{
  SdSyncController *self = data;

  self->debounce_id = 0;
  start_sync (self);
  return G_SOURCE_REMOVE;
}

static gboolean
retry_cb (gpointer data)
{
  SdSyncController *self = data;

  self->retry_id = 0;
  start_sync (self);
  return G_SOURCE_REMOVE;
}

static void
on_store_changed (SdSyncController *self)
{
  if (self->replaying)
    return;
  /* Once after a commit, however many rows it changed. */
  if (self->waiting_id == 0)
    self->waiting_id = g_idle_add (update_counts_cb, self);
  if (self->engine == NULL)
    return;
  if (self->cancellable != NULL)
    self->again = TRUE;
  else if (self->network)
    {
      g_clear_handle_id (&self->debounce_id, g_source_remove);
      self->debounce_id = g_timeout_add_seconds (self->debounce_seconds, debounce_cb, self);
    }
}

static void
on_sync_done (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  g_autoptr(SdSyncController) self = data;
  g_autoptr(GError) error = NULL;
  SdSyncReport report = { 0 };
  gboolean ok;

  ok = sd_sync_engine_sync_finish (SD_SYNC_ENGINE (source), result, &report, &error);
  g_clear_object (&self->cancellable);
  if (SD_SYNC_ENGINE (source) != self->engine)
    return;   /* disconnected meanwhile */
  replay (self);
  if (ok)
    {
      self->retries = 0;
      set_message (self, NULL);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    set_message (self, _("The sync was cancelled; what it had received is kept."));
  else
    {
      g_autofree char *text = sd_b24_error_explain (error);

      g_debug ("sync failed: %s", error->message);
      set_message (self, text);
      /* Unreachable: try again a little later, then less and less often. */
      if (sd_sync_engine_get_state (self->engine) == SD_SYNC_STATE_OFFLINE)
        {
          guint delay = self->retry_seconds << MIN (self->retries, 4);

          self->retries++;
          g_clear_handle_id (&self->retry_id, g_source_remove);
          self->retry_id = g_timeout_add_seconds (delay, retry_cb, self);
        }
    }
  notify_engine_props (self);
  g_signal_emit (self, signals[SYNCED], 0, ok);
  if (self->again && ok)
    {
      self->again = FALSE;
      start_sync (self);
    }
  self->again = FALSE;
}

static void
start_sync (SdSyncController *self)
{
  if (self->engine == NULL || self->cancellable != NULL)
    return;
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  self->cancellable = g_cancellable_new ();
  set_message (self, NULL);
  sd_sync_engine_sync_async (self->engine, self->cancellable, on_sync_done, g_object_ref (self));
  /* Syncing from now on, before the thread's first word. */
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static gboolean
interval_cb (gpointer data)
{
  SdSyncController *self = data;

  if (self->network)
    start_sync (self);
  return G_SOURCE_CONTINUE;
}

static void
schedule (SdSyncController *self)
{
  guint minutes = self->settings != NULL ? g_settings_get_uint (self->settings, "sync-interval") : 15;

  g_clear_handle_id (&self->interval_id, g_source_remove);
  if (self->engine != NULL)
    self->interval_id = g_timeout_add_seconds (MAX (minutes, 1) * 60, interval_cb, self);
}

static void
on_network_changed (SdSyncController *self,
                    gboolean          available)
{
  gboolean was = self->network;

  self->network = available;
  /* Back online: what waits goes now. */
  if (available && !was && self->engine != NULL)
    start_sync (self);
}

static void
set_engine (SdSyncController *self,
            SdB24Client      *client,
            const char       *portal)
{
  if (self->engine != NULL)
    g_signal_handlers_disconnect_by_data (self->engine, self);
  g_clear_object (&self->engine);
  g_clear_object (&self->client);
  g_clear_pointer (&self->portal, g_free);
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  if (client != NULL)
    {
      self->client = g_object_ref (client);
      self->portal = g_strdup (portal);
      self->engine = sd_sync_engine_new (self->database, client);
      g_signal_connect_object (self->engine, "notify", G_CALLBACK (notify_engine_props), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (self->engine, "store-changed",
                               G_CALLBACK (on_engine_store_changed), self, G_CONNECT_SWAPPED);
    }
  schedule (self);
  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTED]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORTAL]);
  notify_engine_props (self);
  g_object_thaw_notify (G_OBJECT (self));
}

/* The keyring look-up at start, in a thread: a locked keyring may ask for its password. */
static void
lookup_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GError *error = NULL;
  SdB24Client *client = sd_b24_secret_load_client (task_data, cancellable, &error);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, client, client != NULL ? g_object_unref : NULL);
}

static void
on_lookup_done (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  SdSyncController *self = SD_SYNC_CONTROLLER (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(SdB24Client) client = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->lookup);
  if (client == NULL)
    {
      if (error != NULL && error->domain == SD_B24_ERROR)
        {
          g_autofree char *text = sd_b24_error_explain (error);

          set_message (self, text);
        }
      else if (error != NULL)
        {
          g_autofree char *text = g_strdup_printf (_("Cannot read the keyring: %s"), error->message);

          set_message (self, text);
        }
      else
        /* The database says connected, the keyring has nothing: reconnect in Preferences. */
        set_message (self, _("The portal’s webhook is no longer in the keyring. Connect to Bitrix24 again in Preferences."));
      return;
    }
  set_engine (self, client, sd_b24_client_get_portal (client));
  if (self->network)
    start_sync (self);
}

void
sd_sync_controller_start (SdSyncController *self)
{
  g_autofree char *portal = NULL;
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (SD_IS_SYNC_CONTROLLER (self));

  if (self->started)
    return;
  self->started = TRUE;
  self->monitor = g_object_ref (g_network_monitor_get_default ());
  self->network = g_network_monitor_get_network_available (self->monitor);
  g_signal_connect_object (self->monitor, "network-changed", G_CALLBACK (on_network_changed),
                           self, G_CONNECT_SWAPPED);

  /* A database that was never connected does not wake the keyring. */
  portal = sd_store_get_meta (self->store, SD_B24_PORTAL_META);
  if (portal == NULL || *portal == '\0')
    return;
  self->lookup = g_cancellable_new ();
  task = g_task_new (self, self->lookup, on_lookup_done, NULL);
  g_task_set_task_data (task, g_strdup (self->database), g_free);
  g_task_run_in_thread (task, lookup_thread);
}

typedef struct
{
  char        *url;
  char        *database;
  SdB24Client *client;
  gint64       user_id;     /* the credential's portal user */
} ConnectData;

static void
connect_data_free (ConnectData *data)
{
  g_free (data->url);
  g_free (data->database);
  g_clear_object (&data->client);
  g_free (data);
}

static void
connect_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  ConnectData *data = task_data;
  GError *error = NULL;

  if (data->client == NULL)
    {
      g_autofree char *url = g_strstrip (g_strdup (data->url));

      data->client = sd_b24_client_new_webhook (url, &error);
    }
  if (data->client != NULL)
    /* Someone is waiting for the answer: a failure is told, not retried for long. */
    sd_b24_client_set_max_attempts (data->client, 2);
  if (data->client == NULL || !sd_b24_client_check (data->client, NULL, &data->user_id, cancellable,
                                                       &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (!sd_b24_secret_store_client (data->database, data->client, cancellable, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
connect_async (SdSyncController   *self,
               ConnectData        *data,
               GCancellable       *cancellable,
               GAsyncReadyCallback callback,
               gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;

  data->database = g_strdup (self->database);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, connect_async);
  g_task_set_task_data (task, data, (GDestroyNotify) connect_data_free);
  g_task_run_in_thread (task, connect_thread);
}

void
sd_sync_controller_connect_async (SdSyncController   *self,
                                  const char         *webhook_url,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data)
{
  ConnectData *data;

  g_return_if_fail (SD_IS_SYNC_CONTROLLER (self));
  g_return_if_fail (webhook_url != NULL);

  data = g_new0 (ConnectData, 1);
  data->url = g_strdup (webhook_url);
  connect_async (self, data, cancellable, callback, user_data);
}

void
sd_sync_controller_connect_client_async (SdSyncController   *self,
                                         SdB24Client        *client,
                                         GCancellable       *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer            user_data)
{
  ConnectData *data;

  g_return_if_fail (SD_IS_SYNC_CONTROLLER (self));
  g_return_if_fail (SD_IS_B24_CLIENT (client));

  data = g_new0 (ConnectData, 1);
  data->client = g_object_ref (client);
  connect_async (self, data, cancellable, callback, user_data);
}

gboolean
sd_sync_controller_connect_finish (SdSyncController *self,
                                   GAsyncResult     *result,
                                   GError          **error)
{
  ConnectData *data;
  g_autofree char *user_id = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  data = g_task_get_task_data (G_TASK (result));
  user_id = g_strdup_printf ("%" G_GINT64_FORMAT, data->user_id);
  if (!sd_store_set_meta (self->store, SD_B24_USER_META, user_id, error)
      || !sd_store_set_meta (self->store, SD_B24_PORTAL_META,
                          sd_b24_client_get_portal (data->client), error))
    return FALSE;
  /* The check used few attempts; the sync gets the usual patience. */
  sd_b24_client_set_max_attempts (data->client, 10);
  set_engine (self, data->client, sd_b24_client_get_portal (data->client));
  set_message (self, NULL);
  start_sync (self);
  return TRUE;
}

gboolean
sd_sync_controller_disconnect (SdSyncController *self,
                               GError          **error)
{
  g_return_val_if_fail (SD_IS_SYNC_CONTROLLER (self), FALSE);

  if (self->lookup != NULL)
    g_cancellable_cancel (self->lookup);
  g_clear_object (&self->lookup);
  if (!sd_b24_secret_clear (self->database, NULL, error))
    return FALSE;
  if (!sd_store_set_meta (self->store, SD_B24_PORTAL_META, "", error))
    return FALSE;
  set_engine (self, NULL, NULL);
  set_message (self, NULL);
  return TRUE;
}

void
sd_sync_controller_sync_now (SdSyncController *self)
{
  g_return_if_fail (SD_IS_SYNC_CONTROLLER (self));

  self->retries = 0;
  start_sync (self);
}

void
sd_sync_controller_cancel (SdSyncController *self)
{
  g_return_if_fail (SD_IS_SYNC_CONTROLLER (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

void
sd_sync_controller_set_delays (SdSyncController *self,
                               guint             debounce_seconds,
                               guint             retry_seconds)
{
  g_return_if_fail (SD_IS_SYNC_CONTROLLER (self));

  self->debounce_seconds = MAX (debounce_seconds, 1);
  self->retry_seconds = MAX (retry_seconds, 1);
}

SdStore *
sd_sync_controller_get_store (SdSyncController *self)
{
  g_return_val_if_fail (SD_IS_SYNC_CONTROLLER (self), NULL);
  return self->store;
}

gboolean
sd_sync_controller_get_connected (SdSyncController *self)
{
  g_return_val_if_fail (SD_IS_SYNC_CONTROLLER (self), FALSE);
  return self->engine != NULL;
}

const char *
sd_sync_controller_get_portal (SdSyncController *self)
{
  g_return_val_if_fail (SD_IS_SYNC_CONTROLLER (self), NULL);
  return self->portal;
}

SdSyncState
sd_sync_controller_get_state (SdSyncController *self)
{
  g_return_val_if_fail (SD_IS_SYNC_CONTROLLER (self), SD_SYNC_STATE_OFFLINE);
  if (self->engine == NULL)
    return SD_SYNC_STATE_OFFLINE;
  /* Between the request and the thread's first notification it is syncing already. */
  if (self->cancellable != NULL)
    return SD_SYNC_STATE_SYNCING;
  return sd_sync_engine_get_state (self->engine);
}

double
sd_sync_controller_get_fraction (SdSyncController *self)
{
  g_return_val_if_fail (SD_IS_SYNC_CONTROLLER (self), 0);
  return self->engine != NULL ? sd_sync_engine_get_fraction (self->engine) : 0;
}

double
sd_sync_controller_get_eta (SdSyncController *self)
{
  g_return_val_if_fail (SD_IS_SYNC_CONTROLLER (self), -1);
  return self->engine != NULL ? sd_sync_engine_get_eta (self->engine) : -1;
}

char *
sd_sync_controller_dup_status (SdSyncController *self)
{
  g_return_val_if_fail (SD_IS_SYNC_CONTROLLER (self), NULL);
  return self->engine != NULL ? sd_sync_engine_dup_status (self->engine) : NULL;
}

guint
sd_sync_controller_get_waiting (SdSyncController *self)
{
  g_return_val_if_fail (SD_IS_SYNC_CONTROLLER (self), 0);
  return self->waiting;
}

guint
sd_sync_controller_get_conflicts (SdSyncController *self)
{
  g_return_val_if_fail (SD_IS_SYNC_CONTROLLER (self), 0);
  return self->conflicts;
}

gint64
sd_sync_controller_get_last_sync (SdSyncController *self)
{
  g_autofree char *last = NULL;

  g_return_val_if_fail (SD_IS_SYNC_CONTROLLER (self), 0);
  if (self->engine != NULL)
    return sd_sync_engine_get_last_sync (self->engine);
  last = sd_store_get_meta (self->store, "sync.last");
  return last != NULL ? g_ascii_strtoll (last, NULL, 10) : 0;
}

const char *
sd_sync_controller_get_message (SdSyncController *self)
{
  g_return_val_if_fail (SD_IS_SYNC_CONTROLLER (self), NULL);
  return self->message;
}

static void
sd_sync_controller_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  SdSyncController *self = SD_SYNC_CONTROLLER (object);

  switch (prop_id)
    {
    case PROP_CONNECTED:
      g_value_set_boolean (value, sd_sync_controller_get_connected (self));
      break;
    case PROP_PORTAL:
      g_value_set_string (value, self->portal);
      break;
    case PROP_STATE:
      g_value_set_int (value, sd_sync_controller_get_state (self));
      break;
    case PROP_FRACTION:
      g_value_set_double (value, sd_sync_controller_get_fraction (self));
      break;
    case PROP_ETA:
      g_value_set_double (value, sd_sync_controller_get_eta (self));
      break;
    case PROP_STATUS:
      g_value_take_string (value, sd_sync_controller_dup_status (self));
      break;
    case PROP_WAITING:
      g_value_set_uint (value, self->waiting);
      break;
    case PROP_CONFLICTS:
      g_value_set_uint (value, self->conflicts);
      break;
    case PROP_LAST_SYNC:
      g_value_set_int64 (value, sd_sync_controller_get_last_sync (self));
      break;
    case PROP_MESSAGE:
      g_value_set_string (value, self->message);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sd_sync_controller_dispose (GObject *object)
{
  SdSyncController *self = SD_SYNC_CONTROLLER (object);

  if (self->lookup != NULL)
    g_cancellable_cancel (self->lookup);
  g_clear_object (&self->lookup);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->interval_id, g_source_remove);
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  g_clear_handle_id (&self->waiting_id, g_source_remove);
  if (self->engine != NULL)
    g_signal_handlers_disconnect_by_data (self->engine, self);
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  g_clear_object (&self->monitor);
  g_clear_object (&self->engine);
  g_clear_object (&self->client);
  g_clear_object (&self->settings);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (sd_sync_controller_parent_class)->dispose (object);
}

static void
sd_sync_controller_finalize (GObject *object)
{
  SdSyncController *self = SD_SYNC_CONTROLLER (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->conflicted, g_array_unref);
  g_free (self->database);
  g_free (self->portal);
  g_free (self->message);
  G_OBJECT_CLASS (sd_sync_controller_parent_class)->finalize (object);
}

static void
sd_sync_controller_class_init (SdSyncControllerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->get_property = sd_sync_controller_get_property;
  object_class->dispose = sd_sync_controller_dispose;
  object_class->finalize = sd_sync_controller_finalize;

  properties[PROP_CONNECTED] = g_param_spec_boolean ("connected", NULL, NULL, FALSE, flags);
  properties[PROP_PORTAL] = g_param_spec_string ("portal", NULL, NULL, NULL, flags);
  properties[PROP_STATE] = g_param_spec_int ("state", NULL, NULL, SD_SYNC_STATE_OFFLINE,
                                             SD_SYNC_STATE_SYNCING, SD_SYNC_STATE_OFFLINE, flags);
  properties[PROP_FRACTION] = g_param_spec_double ("fraction", NULL, NULL, 0, 1, 0, flags);
  properties[PROP_ETA] = g_param_spec_double ("eta", NULL, NULL, -1, G_MAXDOUBLE, -1, flags);
  properties[PROP_STATUS] = g_param_spec_string ("status", NULL, NULL, NULL, flags);
  properties[PROP_WAITING] = g_param_spec_uint ("waiting", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_CONFLICTS] = g_param_spec_uint ("conflicts", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_LAST_SYNC] = g_param_spec_int64 ("last-sync", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_MESSAGE] = g_param_spec_string ("message", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SdSyncController::reload:
   *
   * A sync changed more rows than are worth telling one by one: read everything again.
   */
  signals[RELOAD] = g_signal_new ("reload", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /**
   * SdSyncController::synced:
   * @ok: whether the sync finished without an error
   */
  signals[SYNCED] = g_signal_new ("synced", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
}

static void
sd_sync_controller_init (SdSyncController *self)
{
  self->debounce_seconds = 5;
  self->retry_seconds = 60;
  self->network = TRUE;
}

static void
on_interval_changed (SdSyncController *self)
{
  schedule (self);
}

SdSyncController *
sd_sync_controller_new (SdStore   *store,
                        GSettings *settings)
{
  SdSyncController *self;

  g_return_val_if_fail (SD_IS_STORE (store), NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  self = g_object_new (SD_TYPE_SYNC_CONTROLLER, NULL);
  self->store = g_object_ref (store);
  self->database = g_strdup (sd_store_get_path (store));
  if (settings != NULL)
    {
      self->settings = g_object_ref (settings);
      g_signal_connect_object (settings, "changed::sync-interval",
                               G_CALLBACK (on_interval_changed), self, G_CONNECT_SWAPPED);
    }
  self->seen_journal = sd_store_get_last_journal_id (store);
  self->conflicted = list_conflicted (self);
  g_signal_connect_object (store, "changed", G_CALLBACK (on_store_changed), self,
                           G_CONNECT_SWAPPED);
  update_counts (self);
  return self;
}
