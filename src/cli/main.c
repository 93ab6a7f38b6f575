/* main.c: sdelka-cli, the headless door to Sdelka.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "sd-cli.h"

#include <glib/gi18n-lib.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

static const SdCliCommand commands[] = {
  { "demo", N_("Make a demo database"), sd_cli_demo },
  { "stats", N_("Count and sum the deals of each pipeline and stage"), sd_cli_stats },
  { "search", N_("Find deals, contacts and companies"), sd_cli_search },
  { "deal", N_("Show or move a deal"), sd_cli_deal },
  { "journal", N_("List the changes made through the store"), sd_cli_journal },
  { "playbook", N_("Check playbook files"), sd_cli_playbook },
  { "users", N_("List the staff and their roles"), sd_cli_users },
  { "automation", N_("Run the automation rules, or list unread notifications"), sd_cli_automation },
  { "connect", N_("Connect to a Bitrix24 portal through an inbound webhook"), sd_cli_connect },
  { "sync", N_("Exchange changes with the connected Bitrix24 portal"), sd_cli_sync },
  { "disconnect", N_("Forget the connected Bitrix24 portal"), sd_cli_disconnect },
};

static void
print_help (FILE *out)
{
  fprintf (out, "%s\n\n", _("Usage: sdelka-cli [--db FILE] COMMAND [OPTIONS…]"));
  fprintf (out, "%s\n", _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-10s %s\n", commands[i].name, _(commands[i].summary));
  fprintf (out, "\n%s\n", _("Run “sdelka-cli COMMAND --help” for a command’s options."));
  fprintf (out, "%s\n", _("Exit status: 0 done, 1 failed, 2 wrong usage."));
}

int
main (int argc, char **argv)
{
  const char *localedir = g_getenv ("SDELKA_LOCALEDIR");
  int first = 1;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* The global --db may come before the command too. */
  while (first < argc && argv[first][0] == '-')
    {
      if (strcmp (argv[first], "--help") == 0 || strcmp (argv[first], "-h") == 0)
        {
          print_help (stdout);
          return SD_CLI_OK;
        }
      if (strcmp (argv[first], "--db") == 0 && first + 1 < argc)
        {
          sd_cli_db_path = g_strdup (argv[first + 1]);
          first += 2;
        }
      else if (g_str_has_prefix (argv[first], "--db="))
        sd_cli_db_path = g_strdup (argv[first++] + strlen ("--db="));
      else
        {
          print_help (stderr);
          return SD_CLI_USAGE;
        }
    }
  if (first >= argc)
    {
      print_help (stderr);
      return SD_CLI_USAGE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (argv[first], commands[i].name) == 0)
      {
        int status = commands[i].run (argc - first, argv + first);
        g_free (sd_cli_db_path);
        return status;
      }
  g_printerr (_("sdelka-cli: unknown command “%s”\n\n"), argv[first]);
  print_help (stderr);
  return SD_CLI_USAGE;
}
