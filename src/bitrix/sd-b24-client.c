/* sd-b24-client.c: requests, the shared limiter, retries and the OAuth refresh.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-bitrix"

#include "config.h"

#include "sd-b24-client.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <string.h>

/* The leaky bucket of one portal (reference §6.1): every request adds one, the level
 * drains at @rate a second, and a request that would take it over @burst waits. Requests
 * reserve their slot in order, so waiting ones queue instead of racing. */
typedef struct
{
  GMutex  lock;
  double  level;
  gint64  last_us;
  double  rate;       /* as the client runs it now */
  double  nominal;    /* the plan's rate, which a slowed-down bucket climbs back to */
  double  burst;
  double  operating_limit;  /* seconds a method may run in 10 minutes (reference §6.2) */
  GHashTable *operating;    /* method -> Operating, as the portal last reported it */
} Limiter;

/* The portal's account of one method's execution time, from the "time" of its answers. */
typedef struct
{
  double  used;       /* time.operating, this call included */
  gint64  reset_at;   /* time.operating_reset_at: when the oldest minute drops out */
} Operating;

/* Waits longer than this for the operating time to free up are not worth it: the call
 * fails with SD_B24_ERROR_OPERATING_LIMIT and the sync tries again later. */
#define OPERATING_MAX_WAIT 60

struct _SdB24Client
{
  GObject      parent_instance;

  SoupSession *session;
  Limiter     *limiter;
  guint        max_attempts;
  guint        n_requests;     /* atomic */

  GMutex       lock;           /* the fields below change on a redirect or a refresh */
  char        *portal;
  char        *base;           /* ends in "/rest/" (OAuth) or "/rest/USER/SECRET/" */
  char        *access_token;   /* NULL for a webhook */
  char        *refresh_token;
  char        *client_id;
  char        *client_secret;
  char        *token_url;
  char        *auth_connector; /* sent with every OAuth call; NULL for none */
};

enum {
  TOKENS_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SdB24Client, sd_b24_client, G_TYPE_OBJECT)

static Limiter *
limiter_for_portal (const char *portal)
{
  /* One bucket a portal for the whole process: the portal counts every request from
   * this machine together, whichever client object sent it. Never freed. */
  static GMutex registry_lock;
  static GHashTable *registry;
  Limiter *limiter;

  g_mutex_lock (&registry_lock);
  if (registry == NULL)
    registry = g_hash_table_new (g_str_hash, g_str_equal);
  limiter = g_hash_table_lookup (registry, portal);
  if (limiter == NULL)
    {
      limiter = g_new0 (Limiter, 1);
      g_mutex_init (&limiter->lock);
      limiter->rate = limiter->nominal = 2.0;
      limiter->burst = 50.0;
      limiter->operating_limit = 480.0;
      limiter->operating = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_hash_table_insert (registry, g_strdup (portal), limiter);
    }
  g_mutex_unlock (&registry_lock);
  return limiter;
}

static void
limiter_drain (Limiter *limiter,
               gint64   now_us)
{
  if (limiter->last_us != 0)
    limiter->level = MAX (0.0, limiter->level - (now_us - limiter->last_us) / 1e6 * limiter->rate);
  limiter->last_us = now_us;
}

/* Takes a slot; returns the seconds to wait before using it. */
static double
limiter_reserve (Limiter *limiter)
{
  double wait = 0.0;

  g_mutex_lock (&limiter->lock);
  limiter_drain (limiter, g_get_monotonic_time ());
  /* One request short of the portal's burst: the portal counts arrivals, and two requests
   * sent 1/rate apart may arrive closer together. */
  if (limiter->level + 1.0 > MAX (1.0, limiter->burst - 1.0))
    wait = (limiter->level + 1.0 - MAX (1.0, limiter->burst - 1.0)) / limiter->rate;
  limiter->level += 1.0;
  g_mutex_unlock (&limiter->lock);
  return wait;
}

/* The portal said "too many requests" although the bucket said yes: someone else spends
 * it too, or the plan is smaller. Take it as full and go a tenth slower for a while. */
static void
limiter_refused (Limiter *limiter)
{
  g_mutex_lock (&limiter->lock);
  limiter_drain (limiter, g_get_monotonic_time ());
  limiter->level = MAX (limiter->level, limiter->burst);
  limiter->rate = MAX (limiter->nominal / 4.0, limiter->rate * 0.9);
  g_mutex_unlock (&limiter->lock);
}

static void
limiter_succeeded (Limiter *limiter)
{
  g_mutex_lock (&limiter->lock);
  limiter->rate = MIN (limiter->nominal, limiter->rate * 1.01);
  g_mutex_unlock (&limiter->lock);
}

/* Sleeps in short steps so that a cancel is heard within a tenth of a second. */
static gboolean
wait_seconds (double         seconds,
              GCancellable  *cancellable,
              GError       **error)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  for (;;)
    {
      gint64 left = end - g_get_monotonic_time ();

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (left <= 0)
        return TRUE;
      g_usleep (MIN (left, 100000));
    }
}

/* Notes the operating time the portal reported for @method. */
static void
operating_record (Limiter    *limiter,
                  const char *method,
                  JsonNode   *time)
{
  JsonObject *object;
  Operating *op;
  double used;

  if (time == NULL || !JSON_NODE_HOLDS_OBJECT (time))
    return;
  object = json_node_get_object (time);
  /* Every member of "time" is optional (reference §2.2). */
  if (!json_object_has_member (object, "operating"))
    return;
  used = json_object_get_double_member_with_default (object, "operating", 0);
  g_mutex_lock (&limiter->lock);
  op = g_hash_table_lookup (limiter->operating, method);
  if (op == NULL)
    {
      op = g_new0 (Operating, 1);
      g_hash_table_insert (limiter->operating, g_ascii_strdown (method, -1), op);
    }
  op->used = used;
  if (json_object_has_member (object, "operating_reset_at"))
    op->reset_at = (gint64) json_object_get_double_member_with_default (object, "operating_reset_at", 0);
  g_mutex_unlock (&limiter->lock);
}

/* Before calling @methods: if one of them is over its operating time, wait for the oldest
 * minute to drop out, or fail at once if that is far off. */
static gboolean
operating_wait (Limiter            *limiter,
                const char * const *methods,
                GCancellable       *cancellable,
                GError            **error)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 until = 0;

  g_mutex_lock (&limiter->lock);
  for (guint i = 0; methods[i] != NULL; i++)
    {
      g_autofree char *key = g_ascii_strdown (methods[i], -1);
      Operating *op = g_hash_table_lookup (limiter->operating, key);

      /* The portal checks the sum before each call and refuses once it is over. */
      if (op != NULL && op->reset_at > now && op->used > limiter->operating_limit)
        until = MAX (until, op->reset_at);
      else if (op != NULL && op->reset_at <= now)
        g_hash_table_remove (limiter->operating, key);
    }
  g_mutex_unlock (&limiter->lock);

  if (until == 0)
    return TRUE;
  if (until - now > OPERATING_MAX_WAIT)
    {
      int minutes = (int) ((until - now + 59) / 60);

      g_set_error (error, SD_B24_ERROR, SD_B24_ERROR_OPERATING_LIMIT,
                   g_dngettext (GETTEXT_PACKAGE,
                                "The portal’s time limit for this kind of request is used up for %d minute",
                                "The portal’s time limit for this kind of request is used up for %d minutes",
                                minutes), minutes);
      return FALSE;
    }
  return wait_seconds (until - now, cancellable, error);
}

static void
sd_b24_client_finalize (GObject *object)
{
  SdB24Client *self = (SdB24Client *) object;

  g_clear_object (&self->session);
  g_mutex_clear (&self->lock);
  g_free (self->portal);
  g_free (self->base);
  g_free (self->access_token);
  g_free (self->auth_connector);
  g_free (self->refresh_token);
  g_free (self->client_id);
  g_free (self->client_secret);
  g_free (self->token_url);

  G_OBJECT_CLASS (sd_b24_client_parent_class)->finalize (object);
}

static void
sd_b24_client_class_init (SdB24ClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sd_b24_client_finalize;

  /**
   * SdB24Client::tokens-changed:
   * @access_token: the new access token
   * @refresh_token: the new refresh token, which replaces the old one
   *
   * The OAuth pair was renewed; the old refresh token no longer works, so the new pair
   * must be stored (in the keyring). Emitted in the thread that made the call.
   */
  signals[TOKENS_CHANGED] =
    g_signal_new ("tokens-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
}

static void
sd_b24_client_init (SdB24Client *self)
{
  g_mutex_init (&self->lock);
  self->max_attempts = 10;
  /* A cloud portal cuts a request at 60 s; a longer wait is a dead connection. The
   * default TLS database checks certificates, and nothing here turns that off. */
  self->session = soup_session_new_with_options ("user-agent", "Sdelka/" PACKAGE_VERSION,
                                                 "timeout", 90, NULL);
}

static gboolean
is_loopback (const char *host)
{
  return g_strcmp0 (host, "127.0.0.1") == 0 || g_strcmp0 (host, "localhost") == 0
         || g_strcmp0 (host, "::1") == 0;
}

/* "scheme://host[:port]" of @uri, if it is one Sdelka may talk to. Error messages never
 * quote the address: a webhook's address is its secret. */
static char *
checked_origin (GUri    *uri,
                GError **error)
{
  const char *scheme = g_uri_get_scheme (uri);
  const char *host = g_uri_get_host (uri);

  if (host == NULL || *host == '\0')
    {
      g_set_error (error, SD_B24_ERROR, SD_B24_ERROR_BAD_URL,
                   _("The address has no portal name in it"));
      return NULL;
    }
  if (g_ascii_strcasecmp (scheme, "https") != 0
      && !(g_ascii_strcasecmp (scheme, "http") == 0 && is_loopback (host)))
    {
      g_set_error (error, SD_B24_ERROR, SD_B24_ERROR_BAD_URL,
                   _("The address must start with https://"));
      return NULL;
    }
  if (g_uri_get_port (uri) > 0)
    return g_strdup_printf ("%s://%s:%d", scheme, host, g_uri_get_port (uri));
  return g_strdup_printf ("%s://%s", scheme, host);
}

char *
sd_b24_portal_origin (const char  *url,
                      GError     **error)
{
  g_autofree char *trimmed = NULL;
  g_autoptr(GUri) uri = NULL;

  g_return_val_if_fail (url != NULL, NULL);

  trimmed = g_strstrip (g_strdup (url));
  uri = g_uri_parse (trimmed, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_scheme (uri) == NULL)
    {
      g_set_error (error, SD_B24_ERROR, SD_B24_ERROR_BAD_URL,
                   _("This is not a web address: it should look like https://your-company.bitrix24.ru"));
      return NULL;
    }
  return checked_origin (uri, error);
}

SdB24Client *
sd_b24_client_new_webhook (const char  *url,
                           GError     **error)
{
  g_autoptr(SdB24Client) self = NULL;
  g_autoptr(GUri) uri = NULL;
  g_auto(GStrv) parts = NULL;
  g_autofree char *origin = NULL;
  g_autofree char *trimmed = NULL;

  g_return_val_if_fail (url != NULL, NULL);

  /* Pasted addresses often carry a space or a line break. */
  trimmed = g_strstrip (g_strdup (url));
  uri = g_uri_parse (trimmed, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_scheme (uri) == NULL)
    {
      g_set_error (error, SD_B24_ERROR, SD_B24_ERROR_BAD_URL,
                   _("This is not a web address. Copy the whole webhook address from Bitrix24"));
      return NULL;
    }
  if ((origin = checked_origin (uri, error)) == NULL)
    return NULL;
  /* /rest/USER_ID/SECRET[/method] */
  parts = g_strsplit (g_uri_get_path (uri), "/", -1);
  if (g_strv_length (parts) < 4 || strcmp (parts[1], "rest") != 0 || *parts[2] == '\0'
      || strspn (parts[2], "0123456789") != strlen (parts[2]) || *parts[3] == '\0')
    {
      g_set_error (error, SD_B24_ERROR, SD_B24_ERROR_BAD_URL,
                   _("This is not an inbound webhook address: it should look like "
                     "https://your-company.bitrix24.ru/rest/1/abc123/"));
      return NULL;
    }

  self = g_object_new (SD_TYPE_B24_CLIENT, NULL);
  self->portal = g_steal_pointer (&origin);
  self->base = g_strdup_printf ("%s/rest/%s/%s/", self->portal, parts[2], parts[3]);
  self->limiter = limiter_for_portal (self->portal);
  return g_steal_pointer (&self);
}

SdB24Client *
sd_b24_client_new_oauth (const char  *portal_url,
                         const char  *access_token,
                         const char  *refresh_token,
                         const char  *client_id,
                         const char  *client_secret,
                         const char  *token_url,
                         GError     **error)
{
  g_autoptr(SdB24Client) self = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GUri) token_uri = NULL;
  g_autofree char *origin = NULL;
  g_autofree char *token_origin = NULL;

  g_return_val_if_fail (portal_url != NULL && access_token != NULL, NULL);

  uri = g_uri_parse (portal_url, G_URI_FLAGS_NONE, NULL);
  token_uri = token_url != NULL ? g_uri_parse (token_url, G_URI_FLAGS_NONE, NULL) : NULL;
  if (uri == NULL || (token_url != NULL && token_uri == NULL))
    {
      g_set_error (error, SD_B24_ERROR, SD_B24_ERROR_BAD_URL, _("This is not a web address"));
      return NULL;
    }
  if ((origin = checked_origin (uri, error)) == NULL
      || (token_uri != NULL && (token_origin = checked_origin (token_uri, error)) == NULL))
    return NULL;

  self = g_object_new (SD_TYPE_B24_CLIENT, NULL);
  self->portal = g_steal_pointer (&origin);
  self->base = g_strdup_printf ("%s/rest/", self->portal);
  self->access_token = g_strdup (access_token);
  self->refresh_token = g_strdup (refresh_token);
  self->client_id = g_strdup (client_id);
  self->client_secret = g_strdup (client_secret);
  self->token_url = g_strdup (token_url);
  self->limiter = limiter_for_portal (self->portal);
  return g_steal_pointer (&self);
}

const char *
sd_b24_client_get_portal (SdB24Client *self)
{
  g_return_val_if_fail (SD_IS_B24_CLIENT (self), NULL);
  return self->portal;
}

gboolean
sd_b24_client_is_oauth (SdB24Client *self)
{
  g_return_val_if_fail (SD_IS_B24_CLIENT (self), FALSE);
  return self->token_url != NULL || self->refresh_token != NULL;
}

char *
sd_b24_client_dup_credential (SdB24Client *self)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (SD_IS_B24_CLIENT (self), NULL);

  g_mutex_lock (&self->lock);
  if (!sd_b24_client_is_oauth (self))
    {
      char *base = g_strdup (self->base);
      g_mutex_unlock (&self->lock);
      return base;
    }
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "portal");
  json_builder_add_string_value (builder, self->portal);
  json_builder_set_member_name (builder, "access_token");
  json_builder_add_string_value (builder, self->access_token);
  json_builder_set_member_name (builder, "refresh_token");
  json_builder_add_string_value (builder, self->refresh_token != NULL ? self->refresh_token : "");
  json_builder_set_member_name (builder, "client_id");
  json_builder_add_string_value (builder, self->client_id != NULL ? self->client_id : "");
  json_builder_set_member_name (builder, "client_secret");
  json_builder_add_string_value (builder, self->client_secret != NULL ? self->client_secret : "");
  json_builder_set_member_name (builder, "token_url");
  json_builder_add_string_value (builder, self->token_url != NULL ? self->token_url : "");
  json_builder_end_object (builder);
  g_mutex_unlock (&self->lock);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

/* A member of a stored credential; empty is none. */
static const char *
credential_member (JsonObject *object,
                   const char *name)
{
  const char *value = json_object_get_string_member_with_default (object, name, NULL);

  return value != NULL && *value != '\0' ? value : NULL;
}

SdB24Client *
sd_b24_client_new_from_credential (const char  *credential,
                                   GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *object;
  const char *portal, *access_token;

  g_return_val_if_fail (credential != NULL, NULL);

  if (credential[0] != '{')
    return sd_b24_client_new_webhook (credential, error);
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, credential, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, SD_B24_ERROR, SD_B24_ERROR_BAD_URL,
                   _("The stored connection is damaged; connect to the portal again"));
      return NULL;
    }
  object = json_node_get_object (json_parser_get_root (parser));
  portal = credential_member (object, "portal");
  access_token = credential_member (object, "access_token");
  if (portal == NULL || access_token == NULL)
    {
      g_set_error (error, SD_B24_ERROR, SD_B24_ERROR_BAD_URL,
                   _("The stored connection is damaged; connect to the portal again"));
      return NULL;
    }
  return sd_b24_client_new_oauth (portal, access_token, credential_member (object, "refresh_token"),
                                  credential_member (object, "client_id"),
                                  credential_member (object, "client_secret"),
                                  credential_member (object, "token_url"), error);
}

void
sd_b24_client_set_auth_connector (SdB24Client *self,
                                  const char  *connector)
{
  g_return_if_fail (SD_IS_B24_CLIENT (self));
  g_mutex_lock (&self->lock);
  g_free (self->auth_connector);
  self->auth_connector = g_strdup (connector);
  g_mutex_unlock (&self->lock);
}

guint64
sd_b24_client_get_n_requests (SdB24Client *self)
{
  g_return_val_if_fail (SD_IS_B24_CLIENT (self), 0);
  return (guint) g_atomic_int_get (&self->n_requests);
}

void
sd_b24_client_set_limits (SdB24Client *self,
                          double       rate,
                          double       burst)
{
  g_return_if_fail (SD_IS_B24_CLIENT (self));
  g_return_if_fail (rate > 0 && burst >= 1);

  g_mutex_lock (&self->limiter->lock);
  self->limiter->rate = self->limiter->nominal = rate;
  self->limiter->burst = burst;
  g_mutex_unlock (&self->limiter->lock);
}

void
sd_b24_client_set_operating_limit (SdB24Client *self,
                                   double       seconds)
{
  g_return_if_fail (SD_IS_B24_CLIENT (self));
  g_return_if_fail (seconds > 0);

  g_mutex_lock (&self->limiter->lock);
  self->limiter->operating_limit = seconds;
  g_mutex_unlock (&self->limiter->lock);
}

void
sd_b24_client_set_max_attempts (SdB24Client *self,
                                guint        attempts)
{
  g_return_if_fail (SD_IS_B24_CLIENT (self));
  self->max_attempts = MAX (1, attempts);
}

/* One HTTP exchange. Transport failures become SD_B24_ERROR_NO_NETWORK or _TLS. */
static GBytes *
send_once (SdB24Client   *self,
           const char    *http_method,
           const char    *url,
           const char    *body,
           guint         *status,
           char         **location,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(SoupMessage) message = soup_message_new (http_method, url);
  g_autoptr(GError) local_error = NULL;
  GBytes *answer;

  if (message == NULL)
    {
      g_set_error (error, SD_B24_ERROR, SD_B24_ERROR_BAD_URL, _("This is not a web address"));
      return NULL;
    }
  /* A redirected POST would turn into a GET and lose its body (reference §1.4). */
  soup_message_set_flags (message, SOUP_MESSAGE_NO_REDIRECT);
  soup_message_headers_append (soup_message_get_request_headers (message), "Accept",
                               "application/json");
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (message, "application/json", bytes);
    }

  g_atomic_int_inc (&self->n_requests);
  answer = soup_session_send_and_read (self->session, message, cancellable, &local_error);
  if (answer == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else if (local_error->domain == G_TLS_ERROR)
        g_set_error (error, SD_B24_ERROR, SD_B24_ERROR_TLS,
                     _("The portal’s security certificate is not valid: %s"), local_error->message);
      else
        g_set_error (error, SD_B24_ERROR, SD_B24_ERROR_NO_NETWORK,
                     _("Cannot reach the portal: %s"), local_error->message);
      return NULL;
    }
  *status = soup_message_get_status (message);
  *location = g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (message),
                                                      "Location"));
  return answer;
}

/* Parses a body that should be a JSON object. */
static JsonObject *
parse_object (GBytes  *bytes,
              guint    status,
              GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);
  JsonNode *root;

  if (size == 0 || !json_parser_load_from_data (parser, data, size, NULL)
      || (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      if (status >= 500)
        g_set_error (error, SD_B24_ERROR, SD_B24_ERROR_SERVER,
                     _("The portal is not working right now (HTTP %u)"), status);
      else if (status == 404)
        g_set_error (error, SD_B24_ERROR, SD_B24_ERROR_BAD_URL,
                     _("There is no Bitrix24 REST service at this address"));
      else
        g_set_error (error, SD_B24_ERROR, SD_B24_ERROR_MALFORMED,
                     _("The portal’s answer was cut off or is not JSON (HTTP %u)"), status);
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

/* Asks the token server for a new pair with @grant ("grant_type=…&…", escaped), the
 * application's own credentials added (reference §1.2). */
static gboolean
request_tokens (SdB24Client   *self,
                const char    *grant,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autofree char *url = NULL;
  g_autofree char *location = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autofree char *id = NULL, *secret = NULL;
  const char *access_token, *refresh_token;
  guint status = 0;

  g_mutex_lock (&self->lock);
  id = g_uri_escape_string (self->client_id != NULL ? self->client_id : "", NULL, FALSE);
  secret = g_uri_escape_string (self->client_secret != NULL ? self->client_secret : "", NULL, FALSE);
  url = g_strdup_printf ("%s%s%s&client_id=%s&client_secret=%s", self->token_url,
                         strchr (self->token_url, '?') != NULL ? "&" : "?", grant, id, secret);
  g_mutex_unlock (&self->lock);

  if (!wait_seconds (limiter_reserve (self->limiter), cancellable, error)
      || (answer = send_once (self, "GET", url, NULL, &status, &location, cancellable, error)) == NULL
      || (object = parse_object (answer, status, error)) == NULL)
    return FALSE;
  if (json_object_has_member (object, "error"))
    {
      sd_b24_error_set_from_object (error, object, status);
      /* A refused grant means connecting again, whatever the server called it. */
      if ((*error)->code != SD_B24_ERROR_SCOPE)
        (*error)->code = SD_B24_ERROR_TOKEN_EXPIRED;
      return FALSE;
    }
  access_token = json_object_get_string_member_with_default (object, "access_token", NULL);
  refresh_token = json_object_get_string_member_with_default (object, "refresh_token", NULL);
  if (access_token == NULL || refresh_token == NULL)
    {
      g_set_error (error, SD_B24_ERROR, SD_B24_ERROR_MALFORMED,
                   _("The authorization server sent no new tokens"));
      return FALSE;
    }
  g_mutex_lock (&self->lock);
  g_free (self->access_token);
  self->access_token = g_strdup (access_token);
  g_free (self->refresh_token);
  self->refresh_token = g_strdup (refresh_token);
  g_mutex_unlock (&self->lock);
  g_signal_emit (self, signals[TOKENS_CHANGED], 0, access_token, refresh_token);
  return TRUE;
}

/* Exchanges the refresh token for a new pair. */
static gboolean
refresh_tokens (SdB24Client   *self,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autofree char *refresh = NULL;
  g_autofree char *grant = NULL;

  g_mutex_lock (&self->lock);
  if (self->token_url == NULL || self->refresh_token == NULL)
    {
      g_mutex_unlock (&self->lock);
      g_set_error (error, SD_B24_ERROR, SD_B24_ERROR_TOKEN_EXPIRED,
                   _("The access to the portal has expired; connect again"));
      return FALSE;
    }
  refresh = g_uri_escape_string (self->refresh_token, NULL, FALSE);
  g_mutex_unlock (&self->lock);
  grant = g_strdup_printf ("grant_type=refresh_token&refresh_token=%s", refresh);
  return request_tokens (self, grant, cancellable, error);
}

SdB24Client *
sd_b24_client_new_authorized (const char    *portal_url,
                              const char    *client_id,
                              const char    *client_secret,
                              const char    *token_url,
                              const char    *code,
                              GCancellable  *cancellable,
                              GError       **error)
{
  g_autoptr(SdB24Client) self = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *grant = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (token_url != NULL && code != NULL, NULL);

  /* Made without tokens, then given the pair the code is exchanged for. */
  if ((self = sd_b24_client_new_oauth (portal_url, "", "", client_id, client_secret, token_url,
                                       error)) == NULL)
    return NULL;
  escaped = g_uri_escape_string (code, NULL, FALSE);
  grant = g_strdup_printf ("grant_type=authorization_code&code=%s", escaped);
  if (!request_tokens (self, grant, cancellable, &local_error))
    {
      /* Nothing had expired yet: the application's code, key or the answer was refused. */
      if (g_error_matches (local_error, SD_B24_ERROR, SD_B24_ERROR_TOKEN_EXPIRED))
        local_error->code = SD_B24_ERROR_AUTH;
      g_propagate_error (error, local_error);
      return NULL;
    }
  return g_steal_pointer (&self);
}

/* A "302 to the portal's new name": keep the new host for this and later calls. */
static gboolean
follow_move (SdB24Client  *self,
             const char   *location,
             GError      **error)
{
  g_autoptr(GUri) uri = g_uri_parse (location, G_URI_FLAGS_NONE, NULL);
  g_autofree char *origin = NULL;
  g_autofree char *base = NULL;

  if (uri == NULL || (origin = checked_origin (uri, error)) == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, SD_B24_ERROR, SD_B24_ERROR_BAD_URL,
                     _("The portal moved to an address that cannot be used"));
      return FALSE;
    }
  g_mutex_lock (&self->lock);
  base = g_strconcat (origin, self->base + strlen (self->portal), NULL);
  g_free (self->base);
  self->base = g_steal_pointer (&base);
  g_free (self->portal);
  self->portal = g_steal_pointer (&origin);
  g_mutex_unlock (&self->lock);
  return TRUE;
}

static double
backoff_seconds (guint attempt)
{
  /* Exponential from a quarter second, capped at half a minute, with full jitter so that
   * clients failing together do not come back together. */
  double ceiling = MIN (30.0, 0.25 * (double) (1u << MIN (attempt, 10u)));

  return g_random_double_range (ceiling / 2, ceiling);
}

/* @operating_methods: the methods whose operating time the call spends (a batch's inner
 * ones); NULL for @method itself. */
static JsonObject *
call_full (SdB24Client         *self,
           const char          *method,
           JsonObject          *params,
           SdB24CallFlags       flags,
           const char * const  *operating_methods,
           GCancellable        *cancellable,
           GError             **error)
{
  gboolean idempotent = (flags & SD_B24_CALL_WRITE) == 0;
  gboolean refreshed = FALSE;
  const char *single[] = { method, NULL };

  for (guint attempt = 0;; attempt++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(JsonObject) body = json_object_new ();
      g_autoptr(JsonNode) body_node = NULL;
      g_autoptr(GBytes) answer = NULL;
      g_autoptr(JsonObject) object = NULL;
      g_autofree char *text = NULL;
      g_autofree char *url = NULL;
      g_autofree char *location = NULL;
      guint status = 0;
      double pause;

      if (params != NULL)
        {
          GList *members = json_object_get_members (params);
          for (GList *l = members; l != NULL; l = l->next)
            json_object_set_member (body, l->data,
                                    json_node_copy (json_object_get_member (params, l->data)));
          g_list_free (members);
        }
      g_mutex_lock (&self->lock);
      if (self->access_token != NULL)
        json_object_set_string_member (body, "auth", self->access_token);
      /* A batch's commands run with the outer call's connector. */
      if (self->access_token != NULL && self->auth_connector != NULL)
        json_object_set_string_member (body, "auth_connector", self->auth_connector);
      url = g_strconcat (self->base, method, ".json", NULL);
      g_mutex_unlock (&self->lock);
      body_node = json_node_init_object (json_node_alloc (), body);
      text = json_to_string (body_node, FALSE);

      if (!operating_wait (self->limiter, operating_methods != NULL ? operating_methods : single,
                           cancellable, error)
          || !wait_seconds (limiter_reserve (self->limiter), cancellable, error))
        return NULL;
      answer = send_once (self, "POST", url, text, &status, &location, cancellable, &local_error);
      if (answer != NULL && status >= 300 && status < 400 && location != NULL)
        {
          if (!follow_move (self, location, error))
            return NULL;
          if (attempt + 1 < self->max_attempts)
            continue;
          g_set_error (error, SD_B24_ERROR, SD_B24_ERROR_BAD_URL,
                       _("The portal keeps sending to another address"));
          return NULL;
        }
      if (answer != NULL)
        object = parse_object (answer, status, &local_error);

      if (object != NULL && json_object_has_member (object, "error"))
        sd_b24_error_set_from_object (&local_error, object, status);
      else if (object != NULL && !json_object_has_member (object, "result"))
        g_set_error (&local_error, SD_B24_ERROR, SD_B24_ERROR_MALFORMED,
                     _("The portal’s answer has no result"));
      else if (object != NULL)
        {
          limiter_succeeded (self->limiter);
          operating_record (self->limiter, method, json_object_get_member (object, "time"));
          return g_steal_pointer (&object);
        }

      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      if (g_error_matches (local_error, SD_B24_ERROR, SD_B24_ERROR_TOKEN_EXPIRED) && !refreshed)
        {
          /* Once per call, as the docs advise: a second expiry is not a race. */
          refreshed = TRUE;
          if (!refresh_tokens (self, cancellable, error))
            return NULL;
          continue;
        }
      if (g_error_matches (local_error, SD_B24_ERROR, SD_B24_ERROR_RATE_LIMIT))
        limiter_refused (self->limiter);
      /* A portal that cannot be reached at all is offline: say so soon, rather than after
       * minutes of waiting; a reset now and then gets its few retries. */
      if (!sd_b24_error_is_transient (local_error, idempotent) || attempt + 1 >= self->max_attempts
          || (g_error_matches (local_error, SD_B24_ERROR, SD_B24_ERROR_NO_NETWORK)
              && attempt + 1 >= MIN (self->max_attempts, 4u)))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      g_debug ("%s failed (%s), attempt %u", method, local_error->message, attempt + 1);
      /* The refused-for-speed case already waits in the bucket. */
      pause = g_error_matches (local_error, SD_B24_ERROR, SD_B24_ERROR_RATE_LIMIT)
              ? g_random_double_range (0.0, 0.2) : backoff_seconds (attempt);
      if (g_error_matches (local_error, SD_B24_ERROR, SD_B24_ERROR_OPERATING_LIMIT))
        pause = MAX (pause, 10.0);
      if (!wait_seconds (pause, cancellable, error))
        return NULL;
    }
}

JsonObject *
sd_b24_client_call (SdB24Client    *self,
                    const char     *method,
                    JsonObject     *params,
                    SdB24CallFlags  flags,
                    GCancellable   *cancellable,
                    GError        **error)
{
  g_return_val_if_fail (SD_IS_B24_CLIENT (self), NULL);
  g_return_val_if_fail (method != NULL, NULL);

  return call_full (self, method, params, flags, NULL, cancellable, error);
}

typedef struct
{
  char          *method;
  JsonObject    *params;
  SdB24CallFlags flags;
} CallData;

static void
call_data_free (CallData *data)
{
  g_free (data->method);
  g_clear_pointer (&data->params, json_object_unref);
  g_free (data);
}

static void
call_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  CallData *data = task_data;
  GError *error = NULL;
  JsonObject *answer = sd_b24_client_call (source, data->method, data->params, data->flags,
                                           cancellable, &error);

  if (answer != NULL)
    g_task_return_pointer (task, answer, (GDestroyNotify) json_object_unref);
  else
    g_task_return_error (task, error);
}

void
sd_b24_client_call_async (SdB24Client        *self,
                          const char         *method,
                          JsonObject         *params,
                          SdB24CallFlags      flags,
                          GCancellable       *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  CallData *data;

  g_return_if_fail (SD_IS_B24_CLIENT (self));

  data = g_new0 (CallData, 1);
  data->method = g_strdup (method);
  data->params = params != NULL ? json_object_ref (params) : NULL;
  data->flags = flags;
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sd_b24_client_call_async);
  g_task_set_task_data (task, data, (GDestroyNotify) call_data_free);
  g_task_run_in_thread (task, call_thread);
}

JsonObject *
sd_b24_client_call_finish (SdB24Client   *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
append_query (GString    *query,
              const char *prefix,
              JsonNode   *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      GList *members = json_object_get_members (object);

      for (GList *l = members; l != NULL; l = l->next)
        {
          g_autofree char *key = prefix != NULL ? g_strdup_printf ("%s[%s]", prefix, (char *) l->data)
                                                : g_strdup (l->data);
          append_query (query, key, json_object_get_member (object, l->data));
        }
      g_list_free (members);
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          g_autofree char *key = g_strdup_printf ("%s[%u]", prefix, i);
          append_query (query, key, json_array_get_element (array, i));
        }
    }
  else if (JSON_NODE_HOLDS_VALUE (node))
    {
      g_autofree char *escaped_key = g_uri_escape_string (prefix, NULL, FALSE);
      g_autofree char *value = NULL;
      g_autofree char *escaped_value = NULL;

      switch (json_node_get_value_type (node))
        {
        case G_TYPE_BOOLEAN:
          value = g_strdup (json_node_get_boolean (node) ? "1" : "0");
          break;
        case G_TYPE_INT64:
          value = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
          break;
        case G_TYPE_DOUBLE:
          value = g_malloc (G_ASCII_DTOSTR_BUF_SIZE);
          g_ascii_dtostr (value, G_ASCII_DTOSTR_BUF_SIZE, json_node_get_double (node));
          break;
        default:
          value = g_strdup (json_node_get_string (node));
        }
      escaped_value = g_uri_escape_string (value, NULL, FALSE);
      if (query->len > 0)
        g_string_append_c (query, '&');
      g_string_append_printf (query, "%s=%s", escaped_key, escaped_value);
    }
  /* null drops out, as in PHP's http_build_query (reference §2.1). */
}

char *
sd_b24_build_query (JsonObject *params)
{
  g_autoptr(JsonNode) node = NULL;
  GString *query = g_string_new (NULL);

  if (params != NULL)
    {
      node = json_node_init_object (json_node_alloc (), params);
      append_query (query, NULL, node);
    }
  return g_string_free (query, FALSE);
}

struct _SdB24Batch
{
  JsonObject *commands;
};

SdB24Batch *
sd_b24_batch_new (void)
{
  SdB24Batch *batch = g_new0 (SdB24Batch, 1);

  batch->commands = json_object_new ();
  return batch;
}

void
sd_b24_batch_free (SdB24Batch *batch)
{
  json_object_unref (batch->commands);
  g_free (batch);
}

guint
sd_b24_batch_get_size (SdB24Batch *batch)
{
  return json_object_get_size (batch->commands);
}

void
sd_b24_batch_add (SdB24Batch *batch,
                  const char *key,
                  const char *method,
                  JsonObject *params)
{
  g_autofree char *query = sd_b24_build_query (params);
  g_autofree char *command = NULL;

  g_return_if_fail (sd_b24_batch_get_size (batch) < SD_B24_BATCH_MAX);
  /* Numeric keys would come back as JSON arrays (PHP); the callers use names. */
  g_return_if_fail (key != NULL && !g_ascii_isdigit (*key));
  command = *query != '\0' ? g_strconcat (method, "?", query, NULL) : g_strdup (method);
  json_object_set_string_member (batch->commands, key, command);
}

/* A part of a batch answer is an object keyed by command, or [] when empty (PHP). */
static JsonNode *
batch_part (JsonObject *answer,
            const char *part,
            const char *key)
{
  JsonObject *result = json_object_get_object_member (answer, "result");
  JsonNode *node = json_object_get_member (result, part);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_object_get_member (json_node_get_object (node), key);
}

JsonObject *
sd_b24_client_batch (SdB24Client    *self,
                     SdB24Batch     *batch,
                     SdB24CallFlags  flags,
                     GCancellable   *cancellable,
                     GError        **error)
{
  g_autoptr(JsonObject) params = json_object_new ();
  g_autoptr(GPtrArray) methods = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();
  GList *members = json_object_get_members (batch->commands);
  JsonObject *answer;
  JsonNode *result;

  g_return_val_if_fail (SD_IS_B24_CLIENT (self), NULL);

  /* The outer batch costs no operating time; each command costs its own method's. */
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *command = json_object_get_string_member (batch->commands, l->data);
      const char *query = strchr (command, '?');

      g_ptr_array_add (keys, l->data);
      g_ptr_array_add (methods, query != NULL ? g_strndup (command, query - command) : g_strdup (command));
    }
  g_list_free (members);
  g_ptr_array_add (methods, NULL);

  json_object_set_int_member (params, "halt", 0);
  json_object_set_object_member (params, "cmd", json_object_ref (batch->commands));
  answer = call_full (self, "batch", params, flags, (const char * const *) methods->pdata,
                      cancellable, error);
  if (answer == NULL)
    return NULL;
  result = json_object_get_member (answer, "result");
  if (!JSON_NODE_HOLDS_OBJECT (result))
    {
      json_object_unref (answer);
      g_set_error (error, SD_B24_ERROR, SD_B24_ERROR_MALFORMED,
                   _("The portal’s answer to a batch has no results"));
      return NULL;
    }
  for (guint i = 0; i < keys->len; i++)
    operating_record (self->limiter, methods->pdata[i], batch_part (answer, "result_time", keys->pdata[i]));
  return answer;
}

JsonNode *
sd_b24_batch_get_result (JsonObject  *answer,
                         const char  *key,
                         gint64      *next,
                         GError     **error)
{
  JsonNode *failure = batch_part (answer, "result_error", key);
  JsonNode *result = batch_part (answer, "result", key);
  JsonNode *next_node = batch_part (answer, "result_next", key);

  if (next != NULL)
    *next = next_node != NULL && JSON_NODE_HOLDS_VALUE (next_node) ? json_node_get_int (next_node) : -1;
  if (failure != NULL && JSON_NODE_HOLDS_OBJECT (failure))
    {
      sd_b24_error_set_from_object (error, json_node_get_object (failure), 400);
      return NULL;
    }
  if (result == NULL)
    {
      g_set_error (error, SD_B24_ERROR, SD_B24_ERROR_MALFORMED,
                   _("The portal’s batch answer misses a command"));
      return NULL;
    }
  return result;
}
