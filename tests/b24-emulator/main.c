/* main.c: the b24-emulator command line.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "b24-emulator.h"
#include "b24-faults.h"

#include <glib-unix.h>
#include <stdio.h>
#include <stdlib.h>

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

int
main (int    argc,
      char **argv)
{
  B24Config config = {
    .rate = 2, .burst = 50, .operating_limit = 480, .tz_offset = 3 * 3600, .seed = 1,
  };
  int port = 0, tz_hours = 3, seed_deals = 0, seed_contacts = 0, seed_companies = 0, seed = 1;
  int slow_ms = 2000;
  double faults[B24_N_FAULTS] = { 0 };
  g_auto(GStrv) webhooks = NULL;
  g_autofree char *db_path = NULL;
  gboolean log = FALSE;
  GOptionEntry entries[] = {
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "Port on 127.0.0.1 (0: any free port)", "P" },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, "SQLite file (default: in memory)", "FILE" },
    { "webhook", 0, 0, G_OPTION_ARG_STRING_ARRAY, &webhooks, "Inbound webhook (repeatable)", "USER_ID:SECRET[:SCOPES]" },
    { "rate", 0, 0, G_OPTION_ARG_DOUBLE, &config.rate, "Leaky bucket drain per second (0: no limit)", "R" },
    { "burst", 0, 0, G_OPTION_ARG_DOUBLE, &config.burst, "Leaky bucket size", "B" },
    { "operating-limit", 0, 0, G_OPTION_ARG_DOUBLE, &config.operating_limit,
      "Operating seconds per method per 10 minutes (0: off)", "SECONDS" },
    { "operating-cost", 0, 0, G_OPTION_ARG_DOUBLE, &config.operating_cost,
      "Seconds charged per call on top of the measured time", "SECONDS" },
    { "fault-rate-limit", 0, 0, G_OPTION_ARG_DOUBLE, &faults[B24_FAULT_RATE_LIMIT], "Share of 503 QUERY_LIMIT_EXCEEDED", "RATE" },
    { "fault-500", 0, 0, G_OPTION_ARG_DOUBLE, &faults[B24_FAULT_HTTP_500], "Share of 500 INTERNAL_SERVER_ERROR", "RATE" },
    { "fault-502", 0, 0, G_OPTION_ARG_DOUBLE, &faults[B24_FAULT_HTTP_502], "Share of nginx 502", "RATE" },
    { "fault-503", 0, 0, G_OPTION_ARG_DOUBLE, &faults[B24_FAULT_HTTP_503], "Share of nginx 503", "RATE" },
    { "fault-reset", 0, 0, G_OPTION_ARG_DOUBLE, &faults[B24_FAULT_RESET], "Share of dropped connections", "RATE" },
    { "fault-redirect", 0, 0, G_OPTION_ARG_DOUBLE, &faults[B24_FAULT_REDIRECT], "Share of 302 to a new host", "RATE" },
    { "fault-slow", 0, 0, G_OPTION_ARG_DOUBLE, &faults[B24_FAULT_SLOW], "Share of slow answers", "RATE" },
    { "fault-slow-ms", 0, 0, G_OPTION_ARG_INT, &slow_ms, "Delay of a slow answer", "MS" },
    { "fault-truncated", 0, 0, G_OPTION_ARG_DOUBLE, &faults[B24_FAULT_TRUNCATED], "Share of truncated JSON", "RATE" },
    { "fault-malformed", 0, 0, G_OPTION_ARG_DOUBLE, &faults[B24_FAULT_MALFORMED], "Share of malformed JSON", "RATE" },
    { "seed-deals", 0, 0, G_OPTION_ARG_INT, &seed_deals, "Deals to seed", "N" },
    { "seed-contacts", 0, 0, G_OPTION_ARG_INT, &seed_contacts, "Contacts to seed", "N" },
    { "seed-companies", 0, 0, G_OPTION_ARG_INT, &seed_companies, "Companies to seed", "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT, &seed, "Seed of the generated data and faults", "S" },
    { "tz-offset", 0, 0, G_OPTION_ARG_INT, &tz_hours, "Portal offset from UTC in hours", "H" },
    { "log", 0, 0, G_OPTION_ARG_NONE, &log, "Print one line per request", NULL },
    { NULL },
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- a local Bitrix24 REST portal");
  g_autoptr(GError) error = NULL;
  g_autoptr(B24Emu) emu = NULL;
  g_autoptr(GMainLoop) loop = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (port < 0 || port > 65535 || seed_deals < 0 || seed_contacts < 0 || seed_companies < 0)
    {
      g_printerr ("invalid numeric option\n");
      return 2;
    }
  config.port = port;
  config.db_path = db_path;
  config.tz_offset = tz_hours * 3600;
  config.seed_deals = seed_deals;
  config.seed_contacts = seed_contacts;
  config.seed_companies = seed_companies;
  config.seed = seed;
  config.log = log;

  emu = b24_emu_new (&config, &error);
  if (emu == NULL || !b24_emu_listen (emu, &error))
    {
      g_printerr ("b24-emulator: %s\n", error->message);
      return 1;
    }
  for (int i = B24_FAULT_NONE + 1; i < B24_N_FAULTS; i++)
    if (!b24_faults_set_rate (emu->faults, b24_fault_name (i), faults[i]))
      {
        g_printerr ("fault rate outside 0…1: %s\n", b24_fault_name (i));
        return 2;
      }
  b24_faults_set_slow_ms (emu->faults, slow_ms);
  for (guint i = 0; webhooks != NULL && webhooks[i] != NULL; i++)
    b24_emu_add_webhook (emu, webhooks[i]);

  printf ("listening on %s\n", emu->base_url);
  fflush (stdout);
  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, quit_cb, loop);
  g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_main_loop_run (loop);

  /* Closed connections let go of their sockets from idle callbacks: run those before
   * leaving, so nothing the server had is left behind. */
  g_clear_pointer (&emu, b24_emu_free);
  for (guint i = 0; i < 100 && g_main_context_iteration (NULL, FALSE); i++)
    ;
  return 0;
}
