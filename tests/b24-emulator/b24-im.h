/* b24-im.h: chats, messages and notifications; helpers the control door shares.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "b24-emulator.h"

G_BEGIN_DECLS

gint64 b24_im_create_chat (B24Emu     *emu,
                           const char *type,
                           const char *title,
                           const char *entity_type,
                           const char *entity_id,
                           gint64      owner);
void b24_im_add_member (B24Emu *emu,
                        gint64  chat_id,
                        gint64  user_id);
/* The first chat bound to ENTITY_TYPE/ENTITY_ID ("CRM", "DEAL|5"); 0 when there is none. */
gint64 b24_im_find_entity_chat (B24Emu     *emu,
                                const char *entity_type,
                                const char *entity_id);
/* Appends a message; returns its ID. */
gint64 b24_im_post (B24Emu     *emu,
                    gint64      chat_id,
                    gint64      author_id,
                    const char *text);

G_END_DECLS
