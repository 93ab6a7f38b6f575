/* sd-ui-format.h: dates and times of the store written for people, in their locale.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* "2026-03-12" (or a date-time) -> "12 Mar 2026"; NULL for NULL or what is not a date. */
char *sd_ui_format_date     (const char *iso);
/* A local "2026-03-12T14:30:00" or a UTC "…Z" -> "12 Mar 2026, 14:30" in local time. */
char *sd_ui_format_datetime (const char *iso);

G_END_DECLS
