/* sd-cli-playbook.c: sdelka-cli playbook check FILE…
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-cli.h"
#include "sd-playbook.h"

#include <glib/gi18n-lib.h>

int
sd_cli_playbook (int argc, char **argv)
{
  int status = SD_CLI_OK;

  if (!sd_cli_parse ("playbook", _("check FILE…"),
                     _("Check playbook files; each error names the file, the JSON path and what "
                       "is wrong."), NULL, &argc, &argv))
    return SD_CLI_USAGE;
  if (argc < 3 || g_strcmp0 (argv[1], "check") != 0)
    return sd_cli_usage (_("usage: playbook check FILE…"));

  for (int i = 2; i < argc; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SdPlaybook) playbook = sd_playbook_load_file (argv[i], &error);

      if (playbook == NULL)
        {
          g_printerr ("%s\n", error->message);
          status = SD_CLI_FAILED;
          continue;
        }
      g_print (_("%s: valid, pipeline “%s”\n"), argv[i], sd_playbook_get_code (playbook));
    }
  return status;
}
