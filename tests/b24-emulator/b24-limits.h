/* b24-limits.h: the leaky bucket and the per-method operating-time limit.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "b24-emulator.h"

G_BEGIN_DECLS

B24Limits *b24_limits_new (const B24Config *config);
void b24_limits_free (B24Limits *limits);
void b24_limits_configure (B24Limits *limits,
                           double     rate,
                           double     burst,
                           double     operating_limit,
                           double     operating_cost);
/* Counts one HTTP request; FALSE when the bucket is full (the request is then not counted). */
gboolean b24_limits_take_request (B24Limits *limits,
                                  double     now);
/* FALSE when (method, credential) is over its operating limit; fills the reported figures. */
gboolean b24_limits_operating_check (B24Limits  *limits,
                                     const char *method,
                                     const char *credential,
                                     double      now,
                                     double     *operating,
                                     gint64     *reset_at);
void b24_limits_operating_add (B24Limits  *limits,
                               const char *method,
                               const char *credential,
                               double      now,
                               double      seconds);
JsonObject *b24_limits_to_json (B24Limits *limits);

G_END_DECLS
