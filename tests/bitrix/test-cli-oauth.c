/* test-cli-oauth.c: sdelka-cli connect --app against the emulator: the consent page sends
 * the browser back to the CLI's loopback listener, the code becomes tokens kept in a
 * private keyring, a sync runs on them, and tokens renewed mid-sync are written back.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-b24-secret.h"
#include "sd-test-sync.h"

#include <libsoup/soup.h>
#include <string.h>

#define CLIENT_ID "local.emulator00000001.00000001"
#define CLIENT_SECRET "emulator-client-secret"

static char *home;

static int
cli_sync (const char  *db,
          char       **out)
{
  g_autoptr(GSubprocessLauncher) launcher = sd_test_cli_launcher (home, G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("SDELKA_CLI"), "--db", db, "sync", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, out, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("sdelka-cli sync → %d\n%s", g_subprocess_get_exit_status (process), *out);
  return g_subprocess_get_exit_status (process);
}

/* GET @url, redirects followed; the final status and body. */
static guint
browse (SoupSession *session,
        const char  *url,
        char       **body)
{
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = soup_session_send_and_read (session, msg, NULL, &error);

  g_assert_no_error (error);
  *body = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  return soup_message_get_status (msg);
}

static JsonObject *
stored_credential (const char *db)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = sd_b24_secret_lookup (db, NULL, &error);
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_no_error (error);
  g_assert_nonnull (secret);
  g_assert_true (json_parser_load_from_data (parser, secret, -1, NULL));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

int
main (int argc, char **argv)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) connect = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(SoupSession) browser = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) output = g_string_new (NULL);
  g_autoptr(JsonObject) first = NULL, renewed = NULL;
  g_autoptr(JsonNode) expired = NULL, act = NULL;
  g_autoptr(GHashTable) params = NULL;
  g_autofree char *db = NULL, *token_url = NULL, *consent = NULL, *forged = NULL, *page = NULL;
  g_autofree char *out = NULL;
  GSubprocess *daemon;
  B24Test *portal;
  GOutputStream *input;
  char *line;

  g_test_init (&argc, &argv, NULL);
  home = g_dir_make_tmp ("sdelka-oauth-XXXXXX", NULL);
  if ((daemon = sd_test_keyring_start (home)) == NULL)
    {
      g_print ("1..0 # SKIP no private session bus for a keyring\n");
      return 77;
    }
  portal = b24_test_start ("--seed-deals", "300", "--seed-contacts", "40", NULL);
  db = g_build_filename (home, "sdelka.db", NULL);
  token_url = g_strconcat (portal->base, "/oauth/token/", NULL);

  /* The key goes in on standard input, never on the command line. */
  launcher = sd_test_cli_launcher (home, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  connect = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("SDELKA_CLI"), "--db", db, "connect",
                                         "--app", CLIENT_ID, "--token-url", token_url, portal->base, NULL);
  g_assert_no_error (error);
  input = g_subprocess_get_stdin_pipe (connect);
  g_assert_true (g_output_stream_write_all (input, CLIENT_SECRET "\n", strlen (CLIENT_SECRET) + 1,
                                            NULL, NULL, &error));
  g_output_stream_close (input, NULL, NULL);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (connect));
  while (consent == NULL
         && (line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error)) != NULL)
    {
      g_string_append_printf (output, "%s\n", line);
      if (g_str_has_prefix (line, portal->base))
        consent = g_strdup (line);
      g_free (line);
    }
  g_assert_no_error (error);
  g_assert_nonnull (consent);
  g_assert_true (g_str_has_prefix (consent, portal->base));
  g_assert_nonnull (strstr (consent, "/oauth/authorize/?client_id=" CLIENT_ID));
  g_assert_null (strstr (consent, CLIENT_SECRET));

  /* Another program on this machine calling the listener with a made-up answer is turned
   * away, and the CLI goes on waiting for the real one. */
  params = g_uri_parse_params (strchr (consent, '?') + 1, -1, "&", G_URI_PARAMS_NONE, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (g_hash_table_lookup (params, "redirect_uri"), "http://127.0.0.1:"));
  forged = g_strconcat (g_hash_table_lookup (params, "redirect_uri"), "?code=forged&state=guess", NULL);
  browser = soup_session_new_with_options ("timeout", 30, NULL);
  g_assert_cmpuint (browse (browser, forged, &page), ==, 400);
  g_clear_pointer (&page, g_free);

  /* The person allows access on the portal; the browser lands on the CLI's page. */
  g_assert_cmpuint (browse (browser, consent, &page), ==, 200);
  g_assert_nonnull (strstr (page, "Sdelka is connected"));
  while ((line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error)) != NULL)
    {
      g_string_append_printf (output, "%s\n", line);
      g_free (line);
    }
  g_subprocess_wait (connect, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("sdelka-cli connect --app → %d\n%s", g_subprocess_get_exit_status (connect), output->str);
  g_assert_cmpint (g_subprocess_get_exit_status (connect), ==, 0);
  g_assert_nonnull (strstr (output->str, "Connected to"));

  first = stored_credential (db);
  g_assert_cmpstr (json_object_get_string_member (first, "client_id"), ==, CLIENT_ID);
  g_assert_cmpstr (json_object_get_string_member (first, "token_url"), ==, token_url);

  g_assert_cmpint (cli_sync (db, &out), ==, 0);
  g_assert_nonnull (strstr (out, "agree"));
  g_clear_pointer (&out, g_free);

  /* The next morning: the access token has expired. The sync renews it and goes on, and
   * the new pair replaces the old one in the keyring, so the sync after works too. */
  expired = b24_test_control (portal, "expire_tokens", "{}");
  g_assert_cmpint (b24_test_int (expired, "expired"), >, 0);
  act = b24_test_control (portal, "act", "{\"user_id\":2,\"method\":\"crm.deal.update\","
                                         "\"params\":{\"id\":5,\"fields\":{\"TITLE\":\"Утром\"}}}");
  g_assert_cmpint (cli_sync (db, &out), ==, 0);
  g_assert_nonnull (strstr (out, "Received 1,"));
  g_clear_pointer (&out, g_free);
  renewed = stored_credential (db);
  g_assert_cmpstr (json_object_get_string_member (renewed, "refresh_token"), !=,
                   json_object_get_string_member (first, "refresh_token"));
  g_assert_cmpint (cli_sync (db, &out), ==, 0);
  g_clear_pointer (&out, g_free);

  /* Nothing the app wrote holds the key or a token. */
  sd_test_assert_no_file_contains (home, CLIENT_SECRET);
  sd_test_assert_no_file_contains (home, json_object_get_string_member (renewed, "access_token"));
  sd_test_assert_no_file_contains (home, json_object_get_string_member (renewed, "refresh_token"));

  b24_test_stop (portal);
  sd_test_keyring_stop (daemon);
  g_print ("1..1\nok 1 /cli/connect-app-sync-renew\n");
  return 0;
}
