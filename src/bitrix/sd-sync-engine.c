/* sd-sync-engine.c: pull, push, check; progress for the UI.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-sync"

#include "sd-sync-engine.h"

#include "sd-records.h"
#include "sd-store-sync.h"
#include "sd-sync-map.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/* Rows a list page holds; fixed by the portal (reference §3). */
#define PAGE 50
/* Incremental pulls ask from a little before the last change seen, so that a clock
 * difference between the portal's servers loses nothing; rows seen twice are skipped. */
#define CURSOR_OVERLAP_SECONDS 120
/* Push rounds without progress before giving up for this sync. */
#define PUSH_ROUNDS 12

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

/* One sync, in its thread. */
typedef struct
{
  SdSyncEngine *engine;
  SdStore      *store;
  GCancellable *cancellable;
  SdSyncReport  report;
  guint         start_requests;
  gint64        started_us;
  gint64        expected_rows;  /* for the fraction of a first sync; 0 when unknown */
  gint64        expected[SD_N_ENTITIES]; /* rows of each kind a first sync counted, or -1 */
  gint64        done_rows;
  guint         skipped;        /* portal rows that could not be placed here */
  char         *key_prefix;     /* "sdelka:<install>:" of the client keys */
  GHashTable   *held;           /* "entity:id" of rows whose changes wait */
  GHashTable   *looked_up;      /* journal ids whose lost creation was looked for */
  GPtrArray    *b24_fields;     /* SdB24Field: deal fields the playbooks map */
  GPtrArray    *deal_select;    /* the deal list's select[]: the kind's and the mapped ones */
} Run;

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

      self->waiting = sd_store_count_outbox (store, sd_sync_pushed_entities ());
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
static void
run_progress (Run        *run,
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

static gboolean
cancelled (Run     *run,
           GError **error)
{
  return g_cancellable_set_error_if_cancelled (run->cancellable, error);
}

/* Commits what a step wrote; listeners on other connections hear of it. */
static gboolean
run_commit (Run     *run,
            GError **error)
{
  if (!sd_store_commit (run->store, error))
    return FALSE;
  g_main_context_invoke_full (run->engine->context, G_PRIORITY_DEFAULT, store_changed_in_context,
                              g_object_ref (run->engine), g_object_unref);
  return TRUE;
}

static void
changes_add (SdChanges     *changes,
             const char    *field,
             const SdValue *value)
{
  if (value->kind == SD_VALUE_NUMBER)
    sd_changes_set_int (changes, field, value->number);
  else if (value->kind == SD_VALUE_STRING)
    sd_changes_set_text (changes, field, value->text);
  else
    sd_changes_set_null (changes, field);
}

static JsonArray *
string_array (const char * const *strings)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; strings[i] != NULL; i++)
    json_array_add_string_element (array, strings[i]);
  return array;
}

/* --- Paging ------------------------------------------------------------------------- */

typedef gboolean (*PageFunc) (Run        *run,
                              JsonArray  *rows,
                              gpointer    data,
                              GError    **error);

/* One keyset request in flight: sent from its own thread so that the portal prepares the
 * next 2 500 rows while this side writes the last ones. */
typedef struct
{
  Run          *run;
  SdB24Batch   *batch;
  JsonObject   *answer;
  GError       *error;
  GThread      *thread;
} Fetch;

static gpointer
fetch_thread (gpointer data)
{
  Fetch *fetch = data;

  fetch->answer = sd_b24_client_batch (fetch->run->engine->client, fetch->batch, SD_B24_CALL_READ,
                                       fetch->run->cancellable, &fetch->error);
  return NULL;
}

/* Starts the request for @width pages after ID @last. */
static Fetch *
fetch_start (Run                *run,
             const char         *method,
             JsonObject         *filter,
             const char * const *select,
             guint               width,
             const char         *last)
{
  Fetch *fetch = g_new0 (Fetch, 1);

  fetch->run = run;
  fetch->batch = sd_b24_batch_new ();
  for (guint i = 0; i < width; i++)
    {
      g_autoptr(JsonObject) params = json_object_new ();
      JsonObject *where = json_object_new ();
      JsonObject *order = json_object_new ();
      g_autofree char *key = g_strdup_printf ("p%u", i);
      g_autofree char *after = i == 0 ? g_strdup (last)
                                      : g_strdup_printf ("$result[p%u][%d][ID]", i - 1, PAGE - 1);

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
      json_object_set_array_member (params, "select", string_array (select));
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
      if (n < PAGE)
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
static gboolean
keyset_export (Run                *run,
               const char         *method,
               JsonObject         *filter,
               const char * const *select,
               guint               width,
               gint64              expected,
               gboolean            write,
               PageFunc            page,
               gpointer            data,
               GError            **error)
{
  Fetch *next = fetch_start (run, method, filter, select, width, "0");
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
        next = fetch_start (run, method, filter, select, width, last);

      if (write && !sd_store_begin_bulk (run->store, error))
        goto failed;
      for (guint i = 0; i < pages->len; i++)
        if (json_array_get_length (pages->pdata[i]) > 0 && !page (run, pages->pdata[i], data, error))
          {
            if (write)
              sd_store_rollback (run->store);
            goto failed;
          }
      if (write && !run_commit (run, error))
        goto failed;
      if (cancelled (run, error))
        goto failed;
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

static int
sd_sync_compare_ids (gconstpointer a,
                     gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* --- Pull --------------------------------------------------------------------------- */

static gint64
later_time (const char *a,
            const char *b)
{
  g_autoptr(GDateTime) ta = a != NULL ? g_date_time_new_from_iso8601 (a, NULL) : NULL;
  g_autoptr(GDateTime) tb = b != NULL ? g_date_time_new_from_iso8601 (b, NULL) : NULL;

  if (ta == NULL)
    return tb != NULL ? 1 : 0;
  if (tb == NULL)
    return -1;
  return g_date_time_compare (tb, ta);
}

/* A row created here whose creation answer was lost comes back from the portal with our
 * client key: it is the same row, not a new one. */
static gint64
adopt_by_key (Run        *run,
              SdEntity    entity,
              JsonObject *row,
              gint64      b24_id,
              GError    **error)
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
} PullData;

static const char * const *
kind_select (Run              *run,
             const SdSyncKind *kind)
{
  return kind->entity == SD_ENTITY_DEAL && run->deal_select != NULL
         ? (const char * const *) run->deal_select->pdata : kind->select;
}

/* The mapped user fields of a pulled deal, merged like its own fields. */
static gboolean
apply_deal_fields (Run         *run,
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
      g_autoptr(GHashTable) base = NULL;
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
      if ((base = sd_store_outbox_base (run->store, SD_ENTITY_DEAL_FIELD, local, error)) == NULL)
        return FALSE;
      if (g_hash_table_contains (base, "value"))
        {
          const SdChange *change = sd_changes_get (changes, 0);
          SdValue current;
          gboolean differs;

          if (!sd_store_read_value (run->store, SD_ENTITY_DEAL_FIELD, local, "value", &current, error))
            return FALSE;
          differs = !sd_value_equal (&current, &change->value)
                    && !sd_value_equal (g_hash_table_lookup (base, "value"), &change->value);
          if (differs && !sd_store_add_conflict (run->store, SD_ENTITY_DEAL_FIELD, local, "value",
                                                 &current, &change->value,
                                                 author != NULL ? g_ascii_strtoll (author, NULL, 10) : 0,
                                                 modified, error))
            {
              sd_value_clear (&current);
              return FALSE;
            }
          sd_value_clear (&current);
          continue;
        }
      if (!sd_store_update (run->store, SD_ENTITY_DEAL_FIELD, local, changes, error))
        return FALSE;
    }
  return TRUE;
}

/* A contact's phones and e-mails as the portal lists them (pulled only): the local rows
 * are replaced when they differ. */
static gboolean
apply_channels (Run         *run,
                gint64       contact,
                JsonObject  *row,
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
  if ((rows = sd_store_list_referencing (run->store, SD_ENTITY_CONTACT_CHANNEL, "contact_id", contact,
                                         error)) == NULL)
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

static gboolean
apply_row (Run               *run,
           const SdSyncKind  *kind,
           JsonObject        *row,
           char             **latest,
           GError           **error)
{
  g_autoptr(SdChanges) changes = sd_changes_new ();
  g_autoptr(GError) place_error = NULL;
  g_autofree char *modified = sd_sync_dup_string (row, "DATE_MODIFY");
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

      if (known != NULL && modified != NULL && strcmp (known, modified) == 0)
        return TRUE;
    }

  if (!sd_sync_map_pull (run->store, kind->entity, row, changes, &place_error))
    {
      /* The check at the end sees the difference and the sync does not claim agreement. */
      g_debug ("%s %" G_GINT64_FORMAT " not placed: %s", kind->name, b24_id, place_error->message);
      run->skipped++;
      return TRUE;
    }

  if (local == 0)
    {
      local = sd_store_insert (run->store, kind->entity, changes, error);
      if (local == 0)
        return FALSE;
      if (!sd_store_set_b24_state (run->store, kind->entity, local, b24_id, modified, error)
          || (kind->entity == SD_ENTITY_DEAL && !apply_deal_fields (run, local, row, modified, error))
          || (kind->entity == SD_ENTITY_CONTACT && !apply_channels (run, local, row, error)))
        return FALSE;
    }
  else
    {
      g_autoptr(GHashTable) base = sd_store_outbox_base (run->store, kind->entity, local, error);
      g_autoptr(SdChanges) merged = NULL;
      g_autofree char *author = sd_sync_dup_string (row, "MODIFY_BY_ID");

      if (base == NULL)
        return FALSE;
      if (g_hash_table_size (base) > 0)
        {
          /* Changed here too since we last agreed: a field only the portal changed is
           * taken, one only we changed is kept (and pushed), one both changed to
           * different values waits for the user. */
          merged = sd_changes_new ();
          for (guint i = 0; i < sd_changes_get_size (changes); i++)
            {
              const SdChange *change = sd_changes_get (changes, i);
              const SdValue *before = g_hash_table_lookup (base, change->field);
              SdValue current;
              gboolean same;

              if (before == NULL)
                {
                  changes_add (merged, change->field, &change->value);
                  continue;
                }
              if (!sd_store_read_value (run->store, kind->entity, local, change->field, &current,
                                        error))
                return FALSE;
              same = sd_value_equal (&current, &change->value);
              if (!same && !sd_value_equal (before, &change->value)
                  && !sd_store_add_conflict (run->store, kind->entity, local, change->field,
                                             &current, &change->value,
                                             author != NULL ? g_ascii_strtoll (author, NULL, 10) : 0,
                                             modified, error))
                {
                  sd_value_clear (&current);
                  return FALSE;
                }
              sd_value_clear (&current);
            }
        }
      if (!sd_store_update (run->store, kind->entity, local, merged != NULL ? merged : changes, error)
          || !sd_store_set_b24_state (run->store, kind->entity, local, -1, modified, error)
          || (kind->entity == SD_ENTITY_DEAL && !apply_deal_fields (run, local, row, modified, error))
          || (kind->entity == SD_ENTITY_CONTACT && !apply_channels (run, local, row, error)))
        return FALSE;
    }
  run->report.pulled++;
  return TRUE;
}

static gboolean
pull_page (Run        *run,
           JsonArray  *rows,
           gpointer    data,
           GError    **error)
{
  PullData *pull = data;

  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonNode *row = json_array_get_element (rows, i);

      if (!JSON_NODE_HOLDS_OBJECT (row))
        {
          g_set_error (error, SD_B24_ERROR, SD_B24_ERROR_MALFORMED,
                       _("The portal sent a list row that is not an object"));
          return FALSE;
        }
      if (!apply_row (run, pull->kind, json_node_get_object (row), &pull->cursor, error))
        return FALSE;
    }
  run->done_rows += json_array_get_length (rows);
  return TRUE;
}

static const char *
kind_title (const SdSyncKind *kind)
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

static gboolean
pull_kind (Run               *run,
           const SdSyncKind  *kind,
           GError           **error)
{
  g_autofree char *meta_key = g_strdup_printf ("sync.cursor.%s", kind->name);
  g_autofree char *cursor = sd_store_get_meta (run->store, meta_key);
  g_autoptr(JsonObject) filter = NULL;
  g_autofree char *method = g_strconcat (kind->methods, ".list", NULL);
  g_autofree char *status = g_strdup_printf (_("%s: receiving"), kind_title (kind));
  PullData pull = { kind, NULL };
  gboolean ok;

  run_progress (run, status);
  if (cursor != NULL)
    {
      g_autoptr(GDateTime) at = g_date_time_new_from_iso8601 (cursor, NULL);
      g_autoptr(GDateTime) since = at != NULL ? g_date_time_add_seconds (at, -CURSOR_OVERLAP_SECONDS) : NULL;
      g_autofree char *text = since != NULL ? g_date_time_format (since, "%FT%T%:z") : NULL;

      if (text != NULL)
        {
          filter = json_object_new ();
          json_object_set_string_member (filter, ">=DATE_MODIFY", text);
        }
      pull.cursor = g_strdup (cursor);
    }
  ok = keyset_export (run, method, filter, kind_select (run, kind), filter != NULL ? 1 : SD_B24_BATCH_MAX,
                      filter != NULL ? -1 : run->expected[kind->entity], TRUE, pull_page, &pull, error);
  if (ok && pull.cursor != NULL)
    ok = sd_store_set_meta (run->store, meta_key, pull.cursor, error);
  g_free (pull.cursor);
  return ok;
}

/* Company requisites carry the INN, KPP and OGRN. */
static gboolean
requisite_page (Run        *run,
                JsonArray  *rows,
                gpointer    data,
                GError    **error)
{
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);
      g_autoptr(SdChanges) changes = sd_changes_new ();
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
      if (sd_changes_get_size (changes) > 0
          && !sd_store_update (run->store, SD_ENTITY_COMPANY, company, changes, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
pull_requisites (Run     *run,
                 GError **error)
{
  static const char *const select[] = {
    "ID", "ENTITY_TYPE_ID", "ENTITY_ID", "RQ_INN", "RQ_KPP", "RQ_OGRN", NULL,
  };
  g_autoptr(JsonObject) filter = json_object_new ();

  json_object_set_int_member (filter, "ENTITY_TYPE_ID", 4);
  return keyset_export (run, "crm.requisite.list", filter, select, 4, -1, TRUE, requisite_page, NULL,
                        error);
}

/* --- Staff and pipelines -------------------------------------------------------------- */

static JsonArray *
result_array (JsonObject *answer,
              const char *key,
              const char *wrapper,
              GError    **error)
{
  JsonNode *result = sd_b24_batch_get_result (answer, key, NULL, error);

  if (result != NULL && wrapper != NULL && JSON_NODE_HOLDS_OBJECT (result))
    result = json_object_get_member (json_node_get_object (result), wrapper);
  if (result == NULL || !JSON_NODE_HOLDS_ARRAY (result))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, SD_B24_ERROR, SD_B24_ERROR_MALFORMED,
                     _("The portal sent a list that is not a list"));
      return NULL;
    }
  return json_node_get_array (result);
}

/* Inserts or updates the row with server id @b24_id; returns its local id or 0. */
static gint64
upsert (Run        *run,
        SdEntity    entity,
        gint64      b24_id,
        SdChanges  *changes,
        GError    **error)
{
  gint64 local = sd_store_find_b24 (run->store, entity, b24_id);

  if (local != 0)
    return sd_store_update (run->store, entity, local, changes, error) ? local : 0;
  sd_changes_set_int (changes, "b24_id", b24_id);
  return sd_store_insert (run->store, entity, changes, error);
}

static gboolean
apply_staff (Run        *run,
             JsonArray  *departments,
             JsonArray  *users,
             GError    **error)
{
  /* Departments first without their links, users, then the links: the tree and the
   * heads point both ways. */
  for (guint i = 0; i < json_array_get_length (departments); i++)
    {
      JsonObject *row = json_array_get_object_element (departments, i);
      g_autoptr(SdChanges) changes = sd_changes_new ();
      g_autofree char *name = row != NULL ? sd_sync_dup_string (row, "NAME") : NULL;

      if (row == NULL)
        continue;
      sd_changes_set_text (changes, "name", name != NULL ? name : "");
      if (upsert (run, SD_ENTITY_DEPARTMENT, sd_sync_get_id (row, "ID"), changes, error) == 0)
        return FALSE;
    }
  for (guint i = 0; i < json_array_get_length (users); i++)
    {
      JsonObject *row = json_array_get_object_element (users, i);
      g_autoptr(SdChanges) changes = sd_changes_new ();
      g_autofree char *first = NULL, *last = NULL, *second = NULL, *email = NULL, *position = NULL;
      g_autofree char *login = NULL;
      JsonArray *departments_of = NULL;
      gint64 b24_id;

      if (row == NULL)
        continue;
      b24_id = sd_sync_get_id (row, "ID");
      first = sd_sync_dup_string (row, "NAME");
      last = sd_sync_dup_string (row, "LAST_NAME");
      second = sd_sync_dup_string (row, "SECOND_NAME");
      email = sd_sync_dup_string (row, "EMAIL");
      position = sd_sync_dup_string (row, "WORK_POSITION");
      sd_changes_set_text (changes, "first_name", first != NULL ? first : "");
      sd_changes_set_text (changes, "last_name", last != NULL ? last : "");
      sd_changes_set_text (changes, "second_name", second);
      sd_changes_set_text (changes, "email", email);
      sd_changes_set_text (changes, "position", position);
      if (json_object_has_member (row, "ACTIVE"))
        sd_changes_set_int (changes, "active",
                            json_object_get_boolean_member_with_default (row, "ACTIVE", TRUE));
      if (json_object_has_member (row, "UF_DEPARTMENT")
          && JSON_NODE_HOLDS_ARRAY (json_object_get_member (row, "UF_DEPARTMENT")))
        departments_of = json_object_get_array_member (row, "UF_DEPARTMENT");
      if (departments_of != NULL && json_array_get_length (departments_of) > 0)
        {
          gint64 department = sd_store_find_b24 (run->store, SD_ENTITY_DEPARTMENT,
                                                 json_array_get_int_element (departments_of, 0));
          if (department != 0)
            sd_changes_set_int (changes, "department_id", department);
        }
      if (sd_store_find_b24 (run->store, SD_ENTITY_USER, b24_id) == 0)
        {
          /* A staff member set up here before the first sync is matched by e-mail. */
          login = email != NULL && *email != '\0' ? g_strdup (email)
                                                  : g_strdup_printf ("b24-%" G_GINT64_FORMAT, b24_id);
          if (sd_store_find_user (run->store, login) != 0)
            {
              gint64 known = sd_store_find_user (run->store, login), other;
              if (!sd_store_get_b24_id (run->store, SD_ENTITY_USER, known, &other)
                  && !sd_store_set_b24_state (run->store, SD_ENTITY_USER, known, b24_id, NULL, error))
                return FALSE;
            }
          else
            sd_changes_set_text (changes, "login", login);
        }
      if (upsert (run, SD_ENTITY_USER, b24_id, changes, error) == 0)
        return FALSE;
    }
  for (guint i = 0; i < json_array_get_length (departments); i++)
    {
      JsonObject *row = json_array_get_object_element (departments, i);
      g_autoptr(SdChanges) changes = sd_changes_new ();
      gint64 parent, head;

      if (row == NULL)
        continue;
      parent = sd_store_find_b24 (run->store, SD_ENTITY_DEPARTMENT, sd_sync_get_id (row, "PARENT"));
      head = sd_store_find_b24 (run->store, SD_ENTITY_USER, sd_sync_get_id (row, "UF_HEAD"));
      if (parent != 0)
        sd_changes_set_int (changes, "parent_id", parent);
      else
        sd_changes_set_null (changes, "parent_id");
      if (head != 0)
        sd_changes_set_int (changes, "head_user_id", head);
      else
        sd_changes_set_null (changes, "head_user_id");
      if (upsert (run, SD_ENTITY_DEPARTMENT, sd_sync_get_id (row, "ID"), changes, error) == 0)
        return FALSE;
    }
  return TRUE;
}

static const char *
stage_semantics (JsonObject *row)
{
  g_autofree char *extra = NULL;
  g_autofree char *plain = sd_sync_dup_string (row, "SEMANTICS");
  JsonNode *node = json_object_get_member (row, "EXTRA");

  /* EXTRA.SEMANTICS first, SEMANTICS as the fallback (reference §7.2). */
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    extra = sd_sync_dup_string (json_node_get_object (node), "SEMANTICS");
  if (g_strcmp0 (extra, "success") == 0 || g_strcmp0 (plain, "S") == 0)
    return "won";
  if (g_strcmp0 (extra, "failure") == 0 || g_strcmp0 (extra, "apology") == 0
      || g_strcmp0 (plain, "F") == 0)
    return "lost";
  return "process";
}

static gboolean
apply_pipelines (Run        *run,
                 JsonArray  *categories,
                 JsonArray  *statuses,
                 GError    **error)
{
  for (guint i = 0; i < json_array_get_length (categories); i++)
    {
      JsonObject *row = json_array_get_object_element (categories, i);
      g_autoptr(SdChanges) changes = sd_changes_new ();
      g_autofree char *name = NULL, *code = NULL, *key = NULL;
      gint64 category, pipeline;

      if (row == NULL)
        continue;
      category = json_object_get_int_member_with_default (row, "id", 0);
      pipeline = sd_store_find_b24 (run->store, SD_ENTITY_PIPELINE, category);
      /* A pipeline keeps the name it has here (a playbook's, in the user's language). */
      if (pipeline == 0)
        {
          name = sd_sync_dup_string (row, "name");
          code = g_strdup_printf ("b24-%" G_GINT64_FORMAT, category);
          sd_changes_set_text (changes, "name", name != NULL ? name : "");
          sd_changes_set_int (changes, "sort", json_object_get_int_member_with_default (row, "sort", 0));
          sd_changes_set_text (changes, "code", code);
          if ((pipeline = upsert (run, SD_ENTITY_PIPELINE, category, changes, error)) == 0)
            return FALSE;
        }

      /* The stages of pipeline N are the statuses of DEAL_STAGE_N (DEAL_STAGE for 0). */
      key = category == 0 ? g_strdup ("DEAL_STAGE")
                          : g_strdup_printf ("DEAL_STAGE_%" G_GINT64_FORMAT, category);
      for (guint s = 0; s < json_array_get_length (statuses); s++)
        {
          JsonObject *stage_row = json_array_get_object_element (statuses, s);
          g_autofree char *entity_id = stage_row != NULL ? sd_sync_dup_string (stage_row, "ENTITY_ID") : NULL;
          g_autoptr(SdChanges) stage = sd_changes_new ();
          g_autofree char *status = NULL, *stage_name = NULL, *color = NULL, *sort = NULL;
          gint64 local;

          if (g_strcmp0 (entity_id, key) != 0)
            continue;
          status = sd_sync_dup_string (stage_row, "STATUS_ID");
          stage_name = sd_sync_dup_string (stage_row, "NAME");
          color = sd_sync_dup_string (stage_row, "COLOR");
          sort = sd_sync_dup_string (stage_row, "SORT");
          if (status == NULL)
            continue;
          sd_changes_set_text (stage, "name", stage_name != NULL ? stage_name : status);
          sd_changes_set_int (stage, "sort", sort != NULL ? g_ascii_strtoll (sort, NULL, 10) : 0);
          if (color != NULL && *color == '#')
            {
              g_autofree char *lower = g_ascii_strdown (color, -1);
              sd_changes_set_text (stage, "color", lower);
            }
          sd_changes_set_text (stage, "semantics", stage_semantics (stage_row));
          local = sd_store_find_stage_b24 (run->store, pipeline, status);
          if (local != 0)
            {
              /* Stages made by the sync follow the portal; a playbook's keep their own. */
              if (sd_store_find_stage (run->store, pipeline, status) == local
                  && !sd_store_update (run->store, SD_ENTITY_STAGE, local, stage, error))
                return FALSE;
              continue;
            }
          sd_changes_set_int (stage, "pipeline_id", pipeline);
          sd_changes_set_text (stage, "code", status);
          sd_changes_set_text (stage, "b24_status_id", status);
          if (sd_store_insert (run->store, SD_ENTITY_STAGE, stage, error) == 0)
            return FALSE;
        }
    }
  return TRUE;
}

static gboolean ensure_key_fields (Run         *run,
                                   JsonObject  *answer,
                                   GError     **error);

/* Staff, pipelines and stages, the user fields, and for a first sync the row counts: one
 * request, since every request counts against the portal's limit. */
static gboolean
pull_reference (Run       *run,
                gboolean   first,
                GError   **error)
{
  g_autoptr(SdB24Batch) batch = sd_b24_batch_new ();
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonObject) category_params = json_object_new ();
  g_autoptr(JsonObject) user_params = json_object_new ();
  g_autoptr(JsonObject) more = NULL;
  g_autoptr(JsonArray) users = json_array_new ();
  JsonArray *departments, *categories, *page, *userfields, *statuses;
  static const char *const id_only[] = { "ID", NULL };
  guint n_kinds;
  const SdSyncKind *kinds = sd_sync_kinds (&n_kinds);
  gint64 next;

  run_progress (run, _("Staff and pipelines"));
  json_object_set_int_member (category_params, "entityTypeId", 2);
  json_object_set_int_member (user_params, "start", 0);
  sd_b24_batch_add (batch, "departments", "department.get", NULL);
  sd_b24_batch_add (batch, "users", "user.get", user_params);
  sd_b24_batch_add (batch, "categories", "crm.category.list", category_params);
  sd_b24_batch_add (batch, "statuses", "crm.status.list", NULL);
  for (guint i = 0; i < n_kinds; i++)
    {
      g_autofree char *key = g_strdup_printf ("uf_%s", kinds[i].name);
      g_autofree char *method = g_strconcat (kinds[i].methods, ".userfield.list", NULL);

      sd_b24_batch_add (batch, key, method, NULL);
      if (first)
        {
          /* Counting is costly on the portal; once, for the progress of a first sync. */
          g_autoptr(JsonObject) params = json_object_new ();
          g_autofree char *count_key = g_strdup_printf ("n_%s", kinds[i].name);
          g_autofree char *list = g_strconcat (kinds[i].methods, ".list", NULL);

          json_object_set_array_member (params, "select", string_array (id_only));
          json_object_set_int_member (params, "start", 0);
          sd_b24_batch_add (batch, count_key, list, params);
        }
    }
  if ((answer = sd_b24_client_batch (run->engine->client, batch, SD_B24_CALL_READ,
                                     run->cancellable, error)) == NULL
      || (departments = result_array (answer, "departments", NULL, error)) == NULL
      || (page = result_array (answer, "users", NULL, error)) == NULL
      || (categories = result_array (answer, "categories", "categories", error)) == NULL
      || (statuses = result_array (answer, "statuses", NULL, error)) == NULL
      || (userfields = result_array (answer, "uf_deal", NULL, error)) == NULL
      || !ensure_key_fields (run, answer, error))
    return FALSE;
  for (guint i = 0; first && i < n_kinds; i++)
    {
      g_autofree char *count_key = g_strdup_printf ("n_%s", kinds[i].name);
      JsonNode *totals = json_object_get_member (json_object_get_object_member (answer, "result"),
                                                 "result_total");

      if (totals != NULL && JSON_NODE_HOLDS_OBJECT (totals)
          && json_object_has_member (json_node_get_object (totals), count_key))
        {
          run->expected[kinds[i].entity] = json_object_get_int_member (json_node_get_object (totals),
                                                                       count_key);
          run->expected_rows += run->expected[kinds[i].entity];
        }
    }

  /* Staff lists are short: the rest of them, if any, page by page. */
  sd_b24_batch_get_result (answer, "users", &next, NULL);
  for (;;)
    {
      g_autoptr(JsonObject) params = json_object_new ();

      for (guint i = 0; i < json_array_get_length (page); i++)
        json_array_add_element (users, json_node_copy (json_array_get_element (page, i)));
      if (next <= 0)
        break;
      json_object_set_int_member (params, "start", next);
      g_clear_pointer (&more, json_object_unref);
      if ((more = sd_b24_client_call (run->engine->client, "user.get", params, SD_B24_CALL_READ,
                                      run->cancellable, error)) == NULL)
        return FALSE;
      if (!JSON_NODE_HOLDS_ARRAY (json_object_get_member (more, "result")))
        {
          g_set_error (error, SD_B24_ERROR, SD_B24_ERROR_MALFORMED,
                       _("The portal sent a list that is not a list"));
          return FALSE;
        }
      page = json_object_get_array_member (more, "result");
      next = json_object_get_int_member_with_default (more, "next", 0);
      if (json_array_get_length (page) == 0)
        break;
    }

  if (!sd_store_begin_bulk (run->store, error))
    return FALSE;
  if (!apply_staff (run, departments, users, error)
      || !sd_sync_map_link_playbooks (run->store, userfields, error)
      || !apply_pipelines (run, categories, statuses, error))
    {
      sd_store_rollback (run->store);
      return FALSE;
    }
  if (!run_commit (run, error)
      || (run->b24_fields = sd_store_list_b24_fields (run->store, error)) == NULL)
    return FALSE;

  /* The deal list also reads the user fields the playbooks map. */
  run->deal_select = g_ptr_array_new ();
  for (guint i = 0; sd_sync_kind_for (SD_ENTITY_DEAL)->select[i] != NULL; i++)
    g_ptr_array_add (run->deal_select, (gpointer) sd_sync_kind_for (SD_ENTITY_DEAL)->select[i]);
  for (guint i = 0; i < run->b24_fields->len; i++)
    g_ptr_array_add (run->deal_select, ((SdB24Field *) run->b24_fields->pdata[i])->b24_field);
  g_ptr_array_add (run->deal_select, NULL);
  return TRUE;
}

/* The client key field on deals, contacts and companies, made where it is missing; the
 * lists of user fields came with the reference request. */
static gboolean
ensure_key_fields (Run         *run,
                   JsonObject  *answer,
                   GError     **error)
{
  guint n_kinds;
  const SdSyncKind *kinds = sd_sync_kinds (&n_kinds);

  for (guint i = 0; i < n_kinds; i++)
    {
      g_autofree char *key = g_strdup_printf ("uf_%s", kinds[i].name);
      JsonArray *fields = result_array (answer, key, NULL, error);
      g_autoptr(JsonObject) params = NULL;
      g_autoptr(JsonObject) added = NULL;
      g_autofree char *method = NULL;
      g_autoptr(GError) add_error = NULL;
      gboolean found = FALSE;
      JsonObject *field;

      if (fields == NULL)
        return FALSE;
      for (guint f = 0; f < json_array_get_length (fields) && !found; f++)
        {
          g_autofree char *name = sd_sync_dup_string (json_array_get_object_element (fields, f),
                                                      "FIELD_NAME");
          found = g_strcmp0 (name, SD_SYNC_KEY_FIELD) == 0;
        }
      if (found)
        continue;
      params = json_object_new ();
      field = json_object_new ();
      json_object_set_string_member (field, "FIELD_NAME", SD_SYNC_KEY_FIELD + strlen ("UF_CRM_"));
      json_object_set_string_member (field, "USER_TYPE_ID", "string");
      json_object_set_string_member (field, "EDIT_FORM_LABEL", "Sdelka");
      json_object_set_string_member (field, "SHOW_FILTER", "N");
      json_object_set_object_member (params, "fields", field);
      method = g_strconcat (kinds[i].methods, ".userfield.add", NULL);
      /* Sent again like a read: a repeated add (its first answer lost) is refused as a
       * duplicate, which is fine. */
      added = sd_b24_client_call (run->engine->client, method, params, SD_B24_CALL_READ,
                                  run->cancellable, &add_error);
      if (added == NULL && !g_error_matches (add_error, SD_B24_ERROR, SD_B24_ERROR_INVALID))
        {
          g_propagate_error (error, g_steal_pointer (&add_error));
          return FALSE;
        }
    }
  return TRUE;
}

/* --- Push --------------------------------------------------------------------------- */

typedef struct
{
  gint64    journal_id;
  SdEntity  entity;
  gint64    local_id;
  gboolean  creates;
  GArray   *also;   /* journal ids the portal confirms with it */
} PushCommand;

static void
push_command_free (PushCommand *command)
{
  g_array_unref (command->also);
  g_free (command);
}

static char *
row_key (SdEntity entity,
         gint64   id)
{
  return g_strdup_printf ("%u:%" G_GINT64_FORMAT, entity, id);
}

static void
hold (Run      *run,
      SdEntity  entity,
      gint64    id)
{
  g_hash_table_add (run->held, row_key (entity, id));
}

static char *
client_key (Run      *run,
            SdEntity  entity,
            gint64    id)
{
  return g_strdup_printf ("%s%s:%" G_GINT64_FORMAT, run->key_prefix,
                          sd_sync_kind_for (entity)->name, id);
}

/* A row a deal refers to that has no server id yet, as a row_key; NULL if none. */
static char *
missing_reference (Run      *run,
                   SdEntity  entity,
                   gint64    id)
{
  static const struct { const char *column; SdEntity target; } refs[] = {
    { "contact_id", SD_ENTITY_CONTACT }, { "company_id", SD_ENTITY_COMPANY },
  };

  if (entity != SD_ENTITY_DEAL)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (refs); i++)
    {
      SdValue value;
      gint64 b24_id;
      gboolean missing;

      if (!sd_store_read_value (run->store, entity, id, refs[i].column, &value, NULL))
        continue;
      missing = value.kind == SD_VALUE_NUMBER
                && !sd_store_get_b24_id (run->store, refs[i].target, value.number, &b24_id);
      if (missing)
        return row_key (refs[i].target, value.number);
    }
  return NULL;
}

/* The portal's fields for the current values of @fields of a row. */
static JsonObject *
row_fields (Run                *run,
            SdEntity            entity,
            gint64              id,
            const char * const *fields,
            gboolean            creating,
            GError            **error)
{
  g_autoptr(JsonObject) out = json_object_new ();

  for (guint i = 0; fields[i] != NULL; i++)
    {
      SdValue value;

      if (sd_entity_find_column (entity, fields[i]) == NULL)
        continue;
      if (!sd_store_read_value (run->store, entity, id, fields[i], &value, error))
        return NULL;
      sd_sync_map_push_field (run->store, entity, fields[i], &value, creating, out);
      sd_value_clear (&value);
    }
  return g_steal_pointer (&out);
}

static gboolean
row_exists (Run      *run,
            SdEntity  entity,
            gint64    id)
{
  SdValue value;

  if (!sd_store_read_value (run->store, entity, id, sd_entity_info (entity)->columns[0].name, &value,
                            NULL))
    return FALSE;
  sd_value_clear (&value);
  return TRUE;
}

/* The fields an update entry changed, and for a delete the server id it had. */
static GPtrArray *
entry_fields (SdJournalEntry *entry,
              gint64         *out_b24_id)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  GPtrArray *fields = g_ptr_array_new_with_free_func (g_free);
  JsonObject *changes;
  GList *members;

  *out_b24_id = 0;
  if (!json_parser_load_from_data (parser, entry->changes, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return fields;
  changes = json_node_get_object (json_parser_get_root (parser));
  members = json_object_get_members (changes);
  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *pair = json_object_get_member (changes, l->data);

      if (strcmp (l->data, "b24_id") == 0 && JSON_NODE_HOLDS_ARRAY (pair)
          && JSON_NODE_HOLDS_VALUE (json_array_get_element (json_node_get_array (pair), 0)))
        *out_b24_id = json_array_get_int_element (json_node_get_array (pair), 0);
      g_ptr_array_add (fields, g_strdup (l->data));
    }
  g_list_free (members);
  g_ptr_array_add (fields, NULL);
  return fields;
}

/* The value a column had before the change an entry records (a deleted row's), or 0. */
static gint64
entry_old_int (SdJournalEntry *entry,
               const char     *column)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonObject *changes;
  JsonNode *pair;

  if (!json_parser_load_from_data (parser, entry->changes, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return 0;
  changes = json_node_get_object (json_parser_get_root (parser));
  pair = json_object_get_member (changes, column);
  if (pair == NULL || !JSON_NODE_HOLDS_ARRAY (pair)
      || !JSON_NODE_HOLDS_VALUE (json_array_get_element (json_node_get_array (pair), 0)))
    return 0;
  return json_array_get_int_element (json_node_get_array (pair), 0);
}

static const SdB24Field *
find_b24_field (Run    *run,
                gint64  field_id)
{
  for (guint i = 0; run->b24_fields != NULL && i < run->b24_fields->len; i++)
    if (((SdB24Field *) run->b24_fields->pdata[i])->field_id == field_id)
      return run->b24_fields->pdata[i];
  return NULL;
}

/* Creations sent before whose answer never came (the program stopped, the connection
 * broke, the answer was cut): ask the portal for their client keys first. */
static gboolean
recover_creations (Run        *run,
                   GPtrArray  *entries,
                   GError    **error)
{
  guint i = 0;

  while (i < entries->len)
    {
      g_autoptr(SdB24Batch) batch = sd_b24_batch_new ();
      g_autoptr(GPtrArray) asked = g_ptr_array_new ();
      g_autoptr(JsonObject) answer = NULL;

      for (; i < entries->len && sd_b24_batch_get_size (batch) < SD_B24_BATCH_MAX; i++)
        {
          SdJournalEntry *entry = entries->pdata[i];
          g_autoptr(JsonObject) params = NULL;
          g_autofree char *key = NULL, *method = NULL, *command = NULL;
          JsonObject *filter;
          SdEntity entity;
          gint64 b24_id;
          static const char *const select[] = { "ID", NULL };

          if (strcmp (entry->op, "insert") != 0 || !sd_entity_from_name (entry->entity, &entity)
              || g_hash_table_contains (run->looked_up, &entry->id)
              || !sd_store_get_push_attempted (run->store, entry->id)
              || sd_store_get_b24_id (run->store, entity, entry->entity_id, &b24_id))
            continue;
          g_hash_table_add (run->looked_up, g_memdup2 (&entry->id, sizeof entry->id));
          params = json_object_new ();
          filter = json_object_new ();
          key = client_key (run, entity, entry->entity_id);
          json_object_set_string_member (filter, SD_SYNC_KEY_FIELD, key);
          json_object_set_object_member (params, "filter", filter);
          json_object_set_array_member (params, "select", string_array (select));
          method = g_strconcat (sd_sync_kind_for (entity)->methods, ".list", NULL);
          command = g_strdup_printf ("k%u", asked->len);
          sd_b24_batch_add (batch, command, method, params);
          g_ptr_array_add (asked, entry);
        }
      if (asked->len == 0)
        break;
      if ((answer = sd_b24_client_batch (run->engine->client, batch, SD_B24_CALL_READ,
                                         run->cancellable, error)) == NULL
          || !sd_store_begin_bulk (run->store, error))
        return FALSE;
      for (guint k = 0; k < asked->len; k++)
        {
          SdJournalEntry *entry = asked->pdata[k];
          g_autofree char *command = g_strdup_printf ("k%u", k);
          JsonArray *rows = result_array (answer, command, NULL, error);
          SdEntity entity;
          gint64 b24_id;

          if (rows == NULL)
            goto failed;
          if (json_array_get_length (rows) == 0)
            continue;
          sd_entity_from_name (entry->entity, &entity);
          b24_id = sd_sync_get_id (json_array_get_object_element (rows, 0), "ID");
          if (b24_id > 0
              && (!sd_store_set_b24_state (run->store, entity, entry->entity_id, b24_id, NULL, error)
                  || !sd_store_mark_pushed (run->store, entry->id, error)))
            goto failed;
          run->report.pushed++;
        }
      if (!run_commit (run, error))
        return FALSE;
      continue;

failed:
      sd_store_rollback (run->store);
      return FALSE;
    }
  return TRUE;
}

/* Sends the commands gathered; what the portal confirmed is marked done in one
 * transaction. A batch that fails as a whole leaves everything waiting for the next
 * round, where creations are looked up before being sent again. */
static gboolean
flush (Run         *run,
       SdB24Batch **batch,
       GPtrArray   *commands,
       GHashTable  *creating,
       guint       *confirmed,
       GError     **error)
{
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(GError) send_error = NULL;

  if (commands->len == 0)
    return TRUE;
  if (!sd_store_begin (run->store, error))
    return FALSE;
  for (guint i = 0; i < commands->len; i++)
    {
      PushCommand *command = commands->pdata[i];
      if (command->creates && !sd_store_mark_push_attempted (run->store, command->journal_id, error))
        {
          sd_store_rollback (run->store);
          return FALSE;
        }
    }
  if (!sd_store_commit (run->store, error))
    return FALSE;

  answer = sd_b24_client_batch (run->engine->client, *batch, SD_B24_CALL_WRITE, run->cancellable,
                                &send_error);
  g_clear_pointer (batch, sd_b24_batch_free);
  *batch = sd_b24_batch_new ();
  g_hash_table_remove_all (creating);
  if (answer == NULL)
    {
      if (!sd_b24_error_is_transient (send_error, TRUE))
        {
          g_propagate_error (error, g_steal_pointer (&send_error));
          return FALSE;
        }
      g_debug ("push batch failed, kept for the next round: %s", send_error->message);
      g_ptr_array_set_size (commands, 0);
      return TRUE;
    }

  if (!sd_store_begin_bulk (run->store, error))
    return FALSE;
  for (guint i = 0; i < commands->len; i++)
    {
      PushCommand *command = commands->pdata[i];
      g_autofree char *key = g_strdup_printf ("w%u", i);
      g_autoptr(GError) command_error = NULL;
      JsonNode *result = sd_b24_batch_get_result (answer, key, NULL, &command_error);
      gboolean done = result != NULL;

      if (result != NULL && command->creates)
        {
          gint64 b24_id = JSON_NODE_HOLDS_VALUE (result) ? json_node_get_int (result) : 0;

          if (b24_id <= 0)
            {
              g_autofree char *text = JSON_NODE_HOLDS_VALUE (result) && json_node_get_string (result) != NULL
                                      ? g_strdup (json_node_get_string (result)) : NULL;
              b24_id = text != NULL ? g_ascii_strtoll (text, NULL, 10) : 0;
            }
          done = b24_id > 0
                 && sd_store_set_b24_state (run->store, command->entity, command->local_id, b24_id,
                                            NULL, error);
          if (b24_id > 0 && !done)
            goto failed;
        }
      /* Gone from the portal: nothing left to change there; the check removes it here. */
      if (result == NULL && !command->creates
          && g_error_matches (command_error, SD_B24_ERROR, SD_B24_ERROR_NOT_FOUND))
        done = TRUE;
      if (!done)
        {
          g_debug ("push of journal entry %" G_GINT64_FORMAT " refused: %s", command->journal_id,
                   command_error != NULL ? command_error->message : "no id");
          hold (run, command->entity, command->local_id);
          continue;
        }
      if (!sd_store_mark_pushed (run->store, command->journal_id, error))
        goto failed;
      for (guint a = 0; a < command->also->len; a++)
        if (!sd_store_mark_pushed (run->store, g_array_index (command->also, gint64, a), error))
          goto failed;
      run->report.pushed += 1 + command->also->len;
      (*confirmed)++;
    }
  g_ptr_array_set_size (commands, 0);
  return run_commit (run, error);

failed:
  sd_store_rollback (run->store);
  return FALSE;
}

static PushCommand *
push_command_new (SdJournalEntry *entry,
                  SdEntity        entity,
                  gboolean        creates)
{
  PushCommand *command = g_new0 (PushCommand, 1);

  command->journal_id = entry->id;
  command->entity = entity;
  command->local_id = entry->entity_id;
  command->creates = creates;
  command->also = g_array_new (FALSE, FALSE, sizeof (gint64));
  return command;
}

/* One pass over the outbox; *@acted says whether anything was sent or settled. */
static gboolean
push_round (Run       *run,
            gboolean  *acted,
            guint     *confirmed,
            GError   **error)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) commands = g_ptr_array_new_with_free_func ((GDestroyNotify) push_command_free);
  g_autoptr(GHashTable) creating = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) created_in = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  SdB24Batch *batch = sd_b24_batch_new ();
  gboolean ok = FALSE;

  *acted = FALSE;
  entries = sd_store_list_outbox (run->store, sd_sync_pushed_entities (), 2000, error);
  if (entries == NULL || !recover_creations (run, entries, error))
    goto out;

  for (guint i = 0; i < entries->len; i++)
    {
      SdJournalEntry *entry = entries->pdata[i];
      g_autofree char *key = NULL;
      g_autofree char *missing = NULL;
      g_autoptr(JsonObject) params = NULL;
      g_autoptr(JsonObject) fields = NULL;
      g_autoptr(GPtrArray) changed = NULL;
      g_autofree char *method = NULL;
      g_autofree char *command_key = NULL;
      PushCommand *command;
      SdEntity entity;
      gint64 b24_id = 0;

      if (cancelled (run, error))
        goto out;
      if (!sd_entity_from_name (entry->entity, &entity))
        continue;
      key = row_key (entity, entry->entity_id);
      if (g_hash_table_contains (run->held, key))
        continue;
      if (sd_store_has_conflict (run->store, entity, entry->entity_id, NULL))
        {
          /* Nothing of a row in conflict goes out before the user has chosen. */
          hold (run, entity, entry->entity_id);
          continue;
        }
      /* A mapped user field goes out as an update of its deal. */
      if (entity == SD_ENTITY_DEAL_FIELD)
        {
          gboolean deleted = strcmp (entry->op, "delete") == 0;
          const SdB24Field *field;
          g_autofree char *deal_key = NULL;
          g_autofree char *portal_value = NULL;
          SdValue deal = { SD_VALUE_NUMBER, 0, NULL }, field_id = { SD_VALUE_NUMBER, 0, NULL };
          SdValue value = { SD_VALUE_NULL, 0, NULL };

          if (deleted)
            {
              deal.number = entry_old_int (entry, "deal_id");
              field_id.number = entry_old_int (entry, "field_id");
            }
          else if (!row_exists (run, entity, entry->entity_id)
                   || !sd_store_read_value (run->store, entity, entry->entity_id, "deal_id", &deal, NULL)
                   || !sd_store_read_value (run->store, entity, entry->entity_id, "field_id", &field_id, NULL)
                   || !sd_store_read_value (run->store, entity, entry->entity_id, "value", &value, NULL))
            deal.number = 0;
          field = find_b24_field (run, field_id.number);
          deal_key = row_key (SD_ENTITY_DEAL, deal.number);
          if (field != NULL && g_hash_table_contains (creating, deal_key))
            {
              g_hash_table_remove_all (created_in);
              if (!flush (run, &batch, commands, creating, confirmed, error))
                {
                  sd_value_clear (&value);
                  goto out;
                }
            }
          if (field == NULL || deal.number == 0
              || !sd_store_get_b24_id (run->store, SD_ENTITY_DEAL, deal.number, &b24_id))
            {
              gboolean waits = field != NULL && deal.number != 0 && row_exists (run, SD_ENTITY_DEAL, deal.number);

              sd_value_clear (&value);
              /* Not a field the portal has, or its deal is gone: nothing to send. A deal
               * not created there yet holds its fields back. */
              if (waits)
                hold (run, entity, entry->entity_id);
              else if (!sd_store_mark_pushed (run->store, entry->id, error))
                goto out;
              *acted = *acted || !waits;
              continue;
            }
          portal_value = sd_sync_map_uf_push (run->store, field, deleted ? NULL : value.text);
          sd_value_clear (&value);
          fields = json_object_new ();
          json_object_set_string_member (fields, field->b24_field, portal_value);
          params = json_object_new ();
          json_object_set_int_member (params, "id", b24_id);
          json_object_set_object_member (params, "fields", g_steal_pointer (&fields));
          command_key = g_strdup_printf ("w%u", commands->len);
          sd_b24_batch_add (batch, command_key, "crm.deal.update", params);
          g_ptr_array_add (commands, push_command_new (entry, entity, FALSE));
          *acted = TRUE;
          if (commands->len >= SD_B24_BATCH_MAX)
            {
              g_hash_table_remove_all (created_in);
              if (!flush (run, &batch, commands, creating, confirmed, error))
                goto out;
            }
          continue;
        }
      /* A later change of a row created in this batch rode along with its creation. */
      if (g_hash_table_contains (created_in, key) && strcmp (entry->op, "update") == 0)
        {
          PushCommand *creation = g_hash_table_lookup (created_in, key);
          g_array_append_val (creation->also, entry->id);
          continue;
        }
      /* A row that needs a server id from this batch waits for the batch's answer. */
      missing = row_exists (run, entity, entry->entity_id)
                ? missing_reference (run, entity, entry->entity_id) : NULL;
      if ((missing != NULL && g_hash_table_contains (creating, missing))
          || g_hash_table_contains (creating, key))
        {
          g_hash_table_remove_all (created_in);
          if (!flush (run, &batch, commands, creating, confirmed, error))
            goto out;
          *acted = TRUE;
          g_clear_pointer (&missing, g_free);
          missing = row_exists (run, entity, entry->entity_id)
                    ? missing_reference (run, entity, entry->entity_id) : NULL;
        }

      if (strcmp (entry->op, "delete") == 0)
        {
          changed = entry_fields (entry, &b24_id);
          if (b24_id <= 0)
            {
              /* Never reached the portal: nothing to delete there. */
              if (!sd_store_mark_pushed (run->store, entry->id, error))
                goto out;
              *acted = TRUE;
              continue;
            }
          params = json_object_new ();
          json_object_set_int_member (params, "id", b24_id);
          method = g_strconcat (sd_sync_kind_for (entity)->methods, ".delete", NULL);
          command = push_command_new (entry, entity, FALSE);
        }
      else if (!row_exists (run, entity, entry->entity_id))
        {
          /* Deleted since: its delete entry (or the portal's deletion) says the rest. */
          if (!sd_store_mark_pushed (run->store, entry->id, error))
            goto out;
          *acted = TRUE;
          continue;
        }
      else if (missing != NULL)
        {
          hold (run, entity, entry->entity_id);
          continue;
        }
      else if (strcmp (entry->op, "insert") == 0)
        {
          g_autofree char *client = NULL;

          if (sd_store_get_b24_id (run->store, entity, entry->entity_id, &b24_id))
            {
              /* Found by its client key: the creation did happen. */
              if (!sd_store_mark_pushed (run->store, entry->id, error))
                goto out;
              *acted = TRUE;
              continue;
            }
          if ((fields = row_fields (run, entity, entry->entity_id, sd_sync_map_fields (entity), TRUE,
                                    error)) == NULL)
            goto out;
          client = client_key (run, entity, entry->entity_id);
          json_object_set_string_member (fields, SD_SYNC_KEY_FIELD, client);
          params = json_object_new ();
          json_object_set_object_member (params, "fields", g_steal_pointer (&fields));
          method = g_strconcat (sd_sync_kind_for (entity)->methods, ".add", NULL);
          command = push_command_new (entry, entity, TRUE);
          g_hash_table_add (creating, g_strdup (key));
          g_hash_table_insert (created_in, g_strdup (key), command);
        }
      else
        {
          if (!sd_store_get_b24_id (run->store, entity, entry->entity_id, &b24_id))
            {
              hold (run, entity, entry->entity_id);
              continue;
            }
          changed = entry_fields (entry, &b24_id);
          sd_store_get_b24_id (run->store, entity, entry->entity_id, &b24_id);
          /* The row's current values: several edits of a field send its latest. */
          if ((fields = row_fields (run, entity, entry->entity_id,
                                    (const char * const *) changed->pdata, FALSE, error)) == NULL)
            goto out;
          if (json_object_get_size (fields) == 0)
            {
              /* Only fields the portal does not hold. */
              if (!sd_store_mark_pushed (run->store, entry->id, error))
                goto out;
              *acted = TRUE;
              continue;
            }
          params = json_object_new ();
          json_object_set_int_member (params, "id", b24_id);
          json_object_set_object_member (params, "fields", g_steal_pointer (&fields));
          method = g_strconcat (sd_sync_kind_for (entity)->methods, ".update", NULL);
          command = push_command_new (entry, entity, FALSE);
        }

      command_key = g_strdup_printf ("w%u", commands->len);
      sd_b24_batch_add (batch, command_key, method, params);
      g_ptr_array_add (commands, command);
      *acted = TRUE;
      if (commands->len >= SD_B24_BATCH_MAX)
        {
          g_hash_table_remove_all (created_in);
          if (!flush (run, &batch, commands, creating, confirmed, error))
            goto out;
        }
    }
  g_hash_table_remove_all (created_in);
  ok = flush (run, &batch, commands, creating, confirmed, error);

out:
  sd_b24_batch_free (batch);
  return ok;
}

static gboolean
push_outbox (Run     *run,
             GError **error)
{
  guint idle = 0;

  run_progress (run, _("Sending changes"));
  while (idle < PUSH_ROUNDS)
    {
      gboolean acted = FALSE;
      guint confirmed = 0;

      if (!push_round (run, &acted, &confirmed, error))
        return FALSE;
      g_mutex_lock (&run->engine->lock);
      run->engine->waiting = sd_store_count_outbox (run->store, sd_sync_pushed_entities ());
      g_mutex_unlock (&run->engine->lock);
      run_progress (run, NULL);
      if (!acted)
        break;
      if (confirmed > 0)
        idle = 0;
      else
        {
          /* Whole batches failed: the portal is struggling; give it a moment. */
          idle++;
          if (!g_cancellable_is_cancelled (run->cancellable))
            g_usleep ((gulong) MIN (8.0, 0.25 * (1 << MIN (idle, 5u))) * G_USEC_PER_SEC);
        }
    }
  return TRUE;
}

/* --- Check -------------------------------------------------------------------------- */

static gboolean
check_page (Run        *run,
            JsonArray  *rows,
            gpointer    data,
            GError    **error)
{
  GHashTable *remote = data;

  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);
      gint64 id = row != NULL ? sd_sync_get_id (row, "ID") : -1;

      if (id <= 0)
        continue;
      g_hash_table_insert (remote, g_memdup2 (&id, sizeof id), sd_sync_dup_string (row, "DATE_MODIFY"));
    }
  return TRUE;
}

static gboolean
delete_local (Run               *run,
              const SdSyncKind  *kind,
              gint64             id,
              GError           **error)
{
  const char *column = kind->entity == SD_ENTITY_CONTACT ? "contact_id"
                       : kind->entity == SD_ENTITY_COMPANY ? "company_id" : NULL;

  /* The portal unlinks deals from a deleted client; so does this side. */
  if (column != NULL)
    {
      g_autoptr(GArray) deals = sd_store_list_referencing (run->store, SD_ENTITY_DEAL, column, id,
                                                           error);
      if (deals == NULL)
        return FALSE;
      for (guint i = 0; i < deals->len; i++)
        {
          g_autoptr(SdChanges) changes = sd_changes_new ();

          sd_changes_set_null (changes, column);
          if (!sd_store_update (run->store, SD_ENTITY_DEAL, g_array_index (deals, gint64, i), changes,
                                error))
            return FALSE;
        }
    }
  if (!sd_store_delete (run->store, kind->entity, id, error))
    return FALSE;
  run->report.deleted++;
  return TRUE;
}

/* Fetches rows by server id, 50 a command: the rows the check found different. */
static gboolean
refetch (Run               *run,
         const SdSyncKind  *kind,
         GArray            *ids,
         GError           **error)
{
  g_autofree char *method = g_strconcat (kind->methods, ".list", NULL);
  guint i = 0;

  while (i < ids->len)
    {
      g_autoptr(SdB24Batch) batch = sd_b24_batch_new ();
      g_autoptr(JsonObject) answer = NULL;
      guint n_commands = 0;

      for (; i < ids->len && n_commands < SD_B24_BATCH_MAX; n_commands++)
        {
          g_autoptr(JsonObject) params = json_object_new ();
          JsonObject *filter = json_object_new ();
          JsonArray *wanted = json_array_new ();
          g_autofree char *key = g_strdup_printf ("r%u", n_commands);

          for (guint n = 0; n < PAGE && i < ids->len; n++, i++)
            json_array_add_int_element (wanted, g_array_index (ids, gint64, i));
          json_object_set_array_member (filter, "@ID", wanted);
          json_object_set_object_member (params, "filter", filter);
          json_object_set_array_member (params, "select", string_array (kind_select (run, kind)));
          json_object_set_int_member (params, "start", -1);
          sd_b24_batch_add (batch, key, method, params);
        }
      if ((answer = sd_b24_client_batch (run->engine->client, batch, SD_B24_CALL_READ,
                                         run->cancellable, error)) == NULL
          || !sd_store_begin_bulk (run->store, error))
        return FALSE;
      for (guint c = 0; c < n_commands; c++)
        {
          g_autofree char *key = g_strdup_printf ("r%u", c);
          JsonArray *rows = result_array (answer, key, NULL, error);

          if (rows == NULL)
            goto failed;
          for (guint r = 0; r < json_array_get_length (rows); r++)
            {
              JsonObject *row = json_array_get_object_element (rows, r);

              if (row != NULL && !apply_row (run, kind, row, NULL, error))
                goto failed;
            }
        }
      if (!run_commit (run, error))
        return FALSE;
      continue;

failed:
      sd_store_rollback (run->store);
      return FALSE;
    }
  return TRUE;
}

/* Both sides by ID and modification time (2 500 a request): rows gone from the portal go
 * here too, rows that differ are fetched again. */
static gboolean
check_kind (Run               *run,
            const SdSyncKind  *kind,
            GError           **error)
{
  static const char *const select[] = { "ID", "DATE_MODIFY", NULL };
  g_autoptr(GHashTable) remote = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  g_autoptr(GArray) local = NULL;
  g_autoptr(GArray) differ = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *method = g_strconcat (kind->methods, ".list", NULL);
  g_autofree char *status = g_strdup_printf (_("%s: checking"), kind_title (kind));
  GHashTableIter iter;
  gpointer key, value;

  run_progress (run, status);
  run->report.checked = TRUE;
  if (!keyset_export (run, method, NULL, select, SD_B24_BATCH_MAX, -1, FALSE, check_page, remote, error)
      || (local = sd_store_list_b24_ids (run->store, kind->entity, error)) == NULL)
    return FALSE;

  if (!sd_store_begin_bulk (run->store, error))
    return FALSE;
  for (guint i = 0; i < local->len; i++)
    {
      gint64 b24_id = g_array_index (local, gint64, i);

      if (!g_hash_table_contains (remote, &b24_id)
          && !delete_local (run, kind, sd_store_find_b24 (run->store, kind->entity, b24_id), error))
        {
          sd_store_rollback (run->store);
          return FALSE;
        }
    }
  if (!run_commit (run, error))
    return FALSE;

  /* One read transaction for the look-ups rather than one each. */
  if (!sd_store_begin (run->store, error))
    return FALSE;
  g_hash_table_iter_init (&iter, remote);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      gint64 id = sd_store_find_b24 (run->store, kind->entity, *(gint64 *) key);
      g_autofree char *known = id != 0 ? sd_store_get_remote_modified (run->store, kind->entity, id) : NULL;

      if (known == NULL || g_strcmp0 (known, value) != 0)
        g_array_append_val (differ, *(gint64 *) key);
    }
  if (!sd_store_commit (run->store, error))
    return FALSE;
  g_array_sort (differ, sd_sync_compare_ids);
  return differ->len == 0 || refetch (run, kind, differ, error);
}

/* --- Deletions from the offline event queue (OAuth) --------------------------------- */

static const struct
{
  const char *event;
  SdEntity    entity;
} delete_events[] = {
  { "ONCRMDEALDELETE", SD_ENTITY_DEAL },
  { "ONCRMCONTACTDELETE", SD_ENTITY_CONTACT },
  { "ONCRMCOMPANYDELETE", SD_ENTITY_COMPANY },
};

/* An application keeps the portal's deletions in its offline queue (reference §7.13), so
 * they arrive with the next sync instead of the next full comparison. A repeated binding
 * is refused by the portal, which is fine. */
static gboolean
bind_delete_events (Run     *run,
                    GError **error)
{
  g_autofree char *bound = sd_store_get_meta (run->store, "sync.offline_events");
  g_autoptr(SdB24Batch) batch = NULL;
  g_autoptr(JsonObject) answer = NULL;

  if (g_strcmp0 (bound, sd_b24_client_get_portal (run->engine->client)) == 0)
    return TRUE;
  batch = sd_b24_batch_new ();
  for (guint i = 0; i < G_N_ELEMENTS (delete_events); i++)
    {
      g_autoptr(JsonObject) params = json_object_new ();
      g_autofree char *key = g_strdup_printf ("e%u", i);

      json_object_set_string_member (params, "event", delete_events[i].event);
      json_object_set_string_member (params, "event_type", "offline");
      sd_b24_batch_add (batch, key, "event.bind", params);
    }
  if ((answer = sd_b24_client_batch (run->engine->client, batch, SD_B24_CALL_READ,
                                     run->cancellable, error)) == NULL)
    return FALSE;
  return sd_store_set_meta (run->store, "sync.offline_events",
                            sd_b24_client_get_portal (run->engine->client), error);
}

static const SdSyncKind *
kind_of_event (const char *event)
{
  for (guint i = 0; i < G_N_ELEMENTS (delete_events); i++)
    if (g_strcmp0 (event, delete_events[i].event) == 0)
      return sd_sync_kind_for (delete_events[i].entity);
  return NULL;
}

/* Takes the queued events, applies the deletions, and only then tells the portal they
 * are done: a sync stopped in between leaves them for the full comparison. */
static gboolean
drain_delete_events (Run     *run,
                     GError **error)
{
  for (;;)
    {
      g_autoptr(JsonObject) params = json_object_new ();
      g_autoptr(JsonObject) answer = NULL;
      g_autoptr(JsonObject) cleared = NULL;
      g_autofree char *process = NULL;
      JsonNode *result;
      JsonArray *events;

      json_object_set_int_member (params, "clear", 0);
      json_object_set_int_member (params, "limit", 1000);
      if ((answer = sd_b24_client_call (run->engine->client, "event.offline.get", params,
                                        SD_B24_CALL_READ, run->cancellable, error)) == NULL)
        return FALSE;
      result = json_object_get_member (answer, "result");
      if (!JSON_NODE_HOLDS_OBJECT (result)
          || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (json_node_get_object (result), "events")))
        {
          g_set_error (error, SD_B24_ERROR, SD_B24_ERROR_MALFORMED,
                       _("The portal sent a list that is not a list"));
          return FALSE;
        }
      events = json_object_get_array_member (json_node_get_object (result), "events");
      if (json_array_get_length (events) == 0)
        return TRUE;
      process = sd_sync_dup_string (json_node_get_object (result), "process_id");

      if (!sd_store_begin_bulk (run->store, error))
        return FALSE;
      for (guint i = 0; i < json_array_get_length (events); i++)
        {
          JsonObject *event = json_array_get_object_element (events, i);
          g_autofree char *name = event != NULL ? sd_sync_dup_string (event, "EVENT_NAME") : NULL;
          const SdSyncKind *kind = kind_of_event (name);
          JsonNode *data = event != NULL ? json_object_get_member (event, "EVENT_DATA") : NULL;
          JsonNode *fields = data != NULL && JSON_NODE_HOLDS_OBJECT (data)
                             ? json_object_get_member (json_node_get_object (data), "FIELDS") : NULL;
          gint64 local;

          if (kind == NULL || fields == NULL || !JSON_NODE_HOLDS_OBJECT (fields))
            continue;
          local = sd_store_find_b24 (run->store, kind->entity,
                                     sd_sync_get_id (json_node_get_object (fields), "ID"));
          if (local != 0 && !delete_local (run, kind, local, error))
            {
              sd_store_rollback (run->store);
              return FALSE;
            }
        }
      if (!run_commit (run, error))
        return FALSE;
      if (process != NULL)
        {
          g_autoptr(JsonObject) clear = json_object_new ();

          json_object_set_string_member (clear, "process_id", process);
          if ((cleared = sd_b24_client_call (run->engine->client, "event.offline.clear", clear,
                                             SD_B24_CALL_READ, run->cancellable, error)) == NULL)
            return FALSE;
        }
    }
}

/* --- The whole sync ----------------------------------------------------------------- */

static gboolean
run_sync (Run     *run,
          GError **error)
{
  g_autofree char *install = NULL;
  g_autofree char *first = NULL;
  g_autofree char *checked = NULL;
  gint64 now;
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
  if (!pull_reference (run, first == NULL, error))
    return FALSE;
  for (guint i = 0; i < n_kinds; i++)
    {
      if (!pull_kind (run, &kinds[i], error))
        return FALSE;
      if (kinds[i].entity == SD_ENTITY_COMPANY && !pull_requisites (run, error))
        return FALSE;
    }
  g_debug ("pulled: %u requests so far", (guint) sd_b24_client_get_n_requests (run->engine->client) - run->start_requests);
  if (sd_b24_client_is_oauth (run->engine->client)
      && (!bind_delete_events (run, error) || !drain_delete_events (run, error)))
    return FALSE;
  if (!push_outbox (run, error))
    return FALSE;
  g_debug ("pushed: %u requests so far", (guint) sd_b24_client_get_n_requests (run->engine->client) - run->start_requests);
  /* What was just sent has a new modification time there: learn it, cheaply. */
  for (guint i = 0; run->report.pushed > 0 && i < n_kinds; i++)
    if (!pull_kind (run, &kinds[i], error))
      return FALSE;

  checked = sd_store_get_meta (run->store, "sync.checked");
  now = g_get_real_time () / G_USEC_PER_SEC;
  /* A first sync has just read everything; later ones compare both sides in full when
   * the interval has passed. */
  if (first != NULL
      && (checked == NULL || now - g_ascii_strtoll (checked, NULL, 10) >= run->engine->check_interval))
    for (guint i = 0; i < n_kinds; i++)
      if (!check_kind (run, &kinds[i], error))
        return FALSE;
  g_free (checked);
  checked = g_strdup_printf ("%" G_GINT64_FORMAT, now);
  if (first == NULL || run->report.checked)
    {
      if (!sd_store_set_meta (run->store, "sync.checked", checked, error))
        return FALSE;
    }

  run->report.conflicts = sd_store_count_conflicts (run->store);
  run->report.waiting = sd_store_count_outbox (run->store, sd_sync_pushed_entities ());
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
  Run run = { 0 };
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
  run.cancellable = cancellable;
  run.started_us = g_get_monotonic_time ();
  run.start_requests = sd_b24_client_get_n_requests (self->client);
  for (guint i = 0; i < SD_N_ENTITIES; i++)
    run.expected[i] = -1;
  run.held = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  run.looked_up = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  set_state (self, SD_SYNC_STATE_SYNCING);

  ok = run_sync (&run, &local_error);
  run.report.requests = sd_b24_client_get_n_requests (self->client) - run.start_requests;

  g_mutex_lock (&self->lock);
  self->running = FALSE;
  if (run.store != NULL)
    self->waiting = sd_store_count_outbox (run.store, sd_sync_pushed_entities ());
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
sd_sync_engine_sync_async (SdSyncEngine       *self,
                           GCancellable       *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer            user_data)
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
