/* test-cli-sync.c: sdelka-cli connect, sync and disconnect against the emulator, with a
 * private keyring; afterwards no file the app wrote holds the webhook's secret.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-test-sync.h"

#include <string.h>

#define SECRET "Zq8vR3pW0hooK"

static char *home;

/* Runs sdelka-cli with @args in the test's home; returns its exit status and output. */
static int
cli (char       **out,
     const char  *first,
     ...)
{
  g_autoptr(GSubprocessLauncher) launcher = sd_test_cli_launcher (home, G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  va_list ap;

  g_ptr_array_add (argv, (gpointer) g_getenv ("SDELKA_CLI"));
  va_start (ap, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, out, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("sdelka-cli %s → %d\n%s", first, g_subprocess_get_exit_status (process), *out);
  return g_subprocess_get_exit_status (process);
}

int
main (int argc, char **argv)
{
  g_autofree char *db = NULL, *url = NULL, *wrong = NULL, *out = NULL;
  g_autoptr(JsonNode) hook = NULL, act = NULL;
  GSubprocess *daemon;
  B24Test *portal;

  g_test_init (&argc, &argv, NULL);
  home = g_dir_make_tmp ("sdelka-cli-XXXXXX", NULL);
  if ((daemon = sd_test_keyring_start (home)) == NULL)
    {
      g_print ("1..0 # SKIP no private session bus for a keyring\n");
      return 77;
    }
  portal = b24_test_start ("--seed-deals", "700", "--seed-contacts", "80", NULL);
  hook = b24_test_control (portal, "webhook", "{\"user_id\":2,\"secret\":\"" SECRET "\"}");
  url = g_strconcat (portal->base, "/rest/2/" SECRET "/", NULL);
  wrong = g_strconcat (portal->base, "/rest/2/wrong" SECRET "/", NULL);
  db = g_build_filename (home, "sdelka.db", NULL);

  g_assert_cmpint (cli (&out, "--db", db, "sync", NULL), ==, 1);
  g_assert_nonnull (strstr (out, "Not connected"));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (cli (&out, "--db", db, "connect", wrong, NULL), ==, 1);
  g_assert_nonnull (strstr (out, "secret part is wrong"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (cli (&out, "--db", db, "connect", "https://nowhere.invalid/rest/1/x/", NULL), ==, 1);
  g_assert_nonnull (strstr (out, "Cannot reach the portal"));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (cli (&out, "--db", db, "connect", url, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Connected to"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (cli (&out, "--db", db, "sync", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Deals"));
  g_assert_nonnull (strstr (out, "agree"));
  g_clear_pointer (&out, g_free);

  act = b24_test_control (portal, "act", "{\"user_id\":3,\"method\":\"crm.deal.update\","
                                         "\"params\":{\"id\":3,\"fields\":{\"TITLE\":\"Из портала\"}}}");
  g_assert_cmpint (cli (&out, "--db", db, "sync", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Received 1,"));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (cli (&out, "--db", db, "disconnect", NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (cli (&out, "--db", db, "sync", NULL), ==, 1);
  g_clear_pointer (&out, g_free);

  /* Database, its journal files, settings, caches: the secret is in none of them. */
  sd_test_assert_no_file_contains (home, SECRET);

  b24_test_stop (portal);
  sd_test_keyring_stop (daemon);
  g_print ("1..1\nok 1 /cli/connect-sync-disconnect\n");
  return 0;
}
