/* sd-money.h: amounts as integers of minor units, formatted for people.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* "1 250 000 ₽" in Russian, "1,250,000 ₽" in English: grouping from the locale, kopecks
 * only when there are any. */
char    *sd_money_format (gint64      minor_units,
                          const char *currency);
/* "1 250 000,50" or "1250000.5" -> 125000050; FALSE for anything else or a negative. */
gboolean sd_money_parse  (const char *text,
                          gint64     *out_minor_units);

G_END_DECLS
