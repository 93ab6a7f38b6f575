/* sd-json-skim.h: stepping over JSON text without building it.
 *
 * For the few places that need one small thing out of a text fast (json-glib builds a
 * node for every value): the member names of a journal entry, the row counts and last
 * IDs of a large list answer. The text is NUL-terminated; a malformed one gives NULL, and
 * callers then fall back to the parser.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

const char *sd_json_skip_space  (const char *p);
/* @p at a '"': just after the closing one. */
const char *sd_json_skip_string (const char *p);
/* @p at a value (after any space): just after it. */
const char *sd_json_skip_value  (const char *p);

G_END_DECLS
