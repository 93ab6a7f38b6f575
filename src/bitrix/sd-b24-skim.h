/* sd-b24-skim.h: what a batch answer's text says of its list commands, before it is parsed.
 *
 * A batch of 50 list pages is a megabyte of JSON; json-glib takes a while to build it.
 * A keyset export needs only each page's row count and last ID to ask for the next pages,
 * and skimming the text for them lets that request leave while the answer is parsed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  gint  rows;       /* -1 when the command has no list in the answer */
  char *last_id;    /* the last row's ID, as text; NULL without rows */
} SdB24PageSkim;

/* For each of @keys in order, from @text (NUL-terminated) shaped {"result":{"result":
 * {key: [rows…], …}, …}, …}; NULL when the text has another shape. */
GArray *sd_b24_skim_batch_lists (const char         *text,
                                 const char * const *keys,
                                 guint               n_keys);

G_END_DECLS
