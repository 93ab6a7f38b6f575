/* sd-text.h: folding text for search and checking what people type.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The words of @text, lower case, "ё" read as "е", one space between them: how names are
 * compared and indexed. */
char    *sd_text_fold_words    (const char *text);
/* The digits of a phone number, without a leading Russian 7/8 trunk prefix when the
 * number has eleven digits: "+7 (916) 123-45-67" -> "9161234567". */
char    *sd_text_phone_digits  (const char *text);
gboolean sd_text_looks_like_phone (const char *text);

gboolean sd_text_inn_is_valid  (const char *inn);
gboolean sd_text_email_is_valid (const char *email);

G_END_DECLS
