/* b24-control.c: the control door under /_emulator/ (not part of Bitrix24).
 *
 * Every endpoint takes JSON or form parameters and answers JSON; see the README for the list.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "b24-control.h"
#include "b24-envelope.h"
#include "b24-events.h"
#include "b24-faults.h"
#include "b24-limits.h"
#include "b24-params.h"
#include "b24-server.h"
#include "b24-time.h"

#include <string.h>

static gint64
param_int (JsonObject *params,
           const char *key,
           gint64      fallback)
{
  gint64 value;

  return b24_node_get_int (json_object_get_member (params, key), &value) ? value : fallback;
}

static double
param_double (JsonObject *params,
              const char *key,
              double      fallback)
{
  double value;

  return b24_node_get_double (json_object_get_member (params, key), &value) ? value : fallback;
}

static void
respond_object (SoupServerMessage *msg,
                guint              status,
                JsonObject        *object)
{
  g_autoptr(JsonNode) node = b24_node_take_object (object);

  b24_server_respond_json (msg, status, node);
}

static void
respond_error (SoupServerMessage *msg,
               const char        *text)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "error", text);
  respond_object (msg, 400, object);
}

static void
control_dump (B24Emu            *emu,
              SoupServerMessage *msg)
{
  gsize length;
  char *text = b24_dump (emu, &length);

  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json; charset=utf-8", SOUP_MEMORY_TAKE, text, length);
}

static void
control_seed (B24Emu            *emu,
              SoupServerMessage *msg,
              JsonObject        *params)
{
  JsonObject *answer = json_object_new ();

  b24_seed (emu, param_int (params, "deals", 0), param_int (params, "contacts", 0),
            param_int (params, "companies", 0), param_int (params, "seed", emu->config.seed));
  json_object_set_boolean_member (answer, "ok", TRUE);
  respond_object (msg, 200, answer);
}

/* Runs one REST method as another portal user: no limits, no faults, every scope. */
static void
control_act (B24Emu            *emu,
             SoupServerMessage *msg,
             JsonObject        *params)
{
  const char *method_name = json_object_get_string_member_with_default (params, "method", "");
  JsonObject *method_params = b24_params_get_object (params, "params", FALSE);
  g_autoptr(JsonObject) empty = json_object_new ();
  B24Call call = {
    .emu = emu,
    .user_id = param_int (params, "user_id", 1),
    .is_app = TRUE,
    .credential = "control",
    .auth_connector = json_object_get_string_member_with_default (params, "auth_connector", NULL),
    .params = method_params != NULL ? method_params : empty,
  };
  B24Reply reply;
  g_autoptr(JsonNode) body = NULL;
  double start = b24_time_now ();

  call.method = b24_emu_find_method (emu, method_name);
  if (call.method == NULL)
    {
      respond_error (msg, "unknown method");
      return;
    }
  b24_reply_init (&reply);
  call.method->func (&call, &reply);
  body = b24_envelope_build (&reply, b24_envelope_time (emu, start, b24_time_now (), 0, (gint64) start + 600));
  b24_server_respond_json (msg, reply.status != 0 ? reply.status : 200, body);
  b24_reply_clear (&reply);
}

static void
control_faults (B24Emu            *emu,
                SoupServerMessage *msg,
                JsonObject        *params)
{
  GList *members = json_object_get_members (params);

  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;

      if (strcmp (name, "slow_ms") == 0)
        b24_faults_set_slow_ms (emu->faults, param_int (params, name, 2000));
      else if (strcmp (name, "seed") == 0)
        b24_faults_reseed (emu->faults, param_int (params, name, 0));
      else if (!b24_faults_set_rate (emu->faults, name, param_double (params, name, -1)))
        {
          g_autofree char *text = g_strdup_printf ("unknown fault or rate outside 0…1: %s", name);

          g_list_free (members);
          respond_error (msg, text);
          return;
        }
    }
  g_list_free (members);
  respond_object (msg, 200, b24_faults_to_json (emu->faults));
}

static void
control_limits (B24Emu            *emu,
                SoupServerMessage *msg,
                JsonObject        *params)
{
  JsonObject *current = b24_limits_to_json (emu->limits);

  b24_limits_configure (emu->limits, param_double (params, "rate", json_object_get_double_member (current, "rate")),
                        param_double (params, "burst", json_object_get_double_member (current, "burst")),
                        param_double (params, "operating_limit",
                                      json_object_get_double_member (current, "operating_limit")),
                        param_double (params, "operating_cost",
                                      json_object_get_double_member (current, "operating_cost")));
  json_object_unref (current);
  respond_object (msg, 200, b24_limits_to_json (emu->limits));
}

static void
control_webhook (B24Emu            *emu,
                 SoupServerMessage *msg,
                 JsonObject        *params)
{
  const char *secret = json_object_get_string_member_with_default (params, "secret", NULL);
  const char *scopes = json_object_get_string_member_with_default (params, "scopes", NULL);
  g_autofree char *spec = NULL;
  g_autofree char *url = NULL;
  JsonObject *answer;
  gint64 user = param_int (params, "user_id", 1);

  if (secret == NULL || strchr (secret, ':') != NULL || strchr (secret, '/') != NULL)
    {
      respond_error (msg, "secret missing or invalid");
      return;
    }
  spec = scopes != NULL ? g_strdup_printf ("%" G_GINT64_FORMAT ":%s:%s", user, secret, scopes)
                        : g_strdup_printf ("%" G_GINT64_FORMAT ":%s", user, secret);
  b24_emu_add_webhook (emu, spec);
  url = g_strdup_printf ("%s/rest/%" G_GINT64_FORMAT "/%s/", emu->base_url, user, secret);
  answer = json_object_new ();
  json_object_set_string_member (answer, "url", url);
  respond_object (msg, 200, answer);
}

static void
control_token (B24Emu            *emu,
               SoupServerMessage *msg,
               JsonObject        *params)
{
  B24Token *token = b24_emu_issue_token (emu, param_int (params, "user_id", 1),
                                         param_int (params, "expires_in", 3600));
  JsonObject *answer = json_object_new ();

  json_object_set_string_member (answer, "access_token", token->access_token);
  json_object_set_string_member (answer, "refresh_token", token->refresh_token);
  json_object_set_int_member (answer, "expires", token->expires);
  json_object_set_string_member (answer, "client_id", emu->client_id);
  json_object_set_string_member (answer, "client_secret", emu->client_secret);
  json_object_set_string_member (answer, "application_token", emu->application_token);
  respond_object (msg, 200, answer);
}

/* Every access token issued so far is past its hour, as after a night with the laptop
 * closed: the next call with one gets 401 expired_token. */
static void
control_expire_tokens (B24Emu            *emu,
                       SoupServerMessage *msg)
{
  JsonObject *answer = json_object_new ();
  GHashTableIter iter;
  gpointer value;
  gint64 now = (gint64) b24_time_now ();
  guint expired = 0;

  g_hash_table_iter_init (&iter, emu->tokens);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      B24Token *token = value;

      if (token->expires > now - 1)
        token->expires = now - 1;
      expired++;
    }
  json_object_set_int_member (answer, "expired", expired);
  respond_object (msg, 200, answer);
}

static void
control_stats (B24Emu            *emu,
               SoupServerMessage *msg)
{
  JsonObject *answer = json_object_new ();

  json_object_set_int_member (answer, "requests", emu->requests);
  json_object_set_int_member (answer, "events_pending", b24_events_pending (emu->events));
  json_object_set_int_member (answer, "events_delivered", b24_events_delivered (emu->events));
  json_object_set_object_member (answer, "limits", b24_limits_to_json (emu->limits));
  json_object_set_object_member (answer, "faults", b24_faults_to_json (emu->faults));
  respond_object (msg, 200, answer);
}

void
b24_control_handle (B24Emu            *emu,
                    SoupServerMessage *msg,
                    const char        *action,
                    JsonObject        *params)
{
  if (strcmp (action, "dump") == 0)
    control_dump (emu, msg);
  else if (strcmp (action, "seed") == 0)
    control_seed (emu, msg, params);
  else if (strcmp (action, "act") == 0)
    control_act (emu, msg, params);
  else if (strcmp (action, "faults") == 0)
    control_faults (emu, msg, params);
  else if (strcmp (action, "limits") == 0)
    control_limits (emu, msg, params);
  else if (strcmp (action, "webhook") == 0)
    control_webhook (emu, msg, params);
  else if (strcmp (action, "token") == 0)
    control_token (emu, msg, params);
  else if (strcmp (action, "expire_tokens") == 0)
    control_expire_tokens (emu, msg);
  else if (g_str_has_prefix (action, "client/"))
    b24_client_handle (emu, msg, action + strlen ("client/"), params);
  else if (strcmp (action, "stats") == 0)
    control_stats (emu, msg);
  else
    {
      JsonObject *answer = json_object_new ();

      json_object_set_string_member (answer, "error", "unknown control endpoint");
      respond_object (msg, 404, answer);
    }
}
