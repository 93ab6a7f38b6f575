/* sd-cli-demo.c: sdelka-cli demo --deals N --seed S FILE
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-cli.h"
#include "sd-demo.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

static void
show_progress (goffset  current,
               goffset  total,
               gpointer data)
{
  g_printerr ("\r%s %" G_GOFFSET_FORMAT "/%" G_GOFFSET_FORMAT, _("Deals:"), current, total);
  if (current == total)
    g_printerr ("\n");
}

static gboolean
parse_day (const char *text,
           gint64     *out_unix)
{
  g_autofree char *iso = g_strconcat (text, "T00:00:00Z", NULL);
  g_autoptr(GDateTime) day = g_date_time_new_from_iso8601 (iso, NULL);

  if (day == NULL)
    return FALSE;
  *out_unix = g_date_time_to_unix (day);
  return TRUE;
}

int
sd_cli_demo (int argc, char **argv)
{
  int deals = 300;
  gint64 seed = 1;
  g_autofree char *today = NULL;
  gboolean force = FALSE;
  GOptionEntry entries[] = {
    { "deals", 'n', 0, G_OPTION_ARG_INT, &deals, N_("How many deals (default 300)"), "N" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, N_("The random seed (default 1)"), "S" },
    { "today", 0, 0, G_OPTION_ARG_STRING, &today,
      N_("The last day of the dataset (default: today)"), N_("YYYY-MM-DD") },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, N_("Replace FILE if it exists"), NULL },
    { NULL }
  };
  SdDemoOptions options = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(SdStore) store = NULL;
  g_autoptr(GTimer) timer = NULL;

  if (!sd_cli_parse ("demo", _("FILE"), _("Make a deterministic demo database in FILE."),
                     entries, &argc, &argv))
    return SD_CLI_USAGE;
  if (argc != 2)
    return sd_cli_usage (_("demo takes one FILE"));
  if (deals < 1 || deals > 10000000)
    return sd_cli_usage (_("--deals must be between 1 and 10000000"));
  options.n_deals = deals;
  options.seed = (guint64) seed;
  if (today != NULL && !parse_day (today, &options.today))
    return sd_cli_usage (_("--today takes a date as YYYY-MM-DD, not “%s”"), today);
  if (today == NULL)
    options.today = g_get_real_time () / G_USEC_PER_SEC / 86400 * 86400;

  if (g_file_test (argv[1], G_FILE_TEST_EXISTS))
    {
      g_autofree char *wal = g_strconcat (argv[1], "-wal", NULL);
      g_autofree char *shm = g_strconcat (argv[1], "-shm", NULL);

      if (!force)
        {
          g_printerr (_("sdelka-cli: %s exists; add --force to replace it\n"), argv[1]);
          return SD_CLI_FAILED;
        }
      g_unlink (argv[1]);
      g_unlink (wal);
      g_unlink (shm);
    }

  timer = g_timer_new ();
  store = sd_store_open (argv[1], &error);
  if (store == NULL || !sd_demo_generate (store, &options, show_progress, NULL, &error))
    return sd_cli_fail (g_steal_pointer (&error));
  g_print (_("Made %u deals in %s in %.2f s\n"), options.n_deals, argv[1],
           g_timer_elapsed (timer, NULL));
  return SD_CLI_OK;
}
