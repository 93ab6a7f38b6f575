/* test-util.h: run b24-emulator as a subprocess and talk to it over loopback HTTP.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct {
  GSubprocess *process;
  char *base;          /* http://127.0.0.1:PORT */
  char *hook;          /* base + /rest/1/secret/ */
  SoupSession *session;
} B24Test;

/* Starts the emulator with "--port 0 --webhook 1:secret" and the NULL-terminated extra args. */
B24Test *b24_test_start (const char *first_arg,
                         ...) G_GNUC_NULL_TERMINATED;
/* SIGTERM, then checks a clean exit (so sanitizer leak reports fail the test). */
void b24_test_stop (B24Test *test);

/* One HTTP request; returns the body parsed as JSON (NULL when it is not JSON). */
JsonNode *b24_test_http (B24Test    *test,
                         const char *http_method,
                         const char *url,
                         const char *content_type,
                         const char *body,
                         guint      *status);
/* POSTs @json to the webhook method @method. */
JsonNode *b24_test_rest (B24Test    *test,
                         const char *method,
                         const char *json,
                         guint      *status);
/* POSTs @json to /_emulator/@action. */
JsonNode *b24_test_control (B24Test    *test,
                            const char *action,
                            const char *json);
JsonNode *b24_test_example (const char *name);

JsonObject *b24_test_object (JsonNode   *node,
                             const char *path);
JsonArray *b24_test_array (JsonNode   *node,
                           const char *path);
const char *b24_test_string (JsonNode   *node,
                             const char *path);
gint64 b24_test_int (JsonNode   *node,
                     const char *path);
/* Every key of @expected is in @actual with the same JSON type; strings that look like
 * numbers or dates in @expected must look the same in @actual. */
void b24_test_assert_shape (JsonNode   *expected,
                            JsonNode   *actual,
                            const char *where);

G_END_DECLS
