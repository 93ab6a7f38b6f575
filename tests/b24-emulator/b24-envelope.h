/* b24-envelope.h: replies and the JSON envelope around them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "b24-emulator.h"

G_BEGIN_DECLS

void b24_reply_init (B24Reply *reply);
void b24_reply_clear (B24Reply *reply);
gboolean b24_reply_failed (const B24Reply *reply);
void b24_reply_set_result (B24Reply *reply,
                           JsonNode *result);
void b24_reply_set_int (B24Reply *reply,
                        gint64    value);
void b24_reply_set_true (B24Reply *reply);
void b24_reply_error (B24Reply   *reply,
                      guint       status,
                      const char *code,
                      const char *description);
/* The old CRM methods: HTTP 400, an empty code and the text in the description. */
void b24_reply_crm_error (B24Reply   *reply,
                          const char *description);

/* The "time" object: start/finish floats, ISO dates, operating figures. */
JsonObject *b24_envelope_time (B24Emu *emu,
                               double  start,
                               double  finish,
                               double  operating,
                               gint64  operating_reset_at);
/* {"result":…,"total":…,"next":…,"time":…} or {"error":…,"error_description":…}. */
JsonNode *b24_envelope_build (const B24Reply *reply,
                              JsonObject     *time);
char *b24_json_to_string (JsonNode *node,
                          gsize    *length);
/* Nodes that take ownership of the container, or copy the string (NULL gives null). */
JsonNode *b24_node_take_object (JsonObject *object);
JsonNode *b24_node_take_array (JsonArray *array);
JsonNode *b24_node_string (const char *text);
/* PHP prints an empty array for an empty map: "[]", never "{}". */
JsonNode *b24_json_empty_list (void);

G_END_DECLS
