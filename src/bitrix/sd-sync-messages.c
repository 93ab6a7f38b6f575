/* sd-sync-messages.c: the automation outbox (automation_outbox, docs/PLAYBOOKS.md) handed
 * to the portal, oldest first, sent_at set only once the portal confirmed a message.
 *
 * What the REST reference offers decides the way (docs/ARCHITECTURE.md, "Messages"):
 * - staff (a user_id): the portal's notification, im.notify.system.add with USER_ID the
 *   portal user; an e-mail or SMS to staff is the same notification with MESSAGE_OUT, the
 *   text the portal mails to the user by their notification settings (the reference has
 *   no method that sends an e-mail or SMS). TAG carries the message's client key: a second
 *   delivery after a lost answer replaces the first instead of adding one (§7.11; with a
 *   webhook CLIENT_ID goes along, as the reference asks).
 * - a client (e-mail, SMS, messenger): the reference documents no method that writes to a
 *   client, so the message is recorded as a timeline comment of the deal (of the contact
 *   when there is no deal) saying what went where; the same line is kept on this side's
 *   timeline with the comment's id. A message sent whose answer was lost is looked for
 *   among its owner's comments (same text) before it is sent again.
 * - the company feed: no method in the reference; such messages stay waiting.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-sync"

#include "sd-sync-run.h"

#include "sd-automation-db.h"

#include <glib/gi18n-lib.h>
#include <string.h>

typedef enum
{
  WAY_NONE,
  WAY_NOTIFY,
  WAY_COMMENT,
} Way;

typedef struct
{
  SdOutboxMessage *message;
  Way              way;
  char            *key;
  char            *text;          /* the comment's text */
  const char      *owner_type;    /* "deal" or "contact" */
  gint64           owner_b24;
} Outgoing;

static void
outgoing_free (Outgoing *out)
{
  g_free (out->key);
  g_free (out->text);
  g_free (out);
}

static char *
attempt_key (SdOutboxMessage *message)
{
  return g_strdup_printf ("sync.message.%" G_GINT64_FORMAT, message->id);
}

static gboolean
to_client (SdOutboxMessage *message)
{
  return message->contact_id != 0
         || (message->user_id == 0 && g_strcmp0 (message->channel, "im") != 0);
}

static char *
comment_text (SdOutboxMessage *message)
{
  const char *address = message->address != NULL ? message->address : "";
  g_autofree char *head = NULL;

  if (g_strcmp0 (message->channel, "email") == 0)
    head = message->subject != NULL
           ? g_strdup_printf (_("E-mail to the client (%s): %s"), address, message->subject)
           : g_strdup_printf (_("E-mail to the client (%s)"), address);
  else if (g_strcmp0 (message->channel, "sms") == 0)
    head = g_strdup_printf (_("SMS to the client (%s)"), address);
  else
    head = g_strdup_printf (_("Message to the client (%s)"), address);
  return g_strdup_printf ("%s\n\n%s", head, message->body);
}

/* How @message goes out, filling @out; WAY_NONE when it cannot (yet). */
static Way
plan (SdSyncRun       *run,
      SdOutboxMessage *message,
      Outgoing        *out)
{
  if (g_strcmp0 (message->channel, "feed") == 0)
    return WAY_NONE;
  if (!to_client (message))
    {
      out->owner_b24 = sd_sync_b24_of (run, SD_ENTITY_USER, message->user_id);
      return out->owner_b24 > 0 ? WAY_NOTIFY : WAY_NONE;
    }
  out->owner_type = "deal";
  out->owner_b24 = sd_sync_b24_of (run, SD_ENTITY_DEAL, message->deal_id);
  if (message->deal_id == 0)
    {
      out->owner_type = "contact";
      out->owner_b24 = sd_sync_b24_of (run, SD_ENTITY_CONTACT, message->contact_id);
    }
  out->text = comment_text (message);
  return out->owner_b24 > 0 ? WAY_COMMENT : WAY_NONE;
}

/* Marks @out sent; a comment is also kept on this side's timeline. */
static gboolean
delivered (SdSyncRun  *run,
           Outgoing   *out,
           gint64      b24_id,
           GError    **error)
{
  g_autofree char *attempt = attempt_key (out->message);

  if (out->way == WAY_COMMENT && out->message->deal_id != 0
      && sd_store_find_b24 (run->store, SD_ENTITY_TIMELINE, b24_id) == 0)
    {
      g_autoptr(SdChanges) changes = sd_changes_new ();
      gint64 id;

      sd_changes_set_int (changes, "deal_id", out->message->deal_id);
      sd_changes_set_text (changes, "kind", g_strcmp0 (out->message->channel, "email") == 0 ? "email" : "message");
      sd_changes_set_text (changes, "text", out->text);
      if ((id = sd_store_insert (run->store, SD_ENTITY_TIMELINE, changes, error)) == 0
          || !sd_store_set_b24_state (run->store, SD_ENTITY_TIMELINE, id, b24_id, NULL, error))
        return FALSE;
    }
  if (!sd_automation_db_mark_outbox_sent (run->store, out->message->id, error)
      || !sd_store_set_meta (run->store, attempt, NULL, error))
    return FALSE;
  run->report.messages++;
  return TRUE;
}

/* Comments sent before with no answer: found among their owner's comments, they are
 * done; @resend gets those that are not. */
static gboolean
recover (SdSyncRun  *run,
         GPtrArray  *attempted,
         GError    **error)
{
  g_autoptr(SdB24Batch) batch = sd_b24_batch_new ();
  g_autoptr(JsonObject) answer = NULL;

  if (attempted->len == 0)
    return TRUE;
  for (guint i = 0; i < attempted->len; i++)
    {
      Outgoing *out = attempted->pdata[i];
      g_autoptr(JsonObject) params = json_object_new ();
      JsonObject *filter = json_object_new ();
      JsonObject *order = json_object_new ();
      static const char *const select[] = { "ID", "COMMENT", NULL };
      g_autofree char *key = g_strdup_printf ("r%u", i);

      json_object_set_int_member (filter, "ENTITY_ID", out->owner_b24);
      json_object_set_string_member (filter, "ENTITY_TYPE", out->owner_type);
      /* The newest first: ours is recent. */
      json_object_set_string_member (order, "ID", "DESC");
      json_object_set_object_member (params, "filter", filter);
      json_object_set_object_member (params, "order", order);
      json_object_set_array_member (params, "select", sd_sync_string_array (select));
      sd_b24_batch_add (batch, key, "crm.timeline.comment.list", params);
    }
  if ((answer = sd_b24_client_batch (run->client, batch, SD_B24_CALL_READ, run->cancellable, error)) == NULL
      || !sd_store_begin (run->store, error))
    return FALSE;
  for (guint i = 0; i < attempted->len; i++)
    {
      Outgoing *out = attempted->pdata[i];
      g_autofree char *key = g_strdup_printf ("r%u", i);
      JsonNode *result = sd_b24_batch_get_result (answer, key, NULL, NULL);
      JsonArray *rows = result != NULL && JSON_NODE_HOLDS_ARRAY (result) ? json_node_get_array (result) : NULL;

      for (guint r = 0; rows != NULL && r < json_array_get_length (rows); r++)
        {
          JsonObject *row = json_array_get_object_element (rows, r);
          g_autofree char *text = row != NULL ? sd_sync_dup_string (row, "COMMENT") : NULL;

          if (g_strcmp0 (text, out->text) == 0)
            {
              if (!delivered (run, out, sd_sync_get_id (row, "ID"), error))
                {
                  sd_store_rollback (run->store);
                  return FALSE;
                }
              out->way = WAY_NONE;
              break;
            }
        }
    }
  return sd_sync_run_commit (run, error);
}

gboolean
sd_sync_send_messages (SdSyncRun  *run,
                       GError    **error)
{
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GPtrArray) outgoing = g_ptr_array_new_with_free_func ((GDestroyNotify) outgoing_free);
  g_autoptr(GPtrArray) attempted = g_ptr_array_new ();
  guint next = 0;

  if ((messages = sd_automation_db_pending_outbox (run->store, 1000, error)) == NULL)
    return FALSE;
  if (messages->len == 0)
    return TRUE;
  sd_sync_run_progress (run, _("Sending messages"));
  for (guint i = 0; i < messages->len; i++)
    {
      Outgoing *out = g_new0 (Outgoing, 1);
      g_autofree char *attempt = NULL;
      g_autofree char *tried = NULL;

      out->message = messages->pdata[i];
      out->way = plan (run, out->message, out);
      g_ptr_array_add (outgoing, out);
      if (out->way != WAY_COMMENT)
        continue;
      attempt = attempt_key (out->message);
      tried = sd_store_get_meta (run->store, attempt);
      if (tried != NULL)
        g_ptr_array_add (attempted, out);
    }
  if (!recover (run, attempted, error))
    return FALSE;

  while (next < outgoing->len)
    {
      g_autoptr(SdB24Batch) batch = sd_b24_batch_new ();
      g_autoptr(GPtrArray) sent = g_ptr_array_new ();
      g_autoptr(JsonObject) answer = NULL;
      g_autoptr(GError) send_error = NULL;

      if (sd_sync_run_cancelled (run, error) || !sd_store_begin (run->store, error))
        return FALSE;
      for (; next < outgoing->len && sent->len < SD_B24_BATCH_MAX; next++)
        {
          Outgoing *out = outgoing->pdata[next];
          g_autoptr(JsonObject) params = json_object_new ();
          g_autofree char *attempt = attempt_key (out->message);

          if (out->way == WAY_NONE)
            continue;
          out->key = g_strdup_printf ("s%u", sent->len);
          if (out->way == WAY_NOTIFY)
            {
              g_autofree char *tag = g_strdup_printf ("%smessage:%" G_GINT64_FORMAT, run->key_prefix,
                                                      out->message->id);
              g_autofree char *text = out->message->subject != NULL
                                      ? g_strdup_printf ("%s\n%s", out->message->subject, out->message->body)
                                      : g_strdup (out->message->body);

              json_object_set_int_member (params, "USER_ID", out->owner_b24);
              json_object_set_string_member (params, "MESSAGE", text);
              if (g_strcmp0 (out->message->channel, "im") != 0)
                json_object_set_string_member (params, "MESSAGE_OUT", text);
              json_object_set_string_member (params, "TAG", tag);
              /* Through a webhook the portal wants CLIENT_ID with TAG (§7.11). */
              if (!sd_b24_client_is_oauth (run->client))
                json_object_set_string_member (params, "CLIENT_ID", "sdelka");
              sd_b24_batch_add (batch, out->key, "im.notify.system.add", params);
            }
          else
            {
              JsonObject *fields = json_object_new ();

              json_object_set_int_member (fields, "ENTITY_ID", out->owner_b24);
              json_object_set_string_member (fields, "ENTITY_TYPE", out->owner_type);
              json_object_set_string_member (fields, "COMMENT", out->text);
              json_object_set_object_member (params, "fields", fields);
              sd_b24_batch_add (batch, out->key, "crm.timeline.comment.add", params);
              /* Remembered before sending: a lost answer is looked for, not resent. */
              if (!sd_store_set_meta (run->store, attempt, "1", error))
                {
                  sd_store_rollback (run->store);
                  return FALSE;
                }
            }
          g_ptr_array_add (sent, out);
        }
      if (!sd_store_commit (run->store, error))
        return FALSE;
      if (sent->len == 0)
        break;
      answer = sd_b24_client_batch (run->client, batch, SD_B24_CALL_WRITE, run->cancellable, &send_error);
      if (answer == NULL)
        {
          if (!sd_b24_error_is_transient (send_error, TRUE))
            {
              g_propagate_error (error, g_steal_pointer (&send_error));
              return FALSE;
            }
          g_debug ("message batch failed, kept for the next sync: %s", send_error->message);
          return TRUE;
        }
      if (!sd_store_begin (run->store, error))
        return FALSE;
      for (guint i = 0; i < sent->len; i++)
        {
          Outgoing *out = sent->pdata[i];
          g_autoptr(GError) command_error = NULL;
          gint64 id = sd_sync_node_id (sd_b24_batch_get_result (answer, out->key, NULL, &command_error));

          if (id <= 0)
            {
              g_debug ("message %" G_GINT64_FORMAT " refused: %s", out->message->id,
                       command_error != NULL ? command_error->message : "no id");
              continue;
            }
          if (!delivered (run, out, id, error))
            {
              sd_store_rollback (run->store);
              return FALSE;
            }
        }
      if (!sd_sync_run_commit (run, error))
        return FALSE;
    }
  return TRUE;
}
