/* test-client.c: the REST client on its own: addresses, errors, retries, limits, TLS.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-b24-client.h"
#include "test-util.h"
#include "b24-listen.h"

#include <string.h>

/* A portal stand-in answering from its own thread as @mode says. */
typedef struct
{
  GMainContext *context;
  GMainLoop    *loop;
  GThread      *thread;
  gboolean      tls;
  const char   *mode;
  char         *base;
  gint          hits;      /* atomic */
} Stub;

static void
reply (SoupServerMessage *message,
       guint              status,
       const char        *body)
{
  soup_server_message_set_status (message, status, NULL);
  soup_server_message_set_response (message, "application/json", SOUP_MEMORY_COPY, body, strlen (body));
}

static void
handle (SoupServer        *server,
        SoupServerMessage *message,
        const char        *path,
        GHashTable        *query,
        gpointer           data)
{
  Stub *stub = data;
  int hit = g_atomic_int_add (&stub->hits, 1) + 1;

  if (strcmp (stub->mode, "truncated") == 0)
    reply (message, 200, "{\"result\":[{\"ID\":\"1\"},{\"ID\":");
  else if (strcmp (stub->mode, "not-found") == 0)
    reply (message, 400, "{\"error\":\"\",\"error_description\":\"Not found\"}");
  else if (strcmp (stub->mode, "scope") == 0)
    reply (message, 401, "{\"error\":\"insufficient_scope\",\"error_description\":\"The request requires higher privileges than provided by the webhook token\"}");
  else if (strcmp (stub->mode, "flaky") == 0)
    {
      if (hit < 3)
        reply (message, 500, "{\"error\":\"INTERNAL_SERVER_ERROR\",\"error_description\":\"Internal server error\"}");
      else
        reply (message, 200, "{\"result\":true}");
    }
  else if (strcmp (stub->mode, "html") == 0)
    {
      soup_server_message_set_status (message, 502, NULL);
      soup_server_message_set_response (message, "text/html", SOUP_MEMORY_STATIC,
                                        "<html>Bad Gateway</html>", 24);
    }
  else if (strcmp (stub->mode, "limit-in-200") == 0)
    {
      /* Some portals were seen sending the error with 200: the body decides. */
      if (hit == 1)
        reply (message, 200, "{\"error\":\"QUERY_LIMIT_EXCEEDED\",\"error_description\":\"Too many requests\"}");
      else
        reply (message, 200, "{\"result\":42}");
    }
  else if (strcmp (stub->mode, "moved") == 0)
    {
      if (hit == 1)
        {
          g_autoptr(GUri) uri = soup_server_message_get_uri (message) != NULL
                                ? g_uri_ref (soup_server_message_get_uri (message)) : NULL;
          g_autofree char *location = g_strdup_printf ("http://localhost:%d%s", g_uri_get_port (uri), path);

          soup_server_message_set_redirect (message, 302, location);
        }
      else
        reply (message, 200, "{\"result\":\"moved\"}");
    }
  else
    reply (message, 500, "{\"error\":\"INTERNAL_SERVER_ERROR\",\"error_description\":\"Internal server error\"}");
}

static gpointer
stub_thread (gpointer data)
{
  Stub *stub = data;
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(GError) error = NULL;
  char *base;

  g_main_context_push_thread_default (stub->context);
  if (stub->tls)
    {
      g_autofree char *pem = g_test_build_filename (G_TEST_DIST, "data", "selfsigned.pem", NULL);
      g_autoptr(GTlsCertificate) certificate = g_tls_certificate_new_from_file (pem, &error);

      g_assert_no_error (error);
      server = soup_server_new ("tls-certificate", certificate, NULL);
    }
  else
    server = soup_server_new (NULL, NULL);
  soup_server_add_handler (server, NULL, handle, stub, NULL);
  /* Not soup_server_listen_local(): see b24-listen.c. */
  base = b24_listen_loopback (server, 0, stub->tls ? SOUP_SERVER_LISTEN_HTTPS : 0, &error);
  g_assert_no_error (error);
  g_atomic_pointer_set (&stub->base, base);
  g_main_loop_run (stub->loop);
  soup_server_disconnect (server);
  g_main_context_pop_thread_default (stub->context);
  return NULL;
}

static Stub *
stub_start (const char *mode,
            gboolean    tls)
{
  Stub *stub = g_new0 (Stub, 1);

  stub->mode = mode;
  stub->tls = tls;
  stub->context = g_main_context_new ();
  stub->loop = g_main_loop_new (stub->context, FALSE);
  stub->thread = g_thread_new ("stub", stub_thread, stub);
  while (g_atomic_pointer_get (&stub->base) == NULL)
    g_usleep (1000);
  return stub;
}

static void
stub_stop (Stub *stub)
{
  g_main_loop_quit (stub->loop);
  g_thread_join (stub->thread);
  g_main_loop_unref (stub->loop);
  g_main_context_unref (stub->context);
  g_free (stub->base);
  g_free (stub);
}

static SdB24Client *
stub_client (Stub *stub)
{
  g_autofree char *url = g_strconcat (stub->base, "/rest/1/s3cr3t/", NULL);
  g_autoptr(GError) error = NULL;
  SdB24Client *client = sd_b24_client_new_webhook (url, &error);

  g_assert_no_error (error);
  return client;
}

static void
test_addresses (void)
{
  static const char *const bad[] = {
    "not a url", "http://example.bitrix24.ru/rest/1/abc/", "https://example.bitrix24.ru/",
    "https://example.bitrix24.ru/rest/abc/def/", "https://example.bitrix24.ru/rest/1/",
    "ftp://example.bitrix24.ru/rest/1/abc/",
  };
  g_autoptr(SdB24Client) client = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(SdB24Client) refused = sd_b24_client_new_webhook (bad[i], &error);

      g_assert_null (refused);
      g_assert_error (error, SD_B24_ERROR, SD_B24_ERROR_BAD_URL);
      /* The address is the secret: messages never repeat it. */
      g_assert_null (strstr (error->message, "example."));
      g_clear_error (&error);
    }
  client = sd_b24_client_new_webhook (" https://example.bitrix24.ru/rest/1/abc123/profile.json\n", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sd_b24_client_get_portal (client), ==, "https://example.bitrix24.ru");
}

static void
test_query (void)
{
  g_autoptr(JsonNode) node = json_from_string ("{\"filter\":{\">ID\":\"$result[p0][49][ID]\",\"@ID\":[1,2]},"
                                               "\"select\":[\"ID\",\"TITLE\"],\"start\":-1,\"gone\":null,"
                                               "\"halt\":true,\"text\":\"a&b c\"}", NULL);
  g_autofree char *query = sd_b24_build_query (json_node_get_object (node));

  g_assert_nonnull (strstr (query, "filter%5B%3EID%5D=%24result%5Bp0%5D%5B49%5D%5BID%5D"));
  g_assert_nonnull (strstr (query, "filter%5B%40ID%5D%5B1%5D=2"));
  g_assert_nonnull (strstr (query, "select%5B1%5D=TITLE"));
  g_assert_nonnull (strstr (query, "start=-1"));
  g_assert_nonnull (strstr (query, "halt=1"));
  g_assert_nonnull (strstr (query, "text=a%26b%20c"));
  g_assert_null (strstr (query, "gone"));
}

static void
test_error_codes (void)
{
  static const struct { const char *example; guint status; int error; } cases[] = {
    { "error.503-QUERY_LIMIT_EXCEEDED.json", 503, SD_B24_ERROR_RATE_LIMIT },
    { "error.429-OPERATION_TIME_LIMIT.json", 429, SD_B24_ERROR_OPERATING_LIMIT },
    { "error.401-expired_token.json", 401, SD_B24_ERROR_TOKEN_EXPIRED },
    { "im.chat.add.401-invalid-credentials.json", 401, SD_B24_ERROR_AUTH },
    { "crm.deal.delete.400-invalid-id.json", 400, SD_B24_ERROR_INVALID },
    { "disk.folder.uploadfile.400-error-not-found.json", 400, SD_B24_ERROR_NOT_FOUND },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "b24-emulator", "examples",
                                                     cases[i].example, NULL);
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      const char *description;

      g_assert_true (json_parser_load_from_file (parser, path, NULL));
      sd_b24_error_set_from_object (&error, json_node_get_object (json_parser_get_root (parser)),
                                    cases[i].status);
      g_assert_error (error, SD_B24_ERROR, cases[i].error);
      /* The portal's own words are kept. */
      description = json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)),
                                                    "error_description");
      g_assert_nonnull (strstr (error->message, description));
    }
}

static void
test_truncated (void)
{
  Stub *stub = stub_start ("truncated", FALSE);
  g_autoptr(SdB24Client) client = stub_client (stub);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) answer = NULL;

  sd_b24_client_set_max_attempts (client, 3);
  answer = sd_b24_client_call (client, "crm.deal.list", NULL, SD_B24_CALL_READ, NULL, &error);
  g_assert_null (answer);
  g_assert_error (error, SD_B24_ERROR, SD_B24_ERROR_MALFORMED);
  g_assert_cmpint (g_atomic_int_get (&stub->hits), ==, 3);
  g_clear_error (&error);
  /* A write whose answer is cut may have run: it is not sent again. */
  answer = sd_b24_client_call (client, "crm.deal.add", NULL, SD_B24_CALL_WRITE, NULL, &error);
  g_assert_error (error, SD_B24_ERROR, SD_B24_ERROR_MALFORMED);
  g_assert_cmpint (g_atomic_int_get (&stub->hits), ==, 4);
  stub_stop (stub);
}

static void
test_no_retry_for_4xx (void)
{
  Stub *stub = stub_start ("not-found", FALSE);
  g_autoptr(SdB24Client) client = stub_client (stub);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) answer = sd_b24_client_call (client, "crm.deal.get", NULL, SD_B24_CALL_READ,
                                                     NULL, &error);

  g_assert_error (error, SD_B24_ERROR, SD_B24_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "Not found");
  g_assert_cmpint (g_atomic_int_get (&stub->hits), ==, 1);
  stub_stop (stub);

  stub = stub_start ("scope", FALSE);
  g_clear_object (&client);
  g_clear_error (&error);
  client = stub_client (stub);
  g_assert_null (sd_b24_client_call (client, "crm.deal.get", NULL, SD_B24_CALL_READ, NULL, &error));
  g_assert_error (error, SD_B24_ERROR, SD_B24_ERROR_SCOPE);
  g_assert_cmpint (g_atomic_int_get (&stub->hits), ==, 1);
  stub_stop (stub);
}

static void
test_retries (void)
{
  Stub *stub = stub_start ("flaky", FALSE);
  g_autoptr(SdB24Client) client = stub_client (stub);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) answer = sd_b24_client_call (client, "crm.deal.update", NULL, SD_B24_CALL_READ,
                                                     NULL, &error);

  g_assert_no_error (error);
  g_assert_true (json_object_get_boolean_member (answer, "result"));
  g_assert_cmpint (g_atomic_int_get (&stub->hits), ==, 3);
  g_assert_cmpuint (sd_b24_client_get_n_requests (client), ==, 3);
  stub_stop (stub);

  stub = stub_start ("limit-in-200", FALSE);
  g_clear_object (&client);
  g_clear_pointer (&answer, json_object_unref);
  client = stub_client (stub);
  /* Refused before it ran: even a write goes again. */
  answer = sd_b24_client_call (client, "crm.deal.add", NULL, SD_B24_CALL_WRITE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (answer, "result"), ==, 42);
  stub_stop (stub);

  stub = stub_start ("html", FALSE);
  g_clear_object (&client);
  client = stub_client (stub);
  sd_b24_client_set_max_attempts (client, 2);
  g_assert_null (sd_b24_client_call (client, "crm.deal.list", NULL, SD_B24_CALL_READ, NULL, &error));
  g_assert_error (error, SD_B24_ERROR, SD_B24_ERROR_SERVER);
  stub_stop (stub);
}

static void
test_moved_portal (void)
{
  Stub *stub = stub_start ("moved", FALSE);
  g_autoptr(SdB24Client) client = stub_client (stub);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) answer = sd_b24_client_call (client, "crm.deal.add", NULL, SD_B24_CALL_WRITE,
                                                     NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (answer, "result"), ==, "moved");
  g_assert_true (g_str_has_prefix (sd_b24_client_get_portal (client), "http://localhost:"));
  stub_stop (stub);
}

static gboolean
cancel_later (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
on_call_done (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  GError **error = data;
  JsonObject *answer = sd_b24_client_call_finish (SD_B24_CLIENT (source), result, error);

  g_assert_null (answer);
}

static void
test_cancel (void)
{
  Stub *stub = stub_start ("always-500", FALSE);
  g_autoptr(SdB24Client) client = stub_client (stub);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  /* Async, in a thread; the cancel comes during the backoff between retries. */
  g_timeout_add (700, cancel_later, cancellable);
  sd_b24_client_call_async (client, "crm.deal.list", NULL, SD_B24_CALL_READ, cancellable,
                            on_call_done, &error);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);
  stub_stop (stub);
}

static void
test_tls_refused (void)
{
  Stub *stub = stub_start ("flaky", TRUE);
  g_autoptr(SdB24Client) client = stub_client (stub);
  g_autoptr(GError) error = NULL;

  g_assert_null (sd_b24_client_call (client, "user.current", NULL, SD_B24_CALL_READ, NULL, &error));
  g_assert_error (error, SD_B24_ERROR, SD_B24_ERROR_TLS);
  /* Refused before anything was sent: the handler never ran. */
  g_assert_cmpint (g_atomic_int_get (&stub->hits), ==, 0);
  stub_stop (stub);
}

/* With the bucket matched to the portal, a burst of calls is paced, never refused. */
static void
test_limiter_paces (void)
{
  B24Test *portal = b24_test_start ("--rate", "10", "--burst", "5", NULL);
  g_autoptr(SdB24Client) client = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  client = sd_b24_client_new_webhook (portal->hook, &error);
  g_assert_no_error (error);
  sd_b24_client_set_limits (client, 10, 5);
  /* A refusal would fail the call. */
  sd_b24_client_set_max_attempts (client, 1);
  for (guint i = 0; i < 25; i++)
    {
      g_autoptr(JsonObject) answer = sd_b24_client_call (client, "user.current", NULL, SD_B24_CALL_READ,
                                                         NULL, &error);
      g_assert_no_error (error);
    }
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 1.8 * G_USEC_PER_SEC);
  b24_test_stop (portal);
}

/* A portal slower than the client thinks: refusals slow the client down, calls succeed. */
static void
test_limiter_adapts (void)
{
  B24Test *portal = b24_test_start ("--rate", "4", "--burst", "3", NULL);
  g_autoptr(SdB24Client) client = NULL;
  g_autoptr(GError) error = NULL;

  client = sd_b24_client_new_webhook (portal->hook, &error);
  g_assert_no_error (error);
  sd_b24_client_set_limits (client, 20, 40);
  for (guint i = 0; i < 30; i++)
    {
      g_autoptr(JsonObject) answer = sd_b24_client_call (client, "user.current", NULL, SD_B24_CALL_READ,
                                                         NULL, &error);
      g_assert_no_error (error);
    }
  g_assert_cmpuint (sd_b24_client_get_n_requests (client), >, 30);
  b24_test_stop (portal);
}


/* A method whose operating time is used up for minutes is not called: the call fails at
 * once, without a request the portal would refuse. */
static void
test_operating_limit (void)
{
  B24Test *portal = b24_test_start ("--operating-limit", "3", "--operating-cost", "1", NULL);
  g_autoptr(SdB24Client) client = NULL;
  g_autoptr(GError) error = NULL;
  guint succeeded = 0;

  client = sd_b24_client_new_webhook (portal->hook, &error);
  g_assert_no_error (error);
  sd_b24_client_set_operating_limit (client, 3);
  for (guint i = 0; i < 10 && error == NULL; i++)
    {
      g_autoptr(JsonObject) answer = sd_b24_client_call (client, "crm.deal.list", NULL, SD_B24_CALL_READ,
                                                         NULL, &error);
      if (answer != NULL)
        succeeded++;
    }
  g_assert_error (error, SD_B24_ERROR, SD_B24_ERROR_OPERATING_LIMIT);
  g_assert_cmpuint (succeeded, >=, 3);
  /* Refused here, not by the portal: no request was spent on it. */
  g_assert_cmpuint (sd_b24_client_get_n_requests (client), ==, succeeded);
  g_clear_error (&error);
  /* Other methods are not blocked. */
  {
    g_autoptr(JsonObject) answer = sd_b24_client_call (client, "user.current", NULL, SD_B24_CALL_READ,
                                                       NULL, &error);
    g_assert_no_error (error);
  }
  b24_test_stop (portal);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/client/addresses", test_addresses);
  g_test_add_func ("/client/query", test_query);
  g_test_add_func ("/client/error-codes", test_error_codes);
  g_test_add_func ("/client/truncated", test_truncated);
  g_test_add_func ("/client/no-retry-for-4xx", test_no_retry_for_4xx);
  g_test_add_func ("/client/retries", test_retries);
  g_test_add_func ("/client/moved-portal", test_moved_portal);
  g_test_add_func ("/client/cancel", test_cancel);
  g_test_add_func ("/client/tls-refused", test_tls_refused);
  g_test_add_func ("/client/limiter-paces", test_limiter_paces);
  g_test_add_func ("/client/limiter-adapts", test_limiter_adapts);
  g_test_add_func ("/client/operating-limit", test_operating_limit);
  return g_test_run ();
}
