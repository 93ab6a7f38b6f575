/* b24-control.h: the control door under /_emulator/ (not part of Bitrix24).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "b24-emulator.h"

G_BEGIN_DECLS

/* Answers one control request; @action is the path after "/_emulator/". */
void b24_control_handle (B24Emu            *emu,
                         SoupServerMessage *msg,
                         const char        *action,
                         JsonObject        *params);
/* The client-portal actions under /_emulator/client/<action>. */
void b24_client_handle (B24Emu            *emu,
                        SoupServerMessage *msg,
                        const char        *action,
                        JsonObject        *params);
/* Fills the store with @deals deals, @contacts contacts and @companies companies drawn
 * deterministically from @seed, in one transaction. */
void b24_seed (B24Emu *emu,
               guint   deals,
               guint   contacts,
               guint   companies,
               guint   seed);
/* The whole state as canonical JSON: sorted keys, rows in ID order. */
char *b24_dump (B24Emu *emu,
                gsize  *length);

G_END_DECLS
