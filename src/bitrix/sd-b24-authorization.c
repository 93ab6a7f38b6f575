/* sd-b24-authorization.c: the consent page's answer, received on the loopback interface.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-b24"

#include "sd-b24-authorization.h"

#include "sd-b24-error.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#define REDIRECT_PATH "/sdelka/authorized"

struct _SdB24Authorization
{
  GObject     parent_instance;

  char       *portal;
  char       *client_id;
  char       *client_secret;
  char       *token_url;
  char       *state;        /* ties the answer to this request */
  char       *uri;
  SoupServer *server;
  GSocketService *service;  /* accepts for the server (see listen_loopback) */
  GTask      *task;         /* the wait, until the code came or it ended */
  GMainContext *context;    /* where the wait runs */
  gulong      cancelled_id;
};

G_DEFINE_FINAL_TYPE (SdB24Authorization, sd_b24_authorization, G_TYPE_OBJECT)

static void
close_listener (SdB24Authorization *self)
{
  if (self->service != NULL)
    {
      g_socket_service_stop (self->service);
      g_socket_listener_close (G_SOCKET_LISTENER (self->service));
    }
  if (self->server != NULL)
    soup_server_disconnect (self->server);
}

static void
sd_b24_authorization_dispose (GObject *object)
{
  SdB24Authorization *self = SD_B24_AUTHORIZATION (object);

  close_listener (self);
  g_clear_object (&self->service);
  g_clear_object (&self->server);
  G_OBJECT_CLASS (sd_b24_authorization_parent_class)->dispose (object);
}

static void
sd_b24_authorization_finalize (GObject *object)
{
  SdB24Authorization *self = SD_B24_AUTHORIZATION (object);

  g_free (self->portal);
  g_free (self->client_id);
  g_free (self->client_secret);
  g_free (self->token_url);
  g_free (self->state);
  g_free (self->uri);
  g_clear_pointer (&self->context, g_main_context_unref);
  G_OBJECT_CLASS (sd_b24_authorization_parent_class)->finalize (object);
}

static void
sd_b24_authorization_class_init (SdB24AuthorizationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sd_b24_authorization_dispose;
  object_class->finalize = sd_b24_authorization_finalize;
}

static void
sd_b24_authorization_init (SdB24Authorization *self)
{
}

static void
respond_page (SoupServerMessage *msg,
              guint              status,
              const char        *title,
              const char        *text)
{
  g_autofree char *safe_title = g_markup_escape_text (title, -1);
  g_autofree char *safe_text = g_markup_escape_text (text, -1);
  g_autofree char *page = g_strdup_printf ("<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
                                           "<title>%s</title></head><body style=\"font-family:sans-serif;"
                                           "margin:4em auto;max-width:36em\"><h1>%s</h1><p>%s</p>"
                                           "</body></html>", safe_title, safe_title, safe_text);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "text/html; charset=utf-8", SOUP_MEMORY_COPY, page,
                                    strlen (page));
}

/* Ends the wait once: cancelling no longer matters. */
static GTask *
take_task (SdB24Authorization *self)
{
  GTask *task = g_steal_pointer (&self->task);

  if (task != NULL && self->cancelled_id != 0)
    g_cancellable_disconnect (g_task_get_cancellable (task), self->cancelled_id);
  self->cancelled_id = 0;
  return task;
}

/* The listener closes once the browser has the last page: closed before, the browser
 * would send the request again and find nobody listening. */
static void
close_after (SdB24Authorization *self,
             SoupServerMessage  *msg)
{
  g_signal_connect_object (msg, "finished", G_CALLBACK (close_listener), self, G_CONNECT_SWAPPED);
}

static void
exchange_thread (GTask        *task,
                 gpointer      source,
                 gpointer      code,
                 GCancellable *cancellable)
{
  SdB24Authorization *self = source;
  GError *error = NULL;
  SdB24Client *client = sd_b24_client_new_authorized (self->portal, self->client_id,
                                                      self->client_secret, self->token_url,
                                                      code, cancellable, &error);

  if (client == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, client, g_object_unref);
}

static void
answer_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  SdB24Authorization *self = user_data;
  const char *code = query != NULL ? g_hash_table_lookup (query, "code") : NULL;
  const char *state = query != NULL ? g_hash_table_lookup (query, "state") : NULL;
  const char *refusal = query != NULL ? g_hash_table_lookup (query, "error") : NULL;
  g_autoptr(GTask) task = NULL;

  if (g_strcmp0 (path, REDIRECT_PATH) != 0 || self->task == NULL)
    {
      soup_server_message_set_status (msg, 404, NULL);
      return;
    }
  /* Anything else on this machine could call the listener: only the portal's answer to
   * this very request counts. */
  if (g_strcmp0 (state, self->state) != 0)
    {
      respond_page (msg, 400, _("Not this connection"),
                    _("This answer does not belong to the connection Sdelka is waiting for."));
      return;
    }
  if (code == NULL || *code == '\0')
    {
      respond_page (msg, 200, _("Access not given"),
                    _("The portal did not give Sdelka access. You can close this page."));
      close_after (self, msg);
      task = take_task (self);
      g_task_return_new_error (task, SD_B24_ERROR, SD_B24_ERROR_ACCESS_DENIED,
                               _("The portal did not give Sdelka access (%s)"),
                               refusal != NULL ? refusal : _("no code"));
      return;
    }
  respond_page (msg, 200, _("Sdelka is connected"),
                _("You can close this page and go back to Sdelka."));
  close_after (self, msg);
  task = take_task (self);
  g_task_set_task_data (task, g_strdup (code), g_free);
  g_task_run_in_thread (task, exchange_thread);
}

static void
request_started_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           data)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
}

static gboolean
incoming_cb (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source,
             SoupServer        *server)
{
  g_autoptr(GSocketAddress) local = g_socket_connection_get_local_address (connection, NULL);
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);

  if (local != NULL && remote != NULL)
    soup_server_accept_iostream (server, G_IO_STREAM (connection), local, remote, NULL);
  return TRUE;
}

/* A port on 127.0.0.1 for the server; its number. libsoup 3.2 (Debian 12) keeps a
 * reference too many on every socket its own listener accepts, never frees the address
 * soup_server_listen_local() looks up, nor a kept-alive connection the browser drops:
 * so the connections are accepted here and handed over, and each answer closes its own. */
static guint16
listen_loopback (SdB24Authorization  *self,
                 GError             **error)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  self->service = g_socket_service_new ();
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (self->service), address, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, &bound, error))
    return 0;
  g_signal_connect_object (self->service, "incoming", G_CALLBACK (incoming_cb), self->server, 0);
  g_signal_connect (self->server, "request-started", G_CALLBACK (request_started_cb), NULL);
  g_socket_service_start (self->service);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

SdB24Authorization *
sd_b24_authorization_new (const char  *portal_url,
                          const char  *client_id,
                          const char  *client_secret,
                          const char  *token_url,
                          GError     **error)
{
  g_autoptr(SdB24Authorization) self = NULL;
  g_autofree char *portal = NULL;
  g_autofree char *redirect = NULL;
  g_autofree char *escaped_redirect = NULL, *escaped_id = NULL;
  guint16 port;

  g_return_val_if_fail (portal_url != NULL && client_id != NULL && client_secret != NULL, NULL);

  if ((portal = sd_b24_portal_origin (portal_url, error)) == NULL)
    return NULL;
  if (*client_id == '\0' || *client_secret == '\0')
    {
      g_set_error (error, SD_B24_ERROR, SD_B24_ERROR_AUTH,
                   _("Both the application's code (client_id) and key (client_secret) are needed"));
      return NULL;
    }
  self = g_object_new (SD_TYPE_B24_AUTHORIZATION, NULL);
  self->portal = g_steal_pointer (&portal);
  self->client_id = g_strdup (client_id);
  self->client_secret = g_strdup (client_secret);
  self->token_url = g_strdup (token_url != NULL ? token_url : SD_B24_TOKEN_URL);
  self->state = g_uuid_string_random ();

  self->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (self->server, NULL, answer_cb, self, NULL);
  if ((port = listen_loopback (self, error)) == 0)
    return NULL;
  redirect = g_strdup_printf ("http://127.0.0.1:%u" REDIRECT_PATH, port);

  escaped_redirect = g_uri_escape_string (redirect, NULL, FALSE);
  escaped_id = g_uri_escape_string (client_id, NULL, FALSE);
  self->uri = g_strdup_printf ("%s/oauth/authorize/?client_id=%s&state=%s&redirect_uri=%s",
                               self->portal, escaped_id, self->state, escaped_redirect);
  return g_steal_pointer (&self);
}

const char *
sd_b24_authorization_get_uri (SdB24Authorization *self)
{
  g_return_val_if_fail (SD_IS_B24_AUTHORIZATION (self), NULL);
  return self->uri;
}

static gboolean
cancel_in_context (gpointer data)
{
  SdB24Authorization *self = data;
  g_autoptr(GTask) task = take_task (self);

  close_listener (self);
  if (task != NULL)
    g_task_return_error_if_cancelled (task);
  return G_SOURCE_REMOVE;
}

static void
cancelled_cb (GCancellable       *cancellable,
              SdB24Authorization *self)
{
  /* May run in another thread, and never from inside the cancel itself (which the
   * disconnect in take_task would deadlock): the wait ends later, in its own context. */
  g_autoptr(GSource) source = g_idle_source_new ();

  /* Ahead of redrawing: a window drawing frame after frame (a spinner on a slow display)
   * would otherwise keep an idle from ever running. */
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, cancel_in_context, g_object_ref (self), g_object_unref);
  g_source_attach (source, self->context);
}

void
sd_b24_authorization_wait_async (SdB24Authorization *self,
                                 GCancellable       *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer            user_data)
{
  g_return_if_fail (SD_IS_B24_AUTHORIZATION (self));
  g_return_if_fail (self->task == NULL);

  self->task = g_task_new (self, cancellable, callback, user_data);
  g_clear_pointer (&self->context, g_main_context_unref);
  self->context = g_main_context_ref_thread_default ();
  g_task_set_source_tag (self->task, sd_b24_authorization_wait_async);
  if (g_task_return_error_if_cancelled (self->task))
    {
      g_clear_object (&self->task);
      return;
    }
  if (cancellable != NULL)
    self->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb), self, NULL);
}

SdB24Client *
sd_b24_authorization_wait_finish (SdB24Authorization *self,
                                  GAsyncResult       *result,
                                  GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

char *
sd_b24_authorization_explain (const GError *error)
{
  const char *advice;

  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain != SD_B24_ERROR)
    return sd_b24_error_explain (error);
  switch (error->code)
    {
    case SD_B24_ERROR_BAD_URL:
      advice = _("This is not the address of a Bitrix24 portal. Type it as your browser shows "
                 "it, like https://company.bitrix24.ru.");
      break;
    case SD_B24_ERROR_AUTH:
      advice = _("The portal did not accept the application’s code or key. Copy both from the "
                 "local application’s page in Bitrix24 again.");
      break;
    case SD_B24_ERROR_SCOPE:
      advice = _("The application does not have enough permissions. In Bitrix24 edit the local "
                 "application and tick CRM, Users and Departments.");
      break;
    case SD_B24_ERROR_ACCESS_DENIED:
      advice = _("The portal did not give Sdelka access: it was refused in the browser, or the "
                 "portal’s user may not do this.");
      break;
    default:
      return sd_b24_error_explain (error);
    }
  return g_strdup_printf ("%s\n(%s)", advice, error->message);
}
