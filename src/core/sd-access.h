/* sd-access.h: the role x pipeline x stage access rules.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Deny by default: a role has at a stage exactly the actions its access row lists. */
typedef enum
{
  SD_ACCESS_NONE   = 0,
  SD_ACCESS_VIEW   = 1 << 0,
  SD_ACCESS_EDIT   = 1 << 1,
  SD_ACCESS_MOVE   = 1 << 2,
  SD_ACCESS_CHAT   = 1 << 3,
  SD_ACCESS_ATTACH = 1 << 4,
  SD_ACCESS_ALL    = (1 << 5) - 1,
} SdAccessAction;

/* The user id the store acts as when no person does: set-up, demo data, automation. */
#define SD_ACTOR_SYSTEM ((gint64) 0)

const char *sd_access_action_to_string (SdAccessAction action);
gboolean    sd_access_action_parse     (const char     *name,
                                        SdAccessAction *out_action);

G_END_DECLS
