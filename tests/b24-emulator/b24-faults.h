/* b24-faults.h: injected failures for the client's retry paths.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "b24-emulator.h"

G_BEGIN_DECLS

typedef enum {
  B24_FAULT_NONE,
  B24_FAULT_RATE_LIMIT, /* 503 QUERY_LIMIT_EXCEEDED, not executed */
  B24_FAULT_HTTP_500,   /* 500 INTERNAL_SERVER_ERROR, not executed */
  B24_FAULT_HTTP_502,   /* nginx "502 Bad Gateway" HTML, not executed */
  B24_FAULT_HTTP_503,   /* nginx "503 Service Unavailable" HTML, not executed */
  B24_FAULT_RESET,      /* the connection is closed without an answer, not executed */
  B24_FAULT_REDIRECT,   /* 302 to the portal's new address, not executed */
  B24_FAULT_SLOW,       /* executed, answered after slow_ms */
  B24_FAULT_TRUNCATED,  /* executed, the body cut in half */
  B24_FAULT_MALFORMED,  /* executed, the body is not JSON */
  B24_N_FAULTS,
} B24Fault;

B24Faults *b24_faults_new (guint seed);
void b24_faults_free (B24Faults *faults);
/* @name is "rate_limit", "http_500", …; FALSE for an unknown name or a rate outside 0…1. */
gboolean b24_faults_set_rate (B24Faults  *faults,
                              const char *name,
                              double      rate);
void b24_faults_set_slow_ms (B24Faults *faults,
                             guint      slow_ms);
guint b24_faults_get_slow_ms (B24Faults *faults);
void b24_faults_reseed (B24Faults *faults,
                        guint      seed);
/* Draws at most one fault for the next request. */
B24Fault b24_faults_roll (B24Faults *faults);
gboolean b24_fault_before_execution (B24Fault fault);
const char *b24_fault_name (B24Fault fault);
JsonObject *b24_faults_to_json (B24Faults *faults);

G_END_DECLS
