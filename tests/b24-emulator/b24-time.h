/* b24-time.h: the portal clock and its date formats.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "b24-emulator.h"

G_BEGIN_DECLS

double b24_time_now (void);
/* "2024-08-30T14:29:00+02:00" in the portal's offset. */
char *b24_time_format (B24Emu *emu,
                       gint64  unix_time);
/* ISO 8601 with or without an offset, "YYYY-MM-DD", "YYYY-MM-DD hh:mm:ss" or
 * "DD.MM.YYYY[ hh:mm:ss]"; a time without an offset is portal time. */
gboolean b24_time_parse (B24Emu     *emu,
                         const char *text,
                         gint64     *unix_time);
/* Midnight of the portal day that holds @unix_time. */
gint64 b24_time_day_start (B24Emu *emu,
                           gint64  unix_time);

G_END_DECLS
