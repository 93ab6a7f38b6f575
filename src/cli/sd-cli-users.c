/* sd-cli-users.c: sdelka-cli users
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-cli.h"
#include "sd-records.h"

#include <glib/gi18n-lib.h>

int
sd_cli_users (int argc, char **argv)
{
  g_autoptr(SdStore) store = NULL;
  g_autoptr(GPtrArray) users = NULL;
  g_autoptr(GError) error = NULL;

  if (!sd_cli_parse ("users", "", _("List the staff: number, login, name, role."), NULL, &argc,
                     &argv))
    return SD_CLI_USAGE;
  if (argc != 1)
    return sd_cli_usage (_("users takes no arguments"));
  if ((store = sd_cli_open_store ()) == NULL)
    return SD_CLI_FAILED;
  if ((users = sd_store_list_users (store, &error)) == NULL)
    return sd_cli_fail (g_steal_pointer (&error));
  for (guint i = 0; i < users->len; i++)
    {
      SdUser *user = users->pdata[i];
      g_autofree char *login = sd_cli_pad (user->login, -16);
      g_autofree char *name = sd_cli_pad (user->full_name, -28);

      g_print ("%4" G_GINT64_FORMAT "  %s %s %s\n", user->id, login, name,
               user->role_code != NULL ? user->role_code : "-");
    }
  return SD_CLI_OK;
}
