/* b24-params.h: request parameters as one JSON tree, whatever the encoding.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "b24-emulator.h"

G_BEGIN_DECLS

/* Adds "a[b][]=v&…" (already split, not yet URL-decoded) to @params. */
void b24_params_add_query (JsonObject *params,
                           const char *query);
gboolean b24_params_add_json (JsonObject *params,
                              const char *data,
                              gsize       len,
                              GError    **error);
void b24_params_add_multipart (JsonObject         *params,
                               SoupMessageHeaders *headers,
                               GBytes             *body);
void b24_params_add_path (JsonObject *params,
                          const char *key,
                          const char *value);

/* Member lookup; @ci matches the key case-insensitively. */
JsonNode *b24_params_get (JsonObject *params,
                          const char *key,
                          gboolean    ci);
JsonObject *b24_params_get_object (JsonObject *params,
                                   const char *key,
                                   gboolean    ci);

/* Scalar views of a node that came either from JSON (typed) or a form (strings). */
gboolean b24_node_is_scalar (JsonNode *node);
char *b24_node_dup_string (JsonNode *node);
gboolean b24_node_get_int (JsonNode *node,
                           gint64   *out);
gboolean b24_node_get_double (JsonNode *node,
                              double   *out);
gboolean b24_node_get_bool (JsonNode *node,
                            gboolean *out);
/* The values of an array, or of an object used as a PHP list (select[0]=…). */
GPtrArray *b24_node_list (JsonNode *node);

G_END_DECLS
