/* sd-sync-events.c: deletions from the portal's offline event queue (OAuth).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-sync"

#include "sd-sync-run.h"

#include <glib/gi18n-lib.h>
#include <string.h>

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
gboolean
sd_sync_bind_delete_events (SdSyncRun  *run,
                            GError    **error)
{
  g_autofree char *bound = sd_store_get_meta (run->store, "sync.offline_events");
  g_autoptr(SdB24Batch) batch = NULL;
  g_autoptr(JsonObject) answer = NULL;

  if (g_strcmp0 (bound, sd_b24_client_get_portal (run->client)) == 0)
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
  if ((answer = sd_b24_client_batch (run->client, batch, SD_B24_CALL_READ,
                                     run->cancellable, error)) == NULL)
    return FALSE;
  return sd_store_set_meta (run->store, "sync.offline_events",
                            sd_b24_client_get_portal (run->client), error);
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
gboolean
sd_sync_drain_delete_events (SdSyncRun  *run,
                             GError    **error)
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
      if ((answer = sd_b24_client_call (run->client, "event.offline.get", params,
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
          if (local != 0 && !sd_sync_delete_local (run, kind, local, error))
            {
              sd_store_rollback (run->store);
              return FALSE;
            }
        }
      if (!sd_sync_run_commit (run, error))
        return FALSE;
      if (process != NULL)
        {
          g_autoptr(JsonObject) clear = json_object_new ();

          json_object_set_string_member (clear, "process_id", process);
          if ((cleared = sd_b24_client_call (run->client, "event.offline.clear", clear,
                                             SD_B24_CALL_READ, run->cancellable, error)) == NULL)
            return FALSE;
        }
    }
}
