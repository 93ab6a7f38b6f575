/* sd-json-check.h: the checks a playbook's reader makes of its JSON, each fault named by
 * file, JSON path and reason (private to src/automation: sd-playbook-parse.c and
 * sd-rule-parse.c share them).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Where faults go: the file they are reported in and the caller's error. */
typedef struct
{
  const char  *file;
  GError     **error;
} SdJsonCheck;

/* Sets SD_PLAYBOOK_ERROR_INVALID "FILE: PATH: message"; always FALSE. */
gboolean    sd_json_check_invalid      (SdJsonCheck       *check,
                                        const char        *path,
                                        const char        *format,
                                        ...) G_GNUC_PRINTF (3, 4);
/* "expected WHAT, got …" with the value as the file wrote it, shortened; always FALSE. */
gboolean    sd_json_check_expected     (SdJsonCheck       *check,
                                        const char        *path,
                                        const char        *what,
                                        JsonNode          *got);
gboolean    sd_json_check_holds_string (JsonNode          *node);
/* FALSE (a fault) when @object has a member not in @allowed: a misspelt member would
 * otherwise be silently ignored. */
gboolean    sd_json_check_members      (SdJsonCheck       *check,
                                        const char        *path,
                                        JsonObject        *object,
                                        const char *const *allowed);
/* @node as one of @names. */
gboolean    sd_json_check_choice       (SdJsonCheck       *check,
                                        JsonNode          *node,
                                        const char        *path,
                                        const char *const *names,
                                        const char       **out);

G_END_DECLS
