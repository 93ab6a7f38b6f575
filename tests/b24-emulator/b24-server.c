/* b24-server.c: HTTP transport, authentication and method dispatch.
 *
 * Routes: /rest/<user>/<secret>/<method>[.json] (inbound webhook), /rest/<method>[.json] with
 * auth=<token> (OAuth), /oauth/authorize/ and /oauth/token/ (an application's authorization
 * and its tokens), /_emulator/… (control door).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "b24-server.h"
#include "b24-listen.h"
#include "b24-control.h"
#include "b24-db.h"
#include "b24-disk.h"
#include "b24-envelope.h"
#include "b24-events.h"
#include "b24-faults.h"
#include "b24-filter.h"
#include "b24-limits.h"
#include "b24-params.h"
#include "b24-time.h"

#include <stdio.h>
#include <string.h>

#define TOKEN_LIFETIME 3600
#define REFRESH_LIFETIME (180 * 24 * 3600)
/* An authorization code is exchanged within 30 s or never (reference §1.2). */
#define CODE_LIFETIME 30

static void
webhook_free (gpointer data)
{
  B24Webhook *hook = data;

  g_free (hook->secret);
  g_strfreev (hook->scopes);
  g_free (hook);
}

static void
token_free (gpointer data)
{
  B24Token *token = data;

  g_free (token->access_token);
  g_free (token->refresh_token);
  g_free (token);
}

static char *
random_token (void)
{
  g_autofree char *uuid = g_uuid_string_random ();
  GString *token = g_string_new (NULL);

  for (const char *p = uuid; *p != '\0'; p++)
    if (*p != '-')
      g_string_append_c (token, *p);
  return g_string_free (token, FALSE);
}

B24Emu *
b24_emu_new (const B24Config *config,
             GError         **error)
{
  g_autoptr(B24Emu) emu = g_new0 (B24Emu, 1);

  emu->config = *config;
  emu->config.db_path = g_strdup (config->db_path);
  emu->tz = g_time_zone_new_offset (config->tz_offset);
  emu->methods = g_hash_table_new (g_str_hash, g_str_equal);
  emu->webhooks = g_ptr_array_new_with_free_func (webhook_free);
  emu->tokens = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, token_free);
  emu->refresh = g_hash_table_new (g_str_hash, g_str_equal);
  emu->codes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  emu->client_id = g_strdup ("local.emulator00000001.00000001");
  emu->client_secret = g_strdup ("emulator-client-secret");
  emu->member_id = g_strdup ("a223c6b3710f85df22e9377d6c4f7553");
  emu->application_token = g_strdup ("51856fefc120afa4b628cc82d3935cce");
  if (!b24_db_open (emu, error))
    return NULL;
  b24_filter_register_functions (emu->db);
  emu->limits = b24_limits_new (config);
  emu->faults = b24_faults_new (config->seed);
  emu->events = b24_events_new (emu);

  b24_crm_deal_register (emu);
  b24_crm_contact_register (emu);
  b24_crm_company_register (emu);
  b24_crm_lead_register (emu);
  b24_crm_requisite_register (emu);
  b24_crm_status_register (emu);
  b24_crm_timeline_register (emu);
  b24_crm_userfield_register (emu);
  b24_user_register (emu);
  b24_batch_register (emu);
  b24_tasks_register (emu);
  b24_disk_register (emu);
  b24_im_register (emu);
  b24_events_register (emu);

  if (config->seed_deals > 0 || config->seed_contacts > 0 || config->seed_companies > 0)
    b24_seed (emu, config->seed_deals, config->seed_contacts, config->seed_companies,
              config->seed);
  return g_steal_pointer (&emu);
}

void
b24_emu_free (B24Emu *emu)
{
  if (emu == NULL)
    return;
  if (emu->server != NULL)
    soup_server_disconnect (emu->server);
  g_clear_object (&emu->server);
  g_clear_pointer (&emu->events, b24_events_free);
  g_clear_pointer (&emu->faults, b24_faults_free);
  g_clear_pointer (&emu->limits, b24_limits_free);
  b24_db_close (emu);
  g_clear_pointer (&emu->methods, g_hash_table_unref);
  g_clear_pointer (&emu->webhooks, g_ptr_array_unref);
  g_clear_pointer (&emu->refresh, g_hash_table_unref);
  g_clear_pointer (&emu->codes, g_hash_table_unref);
  g_clear_pointer (&emu->tokens, g_hash_table_unref);
  g_clear_pointer (&emu->tz, g_time_zone_unref);
  g_free (emu->client_id);
  g_free (emu->client_secret);
  g_free (emu->member_id);
  g_free (emu->application_token);
  g_free (emu->base_url);
  g_free (emu->config.db_path);
  g_free (emu);
}

void
b24_emu_add_methods (B24Emu          *emu,
                     const B24Method *methods,
                     gsize            n_methods)
{
  for (gsize i = 0; i < n_methods; i++)
    g_hash_table_insert (emu->methods, (gpointer) methods[i].name, (gpointer) &methods[i]);
}

const B24Method *
b24_emu_find_method (B24Emu     *emu,
                     const char *name)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  if (g_str_has_suffix (lower, ".json"))
    lower[strlen (lower) - 5] = '\0';
  return g_hash_table_lookup (emu->methods, lower);
}

/* "USER_ID:SECRET" or "USER_ID:SECRET:crm,user,…" (scopes; every scope when left out). */
void
b24_emu_add_webhook (B24Emu     *emu,
                     const char *spec)
{
  g_auto(GStrv) parts = g_strsplit (spec, ":", 3);
  B24Webhook *hook;

  if (g_strv_length (parts) < 2)
    {
      g_printerr ("ignoring webhook \"%s\": expected USER_ID:SECRET[:scopes]\n", spec);
      return;
    }
  hook = g_new0 (B24Webhook, 1);
  hook->user_id = g_ascii_strtoll (parts[0], NULL, 10);
  hook->secret = g_strdup (parts[1]);
  if (parts[2] != NULL)
    hook->scopes = g_strsplit (parts[2], ",", -1);
  g_ptr_array_add (emu->webhooks, hook);
}

B24Token *
b24_emu_issue_token (B24Emu *emu,
                     gint64  user_id,
                     gint64  expires_in)
{
  B24Token *token = g_new0 (B24Token, 1);
  gint64 now = (gint64) b24_time_now ();

  token->access_token = random_token ();
  token->refresh_token = random_token ();
  token->user_id = user_id;
  token->expires = now + expires_in;
  token->refresh_expires = now + REFRESH_LIFETIME;
  g_hash_table_insert (emu->tokens, token->access_token, token);
  g_hash_table_insert (emu->refresh, token->refresh_token, token);
  return token;
}

void
b24_emu_invoke (B24Call  *call,
                B24Reply *reply)
{
  const B24Method *method = call->method;
  gboolean counted = strcmp (method->name, "batch") != 0;
  double start = b24_time_now ();
  double operating;
  gint64 reset_at;

  if (call->scopes != NULL && strcmp (method->scope, "basic") != 0
      && !g_strv_contains ((const char *const *) call->scopes, method->scope))
    {
      b24_reply_error (reply, 401, "insufficient_scope",
                       "The request requires higher privileges than provided by the webhook token");
      return;
    }
  if ((method->flags & B24_METHOD_APP_ONLY) != 0 && !call->is_app)
    {
      b24_reply_error (reply, 401, "WRONG_AUTH_TYPE",
                       "Current authorization type is denied for this method");
      return;
    }
  if (counted && !b24_limits_operating_check (call->emu->limits, method->name, call->credential,
                                              start, &operating, &reset_at))
    {
      b24_reply_error (reply, 429, "OPERATION_TIME_LIMIT",
                       "Method is blocked due to operation time limit.");
      return;
    }
  method->func (call, reply);
  if (!counted)
    return;
  b24_limits_operating_add (call->emu->limits, method->name, call->credential, start,
                            b24_time_now () - start);
  b24_limits_operating_check (call->emu->limits, method->name, call->credential, start,
                              &reply->operating, &reply->operating_reset_at);
}

JsonObject *
b24_server_read_params (SoupServerMessage *msg)
{
  JsonObject *params = json_object_new ();
  GUri *uri = soup_server_message_get_uri (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *content_type = soup_message_headers_get_content_type (headers, NULL);
  g_autoptr(GBytes) bytes = NULL;

  b24_params_add_query (params, g_uri_get_query (uri));
  if (body == NULL || body->length == 0)
    return params;
  bytes = soup_message_body_flatten (body);
  if (content_type != NULL && g_ascii_strcasecmp (content_type, "application/json") == 0)
    b24_params_add_json (params, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL);
  else if (content_type != NULL && g_str_has_prefix (content_type, "multipart/"))
    b24_params_add_multipart (params, headers, bytes);
  else
    {
      g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

      b24_params_add_query (params, text);
    }
  return params;
}

static void
respond_text (SoupServerMessage *msg,
              guint              status,
              const char        *content_type,
              const char        *data,
              gsize              length)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_COPY, data, length);
}

void
b24_server_respond_json (SoupServerMessage *msg,
                         guint              status,
                         JsonNode          *body)
{
  gsize length;
  g_autofree char *text = b24_json_to_string (body, &length);

  respond_text (msg, status, "application/json; charset=utf-8", text, length);
}

/* Finds who is calling; on failure @reply holds the documented 401. */
static gboolean
authenticate (B24Emu     *emu,
              const char *user,
              const char *secret,
              B24Call    *call,
              B24Reply   *reply)
{
  if (user != NULL)
    {
      for (guint i = 0; i < emu->webhooks->len; i++)
        {
          B24Webhook *hook = emu->webhooks->pdata[i];
          g_autofree char *uid = g_strdup_printf ("%" G_GINT64_FORMAT, hook->user_id);

          if (strcmp (uid, user) == 0 && strcmp (hook->secret, secret) == 0)
            {
              call->user_id = hook->user_id;
              call->scopes = hook->scopes;
              call->credential = hook->secret;
              return TRUE;
            }
        }
      b24_reply_error (reply, 401, "INVALID_CREDENTIALS", "Invalid request credentials");
      return FALSE;
    }
  else
    {
      g_autofree char *auth = b24_node_dup_string (b24_params_get (call->params, "auth", FALSE));
      B24Token *token = auth != NULL ? g_hash_table_lookup (emu->tokens, auth) : NULL;

      if (auth == NULL || auth[0] == '\0')
        b24_reply_error (reply, 401, "NO_AUTH_FOUND", "Wrong authorization data");
      else if (token == NULL)
        b24_reply_error (reply, 401, "invalid_token", "Unable to get application by token");
      else if (token->expires <= (gint64) b24_time_now ())
        b24_reply_error (reply, 401, "expired_token", "The access token provided has expired.");
      else
        {
          call->user_id = token->user_id;
          call->is_app = TRUE;
          call->credential = "application";
          return TRUE;
        }
      return FALSE;
    }
}

static gboolean
unpause_cb (gpointer data)
{
  SoupServerMessage *msg = data;

  soup_server_message_unpause (msg);
  g_object_unref (msg);
  return G_SOURCE_REMOVE;
}

static void
apply_early_fault (B24Emu            *emu,
                   SoupServerMessage *msg,
                   B24Fault           fault)
{
  static const char html_502[] = "<html><head><title>502 Bad Gateway</title></head><body>"
                                 "<center><h1>502 Bad Gateway</h1></center><hr><center>nginx"
                                 "</center></body></html>\n";
  static const char html_503[] = "<html><head><title>503 Service Temporarily Unavailable</title>"
                                 "</head><body><center><h1>503 Service Temporarily Unavailable"
                                 "</h1></center><hr><center>nginx</center></body></html>\n";
  B24Reply reply;

  b24_reply_init (&reply);
  switch (fault)
    {
    case B24_FAULT_RATE_LIMIT:
      b24_reply_error (&reply, 503, "QUERY_LIMIT_EXCEEDED", "Too many requests");
      break;
    case B24_FAULT_HTTP_500:
      b24_reply_error (&reply, 500, "INTERNAL_SERVER_ERROR", "Internal server error");
      break;
    case B24_FAULT_HTTP_502:
      respond_text (msg, 502, "text/html", html_502, sizeof html_502 - 1);
      return;
    case B24_FAULT_HTTP_503:
      respond_text (msg, 503, "text/html", html_503, sizeof html_503 - 1);
      return;
    case B24_FAULT_RESET:
      {
        GIOStream *stream = soup_server_message_steal_connection (msg);

        g_io_stream_close (stream, NULL, NULL);
        g_object_unref (stream);
        return;
      }
    case B24_FAULT_REDIRECT:
      {
        /* The "renamed portal": same server, other host name. */
        GUri *uri = soup_server_message_get_uri (msg);
        g_autofree char *location = g_strdup_printf ("http://localhost:%d%s%s%s", g_uri_get_port (uri),
                                                     g_uri_get_path (uri),
                                                     g_uri_get_query (uri) != NULL ? "?" : "",
                                                     g_uri_get_query (uri) != NULL ? g_uri_get_query (uri) : "");

        soup_server_message_set_redirect (msg, 302, location);
        return;
      }
    default:
      g_assert_not_reached ();
    }
  {
    g_autoptr(JsonNode) body = b24_envelope_build (&reply, NULL);

    b24_server_respond_json (msg, reply.status, body);
  }
  b24_reply_clear (&reply);
}

static void
apply_late_fault (B24Emu            *emu,
                  SoupServerMessage *msg,
                  B24Fault           fault,
                  guint              status,
                  const char        *text,
                  gsize              length)
{
  switch (fault)
    {
    case B24_FAULT_TRUNCATED:
      respond_text (msg, status, "application/json; charset=utf-8", text, length / 2);
      break;
    case B24_FAULT_MALFORMED:
      {
        static const char garbage[] = "{\"result\":[{\"ID\":\"1\",\"TITLE\":\"\\u04\x01\"]}<br />\n"
                                      "<b>Fatal error</b>: Allowed memory size exhausted";

        respond_text (msg, status, "application/json; charset=utf-8", garbage, sizeof garbage - 1);
        break;
      }
    case B24_FAULT_SLOW:
      respond_text (msg, status, "application/json; charset=utf-8", text, length);
      soup_server_message_pause (msg);
      g_timeout_add (b24_faults_get_slow_ms (emu->faults), unpause_cb, g_object_ref (msg));
      break;
    default:
      respond_text (msg, status, "application/json; charset=utf-8", text, length);
      break;
    }
}

static void
log_request (B24Emu            *emu,
             SoupServerMessage *msg,
             const char        *method,
             guint              status,
             double             start,
             B24Fault           fault)
{
  if (!emu->config.log)
    return;
  /* The path is left out on purpose: it carries the webhook secret. */
  printf ("%s %s %u %.1fms%s%s\n", soup_server_message_get_method (msg), method, status,
          (b24_time_now () - start) * 1000, fault != B24_FAULT_NONE ? " fault=" : "",
          fault != B24_FAULT_NONE ? b24_fault_name (fault) : "");
  fflush (stdout);
}

static void
handle_rest (B24Emu            *emu,
             SoupServerMessage *msg,
             const char        *path)
{
  double start = b24_time_now ();
  B24Fault fault = b24_faults_roll (emu->faults);
  g_auto(GStrv) parts = g_strsplit (path, "/", 4);
  guint n_parts = g_strv_length (parts);
  const char *user = n_parts == 3 ? parts[0] : NULL;
  const char *secret = n_parts == 3 ? parts[1] : NULL;
  const char *method_name = parts[n_parts > 0 ? n_parts - 1 : 0];
  g_autoptr(JsonObject) params = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *text = NULL;
  gsize length;
  B24Call call = { .emu = emu };
  B24Reply reply;
  double operating = 0;
  gint64 reset_at = 0;

  emu->requests++;
  if (b24_fault_before_execution (fault))
    {
      apply_early_fault (emu, msg, fault);
      log_request (emu, msg, method_name != NULL ? method_name : "", soup_server_message_get_status (msg),
                   start, fault);
      return;
    }
  b24_reply_init (&reply);
  params = b24_server_read_params (msg);
  call.params = params;
  if (n_parts < 1 || n_parts > 3 || method_name == NULL || method_name[0] == '\0')
    b24_reply_error (&reply, 404, "ERROR_METHOD_NOT_FOUND", "Method not found!");
  else if (!b24_limits_take_request (emu->limits, start))
    b24_reply_error (&reply, 503, "QUERY_LIMIT_EXCEEDED", "Too many requests");
  else if (authenticate (emu, user, secret, &call, &reply))
    {
      call.method = b24_emu_find_method (emu, method_name);
      call.auth_connector = json_object_get_string_member_with_default (params, "auth_connector",
                                                                         NULL);
      if (call.method == NULL)
        b24_reply_error (&reply, 404, "ERROR_METHOD_NOT_FOUND", "Method not found!");
      else
        b24_emu_invoke (&call, &reply);
    }
  operating = reply.operating;
  reset_at = reply.operating_reset_at;
  if (reset_at == 0)
    reset_at = (gint64) start + 600;
  body = b24_envelope_build (&reply, b24_envelope_time (emu, start, b24_time_now (), operating,
                                                        reset_at));
  text = b24_json_to_string (body, &length);
  if (reply.status == 0)
    reply.status = 200;
  apply_late_fault (emu, msg, fault, reply.status, text, length);
  log_request (emu, msg, method_name, reply.status, start, fault);
  b24_reply_clear (&reply);
}

static void
set_oauth_error (JsonObject *answer,
                 guint      *status,
                 guint       code,
                 const char *error,
                 const char *description)
{
  *status = code;
  json_object_set_string_member (answer, "error", error);
  json_object_set_string_member (answer, "error_description", description);
}

/* The token server: an authorization code or a refresh token for a new pair. */
static void
handle_oauth (B24Emu            *emu,
              SoupServerMessage *msg)
{
  g_autoptr(JsonObject) params = b24_server_read_params (msg);
  const char *grant = json_object_get_string_member_with_default (params, "grant_type", "");
  const char *client_id = json_object_get_string_member_with_default (params, "client_id", "");
  const char *secret = json_object_get_string_member_with_default (params, "client_secret", "");
  const char *refresh = json_object_get_string_member_with_default (params, "refresh_token", "");
  const char *code = json_object_get_string_member_with_default (params, "code", "");
  B24Token *old = g_hash_table_lookup (emu->refresh, refresh);
  B24Code *granted = g_hash_table_lookup (emu->codes, code);
  g_autoptr(JsonObject) answer = json_object_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *endpoint = g_strconcat (emu->base_url, "/rest/", NULL);
  g_autofree char *server_endpoint = g_strconcat (emu->base_url, "/oauth/rest/", NULL);
  B24Token *token = NULL;
  guint status = 200;
  gint64 now = (gint64) b24_time_now ();

  if (strcmp (client_id, emu->client_id) != 0 || strcmp (secret, emu->client_secret) != 0)
    set_oauth_error (answer, &status, 401, "invalid_client", "Invalid client");
  else if (strcmp (grant, "authorization_code") == 0)
    {
      if (granted == NULL || granted->expires <= now)
        set_oauth_error (answer, &status, 400, "invalid_grant", "Invalid authorization code");
      else
        token = b24_emu_issue_token (emu, granted->user_id, TOKEN_LIFETIME);
      /* A code is good for one exchange. */
      g_hash_table_remove (emu->codes, code);
    }
  else if (strcmp (grant, "refresh_token") != 0)
    set_oauth_error (answer, &status, 400, "invalid_request", "Unsupported grant_type");
  else if (old == NULL || old->refresh_expires <= now)
    set_oauth_error (answer, &status, 400, "invalid_grant", "Invalid refresh token");
  else
    {
      /* A new pair; the old refresh token and access token stop working. */
      token = b24_emu_issue_token (emu, old->user_id, TOKEN_LIFETIME);
      g_hash_table_remove (emu->refresh, old->refresh_token);
      g_hash_table_remove (emu->tokens, old->access_token);
    }
  if (token != NULL)
    {
      json_object_set_string_member (answer, "access_token", token->access_token);
      json_object_set_string_member (answer, "client_endpoint", endpoint);
      json_object_set_string_member (answer, "domain", "oauth.bitrix.info");
      json_object_set_int_member (answer, "expires", token->expires);
      json_object_set_int_member (answer, "expires_in", TOKEN_LIFETIME);
      json_object_set_string_member (answer, "member_id", emu->member_id);
      json_object_set_string_member (answer, "refresh_token", token->refresh_token);
      json_object_set_string_member (answer, "scope", "crm,task,disk,im,user,department,basic");
      json_object_set_string_member (answer, "server_endpoint", server_endpoint);
      json_object_set_string_member (answer, "status", "L");
      json_object_set_int_member (answer, "user_id", token->user_id);
    }
  node = b24_node_take_object (g_steal_pointer (&answer));
  b24_server_respond_json (msg, status, node);
}

/* The portal's consent page, already agreed to by the user signed in to the portal in the
 * browser (user_id, an emulator-only parameter; default 1): straight back to the
 * application's redirect_uri with a code, the state and the portal's particulars. */
static void
handle_authorize (B24Emu            *emu,
                  SoupServerMessage *msg)
{
  g_autoptr(JsonObject) params = b24_server_read_params (msg);
  const char *client_id = json_object_get_string_member_with_default (params, "client_id", "");
  const char *state = json_object_get_string_member_with_default (params, "state", "");
  const char *redirect = json_object_get_string_member_with_default (params, "redirect_uri", "");
  const char *user = json_object_get_string_member_with_default (params, "user_id", "1");
  g_autoptr(GUri) target = redirect[0] != '\0' ? g_uri_parse (redirect, G_URI_FLAGS_NONE, NULL) : NULL;
  g_autoptr(GString) query = NULL;
  g_autofree char *location = NULL;
  g_autofree char *host = NULL;
  g_autofree char *code = NULL;
  B24Code *granted;

  if (strcmp (client_id, emu->client_id) != 0 || target == NULL)
    {
      g_autoptr(JsonObject) answer = json_object_new ();
      g_autoptr(JsonNode) node = NULL;
      guint status;

      if (target == NULL)
        set_oauth_error (answer, &status, 400, "invalid_request", "Wrong redirect_uri");
      else
        set_oauth_error (answer, &status, 400, "invalid_client", "Invalid client");
      node = b24_node_take_object (g_steal_pointer (&answer));
      b24_server_respond_json (msg, status, node);
      return;
    }
  code = random_token ();
  granted = g_new0 (B24Code, 1);
  granted->user_id = g_ascii_strtoll (user, NULL, 10);
  granted->expires = (gint64) b24_time_now () + CODE_LIFETIME;
  g_hash_table_insert (emu->codes, g_strdup (code), granted);

  host = g_strdup (emu->base_url + strlen ("http://"));
  query = g_string_new (redirect);
  g_string_append_c (query, strchr (redirect, '?') != NULL ? '&' : '?');
  g_string_append_printf (query, "code=%s&domain=%s&member_id=%s&scope=%s&server_domain=%s",
                          code, host, emu->member_id, "crm%2Ctask%2Cdisk%2Cim%2Cuser%2Cdepartment%2Cbasic",
                          "oauth.bitrix.info");
  if (state[0] != '\0')
    {
      g_autofree char *escaped = g_uri_escape_string (state, NULL, FALSE);
      g_string_append_printf (query, "&state=%s", escaped);
    }
  location = g_string_free (g_steal_pointer (&query), FALSE);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Location", location);
  soup_server_message_set_status (msg, 302, NULL);
}

static void
server_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  B24Emu *emu = user_data;

  if (strcmp (path, "/rest/download.json") == 0 || strcmp (path, "/rest/upload.json") == 0
      || strcmp (path, "/rest/file.json") == 0)
    {
      /* The drive's own URLs: a token in the query, no webhook path, no limits. */
      g_autoptr(JsonObject) params = b24_server_read_params (msg);

      if (path[6] == 'd')
        b24_disk_handle_download (emu, msg, params);
      else if (path[6] == 'u')
        b24_disk_handle_upload (emu, msg, params);
      else
        b24_disk_handle_file (emu, msg, params);
    }
  else if (g_str_has_prefix (path, "/rest/"))
    handle_rest (emu, msg, path + strlen ("/rest/"));
  else if (g_str_has_prefix (path, "/oauth/token"))
    handle_oauth (emu, msg);
  else if (g_str_has_prefix (path, "/oauth/authorize"))
    handle_authorize (emu, msg);
  else if (g_str_has_prefix (path, "/_emulator/"))
    {
      g_autoptr(JsonObject) params = b24_server_read_params (msg);

      b24_control_handle (emu, msg, path + strlen ("/_emulator/"), params);
    }
  else
    respond_text (msg, 404, "text/plain", "not found\n", 10);
}

gboolean
b24_emu_listen (B24Emu  *emu,
                GError **error)
{
  emu->server = soup_server_new ("server-header", "nginx", NULL);
  soup_server_add_handler (emu->server, NULL, server_cb, emu, NULL);
  emu->base_url = b24_listen_loopback (emu->server, emu->config.port, 0, error);
  return emu->base_url != NULL;
}
