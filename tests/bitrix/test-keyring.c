/* test-keyring.c: the credential lives in the keyring, one entry a database.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-b24-secret.h"
#include "sd-test-sync.h"

#include <glib/gstdio.h>

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *home = g_dir_make_tmp ("sdelka-keyring-XXXXXX", NULL);
  g_autofree char *db_a = g_build_filename (home, "a.db", NULL);
  g_autofree char *db_b = g_build_filename (home, "b.db", NULL);
  g_autofree char *found = NULL;
  GSubprocess *daemon;
  const char *url = "https://example.bitrix24.ru/rest/1/k3yr1ngS3cret/";

  g_test_init (&argc, &argv, NULL);
  if ((daemon = sd_test_keyring_start (home)) == NULL)
    {
      g_print ("1..0 # SKIP no private session bus for a keyring\n");
      return 77;
    }

  g_assert_true (sd_b24_secret_store (db_a, "Sdelka test", url, NULL, &error));
  g_assert_no_error (error);
  found = sd_b24_secret_lookup (db_a, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, url);
  g_clear_pointer (&found, g_free);
  /* Another database has its own (none). */
  found = sd_b24_secret_lookup (db_b, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (found);
  /* Replaced, not added. */
  g_assert_true (sd_b24_secret_store (db_a, "Sdelka test", "https://x.bitrix24.ru/rest/2/other/", NULL, &error));
  found = sd_b24_secret_lookup (db_a, NULL, &error);
  g_assert_cmpstr (found, ==, "https://x.bitrix24.ru/rest/2/other/");
  g_clear_pointer (&found, g_free);

  g_assert_true (sd_b24_secret_clear (db_a, NULL, &error));
  g_assert_no_error (error);
  found = sd_b24_secret_lookup (db_a, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (found);
  /* Clearing what is not there is no failure. */
  g_assert_true (sd_b24_secret_clear (db_a, NULL, &error));

  sd_test_keyring_stop (daemon);
  g_print ("1..1\nok 1 /keyring/store-lookup-clear\n");
  return 0;
}
