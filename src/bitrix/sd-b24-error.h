/* sd-b24-error.h: what can go wrong talking to a Bitrix24 portal.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define SD_B24_ERROR (sd_b24_error_quark ())

/* The message of an SD_B24_ERROR keeps the portal's own text when it sent one. */
typedef enum
{
  SD_B24_ERROR_BAD_URL,          /* not a webhook/portal address, plain http, no /rest/ there */
  SD_B24_ERROR_AUTH,             /* wrong webhook secret, unknown or revoked token */
  SD_B24_ERROR_TOKEN_EXPIRED,    /* OAuth access token past its hour and no refresh possible */
  SD_B24_ERROR_SCOPE,            /* the method is outside the webhook's or app's scopes */
  SD_B24_ERROR_ACCESS_DENIED,    /* the user may not do this, or the plan has no REST */
  SD_B24_ERROR_NO_NETWORK,       /* no connection, DNS failure, reset, timeout */
  SD_B24_ERROR_TLS,              /* the certificate was refused */
  SD_B24_ERROR_RATE_LIMIT,       /* QUERY_LIMIT_EXCEEDED after every retry */
  SD_B24_ERROR_OPERATING_LIMIT,  /* OPERATION_TIME_LIMIT after every retry */
  SD_B24_ERROR_NOT_FOUND,        /* the record does not exist (or is no longer visible) */
  SD_B24_ERROR_METHOD_NOT_FOUND, /* the portal does not know the method */
  SD_B24_ERROR_SERVER,           /* 5xx, overload */
  SD_B24_ERROR_MALFORMED,        /* the answer is not the JSON envelope (truncated, HTML) */
  SD_B24_ERROR_INVALID,          /* any other refusal of the request by the method (4xx) */
} SdB24Error;

GQuark      sd_b24_error_quark       (void);

/* Whether a failed call may simply be sent again (it did not run, or running it twice
 * does no harm when @idempotent). */
gboolean    sd_b24_error_is_transient (const GError *error,
                                       gboolean      idempotent);

/* The error a Bitrix24 error code and HTTP status stand for; case-insensitive, since the
 * portal mixes expired_token and QUERY_LIMIT_EXCEEDED. */
SdB24Error  sd_b24_error_from_code   (const char   *code,
                                      const char   *description,
                                      guint         http_status);

/* Sets @error from an {"error","error_description"} object. */
void        sd_b24_error_set_from_object (GError      **error,
                                          JsonObject   *object,
                                          guint         http_status);

G_END_DECLS

G_BEGIN_DECLS

/* What @error means for someone connecting Sdelka to their portal, in a sentence or two
 * that say what to do; the portal's own words follow when they add anything. */
char       *sd_b24_error_explain     (const GError *error);

G_END_DECLS
