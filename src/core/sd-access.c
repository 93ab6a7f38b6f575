/* sd-access.c: names of the access actions, as playbooks and the CLI write them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-access.h"

static const struct
{
  SdAccessAction action;
  const char    *name;
} action_names[] = {
  { SD_ACCESS_VIEW, "view" },
  { SD_ACCESS_EDIT, "edit" },
  { SD_ACCESS_MOVE, "move" },
  { SD_ACCESS_CHAT, "chat" },
  { SD_ACCESS_ATTACH, "attach" },
  { SD_ACCESS_ALL, "all" },
};

const char *
sd_access_action_to_string (SdAccessAction action)
{
  for (guint i = 0; i < G_N_ELEMENTS (action_names); i++)
    if (action_names[i].action == action)
      return action_names[i].name;
  return NULL;
}

gboolean
sd_access_action_parse (const char     *name,
                        SdAccessAction *out_action)
{
  for (guint i = 0; i < G_N_ELEMENTS (action_names); i++)
    if (g_strcmp0 (action_names[i].name, name) == 0)
      {
        *out_action = action_names[i].action;
        return TRUE;
      }
  return FALSE;
}
