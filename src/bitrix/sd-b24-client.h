/* sd-b24-client.h: calls to one Bitrix24 portal over its REST API.
 *
 * One client talks to one portal, through an inbound webhook or with OAuth 2.0 tokens.
 * Every request of every client of the same portal goes through one leaky bucket matched
 * to the portal's limits (2 requests a second, bursts of 50), so a sync never gets
 * refused for speed; if the portal refuses anyway (another program shares the bucket),
 * the bucket slows down. Refused and failed requests are sent again after a growing,
 * jittered delay; a refusal of the request itself (4xx) is not.
 *
 * The blocking calls may be made from any thread (libsoup ≥ 3.2 sends from any thread);
 * the async ones run them in a GTask thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "sd-b24-error.h"

G_BEGIN_DECLS

/* How a call may be repeated when its answer is lost. */
typedef enum
{
  SD_B24_CALL_READ = 0,       /* running it twice does no harm: retry every transient fault */
  SD_B24_CALL_WRITE = 1 << 0, /* retry only refusals that happened before it ran */
} SdB24CallFlags;

/* The batch method's limit of commands in one request. */
#define SD_B24_BATCH_MAX 50

#define SD_TYPE_B24_CLIENT (sd_b24_client_get_type ())
G_DECLARE_FINAL_TYPE (SdB24Client, sd_b24_client, SD, B24_CLIENT, GObject)

/* "scheme://host[:port]" of a portal address a person typed, if Sdelka may talk to it
 * (https, or http on the loopback interface). */
char        *sd_b24_portal_origin       (const char   *url,
                                         GError      **error);
/* https://PORTAL/rest/USER_ID/SECRET/ (a method name after it is ignored). Plain http is
 * accepted only on the loopback interface, where the test portal runs. */
SdB24Client *sd_b24_client_new_webhook  (const char   *url,
                                         GError      **error);
/* @portal_url: https://PORTAL/; @token_url: the OAuth server's token endpoint, where an
 * expired access token is exchanged for a new pair (::tokens-changed tells of it). */
SdB24Client *sd_b24_client_new_oauth    (const char   *portal_url,
                                         const char   *access_token,
                                         const char   *refresh_token,
                                         const char   *client_id,
                                         const char   *client_secret,
                                         const char   *token_url,
                                         GError      **error);

/* An application's authorization: exchanges the @code the portal's consent page sent
 * back (reference §1.2; valid 30 s) at @token_url for the first pair. Blocking. */
SdB24Client *sd_b24_client_new_authorized (const char    *portal_url,
                                           const char    *client_id,
                                           const char    *client_secret,
                                           const char    *token_url,
                                           const char    *code,
                                           GCancellable  *cancellable,
                                           GError       **error);
/* What the keyring keeps to make this client again: the webhook address, or the
 * application's tokens and credentials (as JSON). It is a secret: never log or show it. */
char        *sd_b24_client_dup_credential (SdB24Client *self);
/* A client from what sd_b24_client_dup_credential() gave. */
SdB24Client *sd_b24_client_new_from_credential (const char  *credential,
                                                GError     **error);

/* "scheme://host:port", which names the shared limiter; never the secret. */
const char  *sd_b24_client_get_portal   (SdB24Client  *self);
/* Whether the client holds OAuth tokens (an application), which may use the event
 * methods a webhook may not. */
gboolean     sd_b24_client_is_oauth     (SdB24Client  *self);
/* The application's own changes carry this connector, so that offline event bindings
 * made with it do not report them back (OAuth only; a webhook has no events). */
void         sd_b24_client_set_auth_connector (SdB24Client *self,
                                               const char  *connector);
/* HTTP requests sent so far (a batch is one), retries included. */
guint64      sd_b24_client_get_n_requests (SdB24Client *self);
/* The portal's plan: requests a second and burst. Defaults: 2 and 50. */
void         sd_b24_client_set_limits   (SdB24Client  *self,
                                         double        rate,
                                         double        burst);
/* The portal's operating-time limit: seconds a method may run in 10 minutes (default 480,
 * reference §6.2). A call that would go over it waits for time to free up, or fails with
 * SD_B24_ERROR_OPERATING_LIMIT at once when that is more than a minute away. */
void         sd_b24_client_set_operating_limit (SdB24Client *self,
                                                double       seconds);
/* Attempts of one call before it fails (default 10). */
void         sd_b24_client_set_max_attempts (SdB24Client *self,
                                             guint        attempts);

/* The answer's envelope: {"result":…, "total":…, "next":…, "time":{…}}. @params is an
 * object or NULL. */
JsonObject  *sd_b24_client_call         (SdB24Client   *self,
                                         const char    *method,
                                         JsonObject    *params,
                                         SdB24CallFlags flags,
                                         GCancellable  *cancellable,
                                         GError       **error);
void         sd_b24_client_call_async   (SdB24Client        *self,
                                         const char         *method,
                                         JsonObject         *params,
                                         SdB24CallFlags      flags,
                                         GCancellable       *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer            user_data);
JsonObject  *sd_b24_client_call_finish  (SdB24Client   *self,
                                         GAsyncResult  *result,
                                         GError       **error);

/* A batch being built: up to SD_B24_BATCH_MAX commands, keyed by name. A parameter value
 * may be a "$result[key][…]" reference to an earlier command's answer. */
typedef struct _SdB24Batch SdB24Batch;

SdB24Batch  *sd_b24_batch_new           (void);
void         sd_b24_batch_free          (SdB24Batch   *batch);
guint        sd_b24_batch_get_size      (SdB24Batch   *batch);
void         sd_b24_batch_add           (SdB24Batch   *batch,
                                         const char   *key,
                                         const char   *method,
                                         JsonObject   *params);

/* Sends the batch as one request; the envelope's result holds result, result_error,
 * result_total, result_next and result_time. */
JsonObject  *sd_b24_client_batch        (SdB24Client   *self,
                                         SdB24Batch    *batch,
                                         SdB24CallFlags flags,
                                         GCancellable  *cancellable,
                                         GError       **error);
/* One command's result in a batch answer, or NULL with its error set; *@next is its
 * result_next, or -1. */
JsonNode    *sd_b24_batch_get_result    (JsonObject    *answer,
                                         const char    *key,
                                         gint64        *next,
                                         GError       **error);

/* A query string in PHP bracket form ("filter[>ID]=5&select[0]=ID"), as batch commands
 * carry their parameters. */
char        *sd_b24_build_query         (JsonObject   *params);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SdB24Batch, sd_b24_batch_free)

G_END_DECLS
